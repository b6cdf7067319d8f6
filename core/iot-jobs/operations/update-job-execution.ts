/**
 * The update-job-execution step: AWS IoT Jobs `UpdateJobExecution`, made safe to re-run. One request in the
 * common case. When the service refuses it as a conflict, the step decides from the best evidence it can get, in
 * this order: the state the refusal carries; a data-plane `DescribeJobExecution`; and, when the data plane will not
 * show a terminal execution, the control-plane read, if the transport has it. An execution already as asked is
 * success; `changed` says whether this step's requests changed it (the decision table is `update-decisions.ts`).
 */
import { connectionFor, type Connection, type ConnectionSettings } from '../../shared/connection';
import { StepError, StepErrorCode, sameAnswer } from '../../shared/errors';
import { fieldText, parseParameters, type OperationDefinition, type Parameter } from '../../shared/operation';
import { DEFAULT_READINGS, type Readings } from '../../shared/readings';
import { StepRun, type StepOptions } from '../../shared/step-run';
import { isAsAsked, readExecution } from '../execution-evidence';
import { snapshotOf, stateOf, type ExecutionSnapshot, type JobExecutionState } from '../model';
import { iotJobs } from '../service';
import { JobsRefusal, RefusalKind, transportFailure } from '../transports/transport';
import { afterConflict, beforeFor, ConflictVerdict, isUntouchedRetry, refusalError } from './update-decisions';
import {
  DeviceJobStatus,
  EXECUTION_NUMBER_PARAMETER,
  INCLUDE_JOB_DOCUMENT_PARAMETER,
  JOB_ID_PARAMETER,
  parseStatus,
  STATUS_DETAILS_PARAMETER,
  STEP_TIMEOUT_PARAMETER,
  TERMINAL_STATUSES,
  THING_NAME_PARAMETER,
} from '../job-execution-fields';

/** UpdateJobExecution's parameters, in the model's order. */
const PARAMETERS: readonly Parameter[] = [
  JOB_ID_PARAMETER,
  THING_NAME_PARAMETER,
  {
    flag: 'status',
    member: 'status',
    kind: 'string',
    required: true,
    help: 'The new status: IN_PROGRESS, SUCCEEDED, FAILED or REJECTED.',
    label: 'Status',
    skeleton: 'FAILED',
    parse: parseStatus,
  },
  STATUS_DETAILS_PARAMETER,
  STEP_TIMEOUT_PARAMETER,
  {
    flag: 'expected-version',
    member: 'expectedVersion',
    kind: 'integer',
    required: false,
    help: 'The expected current version of the job execution; another version is a version conflict.',
    label: 'Expected version',
    range: { min: 1 },
  },
  {
    flag: 'include-job-execution-state',
    member: 'includeJobExecutionState',
    kind: 'boolean',
    required: false,
    help: 'Return the job execution state (status, details, version) in the answer.',
    label: 'Return state',
  },
  INCLUDE_JOB_DOCUMENT_PARAMETER,
  EXECUTION_NUMBER_PARAMETER,
];

/** The validated request, exactly what UpdateJobExecution takes. */
export interface UpdateJobExecutionInput {
  readonly jobId: string;
  readonly thingName: string;
  readonly status: DeviceJobStatus;
  readonly statusDetails?: Readonly<Record<string, string>>;
  readonly stepTimeoutInMinutes?: number;
  readonly expectedVersion?: number;
  readonly includeJobExecutionState?: boolean;
  readonly includeJobDocument?: boolean;
  readonly executionNumber?: number;
}

/** What callers may pass: the AWS shape, values as their types or as strings. */
export type UpdateJobExecutionInputRaw = { readonly [K in keyof UpdateJobExecutionInput]?: unknown };

/**
 * Parses and validates an update-job-execution input, before anything is sent; `readings` are the connection's (the
 * longest `statusDetails` value follows them).
 *
 * @throws StepError `invalid-input` naming the field, the problem and the fix.
 * @example parseUpdateJobExecutionInput({ jobId: 'fw-42', thingName: 'gw-7', status: 'succeeded', expectedVersion: '3' })
 */
