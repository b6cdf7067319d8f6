/**
 * Appends `entry` and drops the oldest entries beyond `limit`. The emulator's logs (the request log, each
 * execution's history) are for reading recent traffic; a sandbox left running for days must not grow without end.
 */
export function appendBounded<T>(list: T[], entry: T, limit: number): void {
  list.push(entry);
  while (list.length > limit) list.shift();
}
