/**
 * The IoT Jobs data plane's answers in one form, whatever carried them: timestamps in epoch seconds, the job
 * document as JSON text, `statusDetails` as a string map. HTTPS answers come so; a transport whose wire differs (the
 * MQTT API sends the job document as an object) converts before an operation sees the answer. Member names and
 * order are the `iot-jobs-data` model's, which the wrappers print as the AWS CLI does.
 */

/** An execution's status, as the service names it. */
export type JobExecutionStatus =
  'QUEUED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'REJECTED' | 'REMOVED' | 'CANCELED';

/** The model's `JobExecution`. */
export interface JobExecution {
  readonly jobId?: string | undefined;
  readonly thingName?: string | undefined;
  readonly status?: JobExecutionStatus | undefined;
  readonly statusDetails?: Readonly<Record<string, string>> | undefined;
  readonly queuedAt?: number | undefined;
  readonly startedAt?: number | undefined;
  readonly lastUpdatedAt?: number | undefined;
  readonly approximateSecondsBeforeTimedOut?: number | undefined;
  readonly versionNumber?: number | undefined;
  readonly executionNumber?: number | undefined;
  readonly jobDocument?: string | undefined;
}

/** The model's `JobExecutionState`: what an UpdateJobExecution answer shows. */
export interface JobExecutionState {
  readonly status?: JobExecutionStatus | undefined;
  readonly statusDetails?: Readonly<Record<string, string>> | undefined;
  readonly versionNumber?: number | undefined;
}

/** The model's `JobExecutionSummary`: one line of GetPendingJobExecutions. */
export interface JobExecutionSummary {
  readonly jobId?: string | undefined;
  readonly queuedAt?: number | undefined;
  readonly startedAt?: number | undefined;
  readonly lastUpdatedAt?: number | undefined;
  readonly versionNumber?: number | undefined;
  readonly executionNumber?: number | undefined;
}

/** One execution's state as an answer showed it, complete enough to decide on. */
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

/**
 * A snapshot from an answer's execution or `executionState`, or undefined when it lacks the status or the version;
 * `executionNumber` fills in what an UpdateJobExecution answer does not carry.
 */
export function snapshotOf(value: unknown, executionNumber?: number): ExecutionSnapshot | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.status !== 'string' || typeof v.versionNumber !== 'number') return undefined;
  return {
    executionNumber: typeof v.executionNumber === 'number' ? v.executionNumber : executionNumber,
    status: v.status,
    statusDetails: detailsOf(v.statusDetails),
    versionNumber: v.versionNumber,
  };
}

/** A snapshot as the model's `JobExecutionState`, as a result shows it. */
export function stateOf(execution: ExecutionSnapshot): JobExecutionState {
  return {
    status: execution.status as JobExecutionStatus,
    ...(Object.keys(execution.statusDetails).length > 0 && { statusDetails: { ...execution.statusDetails } }),
    versionNumber: execution.versionNumber,
  };
}
