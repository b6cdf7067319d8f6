/**
 * A step node's durable outbox ("Keep reports until delivered"): the core's `Outbox` in a file under Node-RED's
 * user directory, one per node id, so a restart or a redeploy finds what the node had taken. A message taken in
 * this run is answered on itself, with its own `send` and `done`; one found on disk after a restart is answered as
 * the message that was stored (`node.send`). Control messages (`msg.outbox`) list what waits and drop an entry.
 */
import { join } from 'node:path';

import { systemClock, type ClockTimer } from '../core/shared/clock';
import { invalidInput } from '../core/shared/errors';
import type { OperationDefinition, StepResult } from '../core/shared/operation';
import type { Readings } from '../core/shared/readings';
import {
  Outbox,
  OutboxFullError,
  OutboxUnavailableError,
  OUTBOX_LIMITS,
  outboxUnavailable,
  type Backlog,
  type OutboxAnswer,
  type StoredReport,
} from '../core/outbox/outbox';
import type { StepOptions } from '../core/shared/step-run';
import type { Done, Send } from './answer';
import type { NodeMessage, NodeStatus, RedAPI, RedNode } from './red';

/** A report removed by a control message: its one answer, on the error port. */
export class DroppedError extends Error {
  override readonly name = 'DroppedError';
  readonly code = 'dropped';
  readonly retryable = false;
}

/** The node-level refusals that are not the core's StepError, each with its code. */
export function isOutboxRefusal(error: unknown): error is OutboxFullError | OutboxUnavailableError | DroppedError {
  return error instanceof OutboxFullError || error instanceof OutboxUnavailableError || error instanceof DroppedError;
}

/** The message property that makes a message a control message for the outbox. */
export const OUTBOX_CONTROL = 'outbox';

/** Whether `msg` is a control message (`msg.outbox` set), not a report. */
export function isControlMessage(msg: NodeMessage): boolean {
  return Object.hasOwn(msg, OUTBOX_CONTROL) && msg[OUTBOX_CONTROL] !== undefined;
}

export interface OutboxNodeConfig {
  /** `auto`, `on` or `off`; `true` and `false` from flows saved by earlier editors; unset for older ones. */
  readonly outbox?: boolean | string;
  readonly outboxEntries?: string | number;
  readonly outboxMegabytes?: string | number;
  readonly concurrency?: string | number;
  readonly skipUnchanged?: boolean;
}

/** What the node does with an outbox's answers and backlog: its own answer paths. */
export interface OutboxHost<R extends StepResult> {
  readonly deliver: (request: Record<string, unknown>, options: StepOptions) => Promise<R>;
  readonly result: (msg: NodeMessage, payload: unknown, send: Send, done: Done, result?: R) => void;
  readonly fail: (msg: NodeMessage, send: Send, done: Done, error: unknown) => void;
  /** The backlog's status, or undefined when nothing waits (the node shows its last outcome). */
  readonly showBacklog: (status: NodeStatus | undefined) => void;
}

export interface NodeOutbox {
  /** Stores a report (validated by the operation) and takes the message; throws its refusals, nothing stored. */
  /** Stores a report, checked under the readings of the connection that will deliver it. */
  take(msg: NodeMessage, input: Record<string, unknown>, send: Send, done: Done, readings: Readings): void;
  /** Answers a control message: `'list'`, or `{ drop: id }`. */
  control(msg: NodeMessage, send: Send, done: Done): void;
  /** Closes the file; `removed` (the node was deleted from the flow) warns of reports left in it. */
  close(graceMs: number, removed: boolean): Promise<void>;
}

/**
 * "Keep reports until delivered", as the node's setting says it: `auto` keeps them when this runtime can (Node.js
 * with an unflagged `node:sqlite` and a writable user directory) and delivers from memory when it cannot; `on`
 * refuses every report rather than send one unkept; `off` is the queue in memory.
 */
export const OutboxMode = { Auto: 'auto', On: 'on', Off: 'off' } as const;
export type OutboxMode = (typeof OutboxMode)[keyof typeof OutboxMode];

/** What a runtime that cannot keep reports shows on the node, for as long as it runs. */
export const NOT_KEPT_STATUS = 'reports not kept across restarts: needs Node.js 22.13 and a writable user directory';

