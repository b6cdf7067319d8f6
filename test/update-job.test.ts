/**
 * The update-job step and our Import/Export query client against the emulator over HTTP, auth on, compared with
 * the AWS CLI v1: what goes on the wire, byte for byte, and what each outcome is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Connection, describeFailure, parseUpdateJobInput, updateJob, type StepOptions } from '../core/index';
import { encodeForm, importExportClient } from '../core/import-export/importexport-client';
import { maskManifest, sameManifest } from '../core/import-export/manifest';
import { awsCli, FIXTURE_CREDENTIALS, requireAwsCli } from './helpers/aws-cli';
import { startCapture } from './helpers/capture';
import { useEmulator } from './helpers/emulator';
import { expectStepError } from './helpers/steps';
import { EXPORT_MANIFEST, importExportJobs, manifest, setProgress, type JobDump } from './helpers/importexport';

const fx = useEmulator();
let aws: Connection;
let dir: string;

const fast: StepOptions = { sleep: async () => {}, random: () => 0 };
const ERASE_WARNING = '**** Device will be erased before being returned. ****';

beforeAll(async () => {
  requireAwsCli();
  dir = mkdtempSync(join(tmpdir(), 'update-job-test-'));
  aws = new Connection({ endpoint: fx.url, credentials: FIXTURE_CREDENTIALS });
});

afterAll(async () => {
  aws.destroy();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await fx.reset();
});

const jobs = (): Promise<JobDump[]> => importExportJobs(fx.url);

/** Creates a job through our own client, as a user's script would. */
async function createJob(text = manifest(), jobType: 'Import' | 'Export' = 'Import'): Promise<string> {
  const created = await importExportClient(aws).createJob({ manifest: text, jobType, validateOnly: false });
  await fx.clearRequests();
  return created.jobId;
}

const failure = expectStepError;

const operations = async (): Promise<string[]> =>
  (await fx.requests()).map((r) => `${r.operation} ${r.status}${r.fault ? ` ${r.fault}` : ''}`);

/** Manifests and credentials never appear in what a step reports. */
function expectNoLeak(value: unknown): void {
  const text = value instanceof Error ? `${value.message}${JSON.stringify(value)}` : JSON.stringify(value);
  for (const secret of ['Jane Roe', '123 Any Street', '49382', FIXTURE_CREDENTIALS.secretAccessKey]) {
    expect(text).not.toContain(secret);
  }
}

