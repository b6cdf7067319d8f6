/**
 * The decisions of update-job-execution, apart from any request: pure functions of the evidence the step has read.
 * `update-job-execution.ts` gathers the evidence (its memory, a first read, the refusal, a read after it) and acts on
 * what these say; `update-decisions.test.ts` runs each decision on its own, and the whole table on an in-memory
 * transport and on the emulator.
 */
import { StepError, StepErrorCode, sameAnswer } from '../../shared/errors';
import type { StatusDetailsUpdate } from '../../shared/readings';
import { isAsAsked } from '../execution-evidence';
import { TERMINAL_STATUSES } from '../job-execution-fields';
import type { ExecutionSnapshot } from '../model';

/** What an update asks for, as far as deciding goes. */
export interface AskedUpdate {
  readonly status: string;
  readonly statusDetails?: Readonly<Record<string, string>> | undefined;
  readonly expectedVersion?: number | undefined;
}

/** A retry AWS queued after a failure (`jobExecutionsRetryConfig`) that nobody has touched yet. */
export function isUntouchedRetry(execution: ExecutionSnapshot): boolean {
  return (
    execution.status === 'QUEUED' &&
    execution.versionNumber === 1 &&
    execution.executionNumber !== undefined &&
    execution.executionNumber > 1
  );
}

/**
 * What the step may take as the execution before any of its updates could land: a snapshot of the same execution
 * (a remembered one of another execution number says nothing of this one).
 */
export function beforeFor(
  remembered: ExecutionSnapshot | undefined,
  executionNumber: number | undefined,
): ExecutionSnapshot | undefined {
  if (remembered?.executionNumber === undefined || executionNumber === undefined) return remembered;
  return remembered.executionNumber === executionNumber ? remembered : undefined;
}

/** How a refused update ends, once the execution's current state is known. */
export const ConflictVerdict = {
  /** The execution is not as asked: the refusal stands, worded from the state. */
  Refused: 'refused',
  /** As asked, and an attempt of this step whose answer was lost may be what made it so: `changed: true`. */
  ChangedByLostAnswer: 'changed-by-lost-answer',
  /** As asked, and nothing this step sent can have made it so: `changed: false`. */
  AlreadyAsAsked: 'already-as-asked',
} as const;
export type ConflictVerdict = (typeof ConflictVerdict)[keyof typeof ConflictVerdict];

/** The evidence a refused update is decided on. */
export interface ConflictEvidence {
  readonly asked: AskedUpdate;
  /** The execution now: from the refusal itself, else from a read after it. */
  readonly current: ExecutionSnapshot;
  /** The execution before any update of this step could land (memory or a first read); undefined when unknown. */
  readonly before: ExecutionSnapshot | undefined;
  /** Whether an update attempt was sent and its answer lost (never-sent attempts do not count). */
  readonly mayHaveLanded: boolean;
  readonly update: StatusDetailsUpdate;
}

/**
 * The decision table of a refused update:
 *
 * | current as asked | an attempt's answer lost | already so before, at the same version | verdict              |
 * | ---------------- | ------------------------ | -------------------------------------- | -------------------- |
 * | no               | any                      | any                                    | refused              |
 * | yes              | no                       | any                                    | already-as-asked     |
 * | yes              | yes                      | yes                                    | already-as-asked     |
 * | yes              | yes                      | no or unknown                          | changed-by-lost-answer |
 *
 * Versions only grow and a terminal state never changes, so only "as asked, at the same version, before this step"
 * says that a lost update did not land; without that evidence the honest answer is that it may have.
 */
export function afterConflict(evidence: ConflictEvidence): ConflictVerdict {
  const { asked, current, before, mayHaveLanded, update } = evidence;
  if (!isAsAsked(asked, current, update)) return ConflictVerdict.Refused;
  if (!mayHaveLanded) return ConflictVerdict.AlreadyAsAsked;
  const wasAlready =
    before !== undefined && isAsAsked(asked, before, update) && before.versionNumber === current.versionNumber;
  return wasAlready ? ConflictVerdict.AlreadyAsAsked : ConflictVerdict.ChangedByLostAnswer;
}

/** The error a refused update ends in, worded from the state the caller did not get. */
export function refusalError(
  asked: AskedUpdate,
  current: ExecutionSnapshot,
  subject: string,
  refusal: StepError,
): StepError {
  const { status, versionNumber } = current;
  const now = `the execution is ${status} (version ${versionNumber})`;
  const common = { operation: 'UpdateJobExecution' as const, subject, ...sameAnswer(refusal) };
  if (TERMINAL_STATUSES.has(status)) {
    return new StepError(`${now}; ${asked.status} is not reachable from a terminal state, nothing was changed`, {
      code: StepErrorCode.InvalidTransition,
      ...common,
    });
  }
  if (asked.expectedVersion !== undefined && versionNumber !== asked.expectedVersion) {
    return new StepError(
      `expectedVersion ${asked.expectedVersion} does not match; ${now}. ` +
        `Read it again and pass expectedVersion ${versionNumber}, or leave expectedVersion out`,
      { code: StepErrorCode.VersionConflict, ...common },
    );
  }
  return new StepError(`${now}; the service refused ${asked.status}: ${refusal.message}`, {
    code: StepErrorCode.InvalidTransition,
    ...common,
  });
}
