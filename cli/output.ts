/**
 * The output formats of AWS CLI v2 (`--output json | text | table | yaml | yaml-stream`), byte for byte, for a response
 * and for whatever JSON value a `--query` makes of it. What each one is, in v2 (awscli/formatter.py):
 * - json: Python's `json.dump(value, indent=4, ensure_ascii=False)`;
 * - text: awscli/text.py, scalars of a dict on one tab-separated line in sorted key order, nested values on lines
 *   named by their key in upper case, Python's `str()` of each scalar (`None`, `True`, `1.5`);
 * - table: awscli/table.py (see ./table.ts);
 * - yaml: ruamel.yaml's safe dumper in block style (see `yamlDocument`), a scalar at the top as compact JSON;
 * - yaml-stream: the same dumper given `[value]`.
 * An empty response (`{}`) prints nothing in any format.
 */
import type { ShapeMember } from '../core/shared/operation';
import { byCodePoint, formatTable, isObject, isScalar, pythonNumber, pythonStr, pythonType } from './table';
import type { Json, JsonObject } from './table';

export type OutputFormat = 'json' | 'text' | 'table' | 'yaml' | 'yaml-stream';

/** In the order v2 lists them in its `--output` error message. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'text', 'table', 'yaml', 'yaml-stream'];

type Value = string | number | boolean | Value[] | { [key: string]: Value };

/** The response in model member order, absent members dropped, as botocore's parser builds it. */
export function shapeResponse(value: Record<string, unknown>, members: readonly ShapeMember[]): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const member of members) {
    const v = value[member.name];
    if (v === undefined || v === null) continue;
    if (member.members) out[member.name] = shapeResponse(v as Record<string, unknown>, member.members);
    else if (member.item)
      out[member.name] = (v as Record<string, unknown>[]).map((i) => shapeResponse(i, member.item!));
    else out[member.name] = v as Value;
  }
  return out;
}

/**
 * `value` as the JSON value Python would hold after `json.loads(JSON.stringify(value))` (`toJSON` honoured,
 * `undefined` members dropped), except that NaN and ±Infinity stay floats (`json.loads` reads a number too large for a
 * double as inf) and an object or an array met twice stays one (a query such as `[execution, execution]` hands v2 the
 * same dict twice, which YAML writes once with an anchor).
 */
function toJson(value: unknown, seen = new Map<object, Json>()): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'object') {
    const known = seen.get(value);
    if (known !== undefined) return known;
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return toJson(withJson.toJSON(), seen);
    if (Array.isArray(value)) {
      const list: Json[] = [];
      seen.set(value, list);
      for (const item of value) list.push(toJson(item, seen));
      return list;
    }
    const dict = Object.create(null) as JsonObject;
    seen.set(value, dict);
    for (const [key, item] of Object.entries(value))
      if (item !== undefined && typeof item !== 'function' && typeof item !== 'symbol') dict[key] = toJson(item, seen);
    return dict;
  }
  throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

const isEmptyDict = (v: Json): boolean => isObject(v) && Object.keys(v).length === 0;

// ---- json -------------------------------------------------------------------------------------------------------

/** Python's `json.dumps` of a scalar (`ensure_ascii=False`: only `"`, `\` and controls below U+0020 are escaped). */
function jsonScalar(v: null | boolean | number | string): string {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return pythonNumber(v);
  }
  return JSON.stringify(v);
}

function jsonIndented(v: Json, depth: number): string {
  if (isScalar(v)) return jsonScalar(v);
  const inner = ' '.repeat(4 * (depth + 1));
  const outer = ' '.repeat(4 * depth);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + jsonIndented(x, depth + 1)).join(',\n')}\n${outer}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${jsonIndented(x, depth + 1)}`).join(',\n')}\n${outer}}`;
}

// ---- text -------------------------------------------------------------------------------------------------------

/** awscli's text formatter; where it stops with a Python exception (a list mixing dicts and other items), so does this. */
function textOf(item: Json, out: string[], identifier?: string, scalarKeys?: string[]): void {
  if (Array.isArray(item)) return textOfList(item, out, identifier);
  if (isObject(item)) return textOfDict(item, out, identifier, scalarKeys);
  out.push(`${pythonStr(item)}\n`);
}

function textOfScalars(items: Json[], out: string[], identifier?: string): void {
  if (identifier !== undefined) for (const i of items) out.push(`${identifier.toUpperCase()}\t${pythonStr(i)}\n`);
  else out.push(`${items.map(pythonStr).join('\t')}\n`);
}

