/**
 * The Node-RED figures of `npm run bench`, run in a process of their own (with `--expose-gc`) so that one runtime's
 * heap is measured alone: a real Node-RED runtime, embedded the way `node-red` starts itself, with this package
 * installed in a fresh user directory and a flow of connection node → update-job-execution node → answer node (a
 * minimal node, like a debug node that keeps its output to itself). Messages go in through the step node's own
 * `receive` (as an upstream node's `send` delivers them); the answer node hands each answer back. The peer, a plain
 * SDK loop, runs in the same process against the same emulator.
 *
 * Input: one JSON argument ({@link LoadOptions}). Output: one JSON line ({@link NodeRedFigures}) on stdout.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { IoTJobsDataPlaneClient, UpdateJobExecutionCommand } from '@aws-sdk/client-iot-jobs-data-plane';

import { load, median, type LoadResult } from './measure';

const ROOT = join(__dirname, '..', '..');
const PACKAGE = 'node-red-contrib-aws-job-steps';
const CONCURRENCY = 4;
const ROUNDS = 10;
const WARM_UP = 2000;

export interface LoadOptions {
  readonly url: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Updates for the throughput and latency figures. */
  readonly updates: number;
  /** Messages between the two heap readings. */
  readonly memoryMessages: number;
  /** `node-red` (4.1) or `node-red-5`. */
  readonly nodeRedPackage: string;
  /**
   * Instead of the load figures, the gateway footprint: `with` this package (idle, then `updates` messages), or
   * `without` it (the same runtime and answer node, idle).
   */
  readonly footprint?: 'with' | 'without';
  /**
   * Instead of the node against the plain SDK, the node keeping reports until delivered (its durable outbox)
   * against the same node without it, in the same runtime: the cost of the disk.
   */
  readonly durable?: true;
}

/** Resident memory (after GC) and CPU time of one runtime. */
export interface FootprintFigures {
  readonly nodeRedVersion: string;
  readonly rssIdle: number;
  /** With the package: after `updates` messages, and the process's CPU time per message (ms). */
  readonly rssAfter?: number;
  readonly cpuMsPerMessage?: number;
}

export interface NodeRedFigures {
  readonly nodeRedVersion: string;
  /** Each side's median over the rounds. */
  readonly plain: LoadResult;
  readonly node: LoadResult;
  /** Median over the rounds of node throughput ÷ plain throughput, each pair measured back to back. */
  readonly throughputRatio: number;
  /** Median over the rounds of node p99 − plain p99, in ms. */
  readonly p99Overhead: number;
  /** Heap used after GC, in bytes, before and after `memoryMessages` messages. */
  readonly heapBefore: number;
  readonly heapAfter: number;
}

interface Message {
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

const STEP_ID = 'bench0step000001';
/** The same node with "Keep reports until delivered" ticked, for `durable`. */
const DURABLE_ID = 'bench0durable001';
/** The global the answer node calls with each message. */
const ANSWER = 'awsJobStepsBenchAnswer';

function prepareUserDir(o: LoadOptions): string {
  const userDir = mkdtempSync(join(tmpdir(), 'bench-node-red-'));
  mkdirSync(join(userDir, 'node_modules'));
  const withPackage = o.footprint !== 'without';
  if (withPackage) symlinkSync(ROOT, join(userDir, 'node_modules', PACKAGE), 'dir');
  const tab = 'bench0tab0000001';
  const connection = 'bench0conn000001';
  const flows = [
    { id: tab, type: 'tab', label: 'bench' },
    {
      id: connection,
      type: 'aws-job-steps-connection',
      name: 'emulator',
      region: 'us-east-1',
      endpoint: o.url,
      credentialSource: 'keys',
      tls: '',
    },
    {
      id: STEP_ID,
      type: 'aws-update-job-execution',
      z: tab,
      name: 'report',
      connection,
      concurrency: CONCURRENCY,
      // The node's own cost, without the disk: the durable figures measure that apart.
      outbox: false,
      wires: [['bench0answer0001'], ['bench0answer0001']],
    },
    ...(o.durable
      ? [
          {
            id: DURABLE_ID,
            type: 'aws-update-job-execution',
            z: tab,
            name: 'report, kept until delivered',
            connection,
            concurrency: CONCURRENCY,
            outbox: true,
            wires: [['bench0answer0001'], ['bench0answer0001']],
          },
        ]
      : []),
    { id: 'bench0answer0001', type: 'bench-answer', z: tab, wires: [] },
  ].filter((n) => withPackage || n.type === 'tab' || n.type === 'bench-answer');
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
  writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify({ [connection]: o.credentials }));
  return userDir;
}

type Sender = (i: number, worker: number) => Promise<void>;

/**
 * `peer` and `subject` take turns in ROUNDS rounds, in alternating order, after a warm-up of both (JIT, sockets, the
 * runtime's caches); each ratio is the median of the rounds' own ratios: a burst of the machine's noise spoils one
 * round, not the figure.
 */
