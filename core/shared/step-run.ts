/**
 * The retry layer, the only one: the SDK clients make one attempt each (`maxAttempts: 1`), and every request a step
 * sends goes through `StepRun.call`, which retries what may succeed later with capped exponential backoff and full
 * jitter, within the connection's attempt count and deadline, and stops at once when the caller aborts.
 */
import { backoffMs, systemClock } from './clock';
import { describeFailure, StepError, StepErrorCode, type StepOperation } from './errors';
import type { FilePolicy } from './input-files';
import type { RetryPolicy } from './connection';
import type { SendPacing } from './send-pacing';

/** Where a step writes what it is doing. Messages never hold credentials or manifests. */
export interface StepLogger {
  debug(message: string): void;
}

/** How a step runs; everything is optional. */
export interface StepOptions {
  /** Cancels the step: the request in flight is aborted and no retry follows. */
  readonly signal?: AbortSignal | undefined;
  /** Read the current state first, and send nothing when it already is what was asked for. */
  readonly skipUnchanged?: boolean | undefined;
  readonly logger?: StepLogger | undefined;
  /**
   * How `file://` values in the input (a `Manifest`) are read. Default: relative to the process's directory, as the
   * AWS CLI reads them; a host that takes input from outside limits them to a directory or refuses them.
   */
  readonly files?: FilePolicy | undefined;
  /** Injected for tests: waits `ms`, rejecting when `signal` aborts. */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Injected for tests: a number in [0, 1) for the jitter. */
  readonly random?: (() => number) | undefined;
  /** Injected for tests: the clock the deadline is kept by, in epoch ms (with `sleep`, no test waits in real time). */
  readonly now?: (() => number) | undefined;
}

/**
 * The limits of one attempt, in the shape the SDK's `client.send(command, options)` and HTTP handlers take: the
 * handler ends the request at `requestTimeout` (ms) with a `TimeoutError`, and aborts it when `abortSignal` fires.
 * The connection's handler is made with `throwOnRequestTimeout`, so the timeout is an error, not a warning.
 */
export interface AttemptLimits {
  readonly requestTimeout: number;
  readonly abortSignal?: AbortSignal;
}

/** Failures after which the request may or may not have been applied, when the failure does not say (`delivery`). */
const AMBIGUOUS: ReadonlySet<StepErrorCode> = new Set([
  StepErrorCode.Network,
  StepErrorCode.Timeout,
  StepErrorCode.Unconfirmed,
]);

/**
 * The HTTP handler's connect timeout (`connectionTimeout`): no connection was opened, so nothing was sent. It is a
 * network failure of its own (`aws-errors.ts`), not the attempt's time running out.
 */
export const CONNECT_TIMEOUT = /did not establish a connection/;

/**
 * The HTTP handler's own timeouts (request, socket) end an attempt with a `TimeoutError`. So do connection resets
 * and refusals (`@smithy/node-http-handler` renames ECONNRESET, EPIPE… to `TimeoutError` as transient errors): those
 * keep Node's error code, and are network failures, not timeouts.
 */
function isAttemptTimeout(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'TimeoutError' || CONNECT_TIMEOUT.test(error.message)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined || code === 'ETIMEDOUT';
}

/**
 * The StepError for an attempt that `error` ended by its time limit (`limits.requestTimeout`), or undefined when it
 * ended otherwise. A timed-out request was sent: whether it was applied is not known.
 */
export function attemptTimeout(
  error: unknown,
  limits: AttemptLimits,
  operation: StepOperation,
  subject: string,
): StepError | undefined {
  if (!isAttemptTimeout(error)) return undefined;
  return new StepError(`no answer within ${limits.requestTimeout} ms`, {
    code: StepErrorCode.Timeout,
    operation,
    subject,
    retryable: true,
    delivery: 'answer-unknown',
    cause: error,
  });
}

/** Whether `failure` may have been applied although its answer was lost. */
function effectUnknown(failure: StepError): boolean {
  return failure.delivery === undefined ? AMBIGUOUS.has(failure.code) : failure.delivery === 'answer-unknown';
}

/** One step's budget and attempt count across every request it sends. */
export class StepRun {
  /** Requests sent so far, retries and reads included. */
  attempts = 0;
  /**
   * Attempts whose effect is unknown (sent, then the connection failed or timed out, or the answer did not confirm):
   * a request that may have been applied although its answer was lost; one never sent is not counted. Steps read it
   * to report `changed` honestly.
   */
  uncertain = 0;
  private readonly deadline: number;
  private readonly now: () => number;

  /** `pacing`: the connection's, which every request waits for and tells how AWS answered. */
  constructor(
    private readonly policy: RetryPolicy,
    private readonly options: StepOptions = {},
    private readonly pacing?: SendPacing,
  ) {
    this.now = options.now ?? systemClock.now;
    this.deadline = this.now() + policy.deadlineMs;
  }