function textOfList(items: Json[], out: string[], identifier?: string): void {
  if (items.length === 0) return;
  if (items.some(isObject)) {
    const keys = new Set<string>();
    for (const i of items) {
      if (!isObject(i)) throw new TypeError(`'${pythonType(i)}' object has no attribute 'items'`);
      for (const [k, v] of Object.entries(i)) if (isScalar(v)) keys.add(k);
    }
    const sorted = [...keys].sort(byCodePoint);
    for (const i of items) textOf(i, out, identifier, sorted);
  } else if (items.some(Array.isArray)) {
    const scalars = items.filter(isScalar);
    if (scalars.length > 0) textOfScalars(scalars, out, identifier);
    for (const i of items) if (!isScalar(i)) textOf(i, out, identifier);
  } else textOfScalars(items, out, identifier);
}

function textOfDict(item: JsonObject, out: string[], identifier?: string, scalarKeys?: string[]): void {
  const scalars: string[] = [];
  const nested: [string, Json][] = [];
  if (scalarKeys === undefined) {
    for (const key of Object.keys(item).sort(byCodePoint)) {
      const v = item[key]!;
      if (isScalar(v)) scalars.push(pythonStr(v));
      else nested.push([key, v]);
    }
  } else {
    for (const key of scalarKeys) scalars.push(Object.hasOwn(item, key) ? pythonStr(item[key]!) : '');
    for (const key of Object.keys(item)
      .filter((k) => !scalarKeys.includes(k))
      .sort(byCodePoint))
      nested.push([key, item[key]!]);
  }
  if (scalars.length > 0)
    out.push(`${[...(identifier === undefined ? [] : [identifier.toUpperCase()]), ...scalars].join('\t')}\n`);
  for (const [key, v] of nested) textOf(v, out, key);
}

// ---- yaml -------------------------------------------------------------------------------------------------------
//
// v2 dumps with ruamel.yaml 0.17 `YAML(typ='safe')`, block style, which (with ruamel.yaml.clib, as v2 ships it) is
// ruamel's SafeRepresenter and YAML 1.2 resolver in front of the libyaml emitter: keys sorted by code point, plain
// scalars wherever libyaml allows them and the resolver would read them back as strings, else single quotes, else
// double quotes with escapes; characters beyond U+FFFF, tabs and other non-printables only in double quotes
// (`"\U0001F600"`, `"a\tb"`), lines folded at spaces past column 80, lists in a map not indented, an object met twice
// written once with an anchor (`&id001`, then `*id001`). The `yaml` package cannot be told to do all of that (it
// neither sorts as Python does nor escapes or folds as libyaml), so this is a small emitter of its own that walks
// libyaml's rules for the few events a JSON value makes.

const BEST_WIDTH = 80;

/** The resolvers of ruamel.yaml's YAML 1.2 `Resolver`, each tried for strings starting with one of its characters. */
const RESOLVERS: readonly (readonly [string, RegExp])[] = [
  ['tTfF', /^(?:true|True|TRUE|false|False|FALSE)\n?$/],
  [
    '-+0123456789.',
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\n?$/,
  ],
  ['-+0123456789', /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)\n?$/],
  ['<', /^(?:<<)\n?$/],
  ['~nN', /^(?:~|null|Null|NULL|)\n?$/],
  [
    '0123456789',
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\n?$/,
  ],
  ['=', /^(?:=)\n?$/],
  ['!&*', /^(?:!|&|\*)\n?$/],
];

/** Whether a string written plain would be read back as a string (else it is quoted). */
function readsAsString(s: string): boolean {
  if (s === '') return false; // the null resolver's empty alternative
  return !RESOLVERS.some(([first, re]) => first.includes(s[0]!) && re.test(s));
}

const isBreak = (c: string | undefined): boolean =>
  c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
/** libyaml's blank-or-break-or-end: past the end of the string it sees the terminating NUL. */
const isBlankZ = (c: string | undefined): boolean =>
  c === undefined || c === ' ' || c === '\t' || c === '\0' || isBreak(c);
/** libyaml's printable set: LF, ASCII 0x20–0x7E, U+00A0–U+D7FF, U+E000–U+FFFD but the BOM; nothing beyond U+FFFF. */
function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

interface ScalarAnalysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
}

