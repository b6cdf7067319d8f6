/** The per-target queue: one task per target at a time in arrival order, others alongside, bounded, closed cleanly. */
import { TargetQueue } from './target-queue';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('one target runs in order, other targets alongside, up to the concurrency', async () => {
  const queue = new TargetQueue({ concurrency: 2, limit: 10 });
  const started: string[] = [];
  const gates = new Map<string, ReturnType<typeof deferred>>();
  const task = (name: string) => async () => {
    started.push(name);
    const gate = deferred();
    gates.set(name, gate);
    await gate.promise;
  };
  for (const [key, name] of [
    ['a', 'a1'],
    ['a', 'a2'],
    ['b', 'b1'],
    ['c', 'c1'],
  ] as const)
    queue.push(key, task(name));
  await tick();
  expect(started).toEqual(['a1', 'b1']);
  gates.get('a1')!.resolve();
  await tick();
  await tick();
  expect(started).toEqual(['a1', 'b1', 'a2']);
  gates.get('b1')!.resolve();
  await tick();
  await tick();
  expect(started).toEqual(['a1', 'b1', 'a2', 'c1']);
});

test('full means refused, nothing queued', () => {
  const queue = new TargetQueue({ concurrency: 1, limit: 2 });
  const never = () => new Promise<void>(() => {});
  expect([queue.push('a', never), queue.push('a', never), queue.push('a', never)]).toEqual([true, true, false]);
  expect(queue.size).toBe(2);
});

test('a task that rejects is reported, never left unhandled, and the queue goes on', async () => {
  const errors: unknown[] = [];
  const queue = new TargetQueue({ concurrency: 1, limit: 5, onTaskError: (e) => errors.push(e) });
  const ran: string[] = [];
  queue.push('a', async () => {
    throw new Error('boom');
  });
  queue.push('a', async () => void ran.push('next'));
  await tick();
  await tick();
  await tick();
  expect([errors.map((e) => (e as Error).message), ran]).toEqual([['boom'], ['next']]);
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