/**
 * The mode the node's setting asks for, or why the setting cannot be honoured. The runtime decides the default, not
 * the editor: unset (a node saved before the option) and `true` (the ticked box an earlier editor saved into every
 * node it created) both read as `auto`, so an upgrade never turns a reporting flow into a refusing one; `false` is
 * `off`. An operation that does not offer the outbox takes only unset or off.
 */
export function outboxMode(
  config: OutboxNodeConfig,
  operation: Pick<OperationDefinition, 'name' | 'outbox' | 'readOnly'>,
): { mode: OutboxMode } | { problem: string } {
  const value = config.outbox;
  const unset = value === undefined || value === '';
  const off = value === false || value === 'false' || value === OutboxMode.Off;
  if (!operation.outbox) {
    if (unset || off) return { mode: OutboxMode.Off };
    return {
      problem:
        `${operation.name} cannot keep reports until delivered: ` +
        (operation.readOnly
          ? 'it only reads, and a late read answers nothing useful'
          : 'its request is not kept on disk') +
        '; set "Keep reports until delivered" to off',
    };
  }
  if (unset) return { mode: operation.outbox.byDefault ? OutboxMode.Auto : OutboxMode.Off };
  if (off) return { mode: OutboxMode.Off };
  if (value === true || value === 'true' || value === OutboxMode.Auto) return { mode: OutboxMode.Auto };
  if (value === OutboxMode.On) return { mode: OutboxMode.On };
  return {
    problem: `the setting is ${JSON.stringify(value)}; set "Keep reports until delivered" to auto, on or off`,
  };
}

function positive(value: unknown, fallback: number): number {
  const n = Number(value);
  return value !== '' && value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
}

/** How long ago, in a status's few characters: `40s`, `12m`, `3h`, `2d`. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** Where a node's outbox file lives: `<userDir>/aws-job-steps/outbox-<node id>.sqlite`. */
export function outboxFile(userDir: string, nodeId: string): string {
  return join(userDir, 'aws-job-steps', `outbox-${nodeId.replace(/[^A-Za-z0-9_-]/g, '_')}.sqlite`);
}

/**
 * Opens the node's outbox, or says why this runtime cannot keep one (a Node.js without an unflagged `node:sqlite`,
 * no user directory, or one that cannot be written): the node then refuses every report (`on`) or delivers from
 * memory and says so (`auto`).
 */
