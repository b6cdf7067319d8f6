/**
 * Runs the committed `dist/index.js` the way a GitHub runner does: a child process with `INPUT_*` variables (the
 * action.yml defaults filled in as the runner fills them), `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`,
 * `GITHUB_WORKSPACE`, `RUNNER_TEMP` and the run context, under a chosen Node binary.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { parse } from 'yaml';

import { FIXTURE_CREDENTIALS, type FixtureCredentials } from './aws-cli';

const ROOT = join(__dirname, '..', '..');
export const ACTION_ENTRY = join(ROOT, 'dist', 'index.js');

/**
 * The machine's Node (20): the first `node` on the PATH outside node_modules, because npm puts the Node 24 of the
 * `node` package first on the PATH of its scripts. Node 24 (GitHub's `node24` runtime) is that package's binary,
 * which it installs for the running platform (linux-x64 here; darwin-arm64 on a Mac…).
 */
function machineNode(): string {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !d.includes('node_modules'));
  for (const dir of dirs) {
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

export const NODES = {
  node20: machineNode(),
  node24: join(ROOT, 'node_modules', 'node', 'bin', 'node'),
} as const;

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
}

export const actionYaml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYaml;

export interface ActionRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** Reads `GITHUB_OUTPUT`'s `name<<delimiter … delimiter` records. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    outputs[m[1]!] = value.join('\n');
  }
  return outputs;
}

/** Runs the action with `inputs` (by input name) and the AWS environment `env`. */
export function runAction(
  inputs: Record<string, string>,
  options: { node?: string; workspace?: string; credentials?: FixtureCredentials; env?: Record<string, string> } = {},
): Promise<ActionRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'action-run-'));
  const outputFile = join(scratch, 'output');
  const summaryFile = join(scratch, 'summary');
  const runnerTemp = join(scratch, 'runner-temp');
  mkdirSync(runnerTemp);
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const credentials = options.credentials ?? FIXTURE_CREDENTIALS;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: options.workspace ?? scratch,
    // A job's own temporary directory (each run here is a job of its own unless `env` names one).
    RUNNER_TEMP: runnerTemp,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'example/aws-job-steps',
    GITHUB_RUN_ID: '4242',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken && { AWS_SESSION_TOKEN: credentials.sessionToken }),
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...options.env,
  };
  // The runner sets every input that has a value or a default, named INPUT_<NAME> in upper case.
  for (const [name, spec] of Object.entries(actionYaml.inputs)) {
    const value = inputs[name] ?? spec.default;
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const name of Object.keys(inputs)) {
    if (!(name in actionYaml.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = inputs[name];
  }
  return new Promise((resolve) => {
    execFile(
      options.node ?? NODES.node20,
      [ACTION_ENTRY],
      { env, cwd: options.workspace ?? scratch, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          stdout,
          stderr,
          outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
          summary: readFileSync(summaryFile, 'utf8'),
        });
      },
    );
  });
}
