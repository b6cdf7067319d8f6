/**
 * The AWS IoT Jobs execution model both device planes share: things, jobs, executions, the state machine, timers and
 * retries, and the four device operations (describe, get pending, start next, update) as rules over that state. A
 * plane parses its wire into these calls and renders their results its own way: `iot-jobs.ts` over HTTPS (the
 * `iot-jobs-data` model), `jobs-mqtt.ts` over MQTT (the developer guide's jobs-mqtt-api). The rules follow the botocore
 * models and the AWS IoT developer guide; each names the document it follows.
 */
import {
  DESCRIBE_JOB_ID,
  IotError,
  IotErrorName,
  JOB_ID,
  MAX_DETAILS_PAIRS,
  THING_NAME,
  checkEnum,
  checkRange,
  checkString,
  optionalBoolean,
  optionalDetailsMap,
  optionalInteger,
  required,
  type JsonObject,
} from './iot-validation';
import type { EmulatorSettings } from './types';
import { appendBounded } from './bounded';

/** Changes an execution's history keeps: the most recent ones. */
export const HISTORY_LIMIT = 1_000;

/** Job execution statuses (the `JobExecutionStatus` enum, identical in both models). */
export const JobExecutionStatus = {
  Queued: 'QUEUED',
  InProgress: 'IN_PROGRESS',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  TimedOut: 'TIMED_OUT',
  Rejected: 'REJECTED',
  Removed: 'REMOVED',
  Canceled: 'CANCELED',
} as const;
export type JobExecutionStatus = (typeof JobExecutionStatus)[keyof typeof JobExecutionStatus];

export const EXECUTION_STATUSES: readonly JobExecutionStatus[] = Object.values(JobExecutionStatus);

/** Once here an execution never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<JobExecutionStatus> = new Set([
  JobExecutionStatus.Succeeded,
  JobExecutionStatus.Failed,
  JobExecutionStatus.TimedOut,
  JobExecutionStatus.Rejected,
  JobExecutionStatus.Removed,
  JobExecutionStatus.Canceled,
]);

/** What a device may report through UpdateJobExecution; the rest are set by the service (timeouts, cancels). */
export const DEVICE_STATUSES: readonly JobExecutionStatus[] = [
  JobExecutionStatus.InProgress,
  JobExecutionStatus.Succeeded,
  JobExecutionStatus.Failed,
  JobExecutionStatus.Rejected,
];

/** The job statuses this emulator reaches (CancelJob and scheduling are out of scope). */
export const JobStatus = { InProgress: 'IN_PROGRESS', Completed: 'COMPLETED' } as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

export const TargetSelection = { Snapshot: 'SNAPSHOT', Continuous: 'CONTINUOUS' } as const;

/** `RetryableFailureType`: what failure a job's `jobExecutionsRetryConfig` retries; ALL means either. */
export const RetryableFailureType = { Failed: 'FAILED', TimedOut: 'TIMED_OUT', All: 'ALL' } as const;
export type RetryableFailureType = (typeof RetryableFailureType)[keyof typeof RetryableFailureType];
/**
 * `NumberOfRetries` (0..10) and `RetryCriteriaList` (1..2 items), from the model; the developer guide
 * (jobs-configurations-details) allows "up to 10 retries for both failure types combined", so the sum is bounded too.
 */
export const MAX_RETRIES = 10;
export const MAX_RETRY_CRITERIA = 2;
export type TargetSelection = (typeof TargetSelection)[keyof typeof TargetSelection];

export const PROCESS_DETAIL_KEYS: Readonly<Record<JobExecutionStatus, string>> = {
  QUEUED: 'numberOfQueuedThings',
  IN_PROGRESS: 'numberOfInProgressThings',
  SUCCEEDED: 'numberOfSucceededThings',
  FAILED: 'numberOfFailedThings',
  TIMED_OUT: 'numberOfTimedOutThings',
  REJECTED: 'numberOfRejectedThings',
  REMOVED: 'numberOfRemovedThings',
  CANCELED: 'numberOfCanceledThings',
};

