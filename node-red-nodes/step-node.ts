/**
 * The step node: one node type per operation of the core's registry (`aws-<operation>`), each AWS parameter a
 * TypedInput (by default `msg.payload.<awsName>`), a per-target queue, the result and error ports, `node.status`,
 * and a clean close. Everything a type has of its own comes from the operation's definition.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';

import { describeFailure, invalidInput, StepError, StepErrorCode } from '../core/shared/errors';
import type { FilePolicy } from '../core/shared/input-files';
import { subjectKey, type OperationDefinition, type StepResult } from '../core/shared/operation';
import { answerer, INVALID_MESSAGE, type Done, type Send, type StepErrorReport } from './answer';
import type { ConnectionNode } from './connection-settings';
import {
  isControlMessage,
  isOutboxRefusal,
  NOT_KEPT_STATUS,
  OutboxMode,
  openNodeOutbox,
  outboxMode,
} from './node-outbox';
import { OutboxUnavailableError } from '../core/outbox/outbox-store';
import type { StepOptions } from '../core/shared/step-run';
import type { NodeMessage, NodeStatus, RedAPI, RedNode } from './red';
import { TargetQueue } from './target-queue';

/** How long in-flight requests may finish after a redeploy or stop, before they are aborted. */
const CLOSE_GRACE_MS = 2000;

/** The node type of an operation. */
export function nodeType(operation: Pick<OperationDefinition, 'name'>): string {
  return `aws-${operation.name}`;
}

export interface StepNodeConfig {
  readonly id: string;
  readonly name?: string;
  readonly connection?: string;
  readonly concurrency?: string | number;
  readonly queueLimit?: string | number;
  readonly skipUnchanged?: boolean;
  readonly raiseErrors?: boolean;
  /** `file://` values in messages are read only when this is ticked, and only inside `manifestDir`. */
  readonly manifestFiles?: boolean;
  readonly manifestDir?: string;
  /** Keep reports in a durable outbox until delivered: `auto`, `on` or `off` (see `outboxMode`). */
  readonly outbox?: boolean | string;
  readonly outboxEntries?: string | number;
  readonly outboxMegabytes?: string | number;
  readonly wires?: readonly (readonly string[])[];
  readonly [field: string]: unknown;
}

/**
 * The node's own refusal when its bounded queue is full (a Node-RED notion, not the core's): nothing was sent, and
 * the same message may go through once the queue drains.
 */
export class QueueFullError extends Error {
  static readonly code = 'queue-full';
  constructor(held: number) {
    super(`the queue is full (${held} messages held); slow the flow down or raise the queue limit`);
  }
}

/**
 * How the node reads `file://` values: messages can come from outside the flow (an `http in`, an MQTT topic), so
 * off unless the node allows it, and then only inside the directory it names. A directory that is missing or not a
 * directory is said at deploy.
 */
function filePolicy(config: StepNodeConfig): { policy: FilePolicy; problem?: string } {
  const fix = "tick 'Read file:// manifests' in the node and name a directory, or send the manifest text itself";
  if (config.manifestFiles !== true) return { policy: { refused: true, fix } };
  const dir = typeof config.manifestDir === 'string' ? config.manifestDir.trim() : '';
  const problem =
    dir === ''
      ? 'no manifest directory is named'
      : !isAbsolute(dir)
        ? `the manifest directory ${dir} is not an absolute path`
        : !existsSync(dir) || !statSync(dir).isDirectory()
          ? `the manifest directory ${dir} is not a directory`
          : undefined;
  if (problem) return { policy: { refused: true, fix: `${problem}; name an existing directory in the node` }, problem };
  return { policy: { cwd: dir, root: dir } };
}

