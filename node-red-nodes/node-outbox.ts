/**
 * A step node's durable outbox ("Keep reports until delivered"): the core's `Outbox` in a file under Node-RED's
 * user directory, one per node id, so a restart or a redeploy finds what the node had taken. Its answers reach the
 * messages through live-messages.ts; control messages (`msg.outbox`) list what waits and drop an entry. Each part is
 * a function of its own (take, answer, command, close); `openNodeOutbox` assembles them, `keepReports` decides
 * whether the node keeps reports at all.
 */
import { join } from 'node:path';

import { invalidInput } from '../core/shared/errors';
import type { OperationDefinition, StepResult } from '../core/shared/operation';
import type { Readings } from '../core/shared/readings';
import { Outbox, OUTBOX_LIMITS, outboxUnavailable, type OutboxAnswer } from '../core/outbox/outbox';
import type { StepOptions } from '../core/shared/step-run';
import { answerTo, type Answerable } from './live-messages';
import type { NodeAnswers } from './node-answers';
import { backlogStatus, type StatusBoard } from './node-status';
import type { Done, NodeMessage, RedAPI, RedNode, Send } from './red';
import { DroppedError } from './refusals';

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

/** What the node does with an outbox: deliver its reports, answer on its own answer paths, show its backlog. */
export interface OutboxHost<R extends StepResult> extends Pick<NodeAnswers<R>, 'result' | 'fail'> {
  readonly deliver: (request: Record<string, unknown>, options: StepOptions) => Promise<R>;
  readonly status: StatusBoard;
}

