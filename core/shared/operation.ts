/**
 * What an operation is: one module in `core/` holds its parameter table, its parser, its step and the shape of its
 * result, and exports them as one `OperationDefinition`. The wrappers are generic over it: the command line takes
 * its flags, help, skeletons and output shape from it, the action its inputs and outputs, the Node-RED node its
 * fields, labels and status; `action.yml` and the Node-RED editor and help files are generated from it.
 */
import type { Connection, ConnectionSettings, ServiceId } from './connection';
import type { StepOperation } from './errors';
import type { FilePolicy } from './input-files';
import { invalidInput } from './errors';
import {
  checkKnownKeys,
  isGiven,
  parseBoolean,
  parseInteger,
  parseString,
  parseStringMap,
  type IntegerRange,
  type StringRule,
} from './parse';
import { DEFAULT_READINGS, type Readings } from './readings';
import type { StepOptions } from './step-run';

/** How a parameter takes its value. */
export type ParameterKind = 'string' | 'integer' | 'boolean' | 'map';

/** One request parameter, as every wrapper names and explains it. */
export interface Parameter {
  /** The kebab-case name the AWS CLI, the action's inputs and the command line share, e.g. `job-id`. */
  readonly flag: string;
  /** The AWS request member, e.g. `jobId` or `JobId`; the Node-RED field and `msg.payload` key. */
  readonly member: string;
  readonly kind: ParameterKind;
  readonly required: boolean;
  /** One or two sentences for help texts. */
  readonly help: string;
  /** A short form label (Node-RED, the action's summary), e.g. `Job id`. */
  readonly label: string;
  /** Never shown: not in summaries or logs (a manifest holds an access key id and an address). */
  readonly secret?: true;
  /** May be `file://path`, read under the wrapper's file policy (`StepOptions.files`). */
  readonly file?: true;
  /** What `--generate-cli-skeleton` shows for it, when not the kind's placeholder (the AWS CLI's first enum value). */
  readonly skeleton?: string;
  /** The model's limits on a string. */
  readonly rule?: StringRule;
  /** The model's limits on an integer. */
  readonly range?: IntegerRange;
  /**
   * A parser of its own, for a value with more to it than a kind and limits (an enum that explains a refusal, a
   * map whose keys have rules); called for a missing required value too, to say what to give. `readings` are the
   * connection's, for a limit AWS's documents disagree on (the longest `statusDetails` value).
   */
  readonly parse?: (value: unknown, readings: Readings) => unknown;
}

/** A response member in the service model's order (the order the AWS CLI prints). */
export interface ShapeMember {
  readonly name: string;
  /** Members of a structure. */
  readonly members?: readonly ShapeMember[];
  /** The members of each structure in a list. */
  readonly item?: readonly ShapeMember[];
  /** A map of strings. */
  readonly map?: true;
  /** The scalar's type, for skeletons; text when omitted. */
  readonly kind?: 'integer' | 'boolean';
}

/** What every step resolves with, beside its own members. */
export interface StepResult {
  /** True when this step's requests changed the remote state; false when it already was as asked (or for a read). */
  readonly changed: boolean;
  /** Requests sent: retries and reads included. */
  readonly attempts: number;
  /** The request id of the last answer, for AWS support. */
  readonly requestId?: string | undefined;
}

/** A named scalar of a result, for wrappers that expose results as fields (the action's outputs). */
export interface ResultField<R> {
  /** Kebab-case, e.g. `version-number`. */
  readonly name: string;
  readonly help: string;
  /** The value as text; '' when the result has none. Objects and lists are JSON. */
  readonly value: (result: R) => string;
}

/** One operation, all wrappers' view of it. */
export interface OperationDefinition<R extends StepResult = StepResult> {
  /** The AWS CLI's command name, e.g. `describe-job-execution`; the action's `operation`; node type `aws-<name>`. */
  readonly name: string;
  /** The service it calls, as the AWS CLI names it (`aws <service> <name>`). */
  readonly service: ServiceId;
  /** The AWS API operation, e.g. `DescribeJobExecution`. */
  readonly awsOperation: StepOperation;
  /** What it does and how it is safe to re-run; one paragraph. Text in backticks is code. */
  readonly summary: string;
  /** More paragraphs on how it behaves, for help pages. Text in backticks is code. */
  readonly notes: readonly string[];
  /** The AWS API reference page. */
  readonly reference: string;
  readonly parameters: readonly Parameter[];
  /** The members naming what the step acts on (a thing and a job): work on one target runs in order. */
  readonly subject: readonly string[];
  /** The AWS response shape, for output formats that print the service's answer. */
  readonly response: readonly ShapeMember[];
  /** A read: it changes nothing, so `skipUnchanged` has nothing to skip and is refused (wrappers do not offer it). */
  readonly readOnly?: true;
  /** The result's own members, beside `changed`, `attempts` and `requestId` (for help texts). */
  readonly resultMembers: readonly string[];
  /**
   * Values a wrapper that shows the result (the action's outputs, a node's status) uses when the caller gives
   * none, so the result has what it shows. A drop-in for the AWS CLI does not use them.
   */
  readonly resultDefaults?: Readonly<Record<string, unknown>>;
  /** The result's fields, by name. */
  readonly fields: readonly ResultField<R>[];
  /** The result in a few words, e.g. `SUCCEEDED v4` or `unchanged`, for a node's status. */
  readonly statusText: (result: R) => string;
  /** The result as the service's own response (member names and shape of `response`). */
  readonly toResponse: (result: R) => Record<string, unknown>;
  /**
   * Reads the values the input refers to (`file://…`) under `files`, before anything is printed, and names the
   * values in them that must never be printed (secrets to mask). Operations without such values leave it out.
   */
  readonly prepare?: (
    input: Record<string, unknown>,
    files: FilePolicy,
  ) => Promise<{ input: Record<string, unknown>; secrets: readonly string[] }>;
  /**
   * Offered by writes a device reports from a gateway: a host may keep the reports in a durable outbox until they
   * are delivered (`core/outbox/outbox.ts`). Absent for reads, and for update-job, whose manifest is never written to disk.
   */
  readonly outbox?: OutboxOffer;
  /** The step: parses `input`, sends, returns the result or throws a StepError. */
  readonly run: (
    input: Record<string, unknown>,
    connection?: Connection | ConnectionSettings,
    options?: StepOptions,
  ) => Promise<R>;
}

