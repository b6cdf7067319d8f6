#!/usr/bin/env node
/**
 * `aws-job-steps`: drop-in, idempotent versions of the AWS CLI v2 commands of every operation in the core's registry
 * (`aws iot-jobs-data update-job-execution`, `aws importexport update-job`…). Same flags, `--query`, output formats,
 * config settings, exit codes and last line of an error; a re-run that finds the work already done succeeds. Only the
 * chosen command's operation module is loaded.
 */

import { search } from '@aws-lambda-powertools/jmespath';

import type { ConnectionSettings } from '../core/shared/connection';
import { describeFailure, StepError } from '../core/shared/errors';
import { fileReference, readInputFile } from '../core/shared/input-files';
import type { OperationDefinition, Parameter, ShapeMember, StepResult } from '../core/shared/operation';
import { isOperationName, loadOperation, OPERATION_NAMES } from '../core/operations';
import { sendsStatusDetails } from '../core/iot-jobs/job-execution-fields';
import type { PendingOutcome, ServiceRefusal } from '../core/iot-jobs/no-pending-execution';
import { StatusDetailsUpdate, StatusDetailsValueLength } from '../core/shared/readings';
import { ConfigurationError, resolveCliSettings } from './config';
import { formatOutput, OUTPUT_FORMATS, shapeResponse, type OutputFormat } from './output';

/**
 * AWS CLI v2's exit codes: a bad command line or parameter, a configuration it cannot use (no region, no
 * credentials), a request the service refused, anything else (no connection, a timeout).
 */
const EXIT = { usage: 252, configuration: 253, service: 254, other: 255 } as const;

class UsageError extends Error {}
/** `<command> help` or `--help`, wherever it appears as a word of its own. */
class HelpRequested extends Error {}
/** Unknown options: the AWS CLI names them after the usage, without "error:". */
class UnknownOptions extends Error {}
/** A parameter's value refused as the AWS CLI refuses it: the message alone, after a blank line. */
class BadValue extends Error {}

