/**
 * The one scheduler: work for one target (a thing's job execution, an Import/Export job) runs one item at a time in
 * arrival order, so an IN_PROGRESS report never overtakes the SUCCEEDED after it, while different targets run side
 * by side up to a concurrency. An item that asks to be tried again stays at its target's head and waits out a
 * jittered, capped backoff (`backoffMs`) on the scheduler's clock; closing gives running work a grace period, then
 * aborts it. The outbox (core/outbox) and the Node-RED step node's queue both run on it.
 */
import { setMaxListeners } from 'node:events';

import { backoffMs, systemClock, type Clock, type ClockTimer, type Jitter } from './clock';

/** How one run of an item ended: `done` (it leaves), or `again` (it stays at its target's head, after a backoff). */
export type RunOutcome = 'done' | 'again';

export interface SchedulerSettings<T> {
  /** Targets worked on at once. */
  readonly concurrency: number;
  /** Runs one item; it should stop when `signal` aborts. A rejection is reported to `onError` and ends the item. */
  readonly run: (item: T, signal: AbortSignal) => Promise<RunOutcome>;
  /** The waits between runs of an item that asked to be run again (none given: at once, on the next turn). */
  readonly backoff?: { readonly baseMs: number; readonly capMs: number; readonly jitter: Jitter };
  /** Time, timers and jitter (the process's own by default). */
  readonly clock?: Clock;
  /** Told whenever an item is added, removed or ends. */
  readonly onChange?: () => void;
  /** Told when a run rejected although it should not (never left unhandled: that would end a Node-RED process). */
  readonly onError?: (error: unknown) => void;
  /** The reason `whenClear` rejects with when the scheduler closes with work for `key` left. */
  readonly abandoned?: (key: string) => Error;
}

interface Target<T> {
  readonly key: string;
  readonly items: T[];
  running: boolean;
  /** Runs in a row that asked to be run again: the backoff's step. */
  failures: number;
  /** When the head may run next (epoch ms). */
  dueAt: number;
  readonly clear: { resolve: () => void; reject: (error: Error) => void }[];
}

export class TargetScheduler<T> {
  /** In the order targets first had work: the oldest is looked at first. */
  private readonly targets = new Map<string, Target<T>>();
  private held = 0;
  private running = 0;
  private timer: ClockTimer | undefined;
  private closing = false;
  private drained: (() => void) | undefined;
  private readonly clock: Clock;
  /**
   * One signal for all running work, aborted when the close grace period ends: a controller per item would cost
   * every message of a busy gateway an AbortSignal. Every running item's requests listen to it, hence no listener cap.
   */
  private readonly stop = new AbortController();

  constructor(private readonly settings: SchedulerSettings<T>) {
    setMaxListeners(Infinity, this.stop.signal);
    this.clock = settings.clock ?? systemClock;
  }

  /** Items held, running ones included. */
  get size(): number {
    return this.held;
  }

  /** Queues `item` behind earlier work for `key`. */
  push(key: string, item: T): void {
    if (this.closing) throw new Error('the scheduler is closed');
    let target = this.targets.get(key);
    if (!target) {
      target = { key, items: [], running: false, failures: 0, dueAt: 0, clear: [] };
      this.targets.set(key, target);
    }
    target.items.push(item);
    this.held++;
    this.changed();
    this.pump();
  }

  /** The item queued last for `key`, and whether it is running now. */
  last(key: string): { item: T; running: boolean } | undefined {
    const target = this.targets.get(key);
    const item = target?.items.at(-1);
    if (item === undefined) return undefined;
    return { item, running: target!.running && target!.items.length === 1 };
  }

  /** Whether `item` is the one of `key` running now. */
  isRunning(key: string, item: T): boolean {
    const target = this.targets.get(key);
    return target !== undefined && target.running && target.items[0] === item;
  }

  /** When `key`'s next run is due, while it waits out a backoff (epoch ms). */
  retryAt(key: string): number | undefined {
    const target = this.targets.get(key);
    return target && target.dueAt > this.clock.now() ? target.dueAt : undefined;
  }

  /** Takes out an item that waits; false (and nothing removed) when it is running or not held. */
  remove(key: string, item: T): boolean {
    const target = this.targets.get(key);
    const at = target ? target.items.indexOf(item) : -1;
    if (!target || at < 0 || (at === 0 && target.running)) return false;
    target.items.splice(at, 1);
    this.held--;
    this.settleIfEmpty(target);
    this.changed();
    this.pump();
    return true;
  }

