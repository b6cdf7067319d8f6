/**
 * The package as a Node-RED user gets it: `npm pack`, the tarball installed into a fresh Node-RED user directory,
 * the real Node-RED started on it (a child process), flows deployed through the Admin API (`POST /flows`), driven
 * over http-in, node status read from the editor's own comms socket, and the emulator's state checked. Uses the
 * Node-RED of `NODE_RED_PACKAGE`, on the Node running the tests (24) and, for Node-RED 4.1, on Node 20 too: a
 * gateway's Node.js, where the package installs despite `engines` and must keep reporting.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { OPERATION_NAMES } from '../core/operations';
import { eventually } from './helpers/eventually';
import { freePort } from './helpers/ports';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';

const ROOT = join(__dirname, '..');
const NODE_RED = process.env.NODE_RED_PACKAGE ?? 'node-red';
/** Node 20 from the `node-20` dev dependency: Node-RED 4.1 runs on it (Node-RED 5 needs 22.9). */
const NODE_20 = join(ROOT, 'node_modules', 'node-20', 'bin', 'node');
const PACKAGE = 'node-red-contrib-aws-job-steps';

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: 'utf8', timeout: 300_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')} failed: ${stderr}`)) : resolve(stdout),
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const fx = useEmulator();
let userDir: string;

beforeEach(() => fx.reset());

beforeAll(async () => {
  userDir = mkdtempSync(join(tmpdir(), 'node-red-user-'));
  await run('npm', ['pack', '--pack-destination', userDir, '--silent'], ROOT);
  const tarball = readdirSync(userDir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  await run('npm', ['install', `./${tarball}`, '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev'], userDir);
}, 300_000);

afterAll(() => {
  if (userDir) rmSync(userDir, { recursive: true, force: true });
});

interface Runtime {
  readonly editor: string;
  /** What the runtime has printed so far. */
  readonly log: () => string;
  /** Deploys `flows` (a full deployment) and waits until `/ready` (an http in of every flow here) answers. */
  deploy(flows: object[]): Promise<void>;
  /** Node `id`'s status as the editor shows it, as its comms socket sends it to a new client. */
  status(id: string): Promise<{ text?: string; fill?: string }>;
  stop(): Promise<void>;
}

/** Starts the real Node-RED on the user directory, on `node` (a Node.js binary). */
async function startRuntime(node: string): Promise<Runtime> {
  rmSync(join(userDir, 'flows.json'), { force: true });
  const port = await freePort();
  const editor = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(userDir, 'settings.js'),
    `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: 'test-secret', logging: { console: { level: 'info' } } };\n`,
  );
  const redJs = join(dirname(require.resolve(`${NODE_RED}/package.json`)), 'red.js');
  const child: ChildProcess = spawn(node, [redJs, '--userDir', userDir, '--settings', join(userDir, 'settings.js')], {
    env: { PATH: process.env.PATH, HOME: userDir, NODE_ENV: 'production' },
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 600 && !/Started flows/.test(log) && child.exitCode === null; i++) await sleep(100);
  if (!/Started flows/.test(log)) {
    child.kill('SIGKILL');
    throw new Error(`Node-RED did not start:\n${log}`);
  }
  return {
    editor,
    log: () => log,
    async deploy(flows) {
      const ready = [
        { id: 'ready-in', z: 'tab', type: 'http in', url: '/ready', method: 'get', wires: [['ready-out']] },
        { id: 'ready-out', z: 'tab', type: 'http response', wires: [] },
      ];
      const answer = await fetch(`${editor}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
        body: JSON.stringify([...flows, ...ready]),
      });
      expect(answer.status).toBe(204);
      // The deploy answers before the new flows' http in routes listen.
      await eventually(async () => (await fetch(`${editor}/ready`)).status === 200, 'the deployed flows to listen');
    },
    status(id) {
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/comms`);
        // Node-RED sends a new client each node's retained status once it subscribes: wait for this node's.
        const giveUp = setTimeout(() => {
          socket.close();
          reject(new Error(`no status of ${id} came`));
        }, 45_000);
        socket.onopen = () => socket.send(JSON.stringify({ subscribe: 'status/#' }));
        socket.onerror = () => reject(new Error('the comms socket failed'));
        socket.onmessage = (event) => {
          const batch = JSON.parse(String(event.data)) as { topic: string; data: { text?: string; fill?: string } }[];
          const found = [batch].flat().find(({ topic }) => topic === `status/${id}`);
          if (!found) return;
          clearTimeout(giveUp);
          socket.close();
          resolve(found.data);
        };
      });
    },
    async stop() {
      child.kill('SIGINT');
      await exited;
    },
  };
}

