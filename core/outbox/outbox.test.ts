/**
 * The outbox's own rules, with a delivery function the test controls: durability before `add` returns, order per
 * target, retries past any deadline with capped backoff, final refusals, coalescing, limits, listing and dropping,
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
import { OutboxUnavailableError } from './outbox-store';
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
  const outbox = Outbox.open<Result>({
    file: join(dir, 'box.sqlite'),
    operation: definition,
    retry: { baseMs: 10, capMs: 40 },
    deliver: (request, options) => {
      const one = { request, skipUnchanged: options.skipUnchanged };
      sent.push(one);
      return answer(one, sent.length, options.signal);
    },
    onAnswer: (a) => answers.push(a),
    ...settings,
  });
  return { outbox, sent, answers };
}

/** Waits for `count` answers, however long a busy machine takes (only a hang gives up). */
const settle = async (answers: unknown[], count: number): Promise<void> => {
  await eventually(() => answers.length >= count, `${count} answers`);
};

test('a report is on disk when add returns, and a new outbox on the same file delivers it as a redelivery', async () => {
  const first = open(hang);
  first.outbox.add(report('gw-1', 'SUCCEEDED'), { _msgid: 'm1', topic: 't' });
  // A second process's view of the same file, while the first still holds it: the report is there.
  const second = open();
  await settle(second.answers, 1);
  expect(second.sent).toEqual([{ request: expect.objectContaining({ status: 'SUCCEEDED' }), skipUnchanged: true }]);
  expect(second.answers[0]).toMatchObject({ kind: 'result', report: { message: { _msgid: 'm1', topic: 't' } } });
  await second.outbox.close(0);
  await first.outbox.close(0);
});

test('reports for one target go in arrival order; retries go on with capped backoff until accepted', async () => {
  let failures = 0;
  const { outbox, sent, answers } = open(async (one) => {
    if (one.request.thingName === 'gw-1' && failures++ < 6)
      throw new StepError('the link is down', { code: StepErrorCode.Network, retryable: true });
    return { changed: true, attempts: 1 };
  });
  for (let step = 1; step <= 3; step++) outbox.add(report('gw-1', 'IN_PROGRESS', step, { expectedVersion: step }), {});
  outbox.add(report('gw-2', 'SUCCEEDED'), {});
  await settle(answers, 4);
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
  // A report is forgotten a couple of event-loop turns after its answer.
  for (let i = 0; i < 100 && outbox.backlog.count > 0; i++) await new Promise((r) => setTimeout(r, 5));
  expect(outbox.backlog.count).toBe(0);
  await outbox.close(0);
});

test('a retry waits out its backoff on the outbox’s clock: nothing before the wait, the next try when it is due', async () => {
  // random 0: the wait is half the ceiling, 500 ms after the first failure, 1 000 ms after the second.
  const clock = new FakeClock(1_000_000, 0);
  let failures = 0;
  const { outbox, sent, answers } = open(
    async () => {
      if (failures++ < 2) throw new StepError('the link is down', { code: StepErrorCode.Network, retryable: true });
      return { changed: true, attempts: 1 };
    },
    { clock, retry: { baseMs: 1_000, capMs: 60_000 } },
  );
  const taken = outbox.add(report('gw-1', 'SUCCEEDED'), {});
  expect(taken.acceptedAt).toBe(1_000_000);
  await eventually(() => sent.length === 1 && clock.timers === 1, 'the first try, and its retry timer');
  expect(outbox.list()[0]).toMatchObject({ attempts: 1, retryAt: 1_000_500 });
  clock.advance(499);
  await new Promise((r) => setImmediate(r));
  expect(sent).toHaveLength(1);
  clock.advance(1);
  await eventually(() => sent.length === 2 && clock.timers === 1, 'the second try, at 500 ms');
  expect(outbox.list()[0]).toMatchObject({ attempts: 2, retryAt: 1_000_500 + 1_000 });
  clock.advance(999);
  await new Promise((r) => setImmediate(r));
  expect(sent).toHaveLength(2);
  clock.advance(1);
  await settle(answers, 1);
  expect(answers[0]).toMatchObject({ kind: 'result' });
  expect(sent).toHaveLength(3);
  await outbox.close(0);
});

