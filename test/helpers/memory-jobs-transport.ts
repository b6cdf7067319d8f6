/**
 * An in-memory IoT Jobs data plane (and the control plane's one read) behind the `JobsTransport` interface, for unit
 * tests of the operations' decisions. Each behaviour is the emulator's (emulator/iot-jobs.ts), tied to it by name:
 * its readings are the emulator's settings of the same names, its faults the emulator's `FaultKind`s, plus
 * `never-sent` (a link that is down), which only a transport can show. It is exact for what the update decision
 * table needs and no more: no timers, no retry executions (`jobExecutionsRetryConfig`), no timestamps.
 */
import { StepError, StepErrorCode, type StepOperation } from '../../core/shared/errors';
import type { ExecutionSnapshot, JobExecution, JobExecutionStatus } from '../../core/iot-jobs/model';
import {
  JobsRefusal,
  LinkEvents,
  type Answer,
  type Capability,
  type ControlPlaneRead,
  type JobsCapabilities,
  type JobsCapabilityName,
  type JobsTransport,
  type LinkEvent,
} from '../../core/iot-jobs/transports/transport';
import type { FaultKind } from '../../emulator/faults';
import { DEFAULT_SETTINGS, type EmulatorSettings, type ServiceName } from '../../emulator/types';

/** The emulator's readings this transport follows (emulator/types.ts documents each). */
export type MemoryReadings = Pick<
  EmulatorSettings,
  'terminalStateOnDescribe' | 'conflictExecutionState' | 'statusDetailsUpdate' | 'describeNextNotFound'
>;

/** The emulator's faults it supports, and the link down (`never-sent`), which the emulator cannot show by itself. */
export type MemoryFaultKind =
  Extract<FaultKind, 'reset' | 'apply-then-reset' | 'throttle' | 'unavailable' | 'ok-unapplied'> | 'never-sent';

/** As the emulator's `FaultRequest`: `service` and `operation` narrow what it hits, `count` (1) how many requests. */
export interface MemoryFault {
  readonly kind: MemoryFaultKind;
  readonly service?: Extract<ServiceName, 'iot' | 'iot-jobs-data'>;
  readonly operation?: string;
  readonly count?: number;
}

/** What a test seeds: an execution's state; the version defaults to 1, the number to the thing's next. */
export interface SeedState {
  readonly status: JobExecutionStatus;
  readonly statusDetails?: Readonly<Record<string, string>>;
  readonly versionNumber?: number;
  readonly executionNumber?: number;
  readonly jobDocument?: string;
}

interface Stored {
  readonly thingName: string;
  readonly jobId: string;
  readonly executionNumber: number;
  readonly jobDocument: string | undefined;
  status: JobExecutionStatus;
  statusDetails: Record<string, string>;
  versionNumber: number;
}

/** The name the log gives the control plane's read (the emulator logs it under service `iot`). */
export const CONTROL_DESCRIBE = 'DescribeJobExecution (control plane)';

