/**
 * Differential tests of `aws-job-steps` (the bundle `npm run build` makes, lib/cli/index.js) against the AWS CLI v1 on the
 * machine: each case runs through both CLIs against fresh emulator state (auth on), and stdout, exit code and the
 * resulting state are compared. Differences are deliberate and named: the program name in usage errors, and a
 * re-run of a finished update, which ours completes (exit 0) where the AWS CLI fails.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';

import { awsCli, awsEnv, requireAwsCli, type CliResult } from './helpers/aws-cli';
import { READINGS, RERUN_THINGS as things, useEmulator } from './helpers/emulator';
import { expectNoSecrets } from './helpers/secrets';
import { createImportExportJob, importExportJobs, manifest } from './helpers/importexport';

const BUNDLE = join(__dirname, '..', 'lib', 'cli', 'index.js');

const fx = useEmulator();
let dir: string;

beforeAll(async () => {
  requireAwsCli();
  dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
  writeFileSync(join(dir, 'manifest.txt'), manifest({ deviceId: '8008' }));
  writeFileSync(
    join(dir, 'input.json'),
    JSON.stringify({ jobId: 'fw-42', thingName: 'gw-7', status: 'FAILED', statusDetails: { from: 'file' } }),
  );
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

function ours(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BUNDLE, ...args.slice(0, 1), '--endpoint-url', fx.url, ...args.slice(1)],
      { env: awsEnv(), cwd: dir, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** The AWS CLI's form of the same command. */
function theirs(args: readonly string[]): Promise<CliResult> {
  const service = args[0] === 'update-job' ? 'importexport' : 'iot-jobs-data';
  return awsCli(fx.url, [service, ...args], { cwd: dir });
}

/** 2026-12-01T00:00:00Z, where the emulator's clock stands for these tests. */
const FROZEN_AT = 1_764_547_200;

/** Fresh state: two things with a QUEUED execution of fw-42 each, and one Import/Export job (JOB01). */
async function fresh(): Promise<void> {
  await fx.reset();
  // The same service time for both CLIs' runs, so the timestamps in answers (queuedAt…) are the same bytes.
  await fx.freezeClock(FROZEN_AT);
  await fx.seed(['gw-7', 'gw-8'], [{ jobId: 'fw-42', targets: ['gw-7', 'gw-8'], document: '{"firmware":"ü 4.2"}' }]);
  await createImportExportJob(fx.url);
}

async function state(): Promise<unknown> {
  const iot = await fx.iot();
  const jobs = await importExportJobs(fx.url);
  return {
    executions: iot.executions.map((e) => [e.thingName, e.status, e.statusDetails, e.versionNumber, e.history.length]),
    jobs: jobs.map((j) => [j.id, j.manifest, j.updateCount]),
  };
}

interface Both {
  readonly aws: CliResult;
  readonly ours: CliResult;
  readonly awsState: unknown;
  readonly ourState: unknown;
}

async function both(args: readonly string[], prepare: () => Promise<void> = async () => {}): Promise<Both> {
  await fresh();
  await prepare();
  const aws = await theirs(args);
  const awsState = await state();
  await fresh();
  await prepare();
  const mine = await ours(args);
  expectNoSecrets(`aws-job-steps ${args.join(' ')}`, mine.stdout, mine.stderr);
  return { aws, ours: mine, awsState, ourState: await state() };
}

/** The same stdout, exit code, error line and resulting state as the AWS CLI's. */
function expectSameAsAwsCli(result: Both): void {
  expect(result.ours.stdout).toBe(result.aws.stdout);
  expect(result.ours.code).toBe(result.aws.code);
  const lastLine = (r: CliResult): string | undefined => r.stderr.trim().split('\n').at(-1);
  if (result.aws.code !== 0) expect(lastLine(result.ours)).toBe(lastLine(result.aws));
  expect(result.ourState).toEqual(result.awsState);
}

