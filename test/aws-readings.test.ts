/**
 * The update-job-execution step under every reading of AWS's documents the emulator offers (READINGS: 410 or 200
 * on a terminal DescribeJobExecution, a 409 with or without executionState, jobs with and without a retry
 * configuration), over HTTP with auth on: re-runs, lost answers, a 200 that did nothing, and the evidence chain
 * down to the control plane, checked against `aws iot describe-job-execution`.
 */
import { describeFailure, Connection, updateJobExecution, type StepOptions } from '../core/index';
import { awsCli, FIXTURE_CREDENTIALS, requireAwsCli } from './helpers/aws-cli';
import { READINGS, RERUN_THINGS as THINGS, type Reading, useEmulator } from './helpers/emulator';
import { expectStepError } from './helpers/steps';

/** A key the emulator knows but refuses the control-plane read, as an IAM policy without the action would. */
const DEVICE_ONLY = {
  accessKeyId: 'AKIADEVICEONLY000001',
  secretAccessKey: 'device-only-secret',
  denied: ['iot:DescribeJobExecution'],
};

const fx = useEmulator({ auth: { credentials: [FIXTURE_CREDENTIALS, DEVICE_ONLY] } });
let aws: Connection;
const fast: StepOptions = { sleep: async () => {}, random: () => 0.5 };
const connect = (credentials = FIXTURE_CREDENTIALS, readings?: Reading['connection']): Connection =>
  new Connection({ region: 'us-east-1', endpoint: fx.url, credentials, ...readings });
afterAll(async () => {
  aws?.destroy();
});

const TERMINAL = Object.keys(THINGS) as (keyof typeof THINGS)[];

describe.each(READINGS)('$name', ({ settings, retries, connection }) => {
  beforeEach(async () => {
    await fx.rerunFixture({ settings, retries });
    aws?.destroy();
    aws = connect(FIXTURE_CREDENTIALS, connection);
  });

  test('re-running SUCCEEDED, FAILED and REJECTED succeeds with changed: false and changes nothing', async () => {
    for (const status of TERMINAL) {
      const input = { thingName: THINGS[status], jobId: 'fw-42', status, statusDetails: { result: status } };
      const progress = { ...input, status: 'IN_PROGRESS', statusDetails: { phase: 'flash' } };
      expect(await updateJobExecution(progress, aws)).toMatchObject({ changed: true });
      expect(await updateJobExecution(input, aws)).toMatchObject({ changed: true });
    }
    const before = await fx.iot();
    for (const status of TERMINAL) {
      const input = { thingName: THINGS[status], jobId: 'fw-42', status, statusDetails: { result: status } };
      // A new connection, as a re-run in a new process has: nothing remembered, only the service to ask.
      const fresh = connect(FIXTURE_CREDENTIALS, connection);
      const again = await updateJobExecution(input, fresh, fast);
      fresh.destroy();
      // Under merge the execution keeps the progress report's pair beside the asked one, and is still as asked.
      const details =
        settings.statusDetailsUpdate === 'merge' ? { phase: 'flash', result: status } : { result: status };
      expect(again).toMatchObject({
        changed: false,
        executionState: { status, statusDetails: details, versionNumber: 3 },
      });
    }
    expect(await fx.iot()).toEqual(before);
    // With a retry configuration the FAILED report queued execution 2, which the re-run left alone.
    const failed = await fx.executions(THINGS.FAILED, 'fw-42');
    expect(failed.map((e) => [e.executionNumber, e.status])).toEqual(
      retries
        ? [
            [1, 'FAILED'],
            [2, 'QUEUED'],
          ]
        : [[1, 'FAILED']],
    );
  });

  test.each(TERMINAL)('an applied %s whose answer was lost reports changed: true, one transition', async (status) => {
    const thingName = THINGS[status];
    await updateJobExecution({ thingName, jobId: 'fw-42', status: 'IN_PROGRESS' }, aws);
    await fx.fault({ kind: 'apply-then-reset', operation: 'UpdateJobExecution' });
    const result = await updateJobExecution({ thingName, jobId: 'fw-42', status }, aws, fast);
    expect(result).toMatchObject({ changed: true, executionState: { status, versionNumber: 3 } });
    const executions = await fx.executions(thingName, 'fw-42');
    expect(executions[0]!.history.map((h) => h.to)).toEqual(['IN_PROGRESS', status]);
    // No resend landed on the retry AWS queued after FAILED.
    expect(executions.slice(1).map((e) => [e.status, e.versionNumber])).toEqual(
      retries && status === 'FAILED' ? [['QUEUED', 1]] : [],
    );
  });

  test('a 200 that did nothing is not taken for success: the step sends again', async () => {
    await fx.fault({ kind: 'ok-unapplied', operation: 'UpdateJobExecution' });
    const result = await updateJobExecution(
      { thingName: THINGS.SUCCEEDED, jobId: 'fw-42', status: 'SUCCEEDED' },
      aws,
      fast,
    );
    expect(result).toMatchObject({ changed: true, attempts: 2 });
    expect((await fx.execution(THINGS.SUCCEEDED, 'fw-42')).history.map((h) => h.to)).toEqual(['SUCCEEDED']);
  });
});

