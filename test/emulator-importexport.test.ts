/**
 * AWS Import/Export in the emulator, driven the way users drive AWS: the real AWS CLI v1 (SigV4, scope
 * us-east-1/IngestionService) and botocore's own SigV2 signer, over HTTP. Raw form posts to an auth-off emulator
 * cover what the CLI refuses to send (a wrong Version, a missing parameter, an unknown Action), and the manifest
 * parser and the SigV2 verifier are also tested directly.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ERASE_DEVICE_WARNING, createImportExport } from '../emulator/importexport';
import {
  JobType,
  ManifestErrorCode,
  isManifestError,
  parseManifest,
  validateManifest,
} from '../emulator/importexport-manifest';
import { startEmulator, type RunningEmulator } from '../emulator/index';
import { canonicalQuery, signV2, stringToSignV2, verifySigV2 } from '../emulator/sigv2';
import type { EmulatorRequest } from '../emulator/types';
import { FIXTURE_CREDENTIALS, awsCli, requireAwsCli, type CliResult } from './helpers/aws-cli';
import { adminRequest, useEmulator } from './helpers/emulator';
import { startCapture } from './helpers/capture';
import {
  CLI_EXAMPLE_MANIFEST,
  EXPORT_MANIFEST,
  importExportJobs,
  manifest,
  setProgress as helperSetProgress,
  type JobDump,
} from './helpers/importexport';

const NS = 'http://importexport.amazonaws.com/doc/2010-06-01/';
/** AWS CLI v1 exits 255 when the service answers an error. */
const CLI_SERVICE_ERROR = 255;

const fx = useEmulator();
let dir: string;

beforeAll(async () => {
  requireAwsCli();
  dir = mkdtempSync(join(tmpdir(), 'importexport-test-'));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await adminRequest(fx.url, 'POST', 'reset');
});

function writeManifest(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return `file://${name}`;
}

function ie(args: readonly string[], output = 'json'): Promise<CliResult> {
  return awsCli(fx.url, ['importexport', ...args, '--output', output], { cwd: dir });
}

async function ieJson<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
  const result = await ie(args);
  if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

const jobs = (): Promise<JobDump[]> => importExportJobs(fx.url);

async function createJob(text = manifest(), type = 'import'): Promise<string> {
  const out = await ieJson<{ JobId: string }>([
    'create-job',
    '--job-type',
    type,
    '--manifest',
    writeManifest('create.txt', text),
    '--no-validate-only',
  ]);
  return out.JobId;
}

function updateArgs(jobId: string, text: string, type = 'import', validate = '--no-validate-only'): string[] {
  return [
    'update-job',
    '--job-id',
    jobId,
    '--job-type',
    type,
    '--manifest',
    writeManifest('update.txt', text),
    validate,
  ];
}

const setProgress = (jobId: string, body: Record<string, string>): Promise<Response> =>
  helperSetProgress(fx.url, jobId, body);

/** Runs a CLI command that must fail with `code`, and checks the CLI's own error line and exit code. */
async function expectCliError(args: readonly string[], code: string, operation: string): Promise<CliResult> {
  const result = await ie(args);
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: CLI_SERVICE_ERROR, stdout: '' });
  expect(result.stderr.trim()).toMatch(
    new RegExp(`^An error occurred \\(${code}\\) when calling the ${operation} operation: \\S.*$`),
  );
  return result;
}

/** Error messages name fields, never values from the manifest or the credentials. */
function expectNoLeak(text: string): void {
  for (const secret of [
    'Jane Roe',
    '123 Any Street',
    '49382',
    FIXTURE_CREDENTIALS.accessKeyId,
    FIXTURE_CREDENTIALS.secretAccessKey,
  ]) {
    expect(text).not.toContain(secret);
  }
}

