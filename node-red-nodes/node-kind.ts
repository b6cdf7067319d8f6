/**
 * A node kind: everything Node-RED needs of one node type, as a table. The runtime side registers its constructor
 * (`registerKind`); the editor side (node-red-nodes/editor-files.ts) renders its registration, form, labels and help
 * from the same table, so a kind that is not an operation (the job agent's) has the same place as the step nodes.
 */
import type { NodeConfig, RedAPI, RedNode } from './red';

/** One input of a form: a text box, a TypedInput (with its hidden type field), or a list of options. */
export type FormInput =
  | { readonly kind: 'text'; readonly key: string; readonly style?: string; readonly placeholder?: string }
  | {
      readonly kind: 'typed';
      readonly key: string;
      /** The TypedInput's types: where the value may come from. */
      readonly types: readonly string[];
    }
  | {
      readonly kind: 'select';
      readonly key: string;
      /** The options' values; their words are the locale's `<texts>.<value>`. */
      readonly options: readonly string[];
      readonly texts: string;
    };

/** One row of a form. */
export type FormRow =
  | {
      readonly kind: 'input';
      readonly input: FormInput;
      /** Font Awesome's name (`tag`) of the label's icon. */
      readonly icon?: string;
      /** A class beside `form-row`, for the editor's code to find the row by. */
      readonly className?: string;
      /** A second, smaller input on the same row; `wrapped` in a span for the editor's code to show or hide. */
      readonly beside?: { readonly input: FormInput; readonly wrapped?: boolean };
    }
  | { readonly kind: 'checkbox'; readonly key: string };

/** A property of a message, as the help's `message-properties` lists show one. */
export interface HelpProperty {
  readonly name: string;
  readonly type: string;
  readonly optional?: boolean;
  /** HTML; several lines are shown as a block. */
  readonly description: string | readonly string[];
}

/** The help sidebar's page, in Node-RED's layout: Inputs, Outputs (one entry per port), Details, References. */
export interface KindHelp {
  /** HTML: what the node does, in a sentence or two. */
  readonly summary: string;
  readonly inputs?: { readonly intro?: readonly string[]; readonly properties: readonly HelpProperty[] };
  readonly outputs: readonly { readonly port: string; readonly properties: readonly HelpProperty[] }[];
  /** HTML paragraphs. */
  readonly details: readonly string[];
  readonly references: readonly { readonly href: string; readonly text: string; readonly note: string }[];
}

/** A value of the editor's `defaults`, as JSON (a kind that needs a validator brings its own editor script). */
export interface EditorDefault {
  readonly value: unknown;
  readonly required?: boolean;
  /** A config node's type, for a property that names one. */
  readonly type?: string;
}

/**
 * Editor code several kinds share (the step nodes register from one table, in one script): rendered once, for all
 * the kinds that name it.
 */
export interface SharedScript {
  render(kinds: readonly NodeKind[]): string;
}

export interface NodeKind<C extends NodeConfig = NodeConfig> {
  /** The node type, unique in Node-RED's catalogue. */
  readonly type: string;
  readonly category: string;
  readonly color: string;
  /** An icon of the package's `icons/`, or one of Node-RED's. */
  readonly icon: string;
  readonly paletteLabel: string;
  readonly inputs: 0 | 1;
  /** The output ports in order, each with its label (`outputs.<name>` in the locale). */
  readonly outputs: Readonly<Record<string, string>>;
  readonly editor: {
    /**
     * How the editor registers the kind: from its table alone (what a node of it saves, and the values a new one
     * starts with), or by code it shares with other kinds, given what that code needs of this one.
     */
    readonly registration:
      | { readonly defaults: Readonly<Record<string, EditorDefault>> }
      | { readonly shared: SharedScript; readonly spec: unknown };
    readonly rows: readonly FormRow[];
    /** The form's labels, by key (`label.<key>` in the locale). */
    readonly labels: Readonly<Record<string, string>>;
    /** Other words the form names (a select's options), by group (`<group>.<key>` in the locale). */
    readonly texts?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  };
  readonly help: KindHelp;
  /** Makes a node of this kind work: what its constructor does after Node-RED's `createNode`. */
  start(RED: RedAPI, node: RedNode, config: C): void;
}

/** Registers a kind's constructor with Node-RED. */
export function registerKind<C extends NodeConfig>(RED: RedAPI, kind: NodeKind<C>): void {
  // Node-RED calls it with `new`: a function, not an arrow, so that `this` is the node it makes.
  function KindNode(this: RedNode, config: C): void {
    RED.nodes.createNode(this, config);
    kind.start(RED, this, config);
  }
  RED.nodes.registerType(kind.type, KindNode);
}

/**
 * Closes `node` with `finish` (told whether the node was removed from the flow, not only redeployed), then clears
 * its status and tells Node-RED it is done.
 */
export function whenClosed(node: RedNode, finish: (removed: boolean) => Promise<void>): void {
  node.on('close', (removed, done) => {
    void finish(removed).then(() => {
      node.status({});
      done();
    });
  });
}
