/**
 * The decision table of the update-job-execution step, as data: every reading of AWS that changes what the step
 * sees, every kind of execution it may meet, and what may happen to its first request; and for each row what the
 * step must end in, worked out here from the documented rules (core/iot-jobs/operations/update-decisions.ts,
 * update-job-execution.ts), never by running the step. The same rows run on the in-memory transport
 * (core/iot-jobs/operations/update-decisions.test.ts) and on the emulator over HTTP (test/update-decisions.test.ts).
 */
import { StepError, StepErrorCode } from '../../core/shared/errors';
import type { StepOptions } from '../../core/shared/step-run';
import type { StatusDetailsUpdate } from '../../core/shared/readings';
import type { EmulatorSettings } from '../../emulator/types';
import { CONTROL_DESCRIBE } from './memory-jobs-transport';

/** The thing and job of every row. */
export const THING = 'gw-7';
export const JOB = 'fw-42';

/** What the step asks, on every row. */
export const ASKED = { status: 'SUCCEEDED', statusDetails: { a: '2' } } as const;

/** The readings a row runs under: the emulator's settings of these names, and the connection's `statusDetailsUpdate`. */
export type RowReading = Pick<EmulatorSettings, 'conflictExecutionState' | 'terminalStateOnDescribe'> & {
  readonly statusDetailsUpdate: StatusDetailsUpdate;
};

/** An execution's state, as the tests seed and check it. */
export interface ExecutionState {
  readonly status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  readonly statusDetails: Readonly<Record<string, string>>;
  readonly versionNumber: number;
}

/**
 * The execution before the step. The versions are the emulator's after seeding: QUEUED is version 1, the device's
 * IN_PROGRESS 2, its terminal report 3.
 */
export const BEFORE = {
  /** Pending: the update can be applied. */
  pending: { status: 'IN_PROGRESS', statusDetails: { a: '1' }, versionNumber: 2 },
  /** SUCCEEDED holding every asked pair and one more: as asked under `merge` only. */
  'as asked under merge': { status: 'SUCCEEDED', statusDetails: { a: '2', b: 'x' }, versionNumber: 3 },
  /** SUCCEEDED with exactly the asked map: as asked under both readings. */
  'as asked': { status: 'SUCCEEDED', statusDetails: { a: '2' }, versionNumber: 3 },
  /** Another terminal status. */
  failed: { status: 'FAILED', statusDetails: { a: '1' }, versionNumber: 3 },
} as const satisfies Record<string, ExecutionState>;
export type Before = keyof typeof BEFORE;

/**
 * What happens to the update's first attempt: nothing; `reset`, the connection reset before anything is applied;
 * `apply-then-reset`, applied and its answer lost (both the emulator's fault kinds of those names); `never-sent`, the
 * link down so that the request never leaves.
 */
export type FirstAttempt = 'none' | 'reset' | 'apply-then-reset' | 'never-sent';
export const FIRST_ATTEMPTS: readonly FirstAttempt[] = ['none', 'reset', 'apply-then-reset', 'never-sent'];

export interface DecisionRow {
  readonly name: string;
  readonly reading: RowReading;
  readonly before: Before;
  readonly first: FirstAttempt;
}

