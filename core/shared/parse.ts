/**
 * Strict parsers for the values wrappers hand over: GitHub inputs and shell arguments are strings, Node-RED
 * payloads may be anything. Each parser takes the user's field name for its message, and turns a raw value into
 * a typed one or throws an `invalid-input` StepError that says what is wrong and how to fix it. An empty string,
 * `null` and `undefined` all mean "not given", because that is how an unset GitHub input arrives.
 */
import { invalidInput, serviceValidation } from './errors';

/** Whether a raw value counts as given. */
export function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A short, safe rendering of a user's value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') {
    try {
      const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
      const name = proto && proto !== Object.prototype ? proto.constructor?.name : undefined;
      return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
    } catch {
      return 'an object';
    }
  }
  return `${typeof value} ${String(value)}`;
}

/** Rules from a service model's string shape. `patternText` is how the message shows the allowed characters. */
export interface StringRule {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  readonly patternText?: string;
  /**
   * The service model's own rule, refused in AWS's standard words: botocore checks the minimum length before
   * sending, the service the rest ("1 validation error detected…", as the JSON services answer). Not for a rule of
   * ours, or of a service that words its refusals its own way (Import/Export).
   */
  readonly awsWords?: boolean;
}

/** The length in code points, counted only when it can matter: a huge value is refused by its UTF-16 length. */
function codePoints(value: string, max: number | undefined): number {
  // A code point is one or two UTF-16 units, so more than 2 × max units is too long whatever they hold.
  if (max !== undefined && value.length > 2 * max) return Infinity;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Checks a string against its model rule; the string itself is trusted to be a string. */
export function checkString(field: string, value: string, rule: StringRule): string {
  const length = codePoints(value, rule.max);
  if (rule.min !== undefined && length < rule.min) {
    // botocore checks minimum lengths itself, before sending.
    throw invalidInput(
      field,
      rule.min === 1 ? 'is empty' : `is shorter than ${rule.min} characters`,
      'give a value',
      rule.awsWords
        ? {
            by: 'client',
            message: `Invalid length for parameter ${field}, value: ${length}, valid min length: ${rule.min}`,
          }
        : undefined,
    );
  }
  if (rule.max !== undefined && length > rule.max) {
    const shown = length === Infinity ? `more than ${2 * rule.max}` : String(length);
    throw invalidInput(
      field,
      `is ${shown} characters long`,
      `the limit is ${rule.max}`,
      rule.awsWords
        ? serviceValidation(field, value, `Member must have length less than or equal to ${rule.max}`)
        : undefined,
    );
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw invalidInput(
      field,
      `${describeValue(value)} has characters that are not allowed`,
      `use ${rule.patternText}`,
      rule.awsWords
        ? serviceValidation(field, value, `Member must satisfy regular expression pattern: ${rule.pattern.source}`)
        : undefined,
    );
  }
  return value;
}

/** A required string. Numbers are not accepted silently: an id typed as 42 in YAML should be quoted. */
export function parseString(field: string, value: unknown, rule: StringRule = {}): string {
  if (!isGiven(value)) {
    // An empty string is a value to botocore, and too short for a model minimum.
    const tooShort = value === '' && rule.awsWords && rule.min !== undefined;
    throw invalidInput(
      field,
      'is required',
      'give a value',
      tooShort
        ? { by: 'client', message: `Invalid length for parameter ${field}, value: 0, valid min length: ${rule.min}` }
        : undefined,
    );
  }
  if (typeof value !== 'string') {
    throw invalidInput(field, `must be text, not ${describeValue(value)}`, 'quote it');
  }
  return checkString(field, value, rule);
}

/** An integer from a number or a string of digits (`"5"`; `"5x"`, `"5.0"` and `""` are errors). */
/** An integer's bounds; `also` is one value outside them that is allowed (-1 to cancel a timer). */
export interface IntegerRange {
  readonly min: number;
  readonly max?: number;
  readonly also?: number;
}

export function parseInteger(field: string, value: unknown, range: IntegerRange): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) n = Number(value);
  else throw invalidInput(field, `must be a whole number, not ${describeValue(value)}`, `write it as digits, e.g. 5`);
  if (!Number.isSafeInteger(n)) {
    throw invalidInput(field, `must be a whole number, not ${describeValue(value)}`, 'write it as digits, e.g. 5');
  }
  const inRange = n >= range.min && (range.max === undefined || n <= range.max);
  if (!inRange && n !== range.also) {
    const allowed = range.max === undefined ? `${range.min} or more` : `from ${range.min} to ${range.max}`;
    throw invalidInput(field, `is ${n}`, `it must be ${allowed}${range.also === undefined ? '' : ` or ${range.also}`}`);
  }
  return n;
}