const EXECUTION = ['update-job-execution', '--job-id', 'fw-42', '--thing-name', 'gw-7'];
const JOB = ['update-job', '--job-id', 'JOB01', '--job-type', 'Import', '--manifest', 'file://manifest.txt'];

describe('the same stdout, exit code and state as the AWS CLI', () => {
  test.each([
    ['nothing requested: empty output', [...EXECUTION, '--status', 'IN_PROGRESS']],
    [
      'state and document, json',
      [...EXECUTION, '--status', 'IN_PROGRESS', '--include-job-execution-state', '--include-job-document'],
    ],
    [
      'state and document, text',
      [
        ...EXECUTION,
        '--status',
        'IN_PROGRESS',
        '--include-job-execution-state',
        '--include-job-document',
        '--output',
        'text',
      ],
    ],
    [
      'shorthand details',
      [
        ...EXECUTION,
        '--status',
        'SUCCEEDED',
        '--status-details',
        'step=done,note=ü x',
        '--include-job-execution-state',
      ],
    ],
    [
      'JSON details, text',
      [
        ...EXECUTION,
        '--status',
        'REJECTED',
        '--status-details',
        '{"why":"disk","b":"1"}',
        '--include-job-execution-state',
        '--output',
        'text',
      ],
    ],
    [
      '--flag=value forms and --no- switches',
      [
        ...EXECUTION,
        '--status=IN_PROGRESS',
        '--step-timeout-in-minutes=30',
        '--expected-version=1',
        '--no-include-job-document',
        '--include-job-execution-state',
      ],
    ],
    [
      'cli-input-json from a file, a flag overriding it',
      [
        'update-job-execution',
        '--cli-input-json',
        'file://input.json',
        '--status',
        'SUCCEEDED',
        '--include-job-execution-state',
      ],
    ],
    [
      'cli-input-json inline',
      [
        'update-job-execution',
        '--cli-input-json',
        '{"jobId":"fw-42","thingName":"gw-8","status":"IN_PROGRESS","includeJobExecutionState":true}',
      ],
    ],
    ['update-job, json', [...JOB, '--no-validate-only']],
    ['update-job, text (the seed example form)', [...JOB, '--no-validate-only', '--output', 'text']],
    ['update-job --validate-only', [...JOB, '--validate-only']],
    [
      'a service error: unknown execution',
      ['update-job-execution', '--job-id', 'nope', '--thing-name', 'gw-7', '--status', 'SUCCEEDED'],
    ],
    [
      'a service error: unknown Import/Export job',
      [
        'update-job',
        '--job-id',
        'JOB99',
        '--job-type',
        'Import',
        '--manifest',
        'file://manifest.txt',
        '--no-validate-only',
      ],
    ],
    ['a version conflict', [...EXECUTION, '--status', 'IN_PROGRESS', '--expected-version', '7']],
  ])('%s', async (_, args) => {
    expectSameAsAwsCli(await both(args));
  });

  test.each([
    ['input', 'update-job-execution'],
    ['input', 'update-job'],
  ])('--generate-cli-skeleton %s for %s', async (form, command) => {
    const args = [command, '--generate-cli-skeleton', form];
    const [aws, mine] = [await theirs(args), await ours(args)];
    // botocore fills an enum with a random member of it; everything else is fixed.
    const anyEnum = (text: string): string =>
      text
        .replace(/"status": "(\w+)"/, '"status": "<enum>"')
        .replace(/"JobType": "(Import|Export)"/, '"JobType": "<enum>"');
    expect([mine.code, anyEnum(mine.stdout)]).toEqual([aws.code, anyEnum(aws.stdout)]);
  });

  test('update-job --generate-cli-skeleton output', async () => {
    const args = [...JOB, '--validate-only', '--generate-cli-skeleton', 'output'];
    const [aws, mine] = [await theirs(args), await ours(args)];
    expect([mine.code, mine.stdout]).toEqual([aws.code, aws.stdout]);
  });

  test.each([
    [
      ['--query', 'executionState.versionNumber'],
      '--query: not supported by aws-job-steps; select from the JSON output',
    ],
    [['--ca-bundle', 'ca.pem'], '--ca-bundle: not supported by aws-job-steps; set NODE_EXTRA_CA_CERTS'],
    [['--cli-read-timeout', '5'], '--cli-read-timeout: not supported by aws-job-steps'],
    [['--no-verify-ssl'], '--no-verify-ssl: not supported by aws-job-steps'],
    [['--no-sign-request'], '--no-sign-request: not supported by aws-job-steps'],
  ])('%j, which would change what the AWS CLI does, is refused before anything is sent', async (flags, text) => {
    await fresh();
    await fx.clearRequests();
    const refused = await ours([...EXECUTION, '--status', 'IN_PROGRESS', ...flags]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`aws-job-steps: error: argument ${text}`);
    expect(await fx.requests()).toEqual([]);
  });

  test('--skip-unchanged on a read command is a usage error, and its help does not offer it', async () => {
    const refused = await ours([
      'describe-job-execution',
      '--job-id',
      'fw-42',
      '--thing-name',
      'gw-7',
      '--skip-unchanged',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n').at(-1)).toBe(
      'aws-job-steps: error: argument --skip-unchanged: does not apply to describe-job-execution, which only reads; leave it out',
    );
    expect((await ours(['get-pending-job-executions', 'help'])).stdout).not.toContain('--skip-unchanged');
    expect((await ours(['start-next-pending-job-execution', 'help'])).stdout).toContain('--skip-unchanged');
  });

  test.each([
    ['a missing required flag', ['update-job-execution', '--job-id', 'fw-42'], 2],
    ['a non-integer', [...EXECUTION, '--status', 'IN_PROGRESS', '--step-timeout-in-minutes', 'abc'], 2],
    ['an unknown option', [...EXECUTION, '--status', 'IN_PROGRESS', '--bogus'], 255],
  ])('%s: the same exit code and error line, under our program name', async (_, args, code) => {
    const [aws, mine] = [await theirs(args), await ours(args)];
    expect([aws.code, mine.code]).toEqual([code, code]);
    const last = (r: CliResult): string =>
      r.stderr
        .trim()
        .split('\n')
        .at(-1)!
        .replace(/^aws(-job-steps)?: /, '');
    expect(last(mine)).toBe(last(aws));
  });
});

describe('the device-side reads and start-next: the same stdout, exit code and state as the AWS CLI', () => {
  const THING = ['--thing-name', 'gw-7'];
  /** gw-7 with fw-42 IN_PROGRESS (details and a step timer) and fw-43 QUEUED after it; gw-9 with nothing. */
  const work = async (): Promise<void> => {
    await fx.seed(['gw-9'], [{ jobId: 'fw-43', targets: ['gw-7'], document: '{"step":2}' }]);
    await fx.deviceUpdate('gw-7', 'fw-42', {
      status: 'IN_PROGRESS',
      statusDetails: { step: 'download', note: 'ü 1/2' },
      stepTimeoutInMinutes: 30,
    });
    await fx.advanceClock(90);
  };
  const none = async (): Promise<void> => {};
  const DESCRIBE = ['describe-job-execution', '--job-id', 'fw-42', ...THING];
  const START = ['start-next-pending-job-execution', ...THING];
  test.each([
    ['describe-job-execution, json', DESCRIBE, none],
    ['describe-job-execution, text', [...DESCRIBE, '--output', 'text'], none],
    ['describe-job-execution of one in progress, json', DESCRIBE, work],
    ['describe-job-execution of one in progress, text', [...DESCRIBE, '--output', 'text'], work],
    [
      'describe-job-execution $next without the document, text',
      ['describe-job-execution', '--job-id', '$next', ...THING, '--no-include-job-document', '--output', 'text'],
      work,
    ],
    [
      'describe-job-execution --execution-number',
      [...DESCRIBE, '--execution-number', '1', '--include-job-document'],
      none,
    ],
    ['describe-job-execution of an unknown job', ['describe-job-execution', '--job-id', 'nope', ...THING], none],
    [
      'describe-job-execution $next with nothing pending',
      ['describe-job-execution', '--job-id', '$next', '--thing-name', 'gw-9'],
      work,
    ],
    ['get-pending-job-executions, json', ['get-pending-job-executions', ...THING], work],
    ['get-pending-job-executions, text', ['get-pending-job-executions', ...THING, '--output', 'text'], work],
    [
      'get-pending-job-executions with nothing pending, json',
      ['get-pending-job-executions', '--thing-name', 'gw-9'],
      work,
    ],
    [
      'get-pending-job-executions with nothing pending, text',
      ['get-pending-job-executions', '--thing-name', 'gw-9', '--output', 'text'],
      work,
    ],
    ['get-pending-job-executions of an unknown thing', ['get-pending-job-executions', '--thing-name', 'gw-99'], none],
    [
      'start-next-pending-job-execution, json',
      [...START, '--status-details', 'step=download', '--step-timeout-in-minutes', '30'],
      none,
    ],
    [
      'start-next-pending-job-execution, text',
      [...START, '--status-details', '{"a":"1","b":"2"}', '--output', 'text'],
      none,
    ],
    ['start-next-pending-job-execution of one already in progress', START, work],
    ['start-next-pending-job-execution of one in progress, text', [...START, '--output', 'text'], work],
    [
      'start-next-pending-job-execution with nothing pending: empty output',
      ['start-next-pending-job-execution', '--thing-name', 'gw-9'],
      work,
    ],
    [
      'start-next-pending-job-execution of an unknown thing',
      ['start-next-pending-job-execution', '--thing-name', 'gw-99'],
      none,
    ],
  ] as [string, string[], () => Promise<void>][])('%s', async (_, args, prepare) => {
    expectSameAsAwsCli(await both(args, prepare));
  });

  test.each([
    ['describe-job-execution', '--job-id', 'fw-42', ...THING],
    ['get-pending-job-executions', ...THING],
    ['start-next-pending-job-execution', ...THING],
  ])('--generate-cli-skeleton for %s: input, output, and output without a required argument', async (...command) => {
    for (const [form, given] of [
      ['input', command.slice(0, 1)],
      ['output', command],
      ['output', command.slice(0, 1)],
    ] as const) {
      const args = [...given, '--generate-cli-skeleton', form];
      const [aws, mine] = [await theirs(args), await ours(args)];
      if (form === 'output' && given === command && aws.stderr.includes(BROKEN_OUTPUT_SKELETON)) {
        // Named difference: the AWS CLI validates its own output placeholder, whose empty statusDetails value is
        // shorter than the model allows, and fails; ours prints the skeleton (see 'where ours differs on purpose').
        expect([aws.code, mine.code]).toEqual([255, 0]);
        expect(JSON.parse(mine.stdout)).toMatchObject({ execution: { statusDetails: { KeyName: 'KeyName' } } });
        continue;
      }
      expect([mine.code, mine.stdout]).toEqual([aws.code, aws.stdout]);
    }
  });
});

/** What the AWS CLI answers when asked for an output skeleton with a statusDetails map in it. */
const BROKEN_OUTPUT_SKELETON = 'statusDetails.KeyName, value: 0, valid min length: 1';

describe('where ours differs on purpose', () => {
  test('a re-run of a finished update succeeds, with changed: false when asked to report it', async () => {
    const args = [...EXECUTION, '--status', 'SUCCEEDED', '--include-job-execution-state'];
    const finished = async (): Promise<void> => void (await fx.deviceUpdate('gw-7', 'fw-42', { status: 'SUCCEEDED' }));
    const result = await both(args, finished);
    expect(result.aws.code).toBe(255);
    expect(result.aws.stderr).toContain('InvalidStateTransitionException');
    expect(result.ours.code).toBe(0);
    expect(result.ourState).toEqual(result.awsState);
    const reported = await ours([...args, '--report-changed']);
    expect(JSON.parse(reported.stdout)).toMatchObject({
      executionState: { status: 'SUCCEEDED', versionNumber: 2 },
      changed: false,
      attempts: 1,
    });
  });

  test('--report-changed on a failure: the AWS CLI error line, and the code and retryable on stdout', async () => {
    await fresh();
    await fx.fault({ kind: 'throttle', operation: 'UpdateJobExecution', count: 5 });
    const throttled = await ours([...EXECUTION, '--status', 'IN_PROGRESS', '--max-attempts', '2', '--report-changed']);
    expect(throttled.code).toBe(255);
    expect(throttled.stderr).toContain('An error occurred (ThrottlingException) when calling the UpdateJobExecution');
    expect(JSON.parse(throttled.stdout)).toEqual({
      error: {
        code: 'throttled',
        retryable: true,
        attempts: 2,
        awsErrorName: 'ThrottlingException',
        requestId: expect.any(String),
      },
    });
    const missing = await ours([
      'describe-job-execution',
      '--job-id',
      'nope',
      '--thing-name',
      'gw-7',
      '--report-changed',
      '--output',
      'text',
    ]);
    expect([missing.code, missing.stdout]).toEqual([
      255,
      expect.stringMatching(/^ERROR\t1\tResourceNotFoundException\tnot-found\t\S+\tFalse\n$/),
    ]);
  });

  test('--output yaml (the AWS CLI v1 here has none) prints the same data', async () => {
    await fresh();
    const out = await ours([
      ...EXECUTION,
      '--status',
      'IN_PROGRESS',
      '--include-job-execution-state',
      '--output',
      'yaml',
    ]);
    expect(parse(out.stdout)).toEqual({ executionState: { status: 'IN_PROGRESS', versionNumber: 2 } });
    const yamlInput = await ours(['update-job-execution', '--generate-cli-skeleton', 'yaml-input']);
    expect(parse(yamlInput.stdout)).toMatchObject({ jobId: '', thingName: '', status: 'FAILED' });
  });

  test('--cli-input-yaml, and --help in the AWS CLI manner', async () => {
    await fresh();
    writeFileSync(join(dir, 'input.yaml'), 'jobId: fw-42\nthingName: gw-8\nstatus: succeeded\n');
    expect((await ours(['update-job-execution', '--cli-input-yaml', 'file://input.yaml'])).code).toBe(0);
    expect((await fx.execution('gw-8', 'fw-42')).status).toBe('SUCCEEDED');
    const help = await ours(['update-job-execution', 'help']);
    expect(help.stdout).toMatch(/^NAME\n {7}update-job-execution -\n/);
    expect(help.stdout).toContain('--status-details (map)');
    expect(help.stdout).toContain('[--include-job-document | --no-include-job-document]');
  });
});

describe.each(READINGS)('re-runs under $name', (reading) => {
  test('SUCCEEDED, FAILED and REJECTED: the first run changes, the re-run exits 0 with changed: false', async () => {
    await fx.rerunFixture(reading);
    for (const [status, thing] of Object.entries(things)) {
      const args = ['update-job-execution', '--job-id', 'fw-42', '--thing-name', thing, '--status', status];
      expect((await ours([...args.slice(0, -1), 'IN_PROGRESS'])).code).toBe(0);
      const first = await ours([...args, '--status-details', 'r=1', '--report-changed']);
      expect([first.code, JSON.parse(first.stdout).changed]).toEqual([0, true]);
      const again = await ours([...args, '--status-details', 'r=1', '--report-changed']);
      expect([again.code, again.stderr, JSON.parse(again.stdout).changed]).toEqual([0, '', false]);
      const executions = await fx.executions(thing, 'fw-42');
      expect(executions.map((e) => e.status)).toEqual(
        reading.retries && status === 'FAILED' ? ['FAILED', 'QUEUED'] : [status],
      );
    }
  });
});