const connection = {
  id: 'conn',
  type: 'aws-job-steps-connection',
  region: 'us-east-1',
  credentialSource: 'keys',
  credentials: {
    accessKeyId: FIXTURE_CREDENTIALS.accessKeyId,
    secretAccessKey: FIXTURE_CREDENTIALS.secretAccessKey,
    sessionToken: FIXTURE_CREDENTIALS.sessionToken,
  },
};

/**
 * `POST /<id>` → the step node `<id>` (its extra settings `step`) → `http response`; its error output through a
 * function node that answers 422 with `{ error }`, and fanned out to a second wire, as a flow that also logs does.
 */
function reportingFlow(id: string, step: Record<string, unknown>): object[] {
  return [
    { id: `${id}-in`, z: 'tab', type: 'http in', url: `/${id}`, method: 'post', wires: [[id]] },
    {
      id,
      z: 'tab',
      type: 'aws-update-job-execution',
      connection: 'conn',
      ...step,
      wires: [[`${id}-out`], [`${id}-failed`, `${id}-log`]],
    },
    {
      id: `${id}-failed`,
      z: 'tab',
      type: 'function',
      func: 'msg.statusCode = 422;\nmsg.payload = { error: msg.error, topic: msg.topic };\nreturn msg;',
      outputs: 1,
      wires: [[`${id}-out`]],
    },
    { id: `${id}-log`, z: 'tab', type: 'debug', active: false, wires: [] },
    { id: `${id}-out`, z: 'tab', type: 'http response', wires: [] },
  ];
}