/** A boolean from `true`/`false` or the strings "true"/"false" in any case; nothing else. */
export function parseBoolean(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw invalidInput(field, `must be true or false, not ${describeValue(value)}`, 'write true or false');
}

/** Edit distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The candidate a mistyped word most likely meant, or undefined: a small edit distance, or a shared start of four
 * letters (so the `SUCCESS` that AWS's own docs print finds `SUCCEEDED`).
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toUpperCase().replace(/[\s-]/g, '_');
  let best: { candidate: string; d: number } | undefined;
  for (const candidate of candidates) {
    const c = candidate.toUpperCase();
    const d = distance(w, c);
    const close = d <= Math.max(1, Math.floor(c.length / 3)) || (w.length >= 4 && c.startsWith(w.slice(0, 4)));
    if (close && (!best || d < best.d)) best = { candidate, d };
  }
  return best?.candidate;
}

/** One of `allowed`, matched case-insensitively; a near miss is answered with a suggestion. */
/**
 * One of `allowed`, in any case. `modelValues` is the service model's enum (of a service that answers AWS's standard
 * validation words): a value outside it is refused in the service's words too.
 */
export function parseEnum<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
  hint = '',
  modelValues?: readonly string[],
): T {
  if (!isGiven(value)) throw invalidInput(field, 'is required', `use one of ${allowed.join(', ')}${hint}`);
  const wording =
    typeof value === 'string' && modelValues && !modelValues.includes(value)
      ? serviceValidation(field, value, `Member must satisfy enum value set: [${modelValues.join(', ')}]`)
      : undefined;
  if (typeof value === 'string') {
    const wanted = value.trim().toLowerCase();
    const found = allowed.find((a) => a.toLowerCase() === wanted);
    if (found) return found;
    // No "did you mean" for a value far longer than any allowed one: it is not a typo, and the distance would cost.
    const near = value.length <= 64 ? suggest(value, allowed) : undefined;
    if (near) throw invalidInput(field, `is ${describeValue(value)}`, `did you mean ${near}?`, wording);
  }
  throw invalidInput(field, `is ${describeValue(value)}`, `use one of ${allowed.join(', ')}${hint}`, wording);
}

/** Rejects keys the input shape does not have, suggesting the one that was probably meant. */
export function checkKnownKeys(input: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(input)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? suggest(key, known);
    throw invalidInput(
      key,
      `is not a field of ${where}`,
      near ? `did you mean ${near}?` : `the fields are ${known.join(', ')}`,
    );
  }
}

/** Pair separators in the shorthand: commas as the AWS CLI writes them, or line breaks (one pair per line). */
const SEPARATOR = /[,\r\n]/;

function nextSeparator(text: string, from: number): number {
  const found = text.slice(from).search(SEPARATOR);
  return found < 0 ? text.length : from + found;
}

/**
 * Splits the AWS CLI shorthand for a string map, `key=value,key2=value2`, or one `key=value` per line. A value
 * may be quoted with " or ' to hold commas or = signs (`note="a, b"`); white space around keys and unquoted values
 * is dropped.
 */