async function rounds(
  updates: number,
  peer: Sender,
  subject: Sender,
): Promise<Pick<NodeRedFigures, 'plain' | 'node' | 'throughputRatio' | 'p99Overhead'>> {
  await load(WARM_UP, CONCURRENCY, peer);
  await load(WARM_UP, CONCURRENCY, subject);
  const results: { plain: LoadResult; node: LoadResult }[] = [];
  const perRound = Math.ceil(updates / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      const plain = await load(perRound, CONCURRENCY, peer);
      results.push({ plain, node: await load(perRound, CONCURRENCY, subject) });
    } else {
      const node = await load(perRound, CONCURRENCY, subject);
      results.push({ node, plain: await load(perRound, CONCURRENCY, peer) });
    }
  }
  const summary = (side: 'plain' | 'node'): LoadResult => ({
    perSecond: median(results.map((x) => x[side].perSecond)),
    p99: median(results.map((x) => x[side].p99)),
  });
  return {
    plain: summary('plain'),
    node: summary('node'),
    throughputRatio: median(results.map((x) => x.node.perSecond / x.plain.perSecond)),
    p99Overhead: median(results.map((x) => x.node.p99 - x.plain.p99)),
  };
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as LoadOptions;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };

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
  const rss = async (): Promise<number> => {
    await new Promise((r) => setTimeout(r, 500));
    heap();
    return process.memoryUsage().rss;
  };
  if (o.footprint === 'without') {
    const figures: FootprintFigures = { nodeRedVersion: RED.version(), rssIdle: await rss() };
    await RED.stop();
    rmSync(userDir, { recursive: true, force: true });
    return void process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
  let step = RED.nodes.getNode(STEP_ID);
  for (let i = 0; !step && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    step = RED.nodes.getNode(STEP_ID);
  }
  if (!step) throw new Error('the flow did not start');
  /** One message through `node`, resolved with its answer. Ids are unique across nodes (both answer to one map). */
  let nextId = 0;
  const sender =
    (node: { receive(msg: Message): void }) =>
    (_: number, worker: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const i = nextId++;
        waiting.set(i, (msg) => {
          waiting.delete(i);
          if (msg.error) reject(new Error(`message ${i}: ${msg.error.message}`));
          else resolve();
        });
        node.receive({
          benchId: i,
          payload: { jobId: 'fw-1', thingName: `gw-${4 + worker}`, status: 'IN_PROGRESS' },
        });
      });
  const through = sender(step);

  if (o.footprint === 'with') {
    const rssIdle = await rss();
    const cpu = process.cpuUsage();
    await load(o.updates, CONCURRENCY, through);
    const used = process.cpuUsage(cpu);
    const figures: FootprintFigures = {
      nodeRedVersion: RED.version(),
      rssIdle,
      rssAfter: await rss(),
      // load() sends 200 warm-up messages before the measured ones.
      cpuMsPerMessage: (used.user + used.system) / 1000 / (o.updates + 200),
    };
    await RED.stop();
    rmSync(userDir, { recursive: true, force: true });
    return void process.stdout.write(`${JSON.stringify(figures)}\n`);
  }

  if (o.durable) {
    const durable = RED.nodes.getNode(DURABLE_ID);
    if (!durable) throw new Error('the durable node did not start');
    const figures = await rounds(o.updates, through, sender(durable));
    await RED.stop();
    rmSync(userDir, { recursive: true, force: true });
    return void process.stdout.write(
      `${JSON.stringify({ ...figures, nodeRedVersion: RED.version(), heapBefore: 0, heapAfter: 0 })}\n`,
    );
  }

  // The peer: the SDK alone sending the request the node sends (it asks for the execution state, to show it), at the
  // same concurrency, one thing per worker. The two take turns in ROUNDS rounds, in alternating order, and each
  // ratio is the median of the rounds' own ratios: a burst of the machine's noise spoils one round, not the figure.
  const sdk = new IoTJobsDataPlaneClient({ region: 'us-east-1', endpoint: o.url, credentials: o.credentials });
  const direct = async (_: number, worker: number): Promise<void> => {
    const input = {
      jobId: 'fw-1',
      thingName: `gw-${worker}`,
      status: 'IN_PROGRESS' as const,
      includeJobExecutionState: true,
    };
    await sdk.send(new UpdateJobExecutionCommand(input));
  };
  const { plain, node, throughputRatio, p99Overhead } = await rounds(o.updates, direct, through);
  sdk.destroy();

  const heapBefore = heap();
  await load(o.memoryMessages, CONCURRENCY, through);
  const heapAfter = heap();

  await RED.stop();
  rmSync(userDir, { recursive: true, force: true });
  const figures: NodeRedFigures = {
    nodeRedVersion: RED.version(),
    plain,
    node,
    throughputRatio,
    p99Overhead,
    heapBefore,
    heapAfter,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
