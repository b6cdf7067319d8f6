/**
 * A durable outbox for one operation's reports: a report that passes validation is on disk before `add` returns,
 * and is delivered per target in arrival order — at once, on start-up, when the link returns and on a timer —
 * retried with capped backoff for as long as it takes, until AWS accepts it or finally refuses it. Each report
 * gets exactly one answer in the run that settles it: its result, its final refusal, `superseded` (a newer report
 * made it pointless, see `OutboxOffer.supersedes`) or `dropped` (by hand). A report leaves the file only once its
 * answer has had the event-loop turns it takes to reach the host's next step: a crash before then answers it again
 * in the next run, as it was settled (a superseded or dropped report is never sent after a restart).
 *
 * A redelivery (a retry, or a report found on disk at start-up, whose earlier try may have landed) reads the
 * remote state first and sends nothing when it already is as asked (`skipUnchanged`), so a report is never
 * applied twice in effect.
 */
import { systemClock, type Clock } from '../shared/clock';
import { StepError, StepErrorCode } from '../shared/errors';
import { parseParameters, subjectKey, type OperationDefinition, type StepResult } from '../shared/operation';
import { DEFAULT_READINGS, type Readings } from '../shared/readings';
import { TargetScheduler, type RunOutcome } from '../shared/target-scheduler';
import { answerLeft, OutboxStore, type Settlement, type StoredReport } from './outbox-store';
import type { StepOptions } from '../shared/step-run';

export { OutboxUnavailableError, outboxUnavailable, SQLITE_NODE_VERSION, type StoredReport } from './outbox-store';

/** The outbox is full (entries or bytes): the report was not taken; it may be once the backlog drains. */
export class OutboxFullError extends Error {
  override readonly name = 'OutboxFullError';
  readonly code = 'queue-full';
  readonly retryable = true;
}

/** Delivery waits between tries of one target: between half and all of a doubling ceiling (`backoffMs`). */
export const OUTBOX_RETRY = { baseMs: 1_000, capMs: 60_000 } as const;

/** What an outbox holds at most, unless told otherwise. */
export const OUTBOX_LIMITS = { entries: 10_000, bytes: 16 * 1024 * 1024 } as const;

/** How a report ended. */
export type OutboxAnswer<R, A = unknown> = (
  | { readonly kind: 'result'; readonly report: StoredReport; readonly result: R }
  | { readonly kind: 'error'; readonly report: StoredReport; readonly error: StepError }
  | {
      readonly kind: 'superseded';
      readonly report: StoredReport;
      /** The newer report; after a restart only its id, when it has left the file already. */
      readonly by: Pick<StoredReport, 'id'> & Partial<StoredReport>;
    }
  | { readonly kind: 'dropped'; readonly report: StoredReport }
) & {
  /** What the host attached when it took the report in this run (`add`); none for a report found on disk. */
  readonly attachment?: A;
};

/** What waits, as `list` shows it: the request with secret parameters masked, never the message. */
export interface OutboxListing<A = unknown> {
  readonly id: number;
  readonly target: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly acceptedAt: number;
  readonly attempts: number;
  readonly lastError?: string | undefined;
  readonly delivering: boolean;
  /** When the next try is due (epoch ms), while the target waits out a backoff. */
  readonly retryAt?: number | undefined;
  /** What the host attached when it took the report in this run (the host's own, to show what it chooses of it). */
  readonly attachment?: A | undefined;
}

export interface Backlog {
  readonly count: number;
  readonly bytes: number;
  /** Epoch ms of the oldest waiting report. */
  readonly oldestAcceptedAt?: number | undefined;
}

export interface OutboxSettings<R extends StepResult, A = unknown> {
  /** The store's file; its directory is made if missing. */
  readonly file: string;
  /** An operation that offers the outbox (`definition.outbox`). */
  readonly operation: OperationDefinition<R>;
  /** Sends one report: the operation's step with the host's connection, honouring `options`. */
  readonly deliver: (
    request: Record<string, unknown>,
    options: Required<Pick<StepOptions, 'signal'>> & StepOptions,
  ) => Promise<R>;
  /** Told of every report's one answer; must not throw (it is guarded and logged through `onWarning`). */
  readonly onAnswer: (answer: OutboxAnswer<R, A>) => void;
  /** Told whenever the backlog changes. */
  readonly onChange?: (backlog: Backlog) => void;
  /** Told of problems that end nothing: a store moved aside, an answer handler that threw, a failed delete. */
  readonly onWarning?: (message: string) => void;
  /** Targets delivered to at once (4). */
  readonly concurrency?: number;
  readonly maxEntries?: number;
  readonly maxBytes?: number;
  /** First deliveries read first too, as the step's own `skipUnchanged`. */
  readonly skipUnchanged?: boolean;
  readonly retry?: { readonly baseMs: number; readonly capMs: number };
  /** Time, timers and jitter (the process's own by default; a test gives a fake one). */
  readonly clock?: Clock;
}

