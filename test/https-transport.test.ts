/**
 * The HTTPS Jobs transport on its own, against the emulator over real HTTP: what the operations rely on it for —
 * answers in one form, refusals as `JobsRefusal` with their kind, request id and (for a conflict) the state the
 * service sent, the two ways a request fails without an answer, and link events.
 */
import { Connection, StepErrorCode } from '../core/index';
import { HttpsJobsTransport } from '../core/iot-jobs/transports/https';
import { JobsRefusal, RefusalKind, type LinkEvent } from '../core/iot-jobs/transports/transport';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';
import { LinkSwitch } from './helpers/link-switch';

const fx = useEmulator();
const limits = { requestTimeout: 10_000 };
const connections: Connection[] = [];

function transportTo(endpoint: string): HttpsJobsTransport {
  const connection = new Connection({ region: 'us-east-1', endpoint, credentials: FIXTURE_CREDENTIALS });
  connections.push(connection);
  return new HttpsJobsTransport(connection);
}

afterEach(() => {
  for (const connection of connections.splice(0)) connection.destroy();
});

beforeEach(async () => {
  await fx.reset();
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'], document: '{"firmware":"4.2"}' }]);
});

/** What a promise rejected with, or a failure of the test when it resolved. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

test('answers come in the model’s one form: the document as JSON text, timestamps in epoch seconds', async () => {
  const transport = transportTo(fx.url);
  const { execution, requestId } = await transport.describeJobExecution(
    { thingName: 'gw-7', jobId: 'fw-42', includeJobDocument: true },
    limits,
  );
  expect(requestId).toEqual(expect.any(String));
  expect(execution).toMatchObject({ jobId: 'fw-42', thingName: 'gw-7', status: 'QUEUED', versionNumber: 1 });
  expect(execution?.jobDocument).toBe('{"firmware":"4.2"}');
  expect(Number.isInteger(execution?.queuedAt)).toBe(true);
  // Seconds, not milliseconds: within a day of now.
  expect(Math.abs(execution!.queuedAt! - Date.now() / 1000)).toBeLessThan(86_400);
  // Members the answer lacks are absent, not undefined.
  expect(Object.values(execution!)).not.toContain(undefined);
  const pending = await transport.getPendingJobExecutions({ thingName: 'gw-7' }, limits);
  expect(pending).toMatchObject({ inProgressJobs: [], queuedJobs: [{ jobId: 'fw-42', versionNumber: 1 }] });
});

test('a conflict is a JobsRefusal of kind conflict, with the state the service sent and the request id', async () => {
  const transport = transportTo(fx.url);
  await transport.updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'SUCCEEDED' }, limits);
  const refused = await rejection(
    transport.updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'FAILED' }, limits),
  );
  expect(refused).toBeInstanceOf(JobsRefusal);
  expect(refused).toMatchObject({
    kind: RefusalKind.Conflict,
    code: StepErrorCode.InvalidTransition,
    awsErrorName: 'InvalidStateTransitionException',
    requestId: expect.any(String),
    current: { status: 'SUCCEEDED', versionNumber: 2 },
  });
  // Without the state in the refusal (the other reading of the model), a conflict carries none.
  await fx.settings({ conflictExecutionState: false });
  const bare = await rejection(
    transport.updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'FAILED' }, limits),
  );
  expect(bare).toMatchObject({ kind: RefusalKind.Conflict, current: undefined });
});

test('not found and terminal are refusals of their kind; the control-plane read shows what the data plane hides', async () => {
  const transport = transportTo(fx.url);
  await expect(transport.describeJobExecution({ thingName: 'gw-7', jobId: 'fw-99' }, limits)).rejects.toMatchObject({
    kind: RefusalKind.NotFound,
    code: StepErrorCode.NotFound,
  });
  await transport.updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'SUCCEEDED' }, limits);
  await fx.settings({ terminalStateOnDescribe: true });
  await expect(transport.describeJobExecution({ thingName: 'gw-7', jobId: 'fw-42' }, limits)).rejects.toMatchObject({
    kind: RefusalKind.Terminal,
  });
  const control = await transport.capability('control-plane-read');
  if (!control.available) throw new Error(control.why);
  const shown = await control.use.describeJobExecution({ thingName: 'gw-7', jobId: 'fw-42' }, limits);
  expect(shown.execution).toMatchObject({ status: 'SUCCEEDED', versionNumber: 2 });
});

test('a client-certificate transport lacks the control-plane read, and says why', async () => {
  const connection = new Connection({
    endpoint: 'https://127.0.0.1:8443',
    tls: {
      certificate: '-----BEGIN CERTIFICATE-----\nnot used\n-----END CERTIFICATE-----\n',
      privateKey: '-----BEGIN PRIVATE KEY-----\nnot used\n-----END PRIVATE KEY-----\n',
    },
  });
  connections.push(connection);
  const control = await new HttpsJobsTransport(connection).capability('control-plane-read');
  expect(control).toEqual({ available: false, why: expect.stringMatching(/client-certificate.*SigV4/) });
});

test('a lost answer is answer-unknown; an applied-then-lost one too: the transport cannot tell them apart', async () => {
  const transport = transportTo(fx.url);
  for (const kind of ['reset', 'apply-then-reset'] as const) {
    await fx.fault({ kind, operation: 'UpdateJobExecution' });
    const lost = await rejection(
      transport.updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'IN_PROGRESS' }, limits),
    );
    expect(lost).not.toBeInstanceOf(JobsRefusal);
    expect(lost).toMatchObject({ code: StepErrorCode.Network, delivery: 'answer-unknown', retryable: true });
  }
});

test('over HTTPS the link is down when a request cannot be sent, and up again at the next answer', async () => {
  const link = await LinkSwitch.onFreePort(Number(new URL(fx.url).port));
  const transport = transportTo(link.url);
  const events: LinkEvent[] = [];
  const stop = transport.onLink((event) => events.push(event));
  try {
    const refused = await rejection(transport.getPendingJobExecutions({ thingName: 'gw-7' }, limits));
    expect(refused).toMatchObject({ code: StepErrorCode.Network, delivery: 'never-sent' });
    await rejection(transport.getPendingJobExecutions({ thingName: 'gw-7' }, limits));
    expect(events).toEqual([{ link: 'down', reason: expect.stringContaining('ECONNREFUSED') }]);
    await link.open();
    await transport.getPendingJobExecutions({ thingName: 'gw-7' }, limits);
    await transport.getPendingJobExecutions({ thingName: 'gw-7' }, limits);
    // A refusal is an answer: the link is up.
    await rejection(transport.describeJobExecution({ thingName: 'gw-7', jobId: 'fw-99' }, limits));
    expect(events).toEqual([{ link: 'down', reason: expect.any(String) }, { link: 'up' }]);
    stop();
    await link.close();
    await rejection(transport.getPendingJobExecutions({ thingName: 'gw-7' }, limits));
    expect(events).toHaveLength(2);
  } finally {
    stop();
    await link.close();
  }
});
