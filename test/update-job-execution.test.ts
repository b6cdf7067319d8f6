/**
 * The update-job-execution step against the emulator over HTTP, auth on, through the real v3 SDK client: the
 * lifecycle, re-runs, lost responses, retries, conflicts, the 410 case, skipUnchanged, and what it refuses before
 * sending anything.
 */
import { describeFailure, Connection, updateJobExecution, type StepOptions } from '../core/index';
import { resolveEndpoint } from '../core/shared/connection';
import { startNextPendingJobExecution } from '../core/iot-jobs/operations/start-next-pending-job-execution';
import { awsCli, FIXTURE_CREDENTIALS, requireAwsCli } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';
import { expectStepError } from './helpers/steps';

const fx = useEmulator();
let aws: Connection;

/** No real waiting between retries; the jitter is fixed so the waits are known. */
const waits: number[] = [];
const fast: StepOptions = {
  sleep: async (ms) => {
    waits.push(ms);
  },
  random: () => 0.5,
};
afterAll(async () => {
  aws.destroy();
});

beforeEach(async () => {
  waits.length = 0;
  await fx.reset();
  // A reset emulator is a new AWS account: a connection that remembered the old one's executions would be wrong.
  aws?.destroy();
  aws = new Connection({ region: 'us-east-1', endpoint: fx.url, credentials: FIXTURE_CREDENTIALS });
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'], document: '{"firmware":"4.2"}' }]);
  await fx.clearRequests();
});

const operations = async (): Promise<string[]> =>
  (await fx.requests()).map((r) => `${r.operation} ${r.status}${r.fault ? ` ${r.fault}` : ''}`);

const failure = expectStepError;

const step = { thingName: 'gw-7', jobId: 'fw-42' };