/** The account every ARN names; the region comes from each request's signature. */
export const ACCOUNT_ID = '123456789012';
export const DEFAULT_REGION = 'us-east-1';
export const NEXT_JOB_ID = '$next';
/** Step and in-progress timers: 1 minute to 7 days; -1 on a step timeout cancels the running step timer. */
export const MAX_TIMEOUT_MINUTES = 10080;
export const CANCEL_STEP_TIMER = -1;
export const MAX_LIST_RESULTS = 250;
/**
 * GetPendingJobExecutions returns at most 10 pending executions (developer guide, job-limits: "10", or 15 with a
 * scheduling configuration, which this emulator does not take).
 */
export const MAX_PENDING_RETURNED = 10;
export const MINUTE_MS = 60_000;

export interface Thing {
  readonly thingName: string;
  readonly thingArn: string;
  readonly thingId: string;
  readonly thingTypeName: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

export interface Job {
  readonly jobId: string;
  readonly jobArn: string;
  readonly targets: readonly string[];
  readonly document: string | undefined;
  readonly description: string | undefined;
  readonly targetSelection: TargetSelection;
  readonly inProgressTimeoutInMinutes: number | undefined;
  /** `jobExecutionsRetryConfig.criteriaList`, by failure type; empty when the job retries nothing. */
  readonly retries: Readonly<Partial<Record<RetryableFailureType, number>>>;
  readonly createdAt: number;
}

/** One accepted change of an execution, in the order applied; `at` is emulator epoch ms. */
export interface Transition {
  readonly operation: string;
  readonly from: JobExecutionStatus;
  readonly to: JobExecutionStatus;
  /**
   * The details the change left, so a test can tell which report made each change. The history is the emulator's own
   * admin view (`GET /_emulator/state`); AWS keeps no such list, so no AWS answer carries it.
   */
  readonly statusDetails: Readonly<Record<string, string>>;
  readonly versionNumber: number;
  readonly at: number;
}

/** All times are emulator epoch milliseconds; each plane converts on the way out. */
export interface Execution {
  readonly jobId: string;
  readonly thingName: string;
  readonly thingArn: string;
  /** AWS numbers a thing's executions of one job from 1; a retry gets the next number. */
  readonly executionNumber: number;
  /** 0 for the first execution, n for the n-th retry (`JobExecutionSummary.retryAttempt`). */
  readonly retryAttempt: number;
  /** Which failure this execution's retry was made for (undefined for the first). */
  readonly retryFor: 'FAILED' | 'TIMED_OUT' | undefined;
  status: JobExecutionStatus;
  statusDetails: Record<string, string>;
  readonly queuedAt: number;
  startedAt: number | undefined;
  lastUpdatedAt: number;
  versionNumber: number;
  /** Set by stepTimeoutInMinutes. */
  stepTimeoutAt: number | undefined;
  /** Set from the job's timeoutConfig when the execution moves to IN_PROGRESS. */
  inProgressTimeoutAt: number | undefined;
  forceCanceled: boolean;
  readonly history: Transition[];
}

/** `CertificateStatus`, as the iot model lists it; only ACTIVE ones connect. */
export type CertificateStatus =
  'ACTIVE' | 'INACTIVE' | 'REVOKED' | 'PENDING_TRANSFER' | 'REGISTER_INACTIVE' | 'PENDING_ACTIVATION';

/** A registered device certificate (CreateKeysAndCertificate, RegisterCertificate[WithoutCA]). */
export interface Certificate {
  /** AWS's id: the SHA-256 of the DER, 64 hex digits; how a connection's certificate is found. */
  readonly certificateId: string;
  readonly certificateArn: string;
  readonly certificatePem: string;
  status: CertificateStatus;
  readonly createdAt: number;
}

export interface IotState {
  readonly things: Map<string, Thing>;
  readonly jobs: Map<string, Job>;
  readonly executions: Execution[];
  readonly certificates: Map<string, Certificate>;
  /** AttachThingPrincipal: each thing's principals (certificate ARNs). */
  readonly principals: Map<string, Set<string>>;
  nextThingSerial: number;
}

export function emptyState(): IotState {
  return {
    things: new Map(),
    jobs: new Map(),
    executions: [],
    certificates: new Map(),
    principals: new Map(),
    nextThingSerial: 1,
  };
}

/** The earlier of the two timers, when the execution is IN_PROGRESS and one runs. */
export function deadline(exec: Execution): number | undefined {
  if (exec.status !== JobExecutionStatus.InProgress) return undefined;
  const timers = [exec.stepTimeoutAt, exec.inProgressTimeoutAt].filter((t): t is number => t !== undefined);
  return timers.length === 0 ? undefined : Math.min(...timers);
}

export function secondsBeforeTimedOut(exec: Execution, now: number): number | undefined {
  const at = deadline(exec);
  // Rounded up so a running timer never reads 0 while the execution is still IN_PROGRESS.
  return at === undefined ? undefined : Math.ceil((at - now) / 1000);
}

/**
 * After a failure, the job's retry configuration may queue the next execution for the thing (developer guide, "Job
 * execution timeout and retry configurations": a device that reports FAILED, or an execution that times out, is
 * retried up to `numberOfRetries` times for that failure type; ALL counts both). Returns it, or undefined.
 */
export function retryOf(state: IotState, exec: Execution, now: number): Execution | undefined {
  const failure =
    exec.status === JobExecutionStatus.Failed
      ? 'FAILED'
      : exec.status === JobExecutionStatus.TimedOut
        ? 'TIMED_OUT'
        : undefined;
  if (!failure) return undefined;
  const job = jobOf(state, exec);
  // "To retry execution because of a timeout failure, you must enable the timeout configuration"
  // (jobs-configurations-details). Under the default reading CreateJob refused such a job; under the other one it
  // exists, and its timeouts are never retried.
  if (failure === 'TIMED_OUT' && job.inProgressTimeoutInMinutes === undefined) return undefined;
  const own = job.retries[failure];
  const allowed = own ?? job.retries.ALL ?? 0;
  const made = executionsOfThing(state, exec.thingName, exec.jobId).filter(
    (e) => e.retryFor !== undefined && (own === undefined || e.retryFor === failure),
  ).length;
  if (made >= allowed) return undefined;
  const thing = requireThing(state, exec.thingName);
  const retry = queuedExecution(job, thing, now, exec.executionNumber + 1, exec.retryAttempt + 1, failure);
  state.executions.push(retry);
  return retry;
}

/** Records an accepted change: the only place status and versionNumber move. */
export function transition(exec: Execution, to: JobExecutionStatus, at: number, operation: string): void {
  const from = exec.status;
  exec.status = to;
  exec.versionNumber += 1;
  exec.lastUpdatedAt = at;
  if (from === JobExecutionStatus.Queued) exec.startedAt ??= at;
  if (TERMINAL_STATUSES.has(to)) {
    exec.stepTimeoutAt = undefined;
    exec.inProgressTimeoutAt = undefined;
  }
  appendBounded(
    exec.history,
    { operation, from, to, statusDetails: { ...exec.statusDetails }, versionNumber: exec.versionNumber, at },
    HISTORY_LIMIT,
  );
}

/**
 * Timers are evaluated lazily (there is no background clock: the admin clock only moves `now`), so every request
 * first times out whatever expired. The execution times out at its deadline, not at the request that notices.
 */
export function expireTimers(state: IotState, now: number): void {
  for (const exec of [...state.executions]) {
    const at = deadline(exec);
    if (at === undefined || now < at) continue;
    transition(exec, JobExecutionStatus.TimedOut, at, 'Timeout');
    retryOf(state, exec, at);
  }
}

export function nonEmpty(details: Readonly<Record<string, string>>): Record<string, string> | undefined {
  return Object.keys(details).length === 0 ? undefined : { ...details };
}

export function executionState(exec: Execution): object {
  return { status: exec.status, statusDetails: nonEmpty(exec.statusDetails), versionNumber: exec.versionNumber };
}

export function executionsOf(state: IotState, jobId: string): Execution[] {
  return state.executions.filter((e) => e.jobId === jobId);
}

/** Each target's latest execution of the job: what the job's status and counts are made of (a retry replaces). */
export function latestExecutionsOf(state: IotState, jobId: string): Execution[] {
  const latest = new Map<string, Execution>();
  for (const e of executionsOf(state, jobId)) latest.set(e.thingName, e);
  return [...latest.values()];
}

/** A thing's executions of one job, first to latest. */
export function executionsOfThing(state: IotState, thingName: string, jobId: string): Execution[] {
  return state.executions.filter((e) => e.thingName === thingName && e.jobId === jobId);
}

/** A SNAPSHOT job completes once every execution is terminal; a CONTINUOUS one stays open for new things. */
export function jobStatus(job: Job, executions: readonly Execution[]): JobStatus {
  const allTerminal = executions.every((e) => TERMINAL_STATUSES.has(e.status));
  return job.targetSelection === TargetSelection.Snapshot && allTerminal ? JobStatus.Completed : JobStatus.InProgress;
}

export function processDetails(executions: readonly Execution[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of Object.values(PROCESS_DETAIL_KEYS)) counts[key] = 0;
  for (const exec of executions)
    counts[PROCESS_DETAIL_KEYS[exec.status]] = (counts[PROCESS_DETAIL_KEYS[exec.status]] ?? 0) + 1;
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups and shared checks

export function notFound(message: string): IotError {
  return new IotError(IotErrorName.ResourceNotFound, message);
}

export function requireThing(state: IotState, thingName: string): Thing {
  const thing = state.things.get(thingName);
  if (!thing) throw notFound(`Thing ${thingName} does not exist`);
  return thing;
}

export function requireJob(state: IotState, jobId: string): Job {
  const job = state.jobs.get(jobId);
  if (!job) throw notFound(`Job ${jobId} does not exist`);
  return job;
}

/**
 * The thing's execution of the job: the one numbered `executionNumber`, else the latest (the model: "If not
 * specified, the latest job execution is returned"; UpdateJobExecution's HTTP docs say the same of updates).
 */
export function requireExecution(
  state: IotState,
  thingName: string,
  jobId: string,
  executionNumber?: number,
): { exec: Execution; job: Job } {
  requireThing(state, thingName);
  const job = requireJob(state, jobId);
  const all = executionsOfThing(state, thingName, jobId);
  const exec = executionNumber === undefined ? all.at(-1) : all.find((e) => e.executionNumber === executionNumber);
  if (!exec) {
    if (executionNumber !== undefined && all.length > 0)
      throw notFound(
        `No job execution with executionNumber ${executionNumber} exists for job ${jobId} on thing ${thingName}`,
      );
    throw notFound(`No job execution exists for job ${jobId} on thing ${thingName}`);
  }
  return { exec, job };
}

export function checkExecutionNumber(exec: Execution, executionNumber: number | undefined): void {
  if (executionNumber !== undefined && executionNumber !== exec.executionNumber)
    throw notFound(
      `No job execution with executionNumber ${executionNumber} exists for job ${exec.jobId} on thing ${exec.thingName}`,
    );
}

/** Pending executions in the order a device gets them: IN_PROGRESS before QUEUED, oldest first. */
export function pendingExecutions(state: IotState, thingName: string): Execution[] {
  const rank = (e: Execution): number => (e.status === JobExecutionStatus.InProgress ? 0 : 1);
  return state.executions
    .filter((e) => e.thingName === thingName && !TERMINAL_STATUSES.has(e.status))
    .sort((a, b) => rank(a) - rank(b) || a.queuedAt - b.queuedAt || a.executionNumber - b.executionNumber);
}

export function jobOf(state: IotState, exec: Execution): Job {
  // Executions are only created with their job and jobs are never deleted, so this always finds one.
  return requireJob(state, exec.jobId);
}

/** `stepTimeoutInMinutes`: 1..10080, or -1 to cancel the step timer. */
export function optionalStepTimeout(body: JsonObject): number | undefined {
  const minutes = optionalInteger(body, 'stepTimeoutInMinutes');
  if (minutes === undefined || minutes === CANCEL_STEP_TIMER) return minutes;
  return checkRange(minutes, 'stepTimeoutInMinutes', 1, MAX_TIMEOUT_MINUTES);
}

/**
 * Sets the execution's details from a request's `statusDetails` (setting `statusDetailsUpdate`): replaced by the given
 * map, or the given pairs merged into it. A merge may not leave more than the 10 pairs an execution's details hold
 * (job-limits); nothing is changed when it would.
 */
export function applyDetails(
  exec: Execution,
  details: Record<string, string> | undefined,
  settings: EmulatorSettings,
): void {
  if (details === undefined) return;
  if (settings.statusDetailsUpdate === 'replace') {
    exec.statusDetails = details;
    return;
  }
  const merged = { ...exec.statusDetails, ...details };
  if (Object.keys(merged).length > MAX_DETAILS_PAIRS)
    throw new IotError(
      IotErrorName.InvalidRequest,
      `The job execution's statusDetails would hold ${Object.keys(merged).length} pairs; at most ${MAX_DETAILS_PAIRS} are allowed`,
    );
  exec.statusDetails = merged;
}

/** Starts, resets or cancels the step timer of an execution that is (now) IN_PROGRESS. */
export function applyStepTimeout(exec: Execution, minutes: number | undefined, now: number): void {
  if (minutes === undefined || exec.status !== JobExecutionStatus.InProgress) return;
  exec.stepTimeoutAt = minutes === CANCEL_STEP_TIMER ? undefined : now + minutes * MINUTE_MS;
}

/** Moves an execution to IN_PROGRESS on the device's behalf, starting the job's in-progress timer on the way. */
export function startExecution(exec: Execution, job: Job, now: number, operation: string): void {
  const wasQueued = exec.status === JobExecutionStatus.Queued;
  transition(exec, JobExecutionStatus.InProgress, now, operation);
  if (wasQueued && job.inProgressTimeoutInMinutes !== undefined)
    exec.inProgressTimeoutAt = now + job.inProgressTimeoutInMinutes * MINUTE_MS;
}

export function terminalStateTransition(exec: Execution, attempted: string, settings?: EmulatorSettings): IotError {
  return new IotError(
    IotErrorName.InvalidStateTransition,
    `Job execution for job ${exec.jobId} on thing ${exec.thingName} is in terminal state ${exec.status} and cannot ${attempted}`,
    conflictBody(exec, settings),
    executionState(exec),
  );
}

/**
 * What a data-plane 409 carries beside its message: the model documents InvalidStateTransitionException as "the
 * body of the error message also contains the executionState field" (setting `conflictExecutionState`).
 */
export function conflictBody(exec: Execution, settings: EmulatorSettings | undefined): object | undefined {
  return settings?.conflictExecutionState ? { executionState: executionState(exec) } : undefined;
}

export function versionMismatch(exec: Execution, expected: number): string {
  return (
    `Version mismatch for job execution of job ${exec.jobId} on thing ${exec.thingName}: ` +
    `expected version ${expected}, current version ${exec.versionNumber}`
  );
}

export function queuedExecution(
  job: Job,
  thing: Thing,
  now: number,
  executionNumber: number,
  retryAttempt: number,
  retryFor: Execution['retryFor'],
): Execution {
  return {
    jobId: job.jobId,
    thingName: thing.thingName,
    thingArn: thing.thingArn,
    executionNumber,
    retryAttempt,
    retryFor,
    status: JobExecutionStatus.Queued,
    statusDetails: {},
    queuedAt: now,
    startedAt: undefined,
    lastUpdatedAt: now,
    versionNumber: 1,
    stepTimeoutAt: undefined,
    inProgressTimeoutAt: undefined,
    forceCanceled: false,
    history: [],
  };
}
// ---------------------------------------------------------------------------------------------------------------
// The device operations, as both planes apply them

/** What a device operation runs against: the live store, the settings (read live), and emulator time. */
export interface DeviceContext {
  readonly state: IotState;
  readonly settings: EmulatorSettings;
  readonly now: number;
  /**
   * A read that lags (the `lagging-read` fault): executions queued at or after this time are not yet visible to
   * `$next`, start-next or the pending list, as a `notify` can reach a device before those reads see its job (the
   * eventual consistency AWS's Greengrass nucleus retries around).
   */
  readonly visibleBefore?: number;
}

/** The thing's pending executions as this read sees them. */
function visiblePending(ctx: DeviceContext, thingName: string): Execution[] {
  const all = pendingExecutions(ctx.state, thingName);
  const before = ctx.visibleBefore;
  return before === undefined ? all : all.filter((e) => e.queuedAt < before);
}

/**
 * A stale `expectedVersion`: InvalidStateTransitionException over HTTPS (the data-plane model has no
 * VersionConflictException), `VersionMismatch` over MQTT (jobs-mqtt-api's error codes).
 */
export class VersionMismatch extends IotError {}

/**
 * DescribeJobExecution: the thing's execution of `jobId`, or of the next pending one (`$next`); undefined when `$next`
 * names nothing. A terminal execution is refused under `terminalStateOnDescribe` (TerminalStateException over HTTPS,
 * `TerminalStateReached` over MQTT: "a command to describe a job … in a terminal state", jobs-mqtt-api).
 */
export function describeExecution(
  ctx: DeviceContext,
  thingName: string,
  jobId: string,
  executionNumber: number | undefined,
): { exec: Execution; job: Job } | undefined {
  checkString(thingName, 'thingName', THING_NAME);
  checkString(jobId, 'jobId', DESCRIBE_JOB_ID);
  const { state, settings } = ctx;
  let exec: Execution;
  if (jobId === NEXT_JOB_ID) {
    requireThing(state, thingName);
    const next = visiblePending(ctx, thingName)[0];
    if (!next) {
      // Undocumented over HTTPS (setting `describeNextNotFound`): by default as the MQTT answer and StartNext, no
      // execution (aws/aws-iot-device-sdk-cpp-v2#101); the other reading, the model's ResourceNotFoundException.
      if (settings.describeNextNotFound) throw notFound(`No pending job execution exists for thing ${thingName}`);
      return undefined;
    }
    checkExecutionNumber(next, executionNumber);
    exec = next;
  } else {
    exec = requireExecution(state, thingName, jobId, executionNumber).exec;
  }
  if (settings.terminalStateOnDescribe && TERMINAL_STATUSES.has(exec.status))
    throw new IotError(
      IotErrorName.TerminalState,
      `Job execution for job ${exec.jobId} on thing ${thingName} is in terminal state ${exec.status}`,
    );
  return { exec, job: jobOf(state, exec) };
}

/** GetPendingJobExecutions: at most {@link MAX_PENDING_RETURNED}, IN_PROGRESS then QUEUED, oldest first. */
export function pendingOf(ctx: DeviceContext, thingName: string): { inProgress: Execution[]; queued: Execution[] } {
  checkString(thingName, 'thingName', THING_NAME);
  requireThing(ctx.state, thingName);
  const pending = visiblePending(ctx, thingName).slice(0, MAX_PENDING_RETURNED);
  return {
    inProgress: pending.filter((e) => e.status === JobExecutionStatus.InProgress),
    queued: pending.filter((e) => e.status === JobExecutionStatus.Queued),
  };
}

/**
 * StartNextPendingJobExecution: starts the thing's next pending execution; a QUEUED one moves to IN_PROGRESS with
 * the request's statusDetails and step timer; undefined when nothing is pending. What the request does to one
 * already IN_PROGRESS is where AWS's documents part (setting `startNextUpdatesInProgress`):
 * - the developer guide's Jobs device HTTP API and MQTT API pages
 *   (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-http-device-api.html,
 *   https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html) say "If the next pending job execution
 *   is already IN_PROGRESS, its status details don't change", and of the step timer only that one can be created;
 * - the model (botocore `iot-jobs-data/2017-09-29`, as the API reference
 *   https://docs.aws.amazon.com/iot/latest/apireference/API_iot-jobs-data_StartNextPendingJobExecution.html renders
 *   it) says of statusDetails only "If not specified, the statusDetails are unchanged", with no exception for
 *   IN_PROGRESS, and of stepTimeoutInMinutes that the timer is reset "by calling UpdateJobExecution, setting the
 *   status to IN_PROGRESS" — start-next is not named.
 * The default (false) is the guide's: it is the only document that speaks to the case, and the model's timer text
 * agrees. Under `true` the request is applied as UpdateJobExecution to IN_PROGRESS would apply it: one transition
 * (version + 1, history), the in-progress timer left running. A request with neither member changes nothing.
 */
export function startNext(
  ctx: DeviceContext,
  thingName: string,
  body: JsonObject,
): { exec: Execution; job: Job } | undefined {
  checkString(thingName, 'thingName', THING_NAME);
  const { state, settings, now } = ctx;
  const statusDetails = optionalDetailsMap(body, 'statusDetails', settings.statusDetailsValueLength);
  const stepTimeout = optionalStepTimeout(body);
  // The model documents this member as "1 to 10080" here; -1 only for UpdateJobExecution (setting
  // `startNextAcceptsCancel`: the shape itself is an unbounded long, so AWS may take it).
  if (stepTimeout === CANCEL_STEP_TIMER && !settings.startNextAcceptsCancel)
    checkRange(stepTimeout, 'stepTimeoutInMinutes', 1, MAX_TIMEOUT_MINUTES);
  requireThing(state, thingName);
  const next = visiblePending(ctx, thingName)[0];
  if (!next) return undefined;
  const job = jobOf(state, next);
  const changesSomething = statusDetails !== undefined || stepTimeout !== undefined;
  if (next.status === JobExecutionStatus.Queued || (settings.startNextUpdatesInProgress && changesSomething)) {
    applyDetails(next, statusDetails, settings);
    startExecution(next, job, now, 'StartNextPendingJobExecution');
    applyStepTimeout(next, stepTimeout, now);
  }
  return { exec: next, job };
}

/** UpdateJobExecution: the device's report, refused on a terminal execution or a stale `expectedVersion`. */
export function updateExecution(
  { state, settings, now }: DeviceContext,
  thingName: string,
  jobId: string,
  body: JsonObject,
): { exec: Execution; job: Job; includeState: boolean; includeDocument: boolean } {
  checkString(thingName, 'thingName', THING_NAME);
  checkString(jobId, 'jobId', JOB_ID);
  const status = checkEnum(required(body, 'status'), 'status', EXECUTION_STATUSES);
  if (!DEVICE_STATUSES.includes(status))
    throw new IotError(
      IotErrorName.InvalidRequest,
      `Invalid status ${status}: UpdateJobExecution accepts only ${DEVICE_STATUSES.join(', ')}`,
    );
  const statusDetails = optionalDetailsMap(body, 'statusDetails', settings.statusDetailsValueLength);
  const stepTimeout = optionalStepTimeout(body);
  const expectedVersion = optionalInteger(body, 'expectedVersion');
  const includeState = optionalBoolean(body, 'includeJobExecutionState') ?? false;
  const includeDocument = optionalBoolean(body, 'includeJobDocument') ?? false;
  const executionNumber = optionalInteger(body, 'executionNumber');

  const { exec, job } = requireExecution(state, thingName, jobId, executionNumber);
  if (TERMINAL_STATUSES.has(exec.status)) throw terminalStateTransition(exec, `be updated to ${status}`, settings);
  if (expectedVersion !== undefined && expectedVersion !== exec.versionNumber)
    throw new VersionMismatch(
      IotErrorName.InvalidStateTransition,
      versionMismatch(exec, expectedVersion),
      conflictBody(exec, settings),
      executionState(exec),
    );

  applyDetails(exec, statusDetails, settings);
  if (status === JobExecutionStatus.InProgress) startExecution(exec, job, now, 'UpdateJobExecution');
  else transition(exec, status, now, 'UpdateJobExecution');
  applyStepTimeout(exec, stepTimeout, now);
  retryOf(state, exec, now);
  return { exec, job, includeState, includeDocument };
}