  /** Resolves once nothing is held for `key` (at once when nothing is); rejects when the scheduler closes first. */
  whenClear(key: string): Promise<void> {
    const target = this.targets.get(key);
    if (!target) return Promise.resolve();
    if (this.closing) return Promise.reject(this.abandoned(key));
    return new Promise((resolve, reject) => target.clear.push({ resolve, reject }));
  }

  /** The link may be back: targets waiting out a backoff are due now. */
  wake(): void {
    const now = this.clock.now();
    for (const target of this.targets.values()) if (target.dueAt > now) target.dueAt = now;
    this.pump();
  }

  /**
   * Stops starting work. `waiting: 'abort'` starts every waiting item at once with an aborted signal (so each can
   * answer for itself); `'keep'` leaves them unstarted (their owner keeps them elsewhere). Running work gets `graceMs`,
   * then its signal aborts; a run that ignores its signal does not hold the close beyond another second. Whoever waits
   * in `whenClear` for work left is rejected.
   */
  async close(graceMs: number, waiting: 'abort' | 'keep'): Promise<void> {
    this.closing = true;
    const { clock } = this;
    clock.clearTimer(this.timer);
    if (waiting === 'abort') {
      // Each answers at once, without waiting behind its target's running item: it sends nothing anyway, and an item
      // that ignores its signal must not keep the others from answering.
      const aborted = AbortSignal.abort(new Error('closed before it started'));
      for (const target of this.targets.values()) {
        const waitingItems = target.items.splice(target.running ? 1 : 0);
        this.held -= waitingItems.length;
        for (const item of waitingItems) this.runAlone(item, aborted);
        this.settleIfEmpty(target);
      }
      this.changed();
    }
    const abort = clock.setTimer(() => this.stop.abort(new Error('closed')), graceMs);
    let giveUp: ClockTimer | undefined;
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      giveUp = clock.setTimer(resolve, graceMs + 1_000);
      if (this.running === 0) resolve();
    });
    clock.clearTimer(abort);
    clock.clearTimer(giveUp);
    for (const target of this.targets.values()) {
      for (const waiter of target.clear.splice(0)) waiter.reject(this.abandoned(target.key));
    }
  }

  private abandoned(key: string): Error {
    return this.settings.abandoned?.(key) ?? new Error(`closed with work for ${key} left`);
  }

  private changed(): void {
    try {
      this.settings.onChange?.();
    } catch (error) {
      this.settings.onError?.(error);
    }
  }

  /** A target with nothing left is forgotten, and whoever waited for it told. */
  private settleIfEmpty(target: Target<T>): void {
    if (target.items.length > 0 || target.running) return;
    this.targets.delete(target.key);
    for (const waiter of target.clear) waiter.resolve();
  }

  /** Starts the head of every free target that is due, while there is room; then waits for the next one due. */
  private pump(): void {
    if (this.closing) return;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    let next = Infinity;
    for (const target of this.targets.values()) {
      if (this.running >= this.settings.concurrency) break;
      if (target.running || target.items.length === 0) continue;
      if (target.dueAt > now) next = Math.min(next, target.dueAt);
      else this.start(target, this.stop.signal);
    }
    if (next !== Infinity) this.timer = this.clock.setTimer(() => this.pump(), next - now).unref();
  }

  /** Runs an item outside any target (closing, with an aborted signal): counted as running until it ends. */
  private runAlone(item: T, signal: AbortSignal): void {
    this.running++;
    void this.settings
      .run(item, signal)
      .catch((error: unknown) => this.settings.onError?.(error))
      .finally(() => {
        this.running--;
        this.changed();
        if (this.running === 0) this.drained?.();
      });
  }

  private start(target: Target<T>, signal: AbortSignal): void {
    const item = target.items[0]!;
    target.running = true;
    this.running++;
    let outcome: RunOutcome = 'done';
    void this.settings
      .run(item, signal)
      .then(
        (o) => void (outcome = o),
        (error: unknown) => this.settings.onError?.(error),
      )
      .finally(() => {
        target.running = false;
        this.running--;
        if (outcome === 'again' && !this.closing && target.items[0] === item) {
          target.failures++;
          const { backoff } = this.settings;
          target.dueAt = backoff
            ? this.clock.now() +
              backoffMs(target.failures, backoff.baseMs, backoff.capMs, backoff.jitter, this.clock.random())
            : 0;
        } else {
          // Done (or closing): the item leaves; an item its run removed already is not there to take out.
          if (target.items[0] === item) {
            target.items.shift();
            this.held--;
          }
          if (outcome === 'done') {
            target.failures = 0;
            target.dueAt = 0;
          }
        }
        this.settleIfEmpty(target);
        this.changed();
        if (!this.closing) this.pump();
        else if (this.running === 0) this.drained?.();
      });
  }
}
