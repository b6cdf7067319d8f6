/**
 * The one scheduler, on a clock that moves only when the test moves it: per-target order, the concurrency, the
 * backoff of an item that asks to run again (jittered, capped, reset by success), waking, removing, waiting for a
 * target to clear, and both ways of closing.
 */
import { FakeClock } from '../../test/helpers/fake-clock';
import { TargetScheduler, type RunOutcome } from './target-scheduler';

const turn = (): Promise<unknown> => new Promise((r) => setImmediate(r));

/** A scheduler whose runs are recorded and end when the test says (`finish(name, outcome)`). */
function scheduler(concurrency = 2, clock = new FakeClock(1_000_000, 0)) {
  const started: string[] = [];
  const ends = new Map<string, (outcome: RunOutcome) => void>();
  const signals = new Map<string, AbortSignal>();
  const s = new TargetScheduler<string>({
    concurrency,
    clock,
    backoff: { baseMs: 1_000, capMs: 4_000, jitter: 'half' },
    run: (name, signal) => {
      started.push(name);
      signals.set(name, signal);
      return new Promise((resolve) => ends.set(name, resolve));
    },
  });
  const finish = async (name: string, outcome: RunOutcome = 'done'): Promise<void> => {
    ends.get(name)!(outcome);
    await turn();
  };
  return { s, started, finish, signals, clock };
}

test('one target runs in arrival order, others alongside, up to the concurrency', async () => {
  const { s, started, finish } = scheduler(2);
  s.push('a', 'a1');
  s.push('a', 'a2');
  s.push('b', 'b1');
  s.push('c', 'c1');
  expect(started).toEqual(['a1', 'b1']);
  expect(s.size).toBe(4);
  await finish('a1');
  expect(started).toEqual(['a1', 'b1', 'a2']);
  await finish('b1');
  expect(started).toEqual(['a1', 'b1', 'a2', 'c1']);
  expect(s.size).toBe(2);
});

test('an item that asks again stays at its head and waits out a doubling, capped, jittered backoff', async () => {
  const { s, started, finish, clock } = scheduler(1);
  s.push('a', 'a1');
  s.push('a', 'a2');
  s.push('b', 'b1');
  await finish('a1', 'again');
  // random 0 with half jitter: half the ceiling, 500 ms; meanwhile the concurrency goes to the next target.
  expect(started).toEqual(['a1', 'b1']);
  expect(s.retryAt('a')).toBe(1_000_500);
  await finish('b1');
  clock.advance(499);
  expect(started).toEqual(['a1', 'b1']);
  clock.advance(1);
  expect(started).toEqual(['a1', 'b1', 'a1']);
  await finish('a1', 'again');
  expect(s.retryAt('a')).toBe(1_001_500); // 1 000 ms: the ceiling doubled
  clock.advance(1_000);
  await finish('a1', 'again');
  clock.advance(2_000);
  await finish('a1', 'again');
  expect(s.retryAt('a')).toBe(clock.now() + 2_000); // capped at 4 000 ms
  // wake: due now; success resets the backoff.
  s.wake();
  await finish('a1');
  expect(started.at(-1)).toBe('a2');
  expect(s.retryAt('a')).toBeUndefined();
});

test('remove takes out waiting work, never the running item; whenClear resolves when the target has none', async () => {
  const { s, started, finish } = scheduler(2);
  s.push('a', 'a1');
  s.push('a', 'a2');
  s.push('a', 'a3');
  expect(s.last('a')).toEqual({ item: 'a3', running: false });
  expect(s.remove('a', 'a1')).toBe(false);
  expect(s.remove('a', 'a2')).toBe(true);
  expect(s.isRunning('a', 'a1')).toBe(true);
  let clear = false;
  const cleared = s.whenClear('a').then(() => (clear = true));
  await expect(s.whenClear('z')).resolves.toBeUndefined();
  await finish('a1');
  expect([started, clear]).toEqual([['a1', 'a3'], false]);
  await finish('a3');
  await cleared;
  expect(s.size).toBe(0);
});

test("close 'keep' leaves waiting work unstarted, aborts running work after the grace, rejects whenClear", async () => {
  const { s, started, signals, clock } = scheduler(1);
  s.push('a', 'a1');
  s.push('b', 'b1');
  const left = expect(s.whenClear('b')).rejects.toThrow(/closed with work for b left/);
  const closed = s.close(5_000, 'keep');
  clock.advance(4_999);
  expect(signals.get('a1')!.aborted).toBe(false);
  clock.advance(1);
  expect(signals.get('a1')!.aborted).toBe(true);
  // a1 ignores its signal: the close gives up a second later all the same.
  clock.advance(1_000);
  await closed;
  await left;
  expect(started).toEqual(['a1']);
  expect(() => s.push('a', 'a2')).toThrow(/closed/);
});

test("close 'abort' starts every waiting item at once with an aborted signal, so each answers for itself", async () => {
  const { s, started, signals, finish, clock } = scheduler(1);
  s.push('a', 'a1');
  s.push('a', 'a2');
  s.push('b', 'b1');
  const closed = s.close(5_000, 'abort');
  expect(started).toEqual(['a1', 'a2', 'b1']);
  expect([signals.get('a2')!.aborted, signals.get('b1')!.aborted, signals.get('a1')!.aborted]).toEqual([
    true,
    true,
    false,
  ]);
  await finish('a2');
  await finish('b1');
  await finish('a1');
  clock.advance(0);
  await closed;
  expect(s.size).toBe(0);
});

test('a run that rejects is reported, never left unhandled, and its target goes on', async () => {
  const errors: unknown[] = [];
  const ran: string[] = [];
  const s = new TargetScheduler<string>({
    concurrency: 1,
    clock: new FakeClock(),
    onError: (e) => errors.push(e),
    run: async (name) => {
      ran.push(name);
      if (name === 'a1') throw new Error('boom');
      return 'done';
    },
  });
  s.push('a', 'a1');
  s.push('a', 'a2');
  await turn();
  await turn();
  expect([errors.map((e) => (e as Error).message), ran]).toEqual([['boom'], ['a1', 'a2']]);
});
