/**
 * The decisions of update-job-execution: each pure piece on its own (update-decisions.ts), then the whole decision
 * table (test/helpers/update-decision-table.ts) through the step on a connection carrying the in-memory transport,
 * on an injected clock: no test here waits in real time or talks to a socket. test/update-decisions.test.ts runs
 * the same table on the emulator over HTTP.
 */
import { Connection } from '../../shared/connection';
import { StepError, StepErrorCode } from '../../shared/errors';
import type { ExecutionSnapshot } from '../model';
import { useJobsTransport } from '../service';
import type { LinkEvent } from '../transports/transport';
import { updateJobExecution } from './update-job-execution';
import {
  afterConflict,
  beforeFor,
  ConflictVerdict,
  isUntouchedRetry,
  refusalError,
  type AskedUpdate,
  type ConflictEvidence,
} from './update-decisions';
import { MemoryJobsTransport } from '../../../test/helpers/memory-jobs-transport';
import {
  BEFORE,
  DECISION_CASES,
  JOB,
  outcomeOf,
  steppedClock,
  STEP_INPUT,
  THING,
  type DecisionRow,
} from '../../../test/helpers/update-decision-table';

const snap = (
  status: string,
  statusDetails: Record<string, string>,
  versionNumber: number,
  // Execution number 1 when left out; given (undefined too) as given.
  ...number: [number | undefined] | []
): ExecutionSnapshot => ({
  executionNumber: number.length > 0 ? number[0] : 1,
  status,
  statusDetails,
  versionNumber,
});

const asked: AskedUpdate = { status: 'SUCCEEDED', statusDetails: { a: '2' } };

describe('afterConflict, row by row of its table', () => {
  const asAsked = snap('SUCCEEDED', { a: '2' }, 3);
  const evidence = (over: Partial<ConflictEvidence>): ConflictEvidence => ({
    asked,
    current: asAsked,
    before: undefined,
    mayHaveLanded: false,
    update: 'replace',
    ...over,
  });

  test('not as asked: refused, whatever was lost and whatever was before', () => {
    for (const current of [snap('FAILED', { a: '2' }, 3), snap('SUCCEEDED', { a: '1' }, 3)])
      for (const mayHaveLanded of [false, true])
        for (const before of [undefined, asAsked, current])
          expect(afterConflict(evidence({ current, mayHaveLanded, before }))).toBe(ConflictVerdict.Refused);
  });

  test('as asked and no answer lost: already as asked, whatever was before', () => {
    for (const before of [undefined, asAsked, snap('IN_PROGRESS', { a: '1' }, 2)])
      expect(afterConflict(evidence({ before }))).toBe(ConflictVerdict.AlreadyAsAsked);
  });

  test('as asked, an answer lost, and so before at the same version: already as asked', () => {
    expect(afterConflict(evidence({ mayHaveLanded: true, before: asAsked }))).toBe(ConflictVerdict.AlreadyAsAsked);
  });

  test('as asked, an answer lost, and not so before, or at another version, or unknown: changed by the lost answer', () => {
    for (const before of [undefined, snap('IN_PROGRESS', { a: '1' }, 2), snap('SUCCEEDED', { a: '2' }, 2)])
      expect(afterConflict(evidence({ mayHaveLanded: true, before }))).toBe(ConflictVerdict.ChangedByLostAnswer);
  });

  test('"as asked" follows the reading: extra pairs are as asked under merge only', () => {
    const current = snap('SUCCEEDED', { a: '2', b: 'x' }, 3);
    expect(afterConflict(evidence({ current, update: 'replace' }))).toBe(ConflictVerdict.Refused);
    expect(afterConflict(evidence({ current, update: 'merge' }))).toBe(ConflictVerdict.AlreadyAsAsked);
    expect(afterConflict(evidence({ current, update: 'merge', mayHaveLanded: true, before: current }))).toBe(
      ConflictVerdict.AlreadyAsAsked,
    );
  });

  test('an update without details is as asked by its status alone', () => {
    const current = snap('SUCCEEDED', { any: 'thing' }, 3);
    expect(afterConflict(evidence({ asked: { status: 'SUCCEEDED' }, current }))).toBe(ConflictVerdict.AlreadyAsAsked);
  });
});