describe('the lifecycle', () => {
  test('QUEUED → IN_PROGRESS with details and a step timer → SUCCEEDED, chained by expectedVersion', async () => {
    const started = await updateJobExecution(
      {
        ...step,
        status: 'in_progress',
        statusDetails: 'step=download,progress=10',
        stepTimeoutInMinutes: '30',
        expectedVersion: '1',
        includeJobExecutionState: 'true',
        includeJobDocument: true,
      },
      aws,
    );
    expect(started).toEqual({
      changed: true,
      executionState: { status: 'IN_PROGRESS', statusDetails: { step: 'download', progress: '10' }, versionNumber: 2 },
      jobDocument: '{"firmware":"4.2"}',
      attempts: 1,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const running = await fx.execution('gw-7', 'fw-42');
    expect(running.stepTimeoutAt).toBeGreaterThan(Date.now() + 29 * 60_000);

    const done = await updateJobExecution(
      {
        ...step,
        status: 'SUCCEEDED',
        statusDetails: { step: 'done' },
        expectedVersion: 2,
        includeJobExecutionState: true,
      },
      aws,
    );
    expect(done).toMatchObject({
      changed: true,
      executionState: { status: 'SUCCEEDED', statusDetails: { step: 'done' }, versionNumber: 3 },
      attempts: 1,
    });
    expect(done.jobDocument).toBeUndefined();
    expect((await fx.execution('gw-7', 'fw-42')).history.map((h) => h.to)).toEqual(['IN_PROGRESS', 'SUCCEEDED']);
    expect(await operations()).toEqual(['UpdateJobExecution 200', 'UpdateJobExecution 200']);
  });

  test('without includeJobExecutionState the answer carries no state, as AWS answers', async () => {
    const result = await updateJobExecution({ ...step, status: 'IN_PROGRESS' }, aws);
    expect(result).toEqual({ changed: true, attempts: 1, requestId: expect.any(String) });
  });
});

describe('the AWS request shape', () => {
  test('the document `--generate-cli-skeleton` prints, filled in, works for the AWS CLI and for the step alike', async () => {
    requireAwsCli();
    const skeleton = await awsCli(fx.url, ['iot-jobs-data', 'update-job-execution', '--generate-cli-skeleton']);
    const document = JSON.parse(skeleton.stdout) as Record<string, unknown>;
    // The skeleton's zeros are placeholders that AWS refuses; a user fills in or removes them.
    delete document.stepTimeoutInMinutes;
    delete document.executionNumber;
    Object.assign(document, { ...step, status: 'IN_PROGRESS', statusDetails: { step: 'flash' }, expectedVersion: 1 });

    await fx.seed(['gw-8'], [{ jobId: 'fw-43', targets: ['gw-8'], document: '{"firmware":"4.3"}' }]);
    const cli = await awsCli(fx.url, [
      'iot-jobs-data',
      'update-job-execution',
      '--cli-input-json',
      JSON.stringify({ ...document, thingName: 'gw-8', jobId: 'fw-43' }),
    ]);
    expect(cli.code).toBe(0);
    const ours = await updateJobExecution(document, aws);
    expect(ours).toMatchObject({ changed: true, jobDocument: '{"firmware":"4.2"}' });
    expect(ours.executionState).toEqual(JSON.parse(cli.stdout).executionState);
    const [a, b] = [await fx.execution('gw-7', 'fw-42'), await fx.execution('gw-8', 'fw-43')];
    expect([a.status, a.statusDetails, a.versionNumber]).toEqual([b.status, b.statusDetails, b.versionNumber]);
  });
});

describe('idempotence', () => {
  test('re-running a terminal update succeeds with changed: false from the refusal itself, and changes nothing', async () => {
    const input = { ...step, status: 'SUCCEEDED', statusDetails: { result: 'ok' } };
    expect(await updateJobExecution(input, aws)).toMatchObject({ changed: true, attempts: 1 });
    const before = await fx.execution('gw-7', 'fw-42');

    const again = await updateJobExecution(input, aws);
    expect(again).toEqual({
      changed: false,
      executionState: { status: 'SUCCEEDED', statusDetails: { result: 'ok' }, versionNumber: 2 },
      attempts: 1,
      requestId: expect.any(String),
    });
    expect(await fx.execution('gw-7', 'fw-42')).toEqual(before);
    // The 409 carries the executionState (botocore's model documents it), so no read follows.
    expect(await operations()).toEqual(['UpdateJobExecution 200', 'UpdateJobExecution 409']);
  });

  test('a response lost after the change was applied: the retry reconciles, one transition, changed', async () => {
    await fx.fault({ kind: 'apply-then-reset', operation: 'UpdateJobExecution' });
    const result = await updateJobExecution({ ...step, status: 'SUCCEEDED' }, aws, fast);
    // The step's own request made the change, so changed is true although its answer was lost.
    expect(result).toMatchObject({
      changed: true,
      executionState: { status: 'SUCCEEDED', versionNumber: 2 },
      attempts: 2,
    });
    expect((await fx.execution('gw-7', 'fw-42')).history).toEqual([
      expect.objectContaining({ operation: 'UpdateJobExecution', from: 'QUEUED', to: 'SUCCEEDED', versionNumber: 2 }),
    ]);
    expect(await operations()).toEqual(['UpdateJobExecution reset apply-then-reset', 'UpdateJobExecution 409']);
  });

  test('the same details with a stale expectedVersion is already done, not a conflict', async () => {
    const input = { ...step, status: 'IN_PROGRESS', statusDetails: { step: '2' }, expectedVersion: 1 };
    expect(await updateJobExecution(input, aws)).toMatchObject({ changed: true });
    expect(await updateJobExecution(input, aws)).toMatchObject({
      changed: false,
      executionState: { status: 'IN_PROGRESS', versionNumber: 2 },
    });
  });

  test('skipUnchanged reads first and sends nothing when the execution already matches', async () => {
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'IN_PROGRESS', statusDetails: { step: '3' } });
    await fx.clearRequests();
    const skipped = await updateJobExecution(
      { ...step, status: 'IN_PROGRESS', statusDetails: { step: '3' }, includeJobDocument: true },
      aws,
      { skipUnchanged: true },
    );
    expect(skipped).toEqual({
      changed: false,
      executionState: { status: 'IN_PROGRESS', statusDetails: { step: '3' }, versionNumber: 2 },
      jobDocument: '{"firmware":"4.2"}',
      attempts: 1,
      requestId: expect.any(String),
    });
    expect(await operations()).toEqual(['DescribeJobExecution 200']);

    const sent = await updateJobExecution({ ...step, status: 'IN_PROGRESS', statusDetails: { step: '4' } }, aws, {
      skipUnchanged: true,
    });
    expect(sent).toMatchObject({ changed: true, attempts: 2 });
    expect(await operations()).toEqual([
      'DescribeJobExecution 200',
      'DescribeJobExecution 200',
      'UpdateJobExecution 200',
    ]);
  });
});