interface Waiting<A> {
  report: StoredReport;
  /** The host's, for a report taken in this run: given back with its answer. */
  readonly attachment?: A;
  /** It may have landed already: found on disk at start-up, or tried before in this run. */
  redelivery: boolean;
  /** Being superseded or dropped: true once that is on disk (it is then never sent), false when the write failed. */
  settling?: Promise<boolean> | undefined;
}

/**
 * A JSON.stringify replacer for a host's message: what cannot be JSON is left out rather than refused (a cycle, or an
 * object met again), and a BigInt becomes its digits.
 */
function jsonSafe(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return undefined;
      seen.add(value);
    }
    return value;
  };
}

/** Why a delivery try ended without an answer: worth another try later. */
function worthRetrying(error: unknown): error is StepError {
  return error instanceof StepError && error.retryable === true;
}

/** A promise with its resolver, for a settlement decided elsewhere. */
function decided(): { promise: Promise<boolean>; resolve: (settled: boolean) => void } {
  let resolve!: (settled: boolean) => void;
  const promise = new Promise<boolean>((r) => (resolve = r));
  return { promise, resolve };
}

export class Outbox<R extends StepResult, A = unknown> {
  /** Every report held, in arrival order (loaded in id order, added as their writes reach the disk). */
  private readonly byId = new Map<number, Waiting<A>>();
  private bytes = 0;
  /** Reports taken whose write is not on disk yet: counted against the limits. */
  private pending = { count: 0, bytes: 0 };
  /** Per target, its reports whose write is not on disk yet: while there are any, the queue's tail is not the last. */
  private readonly pendingFor = new Map<string, number>();
  private readonly clock: Clock;
  private readonly scheduler: TargetScheduler<Waiting<A>>;
  private closing = false;
  /** Delivery has begun (on the turn after `open`, once the host has wired its handlers). */
  private started = false;
  /** Per target, the write that deletes its last answered report: its next report is not sent before it is on disk. */
  private readonly lastDelete = new Map<string, number>();
  private readonly limits: { entries: number; bytes: number };

  /** Set when the file found was not a readable store and was renamed: where it is now, and why. */
  readonly movedAside?: string;

  private constructor(
    private readonly settings: OutboxSettings<R, A>,
    private readonly store: OutboxStore,
    reports: StoredReport[],
    private settledBefore: { readonly report: StoredReport; readonly settlement: Settlement }[],
    movedAside: string | undefined,
  ) {
    this.clock = settings.clock ?? systemClock;
    this.limits = {
      entries: settings.maxEntries ?? OUTBOX_LIMITS.entries,
      bytes: settings.maxBytes ?? OUTBOX_LIMITS.bytes,
    };
    const { baseMs, capMs } = settings.retry ?? OUTBOX_RETRY;
    this.scheduler = new TargetScheduler<Waiting<A>>({
      concurrency: settings.concurrency ?? 4,
      run: (waiting, signal) => this.deliver(waiting, signal),
      // Half jitter: a link that comes back for a whole fleet at once must not bring it back at once.
      backoff: { baseMs, capMs, jitter: 'half' },
      clock: this.clock,
      onError: (error) => this.warn(`a delivery failed unexpectedly: ${(error as Error)?.message ?? String(error)}`),
      abandoned: (key) =>
        new StepError(`the outbox closed with reports for ${key} still waiting; they stay on disk for the next run`, {
          code: StepErrorCode.Aborted,
          subject: key,
        }),
    });
    if (movedAside !== undefined) this.movedAside = movedAside;
    for (const report of reports) this.hold({ report, redelivery: true });
  }

