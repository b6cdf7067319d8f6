/**
 * The update-job-execution step: AWS IoT Jobs `UpdateJobExecution`, made safe to re-run. One request in the
 * common case; on a conflict, one `DescribeJobExecution` decides whether the execution already is what was asked
 * (success, `changed: false`) or why it cannot become so.
 */
import {
  DescribeJobExecutionCommand,
  UpdateJobExecutionCommand,
  type JobExecution,
  type JobExecutionState,
} from '@aws-sdk/client-iot-jobs-data-plane';

import { toStepError } from './aws-errors';
import { connectionFor, type Connection, type ConnectionSettings } from './connection';
import { StepError, StepErrorCode } from './errors';
import {
  parseUpdateJobExecutionInput,
  TERMINAL_STATUSES,
  type UpdateJobExecutionInput,
  type UpdateJobExecutionInputRaw,
} from './job-execution-input';
import { StepRun, type StepOptions } from './step-run';

/** What the step did. */
export interface UpdateJobExecutionResult {
  /** True when this step's request changed the execution; false when it already was as asked. */
  readonly changed: boolean;
  /** Status, details and version: as the service returned them, or as read back while reconciling. */
  readonly executionState?: JobExecutionState | undefined;
  /** The job document, when `includeJobDocument` asked for it. */
  readonly jobDocument?: string | undefined;
  /** Requests sent: retries and reads included. */
  readonly attempts: number;
  /** The request id of the last answer, for AWS support. */
  readonly requestId?: string | undefined;
}

/** IoT Jobs data-plane error names, beyond the common ones. */
const IOT_ERROR_NAMES: Readonly<Record<string, StepErrorCode>> = {
  InvalidRequestException: StepErrorCode.InvalidRequest,
  ResourceNotFoundException: StepErrorCode.NotFound,
  InvalidStateTransitionException: StepErrorCode.InvalidTransition,
  TerminalStateException: StepErrorCode.TerminalState,
  ConflictException: StepErrorCode.InvalidTransition,
};

function sameDetails(
  wanted: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string>> = {},
): boolean {
  const keys = Object.keys(wanted);
  return keys.length === Object.keys(current).length && keys.every((k) => current[k] === wanted[k]);
}

/** Whether `execution` already is what `input` asks for: the status, and the details when they were given. */
function alreadyAsAsked(input: UpdateJobExecutionInput, execution: JobExecution): boolean {
  return (
    execution.status === input.status &&
    (input.statusDetails === undefined || sameDetails(input.statusDetails, execution.statusDetails))
  );
}

function stateOf(execution: JobExecution): JobExecutionState {
  return { status: execution.status, statusDetails: execution.statusDetails, versionNumber: execution.versionNumber };
}

/** The state the caller did not get, because the execution differs: a conflict or an impossible transition. */
function refusal(
  input: UpdateJobExecutionInput,
  execution: JobExecution,
  subject: string,
  cause: StepError,
): StepError {
  const { status, versionNumber } = execution;
  const now = `the execution is ${status} (version ${versionNumber})`;
  const common = {
    operation: 'UpdateJobExecution' as const,
    awsErrorName: cause.awsErrorName,
    httpStatus: cause.httpStatus,
    requestId: cause.requestId,
    cause,
  };
  if (status !== undefined && TERMINAL_STATUSES.has(status)) {
    return new StepError(
      `UpdateJobExecution ${subject}: ${now}; ${input.status} is not reachable from a terminal state, nothing was changed`,
      { code: StepErrorCode.InvalidTransition, ...common },
    );
  }
  if (input.expectedVersion !== undefined && versionNumber !== input.expectedVersion) {
    return new StepError(
      `UpdateJobExecution ${subject}: expectedVersion ${input.expectedVersion} does not match; ${now}. ` +
        `Read it again and pass expectedVersion ${versionNumber}, or leave expectedVersion out`,
      { code: StepErrorCode.VersionConflict, ...common },
    );
  }
  return new StepError(`UpdateJobExecution ${subject}: ${now}; the service refused ${input.status}: ${cause.message}`, {
    code: StepErrorCode.InvalidTransition,
    ...common,
  });
}

/**
 * Sets a job execution's status (and details, step timer…) from the device side, idempotently.
 *
 * `input` is the AWS request shape (`aws iot-jobs-data update-job-execution --generate-cli-skeleton`); numbers,
 * booleans and `statusDetails` may be strings (`"5"`, `"true"`, `'{"step":"2"}'` or `step=2,of=5`).
 *
 * @throws StepError with `code` `invalid-input` (nothing sent), `not-found`, `invalid-transition`,
 *   `version-conflict`, `terminal-state` (the service would not show the execution, so success could not be
 *   confirmed), `throttled`, `unavailable`, `auth`, `network`, `timeout` or `aborted`.
 * @example
 * const { changed } = await updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'SUCCEEDED' });
 */
