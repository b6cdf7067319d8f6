/**
 * The emulator as both AWS CLIs see it, checked against AWS's own models: every answer the CLIs print (`--output
 * json`) must fit its operation's output shape, and every error must be one its operation lists (or a common one)
 * with the status the model gives it, in the `service-2.json` of the botocore AWS CLI v1 imports AND of the one
 * inside AWS CLI v2 (test/helpers/botocore-models.ts reads them from the CLIs' package data, never from the
 * emulator). The calls go through AWS CLI v2 (`/usr/bin/aws`), and through v1 where v1 sends them, at once; where
 * v2 is missing, the file is skipped (test/global-setup.ts says so once per run).
 *
 * Issue 28's points: (1) `aws iot describe-job-execution` is the control plane's under v2's `execute-api` signing
 * too, with auth on and off, drawing on the control-plane quota; (2–6) the Jobs pages' limits and the readings of
 * what they leave open; (7) the control plane's throttle is 400, the data plane's AccessDenied names
 * `iotjobsdata:<Op>`, CreateThing has its own 15/s rate, and the ok-unapplied fault's body is the envelope AWS sent.
 */
import { startEmulator, type RunningEmulator } from '../emulator/index';
import { awsCli, describeWithAwsCliV2, FIXTURE_CREDENTIALS, requireAwsCli, type CliResult } from './helpers/aws-cli';
import {
  bothModels,
  cliError,
  errorProblem,
  errorStatus,
  loadModel,
  outputProblems,
  valueProblems,
  type ModelService,
} from './helpers/botocore-models';
import { ARN_PREFIX, useEmulator, type EmulatorFixture, type HttpReply } from './helpers/emulator';

/** Refused the data plane's DescribeJobExecution, as an IAM policy without `iotjobsdata:DescribeJobExecution`. */
const NO_DATA_READ = {
  accessKeyId: 'AKIANODATAREAD000001',
  secretAccessKey: 'no-data-read-secret',
  denied: ['iotjobsdata:DescribeJobExecution'],
};
/** Refused the control plane's DescribeJobExecution (`iot:DescribeJobExecution`). */
const NO_CONTROL_READ = {
  accessKeyId: 'AKIANOCONTROLREAD001',
  secretAccessKey: 'no-control-read-secret',
  denied: ['iot:DescribeJobExecution'],
};

const withAuth = useEmulator({ auth: { credentials: [FIXTURE_CREDENTIALS, NO_DATA_READ, NO_CONTROL_READ] } });
const withoutAuth = useEmulator({});

beforeAll(() => {
  requireAwsCli();
});

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** A CLI's run, and which CLI it was. */
type Run = CliResult & { readonly version: 1 | 2 };

/** One AWS CLI run, JSON output, no retries: what the service answered the first time is what is seen. */
async function cli(
  fx: EmulatorFixture,
  version: 1 | 2,
  args: readonly string[],
  options: { credentials?: Credentials } = {},
): Promise<Run> {
  const result = await awsCli(fx.url, [...args, '--output', 'json'], {
    version,
    ...(options.credentials && { credentials: options.credentials }),
    env: { AWS_MAX_ATTEMPTS: '1', AWS_RETRY_MODE: 'standard' },
  });
  return { ...result, version };
}

/** The same command through v1 and v2 at once. */
const both = (fx: EmulatorFixture, args: readonly string[], options?: Parameters<typeof cli>[3]): Promise<[Run, Run]> =>
  Promise.all([cli(fx, 1, args, options), cli(fx, 2, args, options)]);

/** A successful CLI answer, parsed; the CLIs print nothing for an empty output. */
function answer(result: Run): unknown {
  expect({ version: result.version, code: result.code, stderr: result.stderr }).toEqual({
    version: result.version,
    code: 0,
    stderr: '',
  });
  return result.stdout.trim() === '' ? {} : JSON.parse(result.stdout);
}

