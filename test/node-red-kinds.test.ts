/**
 * A node kind that is not an operation has the same place as the step nodes: registered in a real Node-RED (the one
 * `NODE_RED_PACKAGE` names) from its table, assembled from the step node's pieces (answers, status, close), and its
 * editor, labels and help rendered by the generator beside the operations' kinds.
 */
import helper from 'node-red-node-test-helper';

import { editorHtml, helpHtml, localeJson } from '../node-red-nodes/editor-files';
import { registerKind, whenClosed, type NodeKind } from '../node-red-nodes/node-kind';
import { answerEveryInput, nodeAnswers } from '../node-red-nodes/node-answers';
import { statusBoard } from '../node-red-nodes/node-status';
import { packageKinds } from '../node-red-nodes/package-kinds';
import type { NodeConfig, NodeMessage, RedAPI } from '../node-red-nodes/red';
import { eventually } from './helpers/eventually';
import { initNodeRed } from './helpers/node-red-flows';

// No server: the kind has no credentials and no admin API to serve.
initNodeRed(helper);
afterEach(() => helper.unload());

interface GreetingConfig extends NodeConfig {
  readonly greeting?: string;
}

/** A kind of its own: greets `msg.payload` with the word its node is set to; no operation, no connection. */
const greeter: NodeKind<GreetingConfig> = {
  type: 'test-greeter',
  category: 'function',
  color: '#C0DEED',
  icon: 'font-awesome/fa-comment',
  paletteLabel: 'greeter',
  inputs: 1,
  outputs: { greeting: 'greeting', error: 'error' },
  editor: {
    registration: { defaults: { name: { value: '' }, greeting: { value: 'hello', required: true } } },
    rows: [
      { kind: 'input', icon: 'comment', input: { kind: 'text', key: 'greeting', placeholder: 'hello' } },
      { kind: 'input', icon: 'tag', input: { kind: 'text', key: 'name' } },
    ],
    labels: { greeting: 'Greeting', name: 'Name' },
  },
  help: {
    summary: 'Greets whoever <code>msg.payload</code> names.',
    inputs: { properties: [{ name: 'payload', type: 'string', description: 'Who to greet.' }] },
    outputs: [
      { port: 'Greeting', properties: [{ name: 'payload', type: 'string', description: 'The greeting.' }] },
      { port: 'Error', properties: [{ name: 'error', type: 'object', optional: true, description: 'Why not.' }] },
    ],
    details: ['An empty name is an error, answered on the second output.'],
    references: [{ href: 'https://nodered.org/docs/creating-nodes/', text: 'Creating nodes', note: 'Node-RED' }],
  },
  start(RED, node, config) {
    const status = statusBoard(node);
    const answers = nodeAnswers<string>(RED, node, config, status, (greeting) => greeting);
    answerEveryInput(node, answers, async (msg, send, done) => {
      if (typeof msg.payload !== 'string' || msg.payload === '') throw new Error('no one to greet');
      const greeting = `${config.greeting ?? 'hello'}, ${msg.payload}`;
      answers.result(msg, greeting, send, done, greeting);
    });
    whenClosed(node, async () => undefined);
  },
};

/** What arrives at a helper node. */
function arrivals(id: string): NodeMessage[] {
  const messages: NodeMessage[] = [];
  helper.getNode(id).on('input', (msg: NodeMessage) => messages.push(msg));
  return messages;
}

const flow = [
  { id: 'greet', z: 'tab', type: 'test-greeter', greeting: 'hi', wires: [['out'], ['err']] },
  { id: 'out', z: 'tab', type: 'helper' },
  { id: 'err', z: 'tab', type: 'helper' },
  { id: 'tab', type: 'tab' },
];

