/**
 * The start-next-pending-job-execution step: AWS IoT Jobs data plane `StartNextPendingJobExecution`, which hands a
 * device its next pending execution and moves it from QUEUED to IN_PROGRESS, made safe to re-run. The step reads
 * the next pending execution first (`DescribeJobExecution` of `$next`): one already IN_PROGRESS as asked is what
 * start-next would hand back, so nothing is sent and `changed` is false. After a lost answer it reads again before
 * resending, so an execution the lost request started is settled, not started twice.
 */
import { connectionFor, type Connection, type ConnectionSettings } from '../../shared/connection';
import { StepError, StepErrorCode } from '../../shared/errors';
import { isAsAsked, readExecution } from '../execution-evidence';
import type { JobExecution } from '../model';
import { iotJobs } from '../service';
import { JobsRefusal, RefusalKind, transportFailure } from '../transports/transport';
import {
  executionFields,
  JOB_EXECUTION_SHAPE,
  NEXT_JOB_ID,
  parseStartNextStepTimeout,
  STATUS_DETAILS_PARAMETER,
  STEP_TIMEOUT_PARAMETER,
  THING_NAME_PARAMETER,
} from '../job-execution-fields';
import { NO_PENDING_EXECUTION, NO_PENDING_EXECUTION_FIELD, type PendingOutcome } from '../no-pending-execution';
import { parseParameters, type OperationDefinition, type Parameter } from '../../shared/operation';
import { StepRun, type StepOptions } from '../../shared/step-run';

const PARAMETERS: readonly Parameter[] = [
  THING_NAME_PARAMETER,
  {
    ...STATUS_DETAILS_PARAMETER,
    help: 'Up to 10 name/value pairs of text for the execution it starts, as JSON, as KeyName1=string,KeyName2=string, or one pair per line.',
  },
  {
    ...STEP_TIMEOUT_PARAMETER,
    help: 'Minutes (1 to 10080) the device has to finish the execution it starts before it times out; not -1, which only update-job-execution takes.',
    parse: parseStartNextStepTimeout,
  },
];

/** The validated request. */
export interface StartNextPendingJobExecutionInput {
  readonly thingName: string;
  readonly statusDetails?: Readonly<Record<string, string>>;
  readonly stepTimeoutInMinutes?: number;
}

/** What the step did. */
export interface StartNextPendingJobExecutionResult extends PendingOutcome {
  /**
   * True when this step's requests started the execution (or changed it), including a start whose answer was
   * lost; false when it already was IN_PROGRESS as asked, or nothing was pending.
   */
  readonly changed: boolean;
  /** The execution to work on, IN_PROGRESS; absent when nothing is pending. */
  readonly execution?: JobExecution | undefined;
  readonly attempts: number;
  readonly requestId?: string | undefined;
}

const IN_PROGRESS = 'IN_PROGRESS';

/** An answer's execution and its request id. */
interface Read {
  readonly execution: JobExecution | undefined;
  readonly requestId: string | undefined;
}

function sameExecution(a: JobExecution, b: JobExecution): boolean {
  return a.jobId === b.jobId && a.executionNumber === b.executionNumber;
}

/**
 * Starts the thing's next pending job execution, idempotently.
 *
 * A step timer asks for an effect reading cannot confirm, so with `stepTimeoutInMinutes` the start is sent even
 * when the execution already is IN_PROGRESS; AWS then hands it back (its developer guide: an IN_PROGRESS
 * execution's details do not change), and `changed` says whether its version moved.
 *
 * @throws StepError with `code` `invalid-input` (nothing sent), `not-found` (no such thing), `unconfirmed`,
 *   `throttled`, `unavailable`, `auth`, `network`, `timeout` or `aborted`.
 * @example const { changed, execution } = await startNextPendingJobExecution({ thingName: 'gw-7' });
 */
