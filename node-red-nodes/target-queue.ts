/**
 * A step node's queue: the core's one scheduler (core/shared/target-scheduler.ts) with a bound on the messages held,
 * so a flow that sends faster than AWS answers is refused rather than grown without end. Closing it finishes or
 * aborts everything it holds, so no message is ever left without an answer.
 */
import type { Clock } from '../core/shared/clock';
import { TargetScheduler } from '../core/shared/target-scheduler';

/** One unit of work; it must settle (never throw synchronously) and should stop when `signal` aborts. */
export type Task = (signal: AbortSignal) => Promise<void>;

export interface TargetQueueOptions {
  /** Targets worked on at once. */
  readonly concurrency: number;
  /** Messages held at most, running ones included; more are refused. */
  readonly limit: number;
  /** Told whenever the number of held messages changes. */
  readonly onChange?: (held: number) => void;
  /** Told when a task rejected although it should not (it is logged, never left unhandled). */
  readonly onTaskError?: (error: unknown) => void;
  readonly clock?: Clock;
}

export class TargetQueue {
  private readonly scheduler: TargetScheduler<Task>;
  private closed = false;

  constructor(private readonly options: TargetQueueOptions) {
    this.scheduler = new TargetScheduler<Task>({
      concurrency: options.concurrency,
      run: (task, signal) => task(signal).then(() => 'done'),
      ...(options.clock && { clock: options.clock }),
      onChange: () => options.onChange?.(this.scheduler.size),
      ...(options.onTaskError && { onError: options.onTaskError }),
    });
  }

  /** Messages held: waiting and running. */
  get size(): number {
    return this.scheduler.size;
  }

  /** Queues `task` behind earlier work for `key`. False, and nothing queued, when full or closed. */
  push(key: string, task: Task): boolean {
    if (this.closed || this.size >= this.options.limit) return false;
    this.scheduler.push(key, task);
    return true;
  }

  /**
   * Stops taking work. Waiting work is started with an aborted signal (so each task answers its message); running
   * work gets `graceMs` to finish, then is aborted.
   */
  close(graceMs: number): Promise<void> {
    this.closed = true;
    return this.scheduler.close(graceMs, 'abort');
  }
}