describe('beforeFor', () => {
  const remembered = snap('IN_PROGRESS', { a: '1' }, 2, 1);

  test('a remembered snapshot of the same execution, or of one whose number is not known, is taken', () => {
    expect(beforeFor(remembered, 1)).toBe(remembered);
    expect(beforeFor(remembered, undefined)).toBe(remembered);
    const unnumbered = snap('IN_PROGRESS', {}, 2, undefined);
    expect(beforeFor(unnumbered, 2)).toBe(unnumbered);
  });

  test('one of another execution number says nothing; nothing remembered is nothing', () => {
    expect(beforeFor(remembered, 2)).toBeUndefined();
    expect(beforeFor(undefined, 1)).toBeUndefined();
    expect(beforeFor(undefined, undefined)).toBeUndefined();
  });
});

describe('isUntouchedRetry', () => {
  test('QUEUED at version 1 with an execution number above 1: a retry AWS queued', () => {
    expect(isUntouchedRetry(snap('QUEUED', {}, 1, 2))).toBe(true);
    expect(isUntouchedRetry(snap('QUEUED', {}, 1, 5))).toBe(true);
  });

  test('the first execution, a touched one, a started one, or one of unknown number: not', () => {
    expect(isUntouchedRetry(snap('QUEUED', {}, 1, 1))).toBe(false);
    expect(isUntouchedRetry(snap('QUEUED', {}, 2, 2))).toBe(false);
    expect(isUntouchedRetry(snap('IN_PROGRESS', {}, 1, 2))).toBe(false);
    expect(isUntouchedRetry(snap('QUEUED', {}, 1, undefined))).toBe(false);
  });
});

describe('refusalError', () => {
  const refusal = new StepError('Job execution is in terminal state', {
    code: StepErrorCode.InvalidTransition,
    awsErrorName: 'InvalidStateTransitionException',
    httpStatus: 409,
    requestId: 'req-1',
  });
  const subject = `${THING}/${JOB}`;

  test('a terminal execution: invalid-transition, even when expectedVersion is stale too', () => {
    for (const request of [asked, { ...asked, expectedVersion: 1 }]) {
      const error = refusalError(request, snap('FAILED', {}, 3), subject, refusal);
      expect(error).toMatchObject({ code: StepErrorCode.InvalidTransition, operation: 'UpdateJobExecution', subject });
      expect(error.message).toMatch(/FAILED \(version 3\).*not reachable from a terminal state/);
    }
  });

  test('a stale expectedVersion on a pending execution: version-conflict, naming the version to pass', () => {
    const error = refusalError({ ...asked, expectedVersion: 1 }, snap('IN_PROGRESS', {}, 4), subject, refusal);
    expect(error.code).toBe(StepErrorCode.VersionConflict);
    expect(error.message).toMatch(/expectedVersion 1 does not match.*pass expectedVersion 4/);
  });

  test('any other refusal of a pending execution: invalid-transition, with the service’s words', () => {
    for (const request of [asked, { ...asked, expectedVersion: 4 }]) {
      const error = refusalError(request, snap('IN_PROGRESS', {}, 4), subject, refusal);
      expect(error.code).toBe(StepErrorCode.InvalidTransition);
      expect(error.message).toContain(refusal.message);
    }
  });

  test('the refusal’s answer is kept: the service’s error name, status and request id, and the cause', () => {
    const error = refusalError(asked, snap('FAILED', {}, 3), subject, refusal);
    expect(error).toMatchObject({
      awsErrorName: 'InvalidStateTransitionException',
      httpStatus: 409,
      requestId: 'req-1',
    });
    expect(error.cause).toBe(refusal);
  });
});

