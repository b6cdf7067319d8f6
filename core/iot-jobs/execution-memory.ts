/**
 * What a connection last saw of each job execution. A step that lost the answer to its own update and then finds
 * the execution as asked needs to know whether it already was so before: versions only grow and a terminal state
 * never changes, so "as asked, at the same version, when this connection last looked" is evidence that the step's
 * update did not land; without such evidence the step reports `changed: true`. It belongs to the IoT Jobs service on
 * a connection (`service.ts`), whatever transport carries its requests.
 */
import type { ExecutionSnapshot } from './model';

/** How many executions a connection remembers: a gateway works on a few at a time. */
export const EXECUTION_MEMORY_LIMIT = 1_000;

/** A bounded memory of snapshots by thing and job, the least recently written dropped first. */
export class ExecutionMemory {
  private readonly entries = new Map<string, ExecutionSnapshot>();

  constructor(private readonly limit = EXECUTION_MEMORY_LIMIT) {}

  private static key(thingName: string, jobId: string): string {
    return `${thingName}\n${jobId}`;
  }

  get(thingName: string, jobId: string): ExecutionSnapshot | undefined {
    return this.entries.get(ExecutionMemory.key(thingName, jobId));
  }

  set(thingName: string, jobId: string, snapshot: ExecutionSnapshot): void {
    const key = ExecutionMemory.key(thingName, jobId);
    this.entries.delete(key);
    this.entries.set(key, snapshot);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }
}
