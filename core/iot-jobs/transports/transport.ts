/**
 * The AWS IoT Jobs data plane as the operations see it, whatever carries the requests: the four calls a device makes,
 * answers in one form (`../model.ts`), and failures in three typed ways — the service's refusal (`JobsRefusal`, with
 * its kind and request id), a request never sent, and a request sent whose answer is not known (`StepError.delivery`).
 * HTTPS with SigV4 or a client certificate is one transport (`https.ts`); MQTT is another, on the same interface.
 * Operations decide; transports carry. No operation knows which one carried it.
 */
import { StepError, StepErrorCode, type StepErrorDetails, type StepOperation } from '../../shared/errors';
import type { AttemptLimits } from '../../shared/step-run';
import type { ExecutionSnapshot, JobExecution, JobExecutionState, JobExecutionSummary } from '../model';

/** DescribeJobExecution: one execution, or with `jobId` `$next` the thing's next pending one. */
export interface DescribeJobExecutionRequest {
  readonly thingName: string;
  readonly jobId: string;
  readonly executionNumber?: number | undefined;
  readonly includeJobDocument?: boolean | undefined;
}

export interface GetPendingJobExecutionsRequest {
  readonly thingName: string;
}

export interface StartNextPendingJobExecutionRequest {
  readonly thingName: string;
  readonly statusDetails?: Readonly<Record<string, string>> | undefined;
  readonly stepTimeoutInMinutes?: number | undefined;
}

export interface UpdateJobExecutionRequest {
  readonly thingName: string;
  readonly jobId: string;
  readonly status: string;
  readonly statusDetails?: Readonly<Record<string, string>> | undefined;
  readonly stepTimeoutInMinutes?: number | undefined;
  readonly expectedVersion?: number | undefined;
  readonly includeJobExecutionState?: boolean | undefined;
  readonly includeJobDocument?: boolean | undefined;
  readonly executionNumber?: number | undefined;
}

/** Every answer names its request, for AWS support (undefined when the carrier gives no id). */
export type Answer<T> = T & { readonly requestId: string | undefined };

/**
 * The control plane's view of one execution: what shows an execution the data plane will not (410
 * TerminalStateException). A capability: a transport authenticated by a client certificate has no way to it.
 */
export interface ControlPlaneRead {
  describeJobExecution(
    request: Omit<DescribeJobExecutionRequest, 'includeJobDocument'>,
    limits: AttemptLimits,
  ): Promise<Answer<{ readonly execution: ExecutionSnapshot }>>;
}

/** What a transport may offer beyond the four calls, asked for by name. */
export interface JobsCapabilities {
  readonly 'control-plane-read': ControlPlaneRead;
}
export type JobsCapabilityName = keyof JobsCapabilities;

/** A capability a transport has, or the reason it lacks it, in words a person can act on. */
export type Capability<T> =
  { readonly available: true; readonly use: T } | { readonly available: false; readonly why: string };

/**
 * The link under a transport, told on change: `up` when requests get answers (at the first answer, and at the first
 * after a `down`), `down` when they cannot get through (a reason in words). What each means depends on the carrier:
 * see the transport's own documentation.
 */
export type LinkEvent = { readonly link: 'up' } | { readonly link: 'down'; readonly reason: string };

/**
 * A Jobs data-plane transport. Each call resolves with the normalised answer or rejects with a `StepError`: a
 * `JobsRefusal` when the service answered no; otherwise `delivery` says whether the request can have been applied
 * (`never-sent`: it cannot; `answer-unknown`: it may have been). A transport makes one attempt per call: retries,
 * pacing and deadlines are the step's (`StepRun`).
 */