test('whenDelivered waits for every report of its target, not another’s; closing with reports left rejects it', async () => {
  const clock = new FakeClock(1_000_000, 0);
  let failures = 0;
  const { outbox, sent, answers } = open(
    async (one) => {
      if (one.request.thingName === 'gw-1' && failures++ < 1)
        throw new StepError('the link is down', { code: StepErrorCode.Network, retryable: true });
      return { changed: true, attempts: 1 };
    },
    { clock, retry: { baseMs: 1_000, capMs: 60_000 } },
  );
  await expect(outbox.whenDelivered({ thingName: 'gw-9', jobId: 'fw-1' })).resolves.toBeUndefined();
  outbox.add(report('gw-1', 'IN_PROGRESS', 1, { expectedVersion: 1 }), {});
  outbox.add(report('gw-1', 'SUCCEEDED'), {});
  let gw1 = false;
  const delivered = outbox.whenDelivered({ thingName: 'gw-1', jobId: 'fw-1' }).then(() => (gw1 = true));
  // The first report waits out its backoff, and the promise with it; the second waits behind the first.
  await eventually(() => clock.timers === 1, 'the retry timer');
  await new Promise((r) => setImmediate(r));
  expect([gw1, answers.length]).toEqual([false, 0]);
  clock.advance(500);
  await delivered;
  expect(answers.map((a) => [a.report.target, a.report.request.status])).toEqual([
    ['gw-1/fw-1', 'IN_PROGRESS'],
    ['gw-1/fw-1', 'SUCCEEDED'],
  ]);
  expect(outbox.backlog.count).toBe(0);
  // Another target's promise is its own.
  outbox.add(report('gw-2', 'SUCCEEDED'), {});
  await outbox.whenDelivered({ thingName: 'gw-2', jobId: 'fw-1' });
  expect(answers.map((a) => a.report.target)).toContain('gw-2/fw-1');
  expect(sent).toHaveLength(4);
  // Closing with a report left: whoever waits is told, and the report stays for the next run.
  failures = -100;
  outbox.add(report('gw-1', 'FAILED'), {});
  const left = outbox.whenDelivered({ thingName: 'gw-1', jobId: 'fw-1' });
  await eventually(() => clock.timers === 1, 'the retry timer');
  await outbox.close(0);
  await expect(left).rejects.toMatchObject({ code: StepErrorCode.Aborted, subject: 'gw-1/fw-1' });
});

test('whenDelivered is not fooled by a waiting report superseded by a newer one, and refuses a subject it cannot read', async () => {
  const clock = new FakeClock(1_000_000, 0);
  let failures = 0;
  const { outbox, answers } = open(
    async () => {
      if (failures++ < 1) throw new StepError('the link is down', { code: StepErrorCode.Network, retryable: true });
      return { changed: true, attempts: 1 };
    },
    { clock, retry: { baseMs: 1_000, capMs: 60_000 } },
  );
  outbox.add(report('gw-1', 'IN_PROGRESS', 1), {});
  let done = false;
  const delivered = outbox.whenDelivered({ thingName: 'gw-1', jobId: 'fw-1' }).then(() => (done = true));
  await eventually(() => clock.timers === 1, 'the retry timer');
  // The waiting report gives way to a newer one: the target is not delivered for that.
  outbox.add(report('gw-1', 'IN_PROGRESS', 2), {});
  await new Promise((r) => setImmediate(r));
  expect([done, answers.map((a) => a.kind)]).toEqual([false, ['superseded']]);
  clock.advance(500);
  await delivered;
  expect(answers.map((a) => a.kind)).toEqual(['superseded', 'result']);
  await expect(outbox.whenDelivered({ thingName: 'gw-1', jobID: 'fw-1' })).rejects.toMatchObject({
    code: StepErrorCode.InvalidInput,
    field: 'jobId',
  });
  await outbox.close(0);
});

