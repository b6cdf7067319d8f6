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
 * without it, nothing is cached. The file is keyed by Node's version, the architecture and the bundle's content; V8
 * checks it again and rejects one that does not fit, and a rejected or unreadable cache is rewritten.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** Runs the CommonJS file `bundle` as `require` would, with its compiled code cached in `cacheDir`. */
export function runWithCodeCache(bundle: string, cacheDir: string | undefined): void {
  const source = readFileSync(bundle, 'utf8');
  const key = createHash('sha256').update(`${process.version} ${process.arch}\n`).update(source).digest('hex');
  const cacheFile = cacheDir ? join(cacheDir, `aws-job-steps-${key.slice(0, 32)}.v8-code-cache`) : undefined;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet: this run writes it.
  }
  const script = new Script(Module.wrap(source), { filename: bundle, ...(cachedData && { cachedData }) });
  if (cacheFile) {
    const used = cachedData !== undefined && !script.cachedDataRejected;
    process.stdout.write(`::debug::code cache ${used ? 'used' : cachedData ? 'rejected' : 'empty'}\n`);
    if (!used) {
      process.once('exit', () => {
        try {
          // Written aside and renamed, so a reader never sees half a file.
          const partial = `${cacheFile}.${process.pid}`;
          writeFileSync(partial, script.createCachedData());
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