describe('evidence', () => {
  beforeEach(async () => {
    await fx.reset();
    await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'SUCCEEDED', statusDetails: { result: 'ok' } });
  });

  test('with no evidence to be had, terminal-state names the permission that would give it', async () => {
    await fx.settings({ terminalStateOnDescribe: true, conflictExecutionState: false });
    const device = connect(DEVICE_ONLY);
    const error = await expectStepError(
      updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'SUCCEEDED' }, device),
    );
    device.destroy();
    expect(error).toMatchObject({ code: 'terminal-state', awsErrorName: 'AccessDeniedException', httpStatus: 403 });
    expect(describeFailure(error)).toBe(
      'UpdateJobExecution gw-7/fw-42: the data plane will not show the execution (TerminalStateException: it is in a ' +
        'terminal state) and the control plane refused iot:DescribeJobExecution (AccessDeniedException), so whether ' +
        'it is SUCCEEDED is not confirmed. Allow iot:DescribeJobExecution on the thing to let the step confirm, or ' +
        'check with `aws iot describe-job-execution --thing-name gw-7 --job-id fw-42`',
    );
    expect((await fx.requests()).slice(-3).map((r) => `${r.service} ${r.operation} ${r.status}`)).toEqual([
      'iot-jobs-data UpdateJobExecution 409',
      'iot-jobs-data DescribeJobExecution 410',
      'iot DescribeJobExecution 403',
    ]);
  });

  test('a read whose answer was lost says nothing of the update: a re-run stays changed: false', async () => {
    await fx.settings({ terminalStateOnDescribe: false, conflictExecutionState: false });
    await fx.fault({ kind: 'reset', operation: 'DescribeJobExecution' });
    const fresh = connect();
    const input = { thingName: 'gw-7', jobId: 'fw-42', status: 'SUCCEEDED', statusDetails: { result: 'ok' } };
    const result = await updateJobExecution(input, fresh, fast);
    fresh.destroy();
    expect(result).toMatchObject({ changed: false, attempts: 3 });
  });

  test('the control-plane read is the request `aws iot describe-job-execution` sends, and reads what it prints', async () => {
    requireAwsCli();
    await fx.settings({ terminalStateOnDescribe: true, conflictExecutionState: false });
    aws?.destroy();
    aws = connect();
    await fx.clearRequests();
    const result = await updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'SUCCEEDED' }, aws);
    const last = async (): Promise<object> => {
      const { seq: _seq, ...entry } = (await fx.requests()).at(-1) as unknown as { seq: number };
      return entry;
    };
    const ours = await last();
    await fx.clearRequests();
    const cli = await awsCli(fx.url, ['iot', 'describe-job-execution', '--thing-name', 'gw-7', '--job-id', 'fw-42']);
    expect(cli.code).toBe(0);
    const theirs = await last();
    expect(ours).toEqual(theirs);
    expect(ours).toMatchObject({ service: 'iot', operation: 'DescribeJobExecution', status: 200 });
    const { execution } = JSON.parse(cli.stdout) as {
      execution: { status: string; statusDetails: { detailsMap: object }; versionNumber: number };
    };
    expect(result).toMatchObject({
      changed: false,
      executionState: {
        status: execution.status,
        statusDetails: execution.statusDetails.detailsMap,
        versionNumber: execution.versionNumber,
      },
    });
  });
});
