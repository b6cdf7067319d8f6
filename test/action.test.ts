/**
 * The GitHub Action end to end: the committed `dist/index.js` run as the runner runs it, under Node 20 and under
 * Node 24 (GitHub's `node24`), against the emulator with auth on.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runAction, actionYaml, NODES, type ActionRun } from './helpers/action-runner';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { READINGS, RERUN_THINGS as things, useEmulator } from './helpers/emulator';
import { expectNoSecrets as expectNoSecretValues } from './helpers/secrets';
import { createImportExportJob, importExportJobs, manifest } from './helpers/importexport';
import { OPERATION_NAMES } from '../core/operations';

const fx = useEmulator();
let workspace: string;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'action-workspace-'));
});

afterAll(async () => {
  rmSync(workspace, { recursive: true, force: true });
});

beforeEach(async () => {
  await fx.reset();
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'], document: '{"firmware":"4.2"}' }]);
});

/** Nothing secret, and no manifest content, in anything the action printed or published. */
function expectNoSecrets(run: ActionRun): void {
  // `::add-mask::` lines are how a step hands the runner its secrets; the runner consumes them.
  const printed = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  const everything = [printed, run.stderr, run.summary, JSON.stringify(run.outputs)].join('\n');
  expectNoSecretValues('the action run', everything);
  for (const secret of [
    FIXTURE_CREDENTIALS.secretAccessKey,
    FIXTURE_CREDENTIALS.sessionToken!,
    'Jane Roe',
    '123 Any Street',
  ]) {
    expect(everything).not.toContain(secret);
  }
}

const execution = { 'job-id': 'fw-42', 'thing-name': 'gw-7' };

