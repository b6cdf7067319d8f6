/**
 * Deadlines: a step given a total time ends within 10% of it whatever the faults (slow answers, endless
 * throttling, 503s, resets), with a `timeout` error. Real waits here: the deadline is the property under test. What
 * a busy machine adds (the process not being scheduled when its timer is due) is measured, as the event loop's
 * longest delay during the step, and allowed on top: the 10% is the step's own overrun.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { Connection, StepError, updateJob, updateJobExecution } from '../core/index';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { type FaultRule, useEmulator } from './helpers/emulator';
import { createImportExportJob, manifest } from './helpers/importexport';

/**
 * Long enough that the work after the deadline passes (ending the request, building the error: a few ms, but tens of
 * ms on a starved CPU) is not what the 10% measures; the faults' own waits are far longer than this.
 */
const DEADLINE_MS = 2_000;

const fx = useEmulator();
let aws: Connection;

beforeAll(async () => {
  aws = new Connection({
    region: 'us-east-1',
    endpoint: fx.url,
    credentials: FIXTURE_CREDENTIALS,
    deadlineMs: DEADLINE_MS,
    maxAttempts: 50,
  });
});

afterAll(async () => {
  aws.destroy();
});

beforeEach(async () => {
  await fx.reset();
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
  await createImportExportJob(fx.url);
});

// The connection in use, as a gateway's is: the SDK loads and compiles its request path on a client's first call
// (≈ 80 ms here), before the HTTP handler's attempt timer starts, which a cold first step adds to its deadline.
beforeAll(async () => {
  await fx.reset();
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
  await updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'IN_PROGRESS' }, aws);
});

const schedules: [string, FaultRule[]][] = [
  ['a slow answer', [{ kind: 'latency', latencyMs: 5000 }]],
  ['endless throttling', [{ kind: 'throttle', count: 1000 }]],
  ['endless 503s', [{ kind: 'unavailable', count: 1000 }]],
  ['endless resets', [{ kind: 'reset', count: 1000 }]],
  [
    '503s, then slow answers',
    [
      { kind: 'unavailable', count: 2 },
      { kind: 'latency', latencyMs: 5000, count: 1000 },
    ],
  ],
];

describe.each([
  ['update-job-execution', () => updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'IN_PROGRESS' }, aws)],
  ['update-job', () => updateJob({ JobId: 'JOB01', Manifest: manifest({ deviceId: '1' }), JobType: 'Import' }, aws)],
] as [string, () => Promise<unknown>][])('%s', (_, step) => {
  test.each(schedules)('%s: timeout within 10%% of the deadline', async (__, faults) => {
    for (const rule of faults) await fx.fault(rule);
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const started = performance.now();
    const outcome = await step().then(
      () => undefined,
      (error: unknown) => error,
    );
    const elapsed = performance.now() - started;
    lag.disable();
    expect(outcome).toBeInstanceOf(StepError);
    expect((outcome as StepError).code).toBe('timeout');
    // Nanoseconds; what the machine's load delayed the due timers by, at most.
    const starved = lag.max / 1e6;
    expect(elapsed).toBeLessThanOrEqual(DEADLINE_MS * 1.1 + starved);
  });
});
