/**
 * What an action says to the GitHub runner, and how: inputs from `INPUT_<NAME>` variables, outputs and the job
 * summary appended to the files named by `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`, masks, debug lines and errors as
 * `::command::` lines on stdout, failure as exit code 1 (GitHub's "workflow commands" and "environment files").
 *
 * Why not `@actions/core`: version 3 loads its OIDC client, and with it `undici`, on import. Bundled, that alone is
 * 1.1 MB and some 60 ms of start-up — more than issue 10 allows the whole action (≤ 1.0 MB of `dist/`, ≤ 1.5× a bare
 * Node request). This action needs only the file and stdout protocol, which is a few lines. `@github/local-action`,
 * which replaces `@actions/core`, still runs the action (test/action.test.ts), through the stdout fallback below.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';

/** The value of input `name` as the runner passes it, trimmed; '' when the workflow gave none and there is no default. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** A command's message with the characters that would end or split the command line escaped. */
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function command(name: string, message: string, properties = ''): void {
  process.stdout.write(`::${name}${properties}::${escapeData(message)}${EOL}`);
}

/** Sets output `name`; written to `GITHUB_OUTPUT` as a here-document with a delimiter the value cannot contain. */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) {
    // No output file (an old runner, or a tool standing in for one): the deprecated stdout command.
    const property = name.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/,/g, '%2C');
    command('set-output', value, ` name=${property}`);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
}

/** Registers `secret` with the runner, which then masks it wherever the log would show it. */
export function setSecret(secret: string): void {
  command('add-mask', secret);
}

/** A line in the log only when step debug logging is on (`ACTIONS_STEP_DEBUG`). */
export function debug(message: string): void {
  command('debug', message);
}

/** Fails the step: an error annotation with `message`, and exit code 1 once the event loop is done. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  command('error', message);
}

/** Appends HTML or Markdown to the job summary; throws when the runner gave no summary file. */
export function appendSummary(markup: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) throw new Error('GITHUB_STEP_SUMMARY is not set');
  appendFileSync(file, markup, 'utf8');
}

/** The workflow run's page, from the runner's `GITHUB_*` variables; undefined outside a workflow run. */
export function workflowRunUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  if (!repository || !runId) return undefined;
  return `${server}/${repository}/actions/runs/${runId}`;
}
