/**
 * The device side's finding steps against the emulator over HTTP, auth on, through the real v3 SDK client:
 * describe-job-execution (by id and `$next`), get-pending-job-executions, and start-next-pending-job-execution as
 * a step (a re-run changes nothing, a lost answer is settled and not sent twice), under both readings of what
 * start-next does to an execution already IN_PROGRESS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { toStepError } from '../core/shared/aws-errors';
import {
  definition as describeDefinition,
  describeJobExecution,
} from '../core/iot-jobs/operations/describe-job-execution';
import { getPendingJobExecutions } from '../core/iot-jobs/operations/get-pending-job-executions';
import { Connection, describeFailure, type StepError, type StepOptions } from '../core/index';
import { saysNothingPending } from '../core/iot-jobs/no-pending-execution';
import {
  definition as startNextDefinition,
  startNextPendingJobExecution,
} from '../core/iot-jobs/operations/start-next-pending-job-execution';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';
import { expectStepError } from './helpers/steps';

const fx = useEmulator();
let aws: Connection;

/** No real waiting between retries. */
const fast: StepOptions = { sleep: async () => {}, random: () => 0.5 };
afterAll(async () => {
  aws.destroy();
});

beforeEach(async () => {
  await fx.reset();
  aws?.destroy();
  aws = new Connection({ region: 'us-east-1', endpoint: fx.url, credentials: FIXTURE_CREDENTIALS });
  await fx.seed(
    ['gw-7', 'gw-9'],
    [
      { jobId: 'fw-42', targets: ['gw-7'], document: '{"firmware":"4.2"}' },
      { jobId: 'fw-43', targets: ['gw-7'] },
    ],
  );
  await fx.clearRequests();
});

const operations = async (): Promise<string[]> =>
  (await fx.requests()).map((r) => `${r.operation} ${r.status}${r.fault ? ` ${r.fault}` : ''}`);

describe('describe-job-execution', () => {
  test('one execution, the document by default; $next is the oldest pending', async () => {
    const one = await describeJobExecution({ thingName: 'gw-7', jobId: 'fw-43' }, aws);
    expect(one).toMatchObject({
      changed: false,
      attempts: 1,
      execution: { jobId: 'fw-43', thingName: 'gw-7', status: 'QUEUED', versionNumber: 1, executionNumber: 1 },
    });
    expect(one.execution?.jobDocument).toBe('{"action":"reboot"}');
    const next = await describeJobExecution({ thingName: 'gw-7', jobId: '$next', includeJobDocument: 'false' }, aws);
    expect(next.execution).toMatchObject({ jobId: 'fw-42', status: 'QUEUED' });
    expect(next.execution).not.toHaveProperty('jobDocument');
  });

  test('throttling and a lost answer are retried: a read is safe to send again', async () => {
    await fx.fault({ kind: 'throttle', operation: 'DescribeJobExecution' });
    await fx.fault({ kind: 'apply-then-reset', operation: 'DescribeJobExecution' });
    const read = await describeJobExecution({ thingName: 'gw-7', jobId: 'fw-42' }, aws, fast);
    expect(read).toMatchObject({ changed: false, attempts: 3, execution: { status: 'QUEUED' } });
  });

  test.each([
    [{ thingName: 'gw-7', jobId: 'nope' }, 'not-found', 'DescribeJobExecution gw-7/nope: ResourceNotFoundException'],
    [
      { thingName: 'gw-99', jobId: '$next' },
      'not-found',
      'DescribeJobExecution gw-99/$next: ResourceNotFoundException',
    ],
    [{ thingName: 'gw-7', jobId: 'fw 42' }, 'invalid-input', 'jobId "fw 42" has characters that are not allowed'],
    [{ thingName: 'gw-7' }, 'invalid-input', 'jobId is required'],
    [
      { thingName: 'gw-7', jobId: 'fw-42', status: 'X' },
      'invalid-input',
      'status is not a field of DescribeJobExecution',
    ],
  ])('%j fails with %s', async (input, code, start) => {
    const error = await expectStepError(describeJobExecution(input, aws, fast));
    expect(error.code).toBe(code);
    expect(describeFailure(error).startsWith(start)).toBe(true);
    if (code === 'invalid-input') expect(await operations()).toEqual([]);
  });

  test('skipUnchanged on a read is refused, not ignored, before anything is sent', async () => {
    for (const step of [
      () => describeJobExecution({ thingName: 'gw-7', jobId: 'fw-42' }, aws, { skipUnchanged: true }),
      () => getPendingJobExecutions({ thingName: 'gw-7' }, aws, { skipUnchanged: true }),
    ])
      expect(await expectStepError(step())).toMatchObject({ code: 'invalid-input', field: 'skipUnchanged' });
    expect(await operations()).toEqual([]);
  });

  test('a finished execution the data plane will not show is terminal-state, not a guess', async () => {
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'SUCCEEDED' });
    const error = await expectStepError(describeJobExecution({ thingName: 'gw-7', jobId: 'fw-42' }, aws));
    expect(error).toMatchObject({ code: 'terminal-state', awsErrorName: 'TerminalStateException' });
  });
});

