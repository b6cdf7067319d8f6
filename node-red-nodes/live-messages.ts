/**
 * How a report's answer finds its message: a message taken in this run is answered on itself, with its own `send`
 * and `done` (the outbox keeps it beside the report and gives it back with the answer, however soon that comes); one
 * found on disk after a restart is answered as the message that was stored (`node.send`). Every answer says which
 * report it settles (`msg.delivery`).
 */
import type { StoredReport } from '../core/outbox/outbox';
import type { Done, NodeMessage, RedNode, Send } from './red';

/** A message with the means to answer it. */
export interface Answerable {
  readonly msg: NodeMessage;
  readonly send: Send;
  readonly done: Done;
}

/** `msg.delivery`: which report an answer settles, when it was taken and how many tries it took. */
export interface Delivery {
  readonly report: number;
  readonly acceptedAt: string;
  readonly attempts: number;
}

/** `msg.delivery` of an answer to `report`. */
export function deliveryOf(report: StoredReport): Delivery {
  return {
    report: report.id,
    acceptedAt: new Date(report.acceptedAt).toISOString(),
    attempts: report.attempts,
  };
}

/**
 * The message that answers `report`, with `msg.delivery` stamped on it: the one taken in this run (`taken`, which the
 * outbox gave back with the answer), else the stored one, sent as a new message (its `done` belongs to a run that is
 * gone).
 */
export function answerTo(node: RedNode, report: StoredReport, taken: Answerable | undefined): Answerable {
  const answer = taken ?? stored(node, report);
  answer.msg.delivery = deliveryOf(report);
  return answer;
}

function stored(node: RedNode, report: StoredReport): Answerable {
  const message = report.message;
  const msg: NodeMessage =
    typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as NodeMessage) : {};
  return { msg, send: (out) => node.send(out), done: () => undefined };
}
