/**
 * `npm run bench`: each figure against its peer in the same run (medians of several runs after a warm-up, as
 * ratios, because machines are noisy). Prints a table and writes bench/results.json.
 *
 * `npm run bench -- --memory`: only the memory figures (bench/memory-run.ts), written to bench/memory.json.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

import { EmulatorClient } from '../emulator/client';

import { fleetRun, type FleetClient } from './fleet';
import { load, median } from './measure';
import { memoryFigures } from './memory-run';
import type { FootprintFigures, LoadOptions, NodeRedFigures } from './node-red-load';

const ROOT = join(__dirname, '..', '..');
const CREDENTIALS = { accessKeyId: 'AKIABENCHMARK0000001', secretAccessKey: 'bench/secret' };
const RUNS = Number(process.env.BENCH_RUNS ?? 11);

interface Figure {
  figure: string;
  peer: string;
  value: number;
  peerValue: number;
  unit: string;
  ratio: number;
  target: string;
  /** Undefined for a figure shown for information, without a target. */
  met: boolean | undefined;
}

function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile(command, args, { env, encoding: 'utf8' }, (error, _out, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${stderr}`)) : resolve(performance.now() - started),
    ),
  );
}

/** A process to time: its environment is made afresh for every run. */
interface Timed {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: () => NodeJS.ProcessEnv;
}

/**
 * Median wall times of whole processes. After one warm-up run each, they take turns, run by run, so a burst of the
 * machine's noise falls on all of them rather than on whichever happened to be running.
 */
async function processTimes<K extends string>(processes: Record<K, Timed>): Promise<Record<K, number>> {
  const entries = Object.entries(processes) as [K, Timed][];
  for (const [, p] of entries) await timeProcess(p.command, [...p.args], p.env());
  const times = new Map<K, number[]>(entries.map(([k]) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [k, p] of entries) times.get(k)!.push(await timeProcess(p.command, [...p.args], p.env()));
  }
  return Object.fromEntries(entries.map(([k]) => [k, median(times.get(k)!)])) as Record<K, number>;
}

/** An emulator in a process of its own; `extra` flags after the credentials. */
async function startEmulatorProcess(...extra: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [
    join(ROOT, 'lib', 'emulator', 'main.js'),
    '--port',
    '0',
    '--auth',
    '--access-key-id',
    CREDENTIALS.accessKeyId,
    '--secret-access-key',
    CREDENTIALS.secretAccessKey,
    ...extra,
  ]);
  const url = await new Promise<string>((resolve) =>
    child.stdout!.on('data', (d: Buffer) => {
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(d.toString());
      if (m) resolve(m[0]);
    }),
  );
  return { url, child };
}

/** The fleet size: 2,000, or what `--fleet N` says (10,000 for the large run). */
function fleetSize(): number {
  const at = process.argv.indexOf('--fleet');
  const n = at < 0 ? 2_000 : Number(process.argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--fleet takes a number of gateways, not ${process.argv[at + 1]}`);
  return n;
}