export function parseUpdateJobExecutionInput(
  raw: unknown,
  readings: Readings = DEFAULT_READINGS,
): UpdateJobExecutionInput {
  return parseParameters(raw, PARAMETERS, 'UpdateJobExecution', readings) as unknown as UpdateJobExecutionInput;
}

/** What the step did. */
export interface UpdateJobExecutionResult {
  /**
   * True when this step's requests changed the execution, including an update applied whose answer was lost; false
   * when the execution already was as asked before any of them could have landed.
   */
  readonly changed: boolean;
  /**
   * Status, details and version: as the service returned them (when `includeJobExecutionState` asked), or as read
   * while reconciling.
   */
  readonly executionState?: JobExecutionState | undefined;
  /** The job document, when `includeJobDocument` asked and the answer carried it (a refusal's evidence does not). */
  readonly jobDocument?: string | undefined;
  /** Requests sent: retries and reads included. */
  readonly attempts: number;
  /** The request id of the last answer, for AWS support. */
  readonly requestId?: string | undefined;
}

/** The IAM action that lets the step see a terminal execution the data plane will not show. */
const CONTROL_PLANE_PERMISSION = 'iot:DescribeJobExecution';

/** An execution as a step saw it, with the job document when the answer had one. */
interface Evidence {
  readonly execution: ExecutionSnapshot;
  readonly jobDocument?: string | undefined;
  readonly requestId: string | undefined;
}

/**
 * Sets a job execution's status (and details, step timer…) from the device side, idempotently.
 *
 * `input` is the AWS request shape (`aws iot-jobs-data update-job-execution --generate-cli-skeleton`); numbers,
 * booleans and `statusDetails` may be strings (`"5"`, `"true"`, `'{"step":"2"}'` or `step=2,of=5`).
 *
 * Every update asks for the execution state and checks it: an answer that does not show the status asked is not
 * taken for success. A step without `executionNumber` acts on the execution it first reached: a FAILED report
 * reads the execution first, so that a resend never marks the retry AWS queued after it (a job's
 * `jobExecutionsRetryConfig`), and a re-run finds the report already made.
 *
 * @throws StepError with `code` `invalid-input` (nothing sent), `not-found`, `invalid-transition`,
 *   `version-conflict`, `terminal-state` (no evidence of the execution's state could be had; the message names the
 *   permission that would give it), `unconfirmed`, `throttled`, `unavailable`, `auth`, `network`, `timeout` or
 *   `aborted`.
 * @example
 * const { changed } = await updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'SUCCEEDED' });
 */
