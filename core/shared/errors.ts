/**
 * The one error type of the core. Every failure a step can end in, from a bad input to a lost connection, is a
 * `StepError` with a stable `code` that wrappers can branch on and a `message` a person can act on. What an HTTP
 * request throws is turned into it in one place (`aws-errors.ts`); a transport's refusals are its subclass
 * `JobsRefusal` (`iot-jobs/transports/transport.ts`).
 */

/** What went wrong, as a small stable set. */
export const StepErrorCode = {
  /** The input or the connection settings are wrong; nothing was sent. */
  InvalidInput: 'invalid-input',
  /** The service refused the request as malformed or invalid (a 400 it will not change its mind about). */
  InvalidRequest: 'invalid-request',
  /** The job, thing or execution does not exist (or is not visible to these credentials). */
  NotFound: 'not-found',
  /** The resource is in a state the requested change cannot start from (a finished execution, a canceled job). */
  InvalidTransition: 'invalid-transition',
  /** `expectedVersion` does not match the execution's current version. */
  VersionConflict: 'version-conflict',
  /** The service answered that the execution is in a terminal state and would not show it: nothing could be confirmed. */
  TerminalState: 'terminal-state',
  /** Rate limited, still so after the retries. */
  Throttled: 'throttled',
  /** The service answered 5xx, still so after the retries. */
  Unavailable: 'unavailable',
  /** Credentials missing, refused or expired; a signature or client certificate refused. */
  Auth: 'auth',
  /** The connection failed or was reset, still so after the retries. */
  Network: 'network',
  /** An attempt, or the whole step, ran out of time. */
  Timeout: 'timeout',
  /** The caller's AbortSignal cancelled the step. */
  Aborted: 'aborted',
  /**
   * The service answered success without showing that the change was made (a 200 whose body is not the answer, or
   * whose state is not the one asked; Import/Export's `Success: false`), still so after the retries.
   */
  Unconfirmed: 'unconfirmed',
  /** Any other service error. */
  ServiceError: 'service-error',
  /** A fault of aws-job-steps itself (a bug, not the input's or AWS's): every wrapper reports it with this code. */
  Internal: 'internal',
} as const;
export type StepErrorCode = (typeof StepErrorCode)[keyof typeof StepErrorCode];

/** The AWS operation a step error arose in. */
export type StepOperation =
  | 'UpdateJobExecution'
  | 'DescribeJobExecution'
  | 'GetPendingJobExecutions'
  | 'StartNextPendingJobExecution'
  | 'UpdateJob'
  | 'GetStatus'
  | 'CreateJob'
  | 'CancelJob';

/**
 * How AWS words its refusal of the same input: botocore's own check before sending (`client`, as in "Invalid length
 * for parameter thingName…"), or the service's validation answer (`service`, with its error name). The core refuses
 * such input before sending; a drop-in for the AWS CLI prints this wording as its last line, where scripts look.
 */
export type AwsWording =
  | { readonly by: 'client'; readonly message: string }
  | { readonly by: 'service'; readonly name: string; readonly message: string };

/**
 * How a request that got no answer from the service failed, as far as its effect goes: `never-sent` (the link was
 * down, the connection was refused, the request was refused locally: the service cannot have applied it) or
 * `answer-unknown` (sent, then a reset, a timeout, a lost or unreadable reply: it may have been applied). A step that
 * must report `changed` honestly treats only the second as a request that may have landed.
 */
export type Delivery = 'never-sent' | 'answer-unknown';

