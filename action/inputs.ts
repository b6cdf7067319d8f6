/**
 * The action's inputs, as `action.yml` declares them (it is generated from the operations' tables and `COMMON_INPUTS`),
 * and how they become a core step's input: the chosen operation's parameters by their flag names, and
 * `cli-input-json` underneath them (explicit inputs override its fields, as with the AWS CLI). Reads through a
 * getter so it knows nothing of the runner.
 */
import { statSync } from 'node:fs';

import type { ConnectionSettings } from '../core/shared/connection';
import { invalidInput } from '../core/shared/errors';
import { fileReference, readInputFile, type FilePolicy } from '../core/shared/input-files';
import type { OperationDefinition, StepResult } from '../core/shared/operation';
import { allOperations, isOperationName, loadOperation, OPERATION_NAMES } from '../core/operations';
import { isGiven, parseBoolean, parseInteger } from '../core/shared/parse';
import { sendsStatusDetails } from '../core/iot-jobs/job-execution-fields';
import { parseStatusDetailsUpdate, parseStatusDetailsValueLength } from '../core/shared/readings';

/** Where the action reads `file://` values from, as action.yml says it for `manifest` and `cli-input-json`. */
export const FILE_PLACES =
  "A file must be in the workspace or the runner's temp directory (runner.temp); relative paths are in the workspace.";

/** The operation run when the workflow names none (the action's first purpose). */
export const DEFAULT_OPERATION = 'update-job-execution';

/** An input every operation takes. */
export interface CommonInput {
  readonly name: string;
  readonly description: string;
  readonly default?: string;
}

/** The inputs beside the operations' parameters, in action.yml's order (`operation` first, the rest after them). */
export const COMMON_INPUTS: readonly CommonInput[] = [
  {
    name: 'cli-input-json',
    description:
      'The whole request as JSON text or file://path, as `aws ... --generate-cli-skeleton` prints it; the inputs above override its fields. ' +
      FILE_PLACES,
  },
  {
    name: 'skip-unchanged',
    description:
      'Read the current state first and send no update when it already is what you ask for (steps that change something; refused for the reads).',
    default: 'false',
  },
  {
    name: 'aws-region',
    description: 'The AWS region; defaults to AWS_REGION or AWS_DEFAULT_REGION (as set by configure-aws-credentials).',
  },
  {
    name: 'endpoint-url',
    description: "A different endpoint, e.g. the local emulator or your account's IoT jobs endpoint.",
  },
  {
    name: 'max-attempts',
    description:
      'Requests per operation before giving up on 5xx and network errors (default 5); throttles are retried until the timeout, not counted.',
  },
  { name: 'timeout-seconds', description: 'Time allowed for the whole step, retries included (default 60).' },
  {
    name: 'status-details-value-length',
    description:
      "The longest status-details value to allow, as AWS's documents disagree: 1024 (AWS CLI v2's iot-jobs-data model; the default) or 128 (the job-limits table). Operations that send status-details only.",
  },
  {
    name: 'status-details-update',
    description:
      "What AWS does with given status-details, which it does not document: replace (the default; they become the execution's) or merge (the pairs are set, the others kept). Under merge an execution holding every pair asked is already as asked. Operations that send status-details only.",
  },
  { name: 'summary', description: 'Write a job summary (true or false).', default: 'true' },
];

/** Reads one input; '' when it is not set. */
export type InputGetter = (name: string) => string;

/** An operation as the action runs it. */
export type ActionOperation = OperationDefinition<StepResult>;

/** Everything the action needs to run one step. */
export interface ActionRequest {
  readonly operation: ActionOperation;
  /** The AWS request shape, cli-input-json first, explicit inputs over it. */
  readonly input: Record<string, unknown>;
  readonly connection: ConnectionSettings;
  readonly skipUnchanged: boolean;
  /** Values to register as secrets before anything is printed. */
  readonly secrets: string[];
}

/** The connection settings and step options by the inputs that set them. */
const CONNECTION_INPUTS: Readonly<Record<string, string>> = {
  region: 'aws-region',
  endpoint: 'endpoint-url',
  maxAttempts: 'max-attempts',
  statusDetailsValueLength: 'status-details-value-length',
  statusDetailsUpdate: 'status-details-update',
  skipUnchanged: 'skip-unchanged',
};

/** The inputs that say how AWS treats statusDetails: refused, not ignored, for an operation that sends none. */
const STATUS_DETAILS_READINGS = ['status-details-value-length', 'status-details-update'] as const;

/** The input a core field came from, for messages that name what the user wrote in the workflow. */
export function inputForField(operation: ActionOperation, field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  const root = field.split(/[.\s]/)[0]!;
  return operation.parameters.find((p) => p.member === root)?.flag ?? CONNECTION_INPUTS[root];
}

/** The operation the workflow names, or the `invalid-input` error that lists the ones there are. */
export function chosenOperation(getInput: InputGetter): ActionOperation {
  const text = getInput('operation') || DEFAULT_OPERATION;
  const name = text.trim().toLowerCase();
  if (!isOperationName(name))
    throw invalidInput('operation', `is "${text}"`, `use one of ${OPERATION_NAMES.join(', ')}`);
  return loadOperation(name) as unknown as ActionOperation;
}

