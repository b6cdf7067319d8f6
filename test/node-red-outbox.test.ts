/**
 * "Keep reports until delivered" in a real Node-RED runtime (the one `NODE_RED_PACKAGE` names) in a child process
 * that is killed with SIGKILL at random moments and started again on the same user directory, while the emulator
 * has outage windows (every data-plane request 503) and lost answers (applied, then the connection reset). 1,000
 * reports for 50 executions; afterwards every report the node had taken is in the emulator's state, each
 * execution's history follows arrival order with nothing applied twice in effect, and every message was answered
 * at most once in each run of the runtime and at least once in all. Before them, deliberate kills inside the windows
 * between the outbox's write and an answer leaving the node: a report replaced by a newer one, and one dropped by a
 * control message, each killed as it is answered and again as the restart answers it; both are answered so in a
 * later run and never sent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { SQLITE_NODE_VERSION } from '../core/outbox/outbox-store';
import { outboxFile } from '../node-red-nodes/node-outbox';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { connectionConfig } from './helpers/node-red-flows';
import { useEmulator } from './helpers/emulator';
import { eventually } from './helpers/eventually';

const ROOT = resolve(__dirname, '..');
const HOST = join(__dirname, 'helpers', 'node-red-host.cjs');
const NODE_RED = process.env.NODE_RED_PACKAGE ?? 'node-red';
const EXECUTIONS = 50;
const PER_EXECUTION = 20; // 19 IN_PROGRESS, then SUCCEEDED
const KILLS = 6;

const fx = useEmulator();

interface Answer {
  readonly port: 'result' | 'error';
  readonly seq: number;
  readonly payload?: {
    changed?: boolean;
    supersededBy?: { report: number };
    /** A list answer's. */
    reports?: { id: number; request: { statusDetails?: { seq?: string } } }[];
  };
  readonly error?: { code: string; message: string };
}
interface FromHost {
  readonly run: number;
  readonly ready?: true;
  readonly answer?: Answer;
  readonly log?: { level: number; msg: string };
}

/** A user directory with this package linked in and a flow: the step node, each port to a function that reports. */
function userDirWith(flow: object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'node-red-outbox-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'node-red-contrib-aws-job-steps'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'outbox-test', private: true }));
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flow));
  const { accessKeyId, secretAccessKey, sessionToken } = FIXTURE_CREDENTIALS;
  writeFileSync(join(dir, 'flows_cred.json'), JSON.stringify({ conn: { accessKeyId, secretAccessKey, sessionToken } }));
  return dir;
}

const reporter = (id: string, port: 'result' | 'error'): object => ({
  id,
  z: 'tab',
  type: 'function',
  func: `global.get('report')({ port: '${port}', seq: msg.seq, payload: msg.payload, error: msg.error }); return null;`,
  outputs: 1,
  wires: [[]],
});

function flow(step: Record<string, unknown>): object[] {
  return [
    { id: 'tab', type: 'tab' },
    // A short deadline and few attempts: the outbox, not the step, carries a report through an outage.
    { ...connectionConfig(fx.url), timeout: '3', maxAttempts: '2' },
    {
      id: 'step',
      z: 'tab',
      type: 'aws-update-job-execution',
      connection: 'conn',
      outbox: 'on', // never delivered from memory: a runtime that cannot keep reports fails the test
      concurrency: '8',
      wires: [['ok'], ['bad']],
      ...step,
    },
    reporter('ok', 'result'),
    reporter('bad', 'error'),
  ];
}

/**
 * A Node-RED runtime on `userDir`, run number `run`, resolved once its flows started. One with `KILL_ON` in `env` may
 * kill itself before it says so: it is resolved then too.
 */