/** The fleet, reported by this project's step and by the plain SDK in both retry modes, against AWS's quotas. */
async function fleetFigures(): Promise<Figure[]> {
  const gateways = fleetSize();
  const { url, child } = await startEmulatorProcess();
  const figures: Figure[] = [];
  try {
    const runs = new Map<FleetClient, Awaited<ReturnType<typeof fleetRun>>>();
    for (const client of ['step', 'sdk-standard', 'sdk-adaptive'] as const)
      runs.set(client, await fleetRun(url, CREDENTIALS, gateways, client));
    const step = runs.get('step')!;
    for (const client of ['sdk-standard', 'sdk-adaptive'] as const) {
      const peer = runs.get(client)!;
      const name = `plain SDK v3 client, ${client === 'sdk-standard' ? 'standard' : 'adaptive'} retry mode`;
      figures.push({
        figure: `fleet of ${gateways}: updates given up`,
        peer: name,
        value: step.givenUp,
        peerValue: peer.givenUp,
        unit: '',
        ratio: step.givenUp,
        target: '0',
        met: step.givenUp === 0,
      });
      figures.push({
        figure: `fleet of ${gateways}: requests per update`,
        peer: name,
        value: step.requestsPerUpdate,
        peerValue: peer.requestsPerUpdate,
        unit: '',
        ratio: step.requestsPerUpdate,
        target: '≤ 1.3',
        met: step.requestsPerUpdate <= 1.3,
      });
      figures.push({
        figure: `fleet of ${gateways}: seconds until every report is answered, ÷ the quota's limit (${step.limitSeconds} s)`,
        peer: name,
        value: step.seconds,
        peerValue: peer.seconds,
        unit: 's',
        ratio: step.seconds / step.limitSeconds,
        target: '≤ 1.25×',
        met: step.seconds / step.limitSeconds <= 1.25,
      });
    }
  } finally {
    child.kill();
  }
  return figures;
}

/** Things gw-0… and job fw-1 targeting them all, through the one emulator client. */
async function seed(url: string, things: number): Promise<void> {
  const names = Array.from({ length: things }, (_, i) => `gw-${i}`);
  await new EmulatorClient(url, CREDENTIALS).seed(names, [{ jobId: 'fw-1', targets: names, document: '{}' }]);
}

