/**
 * The outbox's own rules, with a delivery function the test controls and a clock that moves only when the test moves
 * it: durability before `add` resolves, reports taken together sharing one commit, a delete on disk before the
 * target's next report is sent, order per target, retries past any deadline with capped backoff, final refusals, coalescing, limits, listing and dropping,
 * answers that survive a crash before they leave, and what happens to a file that is not a store, of an older format
 * or of a newer one. Delivery through the real step, Node-RED and the emulator is tested in
 * test/node-red-outbox.test.ts and test/node-red.test.ts.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { StepError, StepErrorCode } from '../shared/errors';
import { Outbox, OutboxFullError, type OutboxAnswer, type OutboxSettings } from './outbox';
import { IDLE_COMMIT_MS, OutboxUnavailableError } from './outbox-store';
import { definition as describeDefinition } from '../iot-jobs/operations/describe-job-execution';
import { definition } from '../iot-jobs/operations/update-job-execution';
import type { UpdateJobExecutionResult } from '../iot-jobs/operations/update-job-execution';
import { eventually } from '../../test/helpers/eventually';
import { FakeClock } from '../../test/helpers/fake-clock';

type Result = UpdateJobExecutionResult;
type Sent = { request: Record<string, unknown>; skipUnchanged: boolean | undefined };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const report = (thingName: string, status: string, step?: number, extra: Record<string, unknown> = {}) => ({
  thingName,
  jobId: 'fw-1',
  status,
  ...(step !== undefined && { statusDetails: { step: String(step) } }),
  ...extra,
});

/** Two turns of the event loop and a little more: an answer given before it has left. */
const turns = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/** A delivery that never ends until the outbox aborts it. */
const hang = (_sent: Sent, _n: number, signal: AbortSignal): Promise<Result> =>
  new Promise((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(new StepError('aborted', { code: StepErrorCode.Aborted }))),
  );

/** An outbox whose deliveries are recorded and answered by `answer` (default: accepted at once). */
function open(
  answer: (sent: Sent, n: number, signal: AbortSignal) => Promise<Result> = async () => ({
    changed: true,
    attempts: 1,
  }),
  settings: Partial<OutboxSettings<Result>> = {},
) {
  const sent: Sent[] = [];
  const answers: OutboxAnswer<Result>[] = [];
  const clock = (settings.clock as FakeClock | undefined) ?? new FakeClock(1_000_000, 0);
  const outbox = Outbox.open<Result>({
    file: join(dir, 'box.sqlite'),
    operation: definition,
    retry: { baseMs: 10, capMs: 40 },
    clock,
    deliver: (request, options) => {
      const one = { request, skipUnchanged: options.skipUnchanged };
      sent.push(one);
      return answer(one, sent.length, options.signal);
    },
    onAnswer: (a) => answers.push(a),
    ...settings,
  });
  /** Closes it without a grace period: the clock moves on to the end of it, aborting what is in flight. */
  const shut = async (): Promise<void> => {
    const closed = outbox.close(0);
    clock.advance(1_000);
    await closed;
  };
  /** Lets the writes nobody waits for (deletes, attempt counts) reach the disk, as they do within a second. */
  const idle = async (): Promise<void> => {
    clock.advance(IDLE_COMMIT_MS);
    await turns();
  };
  return { outbox, sent, answers, clock, shut, idle };
}

/** Moves `clock` on past every backoff until `done`, however long a busy machine takes (only a hang gives up). */
const drive = async (clock: FakeClock, done: () => boolean, what: string): Promise<void> => {
  await eventually(() => {
    clock.advance(60_000);
    return done();
  }, what);
};

/** Waits a turn of the event loop. */
const turn = (): Promise<unknown> => new Promise((r) => setImmediate(r));

/** Waits for `count` answers, however long a busy machine takes (only a hang gives up). */
const settle = async (answers: unknown[], count: number): Promise<void> => {
  await eventually(() => answers.length >= count, `${count} answers`);
};

