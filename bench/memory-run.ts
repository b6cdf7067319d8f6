/**
 * `npm run bench -- --memory`: what a gateway's resident memory does over a long run, and what bounds it. Each
 * configuration runs in a process of its own (bench/memory.ts), on Node 24 and on Node 20, against the emulator the
 * caller started:
 * - the resident-memory curve (RSS and heap used at each checkpoint, then after a full GC and after a memory-reducing
 *   one) with this package's step node, without the package (a plain function-node flow in the same Node-RED), and
 *   with the step node under the `NODE_OPTIONS` cap that bounds V8's young generation and old space;
 * - the step node's throughput with the cap against without it: two processes alive at once, taking turns round by
 *   round (the median of the rounds' own ratios);
 * - JS heap bytes allocated per message by the step node, the plain SDK loop and the plain function node, and where
 *   the step's bytes go (Node 24).
 * Prints the tables and writes bench/memory.json.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';

import { median } from './measure';
import type { AllocationFigures, CurveFigures, MemoryOptions, MemoryReading, RateRequest } from './memory';

const ROOT = join(__dirname, '..', '..');
const MEMORY = join(__dirname, 'memory.js');
/** The cap a gateway owner can set: a 1 MB semi-space (young generation) and a 256 MB old space. */
export const CAP = '--max-old-space-size=256 --max-semi-space-size=1';
const CHECKPOINTS = (process.env.BENCH_MEMORY_CHECKPOINTS ?? '10000,50000,100000').split(',').map(Number);
/**
 * The function node allocates about a twentieth of the step node's bytes per message, so its curve goes on to here:
 * about the bytes the step node allocates in 50,000 messages, to see where its memory settles.
 */
const FUNCTION_FURTHER = Number(process.env.BENCH_MEMORY_FUNCTION_FURTHER ?? 1_000_000);
const RATE_ROUNDS = 10;
const RATE_MESSAGES = 2000;
/** No child may run longer than this; the whole run is bounded by the configurations' count times it. */
const CHILD_LIMIT_MS = 10 * 60_000;
const NODE_RED = 'node-red';

/** A Node binary the figures name: where it is and what version it is. */
interface Runtime {
  readonly label: string;
  readonly path: string;
  readonly version: string;
}

function runtime(label: string, path: string): Runtime {
  const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  return { label, path, version };
}

/** Node 24 from the `node` package; Node 20 from the `node-20` alias when installed, else the machine's. */
export function runtimes(): Runtime[] {
  const alias = join(ROOT, 'node_modules', 'node-20', 'bin', 'node');
  return [
    runtime('Node 24', join(ROOT, 'node_modules', 'node', 'bin', 'node')),
    runtime('Node 20', existsSync(alias) ? alias : '/usr/bin/node'),
  ];
}

function childEnv(capped: boolean): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...(capped && { NODE_OPTIONS: CAP }) };
}

/** One configuration in its own process; its last line of output, parsed. */
function child<T>(node: Runtime, options: MemoryOptions, capped = false): Promise<T> {
  return new Promise((resolve, reject) =>
    execFile(
      node.path,
      ['--expose-gc', MEMORY, JSON.stringify(options)],
      { encoding: 'utf8', maxBuffer: 16 * 2 ** 20, env: childEnv(capped), timeout: CHILD_LIMIT_MS },
      (error, out, err) => {
        if (error)
          return reject(new Error(`bench/memory ${options.mode} ${options.flow} on ${node.label}: ${err}${out}`));
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      },
    ),
  );
}

/** A `rate` process, driven over IPC. */
class RateProcess {
  private readonly process: ChildProcess;
  private readonly replies: unknown[] = [];
  private waiting: ((m: unknown) => void) | undefined;
  private stderr = '';