  /**
   * Opens the outbox at `settings.file` and starts delivering what it holds.
   *
   * @throws OutboxUnavailableError without an unflagged `node:sqlite`, or when the directory cannot be written.
   * @throws StepError `invalid-input` for an operation that does not offer the outbox.
   */
  static open<R extends StepResult, A = unknown>(settings: OutboxSettings<R, A>): Outbox<R, A> {
    if (!settings.operation.outbox)
      throw new StepError(`${settings.operation.name} does not keep reports until delivered`, {
        code: StepErrorCode.InvalidInput,
        field: 'outbox',
      });
    const { store, reports, settled, movedAside } = OutboxStore.open(settings.file, settings.clock);
    const outbox = new Outbox<R, A>(settings, store, reports, settled, movedAside);
    if (movedAside !== undefined)
      outbox.warn(`the outbox file was not readable and was moved aside to ${movedAside}; a new one was made`);
    // Answered and delivered on start-up, after the host has finished wiring its handlers.
    setImmediate(() => {
      if (outbox.closing) return;
      outbox.started = true;
      outbox.answerSettledBefore();
      for (const waiting of outbox.byId.values()) outbox.scheduler.push(waiting.report.target, waiting);
      outbox.changed();
    });
    return outbox;
  }

  /**
   * Validates `input` and stores it with `message` (the host's, as JSON); resolves once it is on disk, and delivery
   * follows. Reports taken together share one commit. A waiting report the operation says this one supersedes is
   * replaced in the same commit, and answered `superseded`. `readings` are those of the connection that will deliver
   * it, so a report its step would refuse (a value longer than the connection's `statusDetailsValueLength`) is refused
   * now, never stored to fail at delivery. `attachment` (the host's live message, say) comes back with the report's
   * answer in this run, however soon that is.
   *
   * @throws StepError (rejected) `invalid-input` (nothing stored), OutboxFullError, or the store's error (nothing
   *   stored).
   */
  async add(
    input: unknown,
    message: unknown,
    readings: Readings = DEFAULT_READINGS,
    attachment?: A,
  ): Promise<StoredReport> {
    if (this.closing) throw new StepError('the outbox is closed', { code: StepErrorCode.Aborted });
    const { operation } = this.settings;
    const request = parseParameters(input, operation.parameters, operation.awsOperation, readings);
    const key = subjectKey(operation, request);
    const requestJson = JSON.stringify(request);
    let messageJson: string;
    try {
      messageJson = JSON.stringify(message, jsonSafe()) ?? 'null';
    } catch (error) {
      throw new StepError(`the message cannot be stored as JSON (${(error as Error).message})`, {
        code: StepErrorCode.InvalidInput,
        field: 'message',
      });
    }
    const size = Buffer.byteLength(requestJson) + Buffer.byteLength(messageJson);
    // Only a report still waiting, on disk, and not being settled already: one in flight is the target's business.
    const last = this.pendingFor.has(key) ? undefined : this.scheduler.last(key);
    const replaced =
      last &&
      !last.running &&
      last.item.settling === undefined &&
      operation.outbox!.supersedes?.(last.item.report.request, request)
        ? last.item
        : undefined;
    const entries = this.byId.size + this.pending.count - (replaced ? 1 : 0) + 1;
    const bytes = this.bytes + this.pending.bytes - (replaced?.report.bytes ?? 0) + size;
    if (entries > this.limits.entries || bytes > this.limits.bytes)
      throw new OutboxFullError(
        `the outbox is full (${this.byId.size + this.pending.count} reports, ${this.bytes + this.pending.bytes} ` +
          `bytes; at most ${this.limits.entries} and ${this.limits.bytes}); the report was not taken: wait for the ` +
          'backlog to drain, or raise the limits',
      );
    const acceptedAt = this.clock.now();
    const { id, durable } = this.store.add(key, requestJson, messageJson, acceptedAt, replaced?.report.id);
    const report: StoredReport = { id, target: key, request, message, acceptedAt, attempts: 0, bytes: size };
    // Its turn may come before the commit: it then waits to learn whether it was superseded.
    const settlement = replaced && decided();
    if (replaced) replaced.settling = settlement!.promise;
    this.pending = { count: this.pending.count + 1, bytes: this.pending.bytes + size };
    this.pendingFor.set(key, (this.pendingFor.get(key) ?? 0) + 1);
    try {
      await durable;
    } catch (error) {
      if (replaced) replaced.settling = undefined;
      settlement?.resolve(false);
      throw error;
    } finally {
      this.pending = { count: this.pending.count - 1, bytes: this.pending.bytes - size };
      const left = this.pendingFor.get(key)! - 1;
      if (left === 0) this.pendingFor.delete(key);
      else this.pendingFor.set(key, left);
    }
    // Held before the replaced one is forgotten: the target never looks empty (nor delivered) in between.
    this.hold({ report, redelivery: false, ...(attachment !== undefined && { attachment }) });
    if (replaced) {
      this.forget(replaced);
      this.settle({ kind: 'superseded', report: replaced.report, by: report }, replaced.attachment);
      settlement!.resolve(true);
    }
    this.changed();
    return report;
  }