  private aborted(operation: StepOperation, subject: string): StepError {
    return new StepError('cancelled by the caller', {
      code: StepErrorCode.Aborted,
      operation,
      subject,
      attempts: this.attempts,
      cause: this.options.signal?.reason,
    });
  }

  /**
   * The wait before retry `retry` (1-based, throttles counted apart): full jitter under a doubling ceiling; for a
   * throttle, between half the ceiling and all of it, so that a fleet throttled at once does not come back at once.
   */
  private backoff(retry: number, throttled: boolean): number {
    const { policy } = this;
    const [base, max] = throttled
      ? [policy.throttleBaseDelayMs, policy.throttleMaxDelayMs]
      : [policy.baseDelayMs, policy.maxDelayMs];
    const random = (this.options.random ?? systemClock.random)();
    return backoffMs(retry, base, max, throttled ? 'half' : 'full', random);
  }

  /** Waits `ms`; a caller's abort ends the step. */
  private async wait(ms: number, operation: StepOperation, subject: string): Promise<void> {
    try {
      await (this.options.sleep ?? systemClock.sleep)(ms, this.options.signal);
    } catch {
      throw this.aborted(operation, subject);
    }
  }

  /**
   * Sends one request with retries. A throttled attempt does not count against the attempt budget, only the
   * deadline bounds how long throttles go on (they cost the service nothing; a fleet reporting at once is throttled
   * for as long as the quota needs to serve it). `send` gets the attempt's limits (the attempt timeout, cut to the deadline, and
   * the caller's signal; no timer or signal of its own per attempt, which a gateway sending thousands of messages a
   * second would pay for on every one); `classify` maps what it threw. Throws the last StepError, with `attempts` set.
   *
   * `settle`, when given, runs before retrying a failure whose effect is unknown (the connection failed or timed
   * out after the request may have been applied): a value it returns ends the call instead of sending again.
   */
  async call<T>(
    operation: StepOperation,
    subject: string,
    send: (limits: AttemptLimits) => Promise<T>,
    classify: (error: unknown) => StepError,
    settle?: (failure: StepError) => Promise<T | undefined>,
  ): Promise<T> {
    const { signal, logger } = this.options;
    let counted = 0;
    let throttles = 0;
    for (;;) {
      if (signal?.aborted) throw this.aborted(operation, subject);
      const paced = this.pacing?.delay(operation, this.now()) ?? 0;
      if (paced > 0) {
        if (this.now() + paced >= this.deadline)
          throw this.timeout(
            operation,
            subject,
            `the step deadline of ${this.policy.deadlineMs} ms passed waiting for the pace AWS throttled this connection to`,
          );
        await this.wait(paced, operation, subject);
      }
      const remaining = this.deadline - this.now();
      if (remaining <= 0)
        throw this.timeout(operation, subject, `the step deadline of ${this.policy.deadlineMs} ms passed`);
      const attemptMs = Math.min(this.policy.attemptTimeoutMs, remaining);
      this.attempts++;
      let failure: StepError;
      const limits: AttemptLimits = signal
        ? { requestTimeout: attemptMs, abortSignal: signal }
        : { requestTimeout: attemptMs };
      try {
        const answer = await send(limits);
        this.pacing?.succeeded(operation);
        return answer;
      } catch (error) {
        if (signal?.aborted) throw this.aborted(operation, subject);
        failure = attemptTimeout(error, limits, operation, subject) ?? classify(error);
      }
      failure.attempts = this.attempts;
      if (effectUnknown(failure)) this.uncertain++;
      const throttled = failure.code === StepErrorCode.Throttled;
      if (throttled) {
        throttles++;
        this.pacing?.throttled(operation, this.now());
      } else counted++;
      if (!failure.retryable || counted >= this.policy.maxAttempts) throw failure;
      const wait = this.backoff(throttled ? throttles : counted, throttled);
      if (this.now() + wait >= this.deadline) {
        // Waiting would pass the deadline: the step is out of time, which is what the caller needs to know.
        if (failure.code === StepErrorCode.Timeout) throw failure;
        const last = failure.awsErrorName ?? failure.code;
        throw this.timeout(
          operation,
          subject,
          `the step deadline of ${this.policy.deadlineMs} ms leaves no time to retry (last answer: ${last})`,
          failure,
        );
      }
      logger?.debug(
        `${describeFailure(failure)} (` +
          (throttled
            ? `throttle ${throttles}, not counted against the ${this.policy.maxAttempts} attempts`
            : `attempt ${counted} of ${this.policy.maxAttempts}`) +
          `); retrying in ${wait} ms`,
      );
      await this.wait(wait, operation, subject);
      if (settle && effectUnknown(failure)) {
        const settled = await settle(failure);
        if (settled !== undefined) return settled;
      }
    }
  }

  private timeout(operation: StepOperation, subject: string, why: string, cause?: StepError): StepError {
    return new StepError(why, {
      code: StepErrorCode.Timeout,
      operation,
      subject,
      retryable: true,
      attempts: this.attempts,
      cause,
    });
  }
}
