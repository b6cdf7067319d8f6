/**
 * The describe-job-execution step: AWS IoT Jobs data plane `DescribeJobExecution`, the device's read of one
 * execution, or with `jobId` `$next` of the thing's next pending one (IN_PROGRESS first, then QUEUED). A read
 * changes nothing, so it is retried like any request that may succeed later, and `changed` is always false.
 *
 * With nothing pending, `$next` is a result (`noPendingExecution: true`), not an error. How AWS's HTTPS API answers
 * that case is not documented: the MQTT API answers with no execution (aws/aws-iot-device-sdk-cpp-v2#101), and
 * over HTTPS it may be a 200 without `execution` or the model's 404 ResourceNotFoundException (the emulator's
 * setting `describeNextNotFound`). Both are read as "no pending execution"; see `saysNothingPending` for how a 404
 * that means nothing pending is told from one that means the thing does not exist.
 */
import { connectionFor, type Connection, type ConnectionSettings } from '../../shared/connection';
import { StepError } from '../../shared/errors';
import { readExecution } from '../execution-evidence';
import type { JobExecution } from '../model';
import { iotJobs } from '../service';
import {
  EXECUTION_NUMBER_PARAMETER,
  executionFields,
  INCLUDE_JOB_DOCUMENT_PARAMETER,
  JOB_EXECUTION_SHAPE,
  JOB_ID_PARAMETER,
  NEXT_JOB_ID,
  THING_NAME_PARAMETER,
} from '../job-execution-fields';
import {
  NO_PENDING_EXECUTION,
  NO_PENDING_EXECUTION_FIELD,
  refusalSayingNothingPending,
  saysNothingPending,
  serviceMessage,
  type PendingOutcome,
  type ServiceRefusal,
} from '../no-pending-execution';
import { parseParameters, refuseSkipUnchanged, type OperationDefinition, type Parameter } from '../../shared/operation';
import { StepRun, type StepOptions } from '../../shared/step-run';

const PARAMETERS: readonly Parameter[] = [
  {
    ...JOB_ID_PARAMETER,
    help: "The unique identifier assigned to this job when it was created, or $next for the thing's next pending execution (IN_PROGRESS first, then QUEUED).",
    // The model's DescribeJobExecutionJobId: a job id, or the `$next` sentinel.
    rule: {
      min: 1,
      max: 64,
      pattern: /^(?:[a-zA-Z0-9_-]+|\$next)$/,
      patternText: 'letters, digits, - and _, or $next',
    },
  },
  THING_NAME_PARAMETER,
  {
    ...INCLUDE_JOB_DOCUMENT_PARAMETER,
    help: 'Return the job document in the answer; AWS includes it unless this is false.',
  },
  { ...EXECUTION_NUMBER_PARAMETER, help: 'Which execution of the job on the thing; the latest when omitted.' },
];

/** The validated request. */
export interface DescribeJobExecutionInput {
  readonly jobId: string;
  readonly thingName: string;
  readonly includeJobDocument?: boolean;
  readonly executionNumber?: number;
}

/** What the step read. */
export interface DescribeJobExecutionResult extends PendingOutcome {
  /** Always false: a read changes nothing. */
  readonly changed: false;
  /** The execution, as the service returned it; absent when `noPendingExecution`. */
  readonly execution?: JobExecution | undefined;
  /**
   * True only for `$next` when the thing has no pending execution, whether the service answered 200 without an
   * execution or 404 ResourceNotFoundException for it; false whenever there is an execution.
   */
  readonly noPendingExecution: boolean;
  /**
   * The service's 404 when that is how it said nothing is pending (absent after a 200): a drop-in for the AWS CLI
   * fails there as the AWS CLI does.
   */
  readonly serviceRefusal?: ServiceRefusal | undefined;
  readonly attempts: number;
  readonly requestId?: string | undefined;
}

