/**
 * The emulator from the tests: the one emulator client (emulator/client.ts), signed by the fixture credentials, with
 * the reads of its state dump that tests assert on.
 */
import { EMULATOR_ARN_PREFIX, EmulatorClient, type HttpReply, type SeedJob } from '../../emulator/client';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index';
import type { FaultRequest } from '../../emulator/faults';
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
export interface EmulatorReadings {
  terminalStateOnDescribe?: boolean;
  conflictExecutionState?: boolean;
}

/**
 * Every combination of the readings a step must work under: DescribeJobExecution of a terminal execution (410 or
 * 200), a 409's body (with or without executionState), and jobs with and without a retry configuration.
 */
export const READINGS: readonly {
  readonly name: string;
  readonly settings: Required<EmulatorReadings>;
  readonly retries: SeedJob['retries'];
}[] = [true, false].flatMap((terminalStateOnDescribe) =>
  [true, false].flatMap((conflictExecutionState) =>
    [undefined, [{ failureType: 'FAILED' as const, numberOfRetries: 2 }]].map((retries) => ({
      name:
        `describe of a terminal execution ${terminalStateOnDescribe ? '410' : '200'}, ` +
        `409 ${conflictExecutionState ? 'with' : 'without'} executionState, ` +
        `${retries ? 'retry on FAILED' : 'no retry config'}`,
      settings: { terminalStateOnDescribe, conflictExecutionState },
      retries,
    })),
  ),
);

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
  async rerunFixture(reading: Pick<(typeof READINGS)[number], 'settings' | 'retries'>): Promise<void> {
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