/**
 * Fails, naming the input, for one the workflow set that belongs to other operations only. The runner passes
 * inputs as `INPUT_<NAME>` variables; only when one is set that this operation does not take are the other
 * operations' tables loaded, to say which take it.
 */
function refuseOthersInputs(operation: ActionOperation, env: NodeJS.ProcessEnv): void {
  const own = new Set(['operation', ...COMMON_INPUTS.map((i) => i.name), ...operation.parameters.map((p) => p.flag)]);
  const foreign = Object.keys(env)
    .filter((key) => key.startsWith('INPUT_') && (env[key] ?? '').trim() !== '')
    .map((key) => key.slice('INPUT_'.length).toLowerCase())
    .filter((name) => !own.has(name));
  if (foreign.length === 0) return;
  const others = allOperations();
  for (const name of foreign) {
    const takers = others.filter((o) => o.parameters.some((p) => p.flag === name)).map((o) => o.name);
    if (takers.length === 0) continue; // not ours at all: the runner already warns of an unexpected input
    const fix = takers.length === 1 ? `set operation: ${takers[0]}` : 'set operation to one of them';
    throw invalidInput(name, `is an input of ${takers.join(', ')}, not ${operation.name}`, `remove it, or ${fix}`);
  }
}

/** A JSON object from text or `file://path` (read under the action's file policy), for `cli-input-json`. */
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
 * Reads and checks every input. Fails, naming the input, for one that belongs to another operation or a value
 * that cannot be right; the core step checks the request itself.
 */
export async function readActionRequest(getInput: InputGetter, env: NodeJS.ProcessEnv): Promise<ActionRequest> {
  const operation = chosenOperation(getInput);
  refuseOthersInputs(operation, env);
  const files = actionFilePolicy(env);
  const cliInput = getInput('cli-input-json');
  let input: Record<string, unknown> = cliInput ? await readCliInputJson(cliInput, files) : {};
  for (const p of operation.parameters) {
    const value = getInput(p.flag);
    if (value !== '') input[p.member] = value;
  }
  // The outputs show what the result holds only when the request asked for it.
  for (const [member, value] of Object.entries(operation.resultDefaults ?? {}))
    if (!isGiven(input[member])) input[member] = value;
  const secrets = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter((s): s is string => Boolean(s));
  if (operation.prepare) {
    const prepared = await operation.prepare(input, files);
    input = prepared.input;
    secrets.push(...prepared.secrets);
  }
  optionalBoolean(getInput, 'summary', true); // checked here; read when the summary is written
  const timeout = getInput('timeout-seconds');
  const maxAttempts = getInput('max-attempts');
  const readings = readingInputs(operation, getInput);
  return {
    operation,
    input,
    connection: {
      region: getInput('aws-region') || undefined,
      endpoint: getInput('endpoint-url') || undefined,
      ...(maxAttempts && { maxAttempts: parseInteger('max-attempts', maxAttempts, { min: 1, max: 20 }) }),
      ...(timeout && { deadlineMs: parseInteger('timeout-seconds', timeout, { min: 1, max: 3600 }) * 1000 }),
      ...readings,
    },
    skipUnchanged: optionalBoolean(getInput, 'skip-unchanged', false),
    secrets,
  };
}

/** The statusDetails readings the workflow set, checked; refused for an operation that sends no statusDetails. */
function readingInputs(
  operation: ActionOperation,
  getInput: InputGetter,
): Pick<ConnectionSettings, 'statusDetailsValueLength' | 'statusDetailsUpdate'> {
  const [valueLength, update] = STATUS_DETAILS_READINGS.map((name) => getInput(name));
  if (!sendsStatusDetails(operation)) {
    const set = STATUS_DETAILS_READINGS.find((name) => getInput(name) !== '');
    if (set !== undefined)
      throw invalidInput(set, `does not apply to ${operation.name}, which sends no status-details`, 'leave it out');
    return {};
  }
  return {
    ...(valueLength && {
      statusDetailsValueLength: parseStatusDetailsValueLength(valueLength, 'status-details-value-length'),
    }),
    ...(update && { statusDetailsUpdate: parseStatusDetailsUpdate(update, 'status-details-update') }),
  };
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/**
 * How the action reads `file://` values (action.yml says so): relative to the workspace, and only inside it or the
 * runner's temp directory (`runner.temp`, where workflows write generated files to keep them out of the checkout),
 * each only when it is a directory. The workspace is `GITHUB_WORKSPACE`, or the current directory off a runner.
 */
function actionFilePolicy(env: NodeJS.ProcessEnv): FilePolicy {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const roots = [
    { dir: workspace, name: 'the workspace' },
    ...(env.RUNNER_TEMP ? [{ dir: env.RUNNER_TEMP, name: "the runner's temp directory" }] : []),
  ].filter((root) => isDirectory(root.dir));
  if (roots.length === 0) {
    const fix = `neither GITHUB_WORKSPACE (${workspace}) nor RUNNER_TEMP names a directory; give the text itself`;
    return { refused: true, fix };
  }
  return { cwd: workspace, root: roots };
}

function optionalBoolean(getInput: InputGetter, name: string, fallback: boolean): boolean {
  const value = getInput(name);
  return value === '' ? fallback : parseBoolean(name, value);
}
