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
import { IoTJobsDataPlaneClient, UpdateJobExecutionCommand } from '@aws-sdk/client-iot-jobs-data-plane';

import { load, median, type LoadResult } from './measure';
import { startRuntime, stepNode, type Sender } from './node-red-runtime';

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
  /** With `durable`: the outbox file's commits over the run, and the writes they held. */
  readonly commits?: { readonly count: number; readonly writes: number };
}

const STEP_ID = 'bench0step000001';
/** The same node with "Keep reports until delivered" ticked, for `durable`. */
const DURABLE_ID = 'bench0durable001';

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

  const withPackage = o.footprint !== 'without';
  const runtime = await startRuntime({
    ...o,
    withPackage,
    nodes: withPackage
      ? [
          // The node's own cost, without the disk: the durable figures measure that apart.
          stepNode(STEP_ID, { name: 'report', concurrency: CONCURRENCY, outbox: 'off' }),
          ...(o.durable
            ? [stepNode(DURABLE_ID, { name: 'report, kept until delivered', concurrency: CONCURRENCY, outbox: 'on' })]
            : []),
        ]
      : [],
  });
  const nodeRedVersion = runtime.version;
  const rss = async (): Promise<number> => {
    await new Promise((r) => setTimeout(r, 500));
    heap();
    return process.memoryUsage().rss;
  };
  if (o.footprint === 'without') {
    const figures: FootprintFigures = { nodeRedVersion, rssIdle: await rss() };
    await runtime.stop();
    return void process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
  const through = await runtime.sender(STEP_ID);

  if (o.footprint === 'with') {
    const rssIdle = await rss();
    const cpu = process.cpuUsage();
    await load(o.updates, CONCURRENCY, through);
    const used = process.cpuUsage(cpu);
    const figures: FootprintFigures = {
      nodeRedVersion,
      rssIdle,
      rssAfter: await rss(),
      // load() sends 200 warm-up messages before the measured ones.
      cpuMsPerMessage: (used.user + used.system) / 1000 / (o.updates + 200),
    };
    await runtime.stop();
    return void process.stdout.write(`${JSON.stringify(figures)}\n`);
  }

  if (o.durable) {
    const figures = await rounds(o.updates, through, await runtime.sender(DURABLE_ID));
    // The group commit's yield: the file's commits in this run and the writes (reports taken, deletes) they held.
    const listed = await runtime.ask(DURABLE_ID, { outbox: 'list' });
    const { commits } = listed.payload as { commits: { count: number; writes: number } };
    await runtime.stop();
    return void process.stdout.write(
      `${JSON.stringify({ ...figures, nodeRedVersion, heapBefore: 0, heapAfter: 0, commits })}\n`,
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

  await runtime.stop();
  const figures: NodeRedFigures = {
    nodeRedVersion,
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
