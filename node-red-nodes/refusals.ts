/**
 * The node's own refusals, beside the core's StepError: each carries the code the error port reports and whether
 * the same message may go through later. Apart from the nodes that raise them, so the answers can name them without
 * importing the queue or the outbox.
 */
import { OutboxFullError, OutboxUnavailableError } from '../core/outbox/outbox';

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

/** A report removed by a control message: its one answer, on the error port. */
export class DroppedError extends Error {
  override readonly name = 'DroppedError';
  readonly code = 'dropped';
  readonly retryable = false;
}

/** The outbox's refusals (full, unavailable, dropped), each with its code and whether a resend may work. */
export function isOutboxRefusal(error: unknown): error is OutboxFullError | OutboxUnavailableError | DroppedError {
  return error instanceof OutboxFullError || error instanceof OutboxUnavailableError || error instanceof DroppedError;
}