/** Expects `result` to fit `operation`'s output in both CLIs' models of `service`; returns it parsed. */
function expectOutput(service: ModelService, operation: string, result: Run): Record<string, unknown> {
  const parsed = answer(result);
  for (const model of bothModels(service))
    expect([model.file, outputProblems(model, operation, parsed)]).toEqual([model.file, []]);
  return parsed as Record<string, unknown>;
}

/**
 * Expects `result` to be AWS's error `code` for `operation`, one both CLIs' models of `service` allow it, and the
 * status the emulator logged for it to be the models' (`status`, when the logged request is known).
 */
function expectError(
  service: ModelService,
  operation: string,
  result: Run,
  code: string,
  status?: number,
): { code: string; message: string } {
  const error = cliError(result.stderr);
  // v1 exits 255 on a service's error, v2 254.
  expect([result.version, result.code, error?.code, error?.operation]).toEqual([
    result.version,
    result.version === 1 ? 255 : 254,
    code,
    operation,
  ]);
  for (const model of bothModels(service))
    expect([model.file, errorProblem(model, operation, code, status)]).toEqual([model.file, undefined]);
  return error!;
}

/** The request log's entries for one operation on one plane. */
async function logged(fx: EmulatorFixture, service: string, operation: string): Promise<{ status: number }[]> {
  return ((await fx.admin('GET', 'requests')) as { service: string; operation: string; status: number }[]).filter(
    (r) => r.service === service && r.operation === operation,
  );
}

type Counts = Record<string, { admitted: number; throttled: number }>;
const counts = async (fx: EmulatorFixture): Promise<Counts> =>
  ((await fx.admin('GET', 'quotas')) as { counts: Counts }).counts;

const arn = (thing: string): string => `${ARN_PREFIX}:thing/${thing}`;

describeWithAwsCliV2('the model checker', () => {
  test('reads both CLIs’ own models: v2’s iot signs as execute-api, v1’s as iot', () => {
    const [v1, v2] = bothModels('iot');
    expect(v1!.file).not.toBe(v2!.file);
    expect([v1!.metadata.signingName, v2!.metadata.signingName]).toEqual(['iot', 'execute-api']);
    // 400 in the control plane's models, 429 in the data plane's: the statuses point 7 follows.
    expect(bothModels('iot').map((m) => errorStatus(m, 'ThrottlingException'))).toEqual([400, 400]);
    expect(bothModels('iot-jobs-data').map((m) => errorStatus(m, 'ThrottlingException'))).toEqual([429, 429]);
  });

  test('finds a data-plane answer, a wrong type, a missing required member and an unlisted error', () => {
    const control = loadModel(2, 'iot');
    const dataPlane = { execution: { jobId: 'fw-1', thingName: 'gw-1', statusDetails: { a: 'b' }, versionNumber: 1 } };
    expect(outputProblems(control, 'DescribeJobExecution', dataPlane)).toEqual([
      'DescribeJobExecution.execution.thingName: not a member of JobExecution',
      'DescribeJobExecution.execution.statusDetails.a: not a member of JobExecutionStatusDetails',
    ]);
    expect(outputProblems(control, 'DescribeJobExecution', { execution: { versionNumber: '1' } })).toEqual([
      'DescribeJobExecution.execution.versionNumber: "1" is not a long (VersionNumber)',
    ]);
    expect(
      valueProblems(loadModel(1, 'iot-jobs-data'), 'UpdateJobExecutionRequest', { jobId: 'j', thingName: 't' }),
    ).toEqual(['UpdateJobExecutionRequest.status: required by UpdateJobExecutionRequest, missing']);
    expect(errorProblem(control, 'DescribeJobExecution', 'TerminalStateException')).toMatch(
      /DescribeJobExecution lists no TerminalStateException/,
    );
    expect(errorProblem(control, 'DescribeJobExecution', 'ThrottlingException', 429)).toMatch(
      /ThrottlingException is 400 in .*, not 429/,
    );
  });
});