test('Node-RED runs a kind that is not an operation: each message answered once, on its port, the outcome on the status', async () => {
  await helper.load([(RED: RedAPI) => registerKind(RED, greeter)], flow);
  const [out, err] = [arrivals('out'), arrivals('err')];
  const node = helper.getNode('greet');
  // One at a time, so the answers and statuses come in the order sent.
  const answered = async (msg: object, count: number): Promise<void> => {
    node.receive(msg);
    await eventually(() => out.length + err.length === count, `answer ${count}`);
  };
  await answered({ payload: 'gw-7' }, 1);
  await answered({ payload: '' }, 2);
  await answered(Object.freeze({ payload: 'frozen' }), 3);
  expect(out.map((m) => m.payload)).toEqual(['hi, gw-7']);
  const [failed, refused] = err.map((m) => m.error as { code: string; message: string; source: object });
  expect(refused).toMatchObject({ code: 'invalid-message', source: { id: 'greet', type: 'test-greeter' } });
  expect(failed).toMatchObject({ code: 'internal', message: 'no one to greet', retryable: false });
  const status = (node as unknown as { status: { args: object[][] } }).status.args.map((a) => a[0]);
  expect(status).toEqual([
    { fill: 'green', shape: 'dot', text: 'hi, gw-7' },
    { fill: 'red', shape: 'ring', text: 'internal' },
    { fill: 'red', shape: 'ring', text: 'invalid-message' },
  ]);
});

/** The registration a rendered editor script makes, run against a stand-in for the editor's RED. */
function registered(html: string): Map<string, Record<string, unknown>> {
  const types = new Map<string, Record<string, unknown>>();
  const RED = {
    nodes: { registerType: (type: string, definition: Record<string, unknown>) => types.set(type, definition) },
    validators: { number: () => () => true },
  };
  for (const [, code] of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g))
    new Function('RED', '$', code!)(RED, () => undefined);
  return types;
}

test('the generator renders the kind from its table: registration, form, labels and help, beside the operations', () => {
  const kinds = [...packageKinds(), greeter];
  const editor = editorHtml(kinds);
  // The operations' kinds are rendered as before, the new one after them.
  expect(editor.startsWith(editorHtml(packageKinds()).split('\n<script type="text/html"')[0]!)).toBe(true);
  const types = registered(editor);
  expect([...types.keys()]).toEqual(kinds.map((k) => k.type));
  const definition = types.get('test-greeter')!;
  expect(definition).toMatchObject({
    category: 'function',
    color: '#C0DEED',
    defaults: { name: { value: '' }, greeting: { value: 'hello', required: true } },
    inputs: 1,
    outputs: 2,
    icon: 'font-awesome/fa-comment',
    paletteLabel: 'greeter',
  });
  const label = definition.outputLabels as (this: { _: (key: string) => string }, index: number) => string;
  expect(label.call({ _: (key) => `[${key}]` }, 1)).toBe('[test-greeter.outputs.error]');
  expect(editor).toContain(`<script type="text/html" data-template-name="test-greeter">
  <div class="form-row">
    <label for="node-input-greeting"><i class="fa fa-comment"></i> <span data-i18n="test-greeter.label.greeting"></span></label>
    <input type="text" id="node-input-greeting" placeholder="hello" />
  </div>`);

  expect(JSON.parse(localeJson(kinds))['test-greeter']).toEqual({
    label: { greeting: 'Greeting', name: 'Name' },
    outputs: { greeting: 'greeting', error: 'error' },
  });

  const help = helpHtml(kinds);
  const page = help.slice(help.indexOf('<script type="text/html" data-help-name="test-greeter">'));
  expect(page).toContain('<p>Greets whoever <code>msg.payload</code> names.</p>');
  expect(page).toContain(`<dl class="message-properties">
    <dt>payload <span class="property-type">string</span></dt>
    <dd>Who to greet.</dd>
  </dl>`);
  expect(page).toContain('<dt class="optional">error <span class="property-type">object</span></dt>');
  expect(page).toContain('<p>An empty name is an error, answered on the second output.</p>');
  expect(page).toContain('<li><a href="https://nodered.org/docs/creating-nodes/">Creating nodes</a> - Node-RED</li>');
});
