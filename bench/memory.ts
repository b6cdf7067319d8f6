/**
 * The memory figures of `npm run bench -- --memory`, one configuration per process (so no two share a heap), run
 * with `--expose-gc` by bench/memory-run.ts. A real Node-RED runtime (bench/node-red-runtime.ts) with either this
 * package's update-job-execution node (without the outbox) or, without the package, a plain function-node flow.
 *
 * Input: one JSON argument ({@link MemoryOptions}). Output: one JSON line on stdout, whose shape the mode names:
 * - `curve`: resident memory and heap used at each checkpoint (no forced GC: what `top` shows a gateway owner), then
 *   after a full GC and after a memory-reducing one ({@link CurveFigures});
 * - `rate`: driven over IPC ({@link RateRequest}), so that two processes (one under a `NODE_OPTIONS` cap, one not)
 *   can take turns, round by round; answers messages per second for each round;
 * - `allocation`: JS heap bytes allocated per message by the step node, a plain function node and the plain SDK loop
 *   in the same process, in rounds ({@link AllocationFigures}), and where the step's bytes go when asked.
 */
import { Session } from 'node:inspector';
import { GCProfiler, getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

import { IoTJobsDataPlaneClient, UpdateJobExecutionCommand } from '@aws-sdk/client-iot-jobs-data-plane';

import { median } from './measure';
import { ANSWER_ID, startRuntime, stepNode, TAB_ID, type Sender } from './node-red-runtime';

const CONCURRENCY = 4;
const STEP_ID = 'bench0step000001';
const FUNCTION_ID = 'bench0function01';

export interface MemoryOptions {
  readonly mode: 'curve' | 'rate' | 'allocation';
  readonly url: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly nodeRedPackage: string;
  /**
   * `step`: this package installed, connection → update-job-execution (outbox off) → answer node. `function`: the
   * package not installed, function node → answer node. `allocation` always has both, and the plain SDK loop.
   */
  readonly flow: 'step' | 'function';
  /** `curve`: the message counts to read memory at, ascending. */
  readonly checkpoints?: readonly number[];
  /** `allocation`: rounds, and messages per subject per round. */
  readonly rounds?: number;
  readonly perRound?: number;
  /** `allocation`: sample where the step's and the plain loop's bytes go over this many messages each (0: not). */
  readonly profileMessages?: number;
}

/** Resident set and JS heap used, in bytes. */
export interface MemoryReading {
  readonly rss: number;
  readonly heapUsed: number;
}

export interface CurveFigures {
  readonly nodeRedVersion: string;
  /** After start-up, settled and collected. */
  readonly idle: MemoryReading;
  readonly points: readonly (MemoryReading & { readonly messages: number; readonly perSecond: number })[];
  /** After `gc()` (a full, ordinary collection), then after a memory-reducing one (`flavor: 'last-resort'`). */
  readonly afterGc: MemoryReading;
  readonly afterReducingGc: MemoryReading;
  /** V8's heap spaces at the last checkpoint: bytes reserved (space_size) by space name. */
  readonly spaces: Readonly<Record<string, number>>;
}

/**
 * What `rate` takes over IPC: send `run` messages (answered `{ perSecond, cpuMsPerMessage }`, the process's CPU time
 * per message), or stop (answered with a {@link MemoryReading}).
 */
export type RateRequest = { run: number } | { stop: true };

export interface AllocationFigures {
  readonly nodeRedVersion: string;
  /** Median bytes allocated per message over the rounds, by subject. */
  readonly plain: number;
  readonly step: number;
  readonly function: number;
  /** Sampled allocations over `profileMessages`, bytes per message by where they were made (largest first). */
  readonly profile?: {
    readonly step: readonly Site[];
    readonly plain: readonly Site[];
  };
}

export interface Site {
  /** The package or part of the program (`@smithy/…`, `node-red`, `node:http`, `lib/core`…). */
  readonly where: string;
  readonly bytesPerMessage: number;
  /** The largest allocating functions in it, `name file:line` with bytes per message. */
  readonly top: readonly string[];
}

type Gc = (options?: {
  type: 'major' | 'minor';
  execution: 'sync' | 'async';
  flavor?: 'regular' | 'last-resort';
}) => void;

function reading(): MemoryReading {
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/** Sends `count` messages from CONCURRENCY workers; messages per second. */
async function drive(send: Sender, count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (next < count) await send(next++, worker);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/**
 * Bytes of JS heap allocated while `run` runs: what the heap grew by, plus what every collection in between freed
 * (v8.GCProfiler's used-heap figures before and after each). Exact for the V8 heap, whatever the GC did; buffers'
 * memory outside the heap (socket reads) is not counted, and both sides of a comparison read the same answers.
 */
async function allocatedBy(run: () => Promise<unknown>): Promise<number> {
  const profiler = new GCProfiler();
  const before = getHeapStatistics().used_heap_size;
  profiler.start();
  await run();
  const after = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let freed = 0;
  for (const s of statistics) freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  return after - before + freed;
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** Where a script's allocations belong: its package, Node's module, or this package's part. */
function partOf(url: string): string {
  if (url === '') return '(V8 and native)';
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?([^/]+).*/, 'node:$2');
  const pkg = /.*node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!.replace(/^@node-red\/.*/, 'node-red').replace(/^node-red-5$/, 'node-red');
  const own = /\/lib\/([^/]+)\//.exec(url);
  return own ? `lib/${own[1]}` : url;
}

/**
 * Sampled allocations (V8's sampling heap profiler, keeping the samples of objects already collected) over
 * `messages` messages: bytes per message by part of the program, with its largest allocating functions.
 */
async function sampleAllocations(send: Sender, messages: number): Promise<Site[]> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await drive(send, messages);
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
  session.disconnect();
  const parts = new Map<string, { bytes: number; functions: Map<string, number> }>();
  const visit = (node: ProfileNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      const part = partOf(url);
      const entry = parts.get(part) ?? { bytes: 0, functions: new Map<string, number>() };
      parts.set(part, entry);
      entry.bytes += node.selfSize;
      const file = url.replace(/.*node_modules\//, '').replace(/^(file:\/\/)?\/.*?\/lib\//, 'lib/');
      const fn = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
      entry.functions.set(fn, (entry.functions.get(fn) ?? 0) + node.selfSize);
    }
    node.children.forEach(visit);
  };
  visit(profile.head);
  return [...parts]
    .map(([where, { bytes, functions }]) => ({
      where,
      bytesPerMessage: bytes / messages,
      top: [...functions]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([fn, b]) => `${fn} (${Math.round(b / messages)} B)`),
    }))
    .sort((a, b) => b.bytesPerMessage - a.bytesPerMessage);
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as MemoryOptions;
  const gc = (globalThis as { gc?: Gc }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const step = stepNode(STEP_ID, { name: 'report', concurrency: CONCURRENCY, outbox: 'off' });
  // What a flow without the package might do with the same message: shape an answer and pass it on.
  const fn = {
    id: FUNCTION_ID,
    type: 'function',
    z: TAB_ID,
    name: 'plain',
    func: 'msg.payload = { changed: true, attempts: 1, status: msg.payload.status };\nreturn msg;',
    outputs: 1,
    wires: [[ANSWER_ID]],
  };
  const withPackage = o.mode === 'allocation' || o.flow === 'step';
  const runtime = await startRuntime({
    ...o,
    withPackage,
    nodes: o.mode === 'allocation' ? [step, fn] : o.flow === 'step' ? [step] : [fn],
  });
  const send = await runtime.sender(o.flow === 'step' ? STEP_ID : FUNCTION_ID);
  const out = (figures: object): void => void process.stdout.write(`${JSON.stringify(figures)}\n`);

  if (o.mode === 'curve') {
    await new Promise((r) => setTimeout(r, 1000));
    gc();
    const idle = reading();
    const points: CurveFigures['points'][number][] = [];
    let sent = 0;
    for (const messages of o.checkpoints ?? []) {
      const perSecond = await drive(send, messages - sent);
      sent = messages;
      points.push({ messages, perSecond, ...reading() });
    }
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
    gc();
    const afterGc = reading();
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const afterReducingGc = reading();
    await runtime.stop();
    const figures: CurveFigures = { nodeRedVersion: runtime.version, idle, points, afterGc, afterReducingGc, spaces };
    return out(figures);
  }

  if (o.mode === 'rate') {
    const reply = (m: object): Promise<void> => new Promise((r) => process.send!(m, () => r()));
    // Requests queue up as they come, whatever this process is doing.
    const requests: RateRequest[] = [];
    let wake: (() => void) | undefined;
    process.on('message', (m: RateRequest) => {
      requests.push(m);
      wake?.();
    });
    await reply({ ready: true, nodeRedVersion: runtime.version });
    for (;;) {
      while (requests.length === 0) await new Promise<void>((r) => (wake = r));
      const request = requests.shift()!;
      if ('stop' in request) break;
      const cpu = process.cpuUsage();
      const perSecond = await drive(send, request.run);
      const used = process.cpuUsage(cpu);
      await reply({ perSecond, cpuMsPerMessage: (used.user + used.system) / 1000 / request.run });
    }
    await runtime.stop();
    await reply({ stopped: true, ...reading() });
    return process.disconnect();
  }

  // allocation: the plain SDK loop sends the node's request (it asks for the execution state), one thing per worker.
  const sdk = new IoTJobsDataPlaneClient({ region: 'us-east-1', endpoint: o.url, credentials: o.credentials });
  const plain: Sender = async (_, worker) => {
    const input = { jobId: 'fw-1', thingName: `gw-${worker}`, status: 'IN_PROGRESS' as const };
    await sdk.send(new UpdateJobExecutionCommand({ ...input, includeJobExecutionState: true }));
  };
  const subjects = { plain, step: send, function: await runtime.sender(FUNCTION_ID) };
  const names = Object.keys(subjects) as (keyof typeof subjects)[];
  const perRound = o.perRound ?? 2000;
  for (const name of names) await drive(subjects[name], perRound); // warm-up: JIT, sockets, the runtime's caches
  const bytes = new Map(names.map((n) => [n, [] as number[]]));
  for (let r = 0; r < (o.rounds ?? 5); r++) {
    // Each round in another order, so that none always runs after the same one.
    for (const name of [...names.slice(r % names.length), ...names.slice(0, r % names.length)])
      bytes.get(name)!.push((await allocatedBy(() => drive(subjects[name], perRound))) / perRound);
  }
  const per = (name: keyof typeof subjects): number => median(bytes.get(name)!);
  const messages = o.profileMessages ?? 0;
  const profile =
    messages > 0
      ? { step: await sampleAllocations(send, messages), plain: await sampleAllocations(plain, messages) }
      : undefined;
  sdk.destroy();
  await runtime.stop();
  const figures: AllocationFigures = {
    nodeRedVersion: runtime.version,
    plain: per('plain'),
    step: per('step'),
    function: per('function'),
    ...(profile && { profile }),
  };
  out(figures);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