/** How a row must end. */
export interface Expected {
  /** `changed` of the result, or the code of the StepError the step throws. */
  readonly outcome: { readonly changed: boolean } | { readonly error: StepErrorCode };
  /** The execution after the step. */
  readonly execution: ExecutionState;
  /**
   * The requests that reached the service, in order: `UpdateJobExecution`, `DescribeJobExecution` (data plane),
   * and `DescribeJobExecution (control plane)`. A never-sent attempt is not among them.
   */
  readonly requests: readonly string[];
  /** The step's `attempts`: the requests it made, the never-sent one included. */
  readonly attempts: number;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED']);

/** Whether `execution` already is as asked under `update`: the status, and the map (or, under merge, every pair). */
function asAsked(execution: ExecutionState, update: StatusDetailsUpdate): boolean {
  const wanted = Object.entries(ASKED.statusDetails);
  const have = execution.statusDetails;
  return (
    execution.status === ASKED.status &&
    wanted.every(([k, v]) => have[k] === v) &&
    (update === 'merge' || Object.keys(have).length === wanted.length)
  );
}

/** The execution after an update of it is applied: the status asked, the details replaced or merged, version + 1. */
function applied(execution: ExecutionState, update: StatusDetailsUpdate): ExecutionState {
  const statusDetails =
    update === 'merge' ? { ...execution.statusDetails, ...ASKED.statusDetails } : { ...ASKED.statusDetails };
  return { status: ASKED.status, statusDetails, versionNumber: execution.versionNumber + 1 };
}

/** What the step must end in on `row`, by the documented rules, one comment per rule. */
export function expected(row: DecisionRow): Expected {
  const { reading, first } = row;
  const update = reading.statusDetailsUpdate;
  let execution: ExecutionState = BEFORE[row.before];
  const requests: string[] = [];

  // The step sends the update first: no memory on a fresh connection, no skipUnchanged, and SUCCEEDED is not FAILED
  // (only a FAILED report without executionNumber reads first).
  // A never-sent attempt reaches nothing and changes nothing; the step retries it (network, retryable).
  // A reset attempt reaches the service (and its log) but applies nothing; apply-then-reset applies the update when
  // it can (a pending execution) and is refused when it cannot: either way its answer is lost, and the step retries.
  if (first === 'reset' || first === 'apply-then-reset') {
    requests.push('UpdateJobExecution');
    if (first === 'apply-then-reset' && !TERMINAL.has(execution.status)) execution = applied(execution, update);
  }
  // Only an attempt sent whose answer was lost "may have landed": never-sent does not count (StepError.delivery).
  const mayHaveLanded = first === 'reset' || first === 'apply-then-reset';

  // The answered attempt: a pending execution takes the update, and the step reports changed: true.
  requests.push('UpdateJobExecution');
  if (!TERMINAL.has(execution.status)) {
    return finish({ changed: true }, applied(execution, update));
  }

  // A terminal execution refuses it (409). The step decides on the execution's state, read in this order:
  // 1. the refusal's own executionState (setting conflictExecutionState): no further request;
  // 2. else the data plane's DescribeJobExecution;
  // 3. which for a terminal execution answers 410 TerminalStateException under setting terminalStateOnDescribe,
  //    and the step reads the control plane's DescribeJobExecution instead.
  if (!reading.conflictExecutionState) {
    requests.push('DescribeJobExecution');
    if (reading.terminalStateOnDescribe) requests.push(CONTROL_DESCRIBE);
  }
  // Not as asked: the refusal stands, and a terminal execution makes it invalid-transition.
  if (!asAsked(execution, update)) return finish({ error: StepErrorCode.InvalidTransition }, execution);
  // As asked and no attempt's answer lost: nothing this step sent made it so, changed: false.
  if (!mayHaveLanded) return finish({ changed: false }, execution);
  // As asked after a lost answer: only "as asked at the same version before the step" would show the lost attempt
  // did not land; a fresh connection has no such memory and sent no first read, so changed: true (it may have).
  return finish({ changed: true }, execution);

  function finish(outcome: Expected['outcome'], after: ExecutionState): Expected {
    return { outcome, execution: after, requests, attempts: requests.length + (first === 'never-sent' ? 1 : 0) };
  }
}

/** Every reading the decisions depend on. */
export const ROW_READINGS: readonly RowReading[] = [true, false].flatMap((conflictExecutionState) =>
  [true, false].flatMap((terminalStateOnDescribe) =>
    (['replace', 'merge'] as const).map((statusDetailsUpdate) => ({
      conflictExecutionState,
      terminalStateOnDescribe,
      statusDetailsUpdate,
    })),
  ),
);

function readingName(r: RowReading): string {
  return [
    r.conflictExecutionState ? '409 with state' : '409 message only',
    r.terminalStateOnDescribe ? 'terminal describe 410' : 'terminal describe 200',
    `details ${r.statusDetailsUpdate}`,
  ].join(', ');
}

/** The table: readings × the execution before × the first attempt. */
export const DECISION_ROWS: readonly DecisionRow[] = ROW_READINGS.flatMap((reading) =>
  (Object.keys(BEFORE) as Before[]).flatMap((before) =>
    FIRST_ATTEMPTS.map((first) => ({
      name: `${readingName(reading)} | before: ${before} | first attempt: ${first}`,
      reading,
      before,
      first,
    })),
  ),
);

/** A table row with its expectation, for `test.each`. */
export const DECISION_CASES: readonly [string, DecisionRow, Expected][] = DECISION_ROWS.map((row) => [
  row.name,
  row,
  expected(row),
]);

/** The step's input on every row. */
export const STEP_INPUT = { thingName: THING, jobId: JOB, ...ASKED, statusDetails: { ...ASKED.statusDetails } };

/** `changed` or the error code, with the step's attempts: how a row's run is compared with `expected`. */
export async function outcomeOf(
  run: Promise<{ changed: boolean; attempts: number }>,
): Promise<{ outcome: { changed: boolean } | { error: string }; attempts: number }> {
  try {
    const { changed, attempts } = await run;
    return { outcome: { changed }, attempts };
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    return { outcome: { error: error.code }, attempts: error.attempts };
  }
}

/**
 * Step options with no real waiting: the clock moves only when the step sleeps, so no deadline passes on a slow
 * machine. `beforeRetry` runs in each sleep (the emulator's rows bring a downed link up there).
 */
export function steppedClock(beforeRetry: () => Promise<void> = async () => {}): StepOptions {
  let now = 1_000_000;
  return {
    now: () => now,
    random: () => 0.5,
    sleep: async (ms) => {
      now += ms;
      await beforeRetry();
    },
  };
}