  constructor(node: Runtime, options: MemoryOptions, capped: boolean) {
    this.process = spawn(node.path, ['--expose-gc', MEMORY, JSON.stringify(options)], {
      env: childEnv(capped),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.process.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.process.on('message', (m) => {
      if (this.waiting) this.waiting(m);
      else this.replies.push(m);
    });
    this.process.on('exit', (code) => this.waiting?.(new Error(`exited ${code}: ${this.stderr}`)));
  }

  /** The next reply, within the child's limit. */
  next<T>(): Promise<T> {
    if (this.replies.length > 0) return Promise.resolve(this.replies.shift() as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply in ${CHILD_LIMIT_MS} ms`)), CHILD_LIMIT_MS);
      this.waiting = (m) => {
        clearTimeout(timer);
        this.waiting = undefined;
        if (m instanceof Error) reject(m);
        else resolve(m as T);
      };
    });
  }

  async run(messages: number): Promise<{ perSecond: number; cpuMsPerMessage: number }> {
    this.process.send({ run: messages } satisfies RateRequest);
    return this.next();
  }

  async stop(): Promise<MemoryReading> {
    if (this.process.exitCode !== null) return { rss: 0, heapUsed: 0 };
    this.process.send({ stop: true } satisfies RateRequest);
    return this.next<MemoryReading>();
  }

  kill(): void {
    if (this.process.exitCode === null) this.process.kill();
  }
}

interface RateFigures {
  /** Messages per second, median over the rounds. */
  readonly uncapped: number;
  readonly capped: number;
  /** Median over the rounds of capped ÷ uncapped. */
  readonly ratio: number;
  /** The process's CPU time per message (ms), median over the rounds: less swayed by other load than throughput. */
  readonly uncappedCpuMs: number;
  readonly cappedCpuMs: number;
  readonly cpuRatio: number;
}

/** The step node with the cap against without it: both processes alive, taking turns, RATE_ROUNDS rounds. */
export async function rateFigures(node: Runtime, base: Omit<MemoryOptions, 'mode'>): Promise<RateFigures> {
  const options: MemoryOptions = { ...base, mode: 'rate', flow: 'step' };
  const uncapped = new RateProcess(node, options, false);
  const capped = new RateProcess(node, options, true);
  try {
    await uncapped.next();
    await capped.next();
    await uncapped.run(RATE_MESSAGES); // warm-up: JIT, sockets, the runtime's caches
    await capped.run(RATE_MESSAGES);
    type Run = Awaited<ReturnType<RateProcess['run']>>;
    const rounds: { uncapped: Run; capped: Run }[] = [];
    for (let r = 0; r < RATE_ROUNDS; r++) {
      if (r % 2 === 0) {
        const u = await uncapped.run(RATE_MESSAGES);
        rounds.push({ uncapped: u, capped: await capped.run(RATE_MESSAGES) });
      } else {
        const c = await capped.run(RATE_MESSAGES);
        rounds.push({ capped: c, uncapped: await uncapped.run(RATE_MESSAGES) });
      }
    }
    await uncapped.stop();
    await capped.stop();
    const of = (f: (r: (typeof rounds)[number]) => number): number => median(rounds.map(f));
    return {
      uncapped: of((r) => r.uncapped.perSecond),
      capped: of((r) => r.capped.perSecond),
      ratio: of((r) => r.capped.perSecond / r.uncapped.perSecond),
      uncappedCpuMs: of((r) => r.uncapped.cpuMsPerMessage),
      cappedCpuMs: of((r) => r.capped.cpuMsPerMessage),
      cpuRatio: of((r) => r.capped.cpuMsPerMessage / r.uncapped.cpuMsPerMessage),
    };
  } finally {
    uncapped.kill();
    capped.kill();
  }
}

interface Curve extends CurveFigures {
  readonly runtime: string;
  readonly flow: string;
  readonly nodeOptions: string;
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const cell = (r: MemoryReading): string => `${mb(r.rss)} (${mb(r.heapUsed)})`;

/** Runs every memory figure against the emulator at `url`, prints them, and writes bench/memory.json. */
export async function memoryFigures(url: string, credentials: MemoryOptions['credentials']): Promise<void> {
  const nodes = runtimes();
  const base = { url, credentials, nodeRedPackage: NODE_RED };
  for (const n of nodes) console.log(`${n.label}: ${relative(ROOT, n.path) || n.path} (v${n.version})`);

  const curves: Curve[] = [];
  const rates: (RateFigures & { runtime: string })[] = [];
  const allocations: (AllocationFigures & { runtime: string })[] = [];
  for (const node of nodes) {
    for (const [flow, capped] of [
      ['step', false],
      ['function', false],
      ['step', true],
    ] as const) {
      const checkpoints = flow === 'function' ? [...CHECKPOINTS, FUNCTION_FURTHER] : CHECKPOINTS;
      const started = performance.now();
      const figures = await child<CurveFigures>(node, { ...base, mode: 'curve', flow, checkpoints }, capped);
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(
        `curve: ${node.label}, ${flow}${capped ? ', capped' : ''}: ${checkpoints.at(-1)} messages, ${seconds} s`,
      );
      curves.push({
        ...figures,
        runtime: `${node.label} (v${node.version})`,
        flow: flow === 'step' ? 'update-job-execution node (this package)' : 'function node (without the package)',
        nodeOptions: capped ? CAP : '—',
      });
    }
    console.log(`throughput with and without the cap: ${node.label}`);
    rates.push({
      runtime: `${node.label} (v${node.version})`,
      ...(await rateFigures(node, { ...base, flow: 'step' })),
    });
    console.log(`bytes allocated per message: ${node.label}`);
    allocations.push({
      runtime: `${node.label} (v${node.version})`,
      ...(await child<AllocationFigures>(node, {
        ...base,
        mode: 'allocation',
        flow: 'step',
        rounds: 5,
        perRound: 2000,
        // Where the bytes go is asked of the runtime the package is tested on.
        profileMessages: node === nodes[0] ? 3000 : 0,
      })),
    });
  }

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GB`;
  const nodeRedVersion = curves[0]?.nodeRedVersion ?? '?';
  writeFileSync(
    join(ROOT, 'bench', 'memory.json'),
    `${JSON.stringify({ machine, date: new Date().toISOString(), nodeRedVersion, curves, rates, allocations }, null, 2)}\n`,
  );

  console.log(`\nmachine: ${machine}; Node-RED ${nodeRedVersion}; messages at concurrency 4, each configuration in a`);
  console.log('process of its own. Resident memory (RSS) in MB, JS heap used in brackets, read as they are (no forced');
  console.log(
    "GC) at each count, then after gc() (a full collection), then after a memory-reducing GC (gc({ type: 'major',",
  );
  console.log(
    "execution: 'sync', flavor: 'last-resort' }), what V8 runs when memory is short or the process idles).\n",
  );
  console.log(
    `| runtime | flow | NODE_OPTIONS | idle | ${CHECKPOINTS.join(' | ')} | growth | msg/s | further | after gc() | after a reducing GC |`,
  );
  console.log(`|---|---|---|---|${CHECKPOINTS.map(() => '---|').join('')}---|---|---|---|---|`);
  for (const c of curves) {
    const last = c.points[CHECKPOINTS.length - 1]!;
    const further = c.points[CHECKPOINTS.length];
    console.log(
      `| ${c.runtime} | ${c.flow} | ${c.nodeOptions} | ${cell(c.idle)} | ${c.points.slice(0, CHECKPOINTS.length).map(cell).join(' | ')} | ` +
        `+${mb(last.rss - c.idle.rss)} | ${last.perSecond.toFixed(0)} | ${further ? `${further.messages}: ${cell(further)}` : '—'} | ` +
        `${cell(c.afterGc)} | ${cell(c.afterReducingGc)} |`,
    );
  }
  console.log(
    `\n(growth: RSS at ${CHECKPOINTS.at(-1)} messages less idle; msg/s: from ${CHECKPOINTS.at(-2) ?? 0} to ${CHECKPOINTS.at(-1)} ` +
      'messages; further: the function node, whose messages allocate far less, carried on to about the bytes the ' +
      'step node allocates in 50,000.)',
  );

  console.log(
    `\nThe step node's throughput with NODE_OPTIONS="${CAP}" against without it: two processes alive at once, ` +
      `taking turns, ${RATE_ROUNDS} rounds of ${RATE_MESSAGES} messages each after a warm-up (medians); the CPU ` +
      `time is the whole process's.\n`,
  );
  console.log('| runtime | without the cap | with the cap | ratio | CPU per message without | with | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rates)
    console.log(
      `| ${r.runtime} | ${r.uncapped.toFixed(0)} /s | ${r.capped.toFixed(0)} /s | ${r.ratio.toFixed(2)} | ` +
        `${r.uncappedCpuMs.toFixed(2)} ms | ${r.cappedCpuMs.toFixed(2)} ms | ${r.cpuRatio.toFixed(2)} |`,
    );
  console.log("(ratios: with the cap ÷ without it, the median of the rounds' own ratios.)");

  console.log(
    '\nJS heap bytes allocated per message, in one process, subjects taking turns in 5 rounds of 2000 messages ' +
      "(medians).\nMethod: the growth of V8's used heap plus what every collection in between freed (v8.GCProfiler, " +
      "used heap before and after each GC); memory outside V8's heap (socket buffers) is not counted.\n",
  );
  console.log('| runtime | plain SDK loop | update-job-execution node | ratio | plain function node |');
  console.log('|---|---|---|---|---|');
  const kb = (b: number): string => `${(b / 1024).toFixed(1)} KB`;
  for (const a of allocations)
    console.log(
      `| ${a.runtime} | ${kb(a.plain)} | ${kb(a.step)} | ${(a.step / a.plain).toFixed(2)} | ${kb(a.function)} |`,
    );

  const profiled = allocations.find((a) => a.profile);
  if (profiled?.profile) {
    const plainBy = new Map(profiled.profile.plain.map((s) => [s.where, s.bytesPerMessage]));
    console.log(
      `\nWhere the bytes go, ${profiled.runtime}: V8's sampling heap profiler (collected objects kept), ` +
        'bytes per message by the part of the program that allocated them (an estimate from samples).\n',
    );
    console.log('| part | update-job-execution node | plain SDK loop | largest in the node |');
    console.log('|---|---|---|---|');
    for (const s of profiled.profile.step.slice(0, 14))
      console.log(
        `| ${s.where} | ${s.bytesPerMessage.toFixed(0)} B | ${(plainBy.get(s.where) ?? 0).toFixed(0)} B | ${s.top.slice(0, 2).join('; ')} |`,
      );
  }
}