describe('the in-memory transport mirrors the emulator where the table does not look', () => {
  test('faults hit by operation and count; never-sent reports the link down, the next answer up', async () => {
    const transport = new MemoryJobsTransport();
    transport.seed(THING, JOB, { status: 'QUEUED' });
    const events: LinkEvent[] = [];
    transport.onLink((event) => events.push(event));
    transport.queue({ kind: 'never-sent', operation: 'GetPendingJobExecutions', count: 2 });
    const limits = { requestTimeout: 1_000 };
    for (let i = 0; i < 2; i++)
      await expect(transport.getPendingJobExecutions({ thingName: THING }, limits)).rejects.toMatchObject({
        code: StepErrorCode.Network,
        delivery: 'never-sent',
      });
    await transport.describeJobExecution({ thingName: THING, jobId: JOB }, limits);
    const pending = await transport.getPendingJobExecutions({ thingName: THING }, limits);
    expect(pending.queuedJobs).toEqual([{ jobId: JOB, versionNumber: 1, executionNumber: 1 }]);
    expect(events).toEqual([{ link: 'down', reason: expect.any(String) }, { link: 'up' }]);
    expect(transport.sent).toEqual(['DescribeJobExecution', 'GetPendingJobExecutions']);
  });

  test('start-next starts a QUEUED execution; $next with nothing pending follows describeNextNotFound', async () => {
    const limits = { requestTimeout: 1_000 };
    for (const describeNextNotFound of [false, true]) {
      const transport = new MemoryJobsTransport({ describeNextNotFound });
      transport.seed(THING, JOB, { status: 'QUEUED' });
      const started = await transport.startNextPendingJobExecution(
        { thingName: THING, statusDetails: { a: '1' } },
        limits,
      );
      expect(started.execution).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { a: '1' }, versionNumber: 2 });
      await transport.updateJobExecution({ thingName: THING, jobId: JOB, status: 'SUCCEEDED' }, limits);
      const next = transport.describeJobExecution({ thingName: THING, jobId: '$next' }, limits);
      if (describeNextNotFound) await expect(next).rejects.toMatchObject({ code: StepErrorCode.NotFound });
      else expect((await next).execution).toBeUndefined();
    }
  });
});

describe('the decision table on the in-memory transport', () => {
  test.each(DECISION_CASES)('%s', async (_name, row: DecisionRow, expected) => {
    const { reading } = row;
    const transport = new MemoryJobsTransport(reading);
    transport.seed(THING, JOB, BEFORE[row.before]);
    if (row.first !== 'none') transport.queue({ kind: row.first, operation: 'UpdateJobExecution', count: 1 });
    const events: LinkEvent[] = [];
    transport.onLink((event) => events.push(event));
    // A fresh connection: no memory of the execution. Its reading of details is the row's, as the service's.
    const aws = new Connection({ region: 'us-east-1', statusDetailsUpdate: reading.statusDetailsUpdate }, {});
    useJobsTransport(aws, transport);
    try {
      const got = await outcomeOf(updateJobExecution(STEP_INPUT, aws, steppedClock()));
      expect(got).toEqual({ outcome: expected.outcome, attempts: expected.attempts });
      expect(transport.sent).toEqual(expected.requests);
      expect(transport.execution(THING, JOB)).toEqual({ executionNumber: 1, ...expected.execution });
      expect(events.map((e) => e.link)).toEqual(row.first === 'never-sent' ? ['down', 'up'] : ['up']);
    } finally {
      aws.destroy();
    }
  });
});

test('what a refusal showed is remembered as the execution the update named, not as any execution of the job', async () => {
  // Execution 1 is SUCCEEDED at version 3; execution 2, a new run of the same job, is IN_PROGRESS at version 2.
  const transport = new MemoryJobsTransport({ conflictExecutionState: true });
  transport.seed(THING, JOB, { status: 'SUCCEEDED', statusDetails: { a: '2' }, versionNumber: 3, executionNumber: 1 });
  transport.seed(THING, JOB, {
    status: 'IN_PROGRESS',
    statusDetails: { a: '1' },
    versionNumber: 2,
    executionNumber: 2,
  });
  const aws = new Connection({ region: 'us-east-1' }, {});
  useJobsTransport(aws, transport);
  try {
    // A re-run on execution 1: refused with its state, which the connection remembers.
    const rerun = await updateJobExecution({ ...STEP_INPUT, executionNumber: 1 }, aws, steppedClock());
    expect(rerun.changed).toBe(false);
    // On execution 2 the update lands and its answer is lost; the retry is refused with SUCCEEDED at version 3,
    // which is what execution 1 showed. That memory is of another execution: it says nothing of this one.
    transport.queue({ kind: 'apply-then-reset', operation: 'UpdateJobExecution' });
    const landed = await updateJobExecution({ ...STEP_INPUT, executionNumber: 2 }, aws, steppedClock());
    expect(landed.changed).toBe(true);
    expect(transport.execution(THING, JOB, 2)).toMatchObject({ status: 'SUCCEEDED', versionNumber: 3 });
  } finally {
    aws.destroy();
  }
});