export async function updateJobExecution(
  input: UpdateJobExecutionInputRaw | UpdateJobExecutionInput,
  connection?: Connection | ConnectionSettings,
  options: StepOptions = {},
): Promise<UpdateJobExecutionResult> {
  const aws = connectionFor(connection);
  const request = parseUpdateJobExecutionInput(input, aws.readings);
  const update = aws.readings.statusDetailsUpdate;
  const asAsked = (execution: ExecutionSnapshot): boolean => isAsAsked(request, execution, update);
  const { transport, memory } = iotJobs(aws);
  const run = new StepRun(aws.policy, options, aws.pacing);
  const { thingName, jobId } = request;
  const subject = `${thingName}/${jobId}`;
  const terminal = TERMINAL_STATUSES.has(request.status);
  const seen = (evidence: Evidence): Evidence => {
    memory.set(thingName, jobId, evidence.execution);
    return evidence;
  };

  /** The data plane's view, or a `terminal-state` StepError when it will not show a terminal execution. */
  const describeData = async (executionNumber: number | undefined): Promise<Evidence> => {
    const out = await readExecution(
      run,
      transport,
      { thingName, jobId, executionNumber, includeJobDocument: request.includeJobDocument ?? false },
      { expectExecution: true },
    );
    return seen({
      execution: snapshotOf(out.execution, executionNumber)!,
      jobDocument: out.execution?.jobDocument,
      requestId: out.requestId,
    });
  };

  /** The control plane's view of an execution the data plane will not show, or the honest `terminal-state` error. */
  const describeControl = async (executionNumber: number | undefined, hidden: StepError): Promise<Evidence> => {
    const cannotConfirm = (why: string, cause: StepError): StepError =>
      new StepError(
        `the data plane will not show the execution (${hidden.awsErrorName}: it is in a ` +
          `terminal state) and ${why}, so whether it is ${request.status} is not confirmed. Allow ` +
          `${CONTROL_PLANE_PERMISSION} on the thing to let the step confirm, or check with ` +
          `\`aws iot describe-job-execution --thing-name ${thingName} --job-id ${jobId}\``,
        {
          code: StepErrorCode.TerminalState,
          operation: 'UpdateJobExecution',
          subject,
          ...sameAnswer(cause),
          attempts: run.attempts,
        },
      );
    const control = await transport.capability('control-plane-read');
    if (!control.available) throw cannotConfirm(control.why, hidden);
    const on = `${subject} (control plane)`;
    try {
      const out = await run.call(
        'DescribeJobExecution',
        on,
        (limits) => control.use.describeJobExecution({ thingName, jobId, executionNumber }, limits),
        transportFailure('DescribeJobExecution', on),
      );
      return seen(out);
    } catch (error) {
      // Refused by the control plane, or no credentials to ask it with: either way it cannot confirm.
      if (!(error instanceof StepError) || error.code !== StepErrorCode.Auth) throw error;
      throw cannotConfirm(
        error instanceof JobsRefusal
          ? `the control plane refused ${CONTROL_PLANE_PERMISSION} (${error.awsErrorName})`
          : `the control plane could not be asked (${error.message})`,
        error,
      );
    }
  };

  /** The best read of the execution there is: the data plane, else the control plane. */
  const read = async (executionNumber: number | undefined): Promise<Evidence> => {
    try {
      return await describeData(executionNumber);
    } catch (error) {
      if (!(error instanceof JobsRefusal) || error.kind !== RefusalKind.Terminal) throw error;
      return describeControl(executionNumber, error);
    }
  };

  const unchanged = (evidence: Evidence): UpdateJobExecutionResult => ({
    changed: false,
    executionState: stateOf(evidence.execution),
    ...(request.includeJobDocument && evidence.jobDocument !== undefined && { jobDocument: evidence.jobDocument }),
    attempts: run.attempts,
    requestId: evidence.requestId,
  });

  // What the execution was before any update of this step could land: this connection's memory, or a first read.
  let before: ExecutionSnapshot | undefined = memory.get(thingName, jobId);
  let executionNumber = request.executionNumber;
  // A step timer asks for an effect (restarting the timer) that reading cannot confirm, so skipUnchanged sends it.
  const skip = options.skipUnchanged === true && request.stepTimeoutInMinutes === undefined;
  // FAILED may queue a retry execution, which a resend without executionNumber would mark FAILED too.
  const pin = request.status === DeviceJobStatus.Failed && executionNumber === undefined;
  // A terminal execution the data plane will not show needs no control-plane read here: the update's refusal shows
  // it, and no retry can follow a terminal latest execution, so there is nothing to pin.
  const first =
    skip || pin
      ? await describeData(executionNumber).catch((error: unknown) => {
          if (error instanceof JobsRefusal && error.kind === RefusalKind.Terminal) return undefined;
          throw error;
        })
      : undefined;
  if (first) {
    if (pin && isUntouchedRetry(first.execution)) {
      // The retry AWS queued after a FAILED report: if that report is this one, a re-run has nothing to do.
      const previous = await read(first.execution.executionNumber! - 1).catch((error: unknown) => {
        if (error instanceof JobsRefusal && error.kind === RefusalKind.NotFound) return undefined;
        throw error;
      });
      if (previous && asAsked(previous.execution)) {
        options.logger?.debug(
          `UpdateJobExecution ${subject}: execution ${previous.execution.executionNumber} is already ${request.status}`,
        );
        return unchanged(previous);
      }
    }
    if (asAsked(first.execution)) {
      options.logger?.debug(`UpdateJobExecution ${subject}: already ${request.status}; nothing sent`);
      return unchanged(first);
    }
    before = first.execution;
    if (terminal) executionNumber ??= first.execution.executionNumber;
  }
  before = beforeFor(before, executionNumber);

  // The caller's includeJobExecutionState decides what the result shows; the step always asks, to check the answer.
  const sending = {
    ...request,
    includeJobExecutionState: true,
    ...(executionNumber !== undefined && { executionNumber }),
  };
  const uncertainBefore = run.uncertain;
  let conflict: JobsRefusal;
  /** Whether an update attempt's answer was lost: that attempt may be the one that made the execution so. */
  let mayHaveLanded: boolean;
  try {
    const out = await run.call(
      'UpdateJobExecution',
      subject,
      async (limits) => {
        const answer = await transport.updateJobExecution(sending, limits);
        // A success that does not show the status asked did not do what was asked (aws/aws-sdk-js#2539).
        if (answer.executionState?.status !== request.status) {
          const shown = answer.executionState?.status ?? 'no execution state';
          throw new StepError(`the service answered success but showed ${shown}, not ${request.status}`, {
            code: StepErrorCode.Unconfirmed,
            operation: 'UpdateJobExecution',
            subject,
            requestId: answer.requestId,
            retryable: true,
            delivery: 'answer-unknown',
          });
        }
        return answer;
      },
      transportFailure('UpdateJobExecution', subject),
    );
    const state = out.executionState!;
    const snapshot = snapshotOf(state, executionNumber);
    if (snapshot) seen({ execution: snapshot, requestId: out.requestId });
    return {
      changed: true,
      ...(request.includeJobExecutionState && { executionState: state }),
      ...(out.jobDocument !== undefined && { jobDocument: out.jobDocument }),
      attempts: run.attempts,
      requestId: out.requestId,
    };
  } catch (error) {
    // Any conflict: the HTTPS API reports a stale expectedVersion with the same name as a bad transition.
    if (!(error instanceof JobsRefusal) || error.kind !== RefusalKind.Conflict) throw error;
    conflict = error;
    // Counted before any read: a read's lost answer says nothing about the update.
    mayHaveLanded = run.uncertain > uncertainBefore;
  }

  // A refusal's state does not carry the execution number: it is the one the update named, if it named one.
  const current = conflict.current
    ? seen({
        execution: { ...conflict.current, executionNumber: conflict.current.executionNumber ?? executionNumber },
        requestId: conflict.requestId,
      })
    : await read(executionNumber).catch((error: unknown) => {
        if (error instanceof StepError) error.attempts = run.attempts;
        throw error;
      });
  const verdict = afterConflict({ asked: request, current: current.execution, before, mayHaveLanded, update });
  if (verdict === ConflictVerdict.Refused) {
    const failure = refusalError(request, current.execution, subject, conflict);
    failure.attempts = run.attempts;
    throw failure;
  }
  if (verdict === ConflictVerdict.ChangedByLostAnswer) {
    options.logger?.debug(
      `UpdateJobExecution ${subject}: ${request.status}, applied by an attempt whose answer was lost`,
    );
    return { ...unchanged(current), changed: true };
  }
  options.logger?.debug(
    `UpdateJobExecution ${subject}: already ${request.status} (version ${current.execution.versionNumber})`,
  );
  return unchanged(current);
}