function positive(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Where one AWS parameter comes from: a TypedInput's type and value. */
interface FieldSource {
  readonly field: string;
  readonly type: string;
  readonly value: string;
  /**
   * For a msg property, its path as Node-RED's own parser splits it, parsed once at deploy rather than for every
   * message; read below exactly as Node-RED's `getMessageProperty` reads it. Absent for paths that name other
   * message properties (`payload[msg.topic]`), which Node-RED evaluates per message.
   */
  readonly path?: readonly (string | number)[];
}

function messagePath(RED: RedAPI, expression: string): (string | number)[] | undefined {
  try {
    const parts = RED.util.normalisePropertyExpression(
      expression.startsWith('msg.') ? expression.slice(4) : expression,
    );
    return parts.every((p) => typeof p === 'string' || typeof p === 'number') ? parts : undefined;
  } catch {
    return undefined; // an invalid expression: Node-RED reports it for each message, as it does for its own nodes
  }
}

/**
 * The node's TypedInputs, read once when the node is made: an empty msg property means the AWS name under
 * `msg.payload`; an empty fixed value means "not given" (as an empty GitHub input does), so it is left out.
 */
function fieldSources(RED: RedAPI, config: StepNodeConfig, fields: readonly string[]): FieldSource[] {
  return fields.flatMap((field) => {
    const type = typeof config[`${field}Type`] === 'string' ? (config[`${field}Type`] as string) : 'msg';
    let value = typeof config[field] === 'string' ? (config[field] as string) : '';
    if (type === 'msg' && value === '') value = `payload.${field}`;
    if (value === '') return [];
    const path = type === 'msg' ? messagePath(RED, value) : undefined;
    return [{ field, type, value, ...(path && { path }) }];
  });
}

/**
 * Evaluates every field for `msg` into `input` (empty values are left out). One promise per message, not per
 * field: most types answer at once, and a gateway pays for every allocation on every message.
 */
function evaluateFields(
  RED: RedAPI,
  node: RedNode,
  sources: readonly FieldSource[],
  msg: NodeMessage,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let pending = sources.length;
    if (pending === 0) return resolve(input);
    let failed = false;
    const settle = (field: string, err: Error | null, result: unknown): void => {
      if (failed) return;
      if (err) {
        failed = true;
        return reject(new StepError(`${field}: ${err.message}`, { code: StepErrorCode.InvalidInput, field }));
      }
      if (result !== undefined && result !== null && result !== '') input[field] = result;
      if (--pending === 0) resolve(input);
    };
    for (const { field, type, value, path } of sources) {
      if (!path) {
        try {
          RED.util.evaluateNodeProperty(value, type, node, msg, (err, result) => settle(field, err, result));
        } catch (error) {
          settle(field, error instanceof Error ? error : new Error(String(error)), undefined);
        }
        continue;
      }
      let result: unknown;
      try {
        // As Node-RED's getObjectProperty: a missing parent throws (TypeError), a missing leaf is undefined.
        result = path.reduce<unknown>((parent, key) => (parent as Record<string | number, unknown>)[key], msg);
      } catch (error) {
        settle(field, error instanceof Error ? error : new Error(String(error)), undefined);
        continue;
      }
      settle(field, null, result);
    }
  });
}

/** The core's error (or anything thrown) as the error port reports it. */
export function errorReport(error: unknown, node: RedNode): StepErrorReport {
  const step = error instanceof StepError ? error : undefined;
  let message: string;
  try {
    message = step ? describeFailure(step) : error instanceof Error ? error.message : String(error);
  } catch {
    message = 'an error that cannot be shown';
  }
  if (error instanceof QueueFullError)
    return {
      message,
      code: QueueFullError.code,
      retryable: true,
      source: { id: node.id, type: node.type, name: node.name },
    };
  // The outbox's own refusals (full, unavailable, dropped) carry their code and whether a resend may work.
  if (isOutboxRefusal(error))
    return {
      message,
      code: error.code,
      retryable: error.retryable,
      source: { id: node.id, type: node.type, name: node.name },
    };
  return {
    message,
    code: step?.code ?? StepErrorCode.Internal,
    awsErrorName: step?.awsErrorName,
    requestId: step?.requestId,
    retryable: step?.retryable ?? false,
    source: { id: node.id, type: node.type, name: node.name },
  };
}