const TERMINAL: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED', 'REMOVED', 'CANCELED']);
const DEVICE_STATUSES: ReadonlySet<string> = new Set(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED']);

const snapshot = (e: Stored): ExecutionSnapshot => ({
  executionNumber: e.executionNumber,
  status: e.status,
  statusDetails: { ...e.statusDetails },
  versionNumber: e.versionNumber,
});

let refusals = 0;

/** A refusal as the HTTPS transport makes one from the service's error (name, status, code, request id). */
function refused(
  operation: StepOperation,
  subject: string,
  [code, awsErrorName, httpStatus]: [StepErrorCode, string, number],
  current?: ExecutionSnapshot,
): JobsRefusal {
  const retryable = httpStatus === 429 || httpStatus >= 500;
  const requestId = `memory-refusal-${++refusals}`;
  const details = { code, operation, subject, awsErrorName, httpStatus, requestId, retryable };
  return new JobsRefusal({ ...details, message: `${awsErrorName} (${subject})` }, current);
}

const NOT_FOUND: [StepErrorCode, string, number] = [StepErrorCode.NotFound, 'ResourceNotFoundException', 404];

export class MemoryJobsTransport implements JobsTransport {
  readonly readings: MemoryReadings;
  /** Requests sent, by operation name, in order (a `never-sent` one is not: it never left). */
  readonly sent: string[] = [];
  private readonly store: Stored[] = [];
  private readonly faults: { rule: MemoryFault; remaining: number }[] = [];
  private readonly link = new LinkEvents();
  private answers = 0;

  /** `readings`: the emulator's defaults (DEFAULT_SETTINGS) for what is not given. */
  constructor(readings: Partial<MemoryReadings> = {}) {
    const { terminalStateOnDescribe, conflictExecutionState, statusDetailsUpdate, describeNextNotFound } =
      DEFAULT_SETTINGS;
    this.readings = {
      ...{ terminalStateOnDescribe, conflictExecutionState, statusDetailsUpdate, describeNextNotFound },
      ...readings,
    };
  }

  seed(thingName: string, jobId: string, state: SeedState): void {
    const earlier = this.store.filter((e) => e.thingName === thingName && e.jobId === jobId).length;
    this.store.push({
      thingName,
      jobId,
      executionNumber: state.executionNumber ?? earlier + 1,
      jobDocument: state.jobDocument,
      status: state.status,
      statusDetails: { ...state.statusDetails },
      versionNumber: state.versionNumber ?? 1,
    });
  }

  /** The execution (the latest, or the one numbered) as it is now. */
  execution(thingName: string, jobId: string, executionNumber?: number): ExecutionSnapshot | undefined {
    const found = this.find(thingName, jobId, executionNumber);
    return found && snapshot(found);
  }

  queue(fault: MemoryFault): void {
    this.faults.push({ rule: fault, remaining: fault.count ?? 1 });
  }

  private find(thingName: string, jobId: string, executionNumber?: number): Stored | undefined {
    const all = this.store.filter((e) => e.thingName === thingName && e.jobId === jobId);
    return executionNumber === undefined ? all.at(-1) : all.find((e) => e.executionNumber === executionNumber);
  }

  /** The emulator's `requireExecution`: the latest, or the one numbered; else 404 ResourceNotFoundException. */
  private require(operation: StepOperation, thingName: string, jobId: string, executionNumber?: number): Stored {
    const found = this.find(thingName, jobId, executionNumber);
    if (!found) throw refused(operation, `${thingName}/${jobId}`, NOT_FOUND);
    return found;
  }

  /**
   * One request: the first queued fault that matches it takes a hit (the emulator's `FaultQueue.take`), then the
   * operation runs. `empty` is what a 200 without an answer parses to (fault `ok-unapplied`).
   */
  private async request<T extends object>(
    service: 'iot' | 'iot-jobs-data',
    operation: StepOperation,
    subject: string,
    run: () => T,
    empty: () => T,
  ): Promise<Answer<T>> {
    const hit = this.faults.find(
      ({ rule }) =>
        (rule.service === undefined || rule.service === service) &&
        (rule.operation === undefined || rule.operation === operation),
    );
    if (hit && --hit.remaining <= 0) this.faults.splice(this.faults.indexOf(hit), 1);
    const kind = hit?.rule.kind;
    const lost = (delivery: 'never-sent' | 'answer-unknown'): StepError =>
      new StepError(`the connection failed (fault ${kind})`, {
        code: StepErrorCode.Network,
        operation,
        subject,
        retryable: true,
        delivery,
      });
    // `never-sent`: the link is down and nothing leaves (as the HTTPS transport's refused connection): link down.
    if (kind === 'never-sent') {
      this.link.down('the link is down (fault never-sent)');
      throw lost('never-sent');
    }
    this.sent.push(service === 'iot' ? CONTROL_DESCRIBE : operation);
    // `reset`: the connection is reset before anything is applied; the answer is unknown to the client.
    if (kind === 'reset') throw lost('answer-unknown');
    // `apply-then-reset`: applied (or refused) as usual, then the connection is reset: the same to the client.
    if (kind === 'apply-then-reset') {
      try {
        run();
      } catch {
        // Refused: nothing applied, and the refusal is lost with the connection.
      }
      throw lost('answer-unknown');
    }
    // Any answer, a refusal included, says the link is up.
    this.link.up();
    // `throttle`: 429 ThrottlingException (the data plane's status); `unavailable`: 503. Nothing applied.
    if (kind === 'throttle') throw refused(operation, subject, [StepErrorCode.Throttled, 'ThrottlingException', 429]);
    if (kind === 'unavailable')
      throw refused(operation, subject, [StepErrorCode.Unavailable, 'ServiceUnavailableException', 503]);
    const requestId = `memory-${++this.answers}`;
    // `ok-unapplied`: a 200 whose body is no answer, nothing applied. The SDK reads it as an empty output; for
    // `$next`, where an empty output means something, the HTTPS transport refuses it (coral-envelope.ts).
    if (kind === 'ok-unapplied') {
      if (subject.endsWith('/$next'))
        throw new StepError('the service answered 200 with an envelope, not an answer (fault ok-unapplied)', {
          code: StepErrorCode.Unconfirmed,
          operation,
          subject,
          requestId,
          retryable: true,
          delivery: 'answer-unknown',
        });
      return { ...empty(), requestId };
    }
    return { ...run(), requestId };
  }

  /** The emulator's `dataPlaneExecution`, without timestamps. */
  private view(e: Stored, includeJobDocument: boolean): JobExecution {
    return {
      jobId: e.jobId,
      thingName: e.thingName,
      status: e.status,
      ...(Object.keys(e.statusDetails).length > 0 && { statusDetails: { ...e.statusDetails } }),
      versionNumber: e.versionNumber,
      executionNumber: e.executionNumber,
      ...(includeJobDocument && e.jobDocument !== undefined && { jobDocument: e.jobDocument }),
    };
  }

  /** The emulator's `pendingExecutions`: IN_PROGRESS before QUEUED, oldest (first seeded) first. */
  private pending(thingName: string): Stored[] {
    const mine = this.store.filter((e) => e.thingName === thingName && !TERMINAL.has(e.status));
    return [...mine.filter((e) => e.status === 'IN_PROGRESS'), ...mine.filter((e) => e.status === 'QUEUED')];
  }

  /** The emulator's `applyDetails`, by setting `statusDetailsUpdate`: the map replaces the details, or is merged. */
  private applyDetails(e: Stored, details: Readonly<Record<string, string>> | undefined): void {
    if (details === undefined) return;
    const merge = this.readings.statusDetailsUpdate === 'merge';
    e.statusDetails = merge ? { ...e.statusDetails, ...details } : { ...details };
  }

  readonly describeJobExecution: JobsTransport['describeJobExecution'] = (request) => {
    const { thingName, jobId, executionNumber, includeJobDocument = true } = request;
    const op = 'DescribeJobExecution';
    const subject = `${thingName}/${jobId}`;
    const run = (): { execution: JobExecution | undefined } => {
      const e = jobId === '$next' ? this.pending(thingName)[0] : this.require(op, thingName, jobId, executionNumber);
      if (!e) {
        // `$next` with nothing pending, by setting `describeNextNotFound`: 404, else 200 without an execution.
        if (this.readings.describeNextNotFound) throw refused(op, subject, NOT_FOUND);
        return { execution: undefined };
      }
      if (executionNumber !== undefined && executionNumber !== e.executionNumber) throw refused(op, subject, NOT_FOUND);
      // Setting `terminalStateOnDescribe`: a terminal execution is 410 TerminalStateException on the data plane.
      if (this.readings.terminalStateOnDescribe && TERMINAL.has(e.status))
        throw refused(op, subject, [StepErrorCode.TerminalState, 'TerminalStateException', 410]);
      return { execution: this.view(e, includeJobDocument) };
    };
    return this.request('iot-jobs-data', op, subject, run, () => ({ execution: undefined }));
  };

  readonly getPendingJobExecutions: JobsTransport['getPendingJobExecutions'] = ({ thingName }) => {
    const summary = (e: Stored) => ({
      jobId: e.jobId,
      versionNumber: e.versionNumber,
      executionNumber: e.executionNumber,
    });
    const run = () => {
      // At most 10 returned (the emulator's MAX_PENDING_RETURNED).
      const pending = this.pending(thingName).slice(0, 10);
      return {
        inProgressJobs: pending.filter((e) => e.status === 'IN_PROGRESS').map(summary),
        queuedJobs: pending.filter((e) => e.status === 'QUEUED').map(summary),
      };
    };
    return this.request('iot-jobs-data', 'GetPendingJobExecutions', thingName, run, () => ({
      inProgressJobs: [],
      queuedJobs: [],
    }));
  };

  /**
   * A QUEUED next execution moves to IN_PROGRESS with the request's details; an IN_PROGRESS one is handed back as
   * it is (the emulator's default `startNextUpdatesInProgress: false`, not a reading this transport takes).
   */
  readonly startNextPendingJobExecution: JobsTransport['startNextPendingJobExecution'] = (request) => {
    const run = (): { execution: JobExecution | undefined } => {
      const e = this.pending(request.thingName)[0];
      if (!e) return { execution: undefined };
      if (e.status === 'QUEUED') {
        this.applyDetails(e, request.statusDetails);
        e.status = 'IN_PROGRESS';
        e.versionNumber += 1;
      }
      return { execution: this.view(e, true) };
    };
    return this.request('iot-jobs-data', 'StartNextPendingJobExecution', request.thingName, run, () => ({
      execution: undefined,
    }));
  };

  readonly updateJobExecution: JobsTransport['updateJobExecution'] = (request) => {
    const { thingName, jobId, status, expectedVersion, executionNumber } = request;
    const op = 'UpdateJobExecution';
    const subject = `${thingName}/${jobId}`;
    const run = () => {
      if (!DEVICE_STATUSES.has(status))
        throw refused(op, subject, [StepErrorCode.InvalidRequest, 'InvalidRequestException', 400]);
      const e = this.require(op, thingName, jobId, executionNumber);
      // A terminal execution, or a stale expectedVersion (the data plane has no VersionConflictException): 409
      // InvalidStateTransitionException, with the execution's state under setting `conflictExecutionState`.
      if (TERMINAL.has(e.status) || (expectedVersion !== undefined && expectedVersion !== e.versionNumber))
        throw refused(
          op,
          subject,
          [StepErrorCode.InvalidTransition, 'InvalidStateTransitionException', 409],
          // The model's JobExecutionState: status, details, version; no execution number (as the HTTPS answer).
          this.readings.conflictExecutionState ? { ...snapshot(e), executionNumber: undefined } : undefined,
        );
      this.applyDetails(e, request.statusDetails);
      // Every accepted update is a transition: the version moves by one (IN_PROGRESS to IN_PROGRESS too).
      e.status = status as JobExecutionStatus;
      e.versionNumber += 1;
      const details = Object.keys(e.statusDetails).length > 0 ? { statusDetails: { ...e.statusDetails } } : {};
      return {
        executionState: request.includeJobExecutionState
          ? { status: e.status, ...details, versionNumber: e.versionNumber }
          : undefined,
        jobDocument: request.includeJobDocument ? e.jobDocument : undefined,
      };
    };
    return this.request('iot-jobs-data', op, subject, run, () => ({
      executionState: undefined,
      jobDocument: undefined,
    }));
  };

  /** `control-plane-read`: the control plane's DescribeJobExecution shows any execution, terminal ones included. */
  async capability<N extends JobsCapabilityName>(name: N): Promise<Capability<JobsCapabilities[N]>> {
    if (name !== 'control-plane-read') return { available: false, why: `no ${String(name)} in memory` };
    const op = 'DescribeJobExecution';
    const read: ControlPlaneRead = {
      describeJobExecution: ({ thingName, jobId, executionNumber }) =>
        this.request(
          'iot',
          op,
          `${thingName}/${jobId} (control plane)`,
          () => ({ execution: snapshot(this.require(op, thingName, jobId, executionNumber)) }),
          () => {
            throw new StepError('the control plane answered 200 without an execution (fault ok-unapplied)', {
              code: StepErrorCode.Unconfirmed,
              operation: op,
              retryable: true,
              delivery: 'answer-unknown',
            });
          },
        ),
    };
    return { available: true, use: read } as Capability<JobsCapabilities[N]>;
  }

  onLink(listener: (event: LinkEvent) => void): () => void {
    return this.link.on(listener);
  }

  /** Nothing to let go of. */
  close(): void {}
}