describe('update-job', () => {
  test('update, then re-run: changed, then not; one change in the emulator', async () => {
    const jobId = await createJob();
    const next = manifest({ deviceId: '50001' });
    const first = await updateJob({ JobId: jobId, Manifest: next, JobType: 'import' }, aws);
    expect(first).toEqual({
      changed: true,
      success: true,
      warningMessage: ERASE_WARNING,
      // UpdateJob's own answer lists no artifacts (as the AWS CLI example shows); the step does not invent any.
      artifactList: [],
      attempts: 2,
      requestId: expect.any(String),
    });
    expect(await jobs()).toEqual([expect.objectContaining({ manifest: next, updateCount: 1 })]);

    // The same manifest with other line endings and trailing blanks is the same manifest.
    const again = await updateJob({ jobId, manifest: `${next.replace(/\n/g, '  \r\n')}\r\n`, jobType: 'Import' }, aws);
    expect(again).toMatchObject({ changed: false, success: true });
    expect(await operations()).toEqual(['GetStatus 200', 'UpdateJob 200', 'GetStatus 200', 'UpdateJob 200']);
    expectNoLeak(first);
  });

  test('skipUnchanged reads and sends nothing when the job already has the manifest', async () => {
    const text = manifest();
    const jobId = await createJob(text);
    const result = await updateJob({ JobId: jobId, Manifest: text, JobType: 'Import' }, aws, { skipUnchanged: true });
    expect(result).toEqual({
      changed: false,
      success: true,
      artifactList: expect.any(Array),
      attempts: 1,
      requestId: expect.any(String),
    });
    expect(await operations()).toEqual(['GetStatus 200']);
    expect((await jobs())[0]!.updateCount).toBe(0);
  });

  test('ValidateOnly validates, answers the warning, and never reports or makes a change', async () => {
    const jobId = await createJob();
    const result = await updateJob(
      { JobId: jobId, Manifest: manifest({ deviceId: '777' }), JobType: 'Import', ValidateOnly: 'true' },
      aws,
    );
    expect(result).toMatchObject({ changed: false, success: true, warningMessage: ERASE_WARNING, attempts: 1 });
    expect((await jobs())[0]).toMatchObject({ updateCount: 0, manifest: manifest() });
    expect(await operations()).toEqual(['UpdateJob 200']);
  });

  test('a response lost after the update was applied: settled by GetStatus, one change', async () => {
    const jobId = await createJob();
    await fx.fault({ kind: 'apply-then-reset', operation: 'UpdateJob' });
    const next = manifest({ deviceId: '60001' });
    const result = await updateJob({ JobId: jobId, Manifest: next, JobType: 'Import' }, aws, fast);
    expect(result).toMatchObject({ changed: true, success: true, attempts: 3 });
    expect(await jobs()).toEqual([expect.objectContaining({ manifest: next, updateCount: 1 })]);
    expect(await operations()).toEqual(['GetStatus 200', 'UpdateJob reset apply-then-reset', 'GetStatus 200']);
  });

  test('a reset before anything was applied: GetStatus shows it was not, and the update is sent again', async () => {
    const jobId = await createJob();
    await fx.fault({ kind: 'reset', operation: 'UpdateJob' });
    const result = await updateJob(
      { JobId: jobId, Manifest: manifest({ deviceId: '1' }), JobType: 'Import' },
      aws,
      fast,
    );
    expect(result).toMatchObject({ changed: true, attempts: 4 });
    expect((await jobs())[0]!.updateCount).toBe(1);
  });

  test('Success false is not a change: GetStatus decides, the update is sent again, and a lasting one fails', async () => {
    const jobId = await createJob();
    await fx.fault({ kind: 'ok-unapplied', operation: 'UpdateJob' });
    const next = manifest({ deviceId: '60002' });
    const result = await updateJob({ JobId: jobId, Manifest: next, JobType: 'Import' }, aws, fast);
    expect(result).toMatchObject({ changed: true, success: true, attempts: 4 });
    expect(await operations()).toEqual([
      'GetStatus 200',
      'UpdateJob 200 ok-unapplied',
      'GetStatus 200',
      'UpdateJob 200',
    ]);
    expect((await jobs())[0]!.updateCount).toBe(1);

    await fx.fault({ kind: 'ok-unapplied', operation: 'UpdateJob', count: 10 });
    const error = await failure(
      updateJob({ JobId: jobId, Manifest: manifest({ deviceId: '60003' }), JobType: 'Import' }, aws, fast),
    );
    expect(error).toMatchObject({ code: 'unconfirmed', operation: 'UpdateJob', retryable: true });
    expect(describeFailure(error)).toBe(
      `UpdateJob ${jobId}: the service answered Success false: The request was not processed`,
    );
    expect((await jobs())[0]!).toMatchObject({ manifest: next, updateCount: 1 });
  });

  test('throttling is retried', async () => {
    const jobId = await createJob();
    await fx.fault({ kind: 'throttle', operation: 'UpdateJob', count: 2 });
    const result = await updateJob(
      { JobId: jobId, Manifest: manifest({ deviceId: '2' }), JobType: 'Import' },
      aws,
      fast,
    );
    expect(result).toMatchObject({ changed: true, attempts: 4 });
  });

  test('after the transfer started: the same manifest is already done, another one is refused', async () => {
    const text = manifest();
    const jobId = await createJob(text);
    expect((await setProgress(fx.url, jobId, { locationCode: 'AtAWS', progressCode: 'InProgress' })).status).toBe(200);
    expect(await updateJob({ JobId: jobId, Manifest: text, JobType: 'Import' }, aws)).toMatchObject({
      changed: false,
      success: true,
      attempts: 3,
    });
    const error = await failure(
      updateJob({ JobId: jobId, Manifest: manifest({ deviceId: '3' }), JobType: 'Import' }, aws),
    );
    expect(error).toMatchObject({
      code: 'invalid-transition',
      awsErrorName: 'UnableToUpdateJobIdException',
      httpStatus: 400,
      attempts: 3,
    });
    expect(describeFailure(error)).toBe(
      `UpdateJob ${jobId}: UnableToUpdateJobIdException: AWS Import/Export cannot update the job: its data transfer has started.`,
    );
  });

  test.each([
    ['an unknown job', async () => 'JOB99', {}, 'not-found', 'InvalidJobIdException'],
    [
      'a canceled job',
      async () => {
        const id = await createJob();
        await importExportClient(aws).cancelJob(id);
        return id;
      },
      {},
      'invalid-transition',
      'CanceledJobIdException',
    ],
    [
      'a JobType that does not match the job',
      async () => createJob(),
      { JobType: 'Export', Manifest: EXPORT_MANIFEST },
      'invalid-request',
      'InvalidParameterException',
    ],
    [
      'a malformed manifest',
      async () => createJob(),
      { Manifest: 'this is not a manifest' },
      'invalid-request',
      'MalformedManifestException',
    ],
    [
      'a manifest without its bucket',
      async () => createJob(),
      { Manifest: manifest({ bucket: null }) },
      'invalid-request',
      'MissingManifestFieldException',
    ],
    [
      'a manifest key id that is not the signing key',
      async () => createJob(),
      { Manifest: manifest({ accessKeyId: 'AKIAOTHERKEY00000000' }) },
      'auth',
      'InvalidAccessKeyIdException',
    ],
  ])('%s', async (_, makeJob, override, code, awsErrorName) => {
    const jobId = await makeJob();
    const error = await failure(
      updateJob({ JobId: jobId, Manifest: manifest({ deviceId: '4' }), JobType: 'Import', ...override }, aws),
    );
    expect(error).toMatchObject({ code, awsErrorName, operation: expect.stringMatching(/^(UpdateJob|GetStatus)$/) });
    expect(error.requestId).toEqual(expect.any(String));
    expect(describeFailure(error).startsWith(`${error.operation} ${jobId}: ${awsErrorName}: `)).toBe(true);
    expectNoLeak(error);
    expect(error.message).not.toContain('AKIAOTHERKEY');
  });

  test('a wrong secret is refused by the emulator as AWS refuses it', async () => {
    const jobId = await createJob();
    const wrong = new Connection({
      endpoint: fx.url,
      credentials: { ...FIXTURE_CREDENTIALS, secretAccessKey: 'nope' },
    });
    const error = await failure(updateJob({ JobId: jobId, Manifest: manifest(), JobType: 'Import' }, wrong));
    wrong.destroy();
    expect(error).toMatchObject({ code: 'auth', awsErrorName: 'SignatureDoesNotMatch', httpStatus: 403, attempts: 1 });
    expectNoLeak(error);
  });

  test('input errors are said before anything is sent', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ Manifest: 'x', JobType: 'Import' }, 'JobId is required; give a value'],
      [{ JobId: 'J', Manifest: 'x', JobType: 'imports' }, 'JobType is "imports"; did you mean Import?'],
      [{ JobId: 'J', JobType: 'Import' }, 'Manifest is required; give a value'],
      [
        { JobId: 'J', Manifest: 'x', JobType: 'Import', ValidateOnly: 'maybe' },
        'ValidateOnly must be true or false, not "maybe"; write true or false',
      ],
      [
        { JobId: 'J', jobId: 'K', Manifest: 'x', JobType: 'Import' },
        'JobId is given twice, as JobId and jobId; keep one',
      ],
      [
        { JobId: 'J', Manifest: 'x', JobType: 'Import', Validate: true },
        'Validate is not a field of UpdateJob; did you mean ValidateOnly?',
      ],
      [
        { JobId: 'J', Manifest: 'file://missing.txt', JobType: 'Import' },
        `Manifest names a file that does not exist: ${join(process.cwd(), 'missing.txt')}; give the path of the file, or the text itself`,
      ],
    ];
    for (const [input, message] of cases) {
      const error = await failure(updateJob(input, aws));
      expect([error.code, error.message]).toEqual(['invalid-input', message]);
    }
    expect(await fx.requests()).toEqual([]);
  });
});

