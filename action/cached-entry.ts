/**
 * What `action.yml` runs (`dist/index.js`): the action bundle (`dist/action/index.js`, built from `./index`) through
 * a V8 code cache kept in the job's `RUNNER_TEMP`.
 *
 * Why: most of the action's start-up is compiling the bundle and the AWS SDK code it runs at once (≈ 45 ms of
 * ≈ 110 ms). A job usually runs this action more than once (IN_PROGRESS, then SUCCEEDED), so the first run saves the
 * code V8 compiled — after running, so the functions compiled lazily on the way are in it, which neither Node's
 * compile cache nor `v8-compile-cache` (both save at load time) capture — and the next runs start from it.
 *
 * The cache lives only in `RUNNER_TEMP`, the runner's own directory, emptied at the start and end of every job;
 * without it, nothing is cached. The file is keyed by Node's version, the architecture and the bundle's content, and
 * starts with the SHA-256 of the code it holds: V8 rejects a cache that does not fit, but a corrupted one of the
 * right shape can end the process with a fatal error, so a file whose checksum does not match is never handed to
 * V8. A rejected, corrupted or unreadable cache is rewritten.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

const DIGEST_BYTES = 32;
const digest = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

/** The code in a cache file, when its checksum holds; undefined for a missing, short or corrupted file. */
function verifiedCache(file: string): { data: Buffer } | { corrupted: true } | undefined {
  let stored: Buffer;
  try {
    stored = readFileSync(file);
  } catch {
    return undefined; // No cache yet: this run writes it.
  }
  const data = stored.subarray(DIGEST_BYTES);
  return stored.length > DIGEST_BYTES && digest(data).equals(stored.subarray(0, DIGEST_BYTES))
    ? { data }
    : { corrupted: true };
}

/** Runs the CommonJS file `bundle` as `require` would, with its compiled code cached in `cacheDir`. */
export function runWithCodeCache(bundle: string, cacheDir: string | undefined): void {
  const source = readFileSync(bundle, 'utf8');
  const key = createHash('sha256').update(`${process.version} ${process.arch}\n`).update(source).digest('hex');
  const cacheFile = cacheDir ? join(cacheDir, `aws-job-steps-${key.slice(0, 32)}.v8-code-cache`) : undefined;
  const found = cacheFile ? verifiedCache(cacheFile) : undefined;
  const cachedData = found && 'data' in found ? found.data : undefined;
  const script = new Script(Module.wrap(source), { filename: bundle, ...(cachedData && { cachedData }) });
  if (cacheFile) {
    const used = cachedData !== undefined && !script.cachedDataRejected;
    const state = used ? 'used' : cachedData ? 'rejected' : found ? 'corrupted' : 'empty';
    process.stdout.write(`::debug::code cache ${state}\n`);
    if (!used) {
      process.once('exit', () => {
        try {
          // Written aside and renamed, so a reader never sees half a file.
          const partial = `${cacheFile}.${process.pid}`;
          const data = script.createCachedData();
          writeFileSync(partial, Buffer.concat([digest(data), data]));
          renameSync(partial, cacheFile);
        } catch {
          // A cache that cannot be written only costs the next run its head start.
        }
      });
    }
  }
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}

runWithCodeCache(join(__dirname, 'action', 'index.js'), process.env.RUNNER_TEMP || undefined);
