/**
 * The package as a Node-RED user gets it: `npm pack`, the tarball installed into a fresh Node-RED user directory,
 * the real Node-RED started on it, a flow deployed through the Admin API (`POST /flows`) and driven over http-in,
 * and the emulator's state checked. Uses the Node-RED of `NODE_RED_PACKAGE` under the Node running the tests.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { OPERATION_NAMES } from '../core/operations';
import { freePort } from './helpers/ports';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';

const ROOT = join(__dirname, '..');
const NODE_RED = process.env.NODE_RED_PACKAGE ?? 'node-red';

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: 'utf8', timeout: 300_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')} failed: ${stderr}`)) : resolve(stdout),
    );
  });
}

const fx = useEmulator();
let userDir: string;
let nodeRed: ChildProcess;
let editor: string;
let log = '';

beforeAll(async () => {
  userDir = mkdtempSync(join(tmpdir(), 'node-red-user-'));
  await run('npm', ['pack', '--pack-destination', userDir, '--silent'], ROOT);
  const tarball = readdirSync(userDir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  await run('npm', ['install', `./${tarball}`, '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev'], userDir);

  const port = await freePort();
  editor = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(userDir, 'settings.js'),
    `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: 'test-secret', logging: { console: { level: 'info' } } };\n`,
  );
  const redJs = join(dirname(require.resolve(`${NODE_RED}/package.json`)), 'red.js');
  nodeRed = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', join(userDir, 'settings.js')], {
    env: { PATH: process.env.PATH, HOME: userDir, NODE_ENV: 'production' },
  });
  nodeRed.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  nodeRed.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; i < 300 && !/Started flows/.test(log); i++) await new Promise((r) => setTimeout(r, 100));
  if (!/Started flows/.test(log)) throw new Error(`Node-RED did not start:\n${log}`);
}, 300_000);

afterAll(async () => {
  if (nodeRed) {
    const exited = new Promise((r) => nodeRed.once('exit', r));
    nodeRed.kill('SIGINT');
    await exited;
  }
  if (userDir) rmSync(userDir, { recursive: true, force: true });
});

test('the packed nodes load in a real Node-RED, deploy through the Admin API and change the emulator', async () => {
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
  const nodes = (await (await fetch(`${editor}/nodes`, { headers: { accept: 'application/json' } })).json()) as {
    module: string;
    types: string[];
  }[];
  const ours = nodes.filter((n) => n.module === 'node-red-contrib-aws-job-steps').flatMap((n) => n.types);
  expect(ours.sort()).toEqual(['aws-job-steps-connection', ...OPERATION_NAMES.map((name) => `aws-${name}`)].sort());

  const flows = [
    { id: 'tab', type: 'tab', label: 'packed' },
    {
      id: 'conn',
      type: 'aws-job-steps-connection',
      region: 'us-east-1',
      endpoint: fx.url,
      credentialSource: 'keys',
      credentials: {
        accessKeyId: FIXTURE_CREDENTIALS.accessKeyId,
        secretAccessKey: FIXTURE_CREDENTIALS.secretAccessKey,
        sessionToken: FIXTURE_CREDENTIALS.sessionToken,
      },
    },
    { id: 'in', z: 'tab', type: 'http in', url: '/report', method: 'post', wires: [['step']] },
    { id: 'step', z: 'tab', type: 'aws-update-job-execution', connection: 'conn', wires: [['out'], ['out']] },
    { id: 'out', z: 'tab', type: 'http response', wires: [] },
  ];
  const deploy = await fetch(`${editor}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
    body: JSON.stringify(flows),
  });
  expect(deploy.status).toBe(204);

  const report = (): Promise<Response> =>
    fetch(`${editor}/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobId: 'fw-42', thingName: 'gw-7', status: 'SUCCEEDED', statusDetails: 'via=node-red' }),
    });
  // The deploy answers before the new flow's http-in route is listening.
  let answer = await report();
  for (let i = 0; i < 50 && answer.status === 404; i++) {
    await new Promise((r) => setTimeout(r, 100));
    answer = await report();
  }
  expect(answer.status).toBe(200);
  expect(await answer.json()).toMatchObject({
    changed: true,
    executionState: { status: 'SUCCEEDED', versionNumber: 2 },
  });
  expect(await fx.execution('gw-7', 'fw-42')).toMatchObject({
    status: 'SUCCEEDED',
    statusDetails: { via: 'node-red' },
  });

  // The keys are in the encrypted credentials file, not in the flow the Admin API or the flow file shows.
  const shown = await (await fetch(`${editor}/flows`)).text();
  const saved = readFileSync(join(userDir, 'flows.json'), 'utf8');
  for (const text of [shown, saved, log]) {
    expect(text).not.toContain(FIXTURE_CREDENTIALS.secretAccessKey);
    expect(text).not.toContain(FIXTURE_CREDENTIALS.sessionToken!);
  }
  expect(readFileSync(join(userDir, 'flows_cred.json'), 'utf8')).not.toContain(FIXTURE_CREDENTIALS.secretAccessKey);
});

test('the example flows are listed for the import menu', async () => {
  const examples = readdirSync(join(userDir, 'node_modules', 'node-red-contrib-aws-job-steps', 'examples')).sort();
  expect(examples).toEqual([
    'find-and-run-work.json',
    'import-export-manifest-update.json',
    'report-job-progress.json',
    'retry-on-throttling.json',
  ]);
  const used = new Set(
    examples.flatMap((f) =>
      (JSON.parse(readFileSync(join(ROOT, 'examples', f), 'utf8')) as { type: string }[]).map((n) => n.type),
    ),
  );
  // Every node type is shown in use by an example.
  for (const type of ['aws-job-steps-connection', ...OPERATION_NAMES.map((name) => `aws-${name}`)])
    expect(used).toContain(type);
});