/**
 * Whether a waiting IN_PROGRESS report may give way to a newer IN_PROGRESS one: only the latest details matter while
 * in progress. Never across a terminal status, nor for a version-checked update (its check is its meaning), another
 * execution number, or when the newer report leaves out details or a step timer the older one would have set. The
 * newer details must name every key the older ones do: where AWS merges details (`statusDetailsUpdate: merge`), a
 * pair only the older report sets would otherwise be lost, and the outbox does not know the connection's reading.
 */
function progressSupersedes(
  older: Readonly<Record<string, unknown>>,
  newer: Readonly<Record<string, unknown>>,
): boolean {
  const olderDetails = older.statusDetails as Readonly<Record<string, string>> | undefined;
  const newerDetails = newer.statusDetails as Readonly<Record<string, string>> | undefined;
  return (
    older.status === DeviceJobStatus.InProgress &&
    newer.status === DeviceJobStatus.InProgress &&
    older.expectedVersion === undefined &&
    newer.expectedVersion === undefined &&
    older.executionNumber === newer.executionNumber &&
    (olderDetails === undefined ||
      (newerDetails !== undefined && Object.keys(olderDetails).every((k) => Object.hasOwn(newerDetails, k)))) &&
    (older.stepTimeoutInMinutes === undefined || newer.stepTimeoutInMinutes !== undefined)
  );
}

