/**
 * Waiting for what a test cannot await directly (a message reaching a helper node, a status a node sets a turn after
 * its answer, a fault the emulator has taken), instead of sleeping a guessed time: a slow, busy machine only makes it
 * wait longer.
 */

/** So long that only a hang reaches it: on a starved CPU a test waits, it does not fail. */
const GIVE_UP_MS = 45_000;

/**
 * Polls `check` every few milliseconds until it gives something other than `undefined`, `false` or `null`, and
 * returns that; throws naming `what` if that never happens (a hang, which the test's own timeout would otherwise
 * report without saying what it waited for).
 *
 * @example const answer = await eventually(() => errors.at(before), 'the error answer');
 */
export async function eventually<T>(
  check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  what: string,
): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (performance.now() - started > GIVE_UP_MS) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
