/**
 * The one clock: the time, timers, waits and randomness of the core and the Node-RED nodes come from a `Clock`, so a
 * test (or a host) can give its own, and every wait and jitter follows one backoff. Nothing else in `core/` or
 * `node-red-nodes/` reads `Date.now`, `Math.random` or sets a timer (test/architecture.test.ts keeps it so).
 */
import { setTimeout as delay } from 'node:timers/promises';

/** A timer a clock set, to clear. */
export interface ClockTimer {
  /** Lets the process exit while the timer waits (Node's `unref`); returns the timer. */
  unref(): ClockTimer;
}

export interface Clock {
  /** Now, in epoch milliseconds. */
  now(): number;
  /** A number in [0, 1), for jitter. */
  random(): number;
  /** Waits `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `run` once after `ms`. */
  setTimer(run: () => void, ms: number): ClockTimer;
  clearTimer(timer: ClockTimer | undefined): void;
}

/** The process's own clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : {}),
  setTimer: (run, ms) => setTimeout(run, ms),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout | undefined),
};

/** How a wait is drawn under its ceiling: anywhere below it (`full`), or in its upper half (`half`). */
export type Jitter = 'full' | 'half';

/**
 * The wait before retry `retry` (1-based): a ceiling doubling from `baseMs` up to `capMs`, jittered. `half` keeps
 * the wait from collapsing to nothing, for waits a fleet meets at once (throttles, a link that comes back), so that
 * it does not come back at once either.
 */
export function backoffMs(retry: number, baseMs: number, capMs: number, jitter: Jitter, random: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** (retry - 1));
  return Math.round(jitter === 'half' ? ceiling / 2 + (random * ceiling) / 2 : random * ceiling);
}
