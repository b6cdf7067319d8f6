/**
 * The retry layer on an injected clock: no test here waits in real time. Attempts, backoff (full jitter under a
 * doubling ceiling, a higher base for throttling), the attempt budget, the deadline, abort, and settling a failure
 * whose effect is unknown.
 */
import { describeFailure, StepError, StepErrorCode } from './errors';
import { SendPacing } from './send-pacing';
import { StepRun, type StepOptions } from './step-run';
import type { RetryPolicy } from './connection';

const POLICY: RetryPolicy = {
  maxAttempts: 5,
  attemptTimeoutMs: 1_000,
  deadlineMs: 10_000,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  throttleBaseDelayMs: 500,
  throttleMaxDelayMs: 1_500,
};

/** A clock that only moves when the step sleeps. */
function fakeClock(): { options: StepOptions; waits: number[]; advance: (ms: number) => void } {
  let now = 1_000_000;
  const waits: number[] = [];
  return {
    waits,
    advance: (ms) => void (now += ms),
    options: {
      now: () => now,
      random: () => 1 - Number.EPSILON,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    },
  };
}

const failure = (code: StepErrorCode, retryable = true): StepError =>
  new StepError(`UpdateJobExecution gw/fw: ${code}`, { code, retryable, operation: 'UpdateJobExecution' });

/** `send` that fails with each of `errors` in turn, then answers 'ok'. */
function scripted(errors: StepError[]): { send: () => Promise<string>; calls: () => number } {
  let n = 0;
  return {
    calls: () => n,
    send: async () => {
      const error = errors[n++];
      if (error) throw error;
      return 'ok';
    },
  };
}

const identity = (e: unknown): StepError => e as StepError;

test('retries what may succeed later, with a doubling ceiling from the base, and counts attempts', async () => {
  const clock = fakeClock();
  const run = new StepRun(POLICY, clock.options);
  const s = scripted([failure('unavailable'), failure('unavailable'), failure('network')]);
  await expect(run.call('UpdateJobExecution', 'gw/fw', s.send, identity)).resolves.toBe('ok');
  expect([s.calls(), run.attempts, run.uncertain]).toEqual([4, 4, 1]);
  expect(clock.waits).toEqual([100, 200, 400]);
});

test('throttling backs off from its own base to its own ceiling, between half of it and all of it', async () => {
  const top = fakeClock();
  const s = scripted([failure('throttled'), failure('throttled'), failure('throttled')]);
  await new StepRun(POLICY, top.options).call('UpdateJobExecution', 'gw/fw', s.send, identity);
  expect(top.waits).toEqual([500, 1000, 1500]);
  const bottom = fakeClock();
  const t = scripted([failure('throttled'), failure('throttled')]);
  await new StepRun(POLICY, { ...bottom.options, random: () => 0 }).call(
    'UpdateJobExecution',
    'gw/fw',
    t.send,
    identity,
  );
  expect(bottom.waits).toEqual([250, 500]);
});

test('throttles use up no attempt: only the deadline bounds them, and the other failures still count', async () => {
  const clock = fakeClock();
  const run = new StepRun({ ...POLICY, deadlineMs: 60_000 }, clock.options);
  const errors = [...Array.from({ length: 20 }, () => failure('throttled')), failure('unavailable')];
  const s = scripted(errors);
  await expect(run.call('UpdateJobExecution', 'gw/fw', s.send, identity)).resolves.toBe('ok');
  expect([s.calls(), run.attempts]).toEqual([22, 22]);
  // Other failures after throttles: the budget counts them alone, and their backoff starts from its own base.
  const mixed = fakeClock();
  const u = scripted([failure('throttled'), ...Array.from({ length: 9 }, () => failure('unavailable'))]);
  const error = await new StepRun(POLICY, mixed.options)
    .call('UpdateJobExecution', 'gw/fw', u.send, identity)
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'unavailable', attempts: 6 });
  expect(mixed.waits).toEqual([500, 100, 200, 400, 800]);
});

