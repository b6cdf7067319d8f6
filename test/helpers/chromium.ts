/**
 * The Chromium that ships inside the `@sparticuz/chromium` npm package: `npm ci` brings it, nothing is downloaded
 * at run time and no system package is needed. The package is ESM-only and unpacks its brotli-compressed browser
 * into the temporary directory on first use, so a child Node process (which can import it) does that and prints
 * the path; Jest's CommonJS module system cannot load it itself.
 */
import { execFile } from 'node:child_process';

const UNPACK = "import('@sparticuz/chromium').then((m) => m.default.executablePath()).then((p) => console.log(p))";

/** The unpacked Chromium's path; rejects, saying why, when it cannot be had. */
export function chromiumExecutable(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', UNPACK],
      { cwd: __dirname, encoding: 'utf8', timeout: 60_000 },
      (error, out, err) =>
        error
          ? reject(new Error(`@sparticuz/chromium could not unpack its browser: ${err || error.message}`))
          : resolve(out.trim()),
    );
  });
}