describe('get-pending-job-executions', () => {
  test('in progress and queued apart, in the order a device gets them', async () => {
    await fx.deviceUpdate('gw-7', 'fw-43', { status: 'IN_PROGRESS' });
    const pending = await getPendingJobExecutions({ thingName: 'gw-7' }, aws);
    expect(pending).toMatchObject({
      changed: false,
      attempts: 1,
      inProgressJobs: [{ jobId: 'fw-43', versionNumber: 2 }],
      queuedJobs: [{ jobId: 'fw-42', versionNumber: 1 }],
    });
    expect(await getPendingJobExecutions({ thingName: 'gw-9' }, aws)).toMatchObject({
      inProgressJobs: [],
      queuedJobs: [],
    });
  });

  test('an unknown thing is not-found; a bad name is refused before sending', async () => {
    expect(await expectStepError(getPendingJobExecutions({ thingName: 'gw-99' }, aws))).toMatchObject({
      code: 'not-found',
      operation: 'GetPendingJobExecutions',
      subject: 'gw-99',
    });
    await fx.clearRequests();
    expect(await expectStepError(getPendingJobExecutions({ thingName: 'gw 7' }, aws))).toMatchObject({
      code: 'invalid-input',
      field: 'thingName',
    });
    expect(await operations()).toEqual([]);
  });
});

