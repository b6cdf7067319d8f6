#!/usr/bin/env node
/**
 * `aws-job-steps`: drop-in, idempotent versions of the AWS CLI commands of every operation in the core's registry
 * (`aws iot-jobs-data update-job-execution`, `aws importexport update-job`…). Same flags, same output formats, same
 * exit codes (2 for a bad command line, 255 for a refused request); a re-run that finds the work already done
 * succeeds. Only the chosen command's operation module is loaded.
 */

import { StepError } from '../core/errors';
import { fileReference, readInputFile } from '../core/input-files';
import type { OperationDefinition, Parameter, ShapeMember, StepResult } from '../core/operation';
import { isOperationName, loadOperation, OPERATION_NAMES } from '../core/operations';
import { formatOutput, shapeResponse, type OutputFormat } from './output';

/** The AWS CLI's exit codes. */
const EXIT = { usage: 2, service: 255 } as const;

class UsageError extends Error {}
/** `<command> help` or `--help`, wherever it appears as a word of its own. */
class HelpRequested extends Error {}
/** Unknown options: the AWS CLI names them after the usage, without "error:", and exits 255. */
class UnknownOptions extends Error {}

const GLOBAL_VALUE_FLAGS = [
  'region',
  'endpoint-url',
  'profile',
  'output',
  'cli-input-json',
  'cli-input-yaml',
  'max-attempts',
  'color',
];
/**
 * Accepted and without effect, as in the AWS CLI for these commands: this CLI never pages, paginates (no command here
 * has pages) or prompts.
 */
const HARMLESS_SWITCHES = ['no-cli-pager', 'no-paginate', 'no-cli-auto-prompt'];
/**
 * AWS CLI options that change what the AWS CLI does, which this CLI does not do yet: refused, never silently
 * dropped (a `--query` that printed the whole response would hand a script the wrong value).
 */
const NOT_YET: Readonly<Record<string, string>> = {
  query: 'select from the JSON output instead (e.g. with jq)',
  'ca-bundle': 'set NODE_EXTRA_CA_CERTS to the bundle instead',
  'cli-read-timeout': 'leave it out (each attempt has a 10 s limit)',
  'cli-connect-timeout': 'leave it out (each attempt has a 10 s limit)',
  'no-verify-ssl': 'leave it out; TLS certificates are always verified',
  'no-sign-request': 'leave it out; requests are always signed',
  'cli-auto-prompt': 'leave it out; give the parameters as flags',
};
const OUR_SWITCHES = ['skip-unchanged', 'report-changed', 'debug'];

/** A command: one operation's definition. */
type Command = OperationDefinition<StepResult>;

interface Parsed {
  readonly values: Map<string, string>;
  readonly switches: Set<string>;
}

function parseFlags(spec: Command, args: readonly string[]): Parsed {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const byFlag = new Map(spec.parameters.map((p) => [p.flag, p]));
  const unknown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === 'help' || arg === '--help') throw new HelpRequested();
    if (!arg.startsWith('--')) {
      unknown.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (Object.prototype.hasOwnProperty.call(NOT_YET, name))
      throw new UsageError(`argument --${name}: not supported by aws-job-steps; ${NOT_YET[name]}`);
    const parameter = byFlag.get(name) ?? byFlag.get(name.replace(/^no-/, ''));
    if (parameter?.kind === 'boolean') {
      switches.add(name);
      continue;
    }
    if (parameter || GLOBAL_VALUE_FLAGS.includes(name) || name === 'generate-cli-skeleton') {
      let value = inline ?? args[i + 1];
      if (inline === undefined) {
        if (name === 'generate-cli-skeleton' && (value === undefined || value.startsWith('--'))) value = 'input';
        else i++;
      }
      if (value === undefined) throw new UsageError(`argument --${name}: expected one argument`);
      values.set(name, value);
      continue;
    }
    if (HARMLESS_SWITCHES.includes(name) || OUR_SWITCHES.includes(name)) {
      switches.add(name);
      continue;
    }
    unknown.push(arg);
  }
  if (unknown.length > 0) throw new UnknownOptions(`Unknown options: ${unknown.join(', ')}`);
  // A read has nothing to skip: refused, not ignored.
  if (spec.readOnly && switches.has('skip-unchanged'))
    throw new UsageError(`argument --skip-unchanged: does not apply to ${spec.name}, which only reads; leave it out`);
  return { values, switches };
}

