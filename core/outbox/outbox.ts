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
import { setMaxListeners } from 'node:events';

import { backoffMs, systemClock, type Clock, type ClockTimer } from '../shared/clock';
import { StepError, StepErrorCode } from '../shared/errors';
import { parseParameters, subjectKey, type OperationDefinition, type StepResult } from '../shared/operation';
import { DEFAULT_READINGS, type Readings } from '../shared/readings';
import { OutboxStore, type Settlement, type StoredReport } from './outbox-store';
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
export type OutboxAnswer<R> =
  | { readonly kind: 'result'; readonly report: StoredReport; readonly result: R }
  | { readonly kind: 'error'; readonly report: StoredReport; readonly error: StepError }
  | {
      readonly kind: 'superseded';
      readonly report: StoredReport;
      /** The newer report; after a restart only its id, when it has left the file already. */
      readonly by: Pick<StoredReport, 'id'> & Partial<StoredReport>;
    }
  | { readonly kind: 'dropped'; readonly report: StoredReport };

/** What waits, as `list` shows it: the request with secret parameters masked, never the message. */
export interface OutboxListing {
  readonly id: number;
  readonly target: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly acceptedAt: number;
  readonly attempts: number;
  readonly lastError?: string | undefined;
  readonly delivering: boolean;
  /** When the next try is due (epoch ms), while the target waits out a backoff. */
  readonly retryAt?: number | undefined;
}

export interface Backlog {
  readonly count: number;
  readonly bytes: number;
  /** Epoch ms of the oldest waiting report. */
  readonly oldestAcceptedAt?: number | undefined;
}

export interface OutboxSettings<R extends StepResult> {
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
  readonly onAnswer: (answer: OutboxAnswer<R>) => void;
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

interface Waiting {
  report: StoredReport;
  /** It may have landed already: found on disk at start-up, or tried before in this run. */
  redelivery: boolean;
}

interface Target {
  readonly key: string;
  readonly queue: Waiting[];
  delivering: boolean;
  failures: number;
  retryAt: number;
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

/**
 * Resolves once an answer given now has had the turns of the event loop it takes to reach the host's next step (a
 * Node-RED node's send is delivered one turn later): a report is deleted only then, so a crash before then answers
 * it again in the next run (once per run), never not at all.
 */
async function answerLeft(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}

/** Why a delivery try ended without an answer: worth another try later. */
function worthRetrying(error: unknown): error is StepError {
  return error instanceof StepError && error.retryable === true;
}

export class Outbox<R extends StepResult> {
  private readonly targets = new Map<string, Target>();
  private readonly byId = new Map<number, { target: Target; waiting: Waiting }>();
  private bytes = 0;
  private running = 0;
  private timer: ClockTimer | undefined;
  private readonly clock: Clock;
  private closing = false;
  private drained: (() => void) | undefined;
  private readonly stop = new AbortController();
  /** Who waits for a target's backlog to be delivered, by target key. */
  private readonly awaiting = new Map<string, { resolve: () => void; reject: (error: StepError) => void }[]>();
  /** Reports answered superseded or dropped, each until its answer has left and it is deleted. */
  private readonly leaving = new Set<Promise<void>>();
  private readonly limits: { entries: number; bytes: number };

  /** Set when the file found was not a readable store and was renamed: where it is now, and why. */
  readonly movedAside?: string;

  private constructor(
    private readonly settings: OutboxSettings<R>,
    private readonly store: OutboxStore,
    reports: StoredReport[],
    private settledBefore: { readonly report: StoredReport; readonly settlement: Settlement }[],
    movedAside: string | undefined,
  ) {
    setMaxListeners(Infinity, this.stop.signal);
    this.clock = settings.clock ?? systemClock;
    this.limits = {
      entries: settings.maxEntries ?? OUTBOX_LIMITS.entries,
      bytes: settings.maxBytes ?? OUTBOX_LIMITS.bytes,
    };
    if (movedAside !== undefined) this.movedAside = movedAside;
    for (const report of reports) this.hold(report, true);
  }

