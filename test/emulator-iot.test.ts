/**
 * The IoT Jobs emulator (both planes) driven over real HTTP by clients nobody here wrote: the AWS CLI v1 and the
 * v3 `@aws-sdk/client-iot-jobs-data-plane`, with signature checking on. Fixtures that only need to exist are
 * seeded with SigV4-signed HTTP requests (fast); the CLI seeds the lifecycle test itself.
 */
import {
  DescribeJobExecutionCommand,
  GetPendingJobExecutionsCommand,
  IoTJobsDataPlaneClient,
  StartNextPendingJobExecutionCommand,
  UpdateJobExecutionCommand,
  type StartNextPendingJobExecutionCommandInput,
  type UpdateJobExecutionCommandInput,
} from '@aws-sdk/client-iot-jobs-data-plane';

import { startEmulator, type RunningEmulator } from '../emulator/index';
import { HISTORY_LIMIT } from '../emulator/iot-jobs';
import { DEFAULT_SETTINGS } from '../emulator/types';
import { awsCli, FIXTURE_CREDENTIALS, requireAwsCli, type CliResult } from './helpers/aws-cli';
import {
  ARN_PREFIX,
  EmulatorFixture,
  type DumpExecution,
  type HttpReply,
  type IotDump,
  useEmulator,
} from './helpers/emulator';
import { adminRequest } from './helpers/emulator';

/** CLI v1 exits 255 on a service error (v2 uses 254). */
const CLI_SERVICE_ERROR = 255;

const fx = useEmulator();

beforeAll(async () => {
  requireAwsCli();
});
beforeEach(async () => {
  // Reset also restores the start-up settings, so each test starts from the default.
  await fx.reset();
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers, bound to this file's emulator

const admin = (method: string, path: string, body?: unknown): Promise<unknown> => fx.admin(method, path, body);
const iotDump = (): Promise<IotDump> => fx.iot();
const execution: EmulatorFixture['execution'] = (thing, job) => fx.execution(thing, job);
const advanceClock = (seconds: number): Promise<unknown> => fx.advanceClock(seconds);
const setTerminalStateOnDescribe = (value: boolean): Promise<unknown> => fx.setTerminalStateOnDescribe(value);
const signed: EmulatorFixture['signed'] = (...args) => fx.signed(...args);
const seed: EmulatorFixture['seed'] = (things, jobs) => fx.seed(things, jobs);
const deviceUpdate: EmulatorFixture['deviceUpdate'] = (thing, job, body) => fx.deviceUpdate(thing, job, body);

const cli = (...args: string[]): Promise<CliResult> => awsCli(fx.url, args);

/** Runs the CLI, expects success, and parses stdout (`undefined` when the CLI printed nothing). */
async function cliJson(...args: string[]): Promise<unknown> {
  const result = await cli(...args);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout);
}

/** Runs the CLI, expects a service error, and returns the line it printed. */
async function cliError(...args: string[]): Promise<string> {
  const result = await cli(...args);
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: CLI_SERVICE_ERROR, stdout: '' });
  return result.stderr.trim();
}

const errorLine = (name: string, operation: string, message: string): string =>
  `An error occurred (${name}) when calling the ${operation} operation: ${message}`;

const dataSeconds = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : Math.floor(ms / 1000);

// ---------------------------------------------------------------------------------------------------------------
// The AWS CLI

