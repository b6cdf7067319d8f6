/**
 * "At once", measured as the CPU time this process spends rather than the wall-clock time that passes: on a busy
 * machine other jobs take the cores and stretch the wall clock, not the work a refusal does.
 */

/** Runs `work` and gives its result with the CPU time (user and system, all threads) the process spent, in ms. */
export async function withCpuTime<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const before = process.cpuUsage();
  const result = await work();
  const { user, system } = process.cpuUsage(before);
  return { result, cpuMs: (user + system) / 1000 };
}