function startRuntime(
  userDir: string,
  run: number,
  onMessage: (m: FromHost) => void,
  execPath = process.execPath,
  env: { KILL_ON?: 'superseded' | 'dropped' } = {},
): Promise<ChildProcess> {
  const child = fork(HOST, [], {
    execPath,
    env: { ...process.env, NODE_RED_PACKAGE: require.resolve(NODE_RED), USER_DIR: userDir, RUN: String(run), ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`Node-RED did not start in 30 s:\n${stderr}`)), 30_000);
    child.on('message', (m: FromHost) => {
      onMessage(m);
      if (m.ready) {
        clearTimeout(timer);
        resolveStart(child);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (env.KILL_ON && signal === 'SIGKILL') return resolveStart(child);
      reject(new Error(`Node-RED exited (${code}) before it started:\n${stderr}`));
    });
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveExit();
    child.once('exit', () => resolveExit());
    child.kill('SIGKILL');
  });
}

/** Whether `child` exits (by itself) within `ms`. */
function exited(child: ChildProcess, ms: number): Promise<boolean> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveExit(true);
    const timer = setTimeout(() => resolveExit(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit(true);
    });
  });
}

/** The seqs of the reports the outbox file holds now. */
function stored(file: string): number[] {
  if (!existsSync(file)) return [];
  const db = new DatabaseSync(file);
  try {
    const rows = db.prepare('SELECT request FROM reports ORDER BY id').all() as { request: string }[];
    return rows.map((r) => Number((JSON.parse(r.request) as { statusDetails: { seq: string } }).statusDetails.seq));
  } finally {
    db.close();
  }
}