  /**
   * Opens the outbox at `settings.file` and starts delivering what it holds.
   *
   * @throws OutboxUnavailableError without an unflagged `node:sqlite`, or when the directory cannot be written.
   * @throws StepError `invalid-input` for an operation that does not offer the outbox.
   */
  static open<R extends StepResult>(settings: OutboxSettings<R>): Outbox<R> {
    if (!settings.operation.outbox)
      throw new StepError(`${settings.operation.name} does not keep reports until delivered`, {
        code: StepErrorCode.InvalidInput,
        field: 'outbox',
      });
    const { store, reports, settled, movedAside } = OutboxStore.open(settings.file);
    const outbox = new Outbox(settings, store, reports, settled, movedAside);
    if (movedAside !== undefined)
      outbox.warn(`the outbox file was not readable and was moved aside to ${movedAside}; a new one was made`);
    // Answered and delivered on start-up, after the host has finished wiring its handlers.
    setImmediate(() => {
      outbox.answerSettledBefore();
      outbox.changed();
      outbox.pump();
    });
    return outbox;
  }

  /**
   * Validates `input` and stores it with `message` (the host's, as JSON) before returning; delivery follows. A
   * waiting report the operation says this one supersedes is replaced in the same write, and answered `superseded`.
   * `readings` are those of the connection that will deliver it, so a report its step would refuse (a value longer
   * than the connection's `statusDetailsValueLength`) is refused now, never stored to fail at delivery.
   *
   * @throws StepError `invalid-input` (nothing stored), OutboxFullError, or the store's error (nothing stored).
   */
  add(input: unknown, message: unknown, readings: Readings = DEFAULT_READINGS): StoredReport {
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
    const target = this.targets.get(key);
    const tail = target?.queue.at(-1);
    // Only a report still waiting: the head of a target being delivered is in flight.
    const replaced =
      tail &&
      !(target!.delivering && target!.queue.length === 1) &&
      operation.outbox!.supersedes?.(tail.report.request, request)
        ? tail
        : undefined;
    const entries = this.byId.size - (replaced ? 1 : 0) + 1;
    const bytes = this.bytes - (replaced?.report.bytes ?? 0) + size;
    if (entries > this.limits.entries || bytes > this.limits.bytes)
      throw new OutboxFullError(
        `the outbox is full (${this.byId.size} reports, ${this.bytes} bytes; at most ${this.limits.entries} and ` +
          `${this.limits.bytes}); the report was not taken: wait for the backlog to drain, or raise the limits`,
      );
    const acceptedAt = this.clock.now();
    const id = this.store.add(key, requestJson, messageJson, acceptedAt, replaced?.report.id);
    const report: StoredReport = { id, target: key, request, message, acceptedAt, attempts: 0, bytes: size };
    // Held before the replaced one is forgotten: the target never looks empty (nor delivered) in between.
    this.hold(report, false);
    if (replaced) {
      this.forget(replaced.report);
      this.settle({ kind: 'superseded', report: replaced.report, by: report });
    }
    this.changed();
    this.pump();
    return report;
  }

  /** What waits, in arrival order. */
  list(): OutboxListing[] {
    const secret = new Set(this.settings.operation.parameters.filter((p) => p.secret).map((p) => p.member));
    return [...this.byId.values()].map(({ target, waiting: { report } }) => ({
      id: report.id,
      target: report.target,
      request: Object.fromEntries(Object.entries(report.request).map(([k, v]) => [k, secret.has(k) ? '***' : v])),
      acceptedAt: report.acceptedAt,
      attempts: report.attempts,
      ...(report.lastError !== undefined && { lastError: report.lastError }),
      delivering: target.delivering && target.queue[0]?.report.id === report.id,
      ...(target.retryAt > this.clock.now() && { retryAt: target.retryAt }),
    }));
  }

  get backlog(): Backlog {
    // `byId` holds reports in arrival order (loaded in id order, added at the end), so the first is the oldest.
    const oldest = this.byId.values().next().value?.waiting.report.acceptedAt;
    return { count: this.byId.size, bytes: this.bytes, ...(oldest !== undefined && { oldestAcceptedAt: oldest }) };
  }

