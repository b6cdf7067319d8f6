/**
 * AWS's own service models, as the two AWS CLIs installed here carry them: the `service-2.json` files in the package
 * data of the botocore that AWS CLI v1 imports and of the botocore inside AWS CLI v2. Never the emulator's types: an
 * answer is checked against what the clients themselves were generated from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { AWS_CLI_V2_PATH, awsCliV1Path } from './aws-cli';

/** A shape of a botocore model (only the parts checked here). */
interface Shape {
  readonly type: string;
  readonly members?: Readonly<Record<string, { readonly shape: string; readonly location?: string }>>;
  readonly required?: readonly string[];
  readonly member?: { readonly shape: string };
  readonly key?: { readonly shape: string };
  readonly value?: { readonly shape: string };
  readonly enum?: readonly string[];
  readonly error?: { readonly httpStatusCode?: number; readonly code?: string };
  readonly exception?: boolean;
}

interface Operation {
  readonly http: { readonly method: string; readonly requestUri: string };
  readonly output?: { readonly shape: string };
  readonly errors?: readonly { readonly shape: string }[];
}

/** One service model as the CLI ships it. */
export interface ServiceModel {
  /** Where it was read from. */
  readonly file: string;
  readonly metadata: { readonly signingName?: string; readonly endpointPrefix: string; readonly protocol: string };
  readonly operations: Readonly<Record<string, Operation>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

export type CliVersion = 1 | 2;
export type ModelService = 'iot' | 'iot-jobs-data';

/** The Python a CLI runs under: its launcher's `#!` line (pyenv's executable for v1, Debian's python3 for v2). */
function interpreterOf(launcher: string): string {
  const path = launcher.includes('/') ? launcher : execFileSync('which', [launcher], { encoding: 'utf8' }).trim();
  const shebang = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(readFileSync(path, 'utf8').slice(0, 300));
  if (!shebang) throw new Error(`${path} has no #! line naming its Python: cannot find its botocore`);
  // `#!/usr/bin/env python3` names it after env.
  return shebang[1]!.endsWith('/env') && shebang[2] ? shebang[2] : shebang[1]!;
}

const dataDirs = new Map<CliVersion, string>();

/**
 * The botocore `data` directory a CLI loads its models from: v1's is the `botocore` package its Python imports; v2
 * keeps its own botocore inside the `awscli` package.
 */
export function botocoreDataDir(cli: CliVersion): string {
  const known = dataDirs.get(cli);
  if (known) return known;
  const python = interpreterOf(cli === 1 ? awsCliV1Path() : AWS_CLI_V2_PATH);
  const script =
    cli === 1
      ? 'import botocore,os;print(os.path.join(os.path.dirname(botocore.__file__),"data"))'
      : 'import awscli,os;print(os.path.join(os.path.dirname(awscli.__file__),"botocore","data"))';
  const dir = execFileSync(python, ['-c', script], { encoding: 'utf8', timeout: 30_000 }).trim();
  if (!existsSync(dir)) throw new Error(`AWS CLI v${cli}'s botocore data is not at ${dir}`);
  dataDirs.set(cli, dir);
  return dir;
}

const models = new Map<string, ServiceModel>();

/** A service's model (its newest API version) as AWS CLI `cli` carries it; v1's botocore gzips them. */
export function loadModel(cli: CliVersion, service: ModelService): ServiceModel {
  const key = `${cli} ${service}`;
  const known = models.get(key);
  if (known) return known;
  const serviceDir = join(botocoreDataDir(cli), service);
  const version = readdirSync(serviceDir).sort().at(-1);
  if (!version) throw new Error(`no API version of ${service} in ${serviceDir}`);
  const plain = join(serviceDir, version, 'service-2.json');
  const file = existsSync(plain) ? plain : `${plain}.gz`;
  const raw = file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString('utf8') : readFileSync(file, 'utf8');
  const model = { file, ...(JSON.parse(raw) as Omit<ServiceModel, 'file'>) };
  models.set(key, model);
  return model;
}

/** Both CLIs' models of a service. */
export function bothModels(service: ModelService): readonly ServiceModel[] {
  return [loadModel(1, service), loadModel(2, service)];
}

/**
 * Error codes any AWS service may answer besides an operation's own (the front's and IAM's, which the models do not
 * list per operation): botocore's and the SDKs' common errors.
 */
export const COMMON_ERRORS: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'IncompleteSignatureException',
  'RequestEntityTooLargeException',
]);

function operationOf(model: ServiceModel, operation: string): Operation {
  const op = model.operations[operation];
  if (!op) throw new Error(`${model.file} has no operation ${operation}`);
  return op;
}