export interface NodeOutbox {
  /**
   * Stores a report (validated by the operation, under the readings of the connection that will deliver it) and
   * takes the message once it is on disk; rejects with its refusals, nothing stored.
   */
  take(msg: NodeMessage, input: Record<string, unknown>, send: Send, done: Done, readings: Readings): Promise<void>;
  /** Answers a control message: `'list'`, or `{ drop: id }`. */
  control(msg: NodeMessage, send: Send, done: Done): Promise<void>;
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

/** Where a node's outbox file lives: `<userDir>/aws-job-steps/outbox-<node id>.sqlite`. */
export function outboxFile(userDir: string, nodeId: string): string {
  return join(userDir, 'aws-job-steps', `outbox-${nodeId.replace(/[^A-Za-z0-9_-]/g, '_')}.sqlite`);
}

/** A node's outbox: what it holds beside each report taken in this run is the message, to answer on it. */
type NodeOutboxCore<R extends StepResult> = Outbox<R, Answerable>;

/**
 * Stores a report, with its message beside it until the report's answer. The one place a node hands the outbox a
 * report.
 */
async function takeReport<R extends StepResult>(
  outbox: NodeOutboxCore<R>,
  taken: Answerable,
  input: Record<string, unknown>,
  readings: Readings,
): Promise<void> {
  // An http in's req and res cannot outlive the run; the outbox leaves out the rest of what is not JSON.
  const { req: _req, res: _res, ...kept } = taken.msg;
  await outbox.add(input, kept, readings, taken);
}

/** Answers a report's message on the node's answer paths, as the outbox settled the report. */
function answerReport<R extends StepResult>(
  host: OutboxHost<R>,
  node: RedNode,
  answer: OutboxAnswer<R, Answerable>,
): void {
  const { msg, send, done } = answerTo(node, answer.report, answer.attachment);
  switch (answer.kind) {
    case 'result':
      return host.result(msg, answer.result, send, done, answer.result);
    case 'error':
      return host.fail(msg, send, done, answer.error);
    case 'superseded': {
      // The newer report's message id, when its message is still stored (after a restart only its id may be left).
      const by = answer.by.message as { _msgid?: unknown } | null | undefined;
      const _msgid = typeof by?._msgid === 'string' ? by._msgid : undefined;
      return host.result(
        msg,
        { changed: false, attempts: 0, supersededBy: { report: answer.by.id, _msgid } },
        send,
        done,
      );
    }
    case 'dropped':
      return host.fail(msg, send, done, new DroppedError('dropped from the outbox by a control message'));
  }
}

/** Answers a control message: `'list'` shows what waits, `{ drop: id }` removes a report (which is answered `dropped`). */
async function answerCommand<R extends StepResult>(
  outbox: NodeOutboxCore<R>,
  host: OutboxHost<R>,
  { msg, send, done }: Answerable,
): Promise<void> {
  const command = msg[OUTBOX_CONTROL];
  if (command === 'list') {
    const backlog = outbox.backlog;
    msg.payload = {
      count: backlog.count,
      bytes: backlog.bytes,
      commits: outbox.commits,
      ...(backlog.oldestAcceptedAt !== undefined && {
        oldestAcceptedAt: new Date(backlog.oldestAcceptedAt).toISOString(),
      }),
      reports: outbox.list().map(({ attachment, ...entry }) => {
        const taken = attachment?.msg._msgid;
        return {
          ...entry,
          acceptedAt: new Date(entry.acceptedAt).toISOString(),
          ...(taken && { _msgid: taken }),
        };
      }),
    };
    return host.result(msg, msg.payload, send, done);
  }
  const drop = (command as { drop?: unknown } | null)?.drop;
  if (typeof command === 'object' && command !== null && Number.isInteger(Number(drop)) && drop !== '') {
    const report = await outbox.drop(Number(drop));
    return host.result(msg, { dropped: report.id, target: report.target }, send, done);
  }
  throw invalidInput(
    'msg.outbox',
    "must be 'list' or { drop: <report id> }",
    "send 'list' to see what waits and the ids",
  );
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

  const file = outboxFile(userDir, node.id);
  let outbox: NodeOutboxCore<R>;
  const backlog = backlogStatus(host.status.hold, () => outbox.backlog);
  try {
    outbox = Outbox.open<R, Answerable>({
      file,
      operation,
      concurrency: positive(config.concurrency, 4),
      maxEntries: Math.floor(positive(config.outboxEntries, OUTBOX_LIMITS.entries)),
      maxBytes: Math.floor(positive(config.outboxMegabytes, OUTBOX_LIMITS.bytes / 1024 / 1024) * 1024 * 1024),
      skipUnchanged: config.skipUnchanged === true,
      deliver: (request, options) => host.deliver(request, options),
      onChange: backlog.show,
      onWarning: (message) => node.warn(message),
      onAnswer: (answer) => answerReport(host, node, answer),
    });
  } catch (error) {
    return { problem: (error as Error).message };
  }
  if (outbox.movedAside !== undefined)
    node.warn(`outbox: the store could not be read; moved aside to ${outbox.movedAside}`);

  return {
    outbox: {
      take: (msg, input, send, done, readings) => takeReport(outbox, { msg, send, done }, input, readings),
      control: (msg, send, done) => answerCommand(outbox, host, { msg, send, done }),
      async close(graceMs, removed) {
        backlog.stop();
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

/** How a node keeps its reports, as its setting asks and this runtime allows. */
export interface ReportKeeping {
  /** The node's outbox, when it keeps reports. */
  readonly outbox?: NodeOutbox | undefined;
  /** Why every report is refused: the setting cannot be honoured, or `on` where this runtime cannot keep reports. */
  readonly refused?: string | undefined;
  /** Why reports are delivered from memory although the node would keep them (`auto` on a runtime that cannot). */
  readonly notKept?: string | undefined;
}

/**
 * Opens the outbox the node's "Keep reports until delivered" asks for, if this runtime can keep one, and says at
 * deploy (log and status) when it cannot: an error when reports will be refused, a warning when they are delivered
 * from memory, which every later outcome on the status repeats.
 */
export function keepReports<R extends StepResult>(
  RED: RedAPI,
  node: RedNode,
  config: OutboxNodeConfig,
  operation: OperationDefinition<R>,
  host: OutboxHost<R>,
): ReportKeeping {
  const asked = outboxMode(config, operation);
  const durable =
    'mode' in asked && asked.mode !== OutboxMode.Off ? openNodeOutbox(RED, node, config, operation, host) : undefined;
  const refused =
    'problem' in asked
      ? asked.problem
      : durable && 'problem' in durable && asked.mode === OutboxMode.On
        ? durable.problem
        : undefined;
  const notKept = durable && 'problem' in durable && !refused ? durable.problem : undefined;
  if (refused) {
    node.error(`Keep reports until delivered: ${refused}`);
    host.status.outcome({ fill: 'red', shape: 'ring', text: 'outbox unavailable' });
  } else if (notKept) {
    // Said once in the log and for as long as the node runs on its status: the flow works, without durability.
    node.warn(
      `Keep reports until delivered: reports are delivered from memory and not kept across restarts, because ${notKept}`,
    );
    host.status.outcome({ fill: 'yellow', shape: 'ring', text: NOT_KEPT_STATUS });
    host.status.noteOutcomes(' · not kept across restarts');
  }
  return { outbox: durable && 'outbox' in durable ? durable.outbox : undefined, refused, notKept };
}

/** Answers a control message (`msg.outbox`) with the node's outbox; refuses it, saying why, when it keeps none. */
export function answerControl(keeping: ReportKeeping, msg: NodeMessage, send: Send, done: Done): Promise<void> {
  const { outbox, notKept } = keeping;
  if (!outbox)
    throw invalidInput(
      'msg.outbox',
      notKept
        ? `is a control message for the outbox, and this node keeps none here (${notKept})`
        : 'is a control message for the outbox, and this node keeps none',
      notKept ? 'leave msg.outbox out' : 'set "Keep reports until delivered" to auto or on, or leave msg.outbox out',
    );
  return outbox.control(msg, send, done);
}