describe('Import/Export through the AWS CLI (SigV4, IngestionService)', () => {
  test('create-job accepts the CLI example manifest verbatim and answers id, signature and artifacts', async () => {
    const out = await ieJson([
      'create-job',
      '--job-type',
      'import',
      '--manifest',
      writeManifest('manifest', CLI_EXAMPLE_MANIFEST),
      '--no-validate-only',
    ]);
    expect(out).toEqual({
      JobId: 'JOB01',
      JobType: 'Import',
      Signature: expect.stringMatching(/^[A-Za-z0-9+/]{27}=$/),
      SignatureFileContents: `version:2.0\nsigningMethod:HmacSHA1\njobId:JOB01\nsignature:${String(out.Signature)}`,
      WarningMessage: ERASE_DEVICE_WARNING,
      ArtifactList: [
        { Description: 'Signature file', URL: expect.stringMatching(/^https:\/\/.+\/JOB01\/SIGNATURE$/) },
        { Description: 'Shipping instructions', URL: expect.stringMatching(/^https:\/\/.+\/JOB01\/.+\.pdf$/) },
      ],
    });
    expect(await jobs()).toEqual([
      {
        id: 'JOB01',
        type: 'Import',
        manifest: CLI_EXAMPLE_MANIFEST,
        canceled: false,
        progressCode: 'Pending',
        locationCode: 'NotReceived',
        updateCount: 0,
        ownerAccessKeyId: FIXTURE_CREDENTIALS.accessKeyId,
        creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    ]);
  });

  test('get-status answers the manifest verbatim, the AWS status codes and the creation date', async () => {
    const text = manifest({}, { company: 'R&D <Lab> "West"' });
    const jobId = await createJob(text);
    const [dumped] = await jobs();
    const status = await ieJson(['get-status', '--job-id', jobId]);
    expect(status).toEqual({
      JobId: jobId,
      JobType: 'Import',
      LocationCode: 'NotReceived',
      LocationMessage: 'AWS has not received your device.',
      ProgressCode: 'Pending',
      ProgressMessage: 'The specified job has not started.',
      ErrorCount: 0,
      Signature: expect.any(String),
      SignatureFileContents: expect.stringContaining(`jobId:${jobId}\n`),
      CurrentManifest: text,
      CreationDate: expect.any(String),
      ArtifactList: [
        expect.objectContaining({ Description: 'Signature file' }),
        expect.objectContaining({ URL: expect.any(String) }),
      ],
    });
    expect(Date.parse(String(status.CreationDate))).toBe(Date.parse(dumped!.creationDate));
  });

  test('update-job prints exactly the AWS example line in text mode and makes one change', async () => {
    const jobId = await createJob(manifest({ eraseDevice: 'no' }));
    const replacement = manifest({ deviceId: '77777' });
    const result = await ie(updateArgs(jobId, replacement), 'text');
    expect(result).toEqual({ code: 0, stdout: `True\t${ERASE_DEVICE_WARNING}\n`, stderr: '' });
    const [job] = await jobs();
    expect(job).toMatchObject({ id: jobId, updateCount: 1, manifest: replacement });
    expect((await ieJson(['get-status', '--job-id', jobId])).CurrentManifest).toBe(replacement);
  });

  test('update-job without eraseDevice: yes answers Success alone', async () => {
    const jobId = await createJob();
    expect(await ieJson(updateArgs(jobId, manifest({ eraseDevice: 'no' })))).toEqual({ Success: true });
  });

  test('update-job --validate-only validates, answers Success and the warning, and changes nothing', async () => {
    const original = manifest({ eraseDevice: 'no' });
    const jobId = await createJob(original);
    const out = await ieJson(updateArgs(jobId, manifest(), 'import', '--validate-only'));
    expect(out).toEqual({ Success: true, WarningMessage: ERASE_DEVICE_WARNING });
    expect(await jobs()).toEqual([expect.objectContaining({ updateCount: 0, manifest: original })]);
    // …and an invalid manifest is still refused when only validating.
    await expectCliError(
      updateArgs(jobId, manifest({ bucket: null }), 'import', '--validate-only'),
      'MissingManifestFieldException',
      'UpdateJob',
    );
  });

  test('create-job --validate-only creates nothing', async () => {
    const out = await ieJson([
      'create-job',
      '--job-type',
      'import',
      '--manifest',
      writeManifest('v.txt', manifest()),
      '--validate-only',
    ]);
    expect(out).toEqual({ JobType: 'Import', WarningMessage: ERASE_DEVICE_WARNING });
    expect(await jobs()).toEqual([]);
  });

  test('export jobs: fileSystem and an operations list; the type must match on update', async () => {
    const jobId = await createJob(EXPORT_MANIFEST, 'export');
    expect((await ieJson(['get-status', '--job-id', jobId])).JobType).toBe('Export');
    await expectCliError(updateArgs(jobId, manifest(), 'import'), 'InvalidParameterException', 'UpdateJob');
    await expectCliError(
      [
        'create-job',
        '--job-type',
        'export',
        '--manifest',
        writeManifest('x.txt', EXPORT_MANIFEST.replace('NTFS', 'FAT32')),
        '--no-validate-only',
      ],
      'InvalidFileSystemException',
      'CreateJob',
    );
    expect((await jobs()).map((j) => j.updateCount)).toEqual([0]);
  });

  test('list-jobs lists newest first and pages with MaxJobs, Marker and IsTruncated', async () => {
    const ids = [await createJob(), await createJob(), await createJob()];
    await ie(['cancel-job', '--job-id', ids[0]!]);
    const all = await ieJson<{ Jobs: { JobId: string; IsCanceled: boolean; JobType: string }[] }>(['list-jobs']);
    expect(all.Jobs.map((j) => [j.JobId, j.IsCanceled, j.JobType])).toEqual([
      [ids[2], false, 'Import'],
      [ids[1], false, 'Import'],
      [ids[0], true, 'Import'],
    ]);
    // --page-size sends MaxJobs; the CLI follows IsTruncated with Marker = the last JobId until the end.
    await adminRequest(fx.url, 'DELETE', 'requests');
    const paged = await ieJson<{ Jobs: { JobId: string }[] }>(['list-jobs', '--page-size', '2']);
    expect(paged.Jobs.map((j) => j.JobId)).toEqual([ids[2], ids[1], ids[0]]);
    const log = (await (await adminRequest(fx.url, 'GET', 'requests')).json()) as {
      operation: string;
      status: number;
    }[];
    expect(log.map((e) => [e.operation, e.status])).toEqual([
      ['ListJobs', 200],
      ['ListJobs', 200],
    ]);
    // One page at a time, as MaxJobs and Marker go on the wire.
    type Page = { Jobs: { JobId: string }[]; IsTruncated: boolean };
    const first = await ieJson<Page>(['list-jobs', '--no-paginate', '--max-jobs', '2']);
    expect([first.Jobs.map((j) => j.JobId), first.IsTruncated]).toEqual([[ids[2], ids[1]], true]);
    const rest = await ieJson<Page>(['list-jobs', '--no-paginate', '--max-jobs', '2', '--marker', ids[1]!]);
    expect([rest.Jobs.map((j) => j.JobId), rest.IsTruncated]).toEqual([[ids[0]], false]);
  });

  test('cancel-job cancels once; a canceled job cannot be updated or canceled again', async () => {
    const jobId = await createJob();
    expect(await ieJson(['cancel-job', '--job-id', jobId])).toEqual({ Success: true });
    await expectCliError(['cancel-job', '--job-id', jobId], 'CanceledJobIdException', 'CancelJob');
    await expectCliError(updateArgs(jobId, manifest()), 'CanceledJobIdException', 'UpdateJob');
    expect(await ieJson(['get-status', '--job-id', jobId])).toMatchObject({ ProgressCode: 'Canceled' });
    expect(await jobs()).toEqual([
      expect.objectContaining({ canceled: true, progressCode: 'Canceled', updateCount: 0 }),
    ]);
  });

  test('once the transfer has started, update and cancel are refused (admin progress route)', async () => {
    const jobId = await createJob();
    const moved = await setProgress(jobId, { progressCode: 'InTransit' });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ locationCode: 'InTransit', progressCode: 'Pending' });
    await expectCliError(updateArgs(jobId, manifest()), 'UnableToUpdateJobIdException', 'UpdateJob');
    await expectCliError(['cancel-job', '--job-id', jobId], 'UnableToCancelJobIdException', 'CancelJob');
    expect(await ieJson(['get-status', '--job-id', jobId])).toMatchObject({ LocationCode: 'InTransit' });

    // Back to "not received": updatable again. Then AWS starts loading: refused again.
    expect((await setProgress(jobId, { progressCode: 'NotReceived' })).status).toBe(200);
    expect(await ieJson(updateArgs(jobId, manifest()))).toMatchObject({ Success: true });
    expect((await setProgress(jobId, { locationCode: 'AtAWS', progressCode: 'InProgress' })).status).toBe(200);
    await expectCliError(updateArgs(jobId, manifest()), 'UnableToUpdateJobIdException', 'UpdateJob');
    expect(await jobs()).toEqual([
      expect.objectContaining({ updateCount: 1, progressCode: 'InProgress', locationCode: 'AtAWS' }),
    ]);

    expect((await setProgress(jobId, { progressCode: 'Shipped' })).status).toBe(400);
    expect((await setProgress('NOSUCH', { progressCode: 'Pending' })).status).toBe(404);
  });

  test('unknown job ids are InvalidJobIdException', async () => {
    await expectCliError(updateArgs('EX1ID', manifest()), 'InvalidJobIdException', 'UpdateJob');
    await expectCliError(['get-status', '--job-id', 'EX1ID'], 'InvalidJobIdException', 'GetStatus');
    await expectCliError(['cancel-job', '--job-id', 'EX1ID'], 'InvalidJobIdException', 'CancelJob');
  });

  test.each([
    ['a line that is not key: value', 'MalformedManifestException', 'manifestVersion: 2.0\nthis is not yaml\n'],
    ['control characters', 'MalformedManifestException', `${manifest()}\u0001\u0002\n`],
    ['no returnAddress.city', 'MissingManifestFieldException', manifest({}, { city: null })],
    ['no deviceId', 'MissingManifestFieldException', manifest({ deviceId: null })],
    ['no bucket on an import', 'MissingManifestFieldException', manifest({ bucket: null })],
    ['manifestVersion 3.0', 'InvalidManifestFieldException', manifest({ manifestVersion: '3.0' })],
    ['eraseDevice maybe', 'InvalidManifestFieldException', manifest({ eraseDevice: 'maybe' })],
    ['another accessKeyId', 'InvalidAccessKeyIdException', manifest({ accessKeyId: 'AKIAOTHERKEY00000000' })],
  ] as const)('update-job with %s is %s and changes nothing', async (_what, code, text) => {
    const jobId = await createJob();
    const result = await expectCliError(updateArgs(jobId, text), code, 'UpdateJob');
    expectNoLeak(result.stderr);
    expect(await jobs()).toEqual([expect.objectContaining({ updateCount: 0, manifest: manifest() })]);
  });

  test('missing-field errors name the field', async () => {
    const jobId = await createJob();
    const result = await expectCliError(
      updateArgs(jobId, manifest({}, { city: null })),
      'MissingManifestFieldException',
      'UpdateJob',
    );
    expect(result.stderr).toContain('returnAddress.city');
  });

  test('create-job refuses a bad manifest with the same errors', async () => {
    await expectCliError(
      [
        'create-job',
        '--job-type',
        'import',
        '--manifest',
        writeManifest('bad.txt', manifest({ manifestVersion: '9' })),
        '--no-validate-only',
      ],
      'InvalidManifestFieldException',
      'CreateJob',
    );
    expect(await jobs()).toEqual([]);
  });

  test('get-shipping-label answers a label URL for the caller\u2019s jobs', async () => {
    const jobId = await createJob();
    const out = await ieJson(['get-shipping-label', '--job-ids', jobId, '--name', 'Jane Roe']);
    expect(out).toEqual({
      ShippingLabelURL: `https://s3.amazonaws.com/amzn-s3-demo-bucket/shipping-label-${jobId}.pdf`,
    });
  });
});

