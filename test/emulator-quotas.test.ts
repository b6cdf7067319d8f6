/**
 * The account's quotas in the emulator, over HTTP: a burst above a quota's rate is throttled as AWS throttles
 * (ThrottlingException, nothing applied: 429 on the data plane, 400 on the control plane, as each model says), one
 * within it is not; reads, writes, each control-plane API and CreateThing have buckets of their own; the rates are
 * settings. And the step under them: throttles use up no attempt, only the deadline bounds them, on either plane.
 */
import { Connection, updateJobExecution, type ConnectionSettings, type StepOptions } from '../core';
import { useEmulator, type HttpReply } from './helpers/emulator';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';

const fx = useEmulator();

beforeEach(async () => {
  await fx.reset();
  await fx.seed(['gw-1'], [{ jobId: 'fw-1', targets: ['gw-1'] }]);
  await fx.quotas({}); // every bucket full
});

const statuses = (replies: HttpReply[]): Record<number, number> =>
  replies.reduce<Record<number, number>>((n, r) => ({ ...n, [r.status]: (n[r.status] ?? 0) + 1 }), {});

/** `count` requests sent at once. */
const burst = (count: number, send: () => Promise<HttpReply>): Promise<HttpReply[]> =>
  Promise.all(Array.from({ length: count }, send));

/**
 * A burst, and how long it took in seconds: a bucket refills while a busy machine sends it, so the refusals it must
 * see are counted from the time it took, not assumed.
 */
const timedBurst = async (
  count: number,
  send: () => Promise<HttpReply>,
): Promise<{ counted: Record<number, number>; replies: HttpReply[]; seconds: number }> => {
  const started = performance.now();
  const replies = await burst(count, send);
  return { counted: statuses(replies), replies, seconds: (performance.now() - started) / 1000 };
};

const write = (): Promise<HttpReply> => fx.deviceUpdate('gw-1', 'fw-1', { status: 'IN_PROGRESS' });
const read = (): Promise<HttpReply> => fx.signed('iot-jobs-data', 'GET', '/things/gw-1/jobs/fw-1');