const onDisk = (): number[] => {
  const db = new DatabaseSync(join(dir, 'box.sqlite'));
  try {
    return (db.prepare('SELECT id FROM reports ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  } finally {
    db.close();
  }
};

test('a report is on disk when add resolves, and a new outbox on the same file delivers it as a redelivery', async () => {
  const first = open(hang);
  await first.outbox.add(report('gw-1', 'SUCCEEDED'), { _msgid: 'm1', topic: 't' });
  // A second process's view of the same file, while the first still holds it: the report is there.
  const second = open();
  await settle(second.answers, 1);
  expect(second.sent).toEqual([{ request: expect.objectContaining({ status: 'SUCCEEDED' }), skipUnchanged: true }]);
  expect(second.answers[0]).toMatchObject({ kind: 'result', report: { message: { _msgid: 'm1', topic: 't' } } });
  await second.shut();
  await first.shut();
});

test('reports taken together share one commit, resolved once on disk; a delete is on disk before the next send', async () => {
  const seen: number[][] = [];
  const clock = new FakeClock(1_000_000, 0);
  const { outbox, answers, shut } = open(
    async () => {
      // What the file holds as each report is sent: the target's earlier reports are gone from it.
      seen.push(onDisk());
      return { changed: true, attempts: 1 };
    },
    { clock },
  );
  const taking = [1, 2, 3].map((step) =>
    outbox.add(report('gw-1', 'IN_PROGRESS', step, { expectedVersion: step }), {}),
  );
  taking.push(outbox.add(report('gw-2', 'SUCCEEDED'), {}));
  // Asked for in one turn: nothing on disk yet, then all four in one commit.
  expect(onDisk()).toEqual([]);
  const taken = await Promise.all(taking);
  expect(onDisk()).toEqual(taken.map((r) => r.id));
  expect(outbox.commits).toEqual({ count: 1, writes: 4 });
  await settle(answers, 4);
  const [a, b, c, d] = taken.map((r) => r.id);
  // gw-1's second and third are sent only once the first, then the second, has left the file.
  expect(seen).toEqual([
    [a, b, c, d],
    [a, b, c, d],
    expect.not.arrayContaining([a]),
    expect.not.arrayContaining([a, b]),
  ]);
  await shut();
  expect(onDisk()).toEqual([]);
});

test('reports for one target go in arrival order; retries go on with capped backoff until accepted', async () => {
  let failures = 0;
  const clock = new FakeClock(1_000_000, 0);
  const { outbox, sent, answers, shut } = open(
    async (one) => {
      if (one.request.thingName === 'gw-1' && failures++ < 6)
        throw new StepError('the link is down', { code: StepErrorCode.Network, retryable: true });
      return { changed: true, attempts: 1 };
    },
    { clock },
  );
  for (let step = 1; step <= 3; step++)
    await outbox.add(report('gw-1', 'IN_PROGRESS', step, { expectedVersion: step }), {});
  await outbox.add(report('gw-2', 'SUCCEEDED'), {});
  await drive(clock, () => answers.length >= 4, '4 answers');
  expect(answers.map((a) => [a.kind, a.report.target, a.report.request.expectedVersion])).toEqual([
    ['result', 'gw-2/fw-1', undefined],
    ['result', 'gw-1/fw-1', 1],
    ['result', 'gw-1/fw-1', 2],
    ['result', 'gw-1/fw-1', 3],
  ]);
  const gw1 = sent.filter((s) => s.request.thingName === 'gw-1');
  expect(gw1.map((s) => s.request.expectedVersion)).toEqual([1, 1, 1, 1, 1, 1, 1, 2, 3]);
  // The first try of a fresh report is plain; every try after a failure reads first.
  expect(gw1.map((s) => s.skipUnchanged)).toEqual([false, true, true, true, true, true, true, false, false]);
  expect(outbox.backlog.count).toBe(0);
  await shut();
});

test('a retry waits out its backoff on the outbox’s clock: nothing before the wait, the next try when it is due', async () => {
  // random 0: the wait is half the ceiling, 500 ms after the first failure, 1 000 ms after the second.
  const clock = new FakeClock(1_000_000, 0);
  let failures = 0;
  const { outbox, sent, answers, shut } = open(
    async () => {
      if (failures++ < 2) throw new StepError('the link is down', { code: StepErrorCode.Network, retryable: true });
      return { changed: true, attempts: 1 };
    },
    { clock, retry: { baseMs: 1_000, capMs: 60_000 } },
  );
  const taken = await outbox.add(report('gw-1', 'SUCCEEDED'), {});
  expect(taken.acceptedAt).toBe(1_000_000);
  const retryAt = (): number | undefined => outbox.list()[0]?.retryAt;
  await eventually(() => sent.length === 1 && retryAt() !== undefined, 'the first try, and its retry');
  expect(outbox.list()[0]).toMatchObject({ attempts: 1, retryAt: 1_000_500 });
  clock.advance(499);
  await turn();
  expect(sent).toHaveLength(1);
  clock.advance(1);
  await eventually(() => sent.length === 2 && retryAt() === 1_001_500, 'the second try, at 500 ms');
  expect(outbox.list()[0]).toMatchObject({ attempts: 2, retryAt: 1_000_500 + 1_000 });
  clock.advance(999);
  await turn();
  expect(sent).toHaveLength(2);
  clock.advance(1);
  await settle(answers, 1);
  expect(answers[0]).toMatchObject({ kind: 'result' });
  expect(sent).toHaveLength(3);
  await shut();
});

test('whenDelivered waits for every report of its target, not another’s; closing with reports left rejects it', async () => {
  const clock = new FakeClock(1_000_000, 0);
  let failures = 0;
  const { outbox, sent, answers, shut } = open(
    async (one) => {
      if (one.request.thingName === 'gw-1' && failures++ < 1)
        throw new StepError('the link is down', { code: StepErrorCode.Network, retryable: true });
      return { changed: true, attempts: 1 };
    },
    { clock, retry: { baseMs: 1_000, capMs: 60_000 } },
  );
  await expect(outbox.whenDelivered({ thingName: 'gw-9', jobId: 'fw-1' })).resolves.toBeUndefined();
  await Promise.all([
    outbox.add(report('gw-1', 'IN_PROGRESS', 1, { expectedVersion: 1 }), {}),
    outbox.add(report('gw-1', 'SUCCEEDED'), {}),
  ]);
  let gw1 = false;
  const delivered = outbox.whenDelivered({ thingName: 'gw-1', jobId: 'fw-1' }).then(() => (gw1 = true));
  // The first report waits out its backoff, and the promise with it; the second waits behind the first.
  await eventually(() => outbox.list()[0]?.retryAt !== undefined, 'the retry');
  await turn();
  expect([gw1, answers.length]).toEqual([false, 0]);
  clock.advance(500);
  await delivered;
  expect(answers.map((a) => [a.report.target, a.report.request.status])).toEqual([
    ['gw-1/fw-1', 'IN_PROGRESS'],
    ['gw-1/fw-1', 'SUCCEEDED'],
  ]);
  expect(outbox.backlog.count).toBe(0);
  // Another target's promise is its own.
  await outbox.add(report('gw-2', 'SUCCEEDED'), {});
  await outbox.whenDelivered({ thingName: 'gw-2', jobId: 'fw-1' });
  expect(answers.map((a) => a.report.target)).toContain('gw-2/fw-1');
  expect(sent).toHaveLength(4);
  // Closing with a report left: whoever waits is told, and the report stays for the next run.
  failures = -100;
  await outbox.add(report('gw-1', 'FAILED'), {});
  const left = expect(outbox.whenDelivered({ thingName: 'gw-1', jobId: 'fw-1' })).rejects.toMatchObject({
    code: StepErrorCode.Aborted,
    subject: 'gw-1/fw-1',
  });
  await eventually(() => outbox.list()[0]?.retryAt !== undefined, 'the retry');
  await shut();
  await left;
});

test('whenDelivered is not fooled by a waiting report superseded by a newer one, and refuses a subject it cannot read', async () => {
  const clock = new FakeClock(1_000_000, 0);
  let failures = 0;
  const { outbox, answers, shut } = open(
    async () => {
      if (failures++ < 1) throw new StepError('the link is down', { code: StepErrorCode.Network, retryable: true });
      return { changed: true, attempts: 1 };
    },
    { clock, retry: { baseMs: 1_000, capMs: 60_000 } },
  );
  await outbox.add(report('gw-1', 'IN_PROGRESS', 1), {});
  let done = false;
  const delivered = outbox.whenDelivered({ thingName: 'gw-1', jobId: 'fw-1' }).then(() => (done = true));
  await eventually(() => outbox.list()[0]?.retryAt !== undefined, 'the retry');
  // The waiting report gives way to a newer one: the target is not delivered for that.
  await outbox.add(report('gw-1', 'IN_PROGRESS', 2), {});
  await turn();
  expect([done, answers.map((a) => a.kind)]).toEqual([false, ['superseded']]);
  clock.advance(500);
  await delivered;
  expect(answers.map((a) => a.kind)).toEqual(['superseded', 'result']);
  await expect(outbox.whenDelivered({ thingName: 'gw-1', jobID: 'fw-1' })).rejects.toMatchObject({
    code: StepErrorCode.InvalidInput,
    field: 'jobId',
  });
  await shut();
});

test('a final refusal answers with the error and the stored message; the next report follows', async () => {
  const { outbox, answers, shut } = open(async (one) => {
    if (one.request.status === 'FAILED')
      throw new StepError('SUCCEEDED is terminal', { code: StepErrorCode.InvalidTransition, retryable: false });
    return { changed: true, attempts: 1 };
  });
  await outbox.add(report('gw-1', 'FAILED'), { _msgid: 'a' });
  await outbox.add(report('gw-1', 'SUCCEEDED'), { _msgid: 'b' });
  await settle(answers, 2);
  expect(answers.map((a) => [a.kind, (a.report.message as { _msgid: string })._msgid])).toEqual([
    ['error', 'a'],
    ['result', 'b'],
  ]);
  await shut();
});

test('a newer IN_PROGRESS replaces a waiting one; never one in flight, never across a terminal status', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { outbox, sent, answers, shut } = open(async () => {
    await gate; // every try waits for the test to let it through
    return { changed: true, attempts: 1 };
  });
  const a = await outbox.add(report('gw-1', 'IN_PROGRESS', 1), { _msgid: 'a' }); // in flight at once
  await turn();
  const b = await outbox.add(report('gw-1', 'IN_PROGRESS', 2), { _msgid: 'b' });
  const c = await outbox.add(report('gw-1', 'IN_PROGRESS', 3), { _msgid: 'c' }); // replaces b
  // Taken in one turn: e is not compared with c while d, between them, is not on disk yet.
  await Promise.all([
    outbox.add(report('gw-1', 'SUCCEEDED'), { _msgid: 'd' }),
    outbox.add(report('gw-1', 'IN_PROGRESS', 4), { _msgid: 'e' }), // behind a terminal: kept (and refused later)
  ]);
  expect(answers).toEqual([{ kind: 'superseded', report: b, by: c }]);
  expect(outbox.list().map((l) => [l.id, l.delivering])).toEqual([
    [a.id, true],
    [c.id, false],
    [c.id + 1, false],
    [c.id + 2, false],
  ]);
  release();
  await settle(answers, 5);
  expect(sent.map((s) => [s.request.status, (s.request.statusDetails as { step?: string } | undefined)?.step])).toEqual(
    [
      ['IN_PROGRESS', '1'],
      ['IN_PROGRESS', '3'],
      ['SUCCEEDED', undefined],
      ['IN_PROGRESS', '4'],
    ],
  );
  await shut();
});

test('a superseded report killed before its answer left is answered superseded after the restart, never sent', async () => {
  const first = open(hang);
  await first.outbox.add(report('gw-1', 'IN_PROGRESS', 1), { _msgid: 'a' }); // in flight for ever
  await turn();
  const b = await first.outbox.add(report('gw-1', 'IN_PROGRESS', 2), { _msgid: 'b' });
  const c = await first.outbox.add(report('gw-1', 'IN_PROGRESS', 3), { _msgid: 'c' });
  expect(first.answers).toEqual([{ kind: 'superseded', report: b, by: c }]);
  // The crash: the next run opens the file before the first's answer has had its turns.
  const second = open();
  await settle(second.answers, 3);
  expect(second.answers.map((a) => [a.kind, (a.report.message as { _msgid: string })._msgid])).toEqual([
    ['superseded', 'b'],
    ['result', 'a'],
    ['result', 'c'],
  ]);
  expect(second.answers[0]).toMatchObject({ report: { id: b.id }, by: { id: c.id, message: { _msgid: 'c' } } });
  expect(second.sent.map((s) => (s.request.statusDetails as { step: string }).step)).toEqual(['1', '3']);
  // Once answered and its delete written (with the next commit, within a second), it is gone: a third run answers
  // nothing.
  await second.idle();
  const third = open();
  await turns();
  expect(third.answers).toEqual([]);
  await Promise.all([first, second, third].map((o) => o.shut()));
});

test('a dropped report killed before its answer left is answered dropped after the restart, never sent', async () => {
  const first = open(hang);
  await first.outbox.add(report('gw-1', 'IN_PROGRESS', 1), { _msgid: 'a' });
  const b = await first.outbox.add(report('gw-1', 'SUCCEEDED'), { _msgid: 'b' });
  await turn();
  await first.outbox.drop(b.id);
  expect(first.answers).toEqual([{ kind: 'dropped', report: b }]);
  // The crash: the next run opens the file before the first's answer has had its turns. It answers it on start-up,
  // before anything is delivered, once.
  const second = open();
  await settle(second.answers, 2);
  expect(second.answers[0]).toEqual({ kind: 'dropped', report: { ...b, lastError: undefined } });
  await turns();
  expect(second.answers.map((a) => [a.kind, a.report.id])).toEqual([
    ['dropped', b.id],
    ['result', b.id - 1],
  ]);
  expect(second.sent.map((s) => s.request.status)).toEqual(['IN_PROGRESS']);
  expect(second.outbox.list()).toEqual([]);
  await second.idle();
  const third = open();
  await turns();
  expect(third.answers).toEqual([]);
  await Promise.all([first, second, third].map((o) => o.shut()));
});

test('closing waits for superseded and dropped answers to leave, so the next start does not answer them again', async () => {
  const first = open(hang);
  await first.outbox.add(report('gw-1', 'IN_PROGRESS', 1), {});
  await turn();
  await first.outbox.add(report('gw-1', 'IN_PROGRESS', 2), {});
  await first.outbox.add(report('gw-1', 'IN_PROGRESS', 3), {}); // supersedes 2
  const d = await first.outbox.add(report('gw-2', 'SUCCEEDED'), {});
  await first.outbox.add(report('gw-2', 'FAILED'), {});
  await turn();
  await first.outbox.drop(d.id + 1);
  expect(first.answers.map((a) => a.kind)).toEqual(['superseded', 'dropped']);
  await first.shut();
  const second = open(hang);
  await turns();
  expect(second.answers).toEqual([]);
  expect(second.outbox.list().map((l) => (l.request.statusDetails as { step?: string } | undefined)?.step)).toEqual([
    '1',
    '3',
    undefined,
  ]);
  await second.shut();
});

test('a report superseded by one that has left the file since is answered with the newer id alone, on start-up', async () => {
  const { shut } = open(hang);
  await shut();
  const db = new DatabaseSync(join(dir, 'box.sqlite'));
  db.prepare(
    "INSERT INTO reports (target, request, message, accepted_at, settled, settled_by) VALUES (?, ?, ?, 1, 'superseded', 42)",
  ).run('gw-1/fw-1', JSON.stringify(report('gw-1', 'IN_PROGRESS', 1)), JSON.stringify({ _msgid: 'a' }));
  db.close();
  // One closed before it starts answers nothing and leaves it for the next.
  const closed = open();
  await closed.shut();
  const again = open();
  await turns();
  expect(closed.answers).toEqual([]);
  expect(again.answers).toEqual([
    { kind: 'superseded', report: expect.objectContaining({ message: { _msgid: 'a' } }), by: { id: 42 } },
  ]);
  expect(again.sent).toEqual([]);
  await again.shut();
});

/** A store file as format 1 made it (core/outbox-store.ts before format 2), with `reports` waiting in it. */
function formatOneFile(file: string, reports: { target: string; request: object; message: object }[]): void {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec(
    `CREATE TABLE IF NOT EXISTS reports (
       id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, request TEXT NOT NULL,
       message TEXT NOT NULL, accepted_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
       last_error TEXT);
     PRAGMA user_version = 1;`,
  );
  const insert = db.prepare('INSERT INTO reports (target, request, message, accepted_at) VALUES (?, ?, ?, ?)');
  for (const r of reports) insert.run(r.target, JSON.stringify(r.request), JSON.stringify(r.message), 1_000);
  db.prepare('UPDATE reports SET attempts = 2, last_error = ? WHERE id = 1').run('network: the link is down');
  db.close();
}

const userVersion = (file: string): number => {
  const db = new DatabaseSync(file);
  try {
    return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  } finally {
    db.close();
  }
};

test('a file of format 1 is migrated in place and delivers what waits in it; supersede and drop work in it', async () => {
  const file = join(dir, 'box.sqlite');
  formatOneFile(file, [
    { target: 'gw-1/fw-1', request: report('gw-1', 'IN_PROGRESS', 1), message: { _msgid: 'a' } },
    { target: 'gw-1/fw-1', request: report('gw-1', 'SUCCEEDED'), message: { _msgid: 'b' } },
  ]);
  const warnings: string[] = [];
  const { outbox, sent, answers, shut } = open(undefined, { onWarning: (w) => warnings.push(w) });
  expect(userVersion(file)).toBe(2);
  expect(outbox.movedAside).toBeUndefined();
  await settle(answers, 2);
  expect(answers.map((a) => [a.kind, a.report.message, a.report.attempts])).toEqual([
    ['result', { _msgid: 'a' }, 2],
    ['result', { _msgid: 'b' }, 0],
  ]);
  expect(sent.map((s) => [s.request.status, s.skipUnchanged])).toEqual([
    ['IN_PROGRESS', true],
    ['SUCCEEDED', true],
  ]);
  expect(warnings).toEqual([]);
  expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toEqual([]);
  await shut();

  // The new columns are there: a superseded and a dropped report are kept as such until their answers leave.
  const again = open(hang);
  await again.outbox.add(report('gw-2', 'IN_PROGRESS', 1), {});
  await turn();
  await again.outbox.add(report('gw-2', 'IN_PROGRESS', 2), {});
  const last = await again.outbox.add(report('gw-2', 'IN_PROGRESS', 3), {});
  const next = open(hang);
  await turn();
  expect(next.answers.map((a) => a.kind)).toEqual(['superseded']);
  await next.shut();
  await again.outbox.drop(last.id);
  const after = open(hang);
  await turn();
  expect(after.answers.map((a) => a.kind)).toContain('dropped');
  await Promise.all([again, after].map((o) => o.shut()));
});

test('a file of a newer format is refused and left as it is, never moved aside', async () => {
  const file = join(dir, 'box.sqlite');
  const db = new DatabaseSync(file);
  db.exec("CREATE TABLE reports (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO reports VALUES (1, 'kept');");
  db.exec('PRAGMA user_version = 3');
  db.close();
  expect(() => open()).toThrow(OutboxUnavailableError);
  expect(() => open()).toThrow(
    `the outbox file ${file} is of format 3, written by a newer release of this package (this one reads format 2 ` +
      'and older); it is left as it is: upgrade the package again to deliver what it holds, or move the file away ' +
      'to start an empty one',
  );
  expect(readdirSync(dir)).toEqual(['box.sqlite']);
  expect(userVersion(file)).toBe(3);
  const after = new DatabaseSync(file);
  expect(after.prepare('SELECT * FROM reports').all()).toEqual([{ id: 1, what: 'kept' }]);
  after.close();
});

test('no coalescing when the newer report would not end where both would', () => {
  const supersedes = definition.outbox!.supersedes!;
  const p = (extra: Record<string, unknown>) => ({ status: 'IN_PROGRESS', ...extra });
  expect(supersedes(p({ statusDetails: { a: '1' } }), p({ statusDetails: { a: '2' } }))).toBe(true);
  expect(supersedes(p({ statusDetails: { a: '1' } }), p({}))).toBe(false);
  expect(supersedes(p({ stepTimeoutInMinutes: 5 }), p({}))).toBe(false);
  expect(supersedes(p({ expectedVersion: 3 }), p({}))).toBe(false);
  expect(supersedes(p({ executionNumber: 1 }), p({ executionNumber: 2 }))).toBe(false);
  expect(supersedes({ status: 'SUCCEEDED' }, p({}))).toBe(false);
  expect(supersedes(p({}), { status: 'FAILED' })).toBe(false);
});

test('bad input is refused and never stored; a full outbox refuses with queue-full', async () => {
  const { outbox, shut } = open(hang, { maxEntries: 2 });
  await expect(outbox.add({ thingName: 'gw-1', jobId: 'fw-1', status: 'DONE' }, {})).rejects.toThrow(
    expect.objectContaining({ code: 'invalid-input', field: 'status' }),
  );
  // Two taken in the same turn count against the limit before their commit.
  const taking = [outbox.add(report('gw-1', 'SUCCEEDED'), {}), outbox.add(report('gw-2', 'SUCCEEDED'), {})];
  await expect(outbox.add(report('gw-3', 'SUCCEEDED'), {})).rejects.toThrow(OutboxFullError);
  await Promise.all(taking);
  expect(outbox.backlog.count).toBe(2);
  expect(onDisk()).toHaveLength(2);
  await shut();
  const bytes = open(hang, { maxBytes: 300 });
  await expect(bytes.outbox.add(report('gw-1', 'SUCCEEDED'), { payload: 'x'.repeat(400) })).rejects.toThrow(
    expect.objectContaining({ code: 'queue-full' }),
  );
  await bytes.shut();
});

test('drop answers the dropped report; the one in flight cannot be dropped', async () => {
  const { outbox, answers, shut } = open(hang);
  const [a, b] = await Promise.all([
    outbox.add(report('gw-1', 'SUCCEEDED'), {}),
    outbox.add(report('gw-1', 'FAILED'), {}),
  ]);
  await turn();
  await expect(outbox.drop(a.id)).rejects.toThrow(/being delivered/);
  await expect(outbox.drop(999)).rejects.toThrow(/no report 999/);
  await outbox.drop(b.id);
  expect(answers).toEqual([{ kind: 'dropped', report: b }]);
  expect(outbox.list().map((l) => l.id)).toEqual([a.id]);
  await shut();
});

test('a file that is not a store is moved aside with a warning; an unwritable directory is refused', async () => {
  writeFileSync(join(dir, 'box.sqlite'), 'this is not a database, it is a text file long enough to be read');
  const warnings: string[] = [];
  const { outbox, shut } = open(undefined, { onWarning: (w) => warnings.push(w) });
  expect(outbox.movedAside).toMatch(/box\.sqlite\.corrupt-/);
  expect(warnings).toEqual([expect.stringMatching(/moved aside/)]);
  expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  await shut();

  const locked = join(dir, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o500);
  try {
    // Root may write anywhere; the refusal is only observable for other users.
    if (process.getuid?.() !== 0)
      expect(() => open(undefined, { file: join(locked, 'box.sqlite') })).toThrow(OutboxUnavailableError);
    // A directory that cannot be made (here: its parent is a file) is as unwritable as one without the permission.
    writeFileSync(join(dir, 'a-file'), '');
    expect(() => open(undefined, { file: join(dir, 'a-file', 'box.sqlite') })).toThrow(/cannot be written/);
  } finally {
    chmodSync(locked, 0o700);
  }
  expect(existsSync(join(dir, 'box.sqlite'))).toBe(true);
});

test('reads do not offer the outbox', () => {
  expect(() =>
    Outbox.open({
      file: join(dir, 'x.sqlite'),
      operation: describeDefinition as never,
      deliver: jest.fn(),
      onAnswer: jest.fn(),
    }),
  ).toThrow(/does not keep reports/);
});

test('what the host attached comes back with the answer, however soon it comes; none for a report from disk', async () => {
  const { outbox, answers, shut } = open(async (one) => {
    if (one.request.status === 'FAILED') throw new StepError('refused', { code: StepErrorCode.InvalidInput });
    return { changed: true, attempts: 1 };
  });
  await Promise.all([
    outbox.add(report('gw-1', 'FAILED'), {}, undefined, 'first'),
    outbox.add(report('gw-2', 'SUCCEEDED'), {}, undefined, 'second'),
  ]);
  await settle(answers, 2);
  expect(answers.map((a) => [a.kind, a.attachment])).toEqual([
    ['error', 'first'],
    ['result', 'second'],
  ]);
  await shut();
  const kept = open(hang);
  await kept.outbox.add(report('gw-3', 'SUCCEEDED'), {}, undefined, 'kept');
  await kept.shut();
  const later = open();
  await settle(later.answers, 1);
  expect(later.answers[0]).not.toHaveProperty('attachment');
  await later.shut();
});