describeWithAwsCliV2('point 1: `aws iot describe-job-execution` is the control plane’s from both CLIs', () => {
  describe.each([
    ['auth on', withAuth],
    ['auth off', withoutAuth],
  ] as const)('%s', (_, fx) => {
    beforeEach(async () => {
      await fx.reset();
      await fx.seed(['gw-1', 'gw-2'], [{ jobId: 'fw-1', targets: ['gw-1', 'gw-2'] }]);
      for (const status of ['IN_PROGRESS', 'SUCCEEDED'])
        expect((await fx.deviceUpdate('gw-2', 'fw-1', { status, statusDetails: { result: 'ok' } })).status).toBe(200);
      await fx.clearRequests();
      await fx.quotas({});
    });

    test('a queued and a finished execution: the control plane’s shape, counted against its quota', async () => {
      const args = (thing: string): string[] => [
        'iot',
        'describe-job-execution',
        '--thing-name',
        thing,
        '--job-id',
        'fw-1',
      ];
      const before = await counts(fx);
      const [queued, finished] = await Promise.all([both(fx, args('gw-1')), both(fx, args('gw-2'))]);
      for (const [version, result] of queued.entries()) {
        const { execution } = expectOutput('iot', 'DescribeJobExecution', result);
        expect([`v${version + 1}`, execution]).toEqual([
          `v${version + 1}`,
          expect.objectContaining({ jobId: 'fw-1', status: 'QUEUED', thingArn: arn('gw-1'), versionNumber: 1 }),
        ]);
      }
      for (const [version, result] of finished.entries()) {
        // The data plane would answer 410 TerminalStateException, which the `iot` model does not list here.
        const { execution } = expectOutput('iot', 'DescribeJobExecution', result);
        expect([`v${version + 1}`, execution]).toEqual([
          `v${version + 1}`,
          expect.objectContaining({
            status: 'SUCCEEDED',
            thingArn: arn('gw-2'),
            statusDetails: { detailsMap: { result: 'ok' } },
          }),
        ]);
      }
      expect((await logged(fx, 'iot', 'DescribeJobExecution')).map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(await logged(fx, 'iot-jobs-data', 'DescribeJobExecution')).toEqual([]);
      const after = await counts(fx);
      expect(after['control DescribeJobExecution']?.admitted).toBe(
        (before['control DescribeJobExecution']?.admitted ?? 0) + 4,
      );
      expect(after['data-plane reads']).toEqual(before['data-plane reads']);
    });
  });

  test('v2 signs it with the scope execute-api, which the emulator verifies (auth on)', async () => {
    await withAuth.reset();
    await withAuth.seed(['gw-1'], [{ jobId: 'fw-1', targets: ['gw-1'] }]);
    const result = await cli(withAuth, 2, [
      'iot',
      'describe-job-execution',
      '--thing-name',
      'gw-1',
      '--job-id',
      'fw-1',
      '--debug',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\/us-east-1\/execute-api\/aws4_request/);
    expect(JSON.parse(result.stdout)).toMatchObject({ execution: { thingArn: arn('gw-1') } });
  });
});

describeWithAwsCliV2('point 7: the front’s answers as the models and IAM say', () => {
  const fx = withAuth;
  beforeEach(async () => {
    await fx.reset();
    await fx.seed(['gw-1'], [{ jobId: 'fw-1', targets: ['gw-1'] }]);
  });

  test('a throttled control-plane call is 400 ThrottlingException (the iot model), a data-plane one 429', async () => {
    await fx.quotas({ controlPlane: 0.01, dataPlaneReads: 0.01, burstSeconds: 100 }); // one token, then one per 100 s
    expect((await fx.signed('iot', 'GET', '/things/gw-1/jobs/fw-1')).status).toBe(200);
    expect((await fx.signed('iot-jobs-data', 'GET', '/things/gw-1/jobs/fw-1')).status).toBe(200);
    await fx.clearRequests();
    const args = ['describe-job-execution', '--thing-name', 'gw-1', '--job-id', 'fw-1'];
    const [control, data] = await Promise.all([both(fx, ['iot', ...args]), both(fx, ['iot-jobs-data', ...args])]);
    expect((await logged(fx, 'iot', 'DescribeJobExecution')).map((r) => r.status)).toEqual([400, 400]);
    expect((await logged(fx, 'iot-jobs-data', 'DescribeJobExecution')).map((r) => r.status)).toEqual([429, 429]);
    for (const result of control) expectError('iot', 'DescribeJobExecution', result, 'ThrottlingException', 400);
    for (const result of data) expectError('iot-jobs-data', 'DescribeJobExecution', result, 'ThrottlingException', 429);
  });

  test('AccessDenied names the IAM action: iotjobsdata:<Op> on the data plane, iot:<Op> on the control plane', async () => {
    const data = ['iot-jobs-data', 'describe-job-execution', '--thing-name', 'gw-1', '--job-id', 'fw-1'];
    const control = ['iot', 'describe-job-execution', '--thing-name', 'gw-1', '--job-id', 'fw-1'];
    // Each key is refused only its own plane's action (v2 shows the other plane still answers it).
    const [deniedData, deniedControl, allowedControl, allowedData] = await Promise.all([
      both(fx, data, { credentials: NO_DATA_READ }),
      both(fx, control, { credentials: NO_CONTROL_READ }),
      cli(fx, 2, control, { credentials: NO_DATA_READ }),
      cli(fx, 2, data, { credentials: NO_CONTROL_READ }),
    ]);
    for (const result of deniedData)
      expect(expectError('iot-jobs-data', 'DescribeJobExecution', result, 'AccessDeniedException', 403).message).toBe(
        `User: arn:aws:iam::123456789012:user/${NO_DATA_READ.accessKeyId} is not authorized to perform: iotjobsdata:DescribeJobExecution`,
      );
    for (const result of deniedControl)
      expect(expectError('iot', 'DescribeJobExecution', result, 'AccessDeniedException', 403).message).toBe(
        `User: arn:aws:iam::123456789012:user/${NO_CONTROL_READ.accessKeyId} is not authorized to perform: iot:DescribeJobExecution`,
      );
    expectOutput('iot', 'DescribeJobExecution', allowedControl);
    expectOutput('iot-jobs-data', 'DescribeJobExecution', allowedData);
  });

  test('a denied entry that is not an IAM action stops the emulator from starting, naming the fix', async () => {
    const old = { ...NO_DATA_READ, denied: ['iot-jobs-data:DescribeJobExecution'] };
    let started: RunningEmulator | undefined;
    try {
      await expect(
        (async () => {
          started = await startEmulator({ port: 0, auth: { credentials: [old] } });
        })(),
      ).rejects.toThrow(
        `credential ${old.accessKeyId}: denied entry "iot-jobs-data:DescribeJobExecution" is not an IAM action ` +
          "<prefix>:<Operation> with prefix iot, iotjobsdata, importexport; the Jobs data plane's IAM prefix is " +
          'iotjobsdata (iotjobsdata:DescribeJobExecution)',
      );
    } finally {
      await started?.close();
    }
  });

  test('CreateThing is throttled past its own burst of 15, answered as the iot model lists it', async () => {
    let n = 0;
    const createThing = (): Promise<HttpReply> => fx.signed('iot', 'POST', `/things/burst-${++n}`, {});
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: 25 }, createThing));
    const seconds = (performance.now() - started) / 1000;
    const admitted = replies.filter((r) => r.status === 200).length;
    // A bucket of 15 refilling at 15 a second (the seeding's gw-1 took one): of 25 at once, 14 at least.
    expect(admitted).toBeGreaterThanOrEqual(14);
    expect(admitted).toBeLessThanOrEqual(14 + Math.ceil(15 * seconds));
    expect(replies.filter((r) => r.status === 400).length).toBe(25 - admitted);
    // Through the CLIs, with the bucket surely empty however slow they start: one token, then one per 100 s.
    await fx.quotas({ createThing: 0.01, burstSeconds: 100 });
    expect((await createThing()).status).toBe(200);
    await fx.clearRequests();
    const results = await Promise.all(
      ([1, 2] as const).map((v) => cli(fx, v, ['iot', 'create-thing', '--thing-name', `cli-v${v}`])),
    );
    expect((await logged(fx, 'iot', 'CreateThing')).map((r) => r.status)).toEqual([400, 400]);
    for (const result of results) expectError('iot', 'CreateThing', result, 'ThrottlingException', 400);
    // CreateJob's bucket is its own: the CLIs create a job at once.
    const job = await cli(fx, 2, [
      'iot',
      'create-job',
      '--job-id',
      'fw-2',
      '--targets',
      arn('gw-1'),
      '--document',
      '{}',
    ]);
    expect(expectOutput('iot', 'CreateJob', job)).toMatchObject({ jobId: 'fw-2' });
  });

  test('the ok-unapplied fault answers the envelope of aws/aws-sdk-js#2539, which both CLIs read as an empty output', async () => {
    await fx.fault({ kind: 'ok-unapplied', service: 'iot-jobs-data', operation: 'UpdateJobExecution' });
    const raw = await fx.deviceUpdate('gw-1', 'fw-1', { status: 'IN_PROGRESS' });
    expect([raw.status, raw.text]).toEqual([
      200,
      '{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException","message":null},"Version":"1.0"}',
    ]);
    // Not an output of the operation: a client finds none of its members in it.
    for (const model of bothModels('iot-jobs-data'))
      expect(outputProblems(model, 'UpdateJobExecution', JSON.parse(raw.text))).toEqual([
        'UpdateJobExecution.Output: not a member of UpdateJobExecutionResponse',
        'UpdateJobExecution.Version: not a member of UpdateJobExecutionResponse',
      ]);
    await fx.fault({ kind: 'ok-unapplied', service: 'iot-jobs-data', operation: 'UpdateJobExecution', count: 2 });
    const update = ['iot-jobs-data', 'update-job-execution', '--thing-name', 'gw-1', '--job-id', 'fw-1'];
    for (const result of await both(fx, [...update, '--status', 'IN_PROGRESS']))
      expect(expectOutput('iot-jobs-data', 'UpdateJobExecution', result)).toEqual({});
    expect(await fx.execution('gw-1', 'fw-1')).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });
});

