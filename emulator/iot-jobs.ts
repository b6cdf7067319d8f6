/**
 * AWS IoT Jobs, both planes over one in-memory store: the device data plane (`iot-jobs-data`: DescribeJobExecution,
 * GetPendingJobExecutions, StartNextPendingJobExecution, UpdateJobExecution) and the control-plane subset a test or
 * sandbox needs to seed and inspect it (`iot`: CreateThing, CreateJob, DescribeJob, DescribeJobExecution,
 * CancelJobExecution, ListJobExecutionsForJob). Shapes, limits and errors follow the botocore models; the state
 * machine and timers follow the AWS IoT developer guide.
 */
import {
  ATTRIBUTE_NAME,
  ATTRIBUTE_VALUE,
  DESCRIBE_JOB_ID,
  IotError,
  IotErrorName,
  JOB_DESCRIPTION,
  JOB_DOCUMENT,
  JOB_ID,
  MAX_DETAILS_PAIRS,
  TARGET_ARN,
  THING_NAME,
  checkEnum,
  checkRange,
  checkString,
  optionalBoolean,
  optionalDetailsMap,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  parseJsonBody,
  queryBoolean,
  queryInteger,
  required,
  type JsonObject,
} from './iot-validation';
import {
  ServiceName,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorSettings,
  type RoutedOperation,
  type ServiceModule,
} from './types';
import { appendBounded } from './bounded';
import { restJsonError } from './wire';

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

const EXECUTION_STATUSES: readonly JobExecutionStatus[] = Object.values(JobExecutionStatus);

/** Once here an execution never changes again. */
const TERMINAL_STATUSES: ReadonlySet<JobExecutionStatus> = new Set([
  JobExecutionStatus.Succeeded,
  JobExecutionStatus.Failed,
  JobExecutionStatus.TimedOut,
  JobExecutionStatus.Rejected,
  JobExecutionStatus.Removed,
  JobExecutionStatus.Canceled,
]);

/** What a device may report through UpdateJobExecution; the rest are set by the service (timeouts, cancels). */
const DEVICE_STATUSES: readonly JobExecutionStatus[] = [
  JobExecutionStatus.InProgress,
  JobExecutionStatus.Succeeded,
  JobExecutionStatus.Failed,
  JobExecutionStatus.Rejected,
];

/** The job statuses this emulator reaches (CancelJob and scheduling are out of scope). */
const JobStatus = { InProgress: 'IN_PROGRESS', Completed: 'COMPLETED' } as const;
type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

const TargetSelection = { Snapshot: 'SNAPSHOT', Continuous: 'CONTINUOUS' } as const;

/** `RetryableFailureType`: what failure a job's `jobExecutionsRetryConfig` retries; ALL means either. */
const RetryableFailureType = { Failed: 'FAILED', TimedOut: 'TIMED_OUT', All: 'ALL' } as const;
type RetryableFailureType = (typeof RetryableFailureType)[keyof typeof RetryableFailureType];
/**
 * `NumberOfRetries` (0..10) and `RetryCriteriaList` (1..2 items), from the model; the developer guide
 * (jobs-configurations-details) allows "up to 10 retries for both failure types combined", so the sum is bounded too.
 */
const MAX_RETRIES = 10;
const MAX_RETRY_CRITERIA = 2;
type TargetSelection = (typeof TargetSelection)[keyof typeof TargetSelection];

