/**
 * Input checks for the IoT emulator, written from the botocore models (iot-jobs-data 2017-09-29, iot 2015-05-28).
 * AWS validates server-side what clients do not (patterns, enums, ranges), so the emulator must too: a client bug
 * that AWS would reject has to be rejected here as well.
 */

/** The error names the IoT modules answer with, and the HTTP status each has in the models. */
export const IotErrorName = {
  InvalidRequest: 'InvalidRequestException',
  ResourceNotFound: 'ResourceNotFoundException',
  ResourceAlreadyExists: 'ResourceAlreadyExistsException',
  InvalidStateTransition: 'InvalidStateTransitionException',
  VersionConflict: 'VersionConflictException',
  TerminalState: 'TerminalStateException',
  UnknownOperation: 'UnknownOperationException',
  CertificateValidation: 'CertificateValidationException',
} as const;
export type IotErrorName = (typeof IotErrorName)[keyof typeof IotErrorName];

const ERROR_STATUS: Readonly<Record<IotErrorName, number>> = {
  InvalidRequestException: 400,
  ResourceNotFoundException: 404,
  ResourceAlreadyExistsException: 409,
  InvalidStateTransitionException: 409,
  VersionConflictException: 409,
  TerminalStateException: 410,
  UnknownOperationException: 404,
  CertificateValidationException: 400,
};

/** A modelled service error; thrown from deep inside an operation and turned into a rest-json error at the top. */
export class IotError extends Error {
  readonly status: number;
  constructor(
    readonly errorName: IotErrorName,
    message: string,
    /** Members the error's body carries beside `message` (a 409's `executionState`, when the settings say so). */
    readonly body?: object,
    /**
     * The execution's state the refusal concerns, whatever the settings: the MQTT plane's InvalidStateTransition and
     * VersionMismatch always carry it (jobs-mqtt-api, "Jobs API error codes").
     */
    readonly executionState?: object,
  ) {
    super(message);
    this.status = ERROR_STATUS[errorName];
  }
}

/** A string member's constraints, as the model states them (`pattern` already anchored: AWS matches whole values). */
export interface StringRule {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

/** `ThingName` (both models). */
export const THING_NAME: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ };
/** `JobId` (both models). */
export const JOB_ID: StringRule = { min: 1, max: 64, pattern: /^[a-zA-Z0-9_-]+$/ };
/** DescribeJobExecution's jobId also accepts the `$next` sentinel (and has no length bounds in the model). */
export const DESCRIBE_JOB_ID: StringRule = { pattern: /^(?:[a-zA-Z0-9_-]+|\$next)$/ };
/** A `statusDetails` key (`DetailsKey`). */
export const DETAILS_KEY: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ };
/**
 * `DetailsValue`: `[^\p{C}]+`, no control, format, unassigned or private-use characters. Its longest value is a
 * setting (`statusDetailsValueLength`): 1,024 in AWS CLI v2's model, 128 in the job-limits table.
 */
const DETAILS_VALUE_PATTERN = /^[^\p{C}]+$/u;
/**
 * `DetailsMap`: at most 10 pairs, the developer guide's job-limits table for an execution's status details ("1 … 10");
 * an empty map, which neither CLI's model bounds and the AWS CLIs send as given, is taken.
 */
