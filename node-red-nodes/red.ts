/**
 * The small part of Node-RED's runtime API these nodes use, typed here so the runtime code is checked without
 * depending on Node-RED itself (it is the host, not a dependency).
 */

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  error?: unknown;
  [key: string]: unknown;
}

/** An input handler's `send`: one entry per output port, `null` for a port that sends nothing. */
export type Send = (out: (NodeMessage | null)[]) => void;
/** An input handler's `done`: the message is finished; an error also goes to Catch nodes. */
export type Done = (err?: Error) => void;

/** What Node-RED hands a node's constructor: the properties the editor saved, and how its ports are wired. */
export interface NodeConfig {
  readonly id: string;
  readonly name?: string;
  readonly wires?: readonly (readonly string[])[];
  readonly [property: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface RedNode {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  credentials?: Record<string, string | undefined>;
  on(event: 'input', listener: (msg: NodeMessage, send: Send, done: Done) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  status(status: NodeStatus): void;
  warn(message: string): void;
  error(message: string | Error, msg?: NodeMessage): void;
  debug(message: string): void;
  log(message: string): void;
  /** Sends a message that is no input's answer (one found in the outbox after a restart). */
  send(out: (NodeMessage | null)[]): void;
}

export interface RedAPI {
  /** The runtime's settings; `userDir` is where Node-RED keeps its files (flows, context, our outboxes). */
  settings?: { readonly userDir?: string };
  nodes: {
    createNode(node: object, config: object): void;
    registerType(
      type: string,
      constructor: unknown,
      options?: { credentials?: Record<string, { type: 'text' | 'password' }> },
    ): void;
    getNode(id: string): unknown;
  };
  util: {
    evaluateNodeProperty(
      value: string,
      type: string,
      node: RedNode,
      msg: NodeMessage,
      callback: (err: Error | null, result: unknown) => void,
    ): void;
    /** Node-RED's deep copy of a message, as `send` makes one for each wire after the first; may throw. */
    cloneMessage(msg: NodeMessage): NodeMessage;
    /** Splits a property expression (`payload.a["b"]`) into its parts; throws on an invalid one. */
    normalisePropertyExpression(expression: string): (string | number | unknown[])[];
  };
}