describe('what the AWS CLI sends for update-job', () => {
  test('a SigV4 form post to / scoped us-east-1/IngestionService, JobType as typed', async () => {
    const capture = await startCapture(
      `<UpdateJobResponse xmlns="${NS}"><UpdateJobResult><Success>true</Success></UpdateJobResult>` +
        `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></UpdateJobResponse>`,
    );
    try {
      const { url } = capture;
      const text = manifest();
      writeFileSync(join(dir, 'manifest.txt'), text);
      const result = await awsCli(
        url,
        [
          'importexport',
          'update-job',
          '--job-id',
          'EX1ID',
          '--job-type',
          'import',
          '--manifest',
          'file://manifest.txt',
          '--no-validate-only',
        ],
        { cwd: dir },
      );
      expect(result.code).toBe(0);
      expect(capture.requests).toHaveLength(1);
      const seen = capture.requests[0]!;
      expect(seen.method).toBe('POST');
      expect(seen.url).toBe('/');
      expect(seen.headers?.['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
      expect(seen.headers?.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIAEMULATORTEST0001\/\d{8}\/us-east-1\/IngestionService\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
      );
      const expected = new URLSearchParams([
        ['Action', 'UpdateJob'],
        ['Version', '2010-06-01'],
        ['JobId', 'EX1ID'],
        ['Manifest', text],
        ['JobType', 'import'],
        ['ValidateOnly', 'false'],
      ]).toString();
      expect(seen.body).toBe(expected);
    } finally {
      await capture.close();
    }
  });
});

// ---- the wire, raw, against an auth-off emulator ---------------------------------------------------------------

describe('query protocol details (raw form posts, auth off)', () => {
  let raw: RunningEmulator;
  beforeAll(async () => {
    raw = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await raw?.close();
  });
  beforeEach(async () => {
    await adminRequest(raw.url, 'POST', 'reset');
  });

  async function post(
    params: Record<string, string>,
    path = '/',
  ): Promise<{ status: number; type: string | null; body: string }> {
    const response = await fetch(`${raw.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  }

  const base = { Version: '2010-06-01' };
  const create = (extra: Record<string, string> = {}) =>
    post({ Action: 'CreateJob', ...base, JobType: 'Import', Manifest: manifest(), ValidateOnly: 'false', ...extra });

  function errorXml(code: string): RegExp {
    return new RegExp(
      `^<ErrorResponse xmlns="${NS.replace(/[./]/g, '\\$&')}"><Error><Type>Sender</Type><Code>${code}</Code>` +
        `<Message>[^<]+</Message></Error><RequestId>[^<]+</RequestId></ErrorResponse>$`,
    );
  }

  test('success responses are <OpResponse><OpResult>…<ResponseMetadata> XML, text/xml', async () => {
    expect((await create()).status).toBe(200);
    const updated = await post({
      Action: 'UpdateJob',
      ...base,
      JobId: 'JOB01',
      JobType: 'IMPORT',
      Manifest: manifest(),
      ValidateOnly: 'FALSE',
    });
    expect(updated.status).toBe(200);
    expect(updated.type).toBe('text/xml');
    expect(updated.body).toMatch(
      new RegExp(
        `^<UpdateJobResponse xmlns="${NS.replace(/[./]/g, '\\$&')}"><UpdateJobResult><Success>true</Success>` +
          `<WarningMessage>\\*\\*\\*\\* Device will be erased before being returned\\. \\*\\*\\*\\*</WarningMessage>` +
          `</UpdateJobResult><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></UpdateJobResponse>$`,
      ),
    );
  });

  test('text is XML-escaped and CreationDate is ISO 8601 to the second', async () => {
    await create({ Manifest: manifest({}, { company: 'A&B <C>' }) });
    const status = await post({ Action: 'GetStatus', ...base, JobId: 'JOB01' });
    expect(status.body).toContain('company: A&amp;B &lt;C&gt;');
    expect(status.body).toMatch(/<CreationDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/CreationDate>/);
  });

  test('the operation may come from ?Operation= when the form has no Action', async () => {
    await create();
    expect((await post({ ...base, JobId: 'JOB01' }, '/?Operation=GetStatus')).body).toContain(
      '<ProgressCode>Pending</ProgressCode>',
    );
  });

  test('a Version other than 2010-06-01 is InvalidVersionException', async () => {
    const answer = await create({ Version: '2009-05-20' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(errorXml('InvalidVersionException'));
  });

  test.each([
    ['CreateJob', { JobType: 'Import', ValidateOnly: 'false' }, 'Manifest'],
    ['CreateJob', { Manifest: 'x: y', ValidateOnly: 'false' }, 'JobType'],
    ['UpdateJob', { Manifest: 'x: y', JobType: 'Import', ValidateOnly: 'false' }, 'JobId'],
    ['UpdateJob', { JobId: 'JOB01', Manifest: 'x: y', JobType: 'Import' }, 'ValidateOnly'],
    ['GetStatus', {}, 'JobId'],
    ['CancelJob', {}, 'JobId'],
    ['GetShippingLabel', {}, 'jobIds'],
  ])('%s without a required parameter is MissingParameterException naming it', async (action, params, name) => {
    const answer = await post({ Action: action, ...base, ...params });
    expect(answer.body).toMatch(errorXml('MissingParameterException'));
    expect(answer.body).toContain(name);
  });

  test('an unknown Action is InvalidAction; bad JobType, ValidateOnly, MaxJobs and Marker are InvalidParameterException', async () => {
    expect((await post({ Action: 'DeleteJob', ...base })).body).toMatch(errorXml('InvalidAction'));
    expect((await create({ JobType: 'Move' })).body).toMatch(errorXml('InvalidParameterException'));
    expect((await create({ ValidateOnly: 'yes' })).body).toMatch(errorXml('InvalidParameterException'));
    expect((await post({ Action: 'ListJobs', ...base, MaxJobs: '0' })).body).toMatch(
      errorXml('InvalidParameterException'),
    );
    expect((await post({ Action: 'ListJobs', ...base, Marker: 'NOSUCH' })).body).toMatch(
      errorXml('InvalidParameterException'),
    );
  });

  test('an empty manifest is MalformedManifestException; ValidateOnly is case-insensitive', async () => {
    expect((await create({ Manifest: '' })).body).toMatch(errorXml('MalformedManifestException'));
    expect((await create({ ValidateOnly: 'TRUE' })).body).toContain('<CreateJobResult><JobType>Import</JobType>');
  });

  test('ids are deterministic and restart after reset', async () => {
    await create();
    await create();
    expect((await post({ Action: 'ListJobs', ...base })).body).toMatch(/<JobId>JOB02<\/JobId>.*<JobId>JOB01<\/JobId>/);
    await adminRequest(raw.url, 'POST', 'reset');
    expect((await create()).body).toContain('<JobId>JOB01</JobId>');
  });
});

// ---- SigV2 --------------------------------------------------------------------------------------------------------

interface PythonResult {
  [name: string]: { ok: boolean; status?: number; code?: string; value?: unknown; sent?: string };
}

function python(script: string, input: unknown): Promise<PythonResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', script, JSON.stringify(input)],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`python3 failed: ${stderr}`));
        resolve(JSON.parse(stdout) as PythonResult);
      },
    );
  });
}

/**
 * botocore's own SigV2Auth, plus an independent HmacSHA1 signer (botocore only signs HmacSHA256). botocore 1.43
 * forces SigV4 on importexport (ClientCreator registers a choose-signer handler and ignores the client's Config),
 * so a choose-signer handler registered first puts the model's v2 back.
 */
const SIGV2_SCRIPT = String.raw`
import base64, hashlib, hmac, json, sys, time, urllib.error, urllib.parse, urllib.request
import botocore.config, botocore.session
from botocore.exceptions import ClientError

cfg = json.loads(sys.argv[1])
out = {}

def client(key, secret):
    c = botocore.session.get_session().create_client(
        'importexport', endpoint_url=cfg['url'], region_name='us-east-1',
        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=cfg['token'],
        config=botocore.config.Config(signature_version='v2', retries={'max_attempts': 0}))
    c.meta.events.register_first('choose-signer.importexport', lambda **kw: 'v2', unique_id='emulator-test-v2')
    sent = []
    c.meta.events.register('before-send.importexport', lambda request, **kw: sent.append(request))
    return c, sent

def run(name, fn, sent):
    try:
        out[name] = {'ok': True, 'value': fn()}
    except ClientError as e:
        out[name] = {'ok': False, 'code': e.response['Error']['Code']}
    if sent:
        r = sent[-1]
        body = r.body.decode() if isinstance(r.body, bytes) else r.body
        out[name]['sent'] = json.dumps({'body': body, 'authorization': r.headers.get('Authorization') is not None})

good, sent = client(cfg['key'], cfg['secret'])
run('create', lambda: good.create_job(JobType='Import', Manifest=cfg['manifest'], ValidateOnly=False)['JobId'], sent)
run('status', lambda: good.get_status(JobId='JOB01')['ProgressCode'], sent)
bad, sent_bad = client(cfg['key'], cfg['secret'] + 'x')
run('wrongSecret', lambda: bad.get_status(JobId='JOB01'), sent_bad)
unknown, sent_unknown = client('AKIAUNKNOWNKEY000000', cfg['secret'])
run('unknownKey', lambda: unknown.get_status(JobId='JOB01'), sent_unknown)

def sha1_post(params, secret):
    netloc = urllib.parse.urlsplit(cfg['url']).netloc
    canonical = '&'.join(urllib.parse.quote(k, safe='-_.~') + '=' + urllib.parse.quote(params[k], safe='-_.~') for k in sorted(params))
    digest = hmac.new(secret.encode(), ('POST\n' + netloc.lower() + '\n/\n' + canonical).encode(), hashlib.sha1).digest()
    body = urllib.parse.urlencode({**params, 'Signature': base64.b64encode(digest).decode()}).encode()
    req = urllib.request.Request(cfg['url'] + '/', data=body, method='POST', headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
    try:
        with urllib.request.urlopen(req) as resp:
            return {'ok': True, 'value': resp.read().decode()}
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return {'ok': False, 'status': e.code, 'code': text.split('<Code>')[1].split('</Code>')[0]}

sha1 = {'Action': 'GetStatus', 'Version': '2010-06-01', 'JobId': 'JOB01', 'AWSAccessKeyId': cfg['key'],
        'SignatureVersion': '2', 'SignatureMethod': 'HmacSHA1', 'Timestamp': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
        'SecurityToken': cfg['token']}
out['sha1'] = sha1_post(sha1, cfg['secret'])
out['sha1NoToken'] = sha1_post({k: v for k, v in sha1.items() if k != 'SecurityToken'}, cfg['secret'])
out['sha1WrongToken'] = sha1_post({**sha1, 'SecurityToken': 'not-the-token'}, cfg['secret'])
out['sha1WrongSecret'] = sha1_post(sha1, 'not-the-secret')
expires = {k: v for k, v in sha1.items() if k != 'Timestamp'}
out['sha1Expires'] = sha1_post({**expires, 'Expires': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 300))}, cfg['secret'])
out['sha1Expired'] = sha1_post({**expires, 'Expires': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() - 60))}, cfg['secret'])
out['sha1Stale'] = sha1_post({**sha1, 'Timestamp': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() - 3600))}, cfg['secret'])
print(json.dumps(out))
`;

describe('SigV2 over HTTP (botocore SigV2Auth and a HmacSHA1 signer)', () => {
  test('signed requests are accepted, a wrong secret or key is refused', async () => {
    const result = await python(SIGV2_SCRIPT, {
      url: fx.url,
      key: FIXTURE_CREDENTIALS.accessKeyId,
      secret: FIXTURE_CREDENTIALS.secretAccessKey,
      token: FIXTURE_CREDENTIALS.sessionToken,
      manifest: manifest(),
    });
    expect(result.create).toMatchObject({ ok: true, value: 'JOB01' });
    const sent = JSON.parse(result.create!.sent!) as { body: string; authorization: boolean };
    expect(sent.authorization).toBe(false);
    const params = new URLSearchParams(sent.body);
    expect([params.get('SignatureVersion'), params.get('SignatureMethod'), params.get('AWSAccessKeyId')]).toEqual([
      '2',
      'HmacSHA256',
      FIXTURE_CREDENTIALS.accessKeyId,
    ]);
    expect(result.status).toMatchObject({ ok: true, value: 'Pending' });
    expect(result.wrongSecret).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(result.unknownKey).toMatchObject({ ok: false, code: 'InvalidClientTokenId' });
    expect(result.sha1).toMatchObject({ ok: true });
    expect(String(result.sha1!.value)).toContain('<JobId>JOB01</JobId>');
    expect(result.sha1WrongSecret).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(result.sha1Expires).toMatchObject({ ok: true });
    // The credentials carry a session token: a correct signature without it, or with another, is refused.
    expect(result.sha1NoToken).toMatchObject({ ok: false, status: 403, code: 'InvalidClientTokenId' });
    expect(result.sha1WrongToken).toMatchObject({ ok: false, status: 403, code: 'InvalidClientTokenId' });
    expect(result.sha1Expired).toMatchObject({ ok: false, status: 400, code: 'RequestExpired' });
    expect(result.sha1Stale).toMatchObject({ ok: false, status: 400, code: 'RequestExpired' });
    // The SigV2-created job belongs to the signing key, as a SigV4-created one does.
    expect(await jobs()).toEqual([
      expect.objectContaining({ id: 'JOB01', ownerAccessKeyId: FIXTURE_CREDENTIALS.accessKeyId }),
    ]);
  });
});

/** botocore's SigV2Auth.calc_signature on fixed parameters: the canonical query and the signature it computes. */
const VECTOR_SCRIPT = String.raw`
import json, sys
from botocore.auth import SigV2Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
cfg = json.loads(sys.argv[1])
req = AWSRequest(method='POST', url=cfg['url'], data=dict(cfg['params']))
qs, sig = SigV2Auth(Credentials(cfg['key'], cfg['secret'])).calc_signature(req, dict(cfg['params']))
print(json.dumps({'vector': {'ok': True, 'value': {'qs': qs, 'signature': sig}}}))
`;

describe('verifySigV2', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const key = 'AKIAIOSFODNN7EXAMPLE';
  const timestamp = '2026-01-02T03:04:05Z';
  const now = Date.parse(timestamp);
  const lookupSecret = (id: string) => (id === key ? secret : undefined);
  const tricky: Record<string, string> = {
    Action: 'UpdateJob',
    Version: '2010-06-01',
    JobId: 'EX1ID',
    Manifest: "name: Zoë O'Brien (R&D) * ~ ! 100% a+b=c/d;e\n\tstreet1: 1 Rue \u{1F600}",
    Zeta: 'last',
    alpha: 'lower-case after upper-case',
    AWSAccessKeyId: key,
    SignatureVersion: '2',
    SignatureMethod: 'HmacSHA256',
    Timestamp: timestamp,
  };

  function input(params: Record<string, string>, overrides: Partial<Parameters<typeof verifySigV2>[0]> = {}) {
    return {
      method: 'POST',
      host: '127.0.0.1:4566',
      path: '/',
      params: new URLSearchParams(params),
      lookupSecret,
      now,
      ...overrides,
    };
  }

  function signed(params: Record<string, string>, method: 'HmacSHA256' | 'HmacSHA1' = 'HmacSHA256') {
    const all = { ...params, SignatureMethod: method };
    const signature = signV2(secret, method, stringToSignV2('POST', '127.0.0.1:4566', '/', new URLSearchParams(all)));
    return { ...all, Signature: signature };
  }

  test('agrees with botocore SigV2Auth on the canonical query and the signature', async () => {
    const { vector } = await python(VECTOR_SCRIPT, { url: 'http://127.0.0.1:4566/', params: tricky, key, secret });
    const { qs, signature } = vector!.value as { qs: string; signature: string };
    expect(canonicalQuery(new URLSearchParams(tricky))).toBe(qs);
    expect(verifySigV2(input({ ...tricky, Signature: signature }))).toEqual({ ok: true, accessKeyId: key });
    expect(signed(tricky).Signature).toBe(signature);
  });

  test('HmacSHA1, Expires, and a host compared in lower case', () => {
    expect(verifySigV2(input(signed(tricky, 'HmacSHA1')))).toEqual({ ok: true, accessKeyId: key });
    const { Timestamp: _t, ...rest } = tricky;
    expect(verifySigV2(input(signed({ ...rest, Expires: '2026-01-02T03:10:00Z' })))).toEqual({
      ok: true,
      accessKeyId: key,
    });
    const params = { ...tricky };
    const signature = signV2(
      secret,
      'HmacSHA256',
      stringToSignV2('POST', 'localhost:4566', '/', new URLSearchParams(params)),
    );
    expect(verifySigV2(input({ ...params, Signature: signature }, { host: 'LocalHost:4566' }))).toMatchObject({
      ok: true,
    });
  });

  test.each([
    [
      'wrong signature',
      'SignatureDoesNotMatch',
      () => input({ ...signed(tricky), Signature: signed({ ...tricky, JobId: 'OTHER' }).Signature }),
    ],
    ['other path', 'SignatureDoesNotMatch', () => input(signed(tricky), { path: '/x' })],
    ['other method', 'SignatureDoesNotMatch', () => input(signed(tricky), { method: 'GET' })],
    ['other port', 'SignatureDoesNotMatch', () => input(signed(tricky), { host: '127.0.0.1:4567' })],
    ['unknown key', 'InvalidClientTokenId', () => input(signed({ ...tricky, AWSAccessKeyId: 'AKIAUNKNOWN' }))],
    ['Timestamp 16 minutes old', 'RequestExpired', () => input(signed(tricky), { now: now + 16 * 60_000 })],
    ['Timestamp 16 minutes ahead', 'RequestExpired', () => input(signed(tricky), { now: now - 16 * 60_000 })],
    [
      'both Timestamp and Expires',
      'InvalidParameterCombination',
      () => input(signed({ ...tricky, Expires: timestamp })),
    ],
    ['SignatureVersion 1', 'InvalidParameterValue', () => input(signed({ ...tricky, SignatureVersion: '1' }))],
    [
      'SignatureMethod HmacMD5',
      'InvalidParameterValue',
      () => input({ ...signed(tricky), SignatureMethod: 'HmacMD5' }),
    ],
    ['no Signature', 'MissingParameter', () => input(tricky)],
    ['no AWSAccessKeyId', 'MissingAuthenticationToken', () => input({ ...signed(tricky), AWSAccessKeyId: '' })],
    ['unparseable Timestamp', 'InvalidParameterValue', () => input(signed({ ...tricky, Timestamp: 'yesterday' }))],
  ] as const)('%s is %s', (_what, code, make) => {
    const outcome = verifySigV2(make());
    const status = ['InvalidClientTokenId', 'SignatureDoesNotMatch', 'MissingAuthenticationToken'].includes(code)
      ? 403
      : 400;
    expect(outcome).toMatchObject({ ok: false, code, status });
    expect(JSON.stringify(outcome)).not.toContain(secret);
  });

  test('an Expires in the past is RequestExpired; 14 minutes of skew is fine', () => {
    const { Timestamp: _t, ...rest } = tricky;
    expect(verifySigV2(input(signed({ ...rest, Expires: timestamp }), { now: now + 1000 }))).toMatchObject({
      code: 'RequestExpired',
    });
    expect(verifySigV2(input(signed(tricky), { now: now + 14 * 60_000 }))).toMatchObject({ ok: true });
  });
});

// ---- the manifest, directly ---------------------------------------------------------------------------------------

describe('manifest parsing and validation', () => {
  test('the documented layouts parse: indented, unindented address, key:value without a space, list items', () => {
    const parsed = parseManifest(`${CLI_EXAMPLE_MANIFEST}# a comment\n\ngenerator:Text editor\n`);
    expect(isManifestError(parsed)).toBe(false);
    if (isManifestError(parsed)) return;
    expect(parsed.fields.get('generator')).toBe('Text editor');
    expect(parsed.fields.get('deviceId')).toBe('49382');
    expect(parsed.sections.get('returnAddress')?.map((e) => e.key)).toEqual([
      'name',
      'company',
      'street1',
      'city',
      'stateOrProvince',
      'postalCode',
      'phoneNumber',
      'country',
    ]);
    expect(validateManifest(EXPORT_MANIFEST, JobType.Export)).toEqual({ eraseDevice: false, accessKeyId: undefined });
    expect(validateManifest(manifest(), JobType.Import)).toEqual({
      eraseDevice: true,
      accessKeyId: FIXTURE_CREDENTIALS.accessKeyId,
    });
  });

  test.each([
    ['empty', ManifestErrorCode.Malformed, '   \n'],
    ['NUL byte', ManifestErrorCode.Malformed, `${manifest()}\u0000`],
    ['invalid UTF-8 (U+FFFD)', ManifestErrorCode.Malformed, `${manifest()}x: \uFFFD\n`],
    ['indented line with no section', ManifestErrorCode.Malformed, '  name: x\n'],
    ['duplicate key', ManifestErrorCode.Malformed, `${manifest()}bucket: again\n`],
    ['unknown address field', ManifestErrorCode.InvalidField, manifest({}, { planet: 'Mars' })],
    ['no returnAddress', ManifestErrorCode.MissingField, manifest().split('returnAddress:')[0]!],
    ['no phoneNumber', ManifestErrorCode.MissingField, manifest({}, { phoneNumber: null })],
    ['empty bucket', ManifestErrorCode.MissingField, manifest({ bucket: '' })],
  ] as const)('%s → %s', (_what, code, text) => {
    expect(validateManifest(text, JobType.Import)).toMatchObject({ code });
  });

  test('export needs a file system and a bucket', () => {
    expect(validateManifest(EXPORT_MANIFEST.replace('fileSystem: NTFS\n', ''), JobType.Export)).toMatchObject({
      code: ManifestErrorCode.MissingField,
      message: expect.stringContaining('fileSystem'),
    });
    expect(
      validateManifest(EXPORT_MANIFEST.replace('fileSystem: NTFS', 'fileSystem: ext4'), JobType.Export),
    ).toMatchObject({
      eraseDevice: false,
    });
    expect(validateManifest(EXPORT_MANIFEST.replace(/operations:\n.*\n/, ''), JobType.Export)).toMatchObject({
      code: ManifestErrorCode.MissingField,
    });
  });

  test('messages never contain manifest values', () => {
    const problems = [
      validateManifest('Jane Roe lives at 123 Any Street\n', JobType.Import),
      validateManifest(manifest({ eraseDevice: 'Jane Roe' }), JobType.Import),
      validateManifest(manifest({ manifestVersion: '49382' }), JobType.Import),
    ];
    for (const problem of problems) {
      expect(isManifestError(problem)).toBe(true);
      expectNoLeak(JSON.stringify(problem));
    }
  });
});