export const MAX_DETAILS_PAIRS = 10;
/** CreateJob's `description`. */
export const JOB_DESCRIPTION: StringRule = { max: 2028, pattern: /^[^\p{C}]+$/u };
/** CreateJob's inline `document`. */
export const JOB_DOCUMENT: StringRule = { max: 32768 };
/** One of CreateJob's `targets`. */
export const TARGET_ARN: StringRule = { max: 2048 };
/** A thing attribute's name. */
export const ATTRIBUTE_NAME: StringRule = { max: 128, pattern: /^[a-zA-Z0-9_.,@/:#-]+$/ };
/** A thing attribute's value (may be empty). */
export const ATTRIBUTE_VALUE: StringRule = { max: 800, pattern: /^[a-zA-Z0-9_.,@/:#=[\]-]*$/ };

/** The wording AWS's request validation uses, so messages read like the real ones. */
function constraintError(value: unknown, field: string, constraint: string): IotError {
  const shown = value === null ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
  return new IotError(
    IotErrorName.InvalidRequest,
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Checks a string against its rule; lengths count UTF-16 units, as AWS's Java validators do. */
export function checkString(value: unknown, field: string, rule: StringRule): string {
  if (typeof value !== 'string') throw constraintError(value, field, 'Member must be a string');
  if (rule.min !== undefined && value.length < rule.min)
    throw constraintError(value, field, `Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && value.length > rule.max)
    throw constraintError(value, field, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(value))
    throw constraintError(value, field, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
  return value;
}

/** `undefined` and `null` both mean "not sent": no AWS client sends null, and AWS's deserialiser treats it so. */
function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A required member: AWS's "must not be null" when it is missing. */
export function required(body: JsonObject, field: string): unknown {
  const value = body[field];
  if (absent(value)) throw constraintError(null, field, 'Member must not be null');
  return value;
}

/** An optional string member. */
export function optionalString(body: JsonObject, field: string, rule: StringRule): string | undefined {
  const value = body[field];
  return absent(value) ? undefined : checkString(value, field, rule);
}

/** An optional `long`/`integer` member: a JSON number with no fraction (strings are not coerced). */
export function optionalInteger(body: JsonObject, field: string): number | undefined {
  const value = body[field];
  if (absent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw constraintError(value, field, 'Member must be an integer');
  return value;
}

/** An optional `boolean` member: true or false, not "true". */
export function optionalBoolean(body: JsonObject, field: string): boolean | undefined {
  const value = body[field];
  if (absent(value)) return undefined;
  if (typeof value !== 'boolean') throw constraintError(value, field, 'Member must be a boolean');
  return value;
}

/** An optional enum member. */
export function optionalEnum<T extends string>(body: JsonObject, field: string, values: readonly T[]): T | undefined {
  const value = body[field];
  if (absent(value)) return undefined;
  return checkEnum(value, field, values);
}

/** A value that must be one of `values`. */
export function checkEnum<T extends string>(value: unknown, field: string, values: readonly T[]): T {
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value))
    throw constraintError(value, field, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return value as T;
}

/** A `DetailsMap` (statusDetails): string keys and values, each within its rule. */
export function optionalDetailsMap(
  body: JsonObject,
  field: string,
  maxValueLength: number,
): Record<string, string> | undefined {
  const value = body[field];
  if (absent(value)) return undefined;
  if (!isJsonObject(value)) throw constraintError(value, field, 'Member must be a map of strings');
  const entries = Object.entries(value);
  if (entries.length > MAX_DETAILS_PAIRS)
    throw constraintError(value, field, `Member must have length less than or equal to ${MAX_DETAILS_PAIRS}`);
  const rule: StringRule = { min: 1, max: maxValueLength, pattern: DETAILS_VALUE_PATTERN };
  const details: Record<string, string> = {};
  for (const [key, entry] of entries) {
    checkString(key, `${field}.key`, DETAILS_KEY);
    details[key] = checkString(entry, `${field}.${key}`, rule);
  }
  return details;
}

/** A parsed JSON object body. */
export type JsonObject = Record<string, unknown>;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional nested structure member. */
export function optionalObject(body: JsonObject, field: string): JsonObject | undefined {
  const value = body[field];
  if (absent(value)) return undefined;
  if (!isJsonObject(value)) throw constraintError(value, field, 'Member must be a structure');
  return value;
}

/** A request body: empty means `{}`; anything else must be a JSON object. */
export function parseJsonBody(body: Buffer): JsonObject {
  const text = body.toString('utf8').trim();
  if (text.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new IotError(IotErrorName.InvalidRequest, 'Could not parse request body into json: malformed JSON');
  }
  if (!isJsonObject(parsed))
    throw new IotError(IotErrorName.InvalidRequest, 'Could not parse request body into json: expected an object');
  return parsed;
}

/** A boolean querystring parameter: absent, `true` or `false`. */
export function queryBoolean(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value !== 'true' && value !== 'false') throw constraintError(value, name, 'Member must be a boolean');
  return value === 'true';
}

/** An integer querystring parameter. */
export function queryInteger(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const parsed = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed)) throw constraintError(value, name, 'Member must be an integer');
  return parsed;
}

/** Checks an integer against an inclusive range. */
export function checkRange(value: number, field: string, min: number, max: number): number {
  if (value < min) throw constraintError(value, field, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraintError(value, field, `Member must have value less than or equal to ${max}`);
  return value;
}