describe('the query client on the wire', () => {
  test('Manifest file://path is read as the AWS CLI reads it, and the form body is byte-identical to the CLI’s', async () => {
    const text = manifest({ deviceId: '8008' }, { company: 'R&D ~ "West" * (1+1=2) ünïcode' });
    writeFileSync(join(dir, 'manifest.txt'), text);
    const capture = await startCapture(
      '<UpdateJobResponse><UpdateJobResult><Success>true</Success></UpdateJobResult></UpdateJobResponse>',
    );
    const { url, requests: bodies } = capture;
    try {
      const cli = await awsCli(
        url,
        [
          'importexport',
          'update-job',
          '--job-id',
          'EX1ID',
          '--job-type',
          'Import',
          '--manifest',
          'file://manifest.txt',
          '--no-validate-only',
        ],
        { cwd: dir },
      );
      expect(cli.code).toBe(0);
      const ours = new Connection({ endpoint: url, credentials: FIXTURE_CREDENTIALS });
      const client = importExportClient(ours);
      const parsed = await parseUpdateJobInput(
        { JobId: 'EX1ID', JobType: 'Import', Manifest: 'file://manifest.txt', ValidateOnly: false },
        { cwd: dir },
      );
      await client.updateJob(parsed);
      ours.destroy();
      expect(bodies).toHaveLength(2);
      expect(bodies[1]!.body).toBe(bodies[0]!.body);
      expect(bodies[1]!.url).toBe('/?Operation=UpdateJob');
      // Both sign for us-east-1/IngestionService with the same headers.
      const scope = (auth: string): string => auth.replace(/Signature=[0-9a-f]+$/, '').replace(/\/\d{8}\//, '/DATE/');
      expect(scope(String(bodies[1]!.headers.authorization))).toBe(scope(String(bodies[0]!.headers.authorization)));
    } finally {
      await capture.close();
    }
  });

  test('our update and the CLI’s leave the same state', async () => {
    const [a, b] = [await createJob(), await createJob()];
    const next = manifest({ deviceId: '424242' });
    writeFileSync(join(dir, 'next.txt'), next);
    const cli = await awsCli(
      fx.url,
      [
        'importexport',
        'update-job',
        '--job-id',
        b,
        '--job-type',
        'Import',
        '--manifest',
        'file://next.txt',
        '--no-validate-only',
      ],
      { cwd: dir },
    );
    expect(cli.code).toBe(0);
    expect(await updateJob({ JobId: a, Manifest: next, JobType: 'Import' }, aws)).toMatchObject({ changed: true });
    const all = await jobs();
    const pick = (id: string): unknown[] => {
      const job = all.find((j) => j.id === id);
      return [job?.manifest, job?.updateCount, job?.type];
    };
    expect(pick(a)).toEqual(pick(b));
    expect(pick(a)).toEqual([next, 1, 'Import']);
  });

  test('encodeForm is Python’s urlencode', () => {
    expect(encodeForm([['M', "a b~c*d'e(f)!g\nh&i=j+k/ü"]])).toBe(
      'M=a+b~c%2Ad%27e%28f%29%21g%0Ah%26i%3Dj%2Bk%2F%C3%BC',
    );
  });
});

describe('manifests', () => {
  test('compared without line endings or trailing blanks; the access key id masked for printing', () => {
    expect(sameManifest('a: 1\r\nb: 2  \r\n\r\n', 'a: 1\nb: 2')).toBe(true);
    expect(sameManifest('a: 1\nb: 2', 'a: 1\nb: 3')).toBe(false);
    expect(maskManifest('manifestVersion: 2.0\naccessKeyId: AKIAEMULATORTEST0001\nbucket: b\n')).toBe(
      'manifestVersion: 2.0\naccessKeyId: AKIA****************\nbucket: b\n',
    );
  });
});