test('a final refusal answers with the error and the stored message; the next report follows', async () => {
  const { outbox, answers } = open(async (one) => {
    if (one.request.status === 'FAILED')
      throw new StepError('SUCCEEDED is terminal', { code: StepErrorCode.InvalidTransition, retryable: false });
    return { changed: true, attempts: 1 };
  });
  outbox.add(report('gw-1', 'FAILED'), { _msgid: 'a' });
  outbox.add(report('gw-1', 'SUCCEEDED'), { _msgid: 'b' });
  await settle(answers, 2);
  expect(answers.map((a) => [a.kind, (a.report.message as { _msgid: string })._msgid])).toEqual([
    ['error', 'a'],
    ['result', 'b'],
  ]);
  await outbox.close(0);
});

test('a newer IN_PROGRESS replaces a waiting one; never one in flight, never across a terminal status', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { outbox, sent, answers } = open(async () => {
    await gate; // every try waits for the test to let it through
    return { changed: true, attempts: 1 };
  });
  const a = outbox.add(report('gw-1', 'IN_PROGRESS', 1), { _msgid: 'a' }); // in flight at once
  await new Promise((r) => setImmediate(r));
  const b = outbox.add(report('gw-1', 'IN_PROGRESS', 2), { _msgid: 'b' });
  const c = outbox.add(report('gw-1', 'IN_PROGRESS', 3), { _msgid: 'c' }); // replaces b
  outbox.add(report('gw-1', 'SUCCEEDED'), { _msgid: 'd' });
  outbox.add(report('gw-1', 'IN_PROGRESS', 4), { _msgid: 'e' }); // behind a terminal: kept (and refused later)
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
  await outbox.close(0);
});

/** Two turns of the event loop and a little more: an answer given before it has left. */
const turns = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

test('a superseded report killed before its answer left is answered superseded after the restart, never sent', async () => {
  const first = open(hang);
  first.outbox.add(report('gw-1', 'IN_PROGRESS', 1), { _msgid: 'a' }); // in flight for ever
  await new Promise((r) => setImmediate(r));
  const b = first.outbox.add(report('gw-1', 'IN_PROGRESS', 2), { _msgid: 'b' });
  const c = first.outbox.add(report('gw-1', 'IN_PROGRESS', 3), { _msgid: 'c' });
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
  await turns();
  // Once answered and its turns passed, it is gone: a third run answers nothing.
  const third = open();
  await turns();
  expect(third.answers).toEqual([]);
  await Promise.all([first, second, third].map((o) => o.outbox.close(0)));
});

test('a dropped report killed before its answer left is answered dropped after the restart, never sent', async () => {
  const first = open(hang);
  first.outbox.add(report('gw-1', 'IN_PROGRESS', 1), { _msgid: 'a' });
  const b = first.outbox.add(report('gw-1', 'SUCCEEDED'), { _msgid: 'b' });
  await new Promise((r) => setImmediate(r));
  first.outbox.drop(b.id);
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
  const third = open();
  await turns();
  expect(third.answers).toEqual([]);
  await Promise.all([first, second, third].map((o) => o.outbox.close(0)));
});

test('closing waits for superseded and dropped answers to leave, so the next start does not answer them again', async () => {
  const first = open(hang);
  first.outbox.add(report('gw-1', 'IN_PROGRESS', 1), {});
  await new Promise((r) => setImmediate(r));
  first.outbox.add(report('gw-1', 'IN_PROGRESS', 2), {});
  first.outbox.add(report('gw-1', 'IN_PROGRESS', 3), {}); // supersedes 2
  const d = first.outbox.add(report('gw-2', 'SUCCEEDED'), {});
  first.outbox.add(report('gw-2', 'FAILED'), {});
  await new Promise((r) => setImmediate(r));
  first.outbox.drop(d.id + 1);
  expect(first.answers.map((a) => a.kind)).toEqual(['superseded', 'dropped']);
  await first.outbox.close(0);
  const second = open(hang);
  await turns();
  expect(second.answers).toEqual([]);
  expect(second.outbox.list().map((l) => (l.request.statusDetails as { step?: string } | undefined)?.step)).toEqual([
    '1',
    '3',
    undefined,
  ]);
  await second.outbox.close(0);
});