/** update-job-execution, for every wrapper. */
export const definition: OperationDefinition<UpdateJobExecutionResult> = {
  name: 'update-job-execution',
  service: 'iot-jobs-data',
  awsOperation: 'UpdateJobExecution',
  summary:
    'Sets the status of an AWS IoT job execution from the device side (`UpdateJobExecution`), safely: re-sending ' +
    'the same report, or retrying after a lost answer, ends in the same state and says `changed: false`.',
  notes: [
    'On a conflict the step decides from the state AWS sends with the refusal, else by reading the execution (on ' +
      'the control plane, with `iot:DescribeJobExecution`, when the data plane will not show a finished one): if it ' +
      "already has the requested status (and details: the same map, or every pair asked when the connection's " +
      '`statusDetailsUpdate` is `merge`) the result says `changed: false`. `changed` is `true` when ' +
      "the step's own request made the change, even if its answer was lost. A `FAILED` report without " +
      '`executionNumber` reads the execution first, so that a resend never fails the retry AWS queues after it. An ' +
      'answer that does not show the requested status is never taken for success (`unconfirmed`).',
  ],
  reference: 'https://docs.aws.amazon.com/iot/latest/apireference/API_iot-jobs-data_UpdateJobExecution.html',
  parameters: PARAMETERS,
  subject: ['thingName', 'jobId'],
  response: [
    {
      name: 'executionState',
      members: [{ name: 'status' }, { name: 'statusDetails', map: true }, { name: 'versionNumber', kind: 'integer' }],
    },
    { name: 'jobDocument' },
  ],
  // The status and version a wrapper shows come only with the state in the answer.
  resultDefaults: { includeJobExecutionState: true },
  resultMembers: ['executionState', 'jobDocument'],
  fields: [
    { name: 'status', help: "the execution's status afterwards", value: (r) => fieldText(r.executionState?.status) },
    {
      name: 'version-number',
      help: "the execution's version afterwards",
      value: (r) => fieldText(r.executionState?.versionNumber),
    },
    {
      name: 'status-details',
      help: "the execution's details afterwards, as JSON",
      value: (r) => JSON.stringify(r.executionState?.statusDetails ?? {}),
    },
    { name: 'job-document', help: 'the job document, when asked for', value: (r) => fieldText(r.jobDocument) },
  ],
  statusText: (r) =>
    r.changed
      ? `${r.executionState?.status ?? 'updated'}${r.executionState?.versionNumber === undefined ? '' : ` v${r.executionState.versionNumber}`}`
      : 'unchanged',
  toResponse: (r) => ({ executionState: r.executionState, jobDocument: r.jobDocument }),
  outbox: { byDefault: true, supersedes: progressSupersedes },
  run: updateJobExecution,
};
