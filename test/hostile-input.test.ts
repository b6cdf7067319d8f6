/**
 * Hostile input, each case in the wrapper that takes it: files named by a message, a workflow input or a command
 * line (only regular files, capped, inside the allowed directory, never a FIFO or a device), values that are not
 * plain maps, a `__proto__` key, a connection reset classified by its code, and a huge value refused before any
 * per-character work. Nothing reaches the emulator unless it may.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import helper from 'node-red-node-test-helper';

import {
  describeFailure,
  Connection,
  parseUpdateJobExecutionInput,
  updateJob,
  updateJobExecution,
} from '../core/index';
import { MAX_INPUT_FILE_BYTES, readInputFile } from '../core/shared/input-files';
import stepNodes from '../node-red-nodes/aws-job-steps';
import connectionNode from '../node-red-nodes/aws-job-steps-connection';
import type { NodeMessage } from '../node-red-nodes/red';
import { runAction } from './helpers/action-runner';
import { awsEnv, FIXTURE_CREDENTIALS, type CliResult } from './helpers/aws-cli';
import { connectionConfig, CONNECTION_CREDENTIALS, initNodeRed } from './helpers/node-red-flows';
import { useEmulator } from './helpers/emulator';
import { withCpuTime } from './helpers/cpu-time';
import { eventually } from './helpers/eventually';
import { manifest } from './helpers/importexport';
import { expectStepError } from './helpers/steps';

initNodeRed(helper);

const BUNDLE = join(__dirname, '..', 'lib', 'cli', 'index.js');
const fx = useEmulator();
let dir: string;
let fifo: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hostile-'));
  mkdirSync(join(dir, 'manifests'));
  writeFileSync(join(dir, 'manifests', 'ok.txt'), manifest({ deviceId: '777' }));
  writeFileSync(join(dir, 'manifests', 'huge.txt'), 'x'.repeat(MAX_INPUT_FILE_BYTES + 1));
  fifo = join(dir, 'manifests', 'pipe');
  execFileSync('mkfifo', [fifo]);
  await helper.startServer();
});

afterAll(async () => {
  await helper.stopServer();
  rmSync(dir, { recursive: true, force: true });
});

/** A flow: a connection with the fixture keys, an update-job node (with `node`'s settings) wired to ok and err. */
async function loadJobFlow(node: Record<string, unknown>): Promise<void> {
  await helper.load(
    [connectionNode, stepNodes],
    [
      connectionConfig(fx.url),
      { id: 'job', z: 'tab', type: 'aws-update-job', connection: 'conn', wires: [['ok'], ['err']], ...node },
      { id: 'ok', z: 'tab', type: 'helper' },
      { id: 'err', z: 'tab', type: 'helper' },
      { id: 'tab', type: 'tab' },
    ],
    CONNECTION_CREDENTIALS,
  );
}

beforeEach(() => fx.reset());