/** How an operation's reports behave in an outbox. */
export interface OutboxOffer {
  /** Whether a host keeps reports until delivered when its user has not said. */
  readonly byDefault: boolean;
  /**
   * Whether the waiting request `older` may be replaced by `newer`, for the same target, right behind it: true only
   * when sending `newer` alone ends where sending both would.
   */
  readonly supersedes?: (older: Readonly<Record<string, unknown>>, newer: Readonly<Record<string, unknown>>) => boolean;
}

/**
 * A target's key from an input's subject members (`gw-7/fw-42`): work on one key runs in order. Only strings and
 * numbers name a target; any other value is invalid input the step reports, so it orders nowhere.
 */
export function subjectKey(
  operation: Pick<OperationDefinition, 'subject'>,
  input: Readonly<Record<string, unknown>>,
): string {
  return operation.subject
    .map((member) => {
      const value = input[member];
      return typeof value === 'string' || typeof value === 'number' ? String(value) : '\u0000invalid';
    })
    .join('/');
}

/** One parameter's value, by its own parser or by its kind and limits. */
function parseValue(p: Parameter, value: unknown, readings: Readings): unknown {
  if (p.parse) return p.parse(value, readings);
  switch (p.kind) {
    case 'string':
      return parseString(p.member, value, p.rule);
    case 'integer':
      return parseInteger(p.member, value, p.range ?? { min: Number.MIN_SAFE_INTEGER });
    case 'boolean':
      return parseBoolean(p.member, value);
    case 'map':
      return parseStringMap(p.member, value);
  }
}

/**
 * Parses a request by its parameter table, before anything is sent: unknown keys refused with a suggestion,
 * required ones demanded, each value by its kind and the model's limits; absent members left out, so the request
 * and any JSON of it hold only what was given. A step passes its connection's `readings` (limits AWS's documents
 * disagree on follow them); without, the defaults.
 *
 * @throws StepError `invalid-input` naming the field, the problem and the fix.
 */
export function parseParameters(
  raw: unknown,
  parameters: readonly Parameter[],
  awsOperation: string,
  readings: Readings = DEFAULT_READINGS,
): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const required = parameters.filter((p) => p.required).map((p) => p.member);
    throw invalidInput('input', `must be an object with ${required.join(', ')}`, 'pass the AWS request shape');
  }
  checkKnownKeys(
    raw,
    parameters.map((p) => p.member),
    awsOperation,
  );
  const given = raw as Readonly<Record<string, unknown>>;
  const request: Record<string, unknown> = {};
  for (const p of parameters) {
    const value = given[p.member];
    if (isGiven(value)) request[p.member] = parseValue(p, value, readings);
    else if (p.required) {
      // The parser's own refusal when it has one (an empty string is too short for a model minimum, in AWS's words).
      if (p.parse || p.kind === 'string') parseValue(p, value, readings);
      throw invalidInput(p.member, 'is required', 'give a value');
    }
  }
  return request;
}

/**
 * For a read: `skipUnchanged` would have nothing to skip, so it is refused with a message rather than ignored.
 *
 * @throws StepError `invalid-input` naming `skipUnchanged`.
 */
export function refuseSkipUnchanged(options: Pick<StepOptions, 'skipUnchanged'>, awsOperation: string): void {
  if (options.skipUnchanged === true)
    throw invalidInput(
      'skipUnchanged',
      `does not apply to ${awsOperation}, which only reads`,
      'leave it out: it is for steps that change something',
    );
}

/** Whether `value` is given (not undefined, null or ''), for result fields. */
const shown = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** A result field's text: strings as they are, numbers and booleans as text, objects as JSON, '' for nothing. */
export function fieldText(value: unknown): string {
  if (!shown(value)) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
}

/** A string parameter's declaration, the most common kind. */
export function stringParameter(
  flag: string,
  member: string,
  label: string,
  help: string,
  required = false,
): Parameter {
  return { flag, member, kind: 'string', required, help, label };
}