/** Everything a `StepError` carries besides its message. */
export interface StepErrorDetails {
  readonly code: StepErrorCode;
  readonly operation?: StepOperation | undefined;
  /** The resource the operation acted on, e.g. `gw-7/fw-42` (a thing and a job) or `JOB01`. */
  readonly subject?: string | undefined;
  /** The input field or connection setting at fault (`invalid-input` only), e.g. `statusDetails.progress`. */
  readonly field?: string | undefined;
  /** How AWS words the same refusal (a bad input, no credentials), where it has words for it. */
  readonly awsWording?: AwsWording | undefined;
  /** The service's own error name, e.g. `InvalidStateTransitionException`. */
  readonly awsErrorName?: string | undefined;
  readonly httpStatus?: number | undefined;
  readonly requestId?: string | undefined;
  /** True when the same request may succeed later (throttling, 5xx, network, timeout). */
  readonly retryable?: boolean | undefined;
  /** For a failure without the service's answer: whether the request can have been applied. */
  readonly delivery?: Delivery | undefined;
  /** Requests the step sent before giving up (0 for input errors). */
  readonly attempts?: number | undefined;
  readonly cause?: unknown;
}

/**
 * A step failed. Branch on `code`; `message` is the reason alone, and `describeFailure` says it with the operation
 * and subject in front, as every wrapper shows it.
 *
 * @example
 * try { await updateJobExecution(input) } catch (e) { if (e instanceof StepError && e.code === 'throttled') ... }
 */
export class StepError extends Error {
  override readonly name = 'StepError';
  readonly code: StepErrorCode;
  readonly operation: StepOperation | undefined;
  readonly subject: string | undefined;
  readonly field: string | undefined;
  readonly awsWording: AwsWording | undefined;
  readonly awsErrorName: string | undefined;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly delivery: Delivery | undefined;
  attempts: number;

  constructor(message: string, details: StepErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.operation = details.operation;
    this.subject = details.subject;
    this.field = details.field;
    this.awsWording = details.awsWording;
    this.awsErrorName = details.awsErrorName;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
    this.retryable = details.retryable ?? false;
    this.delivery = details.delivery;
    this.attempts = details.attempts ?? 0;
  }

  /** A plain object for logs and JSON outputs: never the cause, which may hold a raw response. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      operation: this.operation,
      subject: this.subject,
      field: this.field,
      awsErrorName: this.awsErrorName,
      httpStatus: this.httpStatus,
      requestId: this.requestId,
      retryable: this.retryable,
      attempts: this.attempts,
    };
  }
}

/**
 * What a new error about the same answer keeps of `error`: the service's error name, status and request id, the
 * delivery and the cause; for a step that words a refusal its own way.
 */
export function sameAnswer(
  error: StepError,
): Pick<StepErrorDetails, 'awsErrorName' | 'httpStatus' | 'requestId' | 'delivery' | 'cause'> {
  return {
    awsErrorName: error.awsErrorName,
    httpStatus: error.httpStatus,
    requestId: error.requestId,
    delivery: error.delivery,
    cause: error,
  };
}

/** An input or settings error: `field` is the name the user typed, `problem` and `fix` complete the sentence. */
export function invalidInput(field: string, problem: string, fix: string, awsWording?: AwsWording): StepError {
  return new StepError(`${field} ${problem}; ${fix}`, { code: StepErrorCode.InvalidInput, field, awsWording });
}

/**
 * The service's wording of a model-constraint violation (the AWS JSON services' "1 validation error detected…"),
 * for `constraint` such as `Member must have length less than or equal to 64`.
 */
export function serviceValidation(field: string, value: string, constraint: string): AwsWording {
  return {
    by: 'service',
    name: 'InvalidRequestException',
    message: `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
  };
}

/**
 * A failure as a person reads it, the same in every wrapper: `UpdateJobExecution gw-7/fw-42: <reason>`, or just the
 * reason when the failure belongs to no request (a bad input, a setting).
 *
 * @example describeFailure(error) // 'UpdateJob JOB01: the service answered Success false'
 */
export function describeFailure(error: StepError): string {
  const where = [error.operation, error.subject].filter((part) => part !== undefined).join(' ');
  return where === '' ? error.message : `${where}: ${error.message}`;
}

/** Type guard for wrappers. */
export function isStepError(value: unknown): value is StepError {
  return value instanceof StepError;
}