test('a report superseded by one that has left the file since is answered with the newer id alone, on start-up', async () => {
  const { outbox } = open(hang);
  await outbox.close(0);
  const db = new DatabaseSync(join(dir, 'box.sqlite'));
  db.prepare(
    "INSERT INTO reports (target, request, message, accepted_at, settled, settled_by) VALUES (?, ?, ?, 1, 'superseded', 42)",
  ).run('gw-1/fw-1', JSON.stringify(report('gw-1', 'IN_PROGRESS', 1)), JSON.stringify({ _msgid: 'a' }));
  db.close();
  // One closed before it starts answers nothing and leaves it for the next.
  const closed = open();
  await closed.outbox.close(0);
  const again = open();
  await turns();
  expect(closed.answers).toEqual([]);
  expect(again.answers).toEqual([
    { kind: 'superseded', report: expect.objectContaining({ message: { _msgid: 'a' } }), by: { id: 42 } },
  ]);
  expect(again.sent).toEqual([]);
  await again.outbox.close(0);
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
  const { outbox, sent, answers } = open(undefined, { onWarning: (w) => warnings.push(w) });
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
  await outbox.close(0);

  // The new columns are there: a superseded and a dropped report are kept as such until their answers leave.
  const again = open(hang);
  again.outbox.add(report('gw-2', 'IN_PROGRESS', 1), {});
  await new Promise((r) => setImmediate(r));
  again.outbox.add(report('gw-2', 'IN_PROGRESS', 2), {});
  const last = again.outbox.add(report('gw-2', 'IN_PROGRESS', 3), {});
  again.outbox.drop(last.id);
  const next = open(hang);
  await new Promise((r) => setImmediate(r));
  expect(next.answers.map((a) => a.kind)).toEqual(['superseded', 'dropped']);
  await Promise.all([again, next].map((o) => o.outbox.close(0)));
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
  const { outbox } = open(hang, { maxEntries: 2 });
  expect(() => outbox.add({ thingName: 'gw-1', jobId: 'fw-1', status: 'DONE' }, {})).toThrow(
    expect.objectContaining({ code: 'invalid-input', field: 'status' }),
  );
  outbox.add(report('gw-1', 'SUCCEEDED'), {});
  outbox.add(report('gw-2', 'SUCCEEDED'), {});
  expect(() => outbox.add(report('gw-3', 'SUCCEEDED'), {})).toThrow(OutboxFullError);
  expect(outbox.backlog.count).toBe(2);
  await outbox.close(0);
  const bytes = open(hang, { maxBytes: 300 });
  expect(() => bytes.outbox.add(report('gw-1', 'SUCCEEDED'), { payload: 'x'.repeat(400) })).toThrow(
    expect.objectContaining({ code: 'queue-full' }),
  );
  await bytes.outbox.close(0);
});

test('drop answers the dropped report; the one in flight cannot be dropped', async () => {
  const { outbox, answers } = open(hang);
  const a = outbox.add(report('gw-1', 'SUCCEEDED'), {});
  const b = outbox.add(report('gw-1', 'FAILED'), {});
  await new Promise((r) => setImmediate(r));
  expect(() => outbox.drop(a.id)).toThrow(/being delivered/);
  expect(() => outbox.drop(999)).toThrow(/no report 999/);
  outbox.drop(b.id);
  expect(answers).toEqual([{ kind: 'dropped', report: b }]);
  expect(outbox.list().map((l) => l.id)).toEqual([a.id]);
  await outbox.close(0);
});

test('a file that is not a store is moved aside with a warning; an unwritable directory is refused', async () => {
  writeFileSync(join(dir, 'box.sqlite'), 'this is not a database, it is a text file long enough to be read');
  const warnings: string[] = [];
  const { outbox } = open(undefined, { onWarning: (w) => warnings.push(w) });
  expect(outbox.movedAside).toMatch(/box\.sqlite\.corrupt-/);
  expect(warnings).toEqual([expect.stringMatching(/moved aside/)]);
  expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  await outbox.close(0);

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
