/**
 * Randomised fault schedules (fast-check, seeded): a full job lifecycle through both core steps, with throttles,
 * 503s, resets, apply-then-reset and delays injected before and between its requests. For every schedule the
 * final state equals the fault-free run's, every step succeeds and leaves exactly what it asked for, and a step
 * that reports `changed: true` did change the state. A failing schedule is shrunk and printed by fast-check.
 */
import fc from 'fast-check';

import { Connection, updateJob, updateJobExecution, type StepOptions } from '../core/index';
import { startEmulator, type RunningEmulator } from '../emulator/index';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { EmulatorFixture, type FaultRule } from './helpers/emulator';
import { importExportJobs, manifest } from './helpers/importexport';

const RUNS = Number(process.env.FAULT_SCHEDULES ?? 500);
const SEED = Number(process.env.FAULT_SEED ?? 20261123);

let emu: RunningEmulator;
let fx: EmulatorFixture;
let aws: Connection;
/** No real waiting between retries: the schedule, not the clock, is under test. */
const options: StepOptions = { sleep: async () => {}, random: () => 0.5 };

beforeAll(async () => {
  emu = await startEmulator({ port: 0, auth: { credentials: [FIXTURE_CREDENTIALS] } });
  fx = new EmulatorFixture(emu.url);
  aws = new Connection({ region: 'us-east-1', endpoint: emu.url, credentials: FIXTURE_CREDENTIALS, maxAttempts: 12 });
});

afterAll(async () => {
  aws.destroy();
  await emu.close();
});

type Step = { kind: 'execution'; status: string; details: Record<string, string> } | { kind: 'job'; manifest: string };

/** The lifecycle: start, progress, a job manifest change, success, and the success re-sent. */
const LIFECYCLE: readonly Step[] = [
  { kind: 'execution', status: 'IN_PROGRESS', details: { step: 'download' } },
  { kind: 'execution', status: 'IN_PROGRESS', details: { step: 'flash' } },
  { kind: 'job', manifest: manifest({ deviceId: '424242' }) },
  { kind: 'execution', status: 'SUCCEEDED', details: { step: 'done' } },
  { kind: 'execution', status: 'SUCCEEDED', details: { step: 'done' } },
];

const OPERATIONS = {
  execution: ['UpdateJobExecution', 'DescribeJobExecution'],
  job: ['UpdateJob', 'GetStatus'],
} as const;

const fault = (kind: Step['kind']): fc.Arbitrary<FaultRule> =>
  fc.record({
    kind: fc.constantFrom('throttle', 'unavailable', 'reset', 'apply-then-reset', 'latency'),
    operation: fc.constantFrom(...OPERATIONS[kind]),
    count: fc.integer({ min: 1, max: 2 }),
    latencyMs: fc.integer({ min: 1, max: 15 }),
  });

/** Faults queued before each step of the lifecycle. */
const schedule = fc.tuple(...LIFECYCLE.map((s) => fc.array(fault(s.kind), { maxLength: 3 })));

interface Snapshot {
  execution: [string, Record<string, string>];
  history: number;
  manifest: string;
  updates: number;
}

async function snapshot(): Promise<Snapshot> {
  const e = await fx.execution('gw-7', 'fw-42');
  const [job] = await importExportJobs(emu.url);
  return {
    execution: [e.status, e.statusDetails],
    history: e.history.length,
    manifest: job!.manifest,
    updates: job!.updateCount,
  };
}

async function fresh(): Promise<void> {
  await fx.reset();
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
  await aws.importExportClient().createJob({ manifest: manifest(), jobType: 'Import', validateOnly: false });
}

async function runStep(step: Step): Promise<boolean> {
  if (step.kind === 'job') {
    return (await updateJob({ JobId: 'JOB01', Manifest: step.manifest, JobType: 'Import' }, aws, options)).changed;
  }
  const input = { thingName: 'gw-7', jobId: 'fw-42', status: step.status, statusDetails: step.details };
  return (await updateJobExecution(input, aws, options)).changed;
}

/** Runs the lifecycle under a schedule, checking each step's promise; returns the final state. */
async function lifecycle(faults: readonly (readonly FaultRule[])[]): Promise<Snapshot> {
  await fresh();
  for (const [i, step] of LIFECYCLE.entries()) {
    for (const rule of faults[i] ?? []) await fx.fault(rule);
    const before = await snapshot();
    const changed = await runStep(step);
    await fx.admin('DELETE', 'faults');
    const after = await snapshot();
    // Success means the state is what the step asked for.
    if (step.kind === 'job') expect(after.manifest).toBe(step.manifest);
    else expect(after.execution).toEqual([step.status, step.details]);
    // No double effect: a lost answer is settled, not applied again (IN_PROGRESS → IN_PROGRESS is the exception the
    // service allows, so a retried progress report may count twice).
    if (step.kind === 'job') expect(after.updates - before.updates).toBeLessThanOrEqual(1);
    else if (step.status !== 'IN_PROGRESS') expect(after.history - before.history).toBeLessThanOrEqual(1);
    // changed: true only when the step's target changed during the step.
    if (changed)
      expect(step.kind === 'job' ? after.updates > before.updates : after.history > before.history).toBe(true);
  }
  return snapshot();
}

test(`${RUNS} fault schedules end where the fault-free run ends`, async () => {
  const clean = await lifecycle(LIFECYCLE.map(() => []));
  expect(clean.execution).toEqual(['SUCCEEDED', { step: 'done' }]);
  await fc.assert(
    fc.asyncProperty(schedule, async (faults) => {
      const final = await lifecycle(faults);
      expect([final.execution, final.manifest]).toEqual([clean.execution, clean.manifest]);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: false },
  );
}, 600_000);
