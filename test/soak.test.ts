/**
 * Node-RED soak: SOAK_MESSAGES messages (5,000 in the test run, 50,000 with `npm run soak`) through a running flow,
 * mixed targets, valid and invalid, with throttles and resets injected along the way. The runtime stays up, every
 * message gets exactly one answer (result or error; counted by message id), each target's answers keep arrival
 * order, and the heap after GC grows by less than 20 MB. Needs `node --expose-gc` (the test scripts pass it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

import helper from 'node-red-node-test-helper';

import stepNodes from '../node-red-nodes/aws-job-steps';
import connectionNode from '../node-red-nodes/aws-job-steps-connection';
import type { NodeMessage } from '../node-red-nodes/red';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { CONNECTION_CREDENTIALS, initNodeRed } from './helpers/node-red-flows';
import { EmulatorFixture } from './helpers/emulator';

const MESSAGES = Number(process.env.SOAK_MESSAGES ?? 5000);
const IN_FLIGHT = 64;
const THINGS = Array.from({ length: 8 }, (_, i) => `gw-${i}`);
const JOBS = ['fw-1', 'fw-2', 'fw-3'];

// The user directory holds the step node's outbox (on by default for update-job-execution): the soak goes through it.
initNodeRed(helper);
/** The Node prototype the helper's runtime uses (the helper wraps its methods in recording spies on load). */
const NODE_PROTOTYPE = (helper as unknown as { _NodePrototype: Record<string, unknown> })._NodePrototype;
const ORIGINAL_METHODS = Object.fromEntries(
  ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send'].map((m) => [m, NODE_PROTOTYPE[m]]),
);

let emulator: ChildProcess;
let url: string;
let fx: EmulatorFixture;

beforeAll(async () => {
  // The emulator runs in its own process, so its request log and history are not counted in this heap.
  emulator = spawn(process.execPath, [
    join(__dirname, '..', 'lib', 'emulator', 'main.js'),
    '--port',
    '0',
    '--auth',
    '--access-key-id',
    FIXTURE_CREDENTIALS.accessKeyId,
    '--secret-access-key',
    FIXTURE_CREDENTIALS.secretAccessKey,
    '--session-token',
    FIXTURE_CREDENTIALS.sessionToken!,
  ]);
  url = await new Promise<string>((resolve, reject) => {
    emulator.stdout!.on('data', (d: Buffer) => {
      const found = /http:\/\/127\.0\.0\.1:\d+/.exec(d.toString());
      if (found) resolve(found[0]);
    });
    emulator.once('exit', (code) => reject(new Error(`the emulator exited (${code})`)));
  });
  fx = new EmulatorFixture(url);
  await fx.seed(
    THINGS,
    JOBS.map((jobId) => ({ jobId, targets: THINGS })),
  );
  await helper.startServer();
});

afterAll(async () => {
  await helper.unload();
  await helper.stopServer();
  emulator.kill();
});

const heapAfterGc = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc)
    throw new Error('the soak measures memory after GC: run it under node --expose-gc (npm test and npm run soak do)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

test(`${MESSAGES} messages: one answer each, in order per target, the heap flat`, async () => {
  await helper.load(
    [connectionNode, stepNodes],
    [
      {
        id: 'conn',
        type: 'aws-job-steps-connection',
        endpoint: url,
        region: 'us-east-1',
        credentialSource: 'keys',
        maxAttempts: 6,
      },
      {
        id: 'step',
        z: 'tab',
        type: 'aws-update-job-execution',
        connection: 'conn',
        concurrency: 4,
        queueLimit: 200,
        wires: [['answers'], ['answers']],
      },
      { id: 'answers', z: 'tab', type: 'helper' },
      { id: 'tab', type: 'tab' },
    ],
    CONNECTION_CREDENTIALS,
  );
  // The helper wraps Node's methods in recording sinon spies (every call's arguments and an Error with its stack,
  // kept forever); the soak measures the nodes, so the originals are put back. Answers still reach the helper node.
  (helper as unknown as { _sandbox: { restore(): void } })._sandbox.restore();
  Object.assign(NODE_PROTOTYPE, ORIGINAL_METHODS);
  // Node-RED copies the prototype's send onto each wired node when it is created: put the original there too.
  for (const id of ['step', 'answers']) Object.assign(helper.getNode(id), { send: ORIGINAL_METHODS.send });
  const step = helper.getNode('step');
  const answered = new Map<string, number>();
  const lastSeq = new Map<string, number>();
  let outOfOrder = 0;
  let waiting: (() => void) | undefined;
  helper.getNode('answers').on('input', (msg: NodeMessage) => {
    answered.set(msg._msgid!, (answered.get(msg._msgid!) ?? 0) + 1);
    // Delivered reports are answered in arrival order per target. Bad input is answered at once, and a report a
    // newer one superseded when the newer arrived, so those two are not in that order.
    const delivered = !msg.error && !(msg.payload as { supersededBy?: unknown }).supersededBy;
    const target = msg.target as string;
    const seq = msg.seq as number;
    if (delivered && (lastSeq.get(target) ?? -1) > seq) outOfOrder++;
    if (delivered) lastSeq.set(target, seq);
    waiting?.();
  });

  const warmUp = Math.min(500, MESSAGES / 10);
  let before = 0;
  let sent = 0;
  const ids: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    if (i === warmUp) before = heapAfterGc();
    if (i % 250 === 0) await fx.fault({ kind: i % 500 === 0 ? 'throttle' : 'reset', operation: 'UpdateJobExecution' });
    while (sent - answered.size >= IN_FLIGHT) await new Promise<void>((resolve) => (waiting = resolve));
    const thingName = THINGS[i % THINGS.length]!;
    const jobId = JOBS[Math.floor(i / THINGS.length) % JOBS.length]!;
    const valid = i % 7 !== 0;
    const id = `m${i}`;
    ids.push(id);
    step.receive({
      _msgid: id,
      target: `${thingName}/${jobId}`,
      seq: i,
      payload: { thingName, jobId, status: valid ? 'IN_PROGRESS' : 'SUCCESS', statusDetails: { n: String(i) } },
    });
    sent++;
  }
  while (answered.size < MESSAGES) await new Promise<void>((resolve) => (waiting = resolve));
  const after = heapAfterGc();
  // SOAK_SNAPSHOT=path writes a heap snapshot at the end, for finding what a failing run retained.
  if (process.env.SOAK_SNAPSHOT) writeHeapSnapshot(process.env.SOAK_SNAPSHOT);

  process.stdout.write(`soak: ${MESSAGES} messages, heap after GC ${((after - before) / 1024 / 1024).toFixed(1)} MB\n`);
  expect(answered.size).toBe(MESSAGES);
  expect([...answered.values()].every((n) => n === 1)).toBe(true);
  expect(ids.every((id) => answered.has(id))).toBe(true);
  expect(outOfOrder).toBe(0);
  expect((after - before) / 1024 / 1024).toBeLessThan(20);
}, 900_000);