describe('the module without the front', () => {
  function request(form: Record<string, string>, accessKeyId?: string): EmulatorRequest {
    return {
      service: 'importexport',
      method: 'POST',
      rawPath: '/',
      segments: [],
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.alloc(0),
      form: new URLSearchParams({ Version: '2010-06-01', ...form }),
      accessKeyId,
      requestId: 'req-1',
      now: Date.UTC(2015, 4, 27, 18, 58, 21, 500),
    };
  }

  test('route names the operation before running it; run alone changes state', () => {
    const module = createImportExport();
    const routed = module.route(
      request(
        { Action: 'CreateJob', JobType: 'Import', Manifest: manifest(), ValidateOnly: 'false' },
        FIXTURE_CREDENTIALS.accessKeyId,
      ),
    );
    expect(routed.operation).toBe('CreateJob');
    expect(module.dump()).toEqual({ jobs: [] });
    expect(routed.run().status).toBe(200);
    expect(module.dump()).toEqual({
      jobs: [expect.objectContaining({ id: 'JOB01', creationDate: '2015-05-27T18:58:21Z' })],
    });
  });

  test('another key cannot see, list, update or cancel the job', () => {
    const module = createImportExport();
    module
      .route(
        request(
          { Action: 'CreateJob', JobType: 'Import', Manifest: manifest({ accessKeyId: null }), ValidateOnly: 'false' },
          'AKIAOWNER',
        ),
      )
      .run();
    const other = (form: Record<string, string>) => module.route(request(form, 'AKIASOMEONEELSE')).run();
    expect(other({ Action: 'GetStatus', JobId: 'JOB01' }).body).toContain('<Code>InvalidJobIdException</Code>');
    expect(other({ Action: 'CancelJob', JobId: 'JOB01' }).body).toContain('<Code>InvalidJobIdException</Code>');
    expect(other({ Action: 'ListJobs' }).body).toContain('<Jobs></Jobs>');
    expect(module.route(request({ Action: 'ListJobs' }, 'AKIAOWNER')).run().body).toContain('<JobId>JOB01</JobId>');
  });

  test('admin ignores routes that are not its own', () => {
    const module = createImportExport();
    expect(module.admin('POST', ['jobs', 'JOB01', 'progress'], {})).toBeUndefined();
    expect(module.admin('GET', ['state'], undefined)).toBeUndefined();
    expect(module.admin('GET', ['importexport', 'jobs'], undefined)).toEqual({ status: 200, body: { jobs: [] } });
  });
});