/**
 * Reads a job execution from the device side. With `jobId` `$next` and nothing pending it resolves with
 * `noPendingExecution: true` and no execution.
 *
 * @throws StepError with `code` `invalid-input` (nothing sent), `not-found` (no such job, execution or thing;
 *   never for `$next` with nothing pending), `terminal-state` (the data plane will not show a finished execution),
 *   `throttled`, `unavailable`, `auth`, `network`, `timeout` or `aborted`.
 * @example
 * const { noPendingExecution, execution } = await describeJobExecution({ thingName: 'gw-7', jobId: '$next' });
 * if (noPendingExecution) return; // no work
 */
export async function describeJobExecution(
  input: Readonly<Record<string, unknown>>,
  connection?: Connection | ConnectionSettings,
  options: StepOptions = {},
): Promise<DescribeJobExecutionResult> {
  refuseSkipUnchanged(options, 'DescribeJobExecution');
  const request = parseParameters(input, PARAMETERS, 'DescribeJobExecution') as unknown as DescribeJobExecutionInput;
  const aws = connectionFor(connection);
  const { transport } = iotJobs(aws);
  const run = new StepRun(aws.policy, options, aws.pacing);
  const subject = `${request.thingName}/${request.jobId}`;
  const next = request.jobId === NEXT_JOB_ID;
  let out;
  try {
    out = await readExecution(run, transport, request);
  } catch (error) {
    // The other reading of an undocumented answer: a 404 for `$next` that says nothing is pending. With an
    // executionNumber, a 404 may only say that the next pending execution has another number: not "no work".
    const nothingPending =
      next && request.executionNumber === undefined && error instanceof StepError && saysNothingPending(error);
    if (!nothingPending) throw error;
    options.logger?.debug(`DescribeJobExecution ${subject}: ${NO_PENDING_EXECUTION} (${serviceMessage(error)})`);
    return {
      changed: false,
      noPendingExecution: true,
      serviceRefusal: refusalSayingNothingPending(error),
      attempts: run.attempts,
      requestId: error.requestId,
    };
  }
  return {
    changed: false,
    ...(out.execution && { execution: out.execution }),
    noPendingExecution: next && !out.execution,
    attempts: run.attempts,
    requestId: out.requestId,
  };
}

/** describe-job-execution, for every wrapper. */
export const definition: OperationDefinition<DescribeJobExecutionResult> = {
  name: 'describe-job-execution',
  service: 'iot-jobs-data',
  awsOperation: 'DescribeJobExecution',
  summary:
    'Reads an AWS IoT job execution from the device side (`DescribeJobExecution`): one job, or with the job id ' +
    "`$next` the thing's next pending execution, the one a device should work on now. With nothing pending, " +
    '`$next` is a result, not an error: `noPendingExecution: true` and no execution. A read changes nothing: ' +
    '`changed` is always `false`.',
  notes: [
    'Throttling, 5xx and network errors are retried with backoff. An unknown job or thing ends in `not-found`; an ' +
      'execution that is finished may be refused by the data plane (`terminal-state`).',
    "How AWS's HTTPS API answers `$next` with nothing pending is not documented: a 200 without an execution, or " +
      '404 `ResourceNotFoundException`. Both are the result `noPendingExecution: true` (with the 404 in ' +
      '`serviceRefusal`). A 404 counts as nothing pending only when its message names the execution (pending work, ' +
      '`$next`, a job execution) and does not say the thing does not exist: an unknown thing stays `not-found`.',
  ],
  reference: 'https://docs.aws.amazon.com/iot/latest/apireference/API_iot-jobs-data_DescribeJobExecution.html',
  parameters: PARAMETERS,
  subject: ['thingName', 'jobId'],
  response: [{ name: 'execution', members: JOB_EXECUTION_SHAPE }],
  readOnly: true,
  resultMembers: ['execution', 'noPendingExecution', 'serviceRefusal'],
  fields: [...executionFields<DescribeJobExecutionResult>((r) => r.execution), NO_PENDING_EXECUTION_FIELD],
  statusText: (r) =>
    r.execution
      ? `${r.execution.jobId ?? ''} ${r.execution.status ?? ''}${r.execution.versionNumber === undefined ? '' : ` v${r.execution.versionNumber}`}`.trim()
      : r.noPendingExecution
        ? NO_PENDING_EXECUTION
        : 'no execution',
  toResponse: (r) => ({ execution: r.execution }),
  run: describeJobExecution,
};
