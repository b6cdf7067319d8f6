/**
 * The get-pending-job-executions step: AWS IoT Jobs data plane `GetPendingJobExecutions`, the list of a thing's
 * executions that are not finished, IN_PROGRESS and QUEUED apart: how a gateway finds its work. A read: retried
 * like any request that may succeed later, `changed` always false.
 */
import { connectionFor, type Connection, type ConnectionSettings } from '../../shared/connection';
import type { JobExecutionSummary } from '../model';
import { iotJobs } from '../service';
import { transportFailure } from '../transports/transport';
import { THING_NAME_PARAMETER } from '../job-execution-fields';
import {
  fieldText,
  parseParameters,
  refuseSkipUnchanged,
  type OperationDefinition,
  type Parameter,
  type ShapeMember,
} from '../../shared/operation';
import { StepRun, type StepOptions } from '../../shared/step-run';

const PARAMETERS: readonly Parameter[] = [THING_NAME_PARAMETER];

/** `JobExecutionSummary` in the model's member order. */
const SUMMARY_SHAPE: readonly ShapeMember[] = [
  { name: 'jobId' },
  { name: 'queuedAt', kind: 'integer' },
  { name: 'startedAt', kind: 'integer' },
  { name: 'lastUpdatedAt', kind: 'integer' },
  { name: 'versionNumber', kind: 'integer' },
  { name: 'executionNumber', kind: 'integer' },
];

/** What the step read. */
export interface GetPendingJobExecutionsResult {
  /** Always false: a read changes nothing. */
  readonly changed: false;
  /** The executions IN_PROGRESS, as the service listed them. */
  readonly inProgressJobs: readonly JobExecutionSummary[];
  /** The executions QUEUED, as the service listed them. */
  readonly queuedJobs: readonly JobExecutionSummary[];
  readonly attempts: number;
  readonly requestId?: string | undefined;
}

/** The job a device should work on next: the first in progress, else the first queued. */
function nextJobId(result: GetPendingJobExecutionsResult): string | undefined {
  return (result.inProgressJobs[0] ?? result.queuedJobs[0])?.jobId;
}

/**
 * Lists a thing's pending job executions.
 *
 * @throws StepError with `code` `invalid-input` (nothing sent), `not-found` (no such thing), `throttled`,
 *   `unavailable`, `auth`, `network`, `timeout` or `aborted`.
 * @example const { inProgressJobs, queuedJobs } = await getPendingJobExecutions({ thingName: 'gw-7' });
 */
export async function getPendingJobExecutions(
  input: Readonly<Record<string, unknown>>,
  connection?: Connection | ConnectionSettings,
  options: StepOptions = {},
): Promise<GetPendingJobExecutionsResult> {
  refuseSkipUnchanged(options, 'GetPendingJobExecutions');
  const request = parseParameters(input, PARAMETERS, 'GetPendingJobExecutions') as { readonly thingName: string };
  const aws = connectionFor(connection);
  const { transport } = iotJobs(aws);
  const run = new StepRun(aws.policy, options, aws.pacing);
  const subject = request.thingName;
  const out = await run.call(
    'GetPendingJobExecutions',
    subject,
    (limits) => transport.getPendingJobExecutions(request, limits),
    transportFailure('GetPendingJobExecutions', subject),
  );
  return {
    changed: false,
    inProgressJobs: out.inProgressJobs,
    queuedJobs: out.queuedJobs,
    attempts: run.attempts,
    requestId: out.requestId,
  };
}

/** get-pending-job-executions, for every wrapper. */
export const definition: OperationDefinition<GetPendingJobExecutionsResult> = {
  name: 'get-pending-job-executions',
  service: 'iot-jobs-data',
  awsOperation: 'GetPendingJobExecutions',
  summary:
    "Lists a thing's unfinished AWS IoT job executions (`GetPendingJobExecutions`), those in progress and those " +
    'queued: how a device finds its work. A read changes nothing: `changed` is always `false`.',
  notes: ['Throttling, 5xx and network errors are retried with backoff. A thing that does not exist is `not-found`.'],
  reference: 'https://docs.aws.amazon.com/iot/latest/apireference/API_iot-jobs-data_GetPendingJobExecutions.html',
  parameters: PARAMETERS,
  subject: ['thingName'],
  response: [
    { name: 'inProgressJobs', item: SUMMARY_SHAPE },
    { name: 'queuedJobs', item: SUMMARY_SHAPE },
  ],
  readOnly: true,
  resultMembers: ['inProgressJobs', 'queuedJobs'],
  fields: [
    {
      name: 'in-progress-jobs',
      help: 'the executions in progress, as JSON',
      value: (r) => JSON.stringify(r.inProgressJobs),
    },
    { name: 'queued-jobs', help: 'the executions queued, as JSON', value: (r) => JSON.stringify(r.queuedJobs) },
    {
      name: 'next-job-id',
      help: 'the job to work on next: the first in progress, else the first queued',
      value: (r) => fieldText(nextJobId(r)),
    },
  ],
  statusText: (r) => `${r.inProgressJobs.length} in progress, ${r.queuedJobs.length} queued`,
  toResponse: (r) => ({ inProgressJobs: r.inProgressJobs, queuedJobs: r.queuedJobs }),
  run: getPendingJobExecutions,
};