export function openNodeOutbox<R extends StepResult>(
  RED: RedAPI,
  node: RedNode,
  config: OutboxNodeConfig,
  operation: OperationDefinition<R>,
  host: OutboxHost<R>,
): { outbox: NodeOutbox } | { problem: string } {
  // The operation offers it: outboxMode said so before the node asked to open one.
  const unavailable = outboxUnavailable();
  if (unavailable) return { problem: unavailable };
  const userDir = RED.settings?.userDir;
  if (typeof userDir !== 'string' || userDir === '')
    return { problem: 'Node-RED has no user directory (settings.userDir) to keep the outbox in; set one' };

  /** The messages taken in this run, by report id: answered on themselves. */
  const live = new Map<number, { msg: NodeMessage; send: Send; done: Done }>();
  /** The stored message's _msgid, for `superseded` answers (none when only the report's id is left). */
  const msgId = (report: { readonly message?: unknown }): string | undefined => {
    const m = report.message as { _msgid?: unknown } | null;
    return typeof m?._msgid === 'string' ? m._msgid : undefined;
  };
  const answerTo = (report: StoredReport): { msg: NodeMessage; send: Send; done: Done } => {
    const held = live.get(report.id);
    live.delete(report.id);
    if (held) return held;
    const stored = report.message;
    const msg: NodeMessage =
      typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? (stored as NodeMessage) : {};
    return { msg, send: (out) => node.send(out), done: () => undefined };
  };
  const delivery = (report: StoredReport) => ({
    report: report.id,
    acceptedAt: new Date(report.acceptedAt).toISOString(),
    attempts: report.attempts,
  });

  const file = outboxFile(userDir, node.id);
  let outbox: Outbox<R>;
  let ticker: ClockTimer | undefined;
  const show = (backlog: Backlog): void => {
    if (backlog.count === 0) {
      systemClock.clearTimer(ticker);
      ticker = undefined;
      return host.showBacklog(undefined);
    }
    const oldest =
      backlog.oldestAcceptedAt === undefined ? '' : `, oldest ${age(systemClock.now() - backlog.oldestAcceptedAt)}`;
    host.showBacklog({ fill: 'blue', shape: 'ring', text: `${backlog.count} waiting${oldest}` });
    // The age grows while nothing else changes: shown again every 10 s while reports wait.
    ticker ??= systemClock
      .setTimer(() => {
        ticker = undefined;
        show(outbox.backlog);
      }, 10_000)
      .unref();
  };
  try {
    outbox = Outbox.open({
      file,
      operation,
      concurrency: positive(config.concurrency, 4),
      maxEntries: Math.floor(positive(config.outboxEntries, OUTBOX_LIMITS.entries)),
      maxBytes: Math.floor(positive(config.outboxMegabytes, OUTBOX_LIMITS.bytes / 1024 / 1024) * 1024 * 1024),
      skipUnchanged: config.skipUnchanged === true,
      deliver: (request, options) => host.deliver(request, options),
      onChange: show,
      onWarning: (message) => node.warn(message),
      onAnswer: (answer: OutboxAnswer<R>) => {
        const { msg, send, done } = answerTo(answer.report);
        switch (answer.kind) {
          case 'result':
            msg.delivery = delivery(answer.report);
            return host.result(msg, answer.result, send, done, answer.result);
          case 'error':
            msg.delivery = delivery(answer.report);
            return host.fail(msg, send, done, answer.error);
          case 'superseded':
            msg.delivery = delivery(answer.report);
            return host.result(
              msg,
              { changed: false, attempts: 0, supersededBy: { report: answer.by.id, _msgid: msgId(answer.by) } },
              send,
              done,
            );
          case 'dropped':
            msg.delivery = delivery(answer.report);
            return host.fail(msg, send, done, new DroppedError('dropped from the outbox by a control message'));
        }
      },
    });
  } catch (error) {
    return { problem: (error as Error).message };
  }
  if (outbox.movedAside !== undefined)
    node.warn(`outbox: the store could not be read; moved aside to ${outbox.movedAside}`);

  return {
    outbox: {
      take(msg, input, send, done, readings) {
        // An http in's req and res cannot outlive the run; the outbox leaves out the rest of what is not JSON.
        const { req: _req, res: _res, ...kept } = msg;
        const report = outbox.add(input, kept, readings);
        live.set(report.id, { msg, send, done });
      },
      control(msg, send, done) {
        const command = msg[OUTBOX_CONTROL];
        if (command === 'list') {
          const backlog = outbox.backlog;
          msg.payload = {
            count: backlog.count,
            bytes: backlog.bytes,
            ...(backlog.oldestAcceptedAt !== undefined && {
              oldestAcceptedAt: new Date(backlog.oldestAcceptedAt).toISOString(),
            }),
            reports: outbox.list().map((entry) => {
              const stored = live.get(entry.id)?.msg._msgid;
              return {
                ...entry,
                acceptedAt: new Date(entry.acceptedAt).toISOString(),
                ...(stored && { _msgid: stored }),
              };
            }),
          };
          return host.result(msg, msg.payload, send, done);
        }
        const drop = (command as { drop?: unknown } | null)?.drop;
        if (typeof command === 'object' && command !== null && Number.isInteger(Number(drop)) && drop !== '') {
          const report = outbox.drop(Number(drop));
          return host.result(msg, { dropped: report.id, target: report.target }, send, done);
        }
        throw invalidInput(
          'msg.outbox',
          "must be 'list' or { drop: <report id> }",
          "send 'list' to see what waits and the ids",
        );
      },
      async close(graceMs, removed) {
        systemClock.clearTimer(ticker);
        await outbox.close(graceMs);
        const left = outbox.backlog.count;
        if (left === 0) return;
        // Never deleted with the node: a report on disk is only ever delivered, refused or dropped.
        if (removed)
          node.warn(
            `outbox: ${left} reports were not delivered and stay in ${file}; a node with id ${node.id} delivers them`,
          );
        else node.log(`outbox: ${left} reports kept for the next start`);
      },
    },
  };
}