  /**
   * Removes a waiting report by hand; it is answered `dropped`, and never sent (after a restart too).
   *
   * @throws StepError `invalid-input` when no such report waits, or it is being delivered right now.
   */
  drop(id: number): StoredReport {
    const held = this.byId.get(id);
    if (!held)
      throw new StepError(`no report ${id} waits in the outbox; list it to see the ids`, {
        code: StepErrorCode.InvalidInput,
        field: 'drop',
      });
    if (held.target.delivering && held.target.queue[0] === held.waiting)
      throw new StepError(`report ${id} is being delivered right now; try again when the try ends`, {
        code: StepErrorCode.InvalidInput,
        field: 'drop',
      });
    this.store.drop(id);
    this.forget(held.waiting.report);
    this.settle({ kind: 'dropped', report: held.waiting.report });
    this.changed();
    this.pump();
    return held.waiting.report;
  }

  /**
   * Resolves once no report for `subject`'s target waits any more (every one answered and gone from the file), at
   * once when none waits: for a host that must not act on a target before what it reported there is delivered (a
   * start-next after a restart, behind the previous job's undelivered SUCCEEDED). `subject` holds the operation's
   * subject members (for update-job-execution `thingName` and `jobId`).
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
    const key = subjectKey(operation, subject);
    if (!this.targets.has(key)) return Promise.resolve();
    if (this.closing) return Promise.reject(this.closedWith(key));
    return new Promise((resolve, reject) => {
      const waiters = this.awaiting.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.awaiting.set(key, waiters);
    });
  }

  private closedWith(key: string): StepError {
    return new StepError(
      `the outbox closed with reports for ${key} still waiting; they stay on disk for the next run`,
      {
        code: StepErrorCode.Aborted,
        subject: key,
      },
    );
  }

  /** The link may be back: targets waiting out a backoff are tried now. */
  wake(): void {
    const now = this.clock.now();
    for (const target of this.targets.values()) if (target.retryAt > now) target.retryAt = now;
    this.pump();
  }

  /**
   * Stops delivering: tries in flight get `graceMs` to end, then are aborted. Whatever was not settled stays on
   * disk, unanswered in this run, for the next.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const { clock } = this;
    clock.clearTimer(this.timer);
    const abort = clock.setTimer(() => this.stop.abort(new Error('the outbox was closed')), graceMs);
    // A delivery that ignores its signal must not hold the host's close for ever: a late answer still comes.
    let giveUp: ClockTimer | undefined;
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      giveUp = clock.setTimer(resolve, graceMs + 1_000);
      if (this.running === 0) resolve();
    });
    clock.clearTimer(abort);
    clock.clearTimer(giveUp);
    for (const [key, waiters] of this.awaiting) for (const waiter of waiters) waiter.reject(this.closedWith(key));
    this.awaiting.clear();
    await Promise.all(this.leaving);
    this.store.close();
  }

  private hold(report: StoredReport, redelivery: boolean): void {
    let target = this.targets.get(report.target);
    if (!target) {
      target = { key: report.target, queue: [], delivering: false, failures: 0, retryAt: 0 };
      this.targets.set(report.target, target);
    }
    const waiting = { report, redelivery };
    target.queue.push(waiting);
    this.byId.set(report.id, { target, waiting });
    this.bytes += report.bytes;
  }

  /** Takes a report out of memory (the store is the caller's). */
  private forget(report: StoredReport): void {
    const held = this.byId.get(report.id);
    if (!held) return;
    this.byId.delete(report.id);
    this.bytes -= report.bytes;
    const { target } = held;
    target.queue.splice(target.queue.indexOf(held.waiting), 1);
    if (target.queue.length === 0 && !target.delivering) this.targetDone(target);
  }

  /** A target with nothing left: forgotten, and whoever waited for it told. */
  private targetDone(target: Target): void {
    if (this.targets.get(target.key) !== target) return;
    this.targets.delete(target.key);
    const waiters = this.awaiting.get(target.key);
    this.awaiting.delete(target.key);
    for (const waiter of waiters ?? []) waiter.resolve();
  }

  private warn(message: string): void {
    try {
      this.settings.onWarning?.(message);
    } catch {
      // A host's logger that throws has nowhere else to go.
    }
  }

