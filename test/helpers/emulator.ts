/**
 * The emulator from the tests: the one emulator client (emulator/client.ts), signed by the fixture credentials, with
 * the reads of its state dump that tests assert on.
 */
import { EMULATOR_ARN_PREFIX, EmulatorClient, type HttpReply, type SeedJob } from '../../emulator/client';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index';
import type { FaultRequest } from '../../emulator/faults';
import { DEFAULT_SETTINGS, type EmulatorSettings } from '../../emulator/types';
import type { Readings } from '../../core/shared/connection';
import { eventually } from './eventually';
import { FIXTURE_CREDENTIALS } from './aws-cli';

export type { HttpReply, SeedJob };
export type FaultRule = FaultRequest;
export const ARN_PREFIX = EMULATOR_ARN_PREFIX;

export interface Transition {
  operation: string;
  from: string;
  to: string;
  statusDetails: Record<string, string>;
  versionNumber: number;
  at: number;
}

export interface DumpExecution {
  jobId: string;
  thingName: string;
  retryAttempt: number;
  status: string;
  statusDetails: Record<string, string>;
  versionNumber: number;
  executionNumber: number;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  stepTimeoutAt?: number;
  inProgressTimeoutAt?: number;
  history: Transition[];
}

export interface DumpJob {
  jobId: string;
  createdAt: number;
  status: string;
}

export interface IotDump {
  executions: DumpExecution[];
  jobs: DumpJob[];
}

/** One line of the emulator's request log. */
export interface LoggedRequest {
  service: string;
  operation: string;
  status: number | 'reset';
  fault?: string;
}

/** The things of `rerunFixture`: one per terminal status a device reports. */
export const RERUN_THINGS = { SUCCEEDED: 'gw-1', FAILED: 'gw-2', REJECTED: 'gw-3' } as const;

/** The emulator's switches between readings of AWS's documents (emulator/types.ts). */
export type EmulatorReadings = Partial<EmulatorSettings>;

/**
 * One reading of AWS a client is tested under: the emulator's settings, the retry configuration of the jobs the test
 * makes, and the connection settings that tell the core which reading it talks to (statusDetails' length and
 * replace/merge: the core's checks and idempotency decisions follow them).
 */
export interface Reading {
  readonly name: string;
  readonly settings: EmulatorSettings;
  readonly retries: SeedJob['retries'];
  readonly connection: Readings;
}

/** One setting (or job configuration) with two readings, the default first, each with a short label for names. */
interface Factor {
  readonly readings: readonly [ReadingPart, ReadingPart];
}
interface ReadingPart {
  readonly label: string;
  readonly settings?: EmulatorReadings;
  readonly retries?: SeedJob['retries'];
}

/** Every setting whose readings the clients must work under, default reading first. */
const FACTORS: readonly Factor[] = [
  {
    readings: [
      { label: 'terminal describe 410', settings: { terminalStateOnDescribe: true } },
      { label: 'terminal describe 200', settings: { terminalStateOnDescribe: false } },
    ],
  },
  {
    readings: [
      { label: '409 with executionState', settings: { conflictExecutionState: true } },
      { label: '409 message only', settings: { conflictExecutionState: false } },
    ],
  },
  {
    readings: [
      { label: 'no retry config' },
      { label: 'retry on FAILED', retries: [{ failureType: 'FAILED', numberOfRetries: 2 }] },
    ],
  },
  {
    readings: [
      { label: 'details replace', settings: { statusDetailsUpdate: 'replace' } },
      { label: 'details merge', settings: { statusDetailsUpdate: 'merge' } },
    ],
  },
  {
    readings: [
      { label: 'values 1024', settings: { statusDetailsValueLength: 1024 } },
      { label: 'values 128', settings: { statusDetailsValueLength: 128 } },
    ],
  },
  {
    readings: [
      { label: '$next none 200', settings: { describeNextNotFound: false } },
      { label: '$next none 404', settings: { describeNextNotFound: true } },
    ],
  },
  {
    readings: [
      { label: 'start-next hands back', settings: { startNextUpdatesInProgress: false } },
      { label: 'start-next updates', settings: { startNextUpdatesInProgress: true } },
    ],
  },
  {
    readings: [
      { label: 'timeout retry needs config', settings: { timeoutRetryNeedsTimeoutConfig: true } },
      { label: 'timeout retry never', settings: { timeoutRetryNeedsTimeoutConfig: false } },
    ],
  },
  {
    readings: [
      { label: 'start-next -1 refused', settings: { startNextAcceptsCancel: false } },
      { label: 'start-next -1 taken', settings: { startNextAcceptsCancel: true } },
    ],
  },
];

/**
 * Rows of 0/1 (which reading of each factor) covering every pair of readings of every two factors in 6 rows, for up
 * to 10 two-valued factors: factor j's column is the j-th 3-element subset of rows 1..5 (any two such subsets meet,
 * differ and both miss row 0, so each pair of columns shows 00, 11, 10 and 01). Row 0 is every default.
 */
function pairwiseRows(factors: number): number[][] {
  const columns: number[][] = [];
  for (let a = 1; a <= 5; a++)
    for (let b = a + 1; b <= 5; b++) for (let c = b + 1; c <= 5; c++) columns.push([a, b, c]);
  if (factors > columns.length)
    throw new Error(`a 6-row pairwise cover holds ${columns.length} factors, not ${factors}`);
  return Array.from({ length: 6 }, (_, row) => columns.slice(0, factors).map((rows) => (rows.includes(row) ? 1 : 0)));
}