  /** What waits, in arrival order. */
  list(): OutboxListing<A>[] {
    const secret = new Set(this.settings.operation.parameters.filter((p) => p.secret).map((p) => p.member));
    return [...this.byId.values()].map((waiting) => {
      const { report } = waiting;
      const retryAt = this.scheduler.retryAt(report.target);
      return {
        id: report.id,
        target: report.target,
        request: Object.fromEntries(Object.entries(report.request).map(([k, v]) => [k, secret.has(k) ? '***' : v])),
        acceptedAt: report.acceptedAt,
        attempts: report.attempts,
        ...(report.lastError !== undefined && { lastError: report.lastError }),
        delivering: this.scheduler.isRunning(report.target, waiting),
        ...(retryAt !== undefined && { retryAt }),
        ...(waiting.attachment !== undefined && { attachment: waiting.attachment }),
      };
    });
  }

  get backlog(): Backlog {
    // `byId` holds reports in arrival order, so the first is the oldest.
    const oldest = this.byId.values().next().value?.report.acceptedAt;
    return { count: this.byId.size, bytes: this.bytes, ...(oldest !== undefined && { oldestAcceptedAt: oldest }) };
  }

  /** The file's commits in this run, and the writes (reports taken, deletes, settlements) they held: the group commit's yield. */
  get commits(): { readonly count: number; readonly writes: number } {
    return { ...this.store.commits };
  }

  /**
   * Removes a waiting report by hand; once that is on disk it is answered `dropped`, and never sent (after a restart
   * too).
   *
   * @throws StepError (rejected) `invalid-input` when no such report waits, or it is being delivered right now.
   */
  async drop(id: number): Promise<StoredReport> {
    const held = this.byId.get(id);
    if (!held || held.settling !== undefined)
      throw new StepError(`no report ${id} waits in the outbox; list it to see the ids`, {
        code: StepErrorCode.InvalidInput,
        field: 'drop',
      });
    if (this.scheduler.isRunning(held.report.target, held))
      throw new StepError(`report ${id} is being delivered right now; try again when the try ends`, {
        code: StepErrorCode.InvalidInput,
        field: 'drop',
      });
    const settlement = decided();
    held.settling = settlement.promise;
    try {
      await this.store.drop(id);
    } catch (error) {
      held.settling = undefined;
      settlement.resolve(false);
      throw error;
    }
    this.forget(held);
    this.settle({ kind: 'dropped', report: held.report }, held.attachment);
    settlement.resolve(true);
    this.changed();
    return held.report;
  }

  /**
   * Resolves once no report for `subject`'s target waits any more (every one taken so far answered), at once when
   * none waits: for a host that must not act on a target before what it reported there is delivered (a start-next
   * after a restart, behind the previous job's undelivered SUCCEEDED). `subject` holds the operation's subject
   * members (for update-job-execution `thingName` and `jobId`). A report counts once it is taken (`add` resolved).
   *
   * @throws StepError (rejected) `invalid-input` when `subject` lacks a subject member, `aborted` when the outbox
   *   closes with reports for the target still waiting.
   */
  whenDelivered(subject: Readonly<Record<string, unknown>>): Promise<void> {
    const { operation } = this.settings;
    const missing = operation.subject.find((m) => typeof subject[m] !== 'string' && typeof subject[m] !== 'number');
    if (missing !== undefined)
      return Promise.reject(
        new StepError(`${missing} is missing; give the target's ${operation.subject.join(' and ')}`, {
          code: StepErrorCode.InvalidInput,
          field: missing,
        }),
      );
    return this.scheduler.whenClear(subjectKey(operation, subject));
  }

  /** The link may be back: targets waiting out a backoff are tried now. */
  wake(): void {
    this.scheduler.wake();
  }

  /**
   * Stops delivering: tries in flight get `graceMs` to end, then are aborted. Whatever was not settled stays on
   * disk, unanswered in this run, for the next.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    await this.scheduler.close(graceMs, 'keep');
    // The answers given last leave before their deletes are written.
    await answerLeft();
    this.tryStore(() => this.store.close());
  }

  /** Holds a report on disk; delivery follows (on start-up, once the host is wired; never once closing). */
  private hold(waiting: Waiting<A>): void {
    this.byId.set(waiting.report.id, waiting);
    this.bytes += waiting.report.bytes;
    if (this.started && !this.closing) this.scheduler.push(waiting.report.target, waiting);
  }