/** A small seeded generator, so a failing run can be repeated from its printed seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('1,000 reports for 50 executions survive SIGKILLs and outages: all delivered, in order, once in effect', async () => {
  const seed = Number(process.env.OUTBOX_SEED ?? Date.now());
  const rnd = random(seed);
  const things = Array.from({ length: EXECUTIONS }, (_, i) => `gw-${i}`);
  // Two more executions for the deliberate kills, with seqs of their own.
  const [S, D] = [10_000, 10_100];
  const all = [...things, 'gw-superseded', 'gw-dropped'];
  await fx.seed(all, [{ jobId: 'fw-1', targets: all }]);

  // The reports, interleaved at random across executions, in order within each: seq = execution * 20 + k.
  const next = things.map(() => 0);
  const reports: { seq: number; thingName: string; status: string }[] = [];
  while (reports.length < EXECUTIONS * PER_EXECUTION) {
    const open = next.flatMap((k, e) => (k < PER_EXECUTION ? [e] : []));
    const e = open[Math.floor(rnd() * open.length)]!;
    const k = next[e]!++;
    reports.push({
      seq: e * PER_EXECUTION + k,
      thingName: things[e]!,
      status: k === PER_EXECUTION - 1 ? 'SUCCEEDED' : 'IN_PROGRESS',
    });
  }

  const userDir = userDirWith(flow({}));
  const file = outboxFile(userDir, 'step');
  const answers: Map<number, Answer[]>[] = [];
  const logs: string[] = [];
  const taken = new Set<number>();
  /** The answers to control messages, which have seqs below 0, each its own. */
  const controls = new Map<number, Answer>();
  const onMessage = (m: FromHost): void => {
    if (m.answer && m.answer.seq < 0) controls.set(m.answer.seq, m.answer);
    else if (m.answer) {
      const run = (answers[m.run] ??= new Map());
      run.set(m.answer.seq, [...(run.get(m.answer.seq) ?? []), m.answer]);
      taken.add(m.answer.seq);
    }
    if (m.log) logs.push(`run ${m.run}: ${m.log.msg}`);
  };

  let run = 0;
  let child = await startRuntime(userDir, run, onMessage, undefined, { KILL_ON: 'superseded' });
  const inject = (msg: Record<string, unknown>): void => void child.send({ inject: { node: 'step', msg } });
  const report = (seq: number, thingName: string, status: string, more: Record<string, unknown> = {}) => ({
    seq,
    payload: { thingName, jobId: 'fw-1', status, statusDetails: { seq: String(seq) }, ...more },
  });
  let control = 0;
  /** The report ids of `seqs`, once the outbox lists them all (a message is taken a few turns after it arrives). */
  const listed = async (seqs: number[]): Promise<Map<number, number>> => {
    for (let tries = 0; tries < 100; tries++) {
      const seq = --control;
      inject({ seq, outbox: 'list' });
      for (let i = 0; i < 400 && !controls.has(seq); i++) await sleep(25);
      const reports = controls.get(seq)?.payload?.reports ?? [];
      const ids = new Map(reports.map((r) => [Number(r.request.statusDetails?.seq), r.id]));
      if (seqs.every((s) => ids.has(s))) return ids;
      await sleep(100);
    }
    throw new Error(`the outbox never listed ${seqs.join(', ')}`);
  };
  // A run started with KILL_ON kills itself inside the window; one that has not in 30 s is killed here, and the
  // missing entry fails the test below.
  const deliberate: string[] = [];
  const diesInWindow = async (what: string): Promise<void> => {
    if (await exited(child, 30_000)) deliberate.push(what);
    else await killed(child);
    for (const seq of stored(file)) taken.add(seq);
  };
  try {
    // Every delivery fails meanwhile, so reports wait. The first report sets a step timer the others leave out, so
    // the second waits behind it (never replacing it), and the third replaces the second: the run dies as the
    // second is answered superseded, and the next run as it answers it again on start-up.
    await fx.fault({ kind: 'unavailable', service: 'iot-jobs-data', count: 1_000_000 });
    inject(report(S, 'gw-superseded', 'IN_PROGRESS', { stepTimeoutInMinutes: 600 }));
    inject(report(S + 1, 'gw-superseded', 'IN_PROGRESS'));
    await listed([S, S + 1]);
    inject(report(S + 2, 'gw-superseded', 'IN_PROGRESS'));
    [S, S + 1, S + 2].forEach((seq) => taken.add(seq));
    await diesInWindow('superseded');
    child = await startRuntime(userDir, ++run, onMessage, undefined, { KILL_ON: 'superseded' });
    await diesInWindow('superseded, on start-up');
    // The same for a report dropped by a control message while it waits behind another.
    child = await startRuntime(userDir, ++run, onMessage, undefined, { KILL_ON: 'dropped' });
    inject(report(D, 'gw-dropped', 'IN_PROGRESS'));
    inject(report(D + 1, 'gw-dropped', 'SUCCEEDED'));
    const ids = await listed([D, D + 1]);
    [D, D + 1].forEach((seq) => taken.add(seq));
    inject({ seq: --control, outbox: { drop: ids.get(D + 1) } });
    await diesInWindow('dropped');
    child = await startRuntime(userDir, ++run, onMessage, undefined, { KILL_ON: 'dropped' });
    await diesInWindow('dropped, on start-up');
    await fx.admin('DELETE', 'faults');
    child = await startRuntime(userDir, ++run, onMessage);
  } catch (error) {
    await killed(child);
    throw error;
  }

  // Outage windows and lost answers, until the reports are all sent.
  let sending = true;
  let outages = 0;
  const weather = (async () => {
    while (sending) {
      await sleep(500 + rnd() * 2_000);
      if (!sending) break;
      if (rnd() < 0.3) {
        await fx.fault({ kind: 'apply-then-reset', operation: 'UpdateJobExecution', count: 3 });
        continue;
      }
      outages++;
      await fx.fault({ kind: 'unavailable', service: 'iot-jobs-data', count: 1_000_000 });
      await sleep(300 + rnd() * 2_000);
      await fx.admin('DELETE', 'faults');
    }
    await fx.admin('DELETE', 'faults');
  })();

  let kills = 0;
  // Where the kills fall while sending: one at a random place in each stretch of the reports.
  const stretch = reports.length / (KILLS - 1);
  const killBefore = new Set(
    Array.from({ length: KILLS - 1 }, (_, i) => Math.floor((i + 0.2 + 0.7 * rnd()) * stretch)),
  );
  try {
    for (const [i, { seq, thingName, status }] of reports.entries()) {
      if (killBefore.has(i)) {
        await killed(child);
        kills++;
        for (const seq of stored(file)) taken.add(seq);
        child = await startRuntime(userDir, ++run, onMessage);
      }
      inject(report(seq, thingName, status));
      await sleep(rnd() * 30);
    }
    sending = false;
    await weather;
    // The last kill while the backlog drains: what waits on disk is delivered by the next start.
    await sleep(300);
    await killed(child);
    kills++;
    for (const seq of stored(file)) taken.add(seq);
    child = await startRuntime(userDir, ++run, onMessage);
    const until = Date.now() + 120_000;
    while (Date.now() < until && (stored(file).length > 0 || [...taken].some((s) => !answers.some((a) => a.has(s)))))
      await sleep(250);
  } finally {
    sending = false;
    await killed(child);
  }

  const summary =
    `seed ${seed}; ${kills} kills and ${deliberate.length} in a window, ${outages} outages, ` +
    `${taken.size} reports taken`;
  expect({ summary, left: stored(file) }).toEqual({ summary, left: [] });
  expect(kills).toBe(KILLS);

  // Every message answered at most once in each run, at least once in all; none refused but the one dropped; each
  // deliberate kill inside its window.
  const twice = answers.flatMap((byRun, r) =>
    [...byRun].filter(([, a]) => a.length > 1).map(([seq]) => `run ${r}: ${seq}`),
  );
  const unanswered = [...taken].filter((s) => !answers.some((a) => a.has(s)));
  const errors = answers.flatMap((byRun) =>
    [...byRun.values()].flat().filter((a) => a.port === 'error' && a.seq !== D + 1),
  );
  expect({ summary, deliberate, twice, unanswered, errors, logs: logs.slice(0, 5) }).toEqual({
    summary,
    deliberate: ['superseded', 'superseded, on start-up', 'dropped', 'dropped, on start-up'],
    twice: [],
    unanswered: [],
    errors: [],
    logs: [],
  });

  // The report killed as it was superseded is answered so, and the one killed as it was dropped is answered
  // dropped, in a later run; neither is ever sent.
  const answersTo = (seq: number): Answer[] => answers.flatMap((byRun) => byRun.get(seq) ?? []);
  expect(answersTo(S + 1).map((a) => [a.port, a.payload?.supersededBy !== undefined])).toEqual([['result', true]]);
  expect(answersTo(D + 1).map((a) => [a.port, a.error?.code])).toEqual([['error', 'dropped']]);
  const history = async (thingName: string) => {
    const execution = await fx.execution(thingName, 'fw-1');
    const applied = execution.history.map((h) => Number(h.statusDetails.seq));
    return [execution.status, applied.filter((s, i) => i === 0 || s !== applied[i - 1])];
  };
  expect(await history('gw-superseded')).toEqual(['IN_PROGRESS', [S, S + 2]]);
  expect(await history('gw-dropped')).toEqual(['IN_PROGRESS', [D]]);

  const superseded = new Set(
    answers.flatMap((byRun) =>
      [...byRun.values()]
        .flat()
        .filter((a) => a.payload?.supersededBy)
        .map((a) => a.seq),
    ),
  );
  const executions = (await fx.iot()).executions;
  let repeats = 0;
  for (const [e, thingName] of things.entries()) {
    const mine = [...taken].filter((s) => Math.floor(s / PER_EXECUTION) === e).sort((a, b) => a - b);
    const execution = executions.find((x) => x.thingName === thingName)!;
    const applied = execution.history.map((h) => Number(h.statusDetails.seq));
    // A lost answer retried within a step applies the same report again, back to back: the same in effect.
    const collapsed = applied.filter((s, i) => i === 0 || s !== applied[i - 1]);
    repeats += applied.length - collapsed.length;
    const last = mine.at(-1);
    expect({ thingName, state: [execution.status, execution.statusDetails.seq] }).toEqual({
      thingName,
      state:
        last === undefined
          ? ['QUEUED', undefined]
          : [last % PER_EXECUTION === PER_EXECUTION - 1 ? 'SUCCEEDED' : 'IN_PROGRESS', String(last)],
    });
    // In arrival order, each once, every taken report that was not superseded among them.
    expect({ thingName, collapsed }).toEqual({ thingName, collapsed: [...collapsed].sort((a, b) => a - b) });
    expect({ thingName, applied: new Set(collapsed).size }).toEqual({ thingName, applied: collapsed.length });
    expect({ thingName, missing: mine.filter((s) => !superseded.has(s) && !collapsed.includes(s)) }).toEqual({
      thingName,
      missing: [],
    });
    expect({ thingName, foreign: collapsed.filter((s) => !taken.has(s)) }).toEqual({ thingName, foreign: [] });
  }
  process.stdout.write(
    `outbox under kills: ${summary}; ${superseded.size} superseded, ${repeats} back-to-back repeats\n`,
  );
  rmSync(userDir, { recursive: true, force: true });
}, 400_000);