describe('retries', () => {
  test('throttled three times, then accepted: four requests, backoff from the throttling base, and paced', async () => {
    await fx.fault({ kind: 'throttle', operation: 'UpdateJobExecution', count: 3 });
    const result = await updateJobExecution({ ...step, status: 'IN_PROGRESS' }, aws, fast);
    expect(result).toMatchObject({ changed: true, attempts: 4 });
    // Each backoff between half and all of a ceiling of 1.5, 3, 6 s (0.75 of it at random 0.5); after each, the
    // wait for the connection's pace, at its lowest (one request per 2 s) after a throttle. (No sleep here is real.)
    const near = (ms: number): unknown => expect.closeTo(ms, -2);
    expect(waits).toEqual([1125, near(2000), 2250, near(4000), 4500, near(6000)]);
    expect((await fx.execution('gw-7', 'fw-42')).versionNumber).toBe(2);
  });

  test('503 beyond the attempt budget: unavailable, attempts counted, nothing applied', async () => {
    const limited = new Connection({
      region: 'us-east-1',
      endpoint: fx.url,
      credentials: FIXTURE_CREDENTIALS,
      maxAttempts: 3,
    });
    await fx.fault({ kind: 'unavailable', operation: 'UpdateJobExecution', count: 5 });
    const error = await failure(updateJobExecution({ ...step, status: 'IN_PROGRESS' }, limited, fast));
    limited.destroy();
    expect(error).toMatchObject({
      code: 'unavailable',
      awsErrorName: 'ServiceUnavailableException',
      httpStatus: 503,
      retryable: true,
      attempts: 3,
    });
    expect(describeFailure(error)).toMatch(
      /^UpdateJobExecution gw-7\/fw-42: ServiceUnavailableException: .*retry later$/,
    );
    expect((await fx.execution('gw-7', 'fw-42')).status).toBe('QUEUED');
  });

  test('a connection reset without effect is retried and applied once', async () => {
    await fx.fault({ kind: 'reset', operation: 'UpdateJobExecution' });
    expect(await updateJobExecution({ ...step, status: 'IN_PROGRESS' }, aws, fast)).toMatchObject({
      changed: true,
      attempts: 2,
    });
    expect((await fx.execution('gw-7', 'fw-42')).history).toHaveLength(1);
  });

  test('an attempt that outlives its timeout is abandoned and retried', async () => {
    const impatient = new Connection({
      region: 'us-east-1',
      endpoint: fx.url,
      credentials: FIXTURE_CREDENTIALS,
      attemptTimeoutMs: 200,
    });
    await fx.fault({ kind: 'latency', operation: 'UpdateJobExecution', latencyMs: 1000 });
    await fx.clearRequests();
    const result = await updateJobExecution({ ...step, status: 'IN_PROGRESS' }, impatient, fast);
    impatient.destroy();
    // The retry is answered first; IN_PROGRESS → IN_PROGRESS is allowed, so the late first attempt is applied too.
    // (On a starved CPU a retry, too, may outlive its 200 ms: more attempts, the same outcome.)
    expect(result).toMatchObject({ changed: true });
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    // The abandoned first attempt is logged once it has landed; the retry that answered had no fault.
    expect((await fx.requests()).filter((r) => r.operation === 'UpdateJobExecution')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ status: 200, fault: 'latency' }),
        expect.not.objectContaining({ fault: 'latency' }),
      ]),
    );
  });

  test('the step deadline bounds every attempt and the retries together', async () => {
    const hurried = new Connection({
      region: 'us-east-1',
      endpoint: fx.url,
      credentials: FIXTURE_CREDENTIALS,
      deadlineMs: 300,
    });
    await fx.fault({ kind: 'latency', operation: 'UpdateJobExecution', latencyMs: 1000 });
    const error = await failure(updateJobExecution({ ...step, status: 'IN_PROGRESS' }, hurried, fast));
    hurried.destroy();
    // The attempt was given what was left of the 300 ms, not the 10 s attempt timeout.
    expect(Number(/no answer within (\d+) ms/.exec(error.message)?.[1] ?? 300)).toBeLessThanOrEqual(300);
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(describeFailure(error)).toMatch(
      /^UpdateJobExecution gw-7\/fw-42: (no answer within \d+ ms|the step deadline of 300 ms (passed|leaves no time to retry .*))$/,
    );
  });

  test('an aborted step stops at once with aborted, and is not retried', async () => {
    await fx.fault({ kind: 'latency', operation: 'UpdateJobExecution', latencyMs: 2000 });
    const controller = new AbortController();
    const pending = failure(
      updateJobExecution({ ...step, status: 'IN_PROGRESS' }, aws, { ...fast, signal: controller.signal }),
    );
    await fx.faultsTaken(); // the attempt is in flight
    controller.abort();
    const error = await pending;
    expect(error).toMatchObject({ code: 'aborted', attempts: 1, retryable: false });
    expect(describeFailure(error)).toBe('UpdateJobExecution gw-7/fw-42: cancelled by the caller');
  });
});