export async function updateJobExecution(
  input: UpdateJobExecutionInputRaw | UpdateJobExecutionInput,
  connection?: Connection | ConnectionSettings,
  options: StepOptions = {},
): Promise<UpdateJobExecutionResult> {
  const request = parseUpdateJobExecutionInput(input);
  const aws = connectionFor(connection);
  const client = aws.iotJobsClient();
  const run = new StepRun(aws.policy, options);
  const subject = `${request.thingName}/${request.jobId}`;
  const describe = async (): Promise<{ execution: JobExecution; requestId: string | undefined }> => {
    const out = await run.call(
      'DescribeJobExecution',
      subject,
      (limits) =>
        client.send(
          new DescribeJobExecutionCommand({
            thingName: request.thingName,
            jobId: request.jobId,
            executionNumber: request.executionNumber,
            includeJobDocument: request.includeJobDocument ?? false,
          }),
          limits,
        ),
      (error) => toStepError(error, 'DescribeJobExecution', subject, IOT_ERROR_NAMES, aws.tls),
    );
    if (!out.execution) {
      throw new StepError(`DescribeJobExecution ${subject}: the answer held no execution`, {
        code: StepErrorCode.ServiceError,
        operation: 'DescribeJobExecution',
        requestId: out.$metadata.requestId,
        attempts: run.attempts,
      });
    }
    return { execution: out.execution, requestId: out.$metadata.requestId };
  };
  const unchanged = (execution: JobExecution, requestId: string | undefined): UpdateJobExecutionResult => ({
    changed: false,
    executionState: stateOf(execution),
    ...(request.includeJobDocument && { jobDocument: execution.jobDocument }),
    attempts: run.attempts,
    requestId,
  });

  // A step timer asks for an effect (restarting the timer) that reading cannot confirm, so it is always sent.
  if (options.skipUnchanged && request.stepTimeoutInMinutes === undefined) {
    const current = await describe().catch((error: unknown) => {
      // A terminal execution the service will not show: let the update itself answer.
      if (error instanceof StepError && error.code === StepErrorCode.TerminalState) return undefined;
      throw error;
    });
    if (current && alreadyAsAsked(request, current.execution)) {
      options.logger?.debug(`UpdateJobExecution ${subject}: already ${request.status}; nothing sent`);
      return unchanged(current.execution, current.requestId);
    }
  }

  let conflict: StepError;
  try {
    const out = await run.call(
      'UpdateJobExecution',
      subject,
      (limits) => client.send(new UpdateJobExecutionCommand(request), limits),
      (error) => toStepError(error, 'UpdateJobExecution', subject, IOT_ERROR_NAMES, aws.tls),
    );
    return {
      changed: true,
      ...(out.executionState && { executionState: out.executionState }),
      ...(out.jobDocument !== undefined && { jobDocument: out.jobDocument }),
      attempts: run.attempts,
      requestId: out.$metadata.requestId,
    };
  } catch (error) {
    // Any 409 is a conflict: the HTTPS API reports a stale expectedVersion with the same name as a bad transition.
    if (!(error instanceof StepError) || error.httpStatus !== 409) throw error;
    conflict = error;
  }

  let current: Awaited<ReturnType<typeof describe>>;
  try {
    current = await describe();
  } catch (error) {
    if (error instanceof StepError && error.code === StepErrorCode.TerminalState) {
      throw new StepError(
        `UpdateJobExecution ${subject}: the service refused ${request.status} (${conflict.awsErrorName}) and will not ` +
          `show the execution because it is in a terminal state (${error.awsErrorName}). Whether it is ${request.status} ` +
          `is not confirmed; check with \`aws iot describe-job-execution --thing-name ${request.thingName} --job-id ${request.jobId}\``,
        {
          code: StepErrorCode.TerminalState,
          operation: 'UpdateJobExecution',
          awsErrorName: error.awsErrorName,
          httpStatus: error.httpStatus,
          requestId: error.requestId,
          attempts: run.attempts,
          cause: error,
        },
      );
    }
    throw error;
  }
  if (alreadyAsAsked(request, current.execution)) {
    options.logger?.debug(
      `UpdateJobExecution ${subject}: already ${request.status} (version ${current.execution.versionNumber})`,
    );
    return unchanged(current.execution, current.requestId);
  }
  const failure = refusal(request, current.execution, subject, conflict);
  failure.attempts = run.attempts;
  throw failure;
}