/** An http request that is answered or fails within 30 s: a caller left hanging fails the test, not the run. */
function post(editor: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${editor}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** The value of the outbox setting a node created in this package's editor gets: its `defaults`, as shipped. */
function editorDefaultOutbox(): unknown {
  const html = readFileSync(
    join(userDir, 'node_modules', PACKAGE, 'lib', 'node-red-nodes', 'aws-job-steps.html'),
    'utf8',
  );
  // The generated table of types, as JavaScript: `outbox: 'auto'` in the update-job-execution entry.
  const found = /'aws-update-job-execution': \{[^}]*?\boutbox: (?:'(\w+)'|(true|false|null))/.exec(html);
  if (!found) throw new Error('the editor has no outbox default for aws-update-job-execution');
  return found[1] ?? JSON.parse(found[2]!);
}

/** A report's JSON with a member nested `depth` levels deep (more than Node-RED's cloneMessage can copy). */
function withNested(report: Record<string, unknown>, depth: number): string {
  return `${JSON.stringify(report).slice(0, -1)},"extra":${'{"child":'.repeat(depth)}{}${'}'.repeat(depth)}}`;
}

describe(`the packed package on ${NODE_RED} and Node ${process.versions.node}`, () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await startRuntime(process.execPath);
  }, 120_000);
  afterAll(async () => runtime && (await runtime.stop()));

  test('the nodes load, deploy through the Admin API, keep reports (the outbox stays on) and change the emulator', async () => {
    await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
    const { editor } = runtime;
    const nodes = (await (await fetch(`${editor}/nodes`, { headers: { accept: 'application/json' } })).json()) as {
      module: string;
      types: string[];
    }[];
    const ours = nodes.filter((n) => n.module === PACKAGE).flatMap((n) => n.types);
    expect(ours.sort()).toEqual(['aws-job-steps-connection', ...OPERATION_NAMES.map((name) => `aws-${name}`)].sort());

    // A node saved before the option existed: the runtime's default keeps its reports on this Node.
    await runtime.deploy([
      { id: 'tab', type: 'tab' },
      { ...connection, endpoint: fx.url },
      ...reportingFlow('saved', {}),
    ]);
    const answer = await post(editor, 'saved', {
      jobId: 'fw-42',
      thingName: 'gw-7',
      status: 'SUCCEEDED',
      statusDetails: 'via=node-red',
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      changed: true,
      executionState: { status: 'SUCCEEDED', versionNumber: 2 },
    });
    expect(await fx.execution('gw-7', 'fw-42')).toMatchObject({
      status: 'SUCCEEDED',
      statusDetails: { via: 'node-red' },
    });
    expect(existsSync(join(userDir, 'aws-job-steps', 'outbox-saved.sqlite'))).toBe(true);
    expect(runtime.log()).not.toMatch(/not kept across restarts/);

    // The keys are in the encrypted credentials file, not in the flow the Admin API or the flow file shows.
    const shown = await (await fetch(`${editor}/flows`)).text();
    const saved = readFileSync(join(userDir, 'flows.json'), 'utf8');
    for (const text of [shown, saved, runtime.log()]) {
      expect(text).not.toContain(FIXTURE_CREDENTIALS.secretAccessKey);
      expect(text).not.toContain(FIXTURE_CREDENTIALS.sessionToken!);
    }
    expect(readFileSync(join(userDir, 'flows_cred.json'), 'utf8')).not.toContain(FIXTURE_CREDENTIALS.secretAccessKey);
  });

  test('a message Node-RED cannot copy is answered with its req, res, topic and link-call return path', async () => {
    await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
    await fx.clearRequests();
    await runtime.deploy([
      { id: 'tab', type: 'tab' },
      { ...connection, endpoint: fx.url },
      ...reportingFlow('direct', {}),
      // http in → link call → (link in → a function that makes the message uncopyable → step → link out return).
      { id: 'call-in', z: 'tab', type: 'http in', url: '/call', method: 'post', wires: [['call-prepare']] },
      {
        id: 'call-prepare',
        z: 'tab',
        type: 'function',
        func: "msg.topic = 'gw-7/fw-42';\nmsg.parts = { id: 'batch-1', index: 0, count: 1 };\nreturn msg;",
        outputs: 1,
        wires: [['caller']],
      },
      {
        id: 'caller',
        z: 'tab',
        type: 'link call',
        links: ['callee'],
        linkType: 'static',
        timeout: '10',
        wires: [['call-back']],
      },
      {
        id: 'call-back',
        z: 'tab',
        type: 'function',
        func: 'msg.statusCode = msg.error ? 422 : 200;\nmsg.payload = { error: msg.error, topic: msg.topic, parts: msg.parts };\nreturn msg;',
        outputs: 1,
        wires: [['call-out']],
      },
      { id: 'call-out', z: 'tab', type: 'http response', wires: [] },
      { id: 'callee', z: 'tab', type: 'link in', links: [], wires: [['deepen']] },
      {
        id: 'deepen',
        z: 'tab',
        type: 'function',
        func: 'let deep = {};\nfor (let i = 0; i < 10000; i++) deep = { child: deep };\nmsg.deep = deep;\nreturn msg;',
        outputs: 1,
        wires: [['linked']],
      },
      {
        id: 'linked',
        z: 'tab',
        type: 'aws-update-job-execution',
        connection: 'conn',
        wires: [['back'], ['back', 'linked-log']],
      },
      { id: 'linked-log', z: 'tab', type: 'debug', active: false, wires: [] },
      { id: 'back', z: 'tab', type: 'link out', mode: 'return', links: [], wires: [] },
    ]);
    const report = { jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS' };

    // The http in caller is answered: the new message carries req and res (and not the payload it cannot copy).
    const direct = await post(runtime.editor, 'direct', withNested(report, 10_000));
    expect(direct.status).toBe(422);
    const directError = ((await direct.json()) as { error: { code: string; message: string } }).error;
    expect(directError).toMatchObject({ code: 'invalid-message', retryable: false });
    expect(directError.message).toMatch(/except payload, which cannot be copied/);

    // The link call gets its answer back, with the topic and parts the flow keys on.
    const called = await post(runtime.editor, 'call', report);
    expect(called.status).toBe(422);
    expect(await called.json()).toMatchObject({
      error: { code: 'invalid-message', message: expect.stringMatching(/except deep, which cannot be copied/) },
      topic: 'gw-7/fw-42',
      parts: { id: 'batch-1', index: 0, count: 1 },
    });
    expect((await fx.requests()).filter((r) => r.operation === 'UpdateJobExecution')).toEqual([]);
    expect(runtime.log()).not.toMatch(/link call|_linkSource|timeout/i);
  });

  test('a user directory that cannot be written: the default delivers from memory and says so; "on" refuses', async () => {
    await fx.seed(['gw-7', 'gw-8'], [{ jobId: 'fw-42', targets: ['gw-7', 'gw-8'] }]);
    // As on a read-only image: the outbox folder cannot be made (a file is in its place; root writes anywhere else).
    rmSync(join(userDir, 'aws-job-steps'), { recursive: true, force: true });
    writeFileSync(join(userDir, 'aws-job-steps'), '');
    try {
      await runtime.deploy([
        { id: 'tab', type: 'tab' },
        { ...connection, endpoint: fx.url },
        ...reportingFlow('fallback', {}),
        ...reportingFlow('strict', { outbox: 'on' }),
      ]);
      await expectFallback(runtime, 'fallback', 'gw-7', /the outbox directory .* cannot be written/);
      await expectRefused(runtime, 'strict', 'gw-8', /cannot be written/);
    } finally {
      rmSync(join(userDir, 'aws-job-steps'), { force: true });
    }
  });
});

