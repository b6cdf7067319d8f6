/**
 * Runs the AWS CLI v1 installed on the machine (a real client nobody here wrote) against an emulator URL, with
 * fixture credentials and no shared config, so what it sends is exactly what AWS would receive.
 */
import { execFile } from 'node:child_process';
import { execFileSync } from 'node:child_process';

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

/** Fails loudly (never skips) when the AWS CLI is missing: the tests exist to compare against it. */
export function requireAwsCli(): string {
  try {
    return execFileSync('aws', ['--version'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`the AWS CLI ('aws') is required for these tests and could not be run: ${String(err)}`);
  }
}

/** The environment an AWS client sees in tests: fixture credentials only, no profile files, no pager. */
export function awsEnv(
  credentials: FixtureCredentials = FIXTURE_CREDENTIALS,
  extra: Record<string, string> = {},
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
  return env;
}

/** `aws --endpoint-url <url> <args…>`; resolves with the exit code and both streams, never rejects on a non-zero exit. */
export function awsCli(
  endpointUrl: string,
  args: readonly string[],
  options: { credentials?: FixtureCredentials; cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'aws',
      ['--endpoint-url', endpointUrl, ...args],
      { env: awsEnv(options.credentials, options.env), cwd: options.cwd, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}