function dirSize(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (sum, e) => sum + (e.isDirectory() ? dirSize(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );
}

/** Runs bench/node-red-load in its own process under `node` and returns its figures. */
function nodeRedFigures<T = NodeRedFigures>(node: string, options: LoadOptions): Promise<T & { nodeVersion: string }> {
  return new Promise((resolve, reject) =>
    execFile(
      node,
      ['--expose-gc', join(__dirname, 'node-red-load.js'), JSON.stringify(options)],
      { encoding: 'utf8', maxBuffer: 16 * 2 ** 20, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
      (error, out, err) => {
        if (error) return reject(new Error(`node-red-load (${options.nodeRedPackage}) failed: ${err}${out}`));
        const figures = JSON.parse(out.trim().split('\n').at(-1)!) as T;
        execFile(node, ['-p', 'process.versions.node'], (e, version) =>
          e ? reject(e) : resolve({ ...figures, nodeVersion: version.trim() }),
        );
      },
    ),
  );
}

/**
 * Requests per second the emulator answers: one signed UpdateJobExecution sent over and over by a keep-alive
 * `node:http` client (signed once: the client must not be the bottleneck of this figure).
 */
async function emulatorCapacity(url: string, total: number, concurrency: number): Promise<number> {
  const body = '{"status":"IN_PROGRESS"}';
  const path = '/things/gw-7/jobs/fw-1';
  const signed = await new EmulatorClient(url, CREDENTIALS).signedHeaders('iot-jobs-data', 'POST', path, body);
  const headers = { ...signed, 'content-length': `${body.length}` };
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const send = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request({ hostname, port, path, method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    return (await load(total, concurrency, send)).perSecond;
  } finally {
    agent.destroy();
  }
}

/**
 * Seconds from `npm run <args>` until `ready` says the program is up, after the build `npm run bench` made (so
 * what is measured is a restart: the up-to-date check, then start-up). Median of `runs`; each run's process group
 * is stopped before the next.
 */
async function startUpSeconds(args: string[], ready: (output: string) => Promise<boolean>, runs = 3): Promise<number> {
  const npm = process.env.npm_execpath;
  if (!npm) throw new Error('run the benchmarks with `npm run bench`, which names npm (npm_execpath)');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawn(process.execPath, [npm, 'run', '--silent', ...args], { cwd: ROOT, detached: true });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    try {
      for (let waited = 0; !(await ready(output)); waited += 50) {
        if (waited > 60_000) throw new Error(`npm run ${args.join(' ')} did not come up in 60 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      times.push((performance.now() - started) / 1000);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
  }
  return median(times);
}

/** Whether an HTTP GET of `url` answers 200. */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const add = (f: Omit<Figure, 'ratio' | 'met'>, check: (ratio: number) => boolean): void => {
    const ratio = f.value / f.peerValue;
    figures.push({ ...f, ratio, met: check(ratio) });
  };
  // The figures of our own cost (start-up, throughput, latency) run without the account's quotas, which would
  // measure AWS's limit instead; the fleet figures run under them.
  const { url, child } = await startEmulatorProcess('--no-quotas');
  try {
    await seed(url, 8);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const actionEnv = {
      ...env,
      'INPUT_JOB-ID': 'fw-1',
      'INPUT_THING-NAME': 'gw-0',
      INPUT_STATUS: 'IN_PROGRESS',
      'INPUT_ENDPOINT-URL': url,
      'INPUT_AWS-REGION': 'us-east-1',
      INPUT_SUMMARY: 'false',
      GITHUB_OUTPUT: '/dev/null',
      // The runner gives every job a RUNNER_TEMP; the action keeps its code cache there (action/cached-entry.ts).
      RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'bench-runner-temp-')),
    };
    const actionEntry = join(ROOT, 'dist', 'index.js');
    const node = process.execPath;
    const awsArgs = ['--endpoint-url', url, 'iot-jobs-data', 'update-job-execution'];
    const cliArgs = [join(ROOT, 'lib', 'cli', 'index.js'), 'update-job-execution', '--endpoint-url', url];
    const same = ['--job-id', 'fw-1', '--status', 'IN_PROGRESS', '--include-job-execution-state'];
    // The action's request asks for the execution state (to publish status and version), so every peer's does.
    const times = await processTimes({
      action: { command: node, args: [actionEntry], env: () => actionEnv },
      // The first run of the action in a job finds no code cache: each such run gets a RUNNER_TEMP of its own.
      actionFirstRun: {
        command: node,
        args: [actionEntry],
        env: () => ({ ...actionEnv, RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'bench-runner-temp-')) }),
      },
      bare: {
        command: node,
        args: [
          join(__dirname, 'bare-request.js'),
          `${url}/things/gw-1/jobs/fw-1`,
          '{"includeJobExecutionState":true,"status":"IN_PROGRESS"}',
        ],
        env: () => env,
      },
      aws: { command: 'aws', args: [...awsArgs, '--thing-name', 'gw-2', ...same], env: () => env },
      cli: { command: node, args: [...cliArgs, '--thing-name', 'gw-3', ...same], env: () => env },
    });
    const { action, actionFirstRun, bare, aws, cli } = times;
    // What a workflow running the step once pays is the job's first run: that is the figure held to the target.
    add(
      {
        figure: "action process, one update-job-execution, the job's first run (no code cache)",
        peer: 'aws iot-jobs-data update-job-execution',
        value: actionFirstRun,
        peerValue: aws,
        unit: 'ms',
        target: '≤ 0.3×',
      },
      (r) => r <= 0.3,
    );
    for (const [figure, value] of [
      ["action process, the job's first run", actionFirstRun],
      ['action process, a later run in the job (code cache)', action],
    ] as const)
      figures.push({
        figure,
        peer: 'bare node:http script',
        value,
        peerValue: bare,
        unit: 'ms',
        ratio: value / bare,
        target: '—',
        met: undefined,
      });
    add(
      {
        figure: 'CLI process, same call',
        peer: 'aws iot-jobs-data update-job-execution',
        value: cli,
        peerValue: aws,
        unit: 'ms',
        target: '≤ 0.3×',
      },
      (r) => r <= 0.3,
    );
    const distMb = dirSize(join(ROOT, 'dist')) / 1024 / 1024;
    figures.push({
      figure: 'dist/ bundle, all files',
      peer: '—',
      value: distMb,
      peerValue: 1,
      unit: 'MB',
      ratio: distMb,
      target: '≤ 1.0 MB',
      met: distMb <= 1,
    });

    // Restarting the emulator and the sandbox after a first build: the up-to-date check, then start-up.
    const emulatorUp = await startUpSeconds(['emulator', '--', '--port', '0'], async (out) =>
      out.includes('listening on'),
    );
    figures.push({
      figure: '`npm run emulator` after a first build, until it prints its URL',
      peer: '—',
      value: emulatorUp,
      peerValue: 3,
      unit: 's',
      ratio: emulatorUp,
      target: '≤ 3 s',
      met: emulatorUp <= 3,
    });
    const editorPort = 18_800 + (process.pid % 1000);
    const sandboxUp = await startUpSeconds(
      ['start', '--', '--editor-port', String(editorPort), '--emulator-port', String(editorPort + 1)],
      () => answers(`http://127.0.0.1:${editorPort}/`),
    );
    figures.push({
      figure: '`npm start` after a first build, until the editor answers',
      peer: '—',
      value: sandboxUp,
      peerValue: 15,
      unit: 's',
      ratio: sandboxUp,
      target: '≤ 15 s',
      met: sandboxUp <= 15,
    });

    // The Node-RED figures: a real runtime in its own process, Node-RED 4.1 and Node-RED 5, each on Node 24.
    const updates = Number(process.env.BENCH_UPDATES ?? 10_000);
    const memoryMessages = Number(process.env.BENCH_MEMORY_MESSAGES ?? 50_000);
    let nodeThroughput = 0;
    for (const [nodeRedPackage, node] of [
      ['node-red', process.execPath],
      ['node-red-5', join(ROOT, 'node_modules', 'node', 'bin', 'node')],
    ] as const) {
      const r = await nodeRedFigures(node, { url, credentials: CREDENTIALS, updates, memoryMessages, nodeRedPackage });
      const runtime = `Node-RED ${r.nodeRedVersion} on Node ${r.nodeVersion}`;
      nodeThroughput = Math.max(nodeThroughput, r.node.perSecond);
      figures.push({
        figure: `node throughput, ${updates} updates, concurrency 4, ${runtime}`,
        peer: 'plain SDK loop',
        value: r.node.perSecond,
        peerValue: r.plain.perSecond,
        unit: '/s',
        ratio: r.throughputRatio,
        target: '≥ 0.9×',
        met: r.throughputRatio >= 0.9,
      });
      figures.push({
        figure: `node p99 latency overhead, ${runtime}`,
        peer: 'plain SDK loop',
        value: r.node.p99,
        peerValue: r.plain.p99,
        unit: 'ms',
        ratio: r.p99Overhead,
        target: '≤ +2 ms',
        met: r.p99Overhead <= 2,
      });
      const grownMb = (r.heapAfter - r.heapBefore) / 2 ** 20;
      figures.push({
        figure: `node heap after ${memoryMessages} messages and GC, ${runtime}`,
        peer: 'before',
        value: r.heapAfter / 2 ** 20,
        peerValue: r.heapBefore / 2 ** 20,
        unit: 'MB',
        ratio: grownMb,
        target: '≤ +20 MB',
        met: grownMb <= 20,
      });
      // The durable outbox's cost: the node keeping reports until delivered, against the same node without it.
      const d = await nodeRedFigures(node, {
        url,
        credentials: CREDENTIALS,
        updates,
        memoryMessages: 0,
        nodeRedPackage,
        durable: true,
      });
      figures.push({
        figure: `durable node throughput (kept until delivered: reports taken together share a commit), ${runtime}`,
        peer: 'the same node without the outbox',
        value: d.node.perSecond,
        peerValue: d.plain.perSecond,
        unit: '/s',
        ratio: d.throughputRatio,
        target: '≥ 0.8×',
        met: d.throughputRatio >= 0.8,
      });
      // No more than before the group commit (issue 30): +2.7 ms on Node-RED 4.1, +2.8 ms on 5.
      const p99Bound = nodeRedPackage === 'node-red' ? 2.7 : 2.8;
      figures.push({
        figure: `durable node p99 latency added, ${runtime}`,
        peer: 'the same node without the outbox',
        value: d.node.p99,
        peerValue: d.plain.p99,
        unit: 'ms',
        ratio: d.p99Overhead,
        target: `≤ +${p99Bound} ms`,
        met: d.p99Overhead <= p99Bound,
      });
      // Each report is two writes (taken, then deleted once answered): reports per commit is half the writes per commit.
      const commits = d.commits!;
      figures.push({
        figure: `durable node reports per commit (one transaction, one fsync), ${runtime}`,
        peer: '—',
        value: commits.writes / 2 / commits.count,
        peerValue: 1,
        unit: 'reports',
        ratio: commits.writes / 2 / commits.count,
        target: '—',
        met: undefined,
      });
      // The gateway footprint: resident memory beside the same runtime without the package, and CPU per message.
      const footprint = { url, credentials: CREDENTIALS, updates: 10_000, memoryMessages: 0, nodeRedPackage };
      const bare = await nodeRedFigures<FootprintFigures>(node, { ...footprint, footprint: 'without' });
      const loaded = await nodeRedFigures<FootprintFigures>(node, { ...footprint, footprint: 'with' });
      const mb = (bytes: number): number => bytes / 2 ** 20;
      for (const [figure, value] of [
        ['resident memory, idle, with this package and a flow using it', loaded.rssIdle],
        ['resident memory after 10000 messages (and GC)', loaded.rssAfter!],
      ] as const)
        figures.push({
          figure: `${figure}, ${runtime}`,
          peer: 'the same runtime without it, idle',
          value: mb(value),
          peerValue: mb(bare.rssIdle),
          unit: 'MB',
          ratio: mb(value) - mb(bare.rssIdle),
          target: '—',
          met: undefined,
        });
      figures.push({
        figure: `CPU time per message (the whole runtime), ${runtime}`,
        peer: '—',
        value: loaded.cpuMsPerMessage!,
        peerValue: 1,
        unit: 'ms',
        ratio: loaded.cpuMsPerMessage!,
        target: '—',
        met: undefined,
      });
    }
    const capacity = await emulatorCapacity(url, updates * 2, 16);
    add(
      {
        figure: 'emulator capacity (keep-alive node:http client, concurrency 16)',
        peer: 'node throughput (the faster runtime)',
        value: capacity,
        peerValue: nodeThroughput,
        unit: '/s',
        target: '≥ 3×',
      },
      (ratio) => ratio >= 3,
    );
  } finally {
    child.kill();
  }
  figures.push(...(await fleetFigures()));

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}`;
  writeFileSync(
    join(ROOT, 'bench', 'results.json'),
    `${JSON.stringify({ machine, date: new Date().toISOString(), figures }, null, 2)}\n`,
  );
  const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  console.log(`machine: ${machine}\n`);
  console.log('| figure | peer | value | peer value | ratio | target | met |');
  console.log('|---|---|---|---|---|---|---|');
  for (const f of figures) {
    console.log(
      `| ${f.figure} | ${f.peer} | ${fmt(f.value)} ${f.unit} | ${f.peer === '—' ? '—' : `${fmt(f.peerValue)} ${f.unit}`} | ${fmt(f.ratio)} | ${f.target} | ${f.met === undefined ? '—' : f.met ? 'yes' : 'NO'} |`,
    );
  }
}

/** `--memory`: only the memory figures (bench/memory-run.ts), against an emulator without quotas. */
async function memoryMain(): Promise<void> {
  const { url, child } = await startEmulatorProcess('--no-quotas');
  try {
    await seed(url, 8);
    await memoryFigures(url, CREDENTIALS);
  } finally {
    child.kill();
  }
}

(process.argv.includes('--memory') ? memoryMain() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
