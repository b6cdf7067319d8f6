/**
 * What a connection last saw of each job execution. A step that lost the answer to its own update and then finds
 * the execution as asked needs to know whether it already was so before: versions only grow and a terminal state
 * never changes, so "as asked, at the same version, when this connection last looked" is evidence that the step's
 * update did not land; without such evidence the step reports `changed: true`.
 */

/** One execution's state as a service answer showed it. */
export interface ExecutionSnapshot {
  /** Known from a Describe; an UpdateJobExecution answer does not carry it. */
  readonly executionNumber: number | undefined;
  readonly status: string;
  readonly statusDetails: Readonly<Record<string, string>>;
  readonly versionNumber: number;
}

/** An answer's `statusDetails`-like object as a string map: members that are not strings are not details. */
export function detailsOf(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return map;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') map[k] = v;
  return map;
}

/** How many executions a connection remembers: a gateway works on a few at a time. */
export const EXECUTIONS_SEEN_LIMIT = 1_000;

/** A bounded memory of snapshots by thing and job, the least recently written dropped first. */
export class ExecutionsSeen {
  private readonly entries = new Map<string, ExecutionSnapshot>();

  constructor(private readonly limit = EXECUTIONS_SEEN_LIMIT) {}

  private static key(thingName: string, jobId: string): string {
    return `${thingName}\n${jobId}`;
  }

  get(thingName: string, jobId: string): ExecutionSnapshot | undefined {
    return this.entries.get(ExecutionsSeen.key(thingName, jobId));
  }

  set(thingName: string, jobId: string, snapshot: ExecutionSnapshot): void {
    const key = ExecutionsSeen.key(thingName, jobId);
    this.entries.delete(key);
    this.entries.set(key, snapshot);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }
}
