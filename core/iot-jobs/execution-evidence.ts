/**
 * The evidence every IoT Jobs step decides on, read and judged in one place: one read of an execution through the
 * connection's transport, and whether an execution already is what a request asks for. Pure apart from the read.
 */
import { StepError, StepErrorCode } from '../shared/errors';
import type { StatusDetailsUpdate } from '../shared/readings';
import type { StepRun } from '../shared/step-run';
import { detailsAsAsked } from './job-execution-fields';
import { snapshotOf, type JobExecution } from './model';
import {
  transportFailure,
  type Answer,
  type DescribeJobExecutionRequest,
  type JobsTransport,
} from './transports/transport';

/** What a request asks an execution to be: a status and, when given, details. */
export interface AskedState {
  readonly status: string;
  readonly statusDetails?: Readonly<Record<string, string>> | undefined;
}

/**
 * Whether `execution` already is as `asked`: the status, and the details when they were given (the same map, or
 * under the `merge` reading every asked pair).
 */
export function isAsAsked(
  asked: AskedState,
  execution: {
    readonly status?: string | undefined;
    readonly statusDetails?: Readonly<Record<string, string>> | undefined;
  },
  update: StatusDetailsUpdate,
): boolean {
  return (
    execution.status === asked.status &&
    (asked.statusDetails === undefined || detailsAsAsked(asked.statusDetails, execution.statusDetails, update))
  );
}

/**
 * One `DescribeJobExecution` through the transport, retried by the step's run: the execution as the data plane
 * shows it (none for `$next` with nothing pending, when the service says so with an empty answer). With
 * `expectExecution`, an answer without an execution's status and version is no answer (`unconfirmed`, retried): a
 * step that reads one execution to decide needs it whole.
 */
export function readExecution(
  run: StepRun,
  transport: JobsTransport,
  request: DescribeJobExecutionRequest,
  { expectExecution = false, subject = `${request.thingName}/${request.jobId}` } = {},
): Promise<Answer<{ readonly execution: JobExecution | undefined }>> {
  return run.call(
    'DescribeJobExecution',
    subject,
    async (limits) => {
      const answer = await transport.describeJobExecution(request, limits);
      if (expectExecution && !snapshotOf(answer.execution))
        throw new StepError('the answer held no execution', {
          code: StepErrorCode.Unconfirmed,
          operation: 'DescribeJobExecution',
          subject,
          requestId: answer.requestId,
          retryable: true,
        });
      return answer;
    },
    transportFailure('DescribeJobExecution', subject),
  );
}