/** A document from text or `file://path`, JSON or YAML. */
async function readDocument(flag: string, text: string): Promise<Record<string, unknown>> {
  const reference = fileReference(text);
  let body = text;
  if (reference !== undefined) {
    try {
      body = await readInputFile(`--${flag}`, reference);
    } catch (error) {
      throw new UsageError(`argument --${flag}: cannot read ${reference}: ${(error as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = flag === 'cli-input-yaml' ? (await import('yaml')).parse(body) : JSON.parse(body);
  } catch (error) {
    throw new UsageError(
      `argument --${flag}: not valid ${flag === 'cli-input-yaml' ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`argument --${flag}: must be an object`);
  return parsed as Record<string, unknown>;
}

/** The request: the input document first, command-line flags over it, as the AWS CLI merges them. */
async function buildInput(spec: Command, parsed: Parsed): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  for (const flag of ['cli-input-json', 'cli-input-yaml']) {
    const text = parsed.values.get(flag);
    if (text !== undefined) Object.assign(input, await readDocument(flag, text));
  }
  for (const p of spec.parameters) {
    if (p.kind === 'boolean') {
      if (parsed.switches.has(p.flag)) input[p.member] = true;
      if (parsed.switches.has(`no-${p.flag}`)) input[p.member] = false;
      continue;
    }
    const value = parsed.values.get(p.flag);
    if (value === undefined) continue;
    if (p.kind === 'integer' && !/^[+-]?\d+$/.test(value.trim())) {
      throw new UsageError(`argument --${p.flag}: invalid int value: '${value}'`);
    }
    input[p.member] = p.kind === 'integer' ? Number(value) : value;
  }
  const missing = spec.parameters.filter((p) => p.required && input[p.member] === undefined).map((p) => `--${p.flag}`);
  if (missing.length > 0) throw new UsageError(`the following arguments are required: ${missing.join(', ')}`);
  return input;
}

/** `--generate-cli-skeleton`: the AWS CLI's placeholder documents. */
async function skeleton(spec: Command, form: string): Promise<string> {
  const placeholder = (p: Parameter): unknown =>
    p.skeleton ?? { string: '', integer: 0, boolean: true, map: { KeyName: '' } }[p.kind];
  if (form === 'input' || form === 'yaml-input') {
    const document = Object.fromEntries(spec.parameters.map((p) => [p.member, placeholder(p)]));
    if (form === 'input') return `${JSON.stringify(document, null, 4)}\n`;
    const { stringify } = await import('yaml');
    return stringify(document, { indent: 2, singleQuote: true });
  }
  if (form === 'output') {
    const fill = (members: readonly ShapeMember[]): Record<string, unknown> =>
      Object.fromEntries(members.map((m) => [m.name, placeholderOf(m)]));
    const placeholderOf = (m: ShapeMember): unknown =>
      m.members
        ? fill(m.members)
        : m.item
          ? [fill(m.item)]
          : m.map
            ? { KeyName: 'KeyName' }
            : m.kind === 'boolean'
              ? true
              : m.kind === 'integer'
                ? 0
                : m.name;
    return `${JSON.stringify(fill(spec.response), null, 4)}\n`;
  }
  throw new UsageError(
    `argument --generate-cli-skeleton: Invalid choice, valid choices are: input | output | yaml-input`,
  );
}

/** What the AWS CLI calls the command. */
const awsCommand = (spec: Command): string => `aws ${spec.service} ${spec.name}`;

function help(spec: Command): string {
  const synopsis = spec.parameters
    .map((p) =>
      p.kind === 'boolean'
        ? `[--${p.flag} | --no-${p.flag}]`
        : p.required
          ? `--${p.flag} <value>`
          : `[--${p.flag} <value>]`,
    )
    .join('\n          ');
  const options = spec.parameters
    .map((p) => `       --${p.flag}${p.kind === 'boolean' ? ` | --no-${p.flag}` : ` (${p.kind})`}\n          ${p.help}`)
    .join('\n\n');
  return `NAME
       ${spec.name} -

DESCRIPTION
       ${spec.summary}
       A drop-in for \`${awsCommand(spec)}\`.

SYNOPSIS
          aws-job-steps ${spec.name}
          ${synopsis}
          [--cli-input-json <value> | --cli-input-yaml <value>]
          [--generate-cli-skeleton <input | output | yaml-input>]
          [--region <value>] [--endpoint-url <value>] [--profile <value>] [--output json | text | yaml]
          ${spec.readOnly ? '' : '[--skip-unchanged] '}[--max-attempts <value>] [--report-changed] [--debug]

OPTIONS
${options}
${
  spec.readOnly
    ? ''
    : `
       --skip-unchanged
          Read the current state first; send nothing when it already is what is asked.
`
}
       --report-changed
          Add "changed" and "attempts" to the output; on a failure, print
          "error" (code, retryable, attempts, awsErrorName, requestId) on stdout.
`;
}

function usage(): string {
  return `usage: aws-job-steps <command> [parameters]\ncommands: ${OPERATION_NAMES.join(', ')}\nTo see help text, you can run:\n\n  aws-job-steps <command> help\n`;
}

async function run(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const spec = command && isOperationName(command) ? (loadOperation(command) as unknown as Command) : undefined;
  if (!spec) {
    process.stderr.write(`${usage()}aws-job-steps: error: argument command: Invalid choice: ${command ?? '(none)'}\n`);
    return EXIT.usage;
  }
  let parsed: Parsed;
  let input: Record<string, unknown>;
  try {
    parsed = parseFlags(spec, args);
    const form = parsed.values.get('generate-cli-skeleton');
    if (form !== undefined) {
      // The AWS CLI makes an output skeleton from a parsed command line: its required arguments must be there.
      if (form === 'output') await buildInput(spec, parsed);
      process.stdout.write(await skeleton(spec, form));
      return 0;
    }
    input = await buildInput(spec, parsed);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(help(spec));
      return 0;
    }
    if (error instanceof UnknownOptions) {
      process.stderr.write(`${usage()}\n${error.message}\n`);
      return EXIT.service;
    }
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${usage()}aws-job-steps: error: ${error.message}\n`);
    return EXIT.usage;
  }
  const format = (parsed.values.get('output') ?? process.env.AWS_DEFAULT_OUTPUT ?? 'json') as OutputFormat;
  if (!['json', 'text', 'yaml'].includes(format)) {
    process.stderr.write(
      `${usage()}aws-job-steps: error: argument --output: Invalid choice: ${format} (json | text | yaml)\n`,
    );
    return EXIT.usage;
  }
  const connection = {
    region: parsed.values.get('region'),
    endpoint: parsed.values.get('endpoint-url'),
    profile: parsed.values.get('profile'),
    maxAttempts: parsed.values.get('max-attempts'),
  };
  const options = {
    skipUnchanged: parsed.switches.has('skip-unchanged'),
    ...(parsed.switches.has('debug') && { logger: { debug: (m: string) => process.stderr.write(`DEBUG ${m}\n`) } }),
  };
  try {
    const result = await spec.run(input, connection, options);
    const shaped = shapeResponse(spec.toResponse(result), spec.response);
    if (parsed.switches.has('report-changed'))
      Object.assign(shaped, { changed: result.changed, attempts: result.attempts });
    process.stdout.write(await formatOutput(shaped, format));
    return 0;
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    const name = error.awsErrorName ?? error.code;
    // The service's own words, as the AWS CLI prints them; our explanation when the service said nothing.
    const message = serviceMessage(error) ?? error.message;
    process.stderr.write(
      error.code === 'invalid-input'
        ? `\nParameter validation failed:\n${error.message}\n`
        : `\nAn error occurred (${name}) when calling the ${spec.awsOperation} operation: ${message}\n`,
    );
    // Ours: what a script needs to decide whether to run the command again, on stdout (the AWS CLI prints nothing there).
    if (parsed.switches.has('report-changed')) process.stdout.write(await formatOutput(failureReport(error), format));
    return EXIT.service;
  }
}

/** A failure for `--report-changed`: the fields a script branches on, never the cause. */
function failureReport(
  error: StepError,
): Record<string, string | number | boolean | Record<string, string | number | boolean>> {
  const { code, retryable, attempts, awsErrorName, requestId } = error;
  return {
    error: {
      code,
      retryable,
      attempts,
      ...(awsErrorName !== undefined && { awsErrorName }),
      ...(requestId !== undefined && { requestId }),
    },
  };
}

/** The message of the service error at the root of a StepError, if the service answered one. */
function serviceMessage(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ('$metadata' in e && typeof e.message === 'string') return e.message;
  }
  return undefined;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`aws-job-steps: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.service;
  },
);
