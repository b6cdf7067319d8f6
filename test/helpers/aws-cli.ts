/**
 * Runs the AWS CLIs installed on the machine (real clients nobody here wrote) against an emulator URL, with fixture
 * credentials and no shared config, so what they send is exactly what AWS would receive: v1 as `aws` (first on the
 * PATH; behind a pyenv shim, the executable it runs), v2 as `/usr/bin/aws` (Debian's `awscli` package; `AWS_CLI_V2`
 * names another path).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where AWS CLI v2 is: Debian's package installs it at /usr/bin/aws, behind the image's v1 on the PATH. */
export const AWS_CLI_V2_PATH = process.env.AWS_CLI_V2 ?? '/usr/bin/aws';

type V2Check = { readonly available: true } | { readonly available: false; readonly reason: string };

/**
 * Whether AWS CLI v2 can be run here, and if not, why (tests that compare against it are skipped then). Asked once
 * per test run: test/global-setup.ts leaves the answer in the environment the test workers inherit.
 */
export function awsCliV2(): V2Check {
  const known = process.env.AWS_JOB_STEPS_TEST_V2;
  if (known !== undefined) return known === 'available' ? { available: true } : { available: false, reason: known };
  const found = checkAwsCliV2();
  process.env.AWS_JOB_STEPS_TEST_V2 = found.available ? 'available' : found.reason;
  return found;
}

function checkAwsCliV2(): V2Check {
  try {
    const version = execFileSync(AWS_CLI_V2_PATH, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
    if (version.startsWith('aws-cli/2.')) return { available: true };
    return { available: false, reason: `${AWS_CLI_V2_PATH} is ${version.split(' ')[0]}, not AWS CLI v2` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      available: false,
      reason:
        code === 'ENOENT'
          ? `${AWS_CLI_V2_PATH} does not exist (apt-get install awscli installs AWS CLI v2 there)`
          : `${AWS_CLI_V2_PATH} --version failed: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

/**
 * `describe`, or `describe.skip` when AWS CLI v2 is missing (test/global-setup.ts says so once per run). Not defined
 * in the global setup, which has no `describe`.
 */
export const describeWithAwsCliV2: jest.Describe =
  typeof describe === 'undefined' ? (undefined as never) : awsCliV2().available ? describe : describe.skip;

export interface FixtureCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The credentials every test signs with; tests grep captured output for the secret parts. */
export const FIXTURE_CREDENTIALS: FixtureCredentials = {
  accessKeyId: 'AKIAEMULATORTEST0001',
  secretAccessKey: 'fixture/secret/KEY+do-not-leak-0123456789',
  sessionToken: 'FixtureSessionToken//do-not-leak==',
};

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * AWS CLI v1's executable: the `aws` first on the PATH or, where that is a pyenv shim (a bash script that runs
 * `pyenv exec aws`, which costs more CPU than starting the CLI itself: about 0.3 s a run here), the executable the
 * shim runs. The same CLI either way. Found once per process.
 */
export function awsCliV1Path(): string {
  const known = process.env.AWS_JOB_STEPS_TEST_V1;
  if (known !== undefined) return known;
  let path = 'aws';
  const first = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'aws'))
    .find((file) => existsSync(file));
  if (first && /\bpyenv" exec\b/.test(readFileSync(first, 'utf8').slice(0, 2000))) {
    try {
      path = execFileSync('pyenv', ['which', 'aws'], { encoding: 'utf8', timeout: 30_000 }).trim() || path;
    } catch {
      // pyenv cannot say: the shim it is.
    }
  }
  process.env.AWS_JOB_STEPS_TEST_V1 = path;
  return path;
}

/** Fails loudly (never skips) when the AWS CLI is missing: the tests exist to compare against it. */
export function requireAwsCli(): string {
  try {
    return execFileSync(awsCliV1Path(), ['--version'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`the AWS CLI ('aws') is required for these tests and could not be run: ${String(err)}`);
  }
}

/** The environment an AWS client sees in tests: fixture credentials only, no profile files, no pager. */
export function awsEnv(
  credentials: FixtureCredentials = FIXTURE_CREDENTIALS,
  /** More variables; undefined removes one of the above (AWS_DEFAULT_REGION, to read the region from a file). */
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
  if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  for (const [name, value] of Object.entries(extra)) if (value === undefined) delete env[name];
  return env;
}

/** `aws --endpoint-url <url> <args…>` (v1 unless `version` is 2); resolves with the exit code and both streams, never rejects on a non-zero exit. */
export function awsCli(
  endpointUrl: string,
  args: readonly string[],
  options: {
    credentials?: FixtureCredentials;
    cwd?: string;
    env?: Record<string, string | undefined>;
    /** Which AWS CLI: v1 (`aws`, the default) or v2 (AWS_CLI_V2_PATH). */
    version?: 1 | 2;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      options.version === 2 ? AWS_CLI_V2_PATH : awsCliV1Path(),
      ['--endpoint-url', endpointUrl, ...args],
      { env: awsEnv(options.credentials, options.env), cwd: options.cwd, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}