test('a burst above the write quota (200 a second) is throttled as AWS throttles, with nothing applied', async () => {
  const { counted, replies, seconds } = await timedBurst(600, write);
  const [admitted, throttled] = [counted[200] ?? 0, counted[429] ?? 0];
  // A full bucket of 200 refilling at 200 a second admits the 200 at once, and at most 200 more per second the burst
  // took: under 2 s (anything but a starved machine), that is throttles.
  expect(admitted).toBeGreaterThanOrEqual(200);
  expect(admitted).toBeLessThanOrEqual(200 + Math.ceil(200 * seconds));
  expect(admitted + throttled).toBe(600);
  // Only the admitted updates changed the execution.
  expect((await fx.execution('gw-1', 'fw-1')).versionNumber).toBe(1 + admitted);
  expect(await fx.quotas({})).toMatchObject({
    counts: { 'data-plane writes': { admitted, throttled } },
  });
  // The refusal's form, where the bucket is surely empty however slow the machine: one token, then one per 100 s.
  await fx.quotas({ dataPlaneWrites: 0.01, burstSeconds: 100 });
  const empty = await burst(3, write);
  expect(statuses(empty)).toEqual({ 200: 1, 429: 2 });
  const throttle = [...replies, ...empty].find((r) => r.status === 429)!;
  expect(throttle.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
  expect(JSON.parse(throttle.text)).toEqual({ message: 'Rate exceeded' });
  expect((await fx.execution('gw-1', 'fw-1')).versionNumber).toBe(2 + admitted);
});

test('a burst within the quota is not throttled, nor is the next second once the bucket has refilled', async () => {
  expect(statuses(await burst(150, write))).toEqual({ 200: 150 });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(statuses(await burst(150, write))).toEqual({ 200: 150 });
});

test('reads and writes have buckets of their own; each control-plane API has one of 10 a second, answered 400', async () => {
  await burst(260, write);
  expect(statuses(await burst(100, read))).toEqual({ 200: 100 });
  const describeJob = (): Promise<HttpReply> => fx.signed('iot', 'GET', '/jobs/fw-1');
  // A bucket of 10 refilling at 10 a second: of 15 at once, at least 5 less what refilled while they were sent.
  const control = await timedBurst(15, describeJob);
  expect(control.counted[400] ?? 0).toBeGreaterThanOrEqual(5 - Math.ceil(10 * control.seconds));
  expect(control.counted[200]).toBeGreaterThanOrEqual(10);
  expect((control.counted[200] ?? 0) + (control.counted[400] ?? 0)).toBe(15);
  // The `iot` model's ThrottlingException is 400 (botocore's and AWS CLI v2's alike).
  await fx.quotas({ controlPlane: 0.01, burstSeconds: 100 }); // one token, then one per 100 s
  const [, refused] = [await describeJob(), await describeJob()];
  expect([refused.status, refused.headers.get('x-amzn-errortype'), JSON.parse(refused.text)]).toEqual([
    400,
    'ThrottlingException',
    { message: 'Rate exceeded' },
  ]);
  // Another control-plane API still has its whole bucket.
  await fx.quotas({ controlPlane: 10, burstSeconds: 1 });
  const execution = (): Promise<HttpReply> => fx.signed('iot', 'GET', '/things/gw-1/jobs/fw-1');
  expect(statuses(await burst(10, execution))).toEqual({ 200: 10 });
});

test('CreateThing has a bucket of its own, 15 a second, apart from the Jobs APIs', async () => {
  let n = 0;
  const createThing = (): Promise<HttpReply> => fx.signed('iot', 'POST', `/things/new-${++n}`, {});
  // A bucket of 15 refilling at 15 a second: of 25 at once, at least 10 less what refilled while they were sent.
  const things = await timedBurst(25, createThing);
  expect(things.counted[400] ?? 0).toBeGreaterThanOrEqual(10 - Math.ceil(15 * things.seconds));
  expect(things.counted[200]).toBeGreaterThanOrEqual(15);
  expect((things.counted[200] ?? 0) + (things.counted[400] ?? 0)).toBe(25);
  const refused = things.replies.find((r) => r.status !== 200);
  if (refused) expect(refused.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
  const admitted = things.counted[200] ?? 0;
  expect(await fx.quotas({})).toMatchObject({
    settings: { createThing: 15 },
    // The fixture's gw-1 was one more.
    counts: { 'registry CreateThing': { admitted: 1 + admitted, throttled: 25 - admitted } },
  });
  // Only the admitted calls made things; CreateJob's bucket is untouched by them.
  expect(((await fx.admin('GET', 'state')) as { iot: { things: unknown[] } }).iot.things).toHaveLength(1 + admitted);
  const describeJob = (): Promise<HttpReply> => fx.signed('iot', 'GET', '/jobs/fw-1');
  expect(statuses(await burst(10, describeJob))).toEqual({ 200: 10 });
});

test('a control-plane throttle (400) is a throttle to the step: retried, counting no attempt', async () => {
  // SUCCEEDED, then SUCCEEDED again: the 409 shows no state, the data plane answers 410, and the step reads the
  // control plane to confirm.
  await fx.settings({ conflictExecutionState: false });
  expect((await write()).status).toBe(200);
  expect((await fx.deviceUpdate('gw-1', 'fw-1', { status: 'SUCCEEDED' })).status).toBe(200);
  await fx.fault({ kind: 'throttle', service: 'iot', operation: 'DescribeJobExecution', count: 3 });
  const fast: StepOptions = { sleep: async () => {}, random: () => 0.5 };
  const connection = new Connection({
    region: 'us-east-1',
    endpoint: fx.url,
    credentials: FIXTURE_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    const result = await updateJobExecution(
      { thingName: 'gw-1', jobId: 'fw-1', status: 'SUCCEEDED' },
      connection,
      fast,
    );
    expect(result).toMatchObject({ changed: false, executionState: { status: 'SUCCEEDED' } });
  } finally {
    connection.destroy();
  }
  const control = (await fx.requests()).filter((r) => r.service === 'iot' && r.operation === 'DescribeJobExecution');
  expect(control.map((r) => r.status)).toEqual([400, 400, 400, 200]);
});

test('the quotas are settings: other rates, or none at all', async () => {
  await fx.quotas({ dataPlaneWrites: 5, burstSeconds: 2 });
  // A bucket of 10 refilling at 5 a second: of 14 at once, at least 4 less what refilled while they were sent.
  const slower = await timedBurst(14, write);
  expect(slower.counted[429] ?? 0).toBeGreaterThanOrEqual(4 - Math.ceil(5 * slower.seconds));
  expect(slower.counted[200]).toBeGreaterThanOrEqual(10);
  await fx.quotas({ enabled: false });
  expect(statuses(await burst(400, write))).toEqual({ 200: 400 });
  await expect(fx.quotas({ dataPlaneWrites: 0 })).rejects.toThrow('dataPlaneWrites must be a number > 0');
  await expect(fx.quotas({ writes: 1 } as never)).rejects.toThrow('unknown quota writes');
  await expect(fx.quotas({ createThing: -1 })).rejects.toThrow('createThing must be a number > 0');
  expect(await fx.quotas({ createThing: 30 })).toMatchObject({ settings: { createThing: 30 } });
  // Reset returns to AWS's defaults.
  await fx.reset();
  expect(await fx.quotas({})).toMatchObject({
    settings: {
      enabled: true,
      dataPlaneWrites: 200,
      dataPlaneReads: 200,
      controlPlane: 10,
      createThing: 15,
      burstSeconds: 1,
    },
  });
});

test('a step throttled many times uses up no attempt: it lands within its deadline, or says the deadline passed', async () => {
  await fx.quotas({ dataPlaneWrites: 2, burstSeconds: 0.5 });
  const connect = (settings: ConnectionSettings): Connection =>
    new Connection({ region: 'us-east-1', endpoint: fx.url, credentials: FIXTURE_CREDENTIALS, ...settings });
  const connection = connect({ maxAttempts: 1 });
  try {
    // One attempt allowed, six updates at once for a quota of 2 a second: throttled over and over, all land.
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        updateJobExecution(
          { thingName: 'gw-1', jobId: 'fw-1', status: 'IN_PROGRESS', statusDetails: { step: String(i) } },
          connection,
        ),
      ),
    );
    expect(results.every((r) => r.changed)).toBe(true);
    expect(Math.max(...results.map((r) => r.attempts))).toBeGreaterThan(1);
    await fx.quotas({ dataPlaneWrites: 0.01, burstSeconds: 100 }); // one token, then one per 100 s
    const short = connect({ deadlineMs: 3_000 });
    try {
      await updateJobExecution({ thingName: 'gw-1', jobId: 'fw-1', status: 'IN_PROGRESS' }, short);
      await expect(
        updateJobExecution({ thingName: 'gw-1', jobId: 'fw-1', status: 'IN_PROGRESS' }, short),
      ).rejects.toMatchObject({ code: 'timeout', message: expect.stringContaining('deadline of 3000 ms') });
    } finally {
      short.destroy();
    }
  } finally {
    connection.destroy();
  }
}, 60_000);
