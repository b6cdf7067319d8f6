/**
 * Randomised fault schedules (fast-check, seeded): a full job lifecycle through both core steps, with throttles,
 * 503s, resets, apply-then-reset, 200s that did nothing and delays injected before and between its requests, under
 * every reading of AWS the emulator offers (READINGS). For every schedule the final state equals the fault-free
 * run's, every step succeeds and leaves exactly what it asked for, nothing is applied twice (no resend lands on a
 * retry execution), and `changed` is honest: it equals whether the version of the execution (or the job) the step
 * acted on moved during the step. A failing schedule is shrunk and printed by fast-check.
 */
import fc from 'fast-check';

import { Connection, updateJob, updateJobExecution, type StepOptions } from '../core/index';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { READINGS, type FaultRule, type Reading, useEmulator } from './helpers/emulator';
import { createImportExportJob, importExportJobs, manifest } from './helpers/importexport';

/** Schedules per reading; READINGS.length times this run in all. */
const RUNS = Number(process.env.FAULT_SCHEDULES ?? 150);
const SEED = Number(process.env.FAULT_SEED ?? 20261123);

const fx = useEmulator();
let aws: Connection;
/** No real waiting between retries: the schedule, not the clock, is under test. */
const options: StepOptions = { sleep: async () => {}, random: () => 0.5 };
afterAll(async () => {
  aws?.destroy();
});

type Step =
  | { kind: 'execution'; thing: string; status: string; details: Record<string, string> }
  | { kind: 'job'; manifest: string };

/**
 * The lifecycle: gw-7 starts, progresses and succeeds, the success re-sent; gw-8 starts and fails, the failure
 * re-sent (with a retry configuration, AWS queues execution 2 after it, which no resend may touch); a job's
 * manifest changes in between.
 */
const LIFECYCLE: readonly Step[] = [
  { kind: 'execution', thing: 'gw-7', status: 'IN_PROGRESS', details: { step: 'download' } },
  { kind: 'execution', thing: 'gw-7', status: 'IN_PROGRESS', details: { step: 'flash', percent: '50' } },
  { kind: 'execution', thing: 'gw-8', status: 'IN_PROGRESS', details: { step: 'download' } },
  { kind: 'job', manifest: manifest({ deviceId: '424242' }) },
  { kind: 'execution', thing: 'gw-7', status: 'SUCCEEDED', details: { step: 'done' } },
  { kind: 'execution', thing: 'gw-8', status: 'FAILED', details: { step: 'flash' } },
  { kind: 'execution', thing: 'gw-7', status: 'SUCCEEDED', details: { step: 'done' } },
  { kind: 'execution', thing: 'gw-8', status: 'FAILED', details: { step: 'flash' } },
];

const OPERATIONS = {
  execution: ['UpdateJobExecution', 'DescribeJobExecution'],
  job: ['UpdateJob', 'GetStatus'],
} as const;

const fault = (kind: Step['kind']): fc.Arbitrary<FaultRule> =>
  fc.record({
    kind: fc.constantFrom('throttle', 'unavailable', 'reset', 'apply-then-reset', 'ok-unapplied', 'latency'),
    operation: fc.constantFrom(...OPERATIONS[kind]),
    count: fc.integer({ min: 1, max: 2 }),
    latencyMs: fc.integer({ min: 1, max: 15 }),
  });

/** Faults queued before each step of the lifecycle. */
const schedule = fc.tuple(...LIFECYCLE.map((s) => fc.array(fault(s.kind), { maxLength: 3 })));

interface Snapshot {
  /** Per thing, every execution of fw-42 as [number, status, details, history length]. */
  executions: Record<string, [number, string, Record<string, string>, number][]>;
  manifest: string;
  updates: number;
}

async function snapshot(): Promise<Snapshot> {
  const executions: Snapshot['executions'] = {};
  for (const thing of ['gw-7', 'gw-8']) {
    executions[thing] = (await fx.executions(thing, 'fw-42')).map((e) => [
      e.executionNumber,
      e.status,
      e.statusDetails,
      e.history.length,
    ]);
  }
  const [job] = await importExportJobs(fx.url);
  return { executions, manifest: job!.manifest, updates: job!.updateCount };
}

