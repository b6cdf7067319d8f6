/**
 * The account's quotas in the emulator, over HTTP: a burst above a quota's rate is throttled as AWS throttles
 * (429 ThrottlingException, nothing applied), one within it is not; reads, writes and each control-plane API have
 * buckets of their own; the rates are settings. And the step under them: throttles use up no attempt, only the
 * deadline bounds them.
 */
import { Connection, updateJobExecution, type ConnectionSettings } from '../core';
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

test('reads and writes have buckets of their own; each control-plane API has one of 10 a second', async () => {
  await burst(260, write);
  expect(statuses(await burst(100, read))).toEqual({ 200: 100 });
  const describeJob = (): Promise<HttpReply> => fx.signed('iot', 'GET', '/jobs/fw-1');
  // A bucket of 10 refilling at 10 a second: of 15 at once, at least 5 less what refilled while they were sent.
  const control = await timedBurst(15, describeJob);
  expect(control.counted[429] ?? 0).toBeGreaterThanOrEqual(5 - Math.ceil(10 * control.seconds));
  expect(control.counted[200]).toBeGreaterThanOrEqual(10);
  // Another control-plane API still has its whole bucket.
  const execution = (): Promise<HttpReply> => fx.signed('iot', 'GET', '/things/gw-1/jobs/fw-1');
  expect(statuses(await burst(10, execution))).toEqual({ 200: 10 });
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
  // Reset returns to AWS's defaults.
  await fx.reset();
  expect(await fx.quotas({})).toMatchObject({
    settings: { enabled: true, dataPlaneWrites: 200, dataPlaneReads: 200, controlPlane: 10, burstSeconds: 1 },
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