describe('files named by input', () => {
  test('only a regular file of at most the cap is read; a FIFO, a device and a large file are refused at once', async () => {
    await expect(readInputFile('Manifest', join(dir, 'manifests', 'ok.txt'))).resolves.toContain('777');
    // A FIFO without a writer would block for ever (the test's timeout says so); reading /dev/zero or the large
    // file would cost CPU time, which a busy machine does not stretch as it stretches the wall clock.
    const { cpuMs } = await withCpuTime(async () => {
      await expect(readInputFile('Manifest', fifo)).rejects.toThrow(
        `Manifest names ${fifo}, which is not a regular file`,
      );
      await expect(readInputFile('Manifest', '/dev/zero')).rejects.toThrow('which is not a regular file');
      await expect(readInputFile('Manifest', join(dir, 'manifests', 'huge.txt'))).rejects.toThrow(
        `which is larger than ${MAX_INPUT_FILE_BYTES} bytes`,
      );
      // /proc reports a size of 0: the read itself stops past the cap (here it is small, so it is read).
      await expect(readInputFile('Manifest', '/proc/self/status')).resolves.toContain('Name:');
      await expect(readInputFile('Manifest', '/etc/hostname', { root: dir })).rejects.toThrow(
        `Manifest names /etc/hostname, which is outside ${dir}`,
      );
    });
    expect(cpuMs).toBeLessThan(2000);
  });

  test('the CLI refuses a FIFO and /dev/zero with exit 252 (bad input, as AWS CLI v2 answers it), before any request', async () => {
    const cli = (args: string[]): Promise<CliResult> =>
      new Promise((resolve) =>
        execFile(process.execPath, [BUNDLE, ...args], { env: awsEnv(), encoding: 'utf8', timeout: 20_000 }, (e, o, r) =>
          resolve({ code: e ? Number(e.code) : 0, stdout: o, stderr: r }),
        ),
      );
    const common = ['update-job', '--endpoint-url', fx.url, '--job-id', 'JOB01', '--job-type', 'Import'];
    for (const path of [fifo, '/dev/zero']) {
      const result = await cli([...common, '--manifest', `file://${path}`]);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim().split('\n').at(-1)).toContain(`${path}, which is not a regular file`);
    }
    const input = await cli(['update-job-execution', '--endpoint-url', fx.url, '--cli-input-json', `file://${fifo}`]);
    expect([input.code, input.stderr]).toEqual([252, expect.stringContaining('which is not a regular file')]);
    expect(await fx.requests()).toEqual([]);
  });

  test('the action reads file:// only inside the workspace, and never a device', async () => {
    for (const manifestInput of ['file:///dev/zero', 'file:///etc/hostname', `file://${fifo}`]) {
      const run = await runAction(
        {
          operation: 'update-job',
          'job-id': 'JOB01',
          'job-type': 'Import',
          manifest: manifestInput,
          'endpoint-url': fx.url,
          'aws-region': 'us-east-1',
          summary: 'false',
        },
        { workspace: join(dir, 'manifests') },
      );
      expect([run.code, run.outputs['error-code'], run.outputs.retryable]).toEqual([1, 'invalid-input', 'false']);
    }
    expect(await fx.requests()).toEqual([]);
  });

  test('Node-RED: file:// in a message is off by default, and with the option only inside its directory', async () => {
    const load = async (node: Record<string, unknown>): Promise<{ result: NodeMessage[]; error: NodeMessage[] }> => {
      await loadJobFlow(node);
      const out = { result: [] as NodeMessage[], error: [] as NodeMessage[] };
      helper.getNode('ok').on('input', (m: NodeMessage) => void out.result.push(m));
      helper.getNode('err').on('input', (m: NodeMessage) => void out.error.push(m));
      return out;
    };
    const send = async (
      out: { result: NodeMessage[]; error: NodeMessage[] },
      Manifest: string,
    ): Promise<NodeMessage> => {
      const before = out.result.length + out.error.length;
      helper.getNode('job').receive({ payload: { JobId: 'JOB01', JobType: 'Import', Manifest } });
      await eventually(() => out.result.length + out.error.length > before, 'the answer');
      return [...out.result, ...out.error].at(-1)!;
    };
    const off = await load({});
    const refused = await send(off, 'file:///etc/passwd');
    expect(refused.error).toMatchObject({ code: 'invalid-input' });
    expect((refused.error as { message: string }).message).toBe(
      "Manifest names a file (file://), which is not allowed here; tick 'Read file:// manifests' in the node and name a directory, or send the manifest text itself",
    );
    await helper.unload();

    const on = await load({ manifestFiles: true, manifestDir: join(dir, 'manifests') });
    for (const path of ['/etc/passwd', '/proc/self/environ', '/dev/zero', fifo]) {
      const answer = await send(on, `file://${path}`);
      expect(answer.error).toMatchObject({ code: 'invalid-input' });
      expect(JSON.stringify(answer)).not.toMatch(/root:x:0|AWS_SECRET/);
    }
    // Inside the directory, a regular file is read (the job does not exist: the service answers not-found).
    const inside = await send(on, 'file://ok.txt');
    expect(inside.error).toMatchObject({ code: 'not-found' });
    await helper.unload();
    expect((await fx.requests()).map((r) => r.operation)).toEqual(['GetStatus']);
  });
});