describe('start-next-pending-job-execution', () => {
  const start = { thingName: 'gw-7', statusDetails: { step: 'download' }, stepTimeoutInMinutes: undefined };

  test('starts the oldest queued; a re-run gets back the execution it started: changed false, nothing sent', async () => {
    const first = await startNextPendingJobExecution(start, aws);
    expect(first).toMatchObject({
      changed: true,
      attempts: 2,
      execution: { jobId: 'fw-42', status: 'IN_PROGRESS', statusDetails: { step: 'download' }, versionNumber: 2 },
    });
    expect(first.execution?.jobDocument).toBe('{"firmware":"4.2"}');
    await fx.clearRequests();
    const again = await startNextPendingJobExecution(start, aws);
    expect(again).toMatchObject({ changed: false, attempts: 1, execution: { jobId: 'fw-42', versionNumber: 2 } });
    expect(await operations()).toEqual(['DescribeJobExecution 200']);
    expect((await fx.execution('gw-7', 'fw-42')).history).toHaveLength(1);
    expect((await fx.execution('gw-7', 'fw-43')).status).toBe('QUEUED');
  });

  test('a lost answer is settled by reading, not sent twice', async () => {
    await fx.fault({ kind: 'apply-then-reset', operation: 'StartNextPendingJobExecution' });
    const result = await startNextPendingJobExecution(start, aws, fast);
    expect(result).toMatchObject({ changed: true, attempts: 3, execution: { jobId: 'fw-42', status: 'IN_PROGRESS' } });
    expect(await operations()).toEqual([
      'DescribeJobExecution 200',
      'StartNextPendingJobExecution reset apply-then-reset',
      'DescribeJobExecution 200',
    ]);
    expect((await fx.execution('gw-7', 'fw-42')).history).toHaveLength(1);
    expect((await fx.execution('gw-7', 'fw-43')).status).toBe('QUEUED');
  });

  test('a reset before it was applied is sent again, once', async () => {
    await fx.fault({ kind: 'reset', operation: 'StartNextPendingJobExecution' });
    const result = await startNextPendingJobExecution(start, aws, fast);
    expect(result).toMatchObject({ changed: true, execution: { jobId: 'fw-42', status: 'IN_PROGRESS' } });
    expect(await operations()).toEqual([
      'DescribeJobExecution 200',
      'StartNextPendingJobExecution reset reset',
      'DescribeJobExecution 200',
      'StartNextPendingJobExecution 200',
    ]);
    expect((await fx.execution('gw-7', 'fw-42')).history).toHaveLength(1);
  });

  test('a 200 that started nothing is not taken for a start', async () => {
    await fx.fault({ kind: 'ok-unapplied', operation: 'StartNextPendingJobExecution' });
    const settled = await startNextPendingJobExecution({ thingName: 'gw-7' }, aws, fast);
    expect(settled).toMatchObject({ changed: true, execution: { jobId: 'fw-42', status: 'IN_PROGRESS' } });
    expect((await operations()).filter((o) => o.startsWith('StartNext'))).toEqual([
      'StartNextPendingJobExecution 200 ok-unapplied',
      'StartNextPendingJobExecution 200',
    ]);

    await fx.fault({ kind: 'ok-unapplied', operation: 'StartNextPendingJobExecution', count: 10 });
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'SUCCEEDED' });
    const error = await expectStepError(startNextPendingJobExecution({ thingName: 'gw-7' }, aws, fast));
    expect(error).toMatchObject({ code: 'unconfirmed', retryable: true });
    expect(error.message).toBe('the service answered success but showed no execution, though fw-43 was pending');
    expect((await fx.execution('gw-7', 'fw-43')).status).toBe('QUEUED');
  });

  test('nothing pending: no execution, changed false, noPendingExecution true', async () => {
    const result = await startNextPendingJobExecution({ thingName: 'gw-9' }, aws);
    expect(result).toMatchObject({ changed: false, attempts: 2, noPendingExecution: true });
    expect(result).not.toHaveProperty('execution');
    expect(startNextDefinition.statusText(result)).toBe('no pending execution');
    const started = await startNextPendingJobExecution({ thingName: 'gw-7' }, aws);
    expect(started).toMatchObject({ changed: true, noPendingExecution: false, execution: { jobId: 'fw-42' } });
  });

  test('an unknown thing is not-found; bad input is refused before sending', async () => {
    expect(await expectStepError(startNextPendingJobExecution({ thingName: 'gw-99' }, aws))).toMatchObject({
      code: 'not-found',
      operation: 'StartNextPendingJobExecution',
    });
    await fx.clearRequests();
    for (const [input, field] of [
      [{ thingName: 'gw-7', stepTimeoutInMinutes: 10081 }, 'stepTimeoutInMinutes'],
      [{ thingName: 'gw-7', statusDetails: { 'a b': '1' } }, 'statusDetails key "a b"'],
      [{ thingName: 'gw-7', jobId: 'fw-42' }, 'jobId'],
    ] as const) {
      expect(await expectStepError(startNextPendingJobExecution(input, aws))).toMatchObject({
        code: 'invalid-input',
        field,
      });
    }
    expect(await operations()).toEqual([]);
  });

  describe.each([false, true])('startNextUpdatesInProgress %s', (updates) => {
    beforeEach(async () => {
      await fx.settings({ startNextUpdatesInProgress: updates });
      await fx.deviceUpdate('gw-7', 'fw-42', { status: 'IN_PROGRESS', statusDetails: { step: 'download' } });
      await fx.clearRequests();
    });

    test('new details for the execution in progress: changed says whether the service applied them', async () => {
      const result = await startNextPendingJobExecution({ thingName: 'gw-7', statusDetails: { step: 'install' } }, aws);
      expect(result).toMatchObject({
        changed: updates,
        execution: {
          jobId: 'fw-42',
          status: 'IN_PROGRESS',
          statusDetails: { step: updates ? 'install' : 'download' },
          versionNumber: updates ? 3 : 2,
        },
      });
      // Sent once: the step's re-run reads first and finds it as the service left it.
      const again = await startNextPendingJobExecution({ thingName: 'gw-7', statusDetails: { step: 'install' } }, aws);
      expect(again.changed).toBe(false);
      expect((await operations()).filter((o) => o.startsWith('StartNext'))).toHaveLength(updates ? 1 : 2);
    });

    test('the same details, or none: nothing is sent', async () => {
      for (const input of [{ thingName: 'gw-7' }, { thingName: 'gw-7', statusDetails: 'step=download' }]) {
        expect(await startNextPendingJobExecution(input, aws)).toMatchObject({
          changed: false,
          execution: { jobId: 'fw-42', versionNumber: 2 },
        });
      }
      expect(await operations()).toEqual(['DescribeJobExecution 200', 'DescribeJobExecution 200']);
    });

    test('a step timer is always sent: only the service can restart it', async () => {
      const result = await startNextPendingJobExecution({ thingName: 'gw-7', stepTimeoutInMinutes: 5 }, aws);
      expect(result.changed).toBe(updates);
      expect(await operations()).toEqual(['DescribeJobExecution 200', 'StartNextPendingJobExecution 200']);
      const timer = (await fx.execution('gw-7', 'fw-42')).stepTimeoutAt;
      if (updates) expect(timer).toEqual(expect.any(Number));
      else expect(timer).toBeUndefined();
    });
  });
});