describe.each(Object.entries(NODES))('under %s', (_, node) => {
  const run = (inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> =>
    runAction({ 'endpoint-url': fx.url, 'aws-region': 'us-east-1', ...inputs }, { node, workspace, env });

  test('update-job-execution: outputs, summary, and a re-run that changes nothing', async () => {
    const first = await run({
      ...execution,
      status: 'succeeded',
      'status-details': 'result=ok\nduration=42s',
      'include-job-document': 'true',
    });
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.outputs).toEqual({
      changed: 'true',
      result: expect.any(String),
      status: 'SUCCEEDED',
      'version-number': '2',
      'status-details': '{"result":"ok","duration":"42s"}',
      'job-document': '{"firmware":"4.2"}',
    });
    expect(JSON.parse(first.outputs.result!)).toMatchObject({ changed: true, attempts: 1 });
    expect(first.stdout).toContain(`::add-mask::${FIXTURE_CREDENTIALS.sessionToken}`);
    expect(first.summary).toContain('aws-job-steps update-job-execution');
    expect(first.summary).toContain('<td>Version</td><td>1 → 2</td>');
    expect(first.summary).toContain('https://github.com/example/aws-job-steps/actions/runs/4242');
    expectNoSecrets(first);

    const again = await run({
      ...execution,
      status: 'SUCCEEDED',
      'status-details': '{"result":"ok","duration":"42s"}',
    });
    expect(again.code).toBe(0);
    expect(again.outputs).toMatchObject({ changed: 'false', status: 'SUCCEEDED', 'version-number': '2' });
    expect((await fx.execution('gw-7', 'fw-42')).history).toHaveLength(1);
  });

  test('update-job-execution: a lost response is reconciled', async () => {
    await fx.fault({ kind: 'apply-then-reset', operation: 'UpdateJobExecution' });
    const result = await run({ ...execution, status: 'FAILED' });
    expect(result.code).toBe(0);
    // The step's own request made the change, though its answer was lost: changed.
    expect(result.outputs).toMatchObject({ changed: 'true', status: 'FAILED', 'version-number': '2' });
    // FAILED reads first (to pin the execution), then the lost update and the resend's 409 with the state.
    expect(JSON.parse(result.outputs.result!)).toMatchObject({ attempts: 3 });
    expect((await fx.execution('gw-7', 'fw-42')).history).toHaveLength(1);
  });

  test('update-job: manifest from the workspace, cli-input-json under explicit inputs, re-run unchanged', async () => {
    const jobId = await createImportExportJob(fx.url);
    writeFileSync(join(workspace, 'manifest.txt'), manifest({ deviceId: '777' }));
    writeFileSync(
      join(workspace, 'request.json'),
      JSON.stringify({ JobId: 'WRONG', JobType: 'Import', ValidateOnly: false }),
    );
    const inputs = {
      operation: 'update-job',
      'cli-input-json': 'file://request.json',
      'job-id': jobId,
      manifest: 'file://manifest.txt',
    };
    const first = await run(inputs);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.outputs).toEqual({
      changed: 'true',
      result: expect.any(String),
      success: 'true',
      'warning-message': '**** Device will be erased before being returned. ****',
      'artifact-list': '[]',
    });
    // The manifest's key id is registered as a secret before anything is printed.
    expect(first.stdout).toContain(`::add-mask::${FIXTURE_CREDENTIALS.accessKeyId}`);
    expectNoSecrets(first);
    expect((await importExportJobs(fx.url))[0]).toMatchObject({
      manifest: manifest({ deviceId: '777' }),
      updateCount: 1,
    });

    const again = await run(inputs);
    expect(again.outputs).toMatchObject({ changed: 'false', success: 'true' });
  });

  test("file:// in the runner's temp directory as in the workspace; a file outside both, or a link out, is refused", async () => {
    // RUNNER_TEMP and another directory, both outside the workspace (workflows write generated files to runner.temp).
    const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'elsewhere-'));
    const inTemp = { RUNNER_TEMP: runnerTemp };
    const refusal = (input: string, path: string): string =>
      `${input} names ${path}, which is outside the workspace (${workspace}) and the runner's temp directory ` +
      `(${runnerTemp}); give a file inside one of them`;
    try {
      const jobId = await createImportExportJob(fx.url);
      writeFileSync(join(runnerTemp, 'manifest.txt'), manifest({ deviceId: '778' }));
      const job = await run(
        {
          operation: 'update-job',
          'job-id': jobId,
          'job-type': 'Import',
          manifest: `file://${runnerTemp}/manifest.txt`,
        },
        inTemp,
      );
      expect({ code: job.code, stderr: job.stderr }).toEqual({ code: 0, stderr: '' });
      expect(job.outputs).toMatchObject({ changed: 'true', success: 'true' });
      expectNoSecrets(job);
      expect((await importExportJobs(fx.url))[0]).toMatchObject({ manifest: manifest({ deviceId: '778' }) });

      const request = JSON.stringify({
        jobId: 'fw-42',
        thingName: 'gw-7',
        status: 'SUCCEEDED',
        statusDetails: { r: '1' },
      });
      writeFileSync(join(runnerTemp, 'request.json'), request);
      const report = await run({ 'cli-input-json': `file://${runnerTemp}/request.json` }, inTemp);
      expect({ code: report.code, stderr: report.stderr }).toEqual({ code: 0, stderr: '' });
      expect(report.outputs).toMatchObject({ changed: 'true', status: 'SUCCEEDED', 'status-details': '{"r":"1"}' });
      expect((await fx.execution('gw-7', 'fw-42')).status).toBe('SUCCEEDED');

      const sent = (await fx.requests()).length;
      writeFileSync(join(elsewhere, 'request.json'), request);
      const outside = await run({ 'cli-input-json': `file://${elsewhere}/request.json` }, inTemp);
      expect([outside.code, outside.outputs['error-code']]).toEqual([1, 'invalid-input']);
      expect(outside.outputs['error-message']).toBe(refusal('cli-input-json', `${elsewhere}/request.json`));
      // A link in RUNNER_TEMP is followed before the check, as in the workspace.
      writeFileSync(join(elsewhere, 'manifest.txt'), manifest({ deviceId: '779' }));
      symlinkSync(join(elsewhere, 'manifest.txt'), join(runnerTemp, 'link.txt'));
      const linked = await run(
        { operation: 'update-job', 'job-id': jobId, 'job-type': 'Import', manifest: `file://${runnerTemp}/link.txt` },
        inTemp,
      );
      expect([linked.code, linked.outputs['error-code']]).toEqual([1, 'invalid-input']);
      expect(linked.outputs['error-message']).toBe(`input manifest: ${refusal('Manifest', `${runnerTemp}/link.txt`)}`);
      // Not on a runner (no RUNNER_TEMP), or a RUNNER_TEMP that is no directory: only the workspace.
      for (const notTemp of ['', `${runnerTemp}/manifest.txt`]) {
        const bare = await run({ 'cli-input-json': `file://${runnerTemp}/request.json` }, { RUNNER_TEMP: notTemp });
        expect(bare.outputs['error-message']).toBe(
          `cli-input-json names ${runnerTemp}/request.json, which is outside the workspace (${workspace}); ` +
            'give a file inside the workspace',
        );
      }
      expect(await fx.requests()).toHaveLength(sent);
    } finally {
      rmSync(runnerTemp, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('the device-side operations: find the work, start it, re-run the start, read it', async () => {
    const pending = await run({ operation: 'get-pending-job-executions', 'thing-name': 'gw-7' });
    expect({ code: pending.code, stderr: pending.stderr }).toEqual({ code: 0, stderr: '' });
    expect(pending.outputs).toEqual({
      changed: 'false',
      result: expect.any(String),
      'in-progress-jobs': '[]',
      'queued-jobs': expect.stringContaining('"jobId":"fw-42"'),
      'next-job-id': 'fw-42',
    });
    const start = { operation: 'start-next-pending-job-execution', 'thing-name': 'gw-7', 'status-details': 'step=1' };
    const started = await run(start);
    expect(started.outputs).toEqual({
      changed: 'true',
      result: expect.any(String),
      'job-id': 'fw-42',
      status: 'IN_PROGRESS',
      'version-number': '2',
      'status-details': '{"step":"1"}',
      'execution-number': '1',
      'job-document': '{"firmware":"4.2"}',
      'no-pending-execution': 'false',
    });
    expect(started.summary).toContain('aws-job-steps start-next-pending-job-execution');
    expect(started.summary).toContain('<td>Version</td><td>1 → 2</td>');
    const again = await run(start);
    expect(again.outputs).toMatchObject({ changed: 'false', 'job-id': 'fw-42', 'version-number': '2' });
    const read = await run({ operation: 'describe-job-execution', 'thing-name': 'gw-7', 'job-id': '$next' });
    expect(read.outputs).toMatchObject({ changed: 'false', 'job-id': 'fw-42', status: 'IN_PROGRESS' });
    expect((await fx.execution('gw-7', 'fw-42')).history).toHaveLength(1);
  });

  test.each([
    [{ ...execution, status: 'SUCCESS' }, 'invalid-input', 'status is "SUCCESS"; did you mean SUCCEEDED?'],
    [
      { ...execution, status: 'SUCCEEDED', manifest: 'x' },
      'invalid-input',
      'manifest is an input of update-job, not update-job-execution; remove it, or set operation: update-job',
    ],
    [
      { 'job-id': 'fw-42', status: 'SUCCEEDED' },
      'invalid-input',
      'input thing-name: thingName is required; give a value',
    ],
    [
      { operation: 'get-pending-job-executions', 'thing-name': 'gw-7', 'job-id': 'fw-42' },
      'invalid-input',
      'job-id is an input of update-job-execution, describe-job-execution, update-job, not get-pending-job-executions; remove it, or set operation to one of them',
    ],
    [
      { operation: 'get-pending-job-executions', 'thing-name': 'gw-7', 'skip-unchanged': 'true' },
      'invalid-input',
      'input skip-unchanged: skipUnchanged does not apply to GetPendingJobExecutions, which only reads; leave it out: it is for steps that change something',
    ],
    [
      { operation: 'start-next-pending-job-execution', 'thing-name': 'gw 7' },
      'invalid-input',
      'input thing-name: thingName "gw 7" has characters that are not allowed; use letters, digits, :, - and _',
    ],
    [
      { operation: 'describe-job-execution', 'thing-name': 'gw-7', 'job-id': 'nope' },
      'not-found',
      /^DescribeJobExecution gw-7\/nope: ResourceNotFoundException: .* \(request id [0-9a-f-]{36}\)$/,
    ],
    [
      { ...execution, status: 'SUCCEEDED', 'max-attempts': 'lots' },
      'invalid-input',
      'max-attempts must be a whole number, not "lots"; write it as digits, e.g. 5',
    ],
    [
      { ...execution, status: 'SUCCEEDED', operation: 'update-thing' },
      'invalid-input',
      `operation is "update-thing"; use one of ${OPERATION_NAMES.join(', ')}`,
    ],
    [
      { operation: 'update-job', 'job-id': 'JOB01', 'job-type': 'Import', manifest: 'file://nope.txt' },
      'invalid-input',
      /^input manifest: Manifest names a file that does not exist: .*nope\.txt; give the path/,
    ],
    [
      { 'job-id': 'nope', 'thing-name': 'gw-7', status: 'SUCCEEDED' },
      'not-found',
      /^UpdateJobExecution gw-7\/nope: ResourceNotFoundException: .* \(request id [0-9a-f-]{36}\)$/,
    ],
  ])('%j fails with %s', async (inputs, code, message) => {
    const result = await run(inputs);
    expect(result.code).toBe(1);
    expect(result.outputs['error-code']).toBe(code);
    if (typeof message === 'string') expect(result.outputs['error-message']).toBe(message);
    else expect(result.outputs['error-message']).toMatch(message);
    expect(result.stdout).toContain(`::error::${result.outputs['error-message']}`);
    expect(result.summary).toContain('<td>Outcome</td><td>failed</td>');
    expectNoSecrets(result);
  });

  test('a finished execution asked to move elsewhere, and refused credentials', async () => {
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'SUCCEEDED' });
    const refused = await run({ ...execution, status: 'FAILED' });
    expect([refused.code, refused.outputs['error-code']]).toEqual([1, 'invalid-transition']);
    expect(refused.outputs['error-message']).toMatch(
      /^UpdateJobExecution gw-7\/fw-42: the execution is SUCCEEDED \(version 2\); FAILED is not reachable from a terminal state, nothing was changed \(request id .+\)$/,
    );
    const wrongKey = await run({ ...execution, status: 'SUCCEEDED' }, { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect([wrongKey.code, wrongKey.outputs['error-code']]).toEqual([1, 'auth']);
    expect(`${wrongKey.stdout}${wrongKey.stderr}${wrongKey.summary}`.replace(/::add-mask::.*/g, '')).not.toContain(
      'not-the-secret',
    );
  });

  test("the code cache: written by a job's first run, used by the next, rewritten when it does not fit", async () => {
    const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    const cacheFiles = (): string[] => readdirSync(runnerTemp).filter((f) => f.endsWith('.v8-code-cache'));
    const step = (status: string): Promise<ActionRun> =>
      run({ ...execution, status, summary: 'false' }, { RUNNER_TEMP: runnerTemp });
    try {
      const first = await step('IN_PROGRESS');
      expect([first.code, first.stdout.split('\n')[0]]).toEqual([0, '::debug::code cache empty']);
      expect(cacheFiles()).toHaveLength(1);
      const second = await step('SUCCEEDED');
      expect([second.code, second.stdout.split('\n')[0]]).toEqual([0, '::debug::code cache used']);
      expect(second.outputs).toMatchObject({ changed: 'true', status: 'SUCCEEDED', 'version-number': '3' });

      const file = join(runnerTemp, cacheFiles()[0]!);
      writeFileSync(file, 'not a code cache');
      const third = await step('SUCCEEDED');
      expect([third.code, third.stdout.split('\n')[0]]).toEqual([0, '::debug::code cache corrupted']);
      expect(third.outputs).toMatchObject({ changed: 'false', status: 'SUCCEEDED' });
      expect(readFileSync(file).length).toBeGreaterThan(100_000);

      // Corrupted but of the same length: V8 would fail fatally on it, so the checksum keeps it from V8.
      const cache = readFileSync(file);
      for (let i = 1000; i < cache.length - 1000; i += 997) cache[i] = cache[i]! ^ 0xff;
      writeFileSync(file, cache);
      const fourth = await step('SUCCEEDED');
      expect([fourth.code, fourth.stdout.split('\n')[0]]).toEqual([0, '::debug::code cache corrupted']);
      expect(fourth.outputs).toMatchObject({ changed: 'false', status: 'SUCCEEDED' });
      const fifth = await step('SUCCEEDED');
      expect([fifth.code, fifth.stdout.split('\n')[0]]).toEqual([0, '::debug::code cache used']);
    } finally {
      rmSync(runnerTemp, { recursive: true, force: true });
    }
    // Without RUNNER_TEMP (not a runner), nothing is cached and nothing said about it.
    const bare = await run({ ...execution, status: 'SUCCEEDED', summary: 'false' }, { RUNNER_TEMP: '' });
    expect([bare.code, bare.stdout]).toEqual([0, expect.not.stringContaining('code cache')]);
  });

  test('summary: false writes no summary', async () => {
    const result = await run({ ...execution, status: 'IN_PROGRESS', summary: 'false' });
    expect([result.code, result.summary]).toEqual([0, '']);
  });
});

test('the two runtimes are Node 20 and Node 24', async () => {
  const version = (node: string): Promise<string> =>
    new Promise((resolve) => execFile(node, ['--version'], { encoding: 'utf8' }, (_e, out) => resolve(out.trim())));
  expect(await version(NODES.node20)).toMatch(/^v20\./);
  expect(await version(NODES.node24)).toMatch(/^v24\./);
});

test('action.yml: node24, dist/index.js, branding, and a description on every input and output', () => {
  const yaml = actionYaml as unknown as {
    runs: { using: string; main: string };
    branding: object;
    inputs: Record<string, { description?: string }>;
    outputs: Record<string, { description?: string }>;
  };
  expect(yaml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  expect(yaml.branding).toEqual({ icon: expect.any(String), color: expect.any(String) });
  for (const spec of [...Object.values(yaml.inputs), ...Object.values(yaml.outputs)]) {
    expect(spec.description?.length).toBeGreaterThan(10);
  }
});

test('the action runs under GitHub’s own @github/local-action tool', async () => {
  const dotenv = join(workspace, 'local-action.env');
  writeFileSync(
    dotenv,
    [
      'INPUT_OPERATION=update-job-execution',
      'INPUT_JOB-ID=fw-42',
      'INPUT_THING-NAME=gw-7',
      'INPUT_STATUS=REJECTED',
      `INPUT_ENDPOINT-URL=${fx.url}`,
      'INPUT_AWS-REGION=us-east-1',
      'INPUT_SUMMARY=false',
      `AWS_ACCESS_KEY_ID=${FIXTURE_CREDENTIALS.accessKeyId}`,
      `AWS_SECRET_ACCESS_KEY=${FIXTURE_CREDENTIALS.secretAccessKey}`,
      `AWS_SESSION_TOKEN=${FIXTURE_CREDENTIALS.sessionToken}`,
      'AWS_CONFIG_FILE=/dev/null',
      'AWS_SHARED_CREDENTIALS_FILE=/dev/null',
      '',
    ].join('\n'),
  );
  const root = join(__dirname, '..');
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
    execFile(
      join(root, 'node_modules', '.bin', 'local-action'),
      ['run', root, 'action/main.ts', dotenv],
      { cwd: root, encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
      (error, out, err) => (error ? reject(new Error(`local-action failed: ${err}${out}`)) : resolve({ stdout: out })),
    );
  });
  expect(stdout).toContain('::set-output name=changed::true');
  expect(stdout).toContain('::set-output name=status::REJECTED');
  expect((await fx.execution('gw-7', 'fw-42')).status).toBe('REJECTED');
}, 120_000);

describe.each(READINGS)('re-runs under $name', (reading) => {
  test('SUCCEEDED, FAILED and REJECTED: the first run changes, the re-run succeeds with changed false', async () => {
    await fx.rerunFixture(reading);
    // The reading reaches the step through the action's own inputs, as a workflow would set them.
    const readingInputs = {
      'status-details-update': reading.connection.statusDetailsUpdate,
      'status-details-value-length': String(reading.connection.statusDetailsValueLength),
    };
    const act = (inputs: Record<string, string>): Promise<ActionRun> =>
      runAction(
        { 'endpoint-url': fx.url, 'aws-region': 'us-east-1', 'job-id': 'fw-42', ...readingInputs, ...inputs },
        { workspace },
      );
    for (const [status, thing] of Object.entries(things)) {
      // The progress report's pair stays beside the final one under merge; the re-run is still as asked.
      expect((await act({ 'thing-name': thing, status: 'IN_PROGRESS', 'status-details': 'phase=flash' })).code).toBe(0);
      const first = await act({ 'thing-name': thing, status, 'status-details': 'r=1' });
      expect([first.code, first.outputs.changed]).toEqual([0, 'true']);
      const again = await act({ 'thing-name': thing, status, 'status-details': 'r=1' });
      expect([again.code, again.outputs.changed, again.outputs.status, again.outputs['error-code']]).toEqual([
        0,
        'false',
        status,
        undefined,
      ]);
    }
    expect((await fx.executions(things.FAILED, 'fw-42')).map((e) => e.status)).toEqual(
      reading.retries ? ['FAILED', 'QUEUED'] : ['FAILED'],
    );
  });
});

describe('a device asking $next with nothing pending: a result that says so, not a failure', () => {
  describe.each([
    ['200 without an execution', false],
    ['404 ResourceNotFoundException', true],
  ])('answered %s (describeNextNotFound %s)', (_, notFound) => {
    beforeEach(async () => {
      await fx.settings({ describeNextNotFound: notFound });
      await fx.seed(['gw-9'], []);
    });
    const act = (inputs: Record<string, string>): Promise<ActionRun> =>
      runAction({ 'endpoint-url': fx.url, 'aws-region': 'us-east-1', ...inputs }, { workspace });
    /** What both device steps publish when nothing is pending. */
    const NOTHING = {
      changed: 'false',
      result: expect.any(String),
      'job-id': '',
      status: '',
      'version-number': '',
      'status-details': '{}',
      'execution-number': '',
      'job-document': '',
      'no-pending-execution': 'true',
    };

    test('describe-job-execution of $next, then start-next: exit 0, no-pending-execution true, the summary says it', async () => {
      const read = await act({ operation: 'describe-job-execution', 'thing-name': 'gw-9', 'job-id': '$next' });
      expect({ code: read.code, stderr: read.stderr, outputs: read.outputs }).toEqual({
        code: 0,
        stderr: '',
        outputs: NOTHING,
      });
      expect(JSON.parse(read.outputs.result!)).toMatchObject({
        changed: false,
        noPendingExecution: true,
        ...(notFound && { serviceRefusal: { awsErrorName: 'ResourceNotFoundException', httpStatus: 404 } }),
      });
      expect(read.stdout).not.toContain('::error::');
      expect(read.summary).toContain('✅ aws-job-steps describe-job-execution');
      expect(read.summary).toContain('<td>Outcome</td><td>no pending execution</td>');
      expect(read.summary).toContain('<td>No pending execution</td><td>true</td>');
      expectNoSecrets(read);

      const start = await act({ operation: 'start-next-pending-job-execution', 'thing-name': 'gw-9' });
      expect({ code: start.code, outputs: start.outputs }).toEqual({ code: 0, outputs: NOTHING });
      expect(start.summary).toContain('<td>Outcome</td><td>no pending execution</td>');

      // With work pending, the same step says there is some.
      const work = await act({ operation: 'describe-job-execution', 'thing-name': 'gw-7', 'job-id': '$next' });
      expect(work.outputs).toMatchObject({ 'no-pending-execution': 'false', 'job-id': 'fw-42', status: 'QUEUED' });
      expect(work.summary).toContain('<td>Outcome</td><td>fw-42 QUEUED v1</td>');
    });

    test('an unknown thing still fails the step with not-found', async () => {
      const unknown = await act({ operation: 'describe-job-execution', 'thing-name': 'gw-99', 'job-id': '$next' });
      expect([unknown.code, unknown.outputs['error-code']]).toEqual([1, 'not-found']);
      expect(unknown.outputs['error-message']).toMatch(
        /^DescribeJobExecution gw-99\/\$next: ResourceNotFoundException: Thing gw-99 does not exist/,
      );
    });
  });
});