describe('values and keys that cannot be sent as they are', () => {
  test('a Map, Set, Date or class instance is not a map of details', () => {
    class Details {
      step = 'download';
    }
    const cases: [unknown, string][] = [
      [new Map([['step', 'download']]), 'a Map'],
      [new Set(['step']), 'a Set'],
      [new Date(0), 'a Date'],
      [new Details(), 'a Details'],
    ];
    for (const [statusDetails, shown] of cases) {
      expect(() =>
        parseUpdateJobExecutionInput({ jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS', statusDetails }),
      ).toThrow(`statusDetails must be an object of strings, not ${shown}; write {"key":"value"}`);
    }
  });

  test('a __proto__ key is refused before sending, in the CLI and the action', async () => {
    await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
    await fx.clearRequests();
    const cli = await new Promise<CliResult>((resolve) =>
      execFile(
        process.execPath,
        [
          BUNDLE,
          'update-job-execution',
          '--endpoint-url',
          fx.url,
          '--job-id',
          'fw-42',
          '--thing-name',
          'gw-7',
          '--status',
          'SUCCEEDED',
          '--status-details',
          '{"__proto__":"x","a":"b"}',
        ],
        { env: awsEnv(), encoding: 'utf8' },
        (e, o, r) => resolve({ code: e ? Number(e.code) : 0, stdout: o, stderr: r }),
      ),
    );
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('statusDetails key "__proto__" cannot be sent: the AWS SDK drops it; use another key');
    const action = await runAction({
      'job-id': 'fw-42',
      'thing-name': 'gw-7',
      status: 'SUCCEEDED',
      'status-details': '__proto__=x',
      'endpoint-url': fx.url,
      'aws-region': 'us-east-1',
      summary: 'false',
    });
    expect([action.code, action.outputs['error-code']]).toEqual([1, 'invalid-input']);
    expect(await fx.requests()).toEqual([]);
  });

  test('a 50 MB jobId is refused at once, by its length', async () => {
    const huge = 'a'.repeat(50_000_000);
    const {
      result: [error, execution],
      cpuMs,
    } = await withCpuTime(async () => [
      await expectStepError(updateJob({ JobId: huge, JobType: 'Import', Manifest: 'x' })),
      await expectStepError(updateJobExecution({ jobId: huge, thingName: 'gw-7', status: 'QUEUEDX' })),
    ]);
    expect(error.message).toBe('JobId is more than 128 characters long; the limit is 64');
    expect(execution.message).toBe('jobId is more than 128 characters long; the limit is 64');
    expect(cpuMs).toBeLessThan(500);
  });
});

test('the action reports a lasting reset as error-code network', async () => {
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
  await fx.fault({ kind: 'reset', operation: 'UpdateJobExecution', count: 5 });
  const run = await runAction({
    'job-id': 'fw-42',
    'thing-name': 'gw-7',
    status: 'IN_PROGRESS',
    'max-attempts': '2',
    'endpoint-url': fx.url,
    'aws-region': 'us-east-1',
    summary: 'false',
  });
  expect([run.code, run.outputs['error-code'], run.outputs.retryable]).toEqual([1, 'network', 'true']);
});

test('Node-RED: a 50 MB jobId is refused at once, and the runtime stays responsive', async () => {
  await loadJobFlow({});
  const answered = new Promise<NodeMessage>((resolve) => helper.getNode('err').on('input', resolve));
  const payload = { JobId: 'a'.repeat(50_000_000), JobType: 'Import', Manifest: 'x' };
  const { result: answer, cpuMs } = await withCpuTime(async () => {
    helper.getNode('job').receive({ payload });
    return answered;
  });
  expect(cpuMs).toBeLessThan(1000);
  expect(answer.error).toMatchObject({
    code: 'invalid-input',
    message: 'JobId is more than 128 characters long; the limit is 64',
  });
  await helper.unload();
});

test('a connection reset is a network failure, not a timeout', async () => {
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
  await fx.fault({ kind: 'reset', operation: 'UpdateJobExecution', count: 5 });
  const aws = new Connection({
    region: 'us-east-1',
    endpoint: fx.url,
    credentials: FIXTURE_CREDENTIALS,
    maxAttempts: 2,
  });
  const error = await expectStepError(
    updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'IN_PROGRESS' }, aws, { sleep: async () => {} }),
  );
  aws.destroy();
  expect(error).toMatchObject({ code: 'network', retryable: true, attempts: 2 });
  expect(describeFailure(error)).toMatch(/^UpdateJobExecution gw-7\/fw-42: the connection failed \(/);
});