const GLOBAL_VALUE_FLAGS = [
  'region',
  'endpoint-url',
  'profile',
  'output',
  'query',
  'ca-bundle',
  'cli-read-timeout',
  'cli-connect-timeout',
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
 * AWS CLI options that change what the AWS CLI does, which this CLI does not do: refused, never silently dropped.
 */
const NOT_SUPPORTED: Readonly<Record<string, string>> = {
  'no-sign-request': 'leave it out; these operations need signed requests',
  'cli-auto-prompt': 'leave it out; give the parameters as options',
};
const OUR_SWITCHES = ['skip-unchanged', 'report-changed', 'debug', 'no-verify-ssl'];
/**
 * Ours: how AWS treats statusDetails where its documents disagree or are silent (the core's connection settings of
 * the same names), with their choices. Only for commands that send statusDetails.
 */
const READING_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  'status-details-value-length': Object.values(StatusDetailsValueLength).map(String),
  'status-details-update': Object.values(StatusDetailsUpdate),
};

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
    if (Object.prototype.hasOwnProperty.call(NOT_SUPPORTED, name))
      throw new UsageError(`argument --${name}: not supported by aws-job-steps; ${NOT_SUPPORTED[name]}`);
    const parameter = byFlag.get(name) ?? byFlag.get(name.replace(/^no-/, ''));
    if (parameter?.kind === 'boolean') {
      switches.add(name);
      continue;
    }
    if (parameter || GLOBAL_VALUE_FLAGS.includes(name) || name in READING_OPTIONS || name === 'generate-cli-skeleton') {
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
  for (const [option, choices] of Object.entries(READING_OPTIONS)) {
    const value = values.get(option);
    if (value === undefined) continue;
    if (!sendsStatusDetails(spec))
      throw new UsageError(
        `argument --${option}: does not apply to ${spec.name}, which sends no statusDetails; leave it out`,
      );
    if (!choices.includes(value)) throw new UsageError(invalidChoice(option, value, choices));
  }
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
          [--region <value>] [--endpoint-url <value>] [--profile <value>]
          [--output json | text | table | yaml | yaml-stream] [--query <value>]
          [--ca-bundle <value>] [--no-verify-ssl] [--cli-read-timeout <value>] [--cli-connect-timeout <value>]
          ${spec.readOnly ? '' : '[--skip-unchanged] '}[--max-attempts <value>] [--report-changed] [--debug]${
            sendsStatusDetails(spec)
              ? '\n          [--status-details-value-length 1024 | 128] [--status-details-update replace | merge]'
              : ''
          }

OPTIONS
${options}
${
  spec.readOnly
    ? ''
    : `
       --skip-unchanged
          Read the current state first; send nothing when it already is what is asked.
`
}${
    sendsStatusDetails(spec)
      ? `
       --status-details-value-length 1024 | 128
          The longest statusDetails value to allow, as AWS's documents disagree:
          1024 (AWS CLI v2's iot-jobs-data model; the default) or 128 (the
          job-limits table). A longer one is refused before sending.

       --status-details-update replace | merge
          What AWS does with given statusDetails, which it does not document:
          replace (the default; they become the execution's) or merge (the
          pairs are set, the others kept). Under merge an execution holding
          every pair asked is already as asked.
`
      : ''
  }
       --report-changed
          Add "changed" and "attempts" to the output, and "noPendingExecution"
          when nothing is pending; on a failure, print "error" (code, retryable,
          attempts, awsErrorName, requestId) on stdout.
`;
}

function usage(): string {
  return `usage: ${PROGRAM} <command> [parameters]\ncommands: ${OPERATION_NAMES.join(', ')}\nTo see help text, you can run:\n\n  ${PROGRAM} <command> help\n`;
}

/** The AWS CLI's refusal of a value not among an option's choices: the choices two to a line, and close matches. */
function invalidChoice(option: string, value: string, choices: readonly string[]): string {
  const lines = ['Invalid choice, valid choices are:\n'];
  for (let i = 0; i < choices.length; i += 2)
    lines.push(
      choices
        .slice(i, i + 2)
        .map((c) => c.padEnd(40))
        .join(' | '),
    );
  const close = choices.filter((c) => similarity(value, c) >= 0.8);
  if (close.length > 0)
    lines.push(`\n\nInvalid choice: '${value}', maybe you meant:\n`, ...close.map((c) => `  * ${c}`));
  return `argument --${option}: ${lines.join('\n')}`;
}

/**
 * Python's `difflib` ratio, 2·M / (|a| + |b|) with M the characters of the longest matching blocks found
 * recursively, which `get_close_matches` ranks by (no junk heuristic: the choices are short).
 */
function similarity(a: string, b: string): number {
  const matched = (a0: number, a1: number, b0: number, b1: number): number => {
    let best = { i: a0, j: b0, size: 0 };
    for (let i = a0; i < a1; i++)
      for (let j = b0; j < b1; j++) {
        let k = 0;
        while (i + k < a1 && j + k < b1 && a[i + k] === b[j + k]) k++;
        if (k > best.size) best = { i, j, size: k };
      }
    if (best.size === 0) return 0;
    return best.size + matched(a0, best.i, b0, best.j) + matched(best.i + best.size, a1, best.j + best.size, b1);
  };
  return a.length + b.length === 0 ? 1 : (2 * matched(0, a.length, 0, b.length)) / (a.length + b.length);
}

/** The program's name where the AWS CLI prints its own. */
const PROGRAM = 'aws-job-steps';

/** A JMESPath `--query`, checked before anything is sent, as the AWS CLI parses it with the command line. */
function compileQuery(expression: string | undefined): ((value: unknown) => unknown) | undefined {
  if (expression === undefined) return undefined;
  try {
    search(expression, {});
  } catch (error) {
    // Only a syntax error is a bad value; a function that meets the wrong type in an empty document may be fine.
    const syntax = ['LexerError', 'ParseError', 'IncompleteExpressionError', 'EmptyExpressionError'];
    if (error instanceof Error && syntax.includes(error.name))
      throw new BadValue(`Bad value for --query ${expression}: ${error.message}`);
  }
  return (value) => search(expression, value as Parameters<typeof search>[1]);
}

/**
 * The width the AWS CLI v2 fits a table to: its terminal's, or 80 when stdout is not a terminal (it does not read
 * COLUMNS).
 */
function terminalWidth(): number {
  return process.stdout.isTTY ? process.stdout.columns : 80;
}

/** Seconds as the AWS CLI takes them, 0 for no limit, as milliseconds for the connection. */
const millis = (seconds: number | undefined): number | undefined =>
  seconds === undefined ? undefined : seconds === 0 ? NO_LIMIT_MS : seconds * 1000;
/** What "no limit" stands for: an hour, so that a stalled command still ends. */
const NO_LIMIT_MS = 3_600_000;
/** The AWS CLI's default for each of its two socket timeouts. */
const AWS_CLI_TIMEOUT_MS = 60_000;

async function run(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const spec = command && isOperationName(command) ? (loadOperation(command) as unknown as Command) : undefined;
  if (!spec) {
    process.stderr.write(`${usage()}${PROGRAM}: error: argument command: Invalid choice: ${command ?? '(none)'}\n`);
    return EXIT.usage;
  }
  let parsed: Parsed;
  let input: Record<string, unknown>;
  let query: ((value: unknown) => unknown) | undefined;
  try {
    parsed = parseFlags(spec, args);
    const output = parsed.values.get('output');
    if (output !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(output))
      throw new UsageError(invalidChoice('output', output, OUTPUT_FORMATS));
    const color = parsed.values.get('color');
    if (color !== undefined && !['on', 'off', 'auto'].includes(color))
      throw new UsageError(invalidChoice('color', color, ['on', 'off', 'auto']));
    const form = parsed.values.get('generate-cli-skeleton');
    if (form !== undefined) {
      // The AWS CLI makes an output skeleton from a parsed command line: its required arguments must be there.
      if (form === 'output') await buildInput(spec, parsed);
      process.stdout.write(await skeleton(spec, form));
      return 0;
    }
    query = compileQuery(parsed.values.get('query'));
    input = await buildInput(spec, parsed);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(help(spec));
      return 0;
    }
    if (error instanceof UnknownOptions) {
      process.stderr.write(`\n${usage()}\n${error.message}\n\n`);
      return EXIT.usage;
    }
    if (error instanceof BadValue) {
      process.stderr.write(`\n${error.message}\n`);
      return EXIT.usage;
    }
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`\n${usage()}\n${PROGRAM}: error: ${error.message}\n\n`);
    return EXIT.usage;
  }
  let settings;
  try {
    settings = await resolveCliSettings(parsed.values, process.env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`\n${error.message}\n`);
    return error.exitCode;
  }
  const format = settings.output as OutputFormat;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    process.stderr.write(`\nUnknown output type: ${settings.output}\n`);
    return EXIT.other;
  }
  // Colour is what the AWS CLI adds to a table on a terminal, which this CLI does not draw.
  if (parsed.values.get('color') === 'on' && format === 'table') {
    process.stderr.write(
      `\n${usage()}\n${PROGRAM}: error: argument --color: on is not supported by aws-job-steps; leave it out\n\n`,
    );
    return EXIT.usage;
  }
  const verifyTls = !parsed.switches.has('no-verify-ssl');
  if (!verifyTls) process.stderr.write(`${PROGRAM}: warning: --no-verify-ssl: HTTPS certificates are not verified\n`);
  const timeouts = settings.readTimeout !== undefined || settings.connectTimeout !== undefined;
  const connectTimeoutMs = millis(settings.connectTimeout);
  const readTimeoutMs = millis(settings.readTimeout);
  // With the AWS CLI's socket timeouts an attempt may last as long as both allow, and the step one such attempt.
  const attemptTimeoutMs = timeouts
    ? (connectTimeoutMs ?? AWS_CLI_TIMEOUT_MS) + (readTimeoutMs ?? AWS_CLI_TIMEOUT_MS)
    : undefined;
  for (const line of settings.unread) process.stderr.write(`${PROGRAM}: warning: ${line}\n`);
  const connection: ConnectionSettings = {
    region: settings.region,
    credentials: settings.credentials,
    endpoint: parsed.values.get('endpoint-url'),
    profile: settings.profile,
    maxAttempts: parsed.values.get('max-attempts'),
    // Checked against their choices with the command line.
    statusDetailsValueLength: parsed.values.get('status-details-value-length') as
      ConnectionSettings['statusDetailsValueLength'] | undefined,
    statusDetailsUpdate: parsed.values.get('status-details-update') as ConnectionSettings['statusDetailsUpdate'],
    caBundle: settings.caBundle,
    verifyTls,
    connectTimeoutMs,
    readTimeoutMs,
    ...(attemptTimeoutMs !== undefined && {
      attemptTimeoutMs,
      deadlineMs: Math.max(AWS_CLI_TIMEOUT_MS, attemptTimeoutMs + 1000),
    }),
  };
  const options = {
    skipUnchanged: parsed.switches.has('skip-unchanged'),
    ...(parsed.switches.has('debug') && { logger: { debug: (m: string) => process.stderr.write(`DEBUG ${m}\n`) } }),
  };
  const context = { title: spec.awsOperation, width: terminalWidth() };
  try {
    const result = await spec.run(input, connection, options);
    const shaped = shapeResponse(spec.toResponse(result), spec.response);
    const { noPendingExecution, serviceRefusal } = result as Partial<PendingOutcome> & {
      serviceRefusal?: ServiceRefusal;
    };
    if (parsed.switches.has('report-changed'))
      Object.assign(shaped, {
        changed: result.changed,
        attempts: result.attempts,
        ...(noPendingExecution === true && { noPendingExecution }),
      });
    if (serviceRefusal) {
      // The service said "nothing pending" with a 404 (one reading of `$next`): a result for the step, but the AWS
      // CLI fails there, and so does its drop-in, with its exit code and error line (and the report when asked).
      process.stderr.write(
        `\nAn error occurred (${serviceRefusal.awsErrorName}) when calling the ${spec.awsOperation} operation: ${serviceRefusal.message}\n`,
      );
      if (parsed.switches.has('report-changed')) process.stdout.write(await formatOutput(shaped, format, context));
      return EXIT.service;
    }
    process.stdout.write(await formatOutput(query ? query(shaped) : shaped, format, context));
    return 0;
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    const { text, exitCode } = failureText(spec, error);
    process.stderr.write(text);
    // Ours: what a script needs to decide whether to run the command again, on stdout (the AWS CLI prints nothing there).
    if (parsed.switches.has('report-changed'))
      process.stdout.write(await formatOutput(failureReport(error), format, context));
    return exitCode;
  }
}

/** The connection settings a refusal can be about: a configuration error in the AWS CLI's terms, not a parameter's. */
const SETTING_FIELDS = new Set(['region', 'endpoint', 'profile', 'maxAttempts', 'caBundle', 'credentials']);

/** A failed step as AWS CLI v2 reports it on stderr, ending in the line it would end in, and its exit code. */
function failureText(spec: Command, error: StepError): { text: string; exitCode: number } {
  const calling = `when calling the ${spec.awsOperation} operation`;
  if (error.code === 'invalid-input') {
    const wording = error.awsWording;
    if (wording?.by === 'service')
      return {
        // Refused before sending, in the words the service would have answered with.
        text: `\n${PROGRAM}: not sent: ${error.message}\nAn error occurred (${wording.name}) ${calling}: ${wording.message}\n`,
        exitCode: EXIT.service,
      };
    if (error.field !== undefined && SETTING_FIELDS.has(error.field.split('.')[0]!)) {
      // v2's own line for a missing region, after ours.
      const v2 = wording ? `\n${wording.message} You can also configure your region by running "aws configure".` : '';
      return { text: `\n${error.message}${v2}\n`, exitCode: EXIT.configuration };
    }
    const botocore = wording?.by === 'client' ? `\n${wording.message}` : '';
    return { text: `\nParameter validation failed:\n${error.message}${botocore}\n`, exitCode: EXIT.usage };
  }
  // The service's own words, as the AWS CLI prints them; our explanation when the service said nothing.
  const message = serviceMessage(error) ?? error.message;
  if (error.awsErrorName !== undefined)
    return { text: `\nAn error occurred (${error.awsErrorName}) ${calling}: ${message}\n`, exitCode: EXIT.service };
  if (error.code === 'auth' && error.awsWording)
    return {
      text: `\n${message}\n${error.awsWording.message}. You can configure credentials by running "aws configure".\n`,
      exitCode: EXIT.configuration,
    };
  return { text: `\n${describeFailure(error)}\n`, exitCode: EXIT.other };
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
    process.stderr.write(`\n${PROGRAM}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.other;
  },
);
