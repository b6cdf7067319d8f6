/**
 * The step node's queue over the one scheduler (its order, concurrency and close are core/shared/target-scheduler's,
 * tested there): bounded, and closed so that every message is answered.
 */
import { TargetQueue } from './target-queue';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('full means refused, nothing queued', () => {
  const queue = new TargetQueue({ concurrency: 1, limit: 2 });
  const never = () => new Promise<void>(() => {});
  expect([queue.push('a', never), queue.push('a', never), queue.push('a', never)]).toEqual([true, true, false]);
  expect(queue.size).toBe(2);
});

test('close: waiting work starts with an aborted signal, running work gets the grace period, then is aborted', async () => {
  const queue = new TargetQueue({ concurrency: 1, limit: 5 });
  const seen: string[] = [];
  queue.push(
    'a',
    (signal) =>
      new Promise<void>((resolve) => signal.addEventListener('abort', () => (seen.push('running aborted'), resolve()))),
  );
  queue.push('a', async (signal) => void seen.push(`waiting started, aborted=${signal.aborted}`));
  await tick();
  await queue.close(10);
  expect(seen).toEqual(['waiting started, aborted=true', 'running aborted']);
  expect(queue.push('a', async () => {})).toBe(false);
});
