/**
 * Every message a step node takes gets exactly one answer, whatever it holds. Node-RED copies a message for each
 * wire of a port after the first (`RED.util.cloneMessage`); a message it cannot copy (nested too deep, a getter
 * that throws) makes `send` throw after the first wire already got it, and a sealed or frozen message cannot take
 * `payload` or `error` at all. So both are found out when the message arrives, before any work: such a message is
 * answered on the error port by a new message that carries what of it can be copied and the reason
 * (`invalid-message`). What still throws inside Node-RED is logged with `node.error`, as the core nodes log a
 * failed send, and never escapes.
 */
import type { Done, NodeMessage, RedAPI, RedNode, Send } from './red';

/** `msg.error` on the error port: enough for a flow to decide whether to retry. */
export interface StepErrorReport {
  readonly message: string;
  readonly code: string;
  readonly awsErrorName?: string | undefined;
  readonly requestId?: string | undefined;
  readonly retryable: boolean;
  readonly source: { readonly id: string; readonly type: string; readonly name?: string | undefined };
}

/** The error port's code for a message that cannot be answered as it is. */
export const INVALID_MESSAGE = 'invalid-message';

const RESULT_PORT = 0;
const ERROR_PORT = 1;

function text(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'an error that cannot be shown';
  }
}

/** The message's id, if it has a readable string one. */
function idOf(msg: NodeMessage): string | undefined {
  try {
    return typeof msg._msgid === 'string' ? msg._msgid : undefined;
  } catch {
    return undefined;
  }
}

export interface Answerer {
  /** Why `msg` cannot be answered as it is, checked on arrival; undefined when it can. */
  check(msg: NodeMessage): string | undefined;
  /** Answers a message `check` refused: a new message on the error port. */
  refuse(msg: NodeMessage, why: string, send: Send, done: Done): void;
  /** Answers on the result port with `payload`; true when that was possible. */
  result(msg: NodeMessage, payload: unknown, send: Send, done: Done): boolean;
  /** Answers on the error port with `msg.error = report`; `raise` also hands the error to Catch nodes. */
  error(msg: NodeMessage, report: StepErrorReport, send: Send, done: Done, raise: boolean): void;
}

/** The answers of one node, whose output ports are wired as `wires` (its config's `wires`). */
export function answerer(RED: RedAPI, node: RedNode, wires: readonly (readonly string[])[] | undefined): Answerer {
  const fannedOut = [RESULT_PORT, ERROR_PORT].filter((port) => (wires?.[port]?.length ?? 0) > 1);

  /** Sets `key` on the message; the reason it cannot take it, if it cannot. */
  const prepare = (msg: NodeMessage, key: 'payload' | 'error', value: unknown): string | undefined => {
    try {
      msg[key] = value;
      return undefined;
    } catch (error) {
      return `the message cannot take msg.${key} (${text(error)})`;
    }
  };

  const guardedSend = (send: Send, out: (NodeMessage | null)[]): void => {
    try {
      send(out);
    } catch (error) {
      node.error(`the answer could not be sent: ${text(error)}`);
    }
  };

  const guardedDone = (done: Done, err?: Error): void => {
    try {
      done(err);
    } catch (error) {
      node.error(`the message could not be completed: ${text(error)}`);
    }
  };

  /**
   * The one answer for a message that cannot be answered as it is: a new message on the error port that carries
   * every top-level property of the original Node-RED could copy (`req` and `res` as they are, as its cloneMessage
   * keeps them), so an `http response`, a `link call`'s return or a `join` on `parts` still finds its way. Only what
   * cannot be read or copied is left out, and the report names it.
   */
  const replacement = (msg: NodeMessage, why: string, send: Send, done: Done): void => {
    const { carried, leftOut } = carry(msg);
    const report: StepErrorReport = {
      message:
        `${why}; this new message answers it, with its other properties` +
        (leftOut.length > 0 ? ` except ${leftOut.join(', ')}, which cannot be copied` : ''),
      code: INVALID_MESSAGE,
      retryable: false,
      source: { id: node.id, type: node.type, name: node.name },
    };
    carried.error = report;
    guardedSend(send, [null, carried]);
    node.error(report.message);
    guardedDone(done);
  };

  /**
   * `RED.util.cloneMessage(msg)`, which takes `req` and `res` off the message while it copies the rest and puts them
   * back only when the copy succeeds: put back here when it throws, or the http in's caller would never be answered.
   */
  const copyKeepingHttp = (msg: NodeMessage): void => {
    const { req, res } = msg;
    try {
      RED.util.cloneMessage(msg);
    } finally {
      if (req !== undefined && msg.req === undefined) msg.req = req;
      if (res !== undefined && msg.res === undefined) msg.res = res;
    }
  };

  /** The top-level properties of `msg` that a new message can take; the names of those it cannot. */
  const carry = (msg: NodeMessage): { carried: NodeMessage; leftOut: string[] } => {
    const carried: NodeMessage = {};
    const leftOut: string[] = [];
    let keys: string[];
    try {
      keys = Object.keys(msg);
    } catch {
      const id = idOf(msg);
      return { carried: id === undefined ? {} : { _msgid: id }, leftOut: ['every property (they cannot be listed)'] };
    }
    for (const key of keys) {
      if (key === 'error') continue; // the report takes its place
      try {
        const value = msg[key];
        // Node-RED copies the message for a second wire: carry only what it can copy.
        if (key !== 'req' && key !== 'res') RED.util.cloneMessage({ [key]: value } as NodeMessage);
        // Defined, not assigned: a JSON message may have an own `__proto__`, which must stay a plain property.
        Object.defineProperty(carried, key, { value, enumerable: true, writable: true, configurable: true });
      } catch {
        leftOut.push(key);
      }
    }
    return { carried, leftOut };
  };

  return {
    check(msg) {
      try {
        if (Object.isFrozen(msg) || !Object.isExtensible(msg))
          return 'the message is sealed or frozen, so it cannot take msg.payload or msg.error';
        // Copied once here as Node-RED will copy it for a second wire: the answer's payload or error is plain data.
        if (fannedOut.length > 0) copyKeepingHttp(msg);
        return undefined;
      } catch (error) {
        return `Node-RED cannot copy the message for the wires of output ${fannedOut[0]! + 1} (${text(error)})`;
      }
    },
    refuse: (msg, why, send, done) => replacement(msg, why, send, done),
    result(msg, payload, send, done) {
      const why = prepare(msg, 'payload', payload);
      if (why) {
        replacement(msg, why, send, done);
        return false;
      }
      guardedSend(send, [msg, null]);
      guardedDone(done);
      return true;
    },
    error(msg, report, send, done, raise) {
      const why = prepare(msg, 'error', report);
      if (why) return replacement(msg, `${report.message}; and ${why}`, send, done);
      guardedSend(send, [null, msg]);
      guardedDone(done, raise ? new Error(report.message) : undefined);
    },
  };
}
