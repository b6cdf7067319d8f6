/**
 * The decision table of update-job-execution (test/helpers/update-decision-table.ts) on the emulator over real HTTP,
 * through the HTTPS transport: the same rows and expectations as on the in-memory transport
 * (core/iot-jobs/operations/update-decisions.test.ts). Each row sets the emulator's readings, seeds the execution by
 * the device's own reports, and queues the first attempt's fault by the emulator's name for it; a never-sent attempt
 * is a link that refuses connections until the step waits to retry (test/helpers/link-switch.ts).
 */
import { Connection, updateJobExecution, type StepOptions } from '../core/index';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';
import { LinkSwitch } from './helpers/link-switch';
import { CONTROL_DESCRIBE } from './helpers/memory-jobs-transport';
import {
  BEFORE,
  DECISION_CASES,
  JOB,
  outcomeOf,
  STEP_INPUT,
  steppedClock,
  THING,
  type DecisionRow,
} from './helpers/update-decision-table';

const fx = useEmulator();
let link: LinkSwitch;

beforeAll(async () => {
  link = await LinkSwitch.onFreePort(Number(new URL(fx.url).port));
});
afterAll(async () => {
  await link?.close();
});

/** The row's readings, and the execution before the step as the device made it: QUEUED v1, IN_PROGRESS v2, then v3. */
async function prepare(row: DecisionRow): Promise<void> {
  await fx.reset();
  await fx.settings(row.reading);
  await fx.seed([THING], [{ jobId: JOB, targets: [THING] }]);
  const before = BEFORE[row.before];
  const reports = [{ status: 'IN_PROGRESS', statusDetails: { a: '1' } }];
  if (before.status !== 'IN_PROGRESS')
    reports.push({ status: before.status, statusDetails: { ...before.statusDetails } });
  for (const report of reports) {
    const reply = await fx.deviceUpdate(THING, JOB, report);
    if (reply.status !== 200) throw new Error(`seeding ${row.before} answered ${reply.status}: ${reply.text}`);
  }
  const seeded = await fx.execution(THING, JOB);
  expect({ status: seeded.status, statusDetails: seeded.statusDetails, versionNumber: seeded.versionNumber }).toEqual(
    before,
  );
  if (row.first === 'reset' || row.first === 'apply-then-reset')
    await fx.fault({ kind: row.first, service: 'iot-jobs-data', operation: 'UpdateJobExecution', count: 1 });
  await fx.clearRequests();
}

/** Before a retry the link comes up, if it was down. */
const options = (): StepOptions => steppedClock(() => link.open());

test.each(DECISION_CASES)('%s', async (_name, row, expected) => {
  await prepare(row);
  // A never-sent first attempt: the link is down until the step waits to retry.
  await link.close();
  const aws = new Connection({
    region: 'us-east-1',
    endpoint: row.first === 'never-sent' ? link.url : fx.url,
    credentials: FIXTURE_CREDENTIALS,
    // A fresh connection: no memory of the execution. Its reading of details is the emulator's for the row.
    statusDetailsUpdate: row.reading.statusDetailsUpdate,
    attemptTimeoutMs: 30_000,
  });
  try {
    const got = await outcomeOf(updateJobExecution(STEP_INPUT, aws, options()));
    expect(got).toEqual({ outcome: expected.outcome, attempts: expected.attempts });
    const requests = (await fx.requests()).map((r) => (r.service === 'iot' ? CONTROL_DESCRIBE : r.operation));
    expect(requests).toEqual(expected.requests);
    const after = await fx.execution(THING, JOB);
    expect({ status: after.status, statusDetails: after.statusDetails, versionNumber: after.versionNumber }).toEqual(
      expected.execution,
    );
  } finally {
    aws.destroy();
    await link.close();
  }
});