  /**
   * Answers a report settled without a delivery (already so in the file, or with the write that settled it) and
   * deletes it once the answer has left.
   */
  private settle(answer: OutboxAnswer<R> & { kind: 'superseded' | 'dropped' }): void {
    this.answer(answer);
    const left = answerLeft().then(() => {
      this.tryStore(() => this.store.delete(answer.report.id));
      this.leaving.delete(left);
    });
    this.leaving.add(left);
  }

  /**
   * The reports settled in an earlier run whose answer may not have left: answered again, as they were settled (an
   * outbox closed before it started leaves them for the next run).
   */
  private answerSettledBefore(): void {
    if (this.closing) return;
    const settled = this.settledBefore;
    this.settledBefore = [];
    const kept = new Map(settled.map(({ report }) => [report.id, report]));
    for (const { report, settlement } of settled) {
      if (settlement.kind === 'dropped') this.settle({ kind: 'dropped', report });
      else {
        const by = this.byId.get(settlement.by)?.waiting.report ?? kept.get(settlement.by) ?? { id: settlement.by };
        this.settle({ kind: 'superseded', report, by });
      }
    }
  }

  private answer(answer: OutboxAnswer<R>): void {
    try {
      this.settings.onAnswer(answer);
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
    if (this.closing && this.running === 0) this.drained?.();
  }

  /** Starts the head of every free target that is due, while there is room; then waits for the next one due. */
  private pump(): void {
    if (this.closing) return;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    const concurrency = this.settings.concurrency ?? 4;
    let next = Infinity;
    for (const target of this.targets.values()) {
      if (target.delivering || target.queue.length === 0) continue;
      if (target.retryAt > now) next = Math.min(next, target.retryAt);
      else if (this.running < concurrency) void this.deliver(target);
    }
    if (next !== Infinity) {
      this.timer = this.clock.setTimer(() => this.pump(), next - now).unref();
    }
  }

  private async deliver(target: Target): Promise<void> {
    const waiting = target.queue[0]!;
    const { report } = waiting;
    target.delivering = true;
    this.running++;
    let settled: OutboxAnswer<R> | undefined;
    try {
      const result = await this.settings.deliver(
        { ...report.request },
        {
          signal: this.stop.signal,
          skipUnchanged: waiting.redelivery || this.settings.skipUnchanged === true,
        },
      );
      settled = { kind: 'result', report, result };
    } catch (error) {
      if (this.closing && this.stop.signal.aborted) {
        // Left on disk for the next run; nothing to answer in this one.
      } else if (worthRetrying(error)) {
        waiting.redelivery = true;
        const lastError = `${error.code}: ${error.message}`;
        waiting.report = { ...report, attempts: report.attempts + 1, lastError };
        this.tryStore(() => this.store.recordAttempt(report.id, lastError));
        target.failures++;
        const { baseMs, capMs } = this.settings.retry ?? OUTBOX_RETRY;
        // Half jitter: a link that comes back for a whole fleet at once must not bring it back at once.
        target.retryAt = this.clock.now() + backoffMs(target.failures, baseMs, capMs, 'half', this.clock.random());
      } else {
        const refusal =
          error instanceof StepError
            ? error
            : new StepError(`delivery failed: ${(error as Error)?.message ?? String(error)}`, {
                code: StepErrorCode.Internal,
                cause: error,
              });
        settled = { kind: 'error', report, error: refusal };
      }
    }
    if (settled) {
      this.answer(settled);
      // The target's next report waits for the delete, so a redelivery after a crash can never land behind a
      // later report.
      await answerLeft();
      this.tryStore(() => this.store.delete(report.id));
      this.forget(report);
    }
    target.delivering = false;
    this.running--;
    if (settled?.kind === 'result') {
      target.failures = 0;
      target.retryAt = 0;
      // An accepted report says the link is back: whatever waits out a backoff is due now.
      this.wake();
    }
    if (target.queue.length === 0) this.targetDone(target);
    this.changed();
    this.pump();
  }

  private tryStore(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.warn(`the outbox file could not be updated: ${(error as Error).message}`);
    }
  }
}