test("a connection's pacing: a throttle slows the requests after it, successes speed them up again", async () => {
  const clock = fakeClock();
  const pacing = new SendPacing();
  const run = new StepRun({ ...POLICY, deadlineMs: 60_000 }, clock.options, pacing);
  const s = scripted([failure('throttled')]);
  await run.call('UpdateJobExecution', 'gw/fw', s.send, identity);
  // One request a second before it (no earlier one): paced at half that, so the retry leaves 2 s after the throttle.
  expect(clock.waits).toEqual([500, 1500]);
  expect(pacing.rateOf('UpdateJobExecution')).toBe(1.5);
  await run.call('UpdateJobExecution', 'gw/fw', s.send, identity);
  // The next request leaves 1/1.5 s after the last one.
  expect(clock.waits.at(-1)).toBeCloseTo(1000 / 1.5, 0);
  expect(pacing.rateOf('DescribeJobExecution')).toBeUndefined();
});

test('a failure that is not retryable ends the call at once; the attempt budget ends the others', async () => {
  const clock = fakeClock();
  const refused = scripted([failure('invalid-transition', false)]);
  await expect(
    new StepRun(POLICY, clock.options).call('UpdateJobExecution', 'gw/fw', refused.send, identity),
  ).rejects.toMatchObject({
    code: 'invalid-transition',
    attempts: 1,
  });
  const always = scripted(Array.from({ length: 9 }, () => failure('unavailable')));
  await expect(
    new StepRun(POLICY, clock.options).call('UpdateJobExecution', 'gw/fw', always.send, identity),
  ).rejects.toMatchObject({
    code: 'unavailable',
    attempts: 5,
  });
});

test('the deadline: a wait that would pass it ends the step as a timeout naming the last answer', async () => {
  const clock = fakeClock();
  const run = new StepRun({ ...POLICY, deadlineMs: 1_000, maxAttempts: 10 }, clock.options);
  const s = scripted(Array.from({ length: 9 }, () => failure('throttled')));
  const error = (await run.call('UpdateJobExecution', 'gw/fw', s.send, identity).catch((e: unknown) => e)) as StepError;
  expect(error).toMatchObject({ code: 'timeout', retryable: true });
  expect(describeFailure(error)).toBe(
    'UpdateJobExecution gw/fw: the step deadline of 1000 ms leaves no time to retry (last answer: throttled)',
  );
  expect(clock.waits).toEqual([500]);
});

test('each attempt gets the time left, never more than the attempt timeout', async () => {
  const clock = fakeClock();
  const run = new StepRun({ ...POLICY, deadlineMs: 1_500 }, clock.options);
  const limits: number[] = [];
  let n = 0;
  await run.call(
    'UpdateJobExecution',
    'gw/fw',
    async ({ requestTimeout }) => {
      limits.push(requestTimeout);
      clock.advance(400);
      if (n++ === 0) throw failure('unavailable');
      return 'ok';
    },
    identity,
  );
  expect(limits).toEqual([1_000, 1_500 - 400 - 100]);
});

test('an aborted step stops at once and is not retried', async () => {
  const controller = new AbortController();
  const clock = fakeClock();
  const run = new StepRun(POLICY, { ...clock.options, signal: controller.signal });
  const s = scripted([failure('unavailable')]);
  controller.abort();
  await expect(run.call('UpdateJobExecution', 'gw/fw', s.send, identity)).rejects.toMatchObject({ code: 'aborted' });
  expect(s.calls()).toBe(0);
});

test('a failure whose effect is unknown is settled before sending again', async () => {
  const clock = fakeClock();
  const run = new StepRun(POLICY, clock.options);
  const s = scripted([failure('network'), failure('unavailable')]);
  const settled: StepErrorCode[] = [];
  const result = await run.call('UpdateJob', 'JOB', s.send, identity, async (f) => {
    settled.push(f.code);
    return 'settled';
  });
  expect([result, s.calls(), settled]).toEqual(['settled', 1, ['network']]);
});
