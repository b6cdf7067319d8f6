/**
 * A real Node-RED runtime for the benchmarks, embedded the way `node-red` starts itself, in a fresh user directory:
 * with this package installed there (a link to this checkout) or not, a flow of the caller's nodes, and an answer
 * node of the benchmark's own (a minimal node, like a debug node that keeps its output to itself) that hands every
 * message back. Messages go in through a node's own `receive` (as an upstream node's `send` delivers them).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PACKAGE = 'node-red-contrib-aws-job-steps';
/** The global the answer node calls with each message. */
const ANSWER = 'awsJobStepsBenchAnswer';

export const TAB_ID = 'bench0tab0000001';
export const CONNECTION_ID = 'bench0conn000001';
export const ANSWER_ID = 'bench0answer0001';

export interface Message {
  benchId: number;
  payload: unknown;
  error?: { message: string };
}

interface EmbeddedRed {
  init(server: unknown, settings: object): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  version(): string;
  nodes: { getNode(id: string): { receive(msg: Message): void } | null };
}

/** One message through a node, resolved with its answer; `worker` picks the worker's own thing. */
export type Sender = (i: number, worker: number) => Promise<void>;

export interface RuntimeOptions {
  readonly url: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** `node-red` (4.1) or `node-red-5`. */
  readonly nodeRedPackage: string;
  /** Whether this package is installed in the user directory (with a connection node to the emulator). */
  readonly withPackage: boolean;
  /** The flow's nodes besides the tab, the connection and the answer node (which each is wired to by id). */
  readonly nodes: readonly object[];
}

export interface BenchRuntime {
  readonly version: string;
  /** A sender into the node `id`, once the flow has started it. */
  sender(id: string): Promise<Sender>;
  /** Sends `msg` into the node `id` and resolves with its answer. */
  ask(id: string, msg: Record<string, unknown>): Promise<Message>;
  stop(): Promise<void>;
}

/** The step node of an operation, wired to the answer node on both ports. */
export function stepNode(id: string, fields: object): object {
  return {
    id,
    type: 'aws-update-job-execution',
    z: TAB_ID,
    connection: CONNECTION_ID,
    wires: [[ANSWER_ID], [ANSWER_ID]],
    ...fields,
  };
}

function prepareUserDir(o: RuntimeOptions): string {
  const userDir = mkdtempSync(join(tmpdir(), 'bench-node-red-'));
  mkdirSync(join(userDir, 'node_modules'));
  if (o.withPackage) symlinkSync(ROOT, join(userDir, 'node_modules', PACKAGE), 'dir');
  const flows = [
    { id: TAB_ID, type: 'tab', label: 'bench' },
    ...(o.withPackage
      ? [
          {
            id: CONNECTION_ID,
            type: 'aws-job-steps-connection',
            name: 'emulator',
            region: 'us-east-1',
            endpoint: o.url,
            credentialSource: 'keys',
            tls: '',
          },
        ]
      : []),
    ...o.nodes,
    { id: ANSWER_ID, type: 'bench-answer', z: TAB_ID, wires: [] },
  ];
  // A node type of the benchmark's own, from the user directory's nodes folder, as a user's local node would be.
  mkdirSync(join(userDir, 'nodes'));
  writeFileSync(
    join(userDir, 'nodes', 'bench-answer.js'),
    `module.exports = (RED) => RED.nodes.registerType('bench-answer', function (config) {
  RED.nodes.createNode(this, config);
  this.on('input', (msg, send, done) => { globalThis.${ANSWER}(msg); done(); });
});\n`,
  );
  writeFileSync(join(userDir, 'nodes', 'bench-answer.html'), '');
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows));
  writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify({ [CONNECTION_ID]: o.credentials }));
  return userDir;
}

/** Starts a runtime with the flow of `o`; `stop()` stops it and removes its user directory. */
export async function startRuntime(o: RuntimeOptions): Promise<BenchRuntime> {
  const userDir = prepareUserDir(o);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the runtime under test is chosen at run time
  const RED = require(o.nodeRedPackage) as EmbeddedRed;
  const waiting = new Map<number, (msg: Message) => void>();
  RED.init(createServer(), {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    logging: { console: { level: 'warn' } },
    telemetry: { enabled: false },
  });
  (globalThis as Record<string, unknown>)[ANSWER] = (msg: Message) => waiting.get(msg.benchId)?.(msg);
  await RED.start();
  /** Ids are unique across nodes (all answer to one map). */
  let nextId = 0;
  return {
    version: RED.version(),
    async sender(id) {
      let node = RED.nodes.getNode(id);
      for (let i = 0; !node && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 50));
        node = RED.nodes.getNode(id);
      }
      if (!node) throw new Error(`the flow did not start node ${id}`);
      const target = node;
      return (_, worker) =>
        new Promise((resolve, reject) => {
          const i = nextId++;
          waiting.set(i, (msg) => {
            waiting.delete(i);
            if (msg.error) reject(new Error(`message ${i}: ${msg.error.message}`));
            else resolve();
          });
          target.receive({
            benchId: i,
            payload: { jobId: 'fw-1', thingName: `gw-${4 + worker}`, status: 'IN_PROGRESS' },
          });
        });
    },
    async ask(id, msg) {
      const i = nextId++;
      const answered = new Promise<Message>((resolve) => waiting.set(i, resolve));
      RED.nodes.getNode(id)!.receive({ payload: undefined, ...msg, benchId: i });
      const answer = await answered;
      waiting.delete(i);
      return answer;
    },
    async stop() {
      await RED.stop();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
