/**
 * `npm start`'s sandbox as a newcomer meets it: it starts, its printed commands work, Ctrl-C stops it cleanly,
 * a second start in the same folder works, and a busy port gets a clear message.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './helpers/ports';

const START = join(__dirname, '..', 'lib', 'sandbox', 'start.js');

interface Started {
  child: ChildProcess;
  output: string;
}

function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [START, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('Try:') && output.includes("-d '")) resolve({ child, output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(Object.assign(new Error(`exited ${code}: ${output}`), { code, output })));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

/** Runs one printed command line (a continued two-line command) through the shell. */
function shell(command: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('bash', ['-c', command], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command}: ${stderr}`)) : resolve(stdout),
    ),
  );
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('starts, its two printed commands work, stops on Ctrl-C, and starts again in the same folder', async () => {
  const ports = ['--emulator-port', String(await freePort()), '--editor-port', String(await freePort()), '--dir', dir];
  const first = await start([...ports, '--clean']);
  const lines = first.output.split('\n');
  const tryAt = lines.indexOf('Try:');
  const awsCommand = `${lines[tryAt + 1]!.replace(/\\$/, '')} ${lines[tryAt + 2]!.trim()}`;
  const curlCommand = `${lines[tryAt + 3]!.replace(/\\$/, '')} ${lines[tryAt + 4]!.trim()}`;
  expect(JSON.parse(await shell(awsCommand))).toMatchObject({
    execution: { status: 'QUEUED', thingArn: expect.stringMatching(/thing\/gw-8$/) },
  });
  expect(JSON.parse(await shell(curlCommand))).toMatchObject({
    changed: true,
    executionState: { status: 'SUCCEEDED' },
  });
  expect(await stop(first.child)).toBe(0);

  const second = await start(ports);
  expect(second.output).toContain('aws-job-steps sandbox is running');
  expect(await stop(second.child)).toBe(0);
}, 120_000);

test('a busy port is named, with the flag that changes it', async () => {
  const busy: Server = await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
  });
  const port = (busy.address() as { port: number }).port;
  const outcome = await start([
    '--emulator-port',
    String(port),
    '--editor-port',
    String(await freePort()),
    '--dir',
    dir,
  ]).then(
    () => undefined,
    (error: { code: number; output: string }) => error,
  );
  busy.close();
  expect(outcome?.code).toBe(2);
  expect(outcome?.output).toContain(
    `sandbox: port ${port} is busy; stop what uses it or pass --emulator-port <another port>`,
  );
});