/** What libyaml's analysis of a scalar allows in block context (the only context a JSON value reaches). */
function analyse(chars: readonly string[]): ScalarAnalysis {
  if (chars.length === 0) return { multiline: false, blockPlain: true, singleQuoted: true };
  let indicators = false;
  const start = chars.slice(0, 3).join('');
  if (start === '---' || start === '...') indicators = true;
  let lineBreaks = false;
  let special = false;
  let leadingOrTrailing = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const last = chars.length - 1;
  chars.forEach((c, i) => {
    const followedByBlank = isBlankZ(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) indicators = true;
      if ((c === '?' || c === ':' || c === '-') && followedByBlank) indicators = true;
    } else {
      if (c === ':' && followedByBlank) indicators = true;
      if (c === '#' && isBlankZ(chars[i - 1])) indicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (c === ' ') {
      if (i === 0 || i === last) leadingOrTrailing = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0 || i === last) leadingOrTrailing = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
  });
  return {
    multiline: lineBreaks,
    blockPlain: !(leadingOrTrailing || breakSpace || spaceBreak || special || lineBreaks || indicators),
    singleQuoted: !(breakSpace || spaceBreak || special),
  };
}

const ESCAPES: Readonly<Record<number, string>> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0x2028: 'L',
  0x2029: 'P',
};

function escape(c: string): string {
  const cp = c.codePointAt(0)!;
  const short = ESCAPES[cp];
  if (short !== undefined) return `\\${short}`;
  const hex = cp.toString(16).toUpperCase();
  return cp <= 0xff
    ? `\\x${hex.padStart(2, '0')}`
    : cp <= 0xffff
      ? `\\u${hex.padStart(4, '0')}`
      : `\\U${hex.padStart(8, '0')}`;
}

interface Context {
  mapping: boolean;
  simpleKey: boolean;
}

type YamlScalar = { text: string; plainImplicit: boolean };

/** The scalar ruamel's SafeRepresenter makes of a JSON scalar; only a string can need quotes. */
function representScalar(v: null | boolean | number | string): YamlScalar {
  if (typeof v === 'string') return { text: v, plainImplicit: readsAsString(v) };
  if (v === null) return { text: 'null', plainImplicit: true };
  if (typeof v === 'boolean') return { text: v ? 'true' : 'false', plainImplicit: true };
  if (Number.isNaN(v)) return { text: '.nan', plainImplicit: true };
  if (!Number.isFinite(v)) return { text: v > 0 ? '.inf' : '-.inf', plainImplicit: true };
  return { text: pythonNumber(v), plainImplicit: true };
}

class YamlEmitter {
  private out = '';
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  private readonly anchors = new Map<object, string | null>();
  private readonly written = new Set<object>();
  private lastAnchor = 0;

  constructor(root: Json) {
    this.findShared(root);
    this.node(root, { mapping: false, simpleKey: false });
    this.writeIndent();
  }

  get text(): string {
    return this.out;
  }

  /** Objects reached twice get an anchor, numbered in the order their second visit comes (keys sorted). */
  private findShared(v: Json): void {
    if (isScalar(v)) return;
    if (this.anchors.has(v)) {
      if (this.anchors.get(v) === null) this.anchors.set(v, `id${String(++this.lastAnchor).padStart(3, '0')}`);
      return;
    }
    this.anchors.set(v, null);
    if (Array.isArray(v)) v.forEach((i) => this.findShared(i));
    else for (const key of Object.keys(v).sort(byCodePoint)) this.findShared(v[key]!);
  }

  private put(s: string): void {
    this.out += s;
    for (const _ of s) this.column++;
  }