/** `id`'s report of SUCCEEDED for `thing` is delivered; the log says once why it is not kept; the status says so. */
async function expectFallback(runtime: Runtime, id: string, thing: string, why: RegExp): Promise<void> {
  const answer = await post(runtime.editor, id, { jobId: 'fw-42', thingName: thing, status: 'SUCCEEDED' });
  expect(answer.status).toBe(200);
  expect(await answer.json()).toMatchObject({ changed: true, executionState: { status: 'SUCCEEDED' } });
  expect(await fx.execution(thing, 'fw-42')).toMatchObject({ status: 'SUCCEEDED' });
  const warnings = runtime
    .log()
    .split('\n')
    .filter((line) => line.includes(`:${id}]`) && /not kept across restarts/.test(line));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(why);
  // After its outcome the status still says so (the outcome's own colour, with the note).
  expect(await runtime.status(id)).toMatchObject({ text: expect.stringMatching(/ · not kept across restarts$/) });
}

/** `id` (outbox on) refuses the report with `outbox-unavailable`, names why at deploy, and sends nothing. */
async function expectRefused(runtime: Runtime, id: string, thing: string, why: RegExp): Promise<void> {
  const answer = await post(runtime.editor, id, { jobId: 'fw-42', thingName: thing, status: 'SUCCEEDED' });
  expect(answer.status).toBe(422);
  expect(await answer.json()).toMatchObject({ error: { code: 'outbox-unavailable', retryable: false } });
  expect(await fx.execution(thing, 'fw-42')).toMatchObject({ status: 'QUEUED' });
  expect(runtime.log()).toMatch(new RegExp(`:${id}\\] Keep reports until delivered: .*${why.source}`));
  // Red from deploy on: the outcome's code after the refusal.
  expect(await runtime.status(id)).toMatchObject({ fill: 'red', text: 'outbox-unavailable' });
}

// Node-RED 4.1 runs on Node 18 and 20, as many gateways do (Node-RED 5 needs 22.9): the package must keep reporting.
(NODE_RED === 'node-red' ? describe : describe.skip)('the packed package on Node-RED 4.1 and Node 20', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    expect(existsSync(NODE_20)).toBe(true);
    runtime = await startRuntime(NODE_20);
  }, 120_000);
  afterAll(async () => runtime && (await runtime.stop()));

  test('a node saved before the option, one made by an earlier editor and one made in this editor report; "on" refuses', async () => {
    const things = ['gw-1', 'gw-2', 'gw-3', 'gw-4'];
    await fx.seed(things, [{ jobId: 'fw-42', targets: things }]);
    mkdirSync(join(userDir, 'aws-job-steps'), { recursive: true });
    expect(editorDefaultOutbox()).toBe('auto');
    await runtime.deploy([
      { id: 'tab', type: 'tab' },
      { ...connection, endpoint: fx.url },
      ...reportingFlow('before', {}),
      // An earlier editor saved its ticked box, the default, into every node it created.
      ...reportingFlow('earlier', { outbox: true, outboxEntries: 10000, outboxMegabytes: 16 }),
      ...reportingFlow('created', { outbox: editorDefaultOutbox(), outboxEntries: 10000, outboxMegabytes: 16 }),
      ...reportingFlow('strict', { outbox: 'on' }),
    ]);
    const why = /needs Node\.js 22\.13\.0 or later.*this is Node\.js 20\./;
    await expectFallback(runtime, 'before', 'gw-1', why);
    await expectFallback(runtime, 'earlier', 'gw-2', why);
    await expectFallback(runtime, 'created', 'gw-3', why);
    await expectRefused(runtime, 'strict', 'gw-4', why);
  });

  test('a message Node-RED cannot copy is answered with its req and res on Node 20 too', async () => {
    await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
    await runtime.deploy([
      { id: 'tab', type: 'tab' },
      { ...connection, endpoint: fx.url },
      ...reportingFlow('direct', {}),
    ]);
    const answer = await post(
      runtime.editor,
      'direct',
      withNested({ jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS' }, 10_000),
    );
    expect(answer.status).toBe(422);
    expect(await answer.json()).toMatchObject({ error: { code: 'invalid-message' } });
  });
});

test('the example flows are listed for the import menu', () => {
  const examples = readdirSync(join(userDir, 'node_modules', PACKAGE, 'examples')).sort();
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
