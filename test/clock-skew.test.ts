/**
 * Clock skew: the emulator refuses a signature more than 5 minutes from its clock, as AWS does, and both of our
 * clients (the v3 SDK for IoT Jobs, our query client for Import/Export) recover from a wrong local clock by
 * learning the service's time from its answer. The clients run in a child process whose clock is 15 minutes off.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

import { awsEnv, type CliResult } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';
import { createImportExportJob, manifest } from './helpers/importexport';

const BUNDLE = join(__dirname, '..', 'lib', 'cli', 'index.js');
const SKEW = join(__dirname, 'helpers', 'skew-clock.cjs');

const fx = useEmulator();

beforeAll(async () => {
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
  await createImportExportJob(fx.url);
});

function skewed(skewMs: number, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', SKEW, BUNDLE, args[0]!, '--endpoint-url', fx.url, '--report-changed', ...args.slice(1)],
      { env: { ...awsEnv(), SKEW_MS: String(skewMs) }, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

test('a signature 6 minutes old is refused with AWS’s error', async () => {
  const sixMinutesAgo = new Date(Date.now() - 6 * 60_000);
  const reply = await fx.signed('iot-jobs-data', 'GET', '/things/gw-7/jobs/fw-42', undefined, {}, sixMinutesAgo);
  expect(reply.status).toBe(403);
  expect(reply.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  expect((JSON.parse(reply.text) as { message: string }).message).toMatch(/^Signature expired: /);
});

test.each([-15 * 60_000, 15 * 60_000])('with the local clock %i ms off, both steps still succeed', async (skewMs) => {
  const execution = await skewed(skewMs, [
    'update-job-execution',
    '--job-id',
    'fw-42',
    '--thing-name',
    'gw-7',
    '--status',
    'IN_PROGRESS',
  ]);
  expect({ code: execution.code, stderr: execution.stderr }).toEqual({ code: 0, stderr: '' });
  // The first request is refused as expired; the SDK learns the service's time and the retry is signed right.
  expect(JSON.parse(execution.stdout)).toEqual({ changed: true, attempts: 2 });

  const job = await skewed(skewMs, [
    'update-job',
    '--job-id',
    'JOB01',
    '--job-type',
    'Import',
    '--manifest',
    manifest({ deviceId: String(skewMs) }),
    '--no-validate-only',
  ]);
  expect({ code: job.code, stderr: job.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(job.stdout)).toMatchObject({ Success: true, changed: true, attempts: 3 });
});
