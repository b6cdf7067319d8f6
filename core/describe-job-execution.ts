/**
 * The describe-job-execution step: AWS IoT Jobs data plane `DescribeJobExecution`, the device's read of one
 * execution, or with `jobId` `$next` of the thing's next pending one (IN_PROGRESS first, then QUEUED). A read
 * changes nothing, so it is retried like any request that may succeed later, and `changed` is always false.
 */
import { DescribeJobExecutionCommand, type JobExecution } from '@aws-sdk/client-iot-jobs-data-plane';

import { connectionFor, type Connection, type ConnectionSettings } from './connection';
import { iotJobsDataClient, iotJobsDataErrors } from './iot-jobs-data-client';
import {
  EXECUTION_NUMBER_PARAMETER,
  executionFields,
  INCLUDE_JOB_DOCUMENT_PARAMETER,
  JOB_EXECUTION_SHAPE,
  JOB_ID_PARAMETER,
  THING_NAME_PARAMETER,
} from './job-execution-fields';
import { parseParameters, refuseSkipUnchanged, type OperationDefinition, type Parameter } from './operation';
import { StepRun, type StepOptions } from './step-run';

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
export interface DescribeJobExecutionResult {
  /** Always false: a read changes nothing. */
  readonly changed: false;
  /** The execution, as the service returned it. */
  readonly execution?: JobExecution | undefined;
  readonly attempts: number;
  readonly requestId?: string | undefined;
}

/**
 * Reads a job execution from the device side.
 *
 * @throws StepError with `code` `invalid-input` (nothing sent), `not-found` (no such execution, or with `$next`
 *   nothing pending), `terminal-state` (the data plane will not show a finished execution), `throttled`,
 *   `unavailable`, `auth`, `network`, `timeout` or `aborted`.
 * @example const { execution } = await describeJobExecution({ thingName: 'gw-7', jobId: '$next' });
 */
export async function describeJobExecution(
  input: Readonly<Record<string, unknown>>,
  connection?: Connection | ConnectionSettings,
  options: StepOptions = {},
): Promise<DescribeJobExecutionResult> {
  refuseSkipUnchanged(options, 'DescribeJobExecution');
  const request = parseParameters(input, PARAMETERS, 'DescribeJobExecution') as unknown as DescribeJobExecutionInput;
  const aws = connectionFor(connection);
  const client = iotJobsDataClient(aws);
  const run = new StepRun(aws.policy, options, aws.pacing);
  const subject = `${request.thingName}/${request.jobId}`;
  const out = await run.call(
    'DescribeJobExecution',
    subject,
    (limits) => client.send(new DescribeJobExecutionCommand(request), limits),
    iotJobsDataErrors(aws, 'DescribeJobExecution', subject),
  );
  return { changed: false, execution: out.execution, attempts: run.attempts, requestId: out.$metadata.requestId };
}

/** describe-job-execution, for every wrapper. */
export const definition: OperationDefinition<DescribeJobExecutionResult> = {
  name: 'describe-job-execution',
  service: 'iot-jobs-data',
  awsOperation: 'DescribeJobExecution',
  summary:
    'Reads an AWS IoT job execution from the device side (`DescribeJobExecution`): one job, or with the job id ' +
    "`$next` the thing's next pending execution, the one a device should work on now. A read changes nothing: " +
    '`changed` is always `false`.',
  notes: [
    'Throttling, 5xx and network errors are retried with backoff. `$next` with nothing pending, like an unknown ' +
      'job, ends in `not-found`; an execution that is finished may be refused by the data plane (`terminal-state`).',
  ],
  reference: 'https://docs.aws.amazon.com/iot/latest/apireference/API_iot-jobs-data_DescribeJobExecution.html',
  parameters: PARAMETERS,
  subject: ['thingName', 'jobId'],
  response: [{ name: 'execution', members: JOB_EXECUTION_SHAPE }],
  readOnly: true,
  resultMembers: ['execution'],
  fields: executionFields((r) => r.execution),
  statusText: (r) =>
    r.execution
      ? `${r.execution.jobId ?? ''} ${r.execution.status ?? ''}${r.execution.versionNumber === undefined ? '' : ` v${r.execution.versionNumber}`}`.trim()
      : 'no execution',
  toResponse: (r) => ({ execution: r.execution }),
  run: describeJobExecution,
};