export function parseShorthandMap(field: string, text: string): Record<string, string> {
  // Entries, then Object.fromEntries: a key such as "__proto__" stays an ordinary key.
  const out = new Map<string, string>();
  const fail = (problem: string): never => {
    throw invalidInput(field, problem, 'write key=value pairs separated by commas or lines, or a JSON object');
  };
  const body = text.trim();
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    const end = nextSeparator(body, i);
    if (eq < 0 || end < eq) fail(`has ${describeValue(body.slice(i, end).trim())} without "="`);
    const key = body.slice(i, eq).trim();
    let j = eq + 1;
    while (body[j] === ' ') j++;
    let value: string;
    const quote = body[j];
    if (quote === '"' || quote === "'") {
      const close = body.indexOf(quote, j + 1);
      if (close < 0) fail(`has an unclosed ${quote} in the value of ${describeValue(key)}`);
      value = body.slice(j + 1, close);
      j = close + 1;
      while (body[j] === ' ') j++;
      if (j < body.length && !SEPARATOR.test(body[j]!))
        fail(`has text after the quoted value of ${describeValue(key)}`);
    } else {
      j = nextSeparator(body, j);
      value = body.slice(eq + 1, j).trim();
    }
    if (key === '') fail('has a value without a key');
    if (out.has(key)) fail(`names ${describeValue(key)} twice`);
    out.set(key, value);
    // A CRLF line break is one separator; a separator followed by nothing is a dangling comma.
    i = body[j] === '\r' && body[j + 1] === '\n' ? j + 2 : j + 1;
    if (j < body.length && body.slice(i).trim() === '') fail('ends with a comma');
  }
  return Object.fromEntries(out);
}

/**
 * A map of strings from an object, a JSON object string, or the CLI shorthand. Values must be strings: a number
 * is refused rather than guessed at, because the service refuses it too.
 */
export function parseStringMap(field: string, value: unknown): Record<string, string> {
  let raw: unknown = value;
  if (typeof value === 'string') {
    if (value.length > MAX_MAP_TEXT)
      throw invalidInput(field, `is more than ${MAX_MAP_TEXT} characters long`, 'give a few short key=value pairs');
    const text = value.trim();
    if (text.startsWith('{')) {
      try {
        raw = JSON.parse(text);
      } catch {
        throw invalidInput(field, 'is not valid JSON', 'write a JSON object like {"step":"download"} or step=download');
      }
    } else {
      return checkMapKeys(field, parseShorthandMap(field, text));
    }
  }
  if (!isPlainObject(raw)) {
    throw invalidInput(field, `must be an object of strings, not ${describeValue(raw)}`, 'write {"key":"value"}');
  }
  const entries = Object.entries(raw);
  for (const [key, v] of entries) {
    if (typeof v !== 'string') {
      throw invalidInput(
        `${field}.${key}`,
        `must be text, not ${describeValue(v)}`,
        `write it in quotes, "${String(v)}"`,
      );
    }
  }
  return checkMapKeys(field, Object.fromEntries(entries) as Record<string, string>);
}

/** Longest text a map may be given as: a few short pairs, not a file's worth. */
const MAX_MAP_TEXT = 64 * 1024;

/**
 * Only a plain object (or one without a prototype) is a map: a `Map`, `Set`, `Date`, array or class instance has no
 * own enumerable entries to send, and would arrive at AWS as `{}`.
 */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Keys JSON serializers drop or treat as the prototype: sent, they would vanish and break the re-run's comparison. */
const UNSENDABLE_KEYS: ReadonlySet<string> = new Set(['__proto__']);

function checkMapKeys(field: string, map: Record<string, string>): Record<string, string> {
  for (const key of Object.keys(map)) {
    if (UNSENDABLE_KEYS.has(key))
      throw invalidInput(`${field} key "${key}"`, 'cannot be sent: the AWS SDK drops it', 'use another key');
  }
  return map;
}