  private lineBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  private writeBreak(c: string): void {
    if (c === '\n') this.lineBreak();
    else {
      this.out += c;
      this.column = 0;
    }
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.lineBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private indicator(text: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(text);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? 2 : 0;
    else if (!indentless) this.indent += 2;
  }

  private anchorOrAlias(v: object, alias: boolean): void {
    const name = this.anchors.get(v);
    if (!name) return;
    this.indicator(alias ? '*' : '&', true, false, false);
    this.out += name;
    this.column += name.length;
    this.whitespace = false;
    this.indention = false;
  }

  private node(v: Json, context: Context): void {
    if (isScalar(v)) return this.scalar(representScalar(v), context);
    if (this.written.has(v)) return this.anchorOrAlias(v, true);
    this.written.add(v);
    this.anchorOrAlias(v, false);
    const entries = Array.isArray(v) ? undefined : Object.keys(v).sort(byCodePoint);
    if ((entries ?? (v as Json[])).length === 0) {
      this.indicator(entries ? '{' : '[', true, true, false);
      this.indicator(entries ? '}' : ']', false, false, false);
      return;
    }
    if (!entries) {
      this.increaseIndent(false, context.mapping && !this.indention);
      for (const item of v as Json[]) {
        this.writeIndent();
        this.indicator('-', true, false, true);
        this.node(item, { mapping: false, simpleKey: false });
      }
    } else {
      this.increaseIndent(false, false);
      for (const key of entries) {
        this.writeIndent();
        const chars = [...key];
        const simple = !analyse(chars).multiline && Buffer.byteLength(key, 'utf8') <= 128;
        if (simple) {
          this.scalar({ text: key, plainImplicit: readsAsString(key) }, { mapping: true, simpleKey: true });
          this.indicator(':', false, false, false);
        } else {
          this.indicator('?', true, false, true);
          this.scalar({ text: key, plainImplicit: readsAsString(key) }, { mapping: true, simpleKey: false });
          this.writeIndent();
          this.indicator(':', true, false, true);
        }
        this.node((v as JsonObject)[key]!, { mapping: true, simpleKey: false });
      }
    }
    this.indent = this.indents.pop()!;
  }

  private scalar({ text, plainImplicit }: YamlScalar, context: Context): void {
    const chars = [...text];
    const analysis = analyse(chars);
    let style: 'plain' | 'single' | 'double' = 'plain';
    if (context.simpleKey && analysis.multiline) style = 'double';
    if (style === 'plain' && (!analysis.blockPlain || (chars.length === 0 && context.simpleKey) || !plainImplicit))
      style = 'single';
    if (style === 'single' && !analysis.singleQuoted) style = 'double';
    this.increaseIndent(true, false);
    const breaks = !context.simpleKey;
    if (style === 'plain') this.plain(chars, breaks);
    else if (style === 'single') this.singleQuoted(chars, breaks);
    else this.doubleQuoted(chars, breaks);
    this.indent = this.indents.pop()!;
  }

  private plain(chars: readonly string[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    chars.forEach((c, i) => {
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== ' ') this.writeIndent();
        else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        this.indention = false;
        spaces = false;
      }
    });
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(chars: readonly string[], allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    const last = chars.length - 1;
    chars.forEach((c, i) => {
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== last && chars[i + 1] !== ' ')
          this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.lineBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c === "'" ? "''" : c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    });
    if (breaks) this.writeIndent();
    this.indicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private doubleQuoted(chars: readonly string[], allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    let spaces = false;
    const last = chars.length - 1;
    chars.forEach((c, i) => {
      if (!isPrintable(c) || isBreak(c) || c === '"' || c === '\\') {
        this.put(escape(c));
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== last) {
          this.writeIndent();
          if (chars[i + 1] === ' ') this.put('\\');
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    });
    this.indicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }
}

/** v2's YAMLDumper: a scalar as compact JSON on a line of its own, a list or a dict as a YAML document. */
function yamlDocument(v: Json): string {
  if (isScalar(v)) return `${jsonScalar(v)}\n`;
  return new YamlEmitter(v).text;
}

// ---- all formats ------------------------------------------------------------------------------------------------

/**
 * What AWS CLI v2 prints for `value` with `--output format`. `value`: the shaped response (after shapeResponse) or what
 * --query made of it. `title`: the AWS operation name (e.g. 'DescribeJobExecution'), the table's title. `width`: the
 * terminal width the table formatter fits to. Rejects where v2 stops with a Python exception (text and table
 * of a list that mixes dicts with other items; table of lists of unequal length): v2 prints nothing on stdout then.
 */
export async function formatOutput(
  value: unknown,
  format: OutputFormat,
  context: { title: string; width: number },
): Promise<string> {
  const data = toJson(value);
  if (isEmptyDict(data)) return '';
  switch (format) {
    case 'json':
      return `${jsonIndented(data, 0)}\n`;
    case 'text': {
      const out: string[] = [];
      textOf(data, out);
      return out.join('');
    }
    case 'table':
      return formatTable(data, context.title, context.width);
    case 'yaml':
      return yamlDocument(data);
    case 'yaml-stream':
      return yamlDocument([data]);
  }
}