describeWithAwsCliV2('points 2–6: the Jobs pages’ limits and the readings they leave open', () => {
  const fx = withAuth;
  beforeEach(async () => {
    await fx.reset();
    await fx.seed(['gw-1', 'gw-idle'], [{ jobId: 'fw-1', targets: ['gw-1'] }]);
  });

  const next = ['iot-jobs-data', 'describe-job-execution', '--thing-name', 'gw-idle', '--job-id', '$next'];

  test('2: `$next` with nothing pending is 200 with no execution by default (describeNextNotFound false)', async () => {
    for (const result of await both(fx, next)) {
      expect(result.stdout.trim()).toMatch(/^(\{\})?$/);
      expect(expectOutput('iot-jobs-data', 'DescribeJobExecution', result)).toEqual({});
    }
  });

  test('2: `$next` with nothing pending is 404 ResourceNotFoundException under describeNextNotFound', async () => {
    await fx.settings({ describeNextNotFound: true });
    await fx.clearRequests();
    const results = await both(fx, next);
    expect((await logged(fx, 'iot-jobs-data', 'DescribeJobExecution')).map((r) => r.status)).toEqual([404, 404]);
    for (const result of results)
      expectError('iot-jobs-data', 'DescribeJobExecution', result, 'ResourceNotFoundException', 404);
  });

  const update = ['iot-jobs-data', 'update-job-execution', '--thing-name', 'gw-1', '--job-id', 'fw-1'];
  const details = (pairs: Record<string, string>): string[] => ['--status-details', JSON.stringify(pairs)];

  test('3: 11 statusDetails pairs are refused 400 InvalidRequestException; 10 are taken', async () => {
    const pairs = (n: number): Record<string, string> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    await fx.clearRequests();
    for (const result of await both(fx, [...update, '--status', 'IN_PROGRESS', ...details(pairs(11))]))
      expectError('iot-jobs-data', 'UpdateJobExecution', result, 'InvalidRequestException', 400);
    expect((await logged(fx, 'iot-jobs-data', 'UpdateJobExecution')).map((r) => r.status)).toEqual([400, 400]);
    for (const result of await both(fx, [...update, '--status', 'IN_PROGRESS', ...details(pairs(10))]))
      expectOutput('iot-jobs-data', 'UpdateJobExecution', result);
    expect(Object.keys((await fx.execution('gw-1', 'fw-1')).statusDetails)).toHaveLength(10);
  });

  test('3: a 129-character value is taken under the model’s 1,024 and refused under the table’s 128', async () => {
    const long = { log: 'x'.repeat(129) };
    for (const result of await both(fx, [...update, '--status', 'IN_PROGRESS', ...details(long)]))
      expectOutput('iot-jobs-data', 'UpdateJobExecution', result);
    await fx.settings({ statusDetailsValueLength: 128 });
    for (const result of await both(fx, [...update, '--status', 'IN_PROGRESS', ...details(long)]))
      expectError('iot-jobs-data', 'UpdateJobExecution', result, 'InvalidRequestException', 400);
    expectOutput(
      'iot-jobs-data',
      'UpdateJobExecution',
      await cli(fx, 2, [...update, '--status', 'IN_PROGRESS', ...details({ log: 'x'.repeat(128) })]),
    );
  });

  test('4: GetPendingJobExecutions with 12 queued returns 10', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) => ({
      jobId: `job-${String(i).padStart(2, '0')}`,
      targets: ['gw-idle'],
    }));
    await fx.seed([], jobs);
    for (const result of await both(fx, ['iot-jobs-data', 'get-pending-job-executions', '--thing-name', 'gw-idle'])) {
      const out = expectOutput('iot-jobs-data', 'GetPendingJobExecutions', result) as {
        queuedJobs: { jobId: string }[];
      };
      expect(out.queuedJobs.map((j) => j.jobId)).toEqual(jobs.slice(0, 10).map((j) => j.jobId));
    }
  });

  const createJob = (jobId: string, retries: object, timeout?: number): string[] => [
    'iot',
    'create-job',
    '--job-id',
    jobId,
    '--targets',
    arn('gw-1'),
    '--document',
    '{}',
    '--job-executions-retry-config',
    JSON.stringify({ criteriaList: retries }),
    ...(timeout === undefined ? [] : ['--timeout-config', JSON.stringify({ inProgressTimeoutInMinutes: timeout })]),
  ];

  test('5: FAILED 10 + TIMED_OUT 10 is refused (10 retries for both combined); a TIMED_OUT retry needs timeoutConfig', async () => {
    const twenty = [
      { failureType: 'FAILED', numberOfRetries: 10 },
      { failureType: 'TIMED_OUT', numberOfRetries: 10 },
    ];
    const timedOut = [{ failureType: 'TIMED_OUT', numberOfRetries: 2 }];
    const [tooMany, noTimeout] = await Promise.all([
      Promise.all(([1, 2] as const).map((v) => cli(fx, v, createJob(`twenty-v${v}`, twenty, 30)))),
      Promise.all(([1, 2] as const).map((v) => cli(fx, v, createJob(`no-timeout-v${v}`, timedOut)))),
    ]);
    for (const result of tooMany)
      expect(expectError('iot', 'CreateJob', result, 'InvalidRequestException', 400).message).toMatch(
        /up to 10 retries for both failure types combined, not 20/,
      );
    for (const result of noTimeout)
      expect(expectError('iot', 'CreateJob', result, 'InvalidRequestException', 400).message).toMatch(
        /TIMED_OUT .* needs a timeoutConfig/,
      );
    const half = [
      { failureType: 'FAILED', numberOfRetries: 5 },
      { failureType: 'TIMED_OUT', numberOfRetries: 5 },
    ];
    const taken = await Promise.all(([1, 2] as const).map((v) => cli(fx, v, createJob(`ten-v${v}`, half, 30))));
    for (const result of taken)
      expect(expectOutput('iot', 'CreateJob', result)).toMatchObject({ jobId: `ten-v${result.version}` });
  });

  test('5: a TIMED_OUT retry without timeoutConfig is taken under timeoutRetryNeedsTimeoutConfig false', async () => {
    await fx.settings({ timeoutRetryNeedsTimeoutConfig: false });
    const timedOut = [{ failureType: 'TIMED_OUT', numberOfRetries: 2 }];
    const taken = await Promise.all(([1, 2] as const).map((v) => cli(fx, v, createJob(`no-timeout-v${v}`, timedOut))));
    for (const result of taken)
      expect(expectOutput('iot', 'CreateJob', result)).toMatchObject({ jobId: `no-timeout-v${result.version}` });
    // Its step timer's timeout is then never retried: the CLIs list one execution, TIMED_OUT, no retry queued.
    for (const v of [1, 2] as const) {
      const started = await cli(fx, v, [
        'iot-jobs-data',
        'update-job-execution',
        '--thing-name',
        'gw-1',
        '--job-id',
        `no-timeout-v${v}`,
        '--status',
        'IN_PROGRESS',
        '--step-timeout-in-minutes',
        '1',
      ]);
      expectOutput('iot-jobs-data', 'UpdateJobExecution', started);
    }
    await fx.advanceClock(61);
    for (const v of [1, 2] as const) {
      const listed = await both(fx, ['iot', 'list-job-executions-for-job', '--job-id', `no-timeout-v${v}`]);
      for (const result of listed) {
        const out = expectOutput('iot', 'ListJobExecutionsForJob', result) as {
          executionSummaries: { jobExecutionSummary: { status: string; retryAttempt: number } }[];
        };
        expect(
          out.executionSummaries.map((e) => [e.jobExecutionSummary.status, e.jobExecutionSummary.retryAttempt]),
        ).toEqual([['TIMED_OUT', 0]]);
      }
    }
  });

  const startNext = (thing: string): string[] => [
    'iot-jobs-data',
    'start-next-pending-job-execution',
    '--thing-name',
    thing,
    '--step-timeout-in-minutes=-1',
  ];

  test('6: start-next with stepTimeoutInMinutes -1 is refused by default, taken under startNextAcceptsCancel', async () => {
    await fx.seed(['gw-2'], [{ jobId: 'fw-2', targets: ['gw-1', 'gw-2'] }]);
    for (const result of await both(fx, startNext('gw-1')))
      expectError('iot-jobs-data', 'StartNextPendingJobExecution', result, 'InvalidRequestException', 400);
    expect(await fx.execution('gw-1', 'fw-1')).toMatchObject({ status: 'QUEUED' });
    await fx.settings({ startNextAcceptsCancel: true });
    const [v1, v2] = await Promise.all([cli(fx, 1, startNext('gw-1')), cli(fx, 2, startNext('gw-2'))]);
    for (const result of [v1, v2]) {
      const out = expectOutput('iot-jobs-data', 'StartNextPendingJobExecution', result) as {
        execution: { status: string };
      };
      expect(out.execution.status).toBe('IN_PROGRESS');
    }
    expect((await fx.execution('gw-1', 'fw-1')).stepTimeoutAt).toBeUndefined();
  });
});
