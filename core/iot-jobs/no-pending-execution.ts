/**
 * How the device steps say that a thing has no pending job execution, in the same words everywhere: a result, never an
 * error, with `noPendingExecution: true` and no `execution` (describe-job-execution of `$next`, and
 * start-next-pending-job-execution), the status text `no pending execution`, and the action output
 * `no-pending-execution`. A gateway asking "is there work?" gets "no" on the result port.
 */
import { StepErrorCode, type StepError } from '../shared/errors';
import type { ResultField } from '../shared/operation';

/** The words a result with no pending execution is shown in (a node's status, a summary's outcome). */
export const NO_PENDING_EXECUTION = 'no pending execution';

/** What a result that can say "nothing pending" carries. */
export interface PendingOutcome {
  /** True when the thing has no pending job execution: there is no `execution`, and nothing went wrong. */
  readonly noPendingExecution: boolean;
}

/** The result field a workflow routes on: `no-pending-execution`, `true` or `false`. */
export const NO_PENDING_EXECUTION_FIELD: ResultField<PendingOutcome> = {
  name: 'no-pending-execution',
  help: 'true when the thing has no pending job execution (the execution outputs are then empty), else false',
  value: (r) => String(r.noPendingExecution),
};

/** How the service said that nothing is pending, when it said so with an error rather than a 200 without an execution. */
export interface ServiceRefusal {
  readonly awsErrorName: string;
  readonly httpStatus: number;
  /** The service's own message. */
  readonly message: string;
}

/**
 * Words that name what was asked for, the next pending execution: "pending" or `$next`. A message that names only
 * some job execution (an executionNumber that is not the next one's) says nothing of whether work is pending.
 */
const NAMES_EXECUTION = /\bpending\b|\$next/i;
/** Words that say the thing itself does not exist (AWS's IoT registry says "the thing does not exist in your account"). */
const THING_MISSING =
  /\bthing\b.*(?:\bdoes not exist\b|\bdoesn't exist\b|\bnot found\b|\bcannot be found\b|\bcould not be found\b)/i;

/**
 * Whether a ResourceNotFoundException answering `DescribeJobExecution` of `$next` says that the thing has nothing
 * pending, rather than that something else is missing. The error name and status are the same either way, and AWS
 * documents neither message, so only the message can tell them apart: it must name the execution asked for (pending
 * work, `$next`, a job execution) and must not say that a thing does not exist. An unknown thing ("Thing gw-99 does
 * not exist"), or a bare "Not Found" (an endpoint that is not the IoT Jobs data plane, aws/aws-sdk-js#2146), stays a
 * `not-found` error. Should AWS word an unknown thing as the missing execution alone, it would read as nothing
 * pending; the README says so.
 */
export function saysNothingPending(error: StepError): boolean {
  if (error.code !== StepErrorCode.NotFound || error.awsErrorName !== 'ResourceNotFoundException') return false;
  const message = serviceMessage(error);
  return NAMES_EXECUTION.test(message) && !THING_MISSING.test(message);
}

/** The service's own message under a StepError: the SDK exception's message, without our prefix. */
export function serviceMessage(error: StepError): string {
  const cause: unknown = error.cause;
  return cause instanceof Error ? cause.message : error.message;
}

/** The refusal as a result shows it, for a 404 that said nothing is pending (`saysNothingPending`). */
export function refusalSayingNothingPending(error: StepError): ServiceRefusal {
  return {
    awsErrorName: error.awsErrorName ?? 'ResourceNotFoundException',
    httpStatus: error.httpStatus ?? 404,
    message: serviceMessage(error),
  };
}