describe('refusals', () => {
  test('a terminal execution asked to move elsewhere', async () => {
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'SUCCEEDED' });
    const error = await failure(updateJobExecution({ ...step, status: 'FAILED' }, aws));
    // FAILED reads first (to pin the execution before a retry can be queued): 410, then the update's 409.
    expect(error).toMatchObject({
      code: 'invalid-transition',
      awsErrorName: 'InvalidStateTransitionException',
      httpStatus: 409,
      attempts: 2,
    });
    expect(describeFailure(error)).toBe(
      'UpdateJobExecution gw-7/fw-42: the execution is SUCCEEDED (version 2); FAILED is not reachable from a terminal state, nothing was changed',
    );
  });

  test('a version conflict names the current version and the fix', async () => {
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'IN_PROGRESS', statusDetails: { step: '1' } });
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'IN_PROGRESS', statusDetails: { step: '2' } });
    const error = await failure(
      updateJobExecution({ ...step, status: 'IN_PROGRESS', statusDetails: { step: '9' }, expectedVersion: 2 }, aws),
    );
    expect(error).toMatchObject({ code: 'version-conflict', httpStatus: 409 });
    expect(describeFailure(error)).toBe(
      'UpdateJobExecution gw-7/fw-42: expectedVersion 2 does not match; the execution is IN_PROGRESS (version 3). ' +
        'Read it again and pass expectedVersion 3, or leave expectedVersion out',
    );
    expect((await fx.execution('gw-7', 'fw-42')).statusDetails).toEqual({ step: '2' });
  });

  test('an unknown execution is not-found, without a second request', async () => {
    const error = await failure(updateJobExecution({ thingName: 'gw-7', jobId: 'nope', status: 'SUCCEEDED' }, aws));
    expect(error).toMatchObject({
      code: 'not-found',
      awsErrorName: 'ResourceNotFoundException',
      httpStatus: 404,
      attempts: 1,
      requestId: expect.any(String),
    });
    expect(describeFailure(error)).toMatch(/^UpdateJobExecution gw-7\/nope: ResourceNotFoundException: /);
  });

  test('when neither the 409 nor the data plane shows a terminal execution, the control plane decides', async () => {
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'SUCCEEDED' });
    await fx.settings({ terminalStateOnDescribe: true, conflictExecutionState: false });
    await fx.clearRequests();
    expect(await updateJobExecution({ ...step, status: 'SUCCEEDED' }, aws)).toMatchObject({
      changed: false,
      executionState: { status: 'SUCCEEDED', versionNumber: 2 },
      attempts: 3,
    });
    expect((await fx.requests()).map((r) => `${r.service} ${r.operation} ${r.status}`)).toEqual([
      'iot-jobs-data UpdateJobExecution 409',
      'iot-jobs-data DescribeJobExecution 410',
      'iot DescribeJobExecution 200',
    ]);
    const error = await failure(updateJobExecution({ ...step, status: 'REJECTED' }, aws));
    expect(error).toMatchObject({ code: 'invalid-transition', attempts: 3 });
    expect(describeFailure(error)).toBe(
      'UpdateJobExecution gw-7/fw-42: the execution is SUCCEEDED (version 2); REJECTED is not reachable from a terminal state, nothing was changed',
    );
    // skipUnchanged cannot read it on the data plane, so the update's refusal decides, then the control plane.
    expect(await updateJobExecution({ ...step, status: 'SUCCEEDED' }, aws, { skipUnchanged: true })).toMatchObject({
      changed: false,
      attempts: 4,
    });
  });

  test('refused credentials are auth errors that hold no secret', async () => {
    const wrong = new Connection({
      region: 'us-east-1',
      endpoint: fx.url,
      credentials: { ...FIXTURE_CREDENTIALS, secretAccessKey: 'wrong-secret-value' },
    });
    const error = await failure(updateJobExecution({ ...step, status: 'IN_PROGRESS' }, wrong));
    wrong.destroy();
    expect(error).toMatchObject({
      code: 'auth',
      awsErrorName: 'InvalidSignatureException',
      httpStatus: 403,
      attempts: 1,
    });
    const everything = JSON.stringify(error) + error.message + String(error.stack);
    for (const secret of [
      'wrong-secret-value',
      FIXTURE_CREDENTIALS.secretAccessKey,
      FIXTURE_CREDENTIALS.sessionToken!,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('input errors send nothing', () => {
  test.each([
    [{ ...step, status: 'SUCCESS' }, 'status', 'status is "SUCCESS"; did you mean SUCCEEDED?'],
    [
      { ...step, status: 'CANCELED' },
      'status',
      'status is CANCELED, which a device cannot set; the operator sets CANCELED with `aws iot cancel-job-execution`; use IN_PROGRESS, SUCCEEDED, FAILED, REJECTED',
    ],
    [{ ...step }, 'status', 'status is required; use one of IN_PROGRESS, SUCCEEDED, FAILED, REJECTED'],
    [
      { ...step, status: 'IN_PROGRESS', stepTimeoutInMinutes: '5x' },
      'stepTimeoutInMinutes',
      'stepTimeoutInMinutes must be a whole number, not "5x"; write it as digits, e.g. 5',
    ],
    [
      { ...step, status: 'IN_PROGRESS', stepTimeoutInMinutes: 0 },
      'stepTimeoutInMinutes',
      'stepTimeoutInMinutes is 0; it must be from 1 to 10080 or -1',
    ],
    [
      { ...step, status: 'IN_PROGRESS', expectedVersion: '1.5' },
      'expectedVersion',
      'expectedVersion must be a whole number, not "1.5"; write it as digits, e.g. 5',
    ],
    [
      { ...step, status: 'IN_PROGRESS', includeJobDocument: 'yes' },
      'includeJobDocument',
      'includeJobDocument must be true or false, not "yes"; write true or false',
    ],
    [
      { ...step, status: 'IN_PROGRESS', statusDetails: { progress: 50 } },
      'statusDetails.progress',
      'statusDetails.progress must be text, not number 50; write it in quotes, "50"',
    ],
    [
      { ...step, status: 'IN_PROGRESS', statusDetails: 'step' },
      'statusDetails',
      'statusDetails has "step" without "="; write key=value pairs separated by commas or lines, or a JSON object',
    ],
    [
      { ...step, status: 'IN_PROGRESS', statusDetails: '{"a":' },
      'statusDetails',
      'statusDetails is not valid JSON; write a JSON object like {"step":"download"} or step=download',
    ],
    [
      { ...step, status: 'IN_PROGRESS', statusDetails: { 'bad key': 'x' } },
      'statusDetails key "bad key"',
      'statusDetails key "bad key" "bad key" has characters that are not allowed; use letters, digits, :, - and _',
    ],
    [
      { ...step, status: 'IN_PROGRESS', statusDetails: { note: 'a\nb' } },
      'statusDetails.note',
      'statusDetails.note "a\\nb" has characters that are not allowed; use printable text without control characters (no newlines or tabs)',
    ],
    [
      { ...step, jobId: 'fw 42', status: 'IN_PROGRESS' },
      'jobId',
      'jobId "fw 42" has characters that are not allowed; use letters, digits, - and _',
    ],
    [
      { ...step, thingName: 'x'.repeat(129), status: 'IN_PROGRESS' },
      'thingName',
      'thingName is 129 characters long; the limit is 128',
    ],
    [
      { ...step, jobID: 'fw-42', status: 'IN_PROGRESS' },
      'jobID',
      'jobID is not a field of UpdateJobExecution; did you mean jobId?',
    ],
  ])('%j → %s', async (input, field, message) => {
    const error = await failure(updateJobExecution(input, aws));
    expect(error).toMatchObject({ code: 'invalid-input', field, attempts: 0 });
    expect(error.message).toBe(message);
    expect(await fx.requests()).toEqual([]);
  });

  test('connection settings are checked before anything is sent, and never echo a secret', async () => {
    const settings = [
      [{ region: 'Europe' }, 'region is "Europe"; write a region code like eu-west-1'],
      [{ endpoint: 'localhost:4566' }, 'endpoint uses localhost:; use an http:// or https:// URL'],
      [
        { credentials: { accessKeyId: 'AKIA', secretAccessKey: '' } },
        'credentials.secretAccessKey is missing; give it, or leave out credentials to use the default chain',
      ],
      [{ maxAttempts: '0' }, 'maxAttempts is 0; it must be 1 or more'],
      [
        { tls: { certificate: 'not pem', privateKey: 'x' } },
        'tls.certificate is not PEM text; give the device certificate itself, starting with -----BEGIN',
      ],
      [
        { caBundle: '/etc/ssl/ca.pem' },
        'caBundle is not PEM text; give the CA certificates themselves, starting with -----BEGIN CERTIFICATE',
      ],
      [{ verifyTls: 'no' as unknown as boolean }, 'verifyTls must be true or false, not "no"; write true or false'],
      [{ readTimeoutMs: '0' }, 'readTimeoutMs is 0; it must be 1 or more'],
    ] as const;
    for (const [bad, message] of settings) {
      const error = await failure(updateJobExecution({ ...step, status: 'IN_PROGRESS' }, { ...bad }));
      expect([error.code, error.message]).toEqual(['invalid-input', message]);
    }
    expect(await fx.requests()).toEqual([]);
  });
});

describe('connection from the environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('the endpoint variables in the SDKs’ order, and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
    const env = { AWS_ENDPOINT_URL: 'http://general:1', AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE: 'http://jobs:2/' };
    expect(resolveEndpoint(undefined, 'iot-jobs-data', env)).toBe('http://jobs:2');
    expect(resolveEndpoint(undefined, 'importexport', env)).toBe('http://general:1');
    expect(resolveEndpoint(undefined, 'importexport', { ...env, AWS_ENDPOINT_URL_IMPORTEXPORT: 'http://ie:4' })).toBe(
      'http://ie:4',
    );
    expect(resolveEndpoint('http://explicit:3', 'iot-jobs-data', env)).toBe('http://explicit:3');
    expect(resolveEndpoint(undefined, 'iot-jobs-data', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBe(
      undefined,
    );
    expect(() => resolveEndpoint(undefined, 'iot-jobs-data', { AWS_ENDPOINT_URL: 'ftp://x' })).toThrow(
      'AWS_ENDPOINT_URL uses ftp:; use an http:// or https:// URL',
    );
  });

  test('with no connection given, region, endpoint and credentials come from the environment (default chain)', async () => {
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE: fx.url,
      AWS_ACCESS_KEY_ID: FIXTURE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FIXTURE_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: FIXTURE_CREDENTIALS.sessionToken,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    });
    expect(await updateJobExecution({ ...step, status: 'REJECTED' })).toMatchObject({ changed: true, attempts: 1 });
    expect((await fx.execution('gw-7', 'fw-42')).status).toBe('REJECTED');
  });
});

describe.each(['replace', 'merge'] as const)(
  'statusDetailsUpdate %s, the emulator and the connection alike',
  (update) => {
    /** A connection that reads AWS as the emulator now behaves. */
    let reading: Connection;
    beforeEach(async () => {
      await fx.settings({ statusDetailsUpdate: update });
      reading = new Connection({
        region: 'us-east-1',
        endpoint: fx.url,
        credentials: FIXTURE_CREDENTIALS,
        statusDetailsUpdate: update,
      });
      // In progress with two pairs: a report that names one of them is "already as asked" only under merge.
      await fx.deviceUpdate('gw-7', 'fw-42', { status: 'IN_PROGRESS', statusDetails: { step: '3', progress: '90' } });
      await fx.clearRequests();
    });
    afterEach(() => reading.destroy());
    /** The details the execution has after an update asking `asked` of `{ step: '3', progress: '90' }`. */
    const after = (asked: Record<string, string>): Record<string, string> =>
      update === 'merge' ? { step: '3', progress: '90', ...asked } : asked;

    test('a re-run of a terminal report: changed, then unchanged from the 409, with the details the service keeps', async () => {
      const input = { ...step, status: 'SUCCEEDED', statusDetails: { result: 'ok' } };
      expect(await updateJobExecution(input, reading)).toMatchObject({ changed: true, attempts: 1 });
      expect((await fx.execution('gw-7', 'fw-42')).statusDetails).toEqual(after({ result: 'ok' }));
      expect(await updateJobExecution(input, reading)).toEqual({
        changed: false,
        executionState: { status: 'SUCCEEDED', statusDetails: after({ result: 'ok' }), versionNumber: 3 },
        attempts: 1,
        requestId: expect.any(String),
      });
      expect(await operations()).toEqual(['UpdateJobExecution 200', 'UpdateJobExecution 409']);
    });

    test('a lost answer: the retry reconciles, one transition, changed', async () => {
      await fx.fault({ kind: 'apply-then-reset', operation: 'UpdateJobExecution' });
      const result = await updateJobExecution(
        { ...step, status: 'SUCCEEDED', statusDetails: { result: 'ok' }, includeJobExecutionState: true },
        reading,
        fast,
      );
      expect(result).toMatchObject({
        changed: true,
        executionState: { status: 'SUCCEEDED', statusDetails: after({ result: 'ok' }), versionNumber: 3 },
        attempts: 2,
      });
      expect((await fx.execution('gw-7', 'fw-42')).history.map((h) => [h.from, h.to, h.versionNumber])).toEqual([
        ['QUEUED', 'IN_PROGRESS', 2],
        ['IN_PROGRESS', 'SUCCEEDED', 3],
      ]);
      expect(await operations()).toEqual(['UpdateJobExecution reset apply-then-reset', 'UpdateJobExecution 409']);
    });

    test('skipUnchanged: a report naming one pair the execution holds is already as asked only under merge', async () => {
      const result = await updateJobExecution(
        { ...step, status: 'IN_PROGRESS', statusDetails: { step: '3' } },
        reading,
        { skipUnchanged: true },
      );
      const execution = await fx.execution('gw-7', 'fw-42');
      if (update === 'merge') {
        expect(result).toMatchObject({ changed: false, attempts: 1 });
        expect(await operations()).toEqual(['DescribeJobExecution 200']);
        expect([execution.versionNumber, execution.statusDetails]).toEqual([2, { step: '3', progress: '90' }]);
      } else {
        expect(result).toMatchObject({ changed: true, attempts: 2 });
        expect(await operations()).toEqual(['DescribeJobExecution 200', 'UpdateJobExecution 200']);
        expect([execution.versionNumber, execution.statusDetails]).toEqual([3, { step: '3' }]);
      }
    });

    test('start-next: an execution in progress holding every pair asked is already started only under merge', async () => {
      const result = await startNextPendingJobExecution({ thingName: 'gw-7', statusDetails: { step: '3' } }, reading);
      expect(result).toMatchObject({ changed: false, execution: { jobId: 'fw-42', versionNumber: 2 } });
      expect(await operations()).toEqual(
        update === 'merge'
          ? ['DescribeJobExecution 200']
          : ['DescribeJobExecution 200', 'StartNextPendingJobExecution 200'],
      );
    });
  },
);

test('a connection that reads replace where the service merges cannot call a re-run done: the setting decides', async () => {
  await fx.settings({ statusDetailsUpdate: 'merge' });
  await fx.deviceUpdate('gw-7', 'fw-42', { status: 'IN_PROGRESS', statusDetails: { step: '3' } });
  const input = { ...step, status: 'SUCCEEDED', statusDetails: { result: 'ok' } };
  expect(await updateJobExecution(input, aws)).toMatchObject({ changed: true });
  // The execution holds { step, result }: not the map asked, so under replace the re-run's 409 is a refusal.
  const error = await failure(updateJobExecution(input, aws));
  expect(error.code).toBe('invalid-transition');
  const merging = new Connection({ ...settingsOf(fx.url), statusDetailsUpdate: 'merge' });
  try {
    expect(await updateJobExecution(input, merging)).toMatchObject({ changed: false });
  } finally {
    merging.destroy();
  }
});

const settingsOf = (url: string) => ({ region: 'us-east-1', endpoint: url, credentials: FIXTURE_CREDENTIALS });
