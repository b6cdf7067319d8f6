/**
 * A `Clock` (core/shared/clock.ts) that moves only when a test moves it: timers fire in order as `advance` passes
 * their time, `sleep` resolves the same way, and `random` is fixed. What runs under it never waits in real time, and
 * a test can say "nothing happens before 500 ms, something at 500 ms" whatever the machine's speed.
 */
import type { Clock, ClockTimer } from '../../core/shared/clock';

interface Pending {
  readonly at: number;
  readonly run: () => void;
  readonly timer: ClockTimer;
}

export class FakeClock implements Clock {
  private pending: Pending[] = [];

  constructor(
    private time = 1_000_000,
    private readonly draw = 0.5,
  ) {}

  now(): number {
    return this.time;
  }

  random(): number {
    return this.draw;
  }

  setTimer(run: () => void, ms: number): ClockTimer {
    const timer: ClockTimer = { unref: () => timer };
    this.pending.push({ at: this.time + Math.max(0, ms), run, timer });
    return timer;
  }

  clearTimer(timer: ClockTimer | undefined): void {
    this.pending = this.pending.filter((p) => p.timer !== timer);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        this.clearTimer(timer);
        reject(signal!.reason);
      };
      const timer = this.setTimer(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Timers waiting, for a test that checks one was set. */
  get timers(): number {
    return this.pending.length;
  }

  /**
   * Moves the time on by `ms`, running each timer due on the way, in the order of their times. Timers run
   * synchronously: what a timer's promise continuation sets (a second `sleep` after a first) is set after `advance`
   * returns, so a test advances again for it.
   */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.time = next.at;
      next.run();
    }
    this.time = until;
  }
}
