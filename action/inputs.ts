/**
 * The action's inputs, as `action.yml` declares them, and how they become a core step's input: which inputs
 * belong to which operation, the AWS field each one sets, and `cli-input-json` underneath them (explicit inputs
 * override its fields, as with the AWS CLI). Reads through a getter so it knows nothing of the runner.
 */
import type { ConnectionSettings } from '../core/connection';
import { invalidInput } from '../core/errors';
import { fileReference, readInputFile, type FilePolicy } from '../core/input-files';
import { readManifest } from '../core/job-input';
import { UPDATE_JOB_EXECUTION_PARAMETERS, UPDATE_JOB_PARAMETERS, type Parameter } from '../core/parameters';
import { manifestAccessKeyId } from '../core/manifest';
import { OperationName } from '../core/operations';
import { isGiven, parseBoolean, parseInteger } from '../core/parse';

/** The operations, by the names the `operation` input takes: the core's registry names them. */
export const Operation = OperationName;
export type Operation = OperationName;

function inputsOf(parameters: readonly Parameter[]): Record<string, string> {
  return Object.fromEntries(parameters.map((p) => [p.flag, p.member]));
}

/** Each operation's inputs and the AWS request field each sets. `job-id` is shared, under each API's own name. */
export const OPERATION_INPUTS: Readonly<Record<Operation, Readonly<Record<string, string>>>> = {
  'update-job-execution': inputsOf(UPDATE_JOB_EXECUTION_PARAMETERS),
  'update-job': inputsOf(UPDATE_JOB_PARAMETERS),
};

/** Reads one input; '' when it is not set. */
export type InputGetter = (name: string) => string;

/** Everything the action needs to run one step. */
export interface ActionRequest {
  readonly operation: Operation;
  /** The AWS request shape, cli-input-json first, explicit inputs over it. */
  readonly input: Record<string, unknown>;
  readonly connection: ConnectionSettings;
  readonly skipUnchanged: boolean;
  /** Values to register as secrets before anything is printed. */
  readonly secrets: string[];
}

/** The input a core field came from, for messages that name what the user wrote in the workflow. */
export function inputForField(operation: Operation, field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  const root = field.split(/[.\s]/)[0]!;
  const found = Object.entries(OPERATION_INPUTS[operation]).find(([, aws]) => aws === root);
  const connection: Record<string, string> = {
    region: 'aws-region',
    endpoint: 'endpoint-url',
    maxAttempts: 'max-attempts',
  };
  return found?.[0] ?? connection[root];
}

/** A JSON object from text or `file://path` (in the workspace), for `cli-input-json`. */
async function readCliInputJson(value: string, files: FilePolicy): Promise<Record<string, unknown>> {
  const reference = fileReference(value);
  const text = reference === undefined ? value : await readInputFile('cli-input-json', reference, files);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidInput('cli-input-json', 'is not valid JSON', 'give a JSON object, e.g. from --generate-cli-skeleton');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidInput(
      'cli-input-json',
      'is not a JSON object',
      'give a JSON object, e.g. from --generate-cli-skeleton',
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads and checks every input. Fails, naming the input, for one that belongs to the other operation or a value
 * that cannot be right; the core step checks the request itself.
 */
export async function readActionRequest(getInput: InputGetter, env: NodeJS.ProcessEnv): Promise<ActionRequest> {
  const operationText = getInput('operation') || Operation.UpdateJobExecution;
  const operation = Object.values(Operation).find((o) => o === operationText.trim().toLowerCase());
  if (!operation) {
    throw invalidInput('operation', `is "${operationText}"`, `use ${Object.values(Operation).join(' or ')}`);
  }
  const own = OPERATION_INPUTS[operation];
  const other = operation === Operation.UpdateJob ? Operation.UpdateJobExecution : Operation.UpdateJob;
  for (const name of Object.keys(OPERATION_INPUTS[other])) {
    if (!(name in own) && getInput(name) !== '') {
      throw invalidInput(name, `is an input of ${other}, not ${operation}`, `remove it, or set operation: ${other}`);
    }
  }
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  // `file://` paths are the workspace's (action.yml says so): relative to it, and never outside it.
  const files: FilePolicy = { cwd: workspace, root: workspace };
  const cliInput = getInput('cli-input-json');
  const input: Record<string, unknown> = cliInput ? await readCliInputJson(cliInput, files) : {};
  for (const [name, field] of Object.entries(own)) {
    const value = getInput(name);
    if (value !== '') input[field] = value;
  }
  const secrets = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter((s): s is string => Boolean(s));
  if (operation === Operation.UpdateJob) {
    // Read here so `file://` is relative to the workspace, and so the key id in it is masked before anything prints.
    if (isGiven(input.Manifest)) input.Manifest = await readManifest(input.Manifest, files);
    const keyId = typeof input.Manifest === 'string' ? manifestAccessKeyId(input.Manifest) : undefined;
    if (keyId) secrets.push(keyId);
  } else if (!isGiven(input.includeJobExecutionState)) {
    // The status and version-number outputs need the state in the answer.
    input.includeJobExecutionState = true;
  }
  optionalBoolean(getInput, 'summary', true); // checked here; read when the summary is written
  const timeout = getInput('timeout-seconds');
  const maxAttempts = getInput('max-attempts');
  return {
    operation,
    input,
    connection: {
      region: getInput('aws-region') || undefined,
      endpoint: getInput('endpoint-url') || undefined,
      ...(maxAttempts && { maxAttempts: parseInteger('max-attempts', maxAttempts, { min: 1, max: 20 }) }),
      ...(timeout && { deadlineMs: parseInteger('timeout-seconds', timeout, { min: 1, max: 3600 }) * 1000 }),
    },
    skipUnchanged: optionalBoolean(getInput, 'skip-unchanged', false),
    secrets,
  };
}

function optionalBoolean(getInput: InputGetter, name: string, fallback: boolean): boolean {
  const value = getInput(name);
  return value === '' ? fallback : parseBoolean(name, value);
}