describe('IoT Jobs emulator through the AWS CLI', () => {
  const thingArn = `${ARN_PREFIX}:thing/dev-1`;

  test('seeds a thing and a job, then walks one execution from QUEUED to SUCCEEDED', async () => {
    const created = {
      thingName: 'dev-1',
      thingArn,
      thingId: '00000000-0000-4000-8000-000000000001',
    };
    expect(await cliJson('iot', 'create-thing', '--thing-name', 'dev-1')).toEqual(created);
    // Same name and configuration again succeeds (AWS documents CreateThing as idempotent in that case)…
    expect(await cliJson('iot', 'create-thing', '--thing-name', 'dev-1')).toEqual(created);
    // …a different configuration does not.
    expect(
      await cliError('iot', 'create-thing', '--thing-name', 'dev-1', '--attribute-payload', 'attributes={model=x1}'),
    ).toBe(
      errorLine(
        'ResourceAlreadyExistsException',
        'CreateThing',
        'Thing dev-1 already exists in account with different attributes',
      ),
    );

    const jobArgs = ['iot', 'create-job', '--job-id', 'job-1', '--targets', thingArn, '--document', '{"op":"flash"}'];
    expect(await cliJson(...jobArgs, '--description', 'firmware 2')).toEqual({
      jobArn: `${ARN_PREFIX}:job/job-1`,
      jobId: 'job-1',
      description: 'firmware 2',
    });
    expect(await cliError(...jobArgs)).toBe(
      errorLine('ResourceAlreadyExistsException', 'CreateJob', 'Job with id job-1 already exists'),
    );

    const queued = await execution('dev-1', 'job-1');
    expect(
      await cliJson('iot-jobs-data', 'describe-job-execution', '--thing-name', 'dev-1', '--job-id', 'job-1'),
    ).toEqual({
      execution: {
        jobId: 'job-1',
        thingName: 'dev-1',
        status: 'QUEUED',
        queuedAt: dataSeconds(queued.queuedAt),
        lastUpdatedAt: dataSeconds(queued.queuedAt),
        versionNumber: 1,
        executionNumber: 1,
        jobDocument: '{"op":"flash"}',
      },
    });

    const update = ['iot-jobs-data', 'update-job-execution', '--thing-name', 'dev-1', '--job-id', 'job-1'];
    expect(
      await cliJson(
        ...update,
        '--status',
        'IN_PROGRESS',
        '--status-details',
        'step=download,progress=50',
        '--expected-version',
        '1',
        '--include-job-execution-state',
        '--step-timeout-in-minutes',
        '10',
      ),
    ).toEqual({
      executionState: {
        status: 'IN_PROGRESS',
        statusDetails: { step: 'download', progress: '50' },
        versionNumber: 2,
      },
    });
    // A retry carrying the version it already moved past is refused, not applied twice.
    expect(await cliError(...update, '--status', 'SUCCEEDED', '--expected-version', '1')).toBe(
      errorLine(
        'InvalidStateTransitionException',
        'UpdateJobExecution',
        'Version mismatch for job execution of job job-1 on thing dev-1: expected version 1, current version 2',
      ),
    );
    // No include flags: AWS answers `{}`, which the CLI prints as nothing.
    expect(await cliJson(...update, '--status', 'SUCCEEDED', '--expected-version', '2')).toBeUndefined();
    expect(await cliError(...update, '--status', 'IN_PROGRESS')).toBe(
      errorLine(
        'InvalidStateTransitionException',
        'UpdateJobExecution',
        'Job execution for job job-1 on thing dev-1 is in terminal state SUCCEEDED and cannot be updated to IN_PROGRESS',
      ),
    );

    const done = await execution('dev-1', 'job-1');
    expect(done).toMatchObject({ status: 'SUCCEEDED', versionNumber: 3 });
    expect(done.stepTimeoutAt).toBeUndefined();
    expect(
      done.history.map(({ operation, from, to, versionNumber }) => ({ operation, from, to, versionNumber })),
    ).toEqual([
      { operation: 'UpdateJobExecution', from: 'QUEUED', to: 'IN_PROGRESS', versionNumber: 2 },
      { operation: 'UpdateJobExecution', from: 'IN_PROGRESS', to: 'SUCCEEDED', versionNumber: 3 },
    ]);
    const [started, finished] = done.history;

    expect(await cliJson('iot', 'describe-job-execution', '--thing-name', 'dev-1', '--job-id', 'job-1')).toEqual({
      execution: {
        jobId: 'job-1',
        status: 'SUCCEEDED',
        statusDetails: { detailsMap: { step: 'download', progress: '50' } },
        thingArn,
        queuedAt: done.queuedAt / 1000,
        startedAt: (started?.at ?? NaN) / 1000,
        lastUpdatedAt: (finished?.at ?? NaN) / 1000,
        executionNumber: 1,
        versionNumber: 3,
      },
    });
    const job = (await iotDump()).jobs[0];
    expect(await cliJson('iot', 'describe-job', '--job-id', 'job-1')).toEqual({
      job: {
        jobArn: `${ARN_PREFIX}:job/job-1`,
        jobId: 'job-1',
        targetSelection: 'SNAPSHOT',
        status: 'COMPLETED',
        targets: [thingArn],
        description: 'firmware 2',
        createdAt: (job?.createdAt ?? NaN) / 1000,
        lastUpdatedAt: (finished?.at ?? NaN) / 1000,
        completedAt: (finished?.at ?? NaN) / 1000,
        jobProcessDetails: {
          numberOfCanceledThings: 0,
          numberOfSucceededThings: 1,
          numberOfFailedThings: 0,
          numberOfRejectedThings: 0,
          numberOfQueuedThings: 0,
          numberOfInProgressThings: 0,
          numberOfRemovedThings: 0,
          numberOfTimedOutThings: 0,
        },
      },
    });
  });

  test('rejects invalid device input and unknown resources with the modelled errors', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    const update = (thing: string, ...rest: string[]): Promise<string> =>
      cliError('iot-jobs-data', 'update-job-execution', '--thing-name', thing, '--job-id', 'job-1', ...rest);
    const invalid = (message: string): string =>
      errorLine('InvalidRequestException', 'UpdateJobExecution', `1 validation error detected: ${message}`);
    // None of these change state, so they can run side by side.
    const [queuedStatus, bogusStatus, badValue, badKey, zeroTimeout, badThing, unknownThing, unknownJob, wrongNumber] =
      await Promise.all([
        update('dev-1', '--status', 'QUEUED'),
        update('dev-1', '--status', 'DONE'),
        update('dev-1', '--status', 'IN_PROGRESS', '--status-details', '{"step":"a\\u0007b"}'),
        update('dev-1', '--status', 'IN_PROGRESS', '--status-details', '{"step one":"x"}'),
        update('dev-1', '--status', 'IN_PROGRESS', '--step-timeout-in-minutes', '0'),
        update('dev 1', '--status', 'IN_PROGRESS'),
        update('dev-2', '--status', 'IN_PROGRESS'),
        cliError('iot-jobs-data', 'describe-job-execution', '--thing-name', 'dev-1', '--job-id', 'job-2'),
        cliError(
          'iot-jobs-data',
          'describe-job-execution',
          '--thing-name',
          'dev-1',
          '--job-id',
          'job-1',
          '--execution-number',
          '7',
        ),
      ]);
    expect(queuedStatus).toBe(
      errorLine(
        'InvalidRequestException',
        'UpdateJobExecution',
        'Invalid status QUEUED: UpdateJobExecution accepts only IN_PROGRESS, SUCCEEDED, FAILED, REJECTED',
      ),
    );
    expect(bogusStatus).toBe(
      invalid(
        "Value 'DONE' at 'status' failed to satisfy constraint: Member must satisfy enum value set: " +
          '[QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT, REJECTED, REMOVED, CANCELED]',
      ),
    );
    expect(badValue).toBe(
      invalid(
        "Value 'a\u0007b' at 'statusDetails.step' failed to satisfy constraint: " +
          'Member must satisfy regular expression pattern: ^[^\\p{C}]+$',
      ),
    );
    expect(badKey).toBe(
      invalid(
        "Value 'step one' at 'statusDetails.key' failed to satisfy constraint: " +
          'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:_-]+$',
      ),
    );
    expect(zeroTimeout).toBe(
      invalid(
        "Value '0' at 'stepTimeoutInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1",
      ),
    );
    expect(badThing).toBe(
      invalid(
        "Value 'dev 1' at 'thingName' failed to satisfy constraint: " +
          'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:_-]+$',
      ),
    );
    expect(unknownThing).toBe(
      errorLine('ResourceNotFoundException', 'UpdateJobExecution', 'Thing dev-2 does not exist'),
    );
    expect(unknownJob).toBe(errorLine('ResourceNotFoundException', 'DescribeJobExecution', 'Job job-2 does not exist'));
    expect(wrongNumber).toBe(
      errorLine(
        'ResourceNotFoundException',
        'DescribeJobExecution',
        'No job execution with executionNumber 7 exists for job job-1 on thing dev-1',
      ),
    );
    expect(await execution('dev-1', 'job-1')).toMatchObject({ status: 'QUEUED', versionNumber: 1, history: [] });
  });

  test('DescribeJobExecution of a terminal execution follows the live terminalStateOnDescribe setting', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    expect((await deviceUpdate('dev-1', 'job-1', { status: 'REJECTED' })).status).toBe(200);
    const describe = ['iot-jobs-data', 'describe-job-execution', '--thing-name', 'dev-1', '--job-id', 'job-1'];

    await setTerminalStateOnDescribe(false);
    expect(await cliJson(...describe, '--no-include-job-document')).toMatchObject({
      execution: { status: 'REJECTED', versionNumber: 2 },
    });
    await setTerminalStateOnDescribe(true);
    expect(await cliError(...describe)).toBe(
      errorLine(
        'TerminalStateException',
        'DescribeJobExecution',
        'Job execution for job job-1 on thing dev-1 is in terminal state REJECTED',
      ),
    );
    // The control plane never answers TerminalStateException.
    expect(await cliJson('iot', 'describe-job-execution', '--thing-name', 'dev-1', '--job-id', 'job-1')).toMatchObject({
      execution: { status: 'REJECTED', versionNumber: 2 },
    });
  });

  test('a step timer expires when the admin clock passes it, and -1 cancels it', async () => {
    // Stopped: the time left reads the same however long each CLI takes to start on a busy machine.
    await fx.freezeClock();
    await seed(['dev-1', 'dev-2'], [{ jobId: 'job-1', targets: ['dev-1', 'dev-2'] }]);
    const update = (thing: string, ...rest: string[]): Promise<CliResult> =>
      cli('iot-jobs-data', 'update-job-execution', '--thing-name', thing, '--job-id', 'job-1', ...rest);
    const [timed, cancelled] = await Promise.all([
      update('dev-1', '--status', 'IN_PROGRESS', '--step-timeout-in-minutes', '10'),
      update('dev-2', '--status', 'IN_PROGRESS', '--step-timeout-in-minutes', '10'),
    ]);
    expect([timed.code, cancelled.code]).toEqual([0, 0]);
    expect((await update('dev-2', '--status', 'IN_PROGRESS', '--step-timeout-in-minutes=-1')).code).toBe(0);

    const running = (await cliJson(
      'iot-jobs-data',
      'describe-job-execution',
      '--thing-name',
      'dev-1',
      '--job-id',
      'job-1',
    )) as { execution: { status: string; approximateSecondsBeforeTimedOut: number } };
    expect(running.execution.status).toBe('IN_PROGRESS');
    expect(running.execution.approximateSecondsBeforeTimedOut).toBe(600);

    const deadline = (await execution('dev-1', 'job-1')).stepTimeoutAt;
    await advanceClock(600);
    expect(await cliJson('iot', 'describe-job-execution', '--thing-name', 'dev-1', '--job-id', 'job-1')).toMatchObject({
      execution: { status: 'TIMED_OUT', versionNumber: 3, lastUpdatedAt: (deadline ?? NaN) / 1000 },
    });
    expect((await update('dev-1', '--status', 'SUCCEEDED')).stderr.trim()).toBe(
      errorLine(
        'InvalidStateTransitionException',
        'UpdateJobExecution',
        'Job execution for job job-1 on thing dev-1 is in terminal state TIMED_OUT and cannot be updated to SUCCEEDED',
      ),
    );
    const [timedOut, stillRunning] = [await execution('dev-1', 'job-1'), await execution('dev-2', 'job-1')];
    expect(timedOut.history.at(-1)).toEqual({
      operation: 'Timeout',
      from: 'IN_PROGRESS',
      to: 'TIMED_OUT',
      statusDetails: timedOut.statusDetails,
      versionNumber: 3,
      at: deadline,
    });
    expect(stillRunning).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 3 });
    expect(stillRunning.stepTimeoutAt).toBeUndefined();
  });

  test('get-pending, $next and start-next hand a device its jobs in order', async () => {
    await seed(
      ['dev-1'],
      [
        { jobId: 'job-a', targets: ['dev-1'] },
        { jobId: 'job-b', targets: ['dev-1'] },
      ],
    );
    const [a, b] = [await execution('dev-1', 'job-a'), await execution('dev-1', 'job-b')];
    const summary = (e: DumpExecution): object => ({
      jobId: e.jobId,
      queuedAt: dataSeconds(e.queuedAt),
      lastUpdatedAt: dataSeconds(e.lastUpdatedAt),
      versionNumber: 1,
      executionNumber: e.executionNumber,
    });
    expect(await cliJson('iot-jobs-data', 'get-pending-job-executions', '--thing-name', 'dev-1')).toEqual({
      inProgressJobs: [],
      queuedJobs: [summary(a), summary(b)],
    });
    expect(
      await cliJson(
        'iot-jobs-data',
        'describe-job-execution',
        '--thing-name',
        'dev-1',
        '--job-id',
        '$next',
        '--no-include-job-document',
      ),
    ).toMatchObject({ execution: { jobId: 'job-a', status: 'QUEUED' } });

    const startNext = ['iot-jobs-data', 'start-next-pending-job-execution', '--thing-name', 'dev-1'];
    const first = (await cliJson(...startNext, '--status-details', 'phase=boot', '--step-timeout-in-minutes', '5')) as {
      execution: Record<string, unknown>;
    };
    const started = await execution('dev-1', 'job-a');
    expect(first.execution).toEqual({
      jobId: 'job-a',
      thingName: 'dev-1',
      status: 'IN_PROGRESS',
      statusDetails: { phase: 'boot' },
      queuedAt: dataSeconds(a.queuedAt),
      startedAt: dataSeconds(started.startedAt),
      lastUpdatedAt: dataSeconds(started.lastUpdatedAt),
      approximateSecondsBeforeTimedOut: first.execution.approximateSecondsBeforeTimedOut,
      versionNumber: 2,
      executionNumber: a.executionNumber,
      jobDocument: '{"action":"reboot"}',
    });
    expect(first.execution.approximateSecondsBeforeTimedOut).toBeLessThanOrEqual(300);
    // A second start-next returns the execution already in progress, unchanged.
    expect(await cliJson(...startNext)).toMatchObject({ execution: { jobId: 'job-a', versionNumber: 2 } });
    expect(await cliJson('iot-jobs-data', 'get-pending-job-executions', '--thing-name', 'dev-1')).toMatchObject({
      inProgressJobs: [{ jobId: 'job-a', versionNumber: 2 }],
      queuedJobs: [{ jobId: 'job-b', versionNumber: 1 }],
    });
    expect((await execution('dev-1', 'job-a')).history).toHaveLength(1);
  });

  test('cancel-job-execution needs --force for IN_PROGRESS and checks --expected-version', async () => {
    await seed(['dev-1', 'dev-2'], [{ jobId: 'job-1', targets: ['dev-1', 'dev-2'] }]);
    expect((await deviceUpdate('dev-2', 'job-1', { status: 'IN_PROGRESS' })).status).toBe(200);
    const cancel = (thing: string, ...rest: string[]): string[] => [
      'iot',
      'cancel-job-execution',
      '--thing-name',
      thing,
      '--job-id',
      'job-1',
      ...rest,
    ];

    expect(await cliJson(...cancel('dev-1'))).toBeUndefined();
    expect(await cliError(...cancel('dev-1'))).toBe(
      errorLine(
        'InvalidStateTransitionException',
        'CancelJobExecution',
        'Job execution for job job-1 on thing dev-1 is in terminal state CANCELED and cannot be canceled',
      ),
    );
    expect(await cliError(...cancel('dev-2'))).toBe(
      errorLine(
        'InvalidStateTransitionException',
        'CancelJobExecution',
        'Job execution for job job-1 on thing dev-2 is IN_PROGRESS; set force to true to cancel it',
      ),
    );
    expect(await cliError(...cancel('dev-2', '--force', '--expected-version', '1'))).toBe(
      errorLine(
        'VersionConflictException',
        'CancelJobExecution',
        'Version mismatch for job execution of job job-1 on thing dev-2: expected version 1, current version 2',
      ),
    );
    expect(
      await cliJson(...cancel('dev-2', '--force', '--expected-version', '2', '--status-details', 'reason=operator')),
    ).toBeUndefined();

    await admin('DELETE', 'requests');
    const [one, two] = [await execution('dev-1', 'job-1'), await execution('dev-2', 'job-1')];
    // --page-size 1 makes the CLI follow nextToken: two pages, merged into one answer.
    expect(await cliJson('iot', 'list-job-executions-for-job', '--job-id', 'job-1', '--page-size', '1')).toEqual({
      executionSummaries: [one, two].map((e) => ({
        thingArn: `${ARN_PREFIX}:thing/${e.thingName}`,
        jobExecutionSummary: {
          status: 'CANCELED',
          queuedAt: e.queuedAt / 1000,
          ...(e.startedAt !== undefined && { startedAt: e.startedAt / 1000 }),
          lastUpdatedAt: e.lastUpdatedAt / 1000,
          executionNumber: e.executionNumber,
          retryAttempt: 0,
        },
      })),
    });
    const log = (await admin('GET', 'requests')) as { operation: string; status: number }[];
    expect(log.map((r) => [r.operation, r.status])).toEqual([
      ['ListJobExecutionsForJob', 200],
      ['ListJobExecutionsForJob', 200],
    ]);
    expect(two).toMatchObject({ status: 'CANCELED', versionNumber: 3 });

    expect(await cliJson('iot', 'describe-job-execution', '--thing-name', 'dev-2', '--job-id', 'job-1')).toMatchObject({
      execution: { status: 'CANCELED', forceCanceled: true, statusDetails: { detailsMap: { reason: 'operator' } } },
    });
    expect(await cliJson('iot', 'describe-job', '--job-id', 'job-1')).toMatchObject({
      job: { status: 'COMPLETED', jobProcessDetails: { numberOfCanceledThings: 2, numberOfQueuedThings: 0 } },
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The v3 SDK

describe('IoT Jobs data plane through @aws-sdk/client-iot-jobs-data-plane', () => {
  let client: IoTJobsDataPlaneClient;

  beforeAll(() => {
    client = new IoTJobsDataPlaneClient({
      endpoint: fx.url,
      region: 'us-east-1',
      credentials: FIXTURE_CREDENTIALS,
      maxAttempts: 1,
    });
  });

  afterAll(() => client.destroy());

  /** The SDK's error for a command, reduced to what a caller branches on. */
  async function sdkError(send: () => Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
    try {
      await send();
    } catch (err) {
      const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
    }
    throw new Error('expected the command to fail');
  }

  test('start-next, update with the state and document back, then describe', async () => {
    await seed(
      ['dev-1'],
      [
        { jobId: 'job-a', targets: ['dev-1'], document: '{"v":1}' },
        { jobId: 'job-b', targets: ['dev-1'] },
      ],
    );
    const pending = await client.send(new GetPendingJobExecutionsCommand({ thingName: 'dev-1' }));
    expect(pending.$metadata.httpStatusCode).toBe(200);
    expect(pending.queuedJobs?.map((j) => [j.jobId, j.versionNumber])).toEqual([
      ['job-a', 1],
      ['job-b', 1],
    ]);

    const started = await client.send(
      new StartNextPendingJobExecutionCommand({ thingName: 'dev-1', statusDetails: { phase: 'download' } }),
    );
    expect(started.execution).toMatchObject({
      jobId: 'job-a',
      status: 'IN_PROGRESS',
      versionNumber: 2,
      statusDetails: { phase: 'download' },
      jobDocument: '{"v":1}',
    });
    expect(started.execution?.approximateSecondsBeforeTimedOut).toBeUndefined();

    const updated = await client.send(
      new UpdateJobExecutionCommand({
        thingName: 'dev-1',
        jobId: 'job-a',
        status: 'SUCCEEDED',
        expectedVersion: 2,
        statusDetails: { phase: 'done', note: 'ünïcode ok ✓' },
        includeJobExecutionState: true,
        includeJobDocument: true,
      }),
    );
    expect({ executionState: updated.executionState, jobDocument: updated.jobDocument }).toEqual({
      executionState: { status: 'SUCCEEDED', statusDetails: { phase: 'done', note: 'ünïcode ok ✓' }, versionNumber: 3 },
      jobDocument: '{"v":1}',
    });
    const bare = await client.send(
      new UpdateJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-b', status: 'IN_PROGRESS' }),
    );
    expect([bare.executionState, bare.jobDocument]).toEqual([undefined, undefined]);

    const next = await client.send(
      new DescribeJobExecutionCommand({ thingName: 'dev-1', jobId: '$next', includeJobDocument: false }),
    );
    expect(next.execution).toMatchObject({ jobId: 'job-b', status: 'IN_PROGRESS', versionNumber: 2 });
    expect(next.execution?.jobDocument).toBeUndefined();

    const a = await execution('dev-1', 'job-a');
    // The older reading: a terminal execution is shown (by default the data plane answers 410, as the model says).
    await setTerminalStateOnDescribe(false);
    const described = await client.send(new DescribeJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-a' }));
    expect(described.execution).toEqual({
      jobId: 'job-a',
      thingName: 'dev-1',
      status: 'SUCCEEDED',
      statusDetails: { phase: 'done', note: 'ünïcode ok ✓' },
      queuedAt: dataSeconds(a.queuedAt),
      startedAt: dataSeconds(a.startedAt),
      lastUpdatedAt: dataSeconds(a.lastUpdatedAt),
      versionNumber: 3,
      executionNumber: a.executionNumber,
      jobDocument: '{"v":1}',
    });
    expect(a.history.map((t) => [t.operation, t.to])).toEqual([
      ['StartNextPendingJobExecution', 'IN_PROGRESS'],
      ['UpdateJobExecution', 'SUCCEEDED'],
    ]);
    // Nothing pending any more once job-b is finished: start-next answers an empty result.
    await client.send(new UpdateJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-b', status: 'FAILED' }));
    const none = await client.send(new StartNextPendingJobExecutionCommand({ thingName: 'dev-1' }));
    expect(none.execution).toBeUndefined();
  });

  test('errors arrive with the modelled name and HTTP status', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    const update = (input: Partial<UpdateJobExecutionCommandInput>) => () =>
      client.send(
        new UpdateJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-1', status: 'IN_PROGRESS', ...input }),
      );
    const describe = () => client.send(new DescribeJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-1' }));

    expect(await sdkError(update({ thingName: 'ghost' }))).toEqual({
      name: 'ResourceNotFoundException',
      status: 404,
      message: 'Thing ghost does not exist',
    });
    expect(await sdkError(update({ status: 'CANCELED' }))).toMatchObject({
      name: 'InvalidRequestException',
      status: 400,
    });
    expect(await sdkError(update({ stepTimeoutInMinutes: 10081 }))).toMatchObject({
      name: 'InvalidRequestException',
      status: 400,
    });
    expect(await sdkError(update({ statusDetails: { step: '' } }))).toMatchObject({
      name: 'InvalidRequestException',
      status: 400,
    });
    expect(await sdkError(update({ expectedVersion: 4 }))).toEqual({
      name: 'InvalidStateTransitionException',
      status: 409,
      message: 'Version mismatch for job execution of job job-1 on thing dev-1: expected version 4, current version 1',
    });
    expect(
      (await client.send(new UpdateJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-1', status: 'FAILED' })))
        .$metadata.httpStatusCode,
    ).toBe(200);
    expect(await sdkError(update({ status: 'SUCCEEDED' }))).toMatchObject({
      name: 'InvalidStateTransitionException',
      status: 409,
    });

    await setTerminalStateOnDescribe(true);
    expect(await sdkError(describe)).toEqual({
      name: 'TerminalStateException',
      status: 410,
      message: 'Job execution for job job-1 on thing dev-1 is in terminal state FAILED',
    });
    await setTerminalStateOnDescribe(false);
    expect((await describe()).execution).toMatchObject({ status: 'FAILED', versionNumber: 2 });
    expect((await execution('dev-1', 'job-1')).history).toHaveLength(1);
  });

  test("the job's in-progress timeout times an execution out and IN_PROGRESS is listed before older QUEUED", async () => {
    await seed(
      ['dev-1'],
      [
        { jobId: 'job-old', targets: ['dev-1'] },
        { jobId: 'job-new', targets: ['dev-1'], timeoutMinutes: 30 },
      ],
    );
    await fx.freezeClock(); // the time left reads the same however slow the machine
    await client.send(new UpdateJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-new', status: 'IN_PROGRESS' }));
    const next = await client.send(new DescribeJobExecutionCommand({ thingName: 'dev-1', jobId: '$next' }));
    expect(next.execution).toMatchObject({ jobId: 'job-new', status: 'IN_PROGRESS' });
    expect(next.execution?.approximateSecondsBeforeTimedOut).toBe(1800);

    await advanceClock(1790);
    const before = await client.send(new DescribeJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-new' }));
    expect(before.execution?.status).toBe('IN_PROGRESS');
    expect(before.execution?.approximateSecondsBeforeTimedOut).toBe(10);

    // The dump expires timers as of the admin clock, so read the deadline before passing it.
    const { inProgressTimeoutAt } = await execution('dev-1', 'job-new');
    await advanceClock(10);
    await setTerminalStateOnDescribe(false);
    const after = await client.send(new DescribeJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-new' }));
    expect(after.execution).toMatchObject({
      status: 'TIMED_OUT',
      versionNumber: 3,
      lastUpdatedAt: dataSeconds(inProgressTimeoutAt),
    });
    expect(after.execution?.approximateSecondsBeforeTimedOut).toBeUndefined();
    expect((await client.send(new GetPendingJobExecutionsCommand({ thingName: 'dev-1' }))).inProgressJobs).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The wire, below what the clients let through

describe('IoT Jobs wire format', () => {
  beforeEach(() => seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]));

  const expectError = (reply: HttpReply, status: number, name: string): void => {
    expect(reply.status).toBe(status);
    expect(reply.headers.get('x-amzn-errortype')).toBe(name);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(reply.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(JSON.parse(reply.text) as object)).toEqual(['message']);
  };

  test('bodies that are not a JSON object, and members of the wrong type, are InvalidRequestException', async () => {
    const cases: unknown[] = [
      '{"status":',
      '["IN_PROGRESS"]',
      { status: 'IN_PROGRESS', includeJobExecutionState: 'true' },
      { status: 'IN_PROGRESS', expectedVersion: 1.5 },
      { status: 'IN_PROGRESS', expectedVersion: '1' },
      { status: 'IN_PROGRESS', statusDetails: ['a'] },
      { status: 'IN_PROGRESS', statusDetails: { step: 5 } },
      { statusDetails: { step: 'x' } },
    ];
    for (const body of cases) expectError(await deviceUpdate('dev-1', 'job-1', body), 400, 'InvalidRequestException');
    expectError(
      await signed('iot-jobs-data', 'GET', '/things/dev-1/jobs/job-1', undefined, { includeJobDocument: 'yes' }),
      400,
      'InvalidRequestException',
    );
    expect(await execution('dev-1', 'job-1')).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });

  test('unrouted requests get a JSON 404, and success carries the request id', async () => {
    expectError(await signed('iot', 'GET', '/nothing/here'), 404, 'UnknownOperationException');
    expectError(await signed('iot-jobs-data', 'DELETE', '/things/dev-1/jobs/job-1'), 404, 'UnknownOperationException');
    // The data plane has no CreateThing: the same path signed for iot-jobs-data is not routed.
    expectError(await signed('iot-jobs-data', 'POST', '/things/dev-1', {}), 404, 'UnknownOperationException');

    const ok = await deviceUpdate('dev-1', 'job-1', { status: 'IN_PROGRESS' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('{}');
    expect(ok.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const cancel = await signed('iot', 'PUT', '/things/dev-1/jobs/job-1/cancel', {}, { force: 'true' });
    expect([cancel.status, cancel.text]).toEqual([200, '']);
  });

  test('CreateJob checks its targets and document', async () => {
    const create = (jobId: string, body: object): Promise<HttpReply> => signed('iot', 'PUT', `/jobs/${jobId}`, body);
    expectError(
      await create('job-2', { targets: [`${ARN_PREFIX}:thing/ghost`], document: '{}' }),
      404,
      'ResourceNotFoundException',
    );
    expectError(await create('job-2', { targets: [] }), 400, 'InvalidRequestException');
    expectError(
      await create('job-2', { targets: [`${ARN_PREFIX}:thing/dev-1`], document: 'x'.repeat(32769) }),
      400,
      'InvalidRequestException',
    );
    expectError(
      await create('job-2', {
        targets: [`${ARN_PREFIX}:thing/dev-1`],
        timeoutConfig: { inProgressTimeoutInMinutes: 0 },
      }),
      400,
      'InvalidRequestException',
    );
    expect((await iotDump()).jobs.map((j) => j.jobId)).toEqual(['job-1']);
  });
});

describe('the emulator without auth', () => {
  let open: RunningEmulator;
  beforeAll(async () => {
    open = await startEmulator({ port: 0, settings: { terminalStateOnDescribe: true } });
  });
  afterAll(() => open.close());
  beforeEach(async () => {
    expect((await adminRequest(open.url, 'POST', 'reset')).status).toBe(200);
  });

  const send = async (method: string, path: string, body?: unknown): Promise<HttpReply> => {
    const res = await fetch(`${open.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  test('unsigned requests are routed by path: the device plane, and the operator cancel on the control plane', async () => {
    expect((await send('POST', '/things/dev-1', {})).status).toBe(200);
    const job = { targets: [`${ARN_PREFIX}:thing/dev-1`], document: '{}' };
    expect((await send('PUT', '/jobs/job-1', job)).status).toBe(200);
    expect((await send('POST', '/things/dev-1/jobs/job-1', { status: 'IN_PROGRESS' })).status).toBe(200);
    // CancelJobExecution shares the /things/{thing}/jobs prefix but belongs to the control plane.
    expect((await send('PUT', '/things/dev-1/jobs/job-1/cancel?force=true', {})).status).toBe(200);
    const described = await send('GET', '/things/dev-1/jobs/job-1');
    expect([described.status, described.headers.get('x-amzn-errortype')]).toEqual([410, 'TerminalStateException']);
  });

  test('a long-running emulator keeps only the most recent execution history', async () => {
    await send('POST', '/things/dev-1', {});
    await send('PUT', '/jobs/job-1', { targets: [`${ARN_PREFIX}:thing/dev-1`], document: '{}' });
    await adminRequest(open.url, 'DELETE', 'requests');
    // Sent as fast as one client can: over the account's write quota, which is not what this test is about.
    await adminRequest(open.url, 'POST', 'quotas', { enabled: false });
    const updates = HISTORY_LIMIT + 5;
    for (let i = 0; i < updates; i++) {
      expect((await send('POST', '/things/dev-1/jobs/job-1', { status: 'IN_PROGRESS' })).status).toBe(200);
    }
    const state = JSON.parse((await send('GET', '/_emulator/state')).text) as { iot: IotDump };
    const [execution] = state.iot.executions;
    expect(execution?.history).toHaveLength(HISTORY_LIMIT);
    expect(execution?.history.at(-1)?.versionNumber).toBe(updates + 1);
    expect(execution?.history[0]?.versionNumber).toBe(updates + 2 - HISTORY_LIMIT);
    const log = JSON.parse((await send('GET', '/_emulator/requests')).text) as unknown[];
    // The request log is bounded the same way (appendBounded), at REQUEST_LOG_LIMIT service requests.
    expect(log).toHaveLength(updates);
  });

  test('reset clears state and restores the start-up settings; the dump sees the admin clock', async () => {
    const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
      const reply = await send(method, `/_emulator/${path}`, body);
      expect(reply.status).toBe(200);
      return JSON.parse(reply.text);
    };
    await send('POST', '/things/dev-1', {});
    await send('PUT', '/jobs/job-1', { targets: [`${ARN_PREFIX}:thing/dev-1`], document: '{}' });
    await send('POST', '/things/dev-1/jobs/job-1', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 1 });
    await admin('POST', 'settings', { terminalStateOnDescribe: false });
    await admin('POST', 'clock', { advanceSeconds: 61 });
    const state = (await admin('GET', 'state')) as { iot: IotDump; settings: object };
    expect(state.iot.executions[0]).toMatchObject({ status: 'TIMED_OUT' });
    expect(state.settings).toEqual({ ...DEFAULT_SETTINGS, terminalStateOnDescribe: false });

    await admin('POST', 'reset');
    const after = (await admin('GET', 'state')) as { iot: IotDump; settings: object };
    expect(after.settings).toEqual(DEFAULT_SETTINGS);
    expect(after.iot.executions).toEqual([]);
  });
});

test('a frozen clock shows the same times to every request until it moves or is reset; bad bodies are refused', async () => {
  const dump = async (): Promise<IotDump> => ((await fx.admin('GET', 'state')) as { iot: IotDump }).iot;
  await fx.freezeClock(1_764_547_200);
  await fx.seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await fx.deviceUpdate('dev-1', 'job-1', { status: 'IN_PROGRESS' });
  expect((await dump()).executions[0]).toMatchObject({ queuedAt: 1_764_547_200_000, lastUpdatedAt: 1_764_547_200_000 });
  await fx.advanceClock(30);
  await fx.deviceUpdate('dev-1', 'job-1', { status: 'SUCCEEDED' });
  expect((await dump()).executions[0]?.lastUpdatedAt).toBe(1_764_547_230_000);
  await fx.freezeClock(false);
  expect((await dump()).executions[0]?.lastUpdatedAt).toBe(1_764_547_230_000);
  for (const body of [{ freeze: 'yes' }, { freeze: 1.5 }, { advanceSeconds: -1 }])
    expect((await fx.adminReply('POST', 'clock', body)).status).toBe(400);
  await fx.freezeClock(1_764_547_200);
  await fx.reset();
  await fx.seed(['dev-2'], []);
  const reply = await fx.admin('POST', 'clock', {});
  expect(reply).toMatchObject({ frozen: false });
});

test('settle: a request still held by a latency fault lands before a reset, never in the state or log after it', async () => {
  await fx.seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
  await fx.fault({ kind: 'latency', latencyMs: 500, operation: 'UpdateJobExecution' });
  // Sent and not awaited, as a client that gave up on its answer leaves it.
  const late = fx.deviceUpdate('dev-1', 'job-1', { status: 'IN_PROGRESS' });
  await fx.faultsTaken();
  // The fixture's reset settles first: the update lands on the state it was sent to, then everything is cleared.
  await fx.reset();
  expect((await late).status).toBe(200);
  expect(await fx.requests()).toEqual([]);
  expect((await iotDump()).executions).toEqual([]);
  // The admin route itself answers only once what is in flight has been applied and logged.
  await fx.seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
  await fx.admin('DELETE', 'requests');
  await fx.fault({ kind: 'latency', latencyMs: 300, operation: 'UpdateJobExecution' });
  const update = fx.deviceUpdate('dev-1', 'job-1', { status: 'IN_PROGRESS' });
  await fx.faultsTaken();
  await fx.admin('POST', 'settle');
  expect(await fx.admin('GET', 'requests')).toEqual([
    expect.objectContaining({ operation: 'UpdateJobExecution', status: 200, fault: 'latency' }),
  ]);
  expect((await fx.execution('dev-1', 'job-1')).status).toBe('IN_PROGRESS');
  await update;
});

describe('the readings of AWS documents, and job execution retries', () => {
  let client: IoTJobsDataPlaneClient;
  beforeAll(() => {
    client = new IoTJobsDataPlaneClient({ endpoint: fx.url, region: 'us-east-1', credentials: FIXTURE_CREDENTIALS });
  });
  afterAll(() => client.destroy());

  const refusal = async (input: UpdateJobExecutionCommandInput): Promise<Record<string, unknown>> => {
    try {
      await client.send(new UpdateJobExecutionCommand(input));
    } catch (error) {
      return error as Record<string, unknown>;
    }
    throw new Error('expected a refusal');
  };

  test('a 409 carries executionState by default (the model), and only its message under the older reading', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    await deviceUpdate('dev-1', 'job-1', { status: 'SUCCEEDED', statusDetails: { r: 'ok' } });
    const terminal = await refusal({ thingName: 'dev-1', jobId: 'job-1', status: 'FAILED' });
    // The v3 SDK copies the unmodelled body member onto the exception.
    expect([terminal.name, terminal.executionState]).toEqual([
      'InvalidStateTransitionException',
      { status: 'SUCCEEDED', statusDetails: { r: 'ok' }, versionNumber: 2 },
    ]);
    await fx.settings({ conflictExecutionState: false });
    const bare = await refusal({ thingName: 'dev-1', jobId: 'job-1', status: 'FAILED' });
    expect([bare.name, bare.executionState]).toEqual(['InvalidStateTransitionException', undefined]);
  });

  test('a stale expectedVersion 409 carries the state too', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    await deviceUpdate('dev-1', 'job-1', { status: 'IN_PROGRESS' });
    const stale = await refusal({ thingName: 'dev-1', jobId: 'job-1', status: 'IN_PROGRESS', expectedVersion: 1 });
    expect(stale.executionState).toEqual({ status: 'IN_PROGRESS', versionNumber: 2 });
  });

  test('the admin API sets each reading, and refuses unknown settings and values outside each reading', async () => {
    expect(await admin('POST', 'settings', { conflictExecutionState: false })).toEqual({
      ...DEFAULT_SETTINGS,
      conflictExecutionState: false,
    });
    expect(
      await admin('POST', 'settings', {
        startNextUpdatesInProgress: true,
        statusDetailsValueLength: 128,
        statusDetailsUpdate: 'merge',
      }),
    ).toEqual({
      ...DEFAULT_SETTINGS,
      conflictExecutionState: false,
      startNextUpdatesInProgress: true,
      statusDetailsValueLength: 128,
      statusDetailsUpdate: 'merge',
    });
    await expect(admin('POST', 'settings', { terminalStateOnDescribe: 'yes' })).rejects.toThrow(
      'terminalStateOnDescribe must be true or false, not yes',
    );
    await expect(admin('POST', 'settings', { startNextUpdatesInProgress: 1 })).rejects.toThrow(
      'startNextUpdatesInProgress must be true or false, not 1',
    );
    await expect(admin('POST', 'settings', { statusDetailsValueLength: 256 })).rejects.toThrow(
      'statusDetailsValueLength must be 1024 or 128, not 256',
    );
    await expect(admin('POST', 'settings', { statusDetailsUpdate: 'append' })).rejects.toThrow(
      'statusDetailsUpdate must be replace or merge, not append',
    );
    await expect(admin('POST', 'settings', { lenient: true })).rejects.toThrow(
      `unknown setting lenient; the settings are ${Object.keys(DEFAULT_SETTINGS).join(', ')}`,
    );
  });

  /** dev-1's start-next through the SDK, with whatever else the request carries. */
  const startNext = async (
    input: Omit<StartNextPendingJobExecutionCommandInput, 'thingName'> = {},
  ): Promise<Record<string, unknown>> => {
    const out = await client.send(new StartNextPendingJobExecutionCommand({ thingName: 'dev-1', ...input }));
    return out.execution as Record<string, unknown>;
  };

  test('start-next starts a QUEUED execution with its statusDetails and step timer under both readings', async () => {
    for (const startNextUpdatesInProgress of [false, true]) {
      await fx.reset();
      await fx.settings({ startNextUpdatesInProgress });
      await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'], timeoutMinutes: 30 }]);
      const started = await startNext({ statusDetails: { phase: 'download' }, stepTimeoutInMinutes: 5 });
      const exec = await execution('dev-1', 'job-1');
      expect(started).toMatchObject({
        jobId: 'job-1',
        status: 'IN_PROGRESS',
        statusDetails: { phase: 'download' },
        versionNumber: 2,
        startedAt: dataSeconds(exec.startedAt),
      });
      expect(exec.stepTimeoutAt).toBe((exec.startedAt ?? NaN) + 5 * 60_000);
      expect(exec.inProgressTimeoutAt).toBe((exec.startedAt ?? NaN) + 30 * 60_000);
      expect(exec.history.map((t) => [t.operation, t.from, t.to, t.versionNumber])).toEqual([
        ['StartNextPendingJobExecution', 'QUEUED', 'IN_PROGRESS', 2],
      ]);
    }
  });

  test('by default start-next hands an IN_PROGRESS execution back as it is (the developer guide), whatever the request carries', async () => {
    await seed(
      ['dev-1'],
      [
        { jobId: 'job-1', targets: ['dev-1'] },
        { jobId: 'job-2', targets: ['dev-1'] },
      ],
    );
    await startNext({ statusDetails: { phase: 'download' }, stepTimeoutInMinutes: 5 });
    const before = await execution('dev-1', 'job-1');
    await advanceClock(60);
    const again = await startNext({ statusDetails: { phase: 'install' }, stepTimeoutInMinutes: 10 });
    expect(again).toMatchObject({
      jobId: 'job-1',
      status: 'IN_PROGRESS',
      statusDetails: { phase: 'download' },
      versionNumber: 2,
      lastUpdatedAt: dataSeconds(before.lastUpdatedAt),
    });
    // The step timer still runs from the first start: about four of its five minutes are left.
    expect(again.approximateSecondsBeforeTimedOut).toBeLessThanOrEqual(240);
    expect(await execution('dev-1', 'job-1')).toEqual(before);
    // The IN_PROGRESS execution is the one handed back; the QUEUED job behind it is not started.
    expect(await execution('dev-1', 'job-2')).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
    await advanceClock(240);
    expect(await execution('dev-1', 'job-1')).toMatchObject({ status: 'TIMED_OUT', versionNumber: 3 });
  });

  test('under startNextUpdatesInProgress, start-next updates an IN_PROGRESS execution as UpdateJobExecution would', async () => {
    await fx.settings({ startNextUpdatesInProgress: true });
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'], timeoutMinutes: 30 }]);
    await startNext({ statusDetails: { phase: 'download' }, stepTimeoutInMinutes: 5 });
    const started = await execution('dev-1', 'job-1');

    // A request with neither member changes nothing under this reading either.
    expect(await startNext()).toMatchObject({ statusDetails: { phase: 'download' }, versionNumber: 2 });
    expect(await execution('dev-1', 'job-1')).toEqual(started);

    await advanceClock(60);
    // statusDetails replace the execution's, as an update's do; the step timer is left as it was.
    expect(await startNext({ statusDetails: { phase: 'install' } })).toMatchObject({
      jobId: 'job-1',
      status: 'IN_PROGRESS',
      statusDetails: { phase: 'install' },
      versionNumber: 3,
    });
    const detailed = await execution('dev-1', 'job-1');
    expect(detailed.lastUpdatedAt).toBeGreaterThanOrEqual(started.lastUpdatedAt + 60_000);
    expect(detailed).toMatchObject({
      startedAt: started.startedAt,
      stepTimeoutAt: started.stepTimeoutAt,
      inProgressTimeoutAt: started.inProgressTimeoutAt,
    });

    // stepTimeoutInMinutes resets the step timer from now; the details stay and the job's in-progress timer runs on.
    const reset = await startNext({ stepTimeoutInMinutes: 10 });
    expect(reset).toMatchObject({ statusDetails: { phase: 'install' }, versionNumber: 4 });
    expect(reset.approximateSecondsBeforeTimedOut).toBeGreaterThan(590);
    expect(reset.approximateSecondsBeforeTimedOut).toBeLessThanOrEqual(600);
    const timed = await execution('dev-1', 'job-1');
    expect(timed.stepTimeoutAt).toBe(timed.lastUpdatedAt + 10 * 60_000);
    expect(timed.inProgressTimeoutAt).toBe(started.inProgressTimeoutAt);
    expect(timed.history.map((t) => [t.operation, t.from, t.to, t.versionNumber])).toEqual([
      ['StartNextPendingJobExecution', 'QUEUED', 'IN_PROGRESS', 2],
      ['StartNextPendingJobExecution', 'IN_PROGRESS', 'IN_PROGRESS', 3],
      ['StartNextPendingJobExecution', 'IN_PROGRESS', 'IN_PROGRESS', 4],
    ]);

    // Past the first timer's deadline the execution still runs; it times out at the reset one.
    await advanceClock(300);
    expect(await execution('dev-1', 'job-1')).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 4 });
    await advanceClock(300);
    const expired = await execution('dev-1', 'job-1');
    expect(expired.history.at(-1)).toEqual({
      operation: 'Timeout',
      from: 'IN_PROGRESS',
      to: 'TIMED_OUT',
      statusDetails: expired.statusDetails,
      versionNumber: 5,
      at: timed.stepTimeoutAt,
    });
  });

  test('startNextUpdatesInProgress is read live, and -1 cancels the step timer under it', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    await fx.settings({ startNextAcceptsCancel: true });
    await startNext({ stepTimeoutInMinutes: 5 });
    expect(await startNext({ stepTimeoutInMinutes: -1 })).toMatchObject({ versionNumber: 2 });
    expect((await execution('dev-1', 'job-1')).stepTimeoutAt).toBeDefined();
    await fx.settings({ startNextUpdatesInProgress: true });
    const cancelled = await startNext({ stepTimeoutInMinutes: -1 });
    expect(cancelled).toMatchObject({ versionNumber: 3 });
    expect(cancelled.approximateSecondsBeforeTimedOut).toBeUndefined();
    expect((await execution('dev-1', 'job-1')).stepTimeoutAt).toBeUndefined();
  });

  test('FAILED with a retry configuration queues the next execution, up to numberOfRetries', async () => {
    await seed(
      ['dev-1'],
      [{ jobId: 'job-1', targets: ['dev-1'], retries: [{ failureType: 'FAILED', numberOfRetries: 1 }] }],
    );
    await deviceUpdate('dev-1', 'job-1', { status: 'FAILED' });
    const pending = await client.send(new GetPendingJobExecutionsCommand({ thingName: 'dev-1' }));
    expect(pending.queuedJobs?.map((j) => [j.jobId, j.executionNumber, j.versionNumber])).toEqual([['job-1', 2, 1]]);
    // Without executionNumber an update goes to the latest execution; with it, to that one.
    expect((await deviceUpdate('dev-1', 'job-1', { status: 'IN_PROGRESS' })).status).toBe(200);
    const first = await refusal({ thingName: 'dev-1', jobId: 'job-1', status: 'IN_PROGRESS', executionNumber: 1 });
    expect(first.executionState).toMatchObject({ status: 'FAILED' });
    expect((await deviceUpdate('dev-1', 'job-1', { status: 'FAILED' })).status).toBe(200);
    const executions = await fx.executions('dev-1', 'job-1');
    expect(executions.map((e) => [e.executionNumber, e.retryAttempt, e.status])).toEqual([
      [1, 0, 'FAILED'],
      [2, 1, 'FAILED'],
    ]);
    const listed = (await cliJson('iot', 'list-job-executions-for-job', '--job-id', 'job-1')) as {
      executionSummaries: { jobExecutionSummary: { executionNumber: number; retryAttempt: number } }[];
    };
    expect(
      listed.executionSummaries.map((s) => [s.jobExecutionSummary.executionNumber, s.jobExecutionSummary.retryAttempt]),
    ).toEqual([
      [1, 0],
      [2, 1],
    ]);
    const job = (await cliJson('iot', 'describe-job', '--job-id', 'job-1')) as { job: object };
    expect(job.job).toMatchObject({
      status: 'COMPLETED',
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 1 }] },
      jobProcessDetails: { numberOfFailedThings: 1, numberOfQueuedThings: 0 },
    });
  });

  test('ALL retries a timed-out execution; a FAILED-only configuration does not', async () => {
    await seed(
      ['dev-1', 'dev-2'],
      [
        { jobId: 'all', targets: ['dev-1'], timeoutMinutes: 1, retries: [{ failureType: 'ALL', numberOfRetries: 3 }] },
        {
          jobId: 'failed',
          targets: ['dev-2'],
          timeoutMinutes: 1,
          retries: [{ failureType: 'FAILED', numberOfRetries: 3 }],
        },
      ],
    );
    await deviceUpdate('dev-1', 'all', { status: 'IN_PROGRESS' });
    await deviceUpdate('dev-2', 'failed', { status: 'IN_PROGRESS' });
    await advanceClock(61);
    expect((await fx.executions('dev-1', 'all')).map((e) => e.status)).toEqual(['TIMED_OUT', 'QUEUED']);
    expect((await fx.executions('dev-2', 'failed')).map((e) => e.status)).toEqual(['TIMED_OUT']);
  });

  test('CreateJob checks jobExecutionsRetryConfig as the model bounds it', async () => {
    await seed(['dev-1'], []);
    const create = (criteriaList: unknown): Promise<HttpReply> =>
      signed('iot', 'PUT', '/jobs/job-x', {
        targets: [`${ARN_PREFIX}:thing/dev-1`],
        document: '{}',
        jobExecutionsRetryConfig: { criteriaList },
      });
    const message = async (criteriaList: unknown): Promise<string> => {
      const reply = await create(criteriaList);
      expect(reply.status).toBe(400);
      return (JSON.parse(reply.text) as { message: string }).message;
    };
    expect(await message([{ failureType: 'FAILED', numberOfRetries: 11 }])).toMatch(
      /numberOfRetries' failed to satisfy constraint/,
    );
    expect(await message([{ failureType: 'SOMETIMES', numberOfRetries: 1 }])).toMatch(/failureType/);
    expect(await message([])).toBe('jobExecutionsRetryConfig.criteriaList must hold 1 to 2 criteria');
    expect(
      await message([
        { failureType: 'FAILED', numberOfRetries: 1 },
        { failureType: 'FAILED', numberOfRetries: 2 },
      ]),
    ).toBe('failureType FAILED appears twice in the criteriaList');
  });

  test('an ok-unapplied fault answers 200 without applying, and the SDK sees an empty output', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    await fx.fault({ kind: 'ok-unapplied', operation: 'UpdateJobExecution' });
    const out = await client.send(
      new UpdateJobExecutionCommand({
        thingName: 'dev-1',
        jobId: 'job-1',
        status: 'SUCCEEDED',
        includeJobExecutionState: true,
      }),
    );
    expect([out.$metadata.httpStatusCode, out.executionState]).toEqual([200, undefined]);
    expect(await execution('dev-1', 'job-1')).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });

  test('a denied operation answers 403 AccessDeniedException, as IAM does', async () => {
    const restricted = {
      accessKeyId: 'AKIARESTRICTED000001',
      secretAccessKey: 's3cret',
      denied: ['iot:DescribeJobExecution'],
    };
    const own = await startEmulator({ port: 0, auth: { credentials: [FIXTURE_CREDENTIALS, restricted] } });
    try {
      const ownFx = new EmulatorFixture(own.url);
      await ownFx.seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
      const result = await awsCli(
        own.url,
        ['iot', 'describe-job-execution', '--thing-name', 'dev-1', '--job-id', 'job-1'],
        {
          credentials: restricted,
        },
      );
      expect(result.stderr.trim()).toBe(
        errorLine(
          'AccessDeniedException',
          'DescribeJobExecution',
          'User: arn:aws:iam::123456789012:user/AKIARESTRICTED000001 is not authorized to perform: iot:DescribeJobExecution',
        ),
      );
    } finally {
      await own.close();
    }
  });
});

describe('the third pass: limits and readings of the Jobs pages', () => {
  let client: IoTJobsDataPlaneClient;
  beforeAll(() => {
    client = new IoTJobsDataPlaneClient({ endpoint: fx.url, region: 'us-east-1', credentials: FIXTURE_CREDENTIALS });
  });
  afterAll(() => client.destroy());

  /** The error a data-plane call ends in, or a failure when it succeeds. */
  const failure = async (send: () => Promise<unknown>): Promise<{ name: string; message: string }> => {
    try {
      await send();
    } catch (error) {
      return error as { name: string; message: string };
    }
    throw new Error('expected a refusal');
  };
  const pairs = (n: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

  test('DescribeJobExecution of $next with nothing pending: 200 without an execution, or 404 under the other reading', async () => {
    await seed(['dev-1'], []);
    const empty = await client.send(new DescribeJobExecutionCommand({ thingName: 'dev-1', jobId: '$next' }));
    expect([empty.$metadata.httpStatusCode, empty.execution]).toEqual([200, undefined]);
    await fx.settings({ describeNextNotFound: true });
    const refused = await failure(() =>
      client.send(new DescribeJobExecutionCommand({ thingName: 'dev-1', jobId: '$next' })),
    );
    expect([refused.name, refused.message]).toEqual([
      'ResourceNotFoundException',
      'No pending job execution exists for thing dev-1',
    ]);
    // An unknown thing is not found under both readings.
    await fx.settings({ describeNextNotFound: false });
    const unknown = await failure(() =>
      client.send(new DescribeJobExecutionCommand({ thingName: 'dev-9', jobId: '$next' })),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
  });

  test('statusDetails: at most 10 pairs; values up to 1,024 characters, or 128 under the limits table', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    const update = (statusDetails: Record<string, string>) => () =>
      client.send(
        new UpdateJobExecutionCommand({ thingName: 'dev-1', jobId: 'job-1', status: 'IN_PROGRESS', statusDetails }),
      );
    const eleven = await failure(update(pairs(11)));
    expect([eleven.name, eleven.message]).toEqual([
      'InvalidRequestException',
      expect.stringMatching(
        /at 'statusDetails' failed to satisfy constraint: Member must have length less than or equal to 10$/,
      ),
    ]);
    await expect(update(pairs(10))()).resolves.toBeDefined();
    const over = await failure(update({ note: 'x'.repeat(1025) }));
    expect(over.message).toMatch(/at 'statusDetails.note' .*less than or equal to 1024$/);
    await expect(update({ note: 'x'.repeat(1024) })()).resolves.toBeDefined();
    await fx.settings({ statusDetailsValueLength: 128 });
    const table = await failure(update({ note: 'x'.repeat(129) }));
    expect(table.message).toMatch(/at 'statusDetails.note' .*less than or equal to 128$/);
    await expect(update({ note: 'x'.repeat(128) })()).resolves.toBeDefined();
    // StartNext and CancelJobExecution check their details the same way.
    await seed(['dev-2'], [{ jobId: 'job-2', targets: ['dev-2'] }]);
    const startNext = await failure(() =>
      client.send(new StartNextPendingJobExecutionCommand({ thingName: 'dev-2', statusDetails: pairs(11) })),
    );
    expect(startNext.name).toBe('InvalidRequestException');
    const cancel = await signed('iot', 'PUT', '/things/dev-2/jobs/job-2/cancel', {
      statusDetails: { n: 'x'.repeat(129) },
    });
    expect(cancel.status).toBe(400);
  });

  test('statusDetails replace by default; under merge the asked pairs are set and the others kept, up to 10', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    const update = (statusDetails: Record<string, string>) =>
      client.send(
        new UpdateJobExecutionCommand({
          thingName: 'dev-1',
          jobId: 'job-1',
          status: 'IN_PROGRESS',
          statusDetails,
          includeJobExecutionState: true,
        }),
      );
    await update({ step: '1', of: '3' });
    expect((await update({ step: '2' })).executionState?.statusDetails).toEqual({ step: '2' });
    await fx.settings({ statusDetailsUpdate: 'merge' });
    await update({ of: '3' });
    expect((await update({ step: '3' })).executionState?.statusDetails).toEqual({ step: '3', of: '3' });
    expect((await execution('dev-1', 'job-1')).history.map((t) => t.statusDetails)).toEqual([
      { step: '1', of: '3' },
      { step: '2' },
      { step: '2', of: '3' },
      { step: '3', of: '3' },
    ]);
    // Nine more keys would leave 11 pairs: refused, nothing changed.
    const crowded = await failure(() => update(pairs(9)));
    expect([crowded.name, crowded.message]).toEqual([
      'InvalidRequestException',
      "The job execution's statusDetails would hold 11 pairs; at most 10 are allowed",
    ]);
    expect(await execution('dev-1', 'job-1')).toMatchObject({
      statusDetails: { step: '3', of: '3' },
      versionNumber: 5,
    });
    // StartNext of a QUEUED execution merges into its (empty) details too.
    await seed(['dev-2'], [{ jobId: 'job-2', targets: ['dev-2'] }]);
    const started = await client.send(
      new StartNextPendingJobExecutionCommand({ thingName: 'dev-2', statusDetails: { phase: 'download' } }),
    );
    expect(started.execution?.statusDetails).toEqual({ phase: 'download' });
  });

  test('GetPendingJobExecutions returns at most 10 executions: IN_PROGRESS first, then the oldest QUEUED', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) => ({
      jobId: `job-${String(i + 1).padStart(2, '0')}`,
      targets: ['dev-1'],
    }));
    await seed(['dev-1'], jobs);
    await deviceUpdate('dev-1', 'job-12', { status: 'IN_PROGRESS' });
    const pending = await client.send(new GetPendingJobExecutionsCommand({ thingName: 'dev-1' }));
    expect(pending.inProgressJobs?.map((j) => j.jobId)).toEqual(['job-12']);
    expect(pending.queuedJobs?.map((j) => j.jobId)).toEqual(jobs.slice(0, 9).map((j) => j.jobId));
  });

  test('job retries: at most 10 for both failure types combined; a TIMED_OUT retry needs a timeoutConfig', async () => {
    await seed(['dev-1'], []);
    const create = async (jobId: string, body: object): Promise<HttpReply> =>
      signed('iot', 'PUT', `/jobs/${jobId}`, { targets: [`${ARN_PREFIX}:thing/dev-1`], document: '{}', ...body });
    const message = (reply: HttpReply): [number, string] => [
      reply.status,
      (JSON.parse(reply.text) as { message: string }).message,
    ];
    const twenty = {
      timeoutConfig: { inProgressTimeoutInMinutes: 5 },
      jobExecutionsRetryConfig: {
        criteriaList: [
          { failureType: 'FAILED', numberOfRetries: 10 },
          { failureType: 'TIMED_OUT', numberOfRetries: 10 },
        ],
      },
    };
    expect(message(await create('twenty', twenty))).toEqual([
      400,
      'jobExecutionsRetryConfig allows up to 10 retries for both failure types combined, not 20',
    ]);
    expect(
      (
        await create('ten', {
          ...twenty,
          jobExecutionsRetryConfig: {
            criteriaList: [
              { failureType: 'FAILED', numberOfRetries: 4 },
              { failureType: 'TIMED_OUT', numberOfRetries: 6 },
            ],
          },
        })
      ).status,
    ).toBe(200);
    const timedOutOnly = {
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 2 }] },
    };
    const all = { jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'ALL', numberOfRetries: 2 }] } };
    for (const [jobId, body] of [
      ['timed-out', timedOutOnly],
      ['all', all],
    ] as const)
      expect(message(await create(jobId, body))).toEqual([
        400,
        'To retry on a TIMED_OUT failure (failureType TIMED_OUT or ALL), the job needs a timeoutConfig',
      ]);
    // The other reading: created, and a step timer's timeout is not retried; a FAILED one still is under ALL.
    await fx.settings({ timeoutRetryNeedsTimeoutConfig: false });
    expect((await create('timed-out', timedOutOnly)).status).toBe(200);
    await deviceUpdate('dev-1', 'timed-out', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 1 });
    await advanceClock(61);
    expect((await fx.executions('dev-1', 'timed-out')).map((e) => e.status)).toEqual(['TIMED_OUT']);
    expect((await create('all', all)).status).toBe(200);
    await deviceUpdate('dev-1', 'all', { status: 'FAILED' });
    expect((await fx.executions('dev-1', 'all')).map((e) => e.status)).toEqual(['FAILED', 'QUEUED']);
  });

  test('StartNextPendingJobExecution refuses stepTimeoutInMinutes -1 by default, takes it under the other reading', async () => {
    await seed(['dev-1'], [{ jobId: 'job-1', targets: ['dev-1'] }]);
    const refused = await failure(() =>
      client.send(new StartNextPendingJobExecutionCommand({ thingName: 'dev-1', stepTimeoutInMinutes: -1 })),
    );
    expect(refused.name).toBe('InvalidRequestException');
    expect(refused.message).toMatch(/stepTimeoutInMinutes/);
    expect(await execution('dev-1', 'job-1')).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
    await fx.settings({ startNextAcceptsCancel: true });
    const started = await client.send(
      new StartNextPendingJobExecutionCommand({ thingName: 'dev-1', stepTimeoutInMinutes: -1 }),
    );
    expect(started.execution).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 2 });
    expect(started.execution?.approximateSecondsBeforeTimedOut).toBeUndefined();
  });
});
