/**
 * Reading the files an input names (`Manifest: file://manifest.txt`, `--cli-input-json file://…`). A value that
 * names a file may come from outside (a message off an MQTT topic, a workflow input), so a read is bounded: only a
 * regular file (never a FIFO, a device or a directory), at most `MAX_INPUT_FILE_BYTES`, opened without blocking and
 * read asynchronously, and, when the host says so, only inside the directories it names. Messages name the path,
 * never the content.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

import { invalidInput, StepError } from './errors';

/** The most an input file may hold: a manifest or a request document is a few kB. */
export const MAX_INPUT_FILE_BYTES = 64 * 1024;

/** A directory files may be read from, and what messages call it (`the workspace`); unnamed, its path. */
export interface FileRoot {
  readonly dir: string;
  readonly name?: string | undefined;
}

/**
 * How `file://` values are read: relative to `cwd` (default: the process's directory), and, when `root` is set,
 * only inside that directory, or inside one of the directories it lists (at least one); links are followed before
 * the check. `refused` refuses them, with `fix` as the fix to suggest.
 *
 * @example { cwd: '/w', root: [{ dir: '/w', name: 'the workspace' }, { dir: '/t', name: "the runner's temp directory" }] }
 */
export type FilePolicy =
  | { readonly cwd?: string | undefined; readonly root?: string | readonly FileRoot[] | undefined }
  | { readonly refused: true; readonly fix: string };

/** The path a `file://` (or `fileb://`) value names, or undefined when the value is not one. */
export function fileReference(text: string): string | undefined {
  return /^fileb?:\/\/(.+)$/s.exec(text.trim())?.[1];
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** Resolves `path` and every root, links followed, and refuses the path unless it is inside one of them. */
async function inside(field: string, path: string, root: string | readonly FileRoot[]): Promise<void> {
  const roots: readonly FileRoot[] = typeof root === 'string' ? [{ dir: root }] : root;
  const [real, ...realRoots] = await Promise.all([realpath(path), ...roots.map((r) => realpath(r.dir))]);
  const within = (realRoot: string): boolean => {
    const rel = relative(realRoot, real!);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  if (realRoots.some(within)) return;
  const where = listed(roots.map((r) => (r.name === undefined ? r.dir : `${r.name} (${r.dir})`)));
  const fix = roots.length === 1 ? (roots[0]!.name ?? roots[0]!.dir) : 'one of them';
  throw invalidInput(field, `names ${path}, which is outside ${where}`, `give a file inside ${fix}`);
}

/**
 * Reads the file `reference` names for `field`, under `policy`.
 *
 * @throws StepError `invalid-input` naming the field and the path: refused by the policy, missing, not a regular
 *   file, outside the roots, or larger than the cap.
 */
export async function readInputFile(field: string, reference: string, policy: FilePolicy = {}): Promise<string> {
  if ('refused' in policy) throw invalidInput(field, 'names a file (file://), which is not allowed here', policy.fix);
  const path = resolve(policy.cwd ?? process.cwd(), reference);
  const cannot = (error: unknown): never => {
    if (error instanceof StepError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT' ? 'names a file that does not exist' : `names a file that cannot be read (${code})`;
    throw invalidInput(field, `${problem}: ${path}`, 'give the path of the file, or the text itself');
  };
  if (policy.root !== undefined) await inside(field, path, policy.root).catch(cannot);
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the checks below then refuse it.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(cannot);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw invalidInput(field, `names ${path}, which is not a regular file`, 'give a file');
    const tooLarge = (): never => {
      throw invalidInput(
        field,
        `names ${path}, which is larger than ${MAX_INPUT_FILE_BYTES} bytes`,
        `input files are at most ${MAX_INPUT_FILE_BYTES} bytes`,
      );
    };
    if (stat.size > MAX_INPUT_FILE_BYTES) tooLarge();
    // A file's stated size can be wrong (/proc reports 0): read one byte past the cap to know.
    const buffer = Buffer.alloc(MAX_INPUT_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_INPUT_FILE_BYTES) tooLarge();
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}