describe('describe-job-execution of $next with nothing pending: a result, not an error', () => {
  /** An endpoint that answers every request as a wrong endpoint does: 404 ResourceNotFoundException "Not Found". */
  async function notFoundEverywhere(): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer((_, res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException:' });
      res.end('{"message":"Not Found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  describe.each([
    ['200 without an execution', false],
    ['404 ResourceNotFoundException', true],
  ])('answered %s (describeNextNotFound %s)', (_, notFound) => {
    beforeEach(async () => {
      await fx.settings({ describeNextNotFound: notFound });
      await fx.clearRequests();
    });

    test('a thing with nothing pending: noPendingExecution, no execution, in the words start-next uses', async () => {
      const result = await describeJobExecution({ thingName: 'gw-9', jobId: '$next' }, aws, fast);
      expect(result).toEqual({
        changed: false,
        noPendingExecution: true,
        ...(notFound && {
          serviceRefusal: {
            awsErrorName: 'ResourceNotFoundException',
            httpStatus: 404,
            message: 'No pending job execution exists for thing gw-9',
          },
        }),
        attempts: 1,
        requestId: expect.any(String),
      });
      expect(describeDefinition.statusText(result)).toBe('no pending execution');
      expect(describeDefinition.statusText(result)).toBe(
        startNextDefinition.statusText(await startNextPendingJobExecution({ thingName: 'gw-9' }, aws)),
      );
      const field = (name: string): string => describeDefinition.fields.find((f) => f.name === name)!.value(result);
      expect([field('no-pending-execution'), field('job-id'), field('status')]).toEqual(['true', '', '']);
      expect((await operations()).slice(0, 1)).toEqual([`DescribeJobExecution ${notFound ? 404 : 200}`]);
    });

    test('once the last job is done, $next says so; while there is work, noPendingExecution is false', async () => {
      const next = await describeJobExecution({ thingName: 'gw-7', jobId: '$next' }, aws);
      expect(next).toMatchObject({ noPendingExecution: false, execution: { jobId: 'fw-42' } });
      expect(next).not.toHaveProperty('serviceRefusal');
      await fx.deviceUpdate('gw-7', 'fw-42', { status: 'SUCCEEDED' });
      await fx.deviceUpdate('gw-7', 'fw-43', { status: 'FAILED' });
      const none = await describeJobExecution({ thingName: 'gw-7', jobId: '$next' }, aws);
      expect(none).toMatchObject({ changed: false, noPendingExecution: true });
      expect(none).not.toHaveProperty('execution');
    });

    test('$next with an executionNumber that is not the next one is not-found, never "no work"', async () => {
      const error = await expectStepError(
        describeJobExecution({ thingName: 'gw-7', jobId: '$next', executionNumber: 7 }, aws, fast),
      );
      expect(error).toMatchObject({ code: 'not-found', awsErrorName: 'ResourceNotFoundException', httpStatus: 404 });
    });

    test('a 200 that is no answer (the envelope of aws/aws-sdk-js#2539) is not "no work": the step asks again', async () => {
      await fx.fault({ kind: 'ok-unapplied', operation: 'DescribeJobExecution' });
      const next = await describeJobExecution({ thingName: 'gw-7', jobId: '$next' }, aws, fast);
      expect(next).toMatchObject({ noPendingExecution: false, execution: { jobId: 'fw-42' }, attempts: 2 });
      // Where nothing is pending, the envelope is still not taken for the service's empty answer.
      await fx.fault({ kind: 'ok-unapplied', operation: 'DescribeJobExecution' });
      const none = await describeJobExecution({ thingName: 'gw-9', jobId: '$next' }, aws, fast);
      expect(none).toMatchObject({ noPendingExecution: true, attempts: 2 });
    });

    test('an unknown thing, or an unknown job by name, is still not-found', async () => {
      for (const [input, message] of [
        [{ thingName: 'gw-99', jobId: '$next' }, 'Thing gw-99 does not exist'],
        [{ thingName: 'gw-7', jobId: 'nope' }, 'Job nope does not exist'],
      ] as const) {
        const error = await expectStepError(describeJobExecution(input, aws, fast));
        expect(error).toMatchObject({ code: 'not-found', awsErrorName: 'ResourceNotFoundException', httpStatus: 404 });
        expect(error.message).toContain(message);
      }
    });
  });

  test('a bare "Not Found" (an endpoint that is not the Jobs data plane) is not taken for nothing pending', async () => {
    const wrong = await notFoundEverywhere();
    const elsewhere = new Connection({ region: 'us-east-1', endpoint: wrong.url, credentials: FIXTURE_CREDENTIALS });
    try {
      const error = await expectStepError(describeJobExecution({ thingName: 'gw-7', jobId: '$next' }, elsewhere));
      expect(error).toMatchObject({ code: 'not-found', awsErrorName: 'ResourceNotFoundException' });
    } finally {
      elsewhere.destroy();
      await wrong.close();
    }
  });

  test.each([
    ['No pending job execution exists for thing gw-9', true],
    ['Job execution $next not found', true],
    ['No job executions are pending for thing gw-9', true],
    // Names an execution, not the pending one: an executionNumber that did not match.
    ['No job execution with executionNumber 7 exists for job fw-42 on thing gw-9', false],
    ['Thing gw-99 does not exist', false],
    ['Failed to describe the execution for thing gw-99 because the thing does not exist in your account', false],
    ['Thing gw-99 cannot be found', false],
    ['Not Found', false],
  ])('a 404 saying %j: nothing pending %s', (message, nothingPending) => {
    const answer = (name: string): StepError =>
      toStepError(
        Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 404 } }),
        'DescribeJobExecution',
        'gw-9/$next',
      );
    expect(saysNothingPending(answer('ResourceNotFoundException'))).toBe(nothingPending);
    // A 404 by another name is not the model's answer for `$next`.
    expect(saysNothingPending(answer('NotFoundException'))).toBe(false);
  });
});
