/**
 * The outbox's own rules, with a delivery function the test controls: durability before `add` returns, order per
 * target, retries past any deadline with capped backoff, final refusals, coalescing, limits, listing and dropping,
 * and what happens to a file that is not a store. Delivery through the real step and the emulator is tested in
 * test/outbox.test.ts.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { StepError, StepErrorCode } from './errors';
import { Outbox, OutboxFullError, type OutboxAnswer, type OutboxSettings } from './outbox';
import { OutboxUnavailableError } from './outbox-store';
import { definition as describeDefinition } from './describe-job-execution';
import { definition } from './update-job-execution';
import type { UpdateJobExecutionResult } from './update-job-execution';

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

const settle = async (answers: unknown[], count: number, ms = 5_000): Promise<void> => {
  const until = Date.now() + ms;
  while (answers.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
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