/** Node 20, from the `node-20` dev dependency: older than node:sqlite's unflagged release, and what gateways run. */
const NODE_20 = resolve(__dirname, '..', 'node_modules', 'node-20', 'bin', 'node');

/** Runs `step` (the step node's own settings) on Node 20, sends one SUCCEEDED, and returns what the host saw. */
async function onNode20(step: Record<string, unknown>, thingName: string): Promise<FromHost[]> {
  const userDir = userDirWith(flow(step));
  const seen: FromHost[] = [];
  const child = await startRuntime(userDir, 0, (m) => seen.push(m), NODE_20);
  try {
    child.send({
      inject: { node: 'step', msg: { seq: 1, payload: { thingName, jobId: 'fw-42', status: 'SUCCEEDED' } } },
    });
    await eventually(() => seen.some((m) => m.answer), 'the answer');
  } finally {
    await killed(child);
    rmSync(userDir, { recursive: true, force: true });
  }
  return seen;
}

// Node-RED 4.1 runs on Node.js 18 and later, so it is the one a gateway on an old Node.js has (Node-RED 5 needs 22.9).
(NODE_RED === 'node-red' ? describe : describe.skip)(`on a Node.js before ${SQLITE_NODE_VERSION}`, () => {
  const fresh = async (): Promise<void> => {
    await fx.reset();
    await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
    await fx.clearRequests();
  };
  const needs = new RegExp(`needs Node\\.js ${SQLITE_NODE_VERSION.replace(/\./g, '\\.')} or later`);

  test.each([
    ['saved before the option', {}],
    ['saved ticked by an earlier editor', { outbox: true }],
    ['made by this editor', { outbox: 'auto' }],
  ])(
    'a node %s delivers from memory and says why once',
    async (_, setting) => {
      await fresh();
      const seen = await onNode20({ outbox: undefined, ...setting }, 'gw-7'); // undefined: left out of the flow file
      const logged = seen
        .flatMap((m) => (m.log ? [m.log.msg] : []))
        .filter((msg) => /not kept across restarts/.test(msg));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(needs);
      expect(seen.find((m) => m.answer)?.answer).toMatchObject({ port: 'result', payload: { changed: true } });
      expect((await fx.requests()).filter((r) => r.operation === 'UpdateJobExecution')).toHaveLength(1);
    },
    60_000,
  );

  test('a node set to "on" is refused at deploy, naming the version, and sends nothing', async () => {
    await fresh();
    const seen = await onNode20({ outbox: 'on' }, 'gw-7');
    expect(seen.flatMap((m) => (m.log ? [m.log.msg] : []))).toContainEqual(expect.stringMatching(needs));
    expect(seen.find((m) => m.answer)?.answer).toMatchObject({ port: 'error', error: { code: 'outbox-unavailable' } });
    expect((await fx.requests()).filter((r) => r.operation === 'UpdateJobExecution')).toEqual([]);
  }, 60_000);
});
