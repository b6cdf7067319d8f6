/** The benchmarks' measuring tools, shared by the harness and the Node-RED load process. */

/** The middle value (upper middle for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Throughput and 99th-percentile latency of a load run. */
export interface LoadResult {
  readonly perSecond: number;
  readonly p99: number;
}

/**
 * Runs `send` `total` times from `concurrency` workers, after a warm-up of 200 sends, and measures throughput and
 * p99 latency. Each worker passes its own index, so a worker can keep to its own target (a Node-RED step keeps one
 * target's messages in order, which would otherwise serialise workers that happen to pick the same target).
 */
export async function load(
  total: number,
  concurrency: number,
  send: (i: number, worker: number) => Promise<void>,
): Promise<LoadResult> {
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = worker; i < 200; i += concurrency) await send(i, worker);
    }),
  );
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await send(i, worker);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: total / seconds, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}
