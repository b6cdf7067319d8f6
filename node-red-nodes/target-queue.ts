/**
 * The order and concurrency a gateway needs: work for one target (a thing's job execution, an Import/Export job)
 * runs one at a time in arrival order, so an IN_PROGRESS report never overtakes the SUCCEEDED after it, while
 * different targets run side by side up to a limit. The queue is bounded, and closing it finishes or aborts
 * everything it holds, so no message is ever left without an answer.
 */
import { setMaxListeners } from 'node:events';

import { systemClock } from '../core/shared/clock';

/** One unit of work; it must settle (never throw synchronously) and should stop when `signal` aborts. */
export type Task = (signal: AbortSignal) => Promise<void>;

interface Held {
  readonly key: string;
  readonly task: Task;
}

export interface TargetQueueOptions {
  /** Targets worked on at once. */
  readonly concurrency: number;
  /** Messages held at most, running ones included; more are refused. */
  readonly limit: number;
  /** Told whenever the number of held messages changes. */
  readonly onChange?: (held: number) => void;
  /** Told when a task rejected although it should not (it is logged, never left unhandled). */
  readonly onTaskError?: (error: unknown) => void;
}

export class TargetQueue {
  private readonly waiting: Held[] = [];
  private readonly running = new Set<Held>();
  /** Targets with work running: their later work waits. */
  private readonly busy = new Set<string>();
  private closed = false;
  private idle: (() => void) | undefined;
  /**
   * One signal for all running work, aborted when the close grace period ends: a controller per message would cost
   * every message of a busy gateway an AbortSignal. Each running task's requests listen to it, hence no listener cap.
   */
  private readonly stop = new AbortController();

  constructor(private readonly options: TargetQueueOptions) {
    setMaxListeners(Infinity, this.stop.signal);
  }

  /** Messages held: waiting and running. */
  get size(): number {
    return this.waiting.length + this.running.size;
  }

  /** Queues `task` behind earlier work for `key`. False, and nothing queued, when full or closed. */
  push(key: string, task: Task): boolean {
    if (this.closed || this.size >= this.options.limit) return false;
    this.waiting.push({ key, task });
    this.changed();
    this.pump();
    return true;
  }

  private changed(): void {
    this.options.onChange?.(this.size);
    if (this.size === 0) this.idle?.();
  }

  /** Starts the oldest waiting work whose target is free, while there is room. */
  private pump(): void {
    for (let i = 0; i < this.waiting.length && this.running.size < this.options.concurrency;) {
      const held = this.waiting[i]!;
      if (this.busy.has(held.key)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.busy.add(held.key);
      this.start(held);
    }
  }

  private start(held: Held, signal: AbortSignal = this.stop.signal): void {
    this.running.add(held);
    // A task answers its own failures; one that still rejects must not become an unhandled rejection, which would
    // end the whole Node-RED process.
    void held
      .task(signal)
      .catch((error: unknown) => this.options.onTaskError?.(error))
      .finally(() => {
        this.running.delete(held);
        this.busy.delete(held.key);
        this.changed();
        if (!this.closed) this.pump();
      });
  }

  /**
   * Stops taking work. Waiting work is started at once with an aborted signal (so each task answers its message);
   * running work gets `graceMs` to finish, then is aborted. Resolves when nothing is held.
   */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    const drained = new Promise<void>((resolve) => {
      this.idle = resolve;
      if (this.size === 0) resolve();
    });
    for (const held of this.waiting.splice(0)) this.start(held, AbortSignal.abort(new Error('the node was closed')));
    const timer = systemClock.setTimer(() => this.stop.abort(new Error('the node was closed')), graceMs);
    await drained;
    systemClock.clearTimer(timer);
  }
}