export async function startNextPendingJobExecution(
  input: Readonly<Record<string, unknown>>,
  connection?: Connection | ConnectionSettings,
  options: StepOptions = {},
): Promise<StartNextPendingJobExecutionResult> {
  const aws = connectionFor(connection);
  const request = parseParameters(
    input,
    PARAMETERS,
    'StartNextPendingJobExecution',
    aws.readings,
  ) as unknown as StartNextPendingJobExecutionInput;
  const { transport } = iotJobs(aws);
  const run = new StepRun(aws.policy, options, aws.pacing);
  const { thingName } = request;
  const subject = thingName;

  /** The next pending execution; none when the service finds none (or no thing: start-next will say which). */
  const readNext = async (): Promise<Read> => {
    try {
      const out = await readExecution(
        run,
        transport,
        { thingName, jobId: NEXT_JOB_ID, includeJobDocument: true },
        { subject },
      );
      return { execution: out.execution, requestId: out.requestId };
    } catch (error) {
      if (error instanceof JobsRefusal && error.kind === RefusalKind.NotFound)
        return { execution: undefined, requestId: error.requestId };
      throw error;
    }
  };
  const result = (changed: boolean, read: Read): StartNextPendingJobExecutionResult => ({
    changed,
    ...(read.execution && { execution: read.execution }),
    noPendingExecution: !read.execution,
    attempts: run.attempts,
    requestId: read.requestId,
  });

  const first = await readNext();
  const before = first.execution;
  // Under the merge reading, details holding every pair asked are as asked.
  const asAsked = (e: JobExecution): boolean =>
    isAsAsked({ status: IN_PROGRESS, statusDetails: request.statusDetails }, e, aws.readings.statusDetailsUpdate);
  if (before && asAsked(before) && request.stepTimeoutInMinutes === undefined) {
    options.logger?.debug(
      `StartNextPendingJobExecution ${subject}: ${before.jobId} is already IN_PROGRESS; nothing sent`,
    );
    return result(false, first);
  }
  /** Whether `now` is the execution read before, started or changed since: what a lost start would have done. */
  const startedSinceRead = (now: JobExecution): boolean =>
    before !== undefined &&
    now.status === IN_PROGRESS &&
    sameExecution(before, now) &&
    (before.status !== IN_PROGRESS || (now.versionNumber ?? 0) > (before.versionNumber ?? 0));

  type Sent = Read & { readonly settled: boolean };
  const sent = await run.call<Sent>(
    'StartNextPendingJobExecution',
    subject,
    async (limits) => {
      const answer = await transport.startNextPendingJobExecution(request, limits);
      const shown = answer.execution?.status;
      // A 200 that does not show the execution started (or, when one was pending, shows none) did not start it.
      if ((answer.execution && shown !== IN_PROGRESS) || (!answer.execution && before))
        throw new StepError(
          `the service answered success but showed ${answer.execution ? (shown ?? 'no status') : 'no execution'}` +
            (before ? `, though ${before.jobId ?? 'an execution'} was pending` : ''),
          {
            code: StepErrorCode.Unconfirmed,
            operation: 'StartNextPendingJobExecution',
            subject,
            requestId: answer.requestId,
            retryable: true,
            delivery: 'answer-unknown',
          },
        );
      return { execution: answer.execution, requestId: answer.requestId, settled: false };
    },
    transportFailure('StartNextPendingJobExecution', subject),
    // After an attempt whose effect is unknown, read again: the execution read before is IN_PROGRESS now, so that
    // attempt started it; nothing is pending now, so there is nothing to start; else send again.
    async () => {
      const now = await readNext();
      if (!now.execution) return { ...now, settled: false };
      return startedSinceRead(now.execution) ? { ...now, settled: true } : undefined;
    },
  );
  if (sent.settled) return result(true, sent);
  const now = sent.execution;
  const changed =
    now !== undefined &&
    (before === undefined || !sameExecution(before, now) || now.versionNumber !== before.versionNumber);
  return result(changed, sent);
}

/** start-next-pending-job-execution, for every wrapper. */
export const definition: OperationDefinition<StartNextPendingJobExecutionResult> = {
  name: 'start-next-pending-job-execution',
  service: 'iot-jobs-data',
  awsOperation: 'StartNextPendingJobExecution',
  summary:
    "Starts a thing's next pending AWS IoT job execution (`StartNextPendingJobExecution`): the one already in " +
    'progress, else the oldest queued, which moves to `IN_PROGRESS`. Safe to re-run: a re-run that finds the ' +
    'execution it started says `changed: false`, and a start whose answer was lost is settled by reading, not sent twice.',
  notes: [
    'The step reads the next pending execution first (`DescribeJobExecution` of `$next`); when it already is ' +
      "`IN_PROGRESS` (with the details asked, if any: every pair asked when the connection's `statusDetailsUpdate` is " +
      '`merge`) nothing is sent. With nothing pending the result says ' +
      '`noPendingExecution: true`, with no execution and `changed: false`. A step timeout is always sent, since ' +
      'only the service can restart its timer.',
  ],
  reference: 'https://docs.aws.amazon.com/iot/latest/apireference/API_iot-jobs-data_StartNextPendingJobExecution.html',
  parameters: PARAMETERS,
  subject: ['thingName'],
  response: [{ name: 'execution', members: JOB_EXECUTION_SHAPE }],
  resultMembers: ['execution', 'noPendingExecution'],
  fields: [...executionFields<StartNextPendingJobExecutionResult>((r) => r.execution), NO_PENDING_EXECUTION_FIELD],
  statusText: (r) =>
    r.execution ? `${r.changed ? 'started' : 'unchanged'} ${r.execution.jobId ?? ''}`.trim() : NO_PENDING_EXECUTION,
  toResponse: (r) => ({ execution: r.execution }),
  run: startNextPendingJobExecution,
};