const PROCESS_DETAIL_KEYS: Readonly<Record<JobExecutionStatus, string>> = {
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
const ACCOUNT_ID = '123456789012';
const DEFAULT_REGION = 'us-east-1';
const NEXT_JOB_ID = '$next';
/** Step and in-progress timers: 1 minute to 7 days; -1 on a step timeout cancels the running step timer. */
const MAX_TIMEOUT_MINUTES = 10080;
const CANCEL_STEP_TIMER = -1;
const MAX_LIST_RESULTS = 250;
/**
 * GetPendingJobExecutions returns at most 10 pending executions (developer guide, job-limits: "10", or 15 with a
 * scheduling configuration, which this emulator does not take).
 */
const MAX_PENDING_RETURNED = 10;
const MINUTE_MS = 60_000;

interface Thing {
  readonly thingName: string;
  readonly thingArn: string;
  readonly thingId: string;
  readonly thingTypeName: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

interface Job {
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
interface Transition {
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
interface Execution {
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

interface IotState {
  readonly things: Map<string, Thing>;
  readonly jobs: Map<string, Job>;
  readonly executions: Execution[];
  nextThingSerial: number;
}

function emptyState(): IotState {
  return { things: new Map(), jobs: new Map(), executions: [], nextThingSerial: 1 };
}

/** What an operation sees: the request, its path parameters, and the live store and settings. */
interface OperationContext {
  readonly req: EmulatorRequest;
  readonly params: Readonly<Record<string, string>>;
  readonly state: IotState;
  readonly settings: EmulatorSettings;
}

/** An operation's result: a JSON body, or `undefined` for an empty 200 (operations with no output shape). */
type Handler = (ctx: OperationContext) => object | undefined;

interface Route {
  readonly service: ServiceName;
  readonly method: string;
  /** Literal segments, or `{name}` for a path parameter. */
  readonly path: readonly string[];
  readonly operation: string;
  readonly handler: Handler;
}

// ---------------------------------------------------------------------------------------------------------------
// Time, timers and views

/** The data plane's timestamps are `long` epoch seconds. */
function dataSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}

/** The control plane's are `timestamp` shapes, which rest-json sends as (possibly fractional) epoch seconds. */
function controlSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** The earlier of the two timers, when the execution is IN_PROGRESS and one runs. */
function deadline(exec: Execution): number | undefined {
  if (exec.status !== JobExecutionStatus.InProgress) return undefined;
  const timers = [exec.stepTimeoutAt, exec.inProgressTimeoutAt].filter((t): t is number => t !== undefined);
  return timers.length === 0 ? undefined : Math.min(...timers);
}

function secondsBeforeTimedOut(exec: Execution, now: number): number | undefined {
  const at = deadline(exec);
  // Rounded up so a running timer never reads 0 while the execution is still IN_PROGRESS.
  return at === undefined ? undefined : Math.ceil((at - now) / 1000);
}

/**
 * After a failure, the job's retry configuration may queue the next execution for the thing (developer guide, "Job
 * execution timeout and retry configurations": a device that reports FAILED, or an execution that times out, is
 * retried up to `numberOfRetries` times for that failure type; ALL counts both). Returns it, or undefined.
 */
function retryOf(state: IotState, exec: Execution, now: number): Execution | undefined {
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
function transition(exec: Execution, to: JobExecutionStatus, at: number, operation: string): void {
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
function expireTimers(state: IotState, now: number): void {
  for (const exec of [...state.executions]) {
    const at = deadline(exec);
    if (at === undefined || now < at) continue;
    transition(exec, JobExecutionStatus.TimedOut, at, 'Timeout');
    retryOf(state, exec, at);
  }
}

function nonEmpty(details: Readonly<Record<string, string>>): Record<string, string> | undefined {
  return Object.keys(details).length === 0 ? undefined : { ...details };
}

/** The data plane's `JobExecution`; undefined members vanish in JSON, as AWS leaves unset members out. */
function dataPlaneExecution(exec: Execution, job: Job, now: number, includeDocument: boolean): object {
  return {
    jobId: exec.jobId,
    thingName: exec.thingName,
    status: exec.status,
    statusDetails: nonEmpty(exec.statusDetails),
    queuedAt: dataSeconds(exec.queuedAt),
    startedAt: dataSeconds(exec.startedAt),
    lastUpdatedAt: dataSeconds(exec.lastUpdatedAt),
    approximateSecondsBeforeTimedOut: secondsBeforeTimedOut(exec, now),
    versionNumber: exec.versionNumber,
    executionNumber: exec.executionNumber,
    jobDocument: includeDocument ? job.document : undefined,
  };
}

function dataPlaneSummary(exec: Execution): object {
  return {
    jobId: exec.jobId,
    queuedAt: dataSeconds(exec.queuedAt),
    startedAt: dataSeconds(exec.startedAt),
    lastUpdatedAt: dataSeconds(exec.lastUpdatedAt),
    versionNumber: exec.versionNumber,
    executionNumber: exec.executionNumber,
  };
}

function executionState(exec: Execution): object {
  return { status: exec.status, statusDetails: nonEmpty(exec.statusDetails), versionNumber: exec.versionNumber };
}

/** The control plane's `JobExecution`: thingArn instead of thingName, details wrapped in `detailsMap`. */
function controlPlaneExecution(exec: Execution, now: number): object {
  const details = nonEmpty(exec.statusDetails);
  return {
    jobId: exec.jobId,
    status: exec.status,
    forceCanceled: exec.forceCanceled ? true : undefined,
    statusDetails: details && { detailsMap: details },
    thingArn: exec.thingArn,
    queuedAt: controlSeconds(exec.queuedAt),
    startedAt: controlSeconds(exec.startedAt),
    lastUpdatedAt: controlSeconds(exec.lastUpdatedAt),
    executionNumber: exec.executionNumber,
    versionNumber: exec.versionNumber,
    approximateSecondsBeforeTimedOut: secondsBeforeTimedOut(exec, now),
  };
}

function executionsOf(state: IotState, jobId: string): Execution[] {
  return state.executions.filter((e) => e.jobId === jobId);
}

/** Each target's latest execution of the job: what the job's status and counts are made of (a retry replaces). */
function latestExecutionsOf(state: IotState, jobId: string): Execution[] {
  const latest = new Map<string, Execution>();
  for (const e of executionsOf(state, jobId)) latest.set(e.thingName, e);
  return [...latest.values()];
}

/** A thing's executions of one job, first to latest. */
function executionsOfThing(state: IotState, thingName: string, jobId: string): Execution[] {
  return state.executions.filter((e) => e.thingName === thingName && e.jobId === jobId);
}

/** A SNAPSHOT job completes once every execution is terminal; a CONTINUOUS one stays open for new things. */
function jobStatus(job: Job, executions: readonly Execution[]): JobStatus {
  const allTerminal = executions.every((e) => TERMINAL_STATUSES.has(e.status));
  return job.targetSelection === TargetSelection.Snapshot && allTerminal ? JobStatus.Completed : JobStatus.InProgress;
}

function processDetails(executions: readonly Execution[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of Object.values(PROCESS_DETAIL_KEYS)) counts[key] = 0;
  for (const exec of executions)
    counts[PROCESS_DETAIL_KEYS[exec.status]] = (counts[PROCESS_DETAIL_KEYS[exec.status]] ?? 0) + 1;
  return counts;
}

function jobView(job: Job, executions: readonly Execution[]): object {
  const status = jobStatus(job, executions);
  const lastUpdatedAt = Math.max(job.createdAt, ...executions.map((e) => e.lastUpdatedAt));
  return {
    jobArn: job.jobArn,
    jobId: job.jobId,
    targetSelection: job.targetSelection,
    status,
    targets: [...job.targets],
    description: job.description,
    createdAt: controlSeconds(job.createdAt),
    lastUpdatedAt: controlSeconds(lastUpdatedAt),
    completedAt: status === JobStatus.Completed ? controlSeconds(lastUpdatedAt) : undefined,
    jobProcessDetails: processDetails(executions),
    timeoutConfig:
      job.inProgressTimeoutInMinutes === undefined
        ? undefined
        : { inProgressTimeoutInMinutes: job.inProgressTimeoutInMinutes },
    jobExecutionsRetryConfig:
      Object.keys(job.retries).length === 0
        ? undefined
        : {
            criteriaList: Object.entries(job.retries).map(([failureType, numberOfRetries]) => ({
              failureType,
              numberOfRetries,
            })),
          },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups and shared checks

function notFound(message: string): IotError {
  return new IotError(IotErrorName.ResourceNotFound, message);
}

function requireThing(state: IotState, thingName: string): Thing {
  const thing = state.things.get(thingName);
  if (!thing) throw notFound(`Thing ${thingName} does not exist`);
  return thing;
}

function requireJob(state: IotState, jobId: string): Job {
  const job = state.jobs.get(jobId);
  if (!job) throw notFound(`Job ${jobId} does not exist`);
  return job;
}

/**
 * The thing's execution of the job: the one numbered `executionNumber`, else the latest (the model: "If not
 * specified, the latest job execution is returned"; UpdateJobExecution's HTTP docs say the same of updates).
 */
function requireExecution(
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

function checkExecutionNumber(exec: Execution, executionNumber: number | undefined): void {
  if (executionNumber !== undefined && executionNumber !== exec.executionNumber)
    throw notFound(
      `No job execution with executionNumber ${executionNumber} exists for job ${exec.jobId} on thing ${exec.thingName}`,
    );
}

/** Pending executions in the order a device gets them: IN_PROGRESS before QUEUED, oldest first. */
function pendingExecutions(state: IotState, thingName: string): Execution[] {
  const rank = (e: Execution): number => (e.status === JobExecutionStatus.InProgress ? 0 : 1);
  return state.executions
    .filter((e) => e.thingName === thingName && !TERMINAL_STATUSES.has(e.status))
    .sort((a, b) => rank(a) - rank(b) || a.queuedAt - b.queuedAt || a.executionNumber - b.executionNumber);
}

function jobOf(state: IotState, exec: Execution): Job {
  // Executions are only created with their job and jobs are never deleted, so this always finds one.
  return requireJob(state, exec.jobId);
}

/** `stepTimeoutInMinutes`: 1..10080, or -1 to cancel the step timer. */
function optionalStepTimeout(body: JsonObject): number | undefined {
  const minutes = optionalInteger(body, 'stepTimeoutInMinutes');
  if (minutes === undefined || minutes === CANCEL_STEP_TIMER) return minutes;
  return checkRange(minutes, 'stepTimeoutInMinutes', 1, MAX_TIMEOUT_MINUTES);
}

/**
 * Sets the execution's details from a request's `statusDetails` (setting `statusDetailsUpdate`): replaced by the given
 * map, or the given pairs merged into it. A merge may not leave more than the 10 pairs an execution's details hold
 * (job-limits); nothing is changed when it would.
 */
function applyDetails(exec: Execution, details: Record<string, string> | undefined, settings: EmulatorSettings): void {
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
function applyStepTimeout(exec: Execution, minutes: number | undefined, now: number): void {
  if (minutes === undefined || exec.status !== JobExecutionStatus.InProgress) return;
  exec.stepTimeoutAt = minutes === CANCEL_STEP_TIMER ? undefined : now + minutes * MINUTE_MS;
}

/** Moves an execution to IN_PROGRESS on the device's behalf, starting the job's in-progress timer on the way. */
function startExecution(exec: Execution, job: Job, now: number, operation: string): void {
  const wasQueued = exec.status === JobExecutionStatus.Queued;
  transition(exec, JobExecutionStatus.InProgress, now, operation);
  if (wasQueued && job.inProgressTimeoutInMinutes !== undefined)
    exec.inProgressTimeoutAt = now + job.inProgressTimeoutInMinutes * MINUTE_MS;
}

function terminalStateTransition(exec: Execution, attempted: string, settings?: EmulatorSettings): IotError {
  return new IotError(
    IotErrorName.InvalidStateTransition,
    `Job execution for job ${exec.jobId} on thing ${exec.thingName} is in terminal state ${exec.status} and cannot ${attempted}`,
    conflictBody(exec, settings),
  );
}

/**
 * What a data-plane 409 carries beside its message: the model documents InvalidStateTransitionException as "the
 * body of the error message also contains the executionState field" (setting `conflictExecutionState`).
 */
function conflictBody(exec: Execution, settings: EmulatorSettings | undefined): object | undefined {
  return settings?.conflictExecutionState ? { executionState: executionState(exec) } : undefined;
}

function versionMismatch(exec: Execution, expected: number): string {
  return (
    `Version mismatch for job execution of job ${exec.jobId} on thing ${exec.thingName}: ` +
    `expected version ${expected}, current version ${exec.versionNumber}`
  );
}

/** The region the request was signed for (`Credential=AKID/date/REGION/service/aws4_request`). */
function signedRegion(req: EmulatorRequest): string {
  const authorization = req.headers.authorization ?? '';
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization)?.[1] ?? DEFAULT_REGION;
}

// ---------------------------------------------------------------------------------------------------------------
// Data plane

function describeJobExecutionData({ req, params, state, settings }: OperationContext): object {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  const jobId = checkString(params.jobId, 'jobId', DESCRIBE_JOB_ID);
  // The model: "Unless set to false, the response contains the job document. The default is true."
  const includeDocument = queryBoolean(req.query, 'includeJobDocument') ?? true;
  const executionNumber = queryInteger(req.query, 'executionNumber');
  let exec: Execution;
  if (jobId === NEXT_JOB_ID) {
    requireThing(state, thingName);
    const next = pendingExecutions(state, thingName)[0];
    if (!next) {
      // Undocumented over HTTPS (setting `describeNextNotFound`): by default as the MQTT answer and StartNext, no
      // execution (aws/aws-iot-device-sdk-cpp-v2#101); the other reading, the model's ResourceNotFoundException.
      if (settings.describeNextNotFound) throw notFound(`No pending job execution exists for thing ${thingName}`);
      return {};
    }
    checkExecutionNumber(next, executionNumber);
    exec = next;
  } else {
    exec = requireExecution(state, thingName, jobId, executionNumber).exec;
  }
  // Read live: the admin API flips this setting between requests.
  if (settings.terminalStateOnDescribe && TERMINAL_STATUSES.has(exec.status))
    throw new IotError(
      IotErrorName.TerminalState,
      `Job execution for job ${exec.jobId} on thing ${thingName} is in terminal state ${exec.status}`,
    );
  return { execution: dataPlaneExecution(exec, jobOf(state, exec), req.now, includeDocument) };
}

function getPendingJobExecutions({ params, state }: OperationContext): object {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  requireThing(state, thingName);
  const pending = pendingExecutions(state, thingName).slice(0, MAX_PENDING_RETURNED);
  return {
    inProgressJobs: pending.filter((e) => e.status === JobExecutionStatus.InProgress).map(dataPlaneSummary),
    queuedJobs: pending.filter((e) => e.status === JobExecutionStatus.Queued).map(dataPlaneSummary),
  };
}

/**
 * Starts the thing's next pending execution: a QUEUED one moves to IN_PROGRESS with the request's statusDetails and
 * step timer. What the request does to one already IN_PROGRESS is where AWS's documents part (setting
 * `startNextUpdatesInProgress`):
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
function startNextPendingJobExecution({ req, params, state, settings }: OperationContext): object {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  const body = parseJsonBody(req.body);
  const statusDetails = optionalDetailsMap(body, 'statusDetails', settings.statusDetailsValueLength);
  const stepTimeout = optionalStepTimeout(body);
  // The model documents this member as "1 to 10080" here; -1 only for UpdateJobExecution (setting
  // `startNextAcceptsCancel`: the shape itself is an unbounded long, so AWS may take it).
  if (stepTimeout === CANCEL_STEP_TIMER && !settings.startNextAcceptsCancel)
    checkRange(stepTimeout, 'stepTimeoutInMinutes', 1, MAX_TIMEOUT_MINUTES);
  requireThing(state, thingName);
  const next = pendingExecutions(state, thingName)[0];
  if (!next) return {};
  const job = jobOf(state, next);
  const changesSomething = statusDetails !== undefined || stepTimeout !== undefined;
  // Read live: the admin API flips this setting between requests.
  if (next.status === JobExecutionStatus.Queued || (settings.startNextUpdatesInProgress && changesSomething)) {
    applyDetails(next, statusDetails, settings);
    startExecution(next, job, req.now, 'StartNextPendingJobExecution');
    applyStepTimeout(next, stepTimeout, req.now);
  }
  return { execution: dataPlaneExecution(next, job, req.now, true) };
}

function updateJobExecution({ req, params, state, settings }: OperationContext): object {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const body = parseJsonBody(req.body);
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
  // The data-plane model has no VersionConflictException: a stale version is an invalid transition there.
  if (expectedVersion !== undefined && expectedVersion !== exec.versionNumber)
    throw new IotError(
      IotErrorName.InvalidStateTransition,
      versionMismatch(exec, expectedVersion),
      conflictBody(exec, settings),
    );

  applyDetails(exec, statusDetails, settings);
  if (status === JobExecutionStatus.InProgress) startExecution(exec, job, req.now, 'UpdateJobExecution');
  else transition(exec, status, req.now, 'UpdateJobExecution');
  applyStepTimeout(exec, stepTimeout, req.now);
  retryOf(state, exec, req.now);
  return {
    executionState: includeState ? executionState(exec) : undefined,
    jobDocument: includeDocument ? job.document : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Control plane

function parseAttributes(payload: JsonObject | undefined): Record<string, string> {
  const attributes = payload && optionalObject(payload, 'attributes');
  const parsed: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    checkString(name, 'attributePayload.attributes.key', ATTRIBUTE_NAME);
    parsed[name] = checkString(value, `attributePayload.attributes.${name}`, ATTRIBUTE_VALUE);
  }
  return parsed;
}

function sameAttributes(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** A deterministic UUID-shaped id, so tests can assert exact values. */
function thingId(serial: number): string {
  return `00000000-0000-4000-8000-${serial.toString(16).padStart(12, '0')}`;
}

function createThing({ req, params, state }: OperationContext): object {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  const body = parseJsonBody(req.body);
  const thingTypeName = optionalString(body, 'thingTypeName', THING_NAME);
  const attributes = parseAttributes(optionalObject(body, 'attributePayload'));
  const existing = state.things.get(thingName);
  if (existing) {
    // AWS: the same name and configuration succeeds again; only a different configuration is a conflict.
    if (existing.thingTypeName === thingTypeName && sameAttributes(existing.attributes, attributes))
      return { thingName, thingArn: existing.thingArn, thingId: existing.thingId };
    throw new IotError(
      IotErrorName.ResourceAlreadyExists,
      `Thing ${thingName} already exists in account with different attributes`,
    );
  }
  const thing: Thing = {
    thingName,
    thingArn: `arn:aws:iot:${signedRegion(req)}:${ACCOUNT_ID}:thing/${thingName}`,
    thingId: thingId(state.nextThingSerial++),
    thingTypeName,
    attributes,
    createdAt: req.now,
  };
  state.things.set(thingName, thing);
  return { thingName, thingArn: thing.thingArn, thingId: thing.thingId };
}

function parseTargets(body: JsonObject): string[] {
  const targets = required(body, 'targets');
  if (!Array.isArray(targets) || targets.length === 0)
    throw new IotError(IotErrorName.InvalidRequest, 'targets must be a list of at least 1 ARN');
  return [...new Set(targets.map((t, i) => checkString(t, `targets.${i + 1}.member`, TARGET_ARN)))];
}

function parseInProgressTimeout(body: JsonObject): number | undefined {
  const config = optionalObject(body, 'timeoutConfig');
  const minutes = config && optionalInteger(config, 'inProgressTimeoutInMinutes');
  return minutes === undefined
    ? undefined
    : checkRange(minutes, 'timeoutConfig.inProgressTimeoutInMinutes', 1, MAX_TIMEOUT_MINUTES);
}

function parseDocument(body: JsonObject): string | undefined {
  if (body.documentSource !== undefined)
    throw new IotError(IotErrorName.InvalidRequest, 'documentSource (S3 job documents) is not supported here');
  const document = optionalString(body, 'document', JOB_DOCUMENT);
  if (document !== undefined) {
    try {
      JSON.parse(document);
    } catch {
      throw new IotError(IotErrorName.InvalidRequest, 'The job document is not valid JSON');
    }
  }
  return document;
}

/** `jobExecutionsRetryConfig`: 1 or 2 criteria, each failure type once, 0..10 retries. */
function parseRetryConfig(body: JsonObject): Partial<Record<RetryableFailureType, number>> {
  const config = optionalObject(body, 'jobExecutionsRetryConfig');
  if (!config) return {};
  const list = required(config, 'criteriaList');
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_RETRY_CRITERIA)
    throw new IotError(
      IotErrorName.InvalidRequest,
      `jobExecutionsRetryConfig.criteriaList must hold 1 to ${MAX_RETRY_CRITERIA} criteria`,
    );
  const retries: Partial<Record<RetryableFailureType, number>> = {};
  for (const [i, item] of list.entries()) {
    const field = `jobExecutionsRetryConfig.criteriaList.${i + 1}.member`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new IotError(IotErrorName.InvalidRequest, `${field} must be an object`);
    const criteria = item as JsonObject;
    const type = checkEnum(
      required(criteria, 'failureType'),
      `${field}.failureType`,
      Object.values(RetryableFailureType),
    );
    const count = optionalInteger(criteria, 'numberOfRetries');
    if (count === undefined) throw new IotError(IotErrorName.InvalidRequest, `${field}.numberOfRetries is required`);
    if (retries[type] !== undefined)
      throw new IotError(IotErrorName.InvalidRequest, `failureType ${type} appears twice in the criteriaList`);
    retries[type] = checkRange(count, `${field}.numberOfRetries`, 0, MAX_RETRIES);
  }
  const total = Object.values(retries).reduce((sum, n) => sum + n, 0);
  if (total > MAX_RETRIES)
    throw new IotError(
      IotErrorName.InvalidRequest,
      `jobExecutionsRetryConfig allows up to ${MAX_RETRIES} retries for both failure types combined, not ${total}`,
    );
  return retries;
}

function createJob({ req, params, state, settings }: OperationContext): object {
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const body = parseJsonBody(req.body);
  const targets = parseTargets(body);
  const document = parseDocument(body);
  const description = optionalString(body, 'description', JOB_DESCRIPTION);
  const targetSelection =
    optionalEnum(body, 'targetSelection', Object.values(TargetSelection)) ?? TargetSelection.Snapshot;
  const inProgressTimeoutInMinutes = parseInProgressTimeout(body);
  const retries = parseRetryConfig(body);
  // jobs-configurations-details: "to retry execution because of a timeout failure, you must enable the timeout
  // configuration" (setting `timeoutRetryNeedsTimeoutConfig`: refused here, or accepted and never retried).
  const retriesTimeouts = (retries.TIMED_OUT ?? 0) > 0 || (retries.ALL ?? 0) > 0;
  if (settings.timeoutRetryNeedsTimeoutConfig && retriesTimeouts && inProgressTimeoutInMinutes === undefined)
    throw new IotError(
      IotErrorName.InvalidRequest,
      'To retry on a TIMED_OUT failure (failureType TIMED_OUT or ALL), the job needs a timeoutConfig',
    );
  if (state.jobs.has(jobId))
    throw new IotError(IotErrorName.ResourceAlreadyExists, `Job with id ${jobId} already exists`);
  const things = targets.map((arn) => {
    const thing = [...state.things.values()].find((t) => t.thingArn === arn);
    if (!thing) throw notFound(`Target ${arn} does not exist`);
    return thing;
  });

  const job: Job = {
    jobId,
    jobArn: `arn:aws:iot:${signedRegion(req)}:${ACCOUNT_ID}:job/${jobId}`,
    targets,
    document,
    description,
    targetSelection,
    inProgressTimeoutInMinutes,
    retries,
    createdAt: req.now,
  };
  state.jobs.set(jobId, job);
  for (const thing of things) state.executions.push(queuedExecution(job, thing, req.now, 1, 0, undefined));
  return { jobArn: job.jobArn, jobId, description };
}

function queuedExecution(
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

function describeJob({ params, state }: OperationContext): object {
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const job = requireJob(state, jobId);
  return { job: jobView(job, latestExecutionsOf(state, jobId)) };
}

function describeJobExecutionControl({ req, params, state }: OperationContext): object {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const executionNumber = queryInteger(req.query, 'executionNumber');
  const { exec } = requireExecution(state, thingName, jobId, executionNumber);
  return { execution: controlPlaneExecution(exec, req.now) };
}

function cancelJobExecution({ req, params, state, settings }: OperationContext): undefined {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const force = queryBoolean(req.query, 'force') ?? false;
  const body = parseJsonBody(req.body);
  const expectedVersion = optionalInteger(body, 'expectedVersion');
  const statusDetails = optionalDetailsMap(body, 'statusDetails', settings.statusDetailsValueLength);

  const { exec } = requireExecution(state, thingName, jobId);
  if (TERMINAL_STATUSES.has(exec.status)) throw terminalStateTransition(exec, 'be canceled');
  if (exec.status === JobExecutionStatus.InProgress && !force)
    throw new IotError(
      IotErrorName.InvalidStateTransition,
      `Job execution for job ${jobId} on thing ${thingName} is IN_PROGRESS; set force to true to cancel it`,
    );
  if (expectedVersion !== undefined && expectedVersion !== exec.versionNumber)
    throw new IotError(IotErrorName.VersionConflict, versionMismatch(exec, expectedVersion));

  applyDetails(exec, statusDetails, settings);
  if (force) exec.forceCanceled = true;
  transition(exec, JobExecutionStatus.Canceled, req.now, 'CancelJobExecution');
  return undefined;
}

/** The list's position, opaque to clients (as AWS's tokens are) but trivially checked. */
function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64');
}

function decodeToken(token: string | null): number {
  if (token === null) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match?.[1]) throw new IotError(IotErrorName.InvalidRequest, 'The nextToken is invalid');
  return Number(match[1]);
}

function listJobExecutionsForJob({ req, params, state }: OperationContext): object {
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const statusParam = req.query.get('status');
  const status = statusParam === null ? undefined : checkEnum(statusParam, 'status', EXECUTION_STATUSES);
  const maxResults = queryInteger(req.query, 'maxResults');
  const limit = maxResults === undefined ? MAX_LIST_RESULTS : checkRange(maxResults, 'maxResults', 1, MAX_LIST_RESULTS);
  const offset = decodeToken(req.query.get('nextToken'));
  requireJob(state, jobId);

  const matching = executionsOf(state, jobId)
    // In the order the executions were made: targets' first executions, then retries as they were queued.
    .filter((e) => status === undefined || e.status === status);
  const page = matching.slice(offset, offset + limit);
  return {
    executionSummaries: page.map((e) => ({
      thingArn: e.thingArn,
      jobExecutionSummary: {
        status: e.status,
        queuedAt: controlSeconds(e.queuedAt),
        startedAt: controlSeconds(e.startedAt),
        lastUpdatedAt: controlSeconds(e.lastUpdatedAt),
        executionNumber: e.executionNumber,
        retryAttempt: e.retryAttempt,
      },
    })),
    nextToken: offset + limit < matching.length ? encodeToken(offset + limit) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Routing

/** A route from its HTTP line as the model writes it (`requestUri`), e.g. `GET /things/{thingName}/jobs`. */
function route(service: ServiceName, line: string, operation: string, handler: Handler): Route {
  const [method = '', uri = ''] = line.split(' ');
  return { service, method, path: uri.split('/').filter((s) => s.length > 0), operation, handler };
}

const DATA = ServiceName.IotJobsData;
const CONTROL = ServiceName.IotControl;

/** Both planes; `GET /things/{thingName}/jobs/{jobId}` is in each, so the service is matched before the path. */
const ROUTES: readonly Route[] = [
  route(DATA, 'GET /things/{thingName}/jobs', 'GetPendingJobExecutions', getPendingJobExecutions),
  route(DATA, 'PUT /things/{thingName}/jobs/$next', 'StartNextPendingJobExecution', startNextPendingJobExecution),
  route(DATA, 'GET /things/{thingName}/jobs/{jobId}', 'DescribeJobExecution', describeJobExecutionData),
  route(DATA, 'POST /things/{thingName}/jobs/{jobId}', 'UpdateJobExecution', updateJobExecution),
  route(CONTROL, 'POST /things/{thingName}', 'CreateThing', createThing),
  route(CONTROL, 'PUT /jobs/{jobId}', 'CreateJob', createJob),
  route(CONTROL, 'GET /jobs/{jobId}', 'DescribeJob', describeJob),
  route(CONTROL, 'GET /jobs/{jobId}/things', 'ListJobExecutionsForJob', listJobExecutionsForJob),
  route(CONTROL, 'GET /things/{thingName}/jobs/{jobId}', 'DescribeJobExecution', describeJobExecutionControl),
  route(CONTROL, 'PUT /things/{thingName}/jobs/{jobId}/cancel', 'CancelJobExecution', cancelJobExecution),
];

/** The route's path parameters when `segments` fits its path, else undefined. */
function matchPath(path: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (path.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of path.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith('{')) params[part.slice(1, -1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

function findRoute(req: EmulatorRequest): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.service !== req.service || route.method !== req.method) continue;
    const params = matchPath(route.path, req.segments);
    if (params) return { route, params };
  }
  return undefined;
}

function ok(requestId: string, body: object | undefined): EmulatorResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** Runs a handler against the store, turning modelled errors into rest-json errors and bugs into a 500. */
function runOperation(handler: Handler, ctx: OperationContext): EmulatorResponse {
  const { requestId } = ctx.req;
  try {
    expireTimers(ctx.state, ctx.req.now);
    return ok(requestId, handler(ctx));
  } catch (err) {
    if (err instanceof IotError) return restJsonError(err.status, err.errorName, err.message, requestId, err.body);
    return restJsonError(500, 'InternalFailureException', `emulator failure: ${String(err)}`, requestId);
  }
}

function unknownOperation(req: EmulatorRequest): RoutedOperation {
  return {
    operation: 'UnknownOperation',
    run: () =>
      restJsonError(
        404,
        IotErrorName.UnknownOperation,
        `No ${req.service} operation matches ${req.method} ${req.rawPath}`,
        req.requestId,
      ),
  };
}

function dumpState(state: IotState): object {
  return {
    things: [...state.things.values()],
    jobs: [...state.jobs.values()].map((job) => {
      const executions = latestExecutionsOf(state, job.jobId);
      return { ...job, status: jobStatus(job, executions), jobProcessDetails: processDetails(executions) };
    }),
    executions: state.executions.map((e) => ({ ...e, statusDetails: { ...e.statusDetails }, history: [...e.history] })),
  };
}

/** The IoT module plus a dump that can first apply timers that expired by `now`. */
export interface IotJobsModule extends ServiceModule {
  /**
   * A JSON snapshot: things, jobs (with derived status and counts) and executions with full state, timers as
   * epoch ms, and `history`, one entry per accepted change (update, start-next, cancel, timeout; creation is not
   * one), the last {@link HISTORY_LIMIT}. Pass `now` to expire timers first; without it the snapshot is as of the last request.
   */
  dump(now?: number): unknown;
}

/**
 * Creates the IoT module serving both planes from one store. `settings` is read on every request, so the admin
 * API can change it while the emulator runs.
 */
export function createIotJobs(settings: EmulatorSettings): IotJobsModule {
  let state = emptyState();
  return {
    route(req: EmulatorRequest): RoutedOperation {
      const found = findRoute(req);
      if (!found) return unknownOperation(req);
      const { route, params } = found;
      return { operation: route.operation, run: () => runOperation(route.handler, { req, params, state, settings }) };
    },
    reset(): void {
      state = emptyState();
    },
    dump(now?: number): unknown {
      if (now !== undefined) expireTimers(state, now);
      return dumpState(state);
    },
  };
}