/** ISO 8601 as the CLIs print timestamps (v2; v1 with cli_timestamp_format iso8601), or epoch seconds (the wire, v1). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Where `value` departs from shape `name` of `model`, each problem a line naming its path; empty when it fits. */
export function valueProblems(model: ServiceModel, name: string, value: unknown): string[] {
  return shapeProblems(model, name, value, name);
}

function shapeProblems(model: ServiceModel, name: string, value: unknown, path: string): string[] {
  const shape = model.shapes[name];
  if (!shape) return [`${path}: the model has no shape ${name}`];
  const kind = (expected: string): string[] => [`${path}: ${JSON.stringify(value)} is not a ${expected} (${name})`];
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return kind('structure');
      const members = shape.members ?? {};
      const problems: string[] = [];
      for (const [member, memberValue] of Object.entries(value)) {
        const ref = members[member];
        if (!ref) problems.push(`${path}.${member}: not a member of ${name}`);
        else problems.push(...shapeProblems(model, ref.shape, memberValue, `${path}.${member}`));
      }
      for (const required of shape.required ?? [])
        if (!(required in value)) problems.push(`${path}.${required}: required by ${name}, missing`);
      return problems;
    }
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return kind('map');
      return Object.entries(value).flatMap(([k, v]) => [
        ...shapeProblems(model, shape.key!.shape, k, `${path}{key}`),
        ...shapeProblems(model, shape.value!.shape, v, `${path}.${k}`),
      ]);
    case 'list':
      if (!Array.isArray(value)) return kind('list');
      return value.flatMap((item, i) => shapeProblems(model, shape.member!.shape, item, `${path}[${i}]`));
    case 'string':
      if (typeof value !== 'string') return kind('string');
      if (shape.enum && !shape.enum.includes(value))
        return [`${path}: ${value} is not one of ${shape.enum.join(', ')}`];
      return [];
    case 'blob':
      return typeof value === 'string' ? [] : kind('blob (base64 string)');
    case 'long':
    case 'integer':
      return Number.isInteger(value) ? [] : kind(shape.type);
    case 'double':
    case 'float':
      return typeof value === 'number' ? [] : kind(shape.type);
    case 'boolean':
      return typeof value === 'boolean' ? [] : kind('boolean');
    case 'timestamp':
      return (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && ISO_TIMESTAMP.test(value))
        ? []
        : kind('timestamp');
    default:
      return [`${path}: shape ${name} has type ${shape.type}, which this checker does not know`];
  }
}

/**
 * Where a JSON answer (a CLI's `--output json`, or a rest-json body) departs from the output shape of `operation`
 * in `model`: a member the shape does not have, a value not of its member's type, a required member missing. Members
 * bound to headers or the status code are not in a body, so they are not required there. Empty when it fits.
 */
export function outputProblems(model: ServiceModel, operation: string, answer: unknown): string[] {
  const output = operationOf(model, operation).output;
  if (!output) return answer === undefined || isEmpty(answer) ? [] : [`${operation} has no output in ${model.file}`];
  const shape = model.shapes[output.shape]!;
  const bodyOnly: ServiceModel = {
    ...model,
    shapes: {
      ...model.shapes,
      [output.shape]: {
        ...shape,
        required: (shape.required ?? []).filter((m) => shape.members?.[m]?.location === undefined),
      },
    },
  };
  return shapeProblems(bodyOnly, output.shape, answer, operation);
}

function isEmpty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/**
 * Why `code` is not an error `operation` may answer in `model` (one it lists, or a common one), or undefined. With
 * `status`, the model's status for that error must be it too.
 */
export function errorProblem(
  model: ServiceModel,
  operation: string,
  code: string,
  status?: number,
): string | undefined {
  const listed = (operationOf(model, operation).errors ?? []).map((e) => e.shape);
  if (!listed.includes(code) && !COMMON_ERRORS.has(code))
    return `${operation} lists no ${code} in ${model.file} (it lists ${listed.join(', ')})`;
  const modelled = model.shapes[code]?.error?.httpStatusCode;
  if (status !== undefined && modelled !== undefined && modelled !== status)
    return `${code} is ${modelled} in ${model.file}, not ${status}`;
  return undefined;
}

/** The HTTP status a model gives an error shape. */
export function errorStatus(model: ServiceModel, code: string): number | undefined {
  return model.shapes[code]?.error?.httpStatusCode;
}

/** The error code and message of an AWS CLI's error line (`An error occurred (Code) when calling the Op operation…: message`). */
export function cliError(stderr: string): { code: string; operation: string; message: string } | undefined {
  const m =
    /An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)/.exec(
      stderr,
    );
  return m ? { code: m[1]!, operation: m[2]!, message: m[3]!.trim() } : undefined;
}