/** A fresh account under one reading: a reset emulator, and a new connection (which remembers nothing of the old). */
async function fresh(reading: Reading): Promise<void> {
  await fx.reset();
  await fx.settings(reading.settings);
  await fx.seed(['gw-7', 'gw-8'], [{ jobId: 'fw-42', targets: ['gw-7', 'gw-8'], retries: reading.retries }]);
  aws?.destroy();
  aws = new Connection({
    region: 'us-east-1',
    endpoint: fx.url,
    credentials: FIXTURE_CREDENTIALS,
    maxAttempts: 12,
    ...reading.connection,
  });
  await createImportExportJob(fx.url);
}

async function runStep(step: Step): Promise<boolean> {
  if (step.kind === 'job') {
    return (await updateJob({ JobId: 'JOB01', Manifest: step.manifest, JobType: 'Import' }, aws, options)).changed;
  }
  const input = { thingName: step.thing, jobId: 'fw-42', status: step.status, statusDetails: step.details };
  return (await updateJobExecution(input, aws, options)).changed;
}

/** Runs the lifecycle under a schedule, checking each step's promise; returns the final state. */
async function lifecycle(reading: Reading, faults: readonly (readonly FaultRule[])[]): Promise<Snapshot> {
  await fresh(reading);
  for (const [i, step] of LIFECYCLE.entries()) {
    for (const rule of faults[i] ?? []) await fx.fault(rule);
    const before = await snapshot();
    const changed = await runStep(step);
    await fx.admin('DELETE', 'faults');
    const after = await snapshot();
    if (step.kind === 'job') {
      // Success means the job has what the step asked for; at most one update; changed exactly when it moved.
      expect(after.manifest).toBe(step.manifest);
      expect(after.updates - before.updates).toBeLessThanOrEqual(1);
      expect(changed).toBe(after.updates > before.updates);
      continue;
    }
    // The execution the step acted on is the thing's first: every resend stays on it.
    const [number, status, details, history] = after.executions[step.thing]![0]!;
    const moved = history - before.executions[step.thing]![0]![3];
    // Under replace the details are the ones asked; under merge they hold every pair asked (and keep earlier ones).
    expect([number, status, details]).toEqual([
      1,
      step.status,
      reading.settings.statusDetailsUpdate === 'merge' ? expect.objectContaining(step.details) : step.details,
    ]);
    // No double effect: a lost terminal answer is settled, not applied again (IN_PROGRESS → IN_PROGRESS is the
    // exception the service allows, so a retried progress report may count twice).
    if (step.status !== 'IN_PROGRESS') expect(moved).toBeLessThanOrEqual(1);
    // No resend reached another execution: a retry, if AWS queued one, is untouched.
    for (const [, retryStatus, , retryHistory] of after.executions[step.thing]!.slice(1))
      expect([retryStatus, retryHistory]).toEqual(['QUEUED', 0]);
    // Honest: changed exactly when this step moved the execution's version.
    expect(changed).toBe(moved > 0);
  }
  return snapshot();
}

describe.each(READINGS)('$name', (reading) => {
  test(`${RUNS} fault schedules end where the fault-free run ends`, async () => {
    const clean = await lifecycle(
      reading,
      LIFECYCLE.map(() => []),
    );
    expect(clean.executions['gw-7']!.map(([n, s]) => [n, s])).toEqual([[1, 'SUCCEEDED']]);
    expect(clean.executions['gw-8']!.map(([n, s]) => [n, s])).toEqual(
      reading.retries
        ? [
            [1, 'FAILED'],
            [2, 'QUEUED'],
          ]
        : [[1, 'FAILED']],
    );
    const outcome = (s: Snapshot): unknown => [
      Object.values(s.executions).map((list) => list.map(([n, status, details]) => [n, status, details])),
      s.manifest,
    ];
    await fc.assert(
      fc.asyncProperty(schedule, async (faults) => {
        const final = await lifecycle(reading, faults);
        expect(outcome(final)).toEqual(outcome(clean));
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
  }, 600_000);
});
