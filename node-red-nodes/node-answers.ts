/**
 * A node's answers, as a flow sees them: every message it takes gets exactly one, on the result port or the error
 * port (`answer.ts` makes that hold whatever the message is), and the status shows the outcome. What a node kind
 * does with a message is its own; how the message is answered is this.
 */
import { describeFailure, StepError, StepErrorCode } from '../core/shared/errors';
import { answerer, INVALID_MESSAGE, type StepErrorReport } from './answer';
import type { StatusBoard } from './node-status';
import type { Done, NodeConfig, NodeMessage, RedAPI, RedNode, Send } from './red';
import { isOutboxRefusal, QueueFullError } from './refusals';

/** The core's error (or anything thrown) as the error port reports it. */
export function errorReport(error: unknown, node: RedNode): StepErrorReport {
  const step = error instanceof StepError ? error : undefined;
  let message: string;
  try {
    message = step ? describeFailure(step) : error instanceof Error ? error.message : String(error);
  } catch {
    message = 'an error that cannot be shown';
  }
  const source = { id: node.id, type: node.type, name: node.name };
  if (error instanceof QueueFullError) return { message, code: QueueFullError.code, retryable: true, source };
  // The outbox's own refusals (full, unavailable, dropped) carry their code and whether a resend may work.
  if (isOutboxRefusal(error)) return { message, code: error.code, retryable: error.retryable, source };
  return {
    message,
    code: step?.code ?? StepErrorCode.Internal,
    awsErrorName: step?.awsErrorName,
    requestId: step?.requestId,
    retryable: step?.retryable ?? false,
    source,
  };
}

export interface NodeAnswers<R> {
  /** Answers on the result port with `payload`; a `result` also shows its outcome on the status. */
  result(msg: NodeMessage, payload: unknown, send: Send, done: Done, result?: R): void;
  /** Answers on the error port, the report's code on the status. */
  fail(msg: NodeMessage, send: Send, done: Done, error: unknown): void;
  /** Why `msg` cannot be answered as it is, checked on arrival; undefined when it can. */
  check(msg: NodeMessage): string | undefined;
  /** Answers a message `check` refused, on the error port with a new message. */
  refuse(msg: NodeMessage, why: string, send: Send, done: Done): void;
}

/** What a node's config says of its answers: how its ports are wired, whether errors also go to Catch nodes. */
export interface AnswersConfig extends NodeConfig {
  readonly raiseErrors?: boolean;
}

/** The answers of `node`, each shown on its status board; `statusText` says a result in a few words. */
export function nodeAnswers<R>(
  RED: RedAPI,
  node: RedNode,
  config: AnswersConfig,
  status: StatusBoard,
  statusText: (result: R) => string,
): NodeAnswers<R> {
  const answer = answerer(RED, node, config.wires);
  return {
    result(msg, payload, send, done, result) {
      const shown = answer.result(msg, payload, send, done);
      if (!shown) status.outcome({ fill: 'red', shape: 'ring', text: INVALID_MESSAGE });
      else if (result) status.outcome({ fill: 'green', shape: 'dot', text: statusText(result) });
    },
    fail(msg, send, done, error) {
      const report = errorReport(error, node);
      status.outcome({ fill: 'red', shape: 'ring', text: report.code });
      answer.error(msg, report, send, done, config.raiseErrors === true);
    },
    check: (msg) => answer.check(msg),
    refuse(msg, why, send, done) {
      status.outcome({ fill: 'red', shape: 'ring', text: INVALID_MESSAGE });
      answer.refuse(msg, why, send, done);
    },
  };
}

/**
 * Makes `node` answer every message it takes exactly once: `handle` does the work and answers through `answers`; a
 * message that cannot be answered as it is never reaches it, and whatever it throws or rejects with becomes the
 * message's error answer.
 */
export function answerEveryInput<R>(
  node: RedNode,
  answers: NodeAnswers<R>,
  handle: (msg: NodeMessage, send: Send, done: Done) => Promise<void>,
): void {
  const take = async (msg: NodeMessage, send: Send, done: Done): Promise<void> => {
    const unanswerable = answers.check(msg);
    if (unanswerable) return answers.refuse(msg, unanswerable, send, done);
    return handle(msg, send, done);
  };
  node.on('input', (msg, send, done) => {
    // Nothing a message holds may escape as an exception: every failure becomes an error-port message.
    take(msg, send, done).catch((error: unknown) => answers.fail(msg, send, done, error));
  });
}