/** Every combination: 2^factors rows. */
function allRows(factors: number): number[][] {
  return Array.from({ length: 2 ** factors }, (_, n) => Array.from({ length: factors }, (_, j) => (n >> j) & 1));
}

function readingOf(row: readonly number[]): Reading {
  const parts = FACTORS.map((factor, j) => factor.readings[row[j] ?? 0]!);
  const settings = Object.assign({ ...DEFAULT_SETTINGS }, ...parts.map((p) => p.settings ?? {})) as EmulatorSettings;
  return {
    name: parts.some((p, j) => p !== FACTORS[j]!.readings[0])
      ? parts
          .filter((p, j) => p !== FACTORS[j]!.readings[0])
          .map((p) => p.label)
          .join(', ')
      : 'the default readings',
    settings,
    retries: parts.find((p) => p.retries)?.retries,
    connection: {
      statusDetailsUpdate: settings.statusDetailsUpdate,
      statusDetailsValueLength: settings.statusDetailsValueLength,
    },
  };
}

/**
 * The readings a step must work under. By default (CI) a pairwise cover: every reading of every setting, and every
 * pair of readings of any two settings, in 6 combinations, the first all defaults. `READINGS=all` runs the full
 * cross-product (2^9 = 512 combinations; combine with `FAULT_SCHEDULES=n` to bound the fault schedules' time).
 */
export const READINGS: readonly Reading[] = (
  process.env.READINGS === 'all' ? allRows(FACTORS.length) : pairwiseRows(FACTORS.length)
).map(readingOf);

/** One admin request signed by the fixture key, as a `Response` (for tests of its status). */
export async function adminRequest(url: string, method: string, path: string, body?: unknown): Promise<Response> {
  const reply = await new EmulatorClient(url, FIXTURE_CREDENTIALS).adminReply(method, path, body);
  return new Response(reply.text, { status: reply.status, headers: reply.headers });
}

/** The emulator's admin and seeding side for tests, signed by the fixture key. */
export class EmulatorFixture extends EmulatorClient {
  /** The emulator itself, when `useEmulator` started it. */
  running: RunningEmulator | undefined;

  constructor(url: string | (() => string)) {
    super(url, FIXTURE_CREDENTIALS);
  }

  /** The emulator `useEmulator` started (its admin token…). */
  get emulator(): RunningEmulator {
    if (!this.running) throw new Error('the emulator is not running: use the fixture from a hook or a test');
    return this.running;
  }

  async iot(): Promise<IotDump> {
    return ((await this.admin('GET', 'state')) as { iot: IotDump }).iot;
  }

  async execution(thingName: string, jobId: string): Promise<DumpExecution> {
    const found = (await this.iot()).executions.find((e) => e.thingName === thingName && e.jobId === jobId);
    if (!found) throw new Error(`no execution of ${jobId} on ${thingName} in the dump`);
    return found;
  }

  /**
   * Fresh state, once every request already sent has landed: a request an earlier test sent under a latency fault
   * and gave up on lands (and is applied and logged) before the reset, never in the next test's state or log.
   */
  override async reset(): Promise<unknown> {
    await this.settle();
    return super.reset();
  }

  /** An empty request log, once every request already sent has landed in it (see `reset`). */
  override async clearRequests(): Promise<unknown> {
    await this.settle();
    return super.clearRequests();
  }

  /** The request log, once every request already sent has landed in it: a count or list of it is complete. */
  async requests(): Promise<LoggedRequest[]> {
    await this.settle();
    return (await this.admin('GET', 'requests')) as LoggedRequest[];
  }

  /**
   * Resolves once every queued fault has been taken by a request: the requests it was queued for have reached the
   * emulator (a test that must act while they are in flight waits for this, not for a guessed time).
   */
  async faultsTaken(): Promise<void> {
    await eventually(
      async () => ((await this.admin('GET', 'faults')) as unknown[]).length === 0,
      'the queued faults to be taken',
    );
  }

  setTerminalStateOnDescribe(value: boolean): Promise<unknown> {
    return this.admin('POST', 'settings', { terminalStateOnDescribe: value });
  }

  /**
   * A fresh account under one reading, for re-run tests: the emulator reset and set to `reading`, and one thing per
   * terminal status (`RERUN_THINGS`) targeted by job fw-42 with the reading's retry configuration.
   */
  async rerunFixture(reading: Pick<Reading, 'settings' | 'retries'>): Promise<void> {
    await this.reset();
    await this.settings(reading.settings);
    const things = Object.values(RERUN_THINGS);
    await this.seed(things, [{ jobId: 'fw-42', targets: things, retries: reading.retries }]);
  }

  /** A thing's executions of a job, first to latest (retries after the execution they retry). */
  async executions(thingName: string, jobId: string): Promise<DumpExecution[]> {
    return (await this.iot()).executions.filter((e) => e.thingName === thingName && e.jobId === jobId);
  }
}

/**
 * The emulator of a test file: started on a free port before the file's tests and closed after them; with auth on
 * for the fixture key, or as `options` say (`{}`: no auth). The fixture it returns is usable from the file's hooks
 * and tests on.
 *
 * @example const fx = useEmulator(); beforeEach(() => fx.reset());
 */
export function useEmulator(options?: EmulatorOptions): EmulatorFixture {
  const fx: EmulatorFixture = new EmulatorFixture(() => fx.emulator.url);
  beforeAll(async () => {
    fx.running = await startEmulator({ port: 0, ...(options ?? { auth: { credentials: [FIXTURE_CREDENTIALS] } }) });
  });
  afterAll(async () => {
    await fx.running?.close();
    fx.running = undefined;
  });
  return fx;
}