/** Registers an operation's node type with Node-RED. */
export function registerStepNode(RED: RedAPI, operation: OperationDefinition<StepResult>): void {
  const fields = operation.parameters.map((p) => p.member);
  function StepNode(this: RedNode, config: StepNodeConfig): void {
    RED.nodes.createNode(this, config);
    // Node-RED calls this as a constructor; the handlers below close over the node it made.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const node = this;
    let outcome: NodeStatus = {};
    /** What the node is holding, shown over the last outcome while there is any. */
    let holding: NodeStatus | undefined;
    /** Set when reports are delivered from memory though the node would keep them: every outcome says so. */
    let notKeptNote = '';
    const showOutcome = (status: NodeStatus): void => {
      outcome = notKeptNote && status.text !== undefined ? { ...status, text: `${status.text}${notKeptNote}` } : status;
      if (!holding) node.status(outcome);
    };
    const sources = fieldSources(RED, config, fields);
    const files = filePolicy(config);
    if (files.problem) {
      showOutcome({ fill: 'red', shape: 'ring', text: 'manifest directory' });
      node.error(`${files.problem}: file:// manifests in messages are refused until it is fixed`);
    }
    const hold = (status: NodeStatus | undefined): void => {
      holding = status;
      node.status(holding ?? outcome);
    };

    const answer = answerer(RED, node, config.wires);
    const fail = (msg: NodeMessage, send: Send, done: Done, error: unknown): void => {
      const report = errorReport(error, node);
      showOutcome({ fill: 'red', shape: 'ring', text: report.code });
      answer.error(msg, report, send, done, config.raiseErrors === true);
    };
    const succeed = (msg: NodeMessage, payload: unknown, send: Send, done: Done, result?: StepResult): void => {
      const shown = answer.result(msg, payload, send, done);
      if (!shown) showOutcome({ fill: 'red', shape: 'ring', text: INVALID_MESSAGE });
      else if (result) showOutcome({ fill: 'green', shape: 'dot', text: operation.statusText(result) });
    };
    /** The node's connection node, or an error naming the setting when none is picked. */
    const connectionNode = (): ConnectionNode => {
      const found = config.connection ? (RED.nodes.getNode(config.connection) as ConnectionNode | null) : null;
      if (!found) {
        throw new StepError('connection is not set; pick an aws-job-steps-connection in the node', {
          code: StepErrorCode.InvalidInput,
          field: 'connection',
        });
      }
      return found;
    };
    /** One delivery of a request: the operation's step through the node's connection. */
    const deliver = async (input: Record<string, unknown>, options: StepOptions): Promise<StepResult> => {
      return connectionNode().use((connection) =>
        operation.run(input, connection, {
          skipUnchanged: config.skipUnchanged === true,
          ...options,
          files: files.policy,
          logger: { debug: (message) => node.debug(message) },
        }),
      );
    };

    // With the outbox, reports wait on disk and it orders and delivers them; without, a bounded queue in memory.
    const asked = outboxMode(config, operation);
    const durable =
      'mode' in asked && asked.mode !== OutboxMode.Off
        ? openNodeOutbox(RED, node, config, operation, { deliver, result: succeed, fail, showBacklog: hold })
        : undefined;
    /** Why every report is refused: the setting cannot be honoured, or `on` where this runtime cannot keep reports. */
    const refused =
      'problem' in asked
        ? asked.problem
        : durable && 'problem' in durable && asked.mode === OutboxMode.On
          ? durable.problem
          : undefined;
    /** Why reports are delivered from memory although the node would keep them (`auto` on a runtime that cannot). */
    const notKept = durable && 'problem' in durable && !refused ? durable.problem : undefined;
    if (refused) {
      node.error(`Keep reports until delivered: ${refused}`);
      showOutcome({ fill: 'red', shape: 'ring', text: 'outbox unavailable' });
    } else if (notKept) {
      // Said once in the log and for as long as the node runs on its status: the flow works, without durability.
      node.warn(
        `Keep reports until delivered: reports are delivered from memory and not kept across restarts, because ${notKept}`,
      );
      showOutcome({ fill: 'yellow', shape: 'ring', text: NOT_KEPT_STATUS });
      notKeptNote = ' · not kept across restarts';
    }
    const outbox = durable && 'outbox' in durable ? durable.outbox : undefined;
    const queue = outbox
      ? undefined
      : new TargetQueue({
          concurrency: positive(config.concurrency, 4),
          limit: positive(config.queueLimit, 100),
          onChange: (held) => hold(held > 0 ? { fill: 'blue', shape: 'ring', text: `${held} queued` } : undefined),
          onTaskError: (error) => node.error(`internal error: ${errorReport(error, node).message}`),
        });

    node.on('input', (msg, send, done) => {
      // Nothing a message holds may escape as an exception: every failure becomes an error-port message.
      handle(msg, send, done).catch((error: unknown) => fail(msg, send, done, error));
    });

    const handle = async (msg: NodeMessage, send: Send, done: Done): Promise<void> => {
      const unanswerable = answer.check(msg);
      if (unanswerable) {
        showOutcome({ fill: 'red', shape: 'ring', text: INVALID_MESSAGE });
        return answer.refuse(msg, unanswerable, send, done);
      }
      if (isControlMessage(msg)) {
        if (!outbox)
          throw invalidInput(
            'msg.outbox',
            notKept
              ? `is a control message for the outbox, and this node keeps none here (${notKept})`
              : 'is a control message for the outbox, and this node keeps none',
            notKept
              ? 'leave msg.outbox out'
              : 'set "Keep reports until delivered" to auto or on, or leave msg.outbox out',
          );
        return outbox.control(msg, send, done);
      }
      if (refused) throw new OutboxUnavailableError(refused);
      // A field that cannot be evaluated rejects here; the input handler turns that into an error message.
      const input = await evaluateFields(RED, node, sources, msg, { ...operation.resultDefaults });
      if (outbox) {
        // Checked under the connection's readings before it is kept: a report its step would refuse is refused now.
        const readings = await connectionNode().use(async (connection) => connection.readings);
        return outbox.take(msg, input, send, done, readings);
      }
      const accepted = queue!.push(subjectKey(operation, input), async (signal) => {
        try {
          const result = await deliver(input, { signal });
          succeed(msg, result, send, done, result);
        } catch (error) {
          fail(msg, send, done, error);
        }
      });
      if (!accepted) {
        fail(msg, send, done, new QueueFullError(queue!.size));
      }
    };

    node.on('close', (removed, done) => {
      void (outbox ? outbox.close(CLOSE_GRACE_MS, removed) : queue!.close(CLOSE_GRACE_MS)).then(() => {
        node.status({});
        done();
      });
    });
  }
  RED.nodes.registerType(nodeType(operation), StepNode);
}
