/**
 * The Node-RED nodes in flows run by `node-red-node-test-helper`, against the emulator with auth on. Runs on the
 * Node-RED that `NODE_RED_PACKAGE` names: `node-red` (4.1, Node 20) by default, `node-red-5` under Node 24
 * (`npm run test:node-red-5`).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import helper from 'node-red-node-test-helper';

import stepNodes from '../node-red-nodes/aws-job-steps';
import connectionNode from '../node-red-nodes/aws-job-steps-connection';
import type { NodeMessage } from '../node-red-nodes/red';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { CONNECTION_CREDENTIALS, connectionConfig, fannedFlow, initNodeRed } from './helpers/node-red-flows';
import { READINGS, RERUN_THINGS as things, useEmulator } from './helpers/emulator';
import { expectNoSecrets } from './helpers/secrets';
import { eventually } from './helpers/eventually';
import { createImportExportJob, manifest } from './helpers/importexport';
import { Connection } from '../core/index';
import { outboxFile } from '../node-red-nodes/node-outbox';

const NODE_RED = process.env.NODE_RED_PACKAGE ?? 'node-red';
const userDir = initNodeRed(helper);

const fx = useEmulator();

beforeAll(async () => {
  await helper.startServer();
});

afterAll(async () => {
  await helper.stopServer();
});

beforeEach(async () => {
  await fx.reset();
  await fx.seed(
    ['gw-7', 'gw-8'],
    [
      { jobId: 'fw-42', targets: ['gw-7', 'gw-8'], document: '{"firmware":"4.2"}' },
      { jobId: 'fw-43', targets: ['gw-7'] },
    ],
  );
  await fx.clearRequests();
});

afterEach(async () => {
  await helper.unload();
  // Each test's step node starts with an empty outbox: what one test left waiting must not reach the next.
  rmSync(join(userDir, 'aws-job-steps'), { recursive: true, force: true });
});

const NODES = [connectionNode, stepNodes];
const CREDENTIALS = CONNECTION_CREDENTIALS;

/** A flow: connection (keys), the node under test wired to a result and an error helper, and a Catch node. */
function flow(node: Record<string, unknown>): object[] {
  return [
    connectionConfig(fx.url),
    { id: 'step', z: 'tab', connection: 'conn', wires: [['result'], ['error']], ...node },
    { id: 'result', z: 'tab', type: 'helper' },
    { id: 'error', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
    { id: 'tab', type: 'tab' },
  ];
}

interface Port {
  readonly messages: NodeMessage[];
  next(): Promise<NodeMessage>;
}

/** Collects what arrives at a helper node. */
function port(id: string): Port {
  const messages: NodeMessage[] = [];
  const waiters: ((msg: NodeMessage) => void)[] = [];
  helper.getNode(id).on('input', (msg: NodeMessage) => {
    const waiter = waiters.shift();
    if (waiter) waiter(msg);
    else messages.push(msg);
  });
  return {
    messages,
    next: () => {
      const queued = messages.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

interface StatusCall {
  fill?: string;
  shape?: string;
  text?: string;
}

function statuses(id: string): StatusCall[] {
  const node = helper.getNode(id) as unknown as { status: { args: StatusCall[][] } };
  return node.status.args.map((a) => a[0]!);
}

/** Resolves once the step's status no longer shows reports waiting in its outbox (they are forgotten a turn after their answer). */
const forgotten = (): Promise<boolean> =>
  eventually(() => statuses('step').at(-1)?.fill !== 'blue', 'the outbox to forget the answered report');

const execution = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'aws-update-job-execution',
  ...extra,
});

describe('the device-side nodes: find the work, start it, report it', () => {
  test('get-pending → start-next → update → describe, each from msg.payload, each with its result and status', async () => {
    await helper.load(NODES, flow({ type: 'aws-get-pending-job-executions' }), CREDENTIALS);
    const result = port('result');
    helper.getNode('step').receive({ payload: { thingName: 'gw-7' } });
    const pending = await result.next();
    expect(pending.payload).toMatchObject({
      changed: false,
      inProgressJobs: [],
      queuedJobs: [{ jobId: 'fw-42' }, { jobId: 'fw-43' }],
      attempts: 1,
    });
    expect(statuses('step').at(-1)).toEqual({ fill: 'green', shape: 'dot', text: '0 in progress, 2 queued' });
    await helper.unload();

    await helper.load(NODES, flow({ type: 'aws-start-next-pending-job-execution' }), CREDENTIALS);
    const started = port('result');
    helper.getNode('step').receive({ payload: { thingName: 'gw-7', statusDetails: 'step=download' } });
    const first = await started.next();
    expect(first.payload).toMatchObject({
      changed: true,
      execution: { jobId: 'fw-42', status: 'IN_PROGRESS', statusDetails: { step: 'download' }, versionNumber: 2 },
    });
    expect(statuses('step').at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'started fw-42' });
    // The same message again (a flow that re-sends after a restart): the execution it started, unchanged.
    helper.getNode('step').receive({ payload: { thingName: 'gw-7', statusDetails: 'step=download' } });
    expect((await started.next()).payload).toMatchObject({
      changed: false,
      execution: { jobId: 'fw-42', versionNumber: 2 },
    });
    expect(statuses('step').at(-1)?.text).toBe('unchanged fw-42');
    await helper.unload();

    // The job id a start-next found, straight into the update node (a fixed status in the node).
    await helper.load(NODES, flow(execution({ status: 'SUCCEEDED', statusType: 'str' })), CREDENTIALS);
    const updated = port('result');
    helper.getNode('step').receive({ payload: { thingName: 'gw-7', jobId: 'fw-42' } });
    expect((await updated.next()).payload).toMatchObject({ changed: true, executionState: { status: 'SUCCEEDED' } });
    await helper.unload();

    await helper.load(
      NODES,
      flow({
        type: 'aws-describe-job-execution',
        jobId: '$next',
        jobIdType: 'str',
        includeJobDocument: 'false',
        includeJobDocumentType: 'bool',
      }),
      CREDENTIALS,
    );
    const described = port('result');
    helper.getNode('step').receive({ payload: { thingName: 'gw-7' } });
    const next = await described.next();
    expect(next.payload).toMatchObject({ changed: false, execution: { jobId: 'fw-43', status: 'QUEUED' } });
    expect((next.payload as { execution: object }).execution).not.toHaveProperty('jobDocument');
    expect(statuses('step').at(-1)?.text).toBe('fw-43 QUEUED v1');
    const requests = (await fx.requests()).map((r) => r.operation);
    expect(requests).toEqual([
      'GetPendingJobExecutions',
      'DescribeJobExecution',
      'StartNextPendingJobExecution',
      'DescribeJobExecution',
      'UpdateJobExecution',
      'DescribeJobExecution',
    ]);
  });

  test.each([
    ['aws-get-pending-job-executions', { thingName: 'gw-99' }, 'not-found'],
    ['aws-describe-job-execution', { thingName: 'gw-7', jobId: 'nope' }, 'not-found'],
    ['aws-describe-job-execution', { thingName: 'gw-7', jobId: 'fw 42' }, 'invalid-input'],
    ['aws-start-next-pending-job-execution', { thingName: 'gw-7', stepTimeoutInMinutes: 0 }, 'invalid-input'],
    ['aws-start-next-pending-job-execution', { thingName: 'gw-99' }, 'not-found'],
    ['aws-get-pending-job-executions', { thingName: 'gw-7' }, 'invalid-input', { skipUnchanged: true }],
  ] as [string, Record<string, unknown>, string, Record<string, unknown>?][])(
    '%s with %j: the error port, with its code',
    async (type, payload, code, node = {}) => {
      await helper.load(NODES, flow({ type, ...node }), CREDENTIALS);
      const error = port('error');
      helper.getNode('step').receive({ payload });
      const msg = (await error.next()) as NodeMessage & {
        error: { code: string; retryable: boolean; message: string };
      };
      expect(msg.error).toMatchObject({ code, retryable: false });
      expect(statuses('step').at(-1)).toEqual({ fill: 'red', shape: 'ring', text: code });
      if (code === 'invalid-input') expect((await fx.requests()).length).toBe(0);
    },
  );
});

describe('aws-update-job-execution', () => {
  test('a payload that is the CLI document: result port, green status with status and version', async () => {
    await helper.load(NODES, flow(execution()), CREDENTIALS);
    const result = port('result');
    helper.getNode('step').receive({
      payload: { jobId: 'fw-42', thingName: 'gw-7', status: 'SUCCEEDED', statusDetails: { result: 'ok' } },
      topic: 'kept',
    });
    const msg = await result.next();
    expect(msg.topic).toBe('kept');
    expect(msg.payload).toMatchObject({
      changed: true,
      executionState: { status: 'SUCCEEDED', statusDetails: { result: 'ok' }, versionNumber: 2 },
      attempts: 1,
    });
    // The report waited in the outbox (on by default) while it was sent; forgotten just after its answer.
    expect(statuses('step')).toContainEqual({ fill: 'blue', shape: 'ring', text: '1 waiting, oldest 0s' });
    await forgotten();
    expect(statuses('step').at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'SUCCEEDED v2' });

    helper.getNode('step').receive({ payload: { jobId: 'fw-42', thingName: 'gw-7', status: 'SUCCEEDED' } });
    expect((await result.next()).payload).toMatchObject({ changed: false });
    await forgotten();
    expect(statuses('step').at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'unchanged' });
  });

  test('a value set in the node wins; flow context and env are sources too', async () => {
    process.env.AWS_JOB_STEPS_TEST_THING = 'gw-8';
    await helper.load(
      NODES,
      flow(
        execution({
          status: 'IN_PROGRESS',
          statusType: 'str',
          thingName: 'AWS_JOB_STEPS_TEST_THING',
          thingNameType: 'env',
          jobId: 'job',
          jobIdType: 'flow',
        }),
      ),
      CREDENTIALS,
    );
    helper.getNode('step').context().flow.set('job', 'fw-42');
    const result = port('result');
    helper.getNode('step').receive({ payload: { status: 'FAILED', thingName: 'gw-7', jobId: 'other' } });
    expect((await result.next()).payload).toMatchObject({ changed: true, executionState: { status: 'IN_PROGRESS' } });
    expect((await fx.execution('gw-8', 'fw-42')).status).toBe('IN_PROGRESS');
    expect((await fx.execution('gw-7', 'fw-42')).status).toBe('QUEUED');
    delete process.env.AWS_JOB_STEPS_TEST_THING;
  });

  test('msg paths are read as Node-RED reads them: nested, bracketed, via another property; a missing parent fails', async () => {
    await helper.load(
      NODES,
      flow(
        execution({
          jobId: 'job["id"]',
          jobIdType: 'msg',
          thingName: 'devices[msg.which]',
          thingNameType: 'msg',
          status: 'msg.report.status',
          statusType: 'msg',
        }),
      ),
      CREDENTIALS,
    );
    const [result, error] = [port('result'), port('error')];
    const msg = { payload: {}, job: { id: 'fw-42' }, which: 'first', devices: { first: 'gw-7' } };
    helper.getNode('step').receive({ ...msg, report: { status: 'IN_PROGRESS' } });
    expect((await result.next()).payload).toMatchObject({ changed: true, executionState: { status: 'IN_PROGRESS' } });
    helper.getNode('step').receive(msg);
    const missingParent = (() => {
      try {
        return String((undefined as unknown as Record<string, unknown>).status);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect((await error.next()).error).toMatchObject({ message: `status: ${missingParent}`, code: 'invalid-input' });
  });

  test('invalid input goes to the error port before any request; Catch is off by default', async () => {
    await helper.load(NODES, flow(execution()), CREDENTIALS);
    const error = port('error');
    const caught = port('caught');
    helper.getNode('step').receive({ payload: { jobId: 'fw-42', thingName: 'gw-7', status: 'SUCCESS' }, topic: 't' });
    const msg = await error.next();
    expect(msg.topic).toBe('t');
    expect(msg.payload).toEqual({ jobId: 'fw-42', thingName: 'gw-7', status: 'SUCCESS' });
    expect(msg.error).toEqual({
      message: 'status is "SUCCESS"; did you mean SUCCEEDED?',
      code: 'invalid-input',
      retryable: false,
      source: { id: 'step', type: 'aws-update-job-execution' },
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(caught.messages).toEqual([]);
    expect(statuses('step').at(-1)).toEqual({ fill: 'red', shape: 'ring', text: 'invalid-input' });
    expect(await fx.requests()).toEqual([]);
  });

  test('with "raise errors" the error also reaches Catch nodes; AWS errors carry name and request id', async () => {
    await helper.load(NODES, flow(execution({ raiseErrors: true })), CREDENTIALS);
    const error = port('error');
    const caught = port('caught');
    helper.getNode('step').receive({ payload: { jobId: 'nope', thingName: 'gw-7', status: 'SUCCEEDED' } });
    const msg = await error.next();
    expect(msg.error).toMatchObject({
      code: 'not-found',
      awsErrorName: 'ResourceNotFoundException',
      requestId: expect.any(String),
      retryable: false,
    });
    const fromCatch = await caught.next();
    expect((fromCatch.error as { message: string }).message).toMatch(
      /^(Error: )?UpdateJobExecution gw-7\/nope: ResourceNotFoundException/,
    );
  });

  test('one target in arrival order, other targets alongside', async () => {
    await helper.load(NODES, flow(execution({ concurrency: 4 })), CREDENTIALS);
    const result = port('result');
    // The first report is held at the emulator until gw-8's is answered; the SUCCEEDED after it must still land last.
    await fx.fault({ kind: 'hold', operation: 'UpdateJobExecution' });
    const step = helper.getNode('step');
    step.receive({ payload: { jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS' } });
    await fx.faultsTaken();
    step.receive({ payload: { jobId: 'fw-42', thingName: 'gw-7', status: 'SUCCEEDED' } });
    step.receive({ payload: { jobId: 'fw-42', thingName: 'gw-8', status: 'REJECTED' } });
    const status = async (): Promise<string> =>
      ((await result.next()).payload as { executionState: { status: string } }).executionState.status;
    const order = [await status()];
    await fx.admin('DELETE', 'faults'); // lets gw-7's first report go on
    order.push(await status(), await status());
    // gw-8 did not wait behind gw-7's slow first report.
    expect(order).toEqual(['REJECTED', 'IN_PROGRESS', 'SUCCEEDED']);
    expect((await fx.execution('gw-7', 'fw-42')).history.map((h) => h.to)).toEqual(['IN_PROGRESS', 'SUCCEEDED']);
  });

  // The queue in memory, for a node that does not keep reports (core/outbox.test.ts and the outbox tests below test the one on disk).
  test('a full queue refuses at once with queue-full; nothing is dropped silently', async () => {
    await helper.load(NODES, flow(execution({ queueLimit: 1, outbox: false })), CREDENTIALS);
    const result = port('result');
    const error = port('error');
    await fx.fault({ kind: 'latency', operation: 'UpdateJobExecution', latencyMs: 200 });
    const step = helper.getNode('step');
    step.receive({ payload: { jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS' } });
    step.receive({ payload: { jobId: 'fw-43', thingName: 'gw-7', status: 'IN_PROGRESS' } });
    const refused = await error.next();
    expect(refused.error).toMatchObject({ code: 'queue-full', retryable: true });
    expect((refused.payload as { jobId: string }).jobId).toBe('fw-43');
    expect((await result.next()).payload).toMatchObject({ changed: true });
  });

  test('close lets in-flight work finish within the grace period, aborts the rest, and answers every message', async () => {
    await helper.load(NODES, flow(execution({ outbox: false })), CREDENTIALS);
    await fx.fault({ kind: 'latency', operation: 'UpdateJobExecution', latencyMs: 300 });
    await fx.fault({ kind: 'latency', operation: 'UpdateJobExecution', latencyMs: 6000 });
    const step = helper.getNode('step') as unknown as { send: (out: unknown) => void; receive: (msg: object) => void };
    // Downstream nodes stop with the flow, so the answers are seen where the node sends them.
    const sent: (NodeMessage | null)[][] = [];
    const send = step.send.bind(step);
    step.send = (out) => {
      sent.push(out as (NodeMessage | null)[]);
      send(out);
    };
    step.receive({ payload: { jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS' } });
    step.receive({ payload: { jobId: 'fw-42', thingName: 'gw-8', status: 'IN_PROGRESS' } });
    await fx.faultsTaken(); // both updates are in flight
    await helper.unload();
    const answers = sent.map(([ok, failed]) =>
      ok
        ? `result ${(ok.payload as { executionState: { status: string } }).executionState.status}`
        : `error ${(failed?.error as { code: string }).code}`,
    );
    expect(answers.sort()).toEqual(['error aborted', 'result IN_PROGRESS']);
    // Loaded again so afterEach has something to unload.
    await helper.load(NODES, flow(execution()), CREDENTIALS);
  });

  test('no secret in statuses, results or errors; keys stay in the credential store', async () => {
    await helper.load(NODES, flow(execution()), {
      conn: { ...CREDENTIALS.conn, secretAccessKey: 'not-the-secret-value' },
    });
    const error = port('error');
    helper.getNode('step').receive({ payload: { jobId: 'fw-42', thingName: 'gw-7', status: 'SUCCEEDED' } });
    const msg = await error.next();
    expect(msg.error).toMatchObject({ code: 'auth', awsErrorName: 'InvalidSignatureException' });
    const seen = JSON.stringify([msg, statuses('step')]);
    expectNoSecrets('Node-RED messages and statuses', seen);
    for (const secret of ['not-the-secret-value', FIXTURE_CREDENTIALS.sessionToken!])
      expect(seen).not.toContain(secret);
    const conn = helper.getNode('conn') as unknown as Record<string, unknown>;
    expect(JSON.stringify({ ...conn, credentials: undefined, _flow: undefined })).not.toContain('not-the-secret-value');
  });
});

describe('keep reports until delivered (the outbox)', () => {
  const gw7 = (status: string, step?: string) => ({
    payload: { jobId: 'fw-42', thingName: 'gw-7', status, ...(step && { statusDetails: { step } }) },
  });
  const hold = async (): Promise<void> => {
    await fx.fault({ kind: 'unavailable', service: 'iot-jobs-data', count: 1_000_000 });
  };
  const release = (): Promise<unknown> => fx.admin('DELETE', 'faults');
  interface Listing {
    count: number;
    reports: { id: number; target: string; attempts: number; delivering: boolean; _msgid?: string }[];
  }
  const fastConnection = (): object[] =>
    flow(execution()).map((n) => ((n as { id: string }).id === 'conn' ? { ...n, timeout: '1', maxAttempts: '1' } : n));

  test('an outage: reports wait (status, list), a newer IN_PROGRESS supersedes, drop answers; all delivered in order', async () => {
    await helper.load(NODES, fastConnection(), CREDENTIALS);
    const result = port('result');
    const error = port('error');
    await hold();
    const step = helper.getNode('step');
    /** The outbox's list, taken out of the result port's messages so that the answers below stay in order. */
    const listNow = async (): Promise<Listing> => {
      step.receive({ outbox: 'list' });
      const at = await eventually(() => {
        const i = result.messages.findIndex((m) => (m.payload as Partial<Listing>).reports !== undefined);
        return i >= 0 ? i : undefined;
      }, 'the outbox list');
      return result.messages.splice(at, 1)[0]!.payload as Listing;
    };
    /** Until the message's report has been tried and refused (503), and waits out a backoff. */
    const refused = (msgid: string): Promise<boolean> =>
      eventually(async () => {
        const report = (await listNow()).reports.find((r) => r._msgid === msgid);
        return report !== undefined && report.attempts > 0 && !report.delivering;
      }, `a refused try of ${msgid}`);
    step.receive({ ...gw7('IN_PROGRESS', '1'), _msgid: 'm1' });
    await refused('m1'); // m1 was tried, refused (503), and waits out a backoff
    step.receive({ ...gw7('IN_PROGRESS', '2'), _msgid: 'm2' }); // replaces m1, and is tried at once
    await refused('m2');
    step.receive({ ...gw7('IN_PROGRESS', '3'), _msgid: 'm3' }); // replaces m2
    step.receive({ ...gw7('SUCCEEDED', '4'), _msgid: 'm4' }); // never merged across a terminal status
    step.receive({ payload: { jobId: 'fw-43', thingName: 'gw-7', status: 'SUCCEEDED' }, _msgid: 'm5' });
    expect([await result.next(), await result.next()]).toMatchObject([
      { _msgid: 'm1', payload: { changed: false, supersededBy: { _msgid: 'm2' } } },
      { _msgid: 'm2', payload: { changed: false, supersededBy: { _msgid: 'm3' } } },
    ]);
    const listed = await listNow();
    expect(listed.count).toBe(3);
    expect(listed.reports.map((r) => r.target)).toEqual(['gw-7/fw-42', 'gw-7/fw-42', 'gw-7/fw-43']);
    expect(listed.reports[0]).toMatchObject({ attempts: 0, request: { status: 'IN_PROGRESS' } });
    expect(statuses('step').at(-1)).toMatchObject({
      fill: 'blue',
      text: expect.stringMatching(/^3 waiting, oldest \d+s$/),
    });
    // m4 waits behind m3 (a target's later reports are never in flight): it can be dropped.
    step.receive({ outbox: { drop: listed.reports[1]!.id } });
    const dropped = await error.next();
    expect(dropped).toMatchObject({ _msgid: 'm4', error: { code: 'dropped', retryable: false } });
    expect((await result.next()).payload).toEqual({ dropped: listed.reports[1]!.id, target: 'gw-7/fw-42' });
    step.receive({ outbox: 'flush' });
    expect((await error.next()).error).toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('msg.outbox'),
    });
    await new Promise((r) => setTimeout(r, 1_500)); // past the step's deadline: still kept
    expect(error.messages).toEqual([]);
    await release();
    const delivered = [await result.next(), await result.next()];
    expect(delivered.map((m) => [m._msgid, (m.payload as { changed: boolean }).changed]).sort()).toEqual([
      ['m3', true],
      ['m5', true],
    ]);
    expect(delivered[0]!.delivery).toMatchObject({ attempts: expect.any(Number) });
    expect((await fx.execution('gw-7', 'fw-42')).history.map((h) => [h.to, h.statusDetails.step])).toEqual([
      ['IN_PROGRESS', '3'],
    ]);
    expect((await fx.execution('gw-7', 'fw-43')).status).toBe('SUCCEEDED');
  });

  test('full: queue-full at input, nothing stored; a final refusal answers on the error port', async () => {
    await helper.load(
      NODES,
      flow(execution({ outboxEntries: '1' })).map((n) =>
        (n as { id: string }).id === 'conn' ? { ...n, timeout: '1', maxAttempts: '1' } : n,
      ),
      CREDENTIALS,
    );
    const error = port('error');
    await hold();
    const step = helper.getNode('step');
    step.receive({ ...gw7('SUCCEEDED'), _msgid: 'kept' });
    step.receive({ ...gw7('FAILED'), _msgid: 'refused' });
    expect(await error.next()).toMatchObject({ _msgid: 'refused', error: { code: 'queue-full', retryable: true } });
    await release();
    const result = port('result');
    expect((await result.next())._msgid).toBe('kept');
    await forgotten(); // just after its answer
    // FAILED after SUCCEEDED: AWS refuses it for good, and the node says so with the message.
    step.receive({ ...gw7('FAILED'), _msgid: 'late' });
    expect(await error.next()).toMatchObject({ _msgid: 'late', error: { code: 'invalid-transition' } });
  });

  test('a store that is not one is moved aside with a warning; deploy errors for an unwritable directory and a read', async () => {
    const file = outboxFile(userDir, 'step');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'not a database: a text file that lost its header in a power cut');
    await helper.load(NODES, flow(execution()), CREDENTIALS);
    const step = helper.getNode('step') as unknown as { warn: { args: unknown[][] } };
    expect(step.warn.args.flat().join(' ')).toMatch(/moved aside/);
    expect(readdirSync(dirname(file)).some((f) => f.startsWith('outbox-step.sqlite.corrupt-'))).toBe(true);
    const result = port('result');
    helper.getNode('step').receive(gw7('SUCCEEDED'));
    expect((await result.next()).payload).toMatchObject({ changed: true });
    await helper.unload();

    // The user directory's outbox folder is a file: it cannot be written.
    const blocked = mkdtempSync(join(tmpdir(), 'node-red-blocked-'));
    writeFileSync(join(blocked, 'aws-job-steps'), '');
    const settings = (helper as unknown as { _settings: { userDir: string } })._settings;
    settings.userDir = blocked;
    try {
      // The default ("keep when this Node can") delivers from memory, and says so in the log and on the status.
      await helper.load(NODES, flow(execution()), CREDENTIALS);
      const fallback = helper.getNode('step') as unknown as {
        warn: { args: unknown[][] };
        error: { args: unknown[][] };
      };
      expect(fallback.warn.args.flat().join(' ')).toMatch(
        /Keep reports until delivered: reports are delivered from memory and not kept across restarts, because the outbox directory .* cannot be written/,
      );
      expect(fallback.error.args).toEqual([]);
      expect(statuses('step').at(-1)).toMatchObject({
        fill: 'yellow',
        text: expect.stringMatching(/^reports not kept/),
      });
      const delivered = port('result');
      helper.getNode('step').receive({ payload: { jobId: 'fw-43', thingName: 'gw-7', status: 'IN_PROGRESS' } });
      expect((await delivered.next()).payload).toMatchObject({ changed: true });
      expect(statuses('step').at(-1)).toMatchObject({ text: expect.stringMatching(/ · not kept across restarts$/) });
      helper.getNode('step').receive({ outbox: 'list' });
      expect((await port('error').next()).error).toMatchObject({
        code: 'invalid-input',
        message: expect.stringMatching(/msg\.outbox.*keeps none here \(the outbox directory/),
      });
      await helper.unload();

      // "on" never sends a report unkept: refused at deploy, and every message answered outbox-unavailable.
      await helper.load(NODES, flow(execution({ outbox: 'on' })), CREDENTIALS);
      const node = helper.getNode('step') as unknown as { error: { args: unknown[][] } };
      expect(node.error.args.flat().join(' ')).toMatch(
        /Keep reports until delivered: the outbox directory .* cannot be written/,
      );
      const error = port('error');
      helper.getNode('step').receive(gw7('SUCCEEDED'));
      expect((await error.next()).error).toMatchObject({ code: 'outbox-unavailable', retryable: false });
      await helper.unload();

      // A value no editor saves is refused, naming the setting and its values.
      await helper.load(NODES, flow(execution({ outbox: 'always' })), CREDENTIALS);
      const odd = helper.getNode('step') as unknown as { error: { args: unknown[][] } };
      expect(odd.error.args.flat().join(' ')).toMatch(
        /the setting is "always"; set "Keep reports until delivered" to auto, on or off/,
      );
      await helper.unload();
      await helper.load(NODES, flow({ type: 'aws-describe-job-execution', outbox: true }), CREDENTIALS);
      const read = helper.getNode('step') as unknown as { error: { args: unknown[][] } };
      expect(read.error.args.flat().join(' ')).toMatch(
        /describe-job-execution cannot keep reports until delivered: it only reads/,
      );
    } finally {
      settings.userDir = userDir;
      rmSync(blocked, { recursive: true, force: true });
    }
    // The corrupt store's report and the one delivered from memory; none from the refusing nodes.
    const sent = (await fx.requests()).filter((r) => r.operation === 'UpdateJobExecution');
    expect(sent.map((r) => (r as { path?: string }).path)).toEqual([
      '/things/gw-7/jobs/fw-42',
      '/things/gw-7/jobs/fw-43',
    ]);
  });
});

describe('aws-update-job', () => {
  test('both ports, from payload fields in the AWS shape', async () => {
    const jobId = await createImportExportJob(fx.url);
    await helper.load(NODES, flow({ type: 'aws-update-job' }), CREDENTIALS);
    const result = port('result');
    const error = port('error');
    const step = helper.getNode('step');
    step.receive({ payload: { JobId: jobId, Manifest: manifest({ deviceId: '5' }), JobType: 'import' } });
    expect((await result.next()).payload).toMatchObject({ changed: true, success: true });
    await new Promise((r) => setImmediate(r));
    expect(statuses('step').at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'updated' });

    step.receive({ payload: { JobId: jobId, Manifest: 'not a manifest', JobType: 'Import' } });
    const refused = await error.next();
    expect(refused.error).toMatchObject({ code: 'invalid-request', awsErrorName: 'MalformedManifestException' });
    expect(JSON.stringify(refused.error)).not.toContain('Jane Roe');
  });
});

test('the helper runs the Node-RED this suite is meant for', () => {
  const pkg = readFileSync(join(dirname(require.resolve(`${NODE_RED}/package.json`)), 'package.json'), 'utf8');
  const { version } = JSON.parse(pkg) as { version: string };
  expect(version.split('.')[0]).toBe(NODE_RED === 'node-red-5' ? '5' : '4');
});

test('the connection takes a device certificate from Node-RED’s own tls-config node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nr-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'k.pem',
      '-out',
      'c.pem',
      '-days',
      '1',
      '-subj',
      '/CN=gw-7',
    ],
    { cwd: dir, stdio: 'pipe' },
  );
  const [cert, key] = [readFileSync(join(dir, 'c.pem'), 'utf8'), readFileSync(join(dir, 'k.pem'), 'utf8')];
  rmSync(dir, { recursive: true, force: true });
  const nodeRedDir = dirname(require.resolve(`${NODE_RED}/package.json`));
  const load = createRequire(__filename);
  const tlsNode: unknown = load(load.resolve('@node-red/nodes/core/network/05-tls.js', { paths: [nodeRedDir] }));
  const flowWithTls = [
    { id: 'device-cert', type: 'tls-config', name: 'device', cert: '', key: '', ca: '', verifyservercert: true },
    {
      id: 'conn',
      type: 'aws-job-steps-connection',
      endpoint: 'https://example-ats.iot.eu-west-1.amazonaws.com',
      credentialSource: 'tls',
      tls: 'device-cert',
    },
  ];
  await helper.load([tlsNode, ...NODES], flowWithTls, { 'device-cert': { certdata: cert, keydata: key } });
  const conn = helper.getNode('conn') as unknown as { use<T>(work: (c: Connection) => Promise<T>): Promise<T> };
  expect(await conn.use(async (c) => c.tls)).toBe(true);
});

describe.each(READINGS)('re-runs under $name', (reading) => {
  test('SUCCEEDED, FAILED and REJECTED: the first report changes, the re-run answers changed false on the result port', async () => {
    await fx.rerunFixture(reading);
    // The reading reaches the step through the connection node's own settings, as the editor saves them.
    const [conn, ...rest] = flow(execution());
    const readingConn = {
      ...(conn as object),
      statusDetailsUpdate: reading.connection.statusDetailsUpdate,
      statusDetailsValueLength: String(reading.connection.statusDetailsValueLength),
    };
    await helper.load(NODES, [readingConn, ...rest], CREDENTIALS);
    const result = port('result');
    const errors = port('error');
    const report = async (
      thingName: string,
      status: string,
      statusDetails: Record<string, string> = { r: '1' },
    ): Promise<unknown> => {
      helper.getNode('step').receive({ payload: { jobId: 'fw-42', thingName, status, statusDetails } });
      return (await result.next()).payload;
    };
    for (const [status, thing] of Object.entries(things)) {
      // The progress report's pair stays beside the final one under merge; the re-run is still as asked.
      expect(await report(thing, 'IN_PROGRESS', { phase: 'flash' })).toMatchObject({ changed: true });
      expect(await report(thing, status)).toMatchObject({ changed: true });
      expect(await report(thing, status)).toMatchObject({ changed: false, executionState: { status } });
    }
    expect(errors.messages).toEqual([]);
    expect((await fx.executions(things.FAILED, 'fw-42')).map((e) => e.status)).toEqual(
      reading.retries ? ['FAILED', 'QUEUED'] : ['FAILED'],
    );
  });
});

describe('hostile messages, with both outputs fanned out to two wires', () => {
  /** The step's outputs each wired to two helpers, as a flow that fans a result out does. */
  const fanned = (): object[] => fannedFlow(fx.url, 'step');
  const nest = (depth: number): object => {
    let value: Record<string, unknown> = {};
    for (let i = 0; i < depth; i++) value = { child: value };
    return value;
  };
  const payload = { jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS' };
  const withTrap = (): NodeMessage => {
    const msg: NodeMessage = { _msgid: 'trap-1', payload };
    Object.defineProperty(msg, 'trap', {
      enumerable: true,
      get() {
        throw new Error('a getter that throws');
      },
    });
    return msg;
  };
  const cases: [string, () => NodeMessage][] = [
    ['nested 100,000 levels deep', () => ({ _msgid: 'deep-1', payload, deep: nest(100_000) })],
    ['with a getter that throws', withTrap],
    ['sealed', () => Object.seal({ _msgid: 'sealed-1', payload })],
    ['frozen', () => Object.freeze({ _msgid: 'frozen-1', payload })],
  ];

  test.each(cases)('a message %s gets one answer, on the error port, and sends nothing', async (_, make) => {
    const crashes: unknown[] = [];
    const onCrash = (error: unknown): void => void crashes.push(error);
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
    try {
      await helper.load(NODES, fanned(), CREDENTIALS);
      const ports = Object.fromEntries(['r1', 'r2', 'e1', 'e2'].map((id) => [id, port(id)]));
      const msg = make();
      helper.getNode('step').receive(msg);
      const answer = await ports.e1!.next();
      expect(await ports.e2!.next()).toEqual(answer);
      // Time for a second answer to show up, if there were one.
      await new Promise((r) => setTimeout(r, 100));
      expect([ports.r1!.messages.length, ports.r2!.messages.length, ports.e1!.messages.length]).toEqual([0, 0, 0]);
      expect(answer._msgid).toBe(msg._msgid);
      // What of the message can be copied rides on the answer (here its payload), so the flow keeps its way.
      expect(answer.payload).toEqual(payload);
      expect(answer.error).toMatchObject({ code: 'invalid-message', retryable: false });
      expect(await fx.requests()).toEqual([]);
      // The runtime still works: the next, ordinary message is answered on the result port.
      helper.getNode('step').receive({ payload });
      expect((await ports.r1!.next()).payload).toMatchObject({ changed: true });
      expect(crashes).toEqual([]);
    } finally {
      process.off('unhandledRejection', onCrash);
      process.off('uncaughtException', onCrash);
    }
  });
});

describe('a gateway asking $next with nothing pending: "no work" on the result port', () => {
  describe.each([
    ['200 without an execution', false],
    ['404 ResourceNotFoundException', true],
  ])('answered %s (describeNextNotFound %s)', (_, notFound) => {
    beforeEach(async () => {
      await fx.settings({ describeNextNotFound: notFound });
      await fx.seed(['gw-9'], []);
      await fx.clearRequests();
    });

    test('describe $next: noPendingExecution on the result port, status "no pending execution", the same as start-next', async () => {
      await helper.load(
        NODES,
        flow({ type: 'aws-describe-job-execution', jobId: '$next', jobIdType: 'str', raiseErrors: true }),
        CREDENTIALS,
      );
      const [result, errors, caught] = [port('result'), port('error'), port('caught')];
      helper.getNode('step').receive({ _msgid: 'ask-1', topic: 'is there work?', payload: { thingName: 'gw-9' } });
      const answer = await result.next();
      expect(answer).toMatchObject({ _msgid: 'ask-1', topic: 'is there work?' });
      expect(answer.payload).toMatchObject({ changed: false, noPendingExecution: true, attempts: 1 });
      expect(answer.payload).not.toHaveProperty('execution');
      if (notFound)
        expect(answer.payload).toMatchObject({
          serviceRefusal: { awsErrorName: 'ResourceNotFoundException', httpStatus: 404 },
        });
      expect(statuses('step').at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'no pending execution' });
      // With work pending the same node hands it over, and says there is some.
      helper.getNode('step').receive({ payload: { thingName: 'gw-8' } });
      expect((await result.next()).payload).toMatchObject({
        noPendingExecution: false,
        execution: { jobId: 'fw-42', status: 'QUEUED' },
      });
      // An unknown thing is still an error, on the error port (and to Catch nodes, as the node asks).
      helper.getNode('step').receive({ payload: { thingName: 'gw-99' } });
      expect(((await errors.next()) as NodeMessage & { error: { code: string } }).error.code).toBe('not-found');
      expect((await caught.next()).error).toBeDefined();
      expect(statuses('step').at(-1)).toEqual({ fill: 'red', shape: 'ring', text: 'not-found' });
      expect([errors.messages, caught.messages]).toEqual([[], []]);
      expect((await fx.requests()).map((r) => `${r.operation} ${r.status}`)).toEqual([
        `DescribeJobExecution ${notFound ? 404 : 200}`,
        'DescribeJobExecution 200',
        'DescribeJobExecution 404',
      ]);
      await helper.unload();

      await helper.load(NODES, flow({ type: 'aws-start-next-pending-job-execution' }), CREDENTIALS);
      const started = port('result');
      helper.getNode('step').receive({ payload: { thingName: 'gw-9' } });
      expect((await started.next()).payload).toMatchObject({ changed: false, noPendingExecution: true });
      expect(statuses('step').at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'no pending execution' });
    });
  });
});