export interface JobsTransport {
  describeJobExecution(
    request: DescribeJobExecutionRequest,
    limits: AttemptLimits,
  ): Promise<Answer<{ readonly execution: JobExecution | undefined }>>;
  getPendingJobExecutions(
    request: GetPendingJobExecutionsRequest,
    limits: AttemptLimits,
  ): Promise<
    Answer<{
      readonly inProgressJobs: readonly JobExecutionSummary[];
      readonly queuedJobs: readonly JobExecutionSummary[];
    }>
  >;
  startNextPendingJobExecution(
    request: StartNextPendingJobExecutionRequest,
    limits: AttemptLimits,
  ): Promise<Answer<{ readonly execution: JobExecution | undefined }>>;
  updateJobExecution(
    request: UpdateJobExecutionRequest,
    limits: AttemptLimits,
  ): Promise<
    Answer<{ readonly executionState: JobExecutionState | undefined; readonly jobDocument: string | undefined }>
  >;
  /** A capability beyond the four calls, or why this transport has none. */
  capability<N extends JobsCapabilityName>(name: N): Promise<Capability<JobsCapabilities[N]>>;
  /** Calls `listener` on each change of the link; returns the function that stops it. */
  onLink(listener: (event: LinkEvent) => void): () => void;
  /** Lets go of what the transport holds of its own; a later call makes it again. */
  close(): void;
}

/** How the service refused a request, as a small set an operation can decide on. */
export const RefusalKind = {
  /** The job, thing or execution does not exist (or these credentials do not see it). */
  NotFound: 'not-found',
  /**
   * The request conflicts with the execution's current state: an impossible transition or a stale
   * `expectedVersion`. `JobsRefusal.current` holds that state when the service sent it.
   */
  Conflict: 'conflict',
  /** The execution is in a terminal state and the service will not show it. */
  Terminal: 'terminal',
  Throttled: 'throttled',
  /** The service refused the input. */
  InvalidRequest: 'invalid-request',
  /** Credentials or a certificate refused, a permission missing. */
  Auth: 'auth',
  Unavailable: 'unavailable',
  /** Anything else the service said no with. */
  Other: 'other',
} as const;
export type RefusalKind = (typeof RefusalKind)[keyof typeof RefusalKind];

const KIND_OF_CODE: Partial<Record<StepErrorCode, RefusalKind>> = {
  [StepErrorCode.NotFound]: RefusalKind.NotFound,
  [StepErrorCode.InvalidTransition]: RefusalKind.Conflict,
  [StepErrorCode.VersionConflict]: RefusalKind.Conflict,
  [StepErrorCode.TerminalState]: RefusalKind.Terminal,
  [StepErrorCode.Throttled]: RefusalKind.Throttled,
  [StepErrorCode.InvalidRequest]: RefusalKind.InvalidRequest,
  [StepErrorCode.Auth]: RefusalKind.Auth,
  [StepErrorCode.Unavailable]: RefusalKind.Unavailable,
};

/** The service answered no. `kind` is what an operation decides on; the `StepError` code follows from it. */
export class JobsRefusal extends StepError {
  readonly kind: RefusalKind;
  /** For a conflict: the execution's state, when the service sent it with the refusal. */
  readonly current: ExecutionSnapshot | undefined;

  /** `answer`: the refusal as a StepError (message, code, the service's name and request id). */
  constructor(answer: StepErrorDetails & { readonly message: string }, current?: ExecutionSnapshot) {
    super(answer.message, answer);
    this.kind = KIND_OF_CODE[answer.code] ?? RefusalKind.Other;
    this.current = this.kind === RefusalKind.Conflict ? current : undefined;
  }
}

/**
 * The link state of a transport, told to listeners on change only: for a transport to report what it sees, and for
 * the tests of one.
 */
export class LinkEvents {
  private readonly listeners = new Set<(event: LinkEvent) => void>();
  private state: LinkEvent['link'] | undefined;

  on(listener: (event: LinkEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  up(): void {
    this.emit({ link: 'up' });
  }

  down(reason: string): void {
    this.emit({ link: 'down', reason });
  }

  private emit(event: LinkEvent): void {
    if (this.state === event.link) return;
    this.state = event.link;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's fault is its own: the request that reported the link goes on.
      }
    }
  }
}

/**
 * What a transport call threw, for `StepRun.call`: the transport's own StepError as it is; anything else is a fault
 * of ours (a transport must throw only StepErrors), reported as one.
 */
export function transportFailure(operation: StepOperation, subject: string): (error: unknown) => StepError {
  return (error) =>
    error instanceof StepError
      ? error
      : new StepError(`the transport failed: ${error instanceof Error ? error.message : String(error)}`, {
          code: StepErrorCode.Internal,
          operation,
          subject,
          cause: error,
        });
}