  /** Takes a report out of memory (the store is the caller's); one waiting is taken out of its target's queue. */
  private forget(waiting: Waiting<A>): void {
    if (!this.byId.delete(waiting.report.id)) return;
    this.bytes -= waiting.report.bytes;
    this.scheduler.remove(waiting.report.target, waiting);
  }

  private warn(message: string): void {
    try {
      this.settings.onWarning?.(message);
    } catch {
      // A host's logger that throws has nowhere else to go.
    }
  }

  /** Answers a report settled without a delivery (already so in the file) and deletes it with the next commit. */
  private settle(answer: OutboxAnswer<R, A> & { kind: 'superseded' | 'dropped' }, attachment?: A): void {
    this.answer(answer, attachment);
    this.tryStore(() => this.store.delete(answer.report.id));
  }

  /**
   * The reports settled in an earlier run whose answer may not have left: answered again, as they were settled (an
   * outbox closed before it started leaves them for the next run).
   */
  private answerSettledBefore(): void {
    const settled = this.settledBefore;
    this.settledBefore = [];
    const kept = new Map(settled.map(({ report }) => [report.id, report]));
    for (const { report, settlement } of settled) {
      if (settlement.kind === 'dropped') this.settle({ kind: 'dropped', report });
      else {
        const by = this.byId.get(settlement.by)?.report ?? kept.get(settlement.by) ?? { id: settlement.by };
        this.settle({ kind: 'superseded', report, by });
      }
    }
  }

  private answer(answer: OutboxAnswer<R, A>, attachment: A | undefined): void {
    try {
      this.settings.onAnswer(attachment === undefined ? answer : { ...answer, attachment });
    } catch (error) {
      this.warn(`the answer for report ${answer.report.id} could not be given: ${(error as Error).message}`);
    }
  }

  private changed(): void {
    try {
      this.settings.onChange?.(this.backlog);
    } catch (error) {
      this.warn(`the backlog could not be shown: ${(error as Error).message}`);
    }
  }

  /** One try of a target's head: `done` when it was answered (or settled meanwhile), `again` to retry it. */
  private async deliver(waiting: Waiting<A>, signal: AbortSignal): Promise<RunOutcome> {
    if (waiting.settling !== undefined && (await waiting.settling)) return 'done';
    const { report } = waiting;
    // The target's previous report leaves the file before this one is sent, so a redelivery after a crash can never
    // land behind it.
    const before = this.lastDelete.get(report.target);
    if (before !== undefined && !this.store.isDurable(before))
      await this.store.commit().catch((error: unknown) => {
        this.warn(`the outbox file could not be updated: ${(error as Error).message}`);
      });
    this.lastDelete.delete(report.target);
    let settled: OutboxAnswer<R, A> | undefined;
    try {
      const result = await this.settings.deliver(
        { ...report.request },
        { signal, skipUnchanged: waiting.redelivery || this.settings.skipUnchanged === true },
      );
      settled = { kind: 'result', report, result };
    } catch (error) {
      if (this.closing && signal.aborted) return 'again'; // Left on disk for the next run; nothing to answer now.
      if (worthRetrying(error)) {
        waiting.redelivery = true;
        const lastError = `${error.code}: ${error.message}`;
        waiting.report = { ...report, attempts: report.attempts + 1, lastError };
        this.tryStore(() => this.store.recordAttempt(report.id, lastError));
        return 'again';
      }
      const refusal =
        error instanceof StepError
          ? error
          : new StepError(`delivery failed: ${(error as Error)?.message ?? String(error)}`, {
              code: StepErrorCode.Internal,
              cause: error,
            });
      settled = { kind: 'error', report, error: refusal };
    }
    this.answer(settled, waiting.attachment);
    // Written with the next commit, which waits for the answer to leave; the target's next report waits for it.
    this.tryStore(() => this.lastDelete.set(report.target, this.store.delete(report.id)));
    // Targets that never report again leave their entry behind: pruned once those deletes are on disk.
    if (this.lastDelete.size > 1_000)
      for (const [target, write] of this.lastDelete) if (this.store.isDurable(write)) this.lastDelete.delete(target);
    this.byId.delete(report.id);
    this.bytes -= report.bytes;
    // An accepted report says the link is back: whatever waits out a backoff is due now.
    if (settled.kind === 'result') this.scheduler.wake();
    this.changed();
    return 'done';
  }

  private tryStore(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.warn(`the outbox file could not be updated: ${(error as Error).message}`);
    }
  }
}
