/**
 * `--output table` as AWS CLI v2 prints it with colour off (awscli/formatter.py's TableFormatter building an
 * awscli/table.py MultiTable), and the Python spellings of JSON values that the text and table formats print.
 *
 * The table is laid out in terminal columns: v2 counts a character as 2 columns when Python's
 * `unicodedata.east_asian_width` calls it Wide, Fullwidth or Ambiguous (so `ü`, `é`, `→`, `─` take 2). The East Asian
 * Width property comes from `get-east-asian-width`. CPython also answers 'F' for every code point its Unicode
 * database has not assigned, so those count 2 as well (`\p{Cn}`, by this runtime's Unicode version).
 */
import { eastAsianWidth } from 'get-east-asian-width';

/** A JSON value as the formatters see it: what `json.loads` gives Python (objects keep their insertion order). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/** Neither a list nor a dict (awscli's `_scalar_type`). */
export const isScalar = (v: Json): v is null | boolean | number | string => v === null || typeof v !== 'object';

/** Python's `sorted()` of strings: by code point (JavaScript's default sort compares UTF-16 units). */
export function byCodePoint(a: string, b: string): number {
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done || q.done) return p.done ? (q.done ? 0 : -1) : 1;
    const d = p.value.codePointAt(0)! - q.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Python's truthiness of a JSON value: `None`, `False`, `0`, `''`, `[]` and `{}` are false. */
export const truthy = (v: Json): boolean =>
  v === null
    ? false
    : Array.isArray(v)
      ? v.length > 0
      : typeof v === 'object'
        ? Object.keys(v).length > 0
        : v !== false && v !== 0 && v !== '';

/**
 * Whether Python holds this number as an int. A JavaScript number is written as JSON (JSON.stringify) with digits
 * only while it is an integer below 1e21, which `json.loads` reads as an int; from 1e21 on, and with a fraction, it is
 * written with an exponent or a point and read as a float.
 */
const isPythonInt = (n: number): boolean => Number.isInteger(n) && Math.abs(n) < 1e21;

/** Python's `repr()` of a float: the shortest digits that read back, in exponent form below 1e-4 and from 1e16. */
export function pythonFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, exponent] = Math.abs(n).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const point = Number(exponent) + 1; // the value is 0.<digits> × 10^point
  const sign = n < 0 ? '-' : '';
  if (point > 16 || point < -3) {
    const e = point - 1;
    const tail = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${tail}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Python's `str()` of a number held as JSON gives it: an int's digits, or a float's `repr()`. */
export const pythonNumber = (n: number): string =>
  isPythonInt(n) ? (Object.is(n, -0) ? '0' : String(n)) : pythonFloat(n);

/** Python's `str.isprintable()` for one character: not a control, format, surrogate, private, unassigned or separator (but space). */
const nonPrintable = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr()` of a string: single quotes unless it holds `'` and no `"`, non-printable characters escaped. */
function pythonStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch !== ' ' && nonPrintable.test(ch)) {
      const cp = ch.codePointAt(0)!;
      const hex = cp.toString(16);
      out +=
        cp < 0x100
          ? `\\x${hex.padStart(2, '0')}`
          : cp < 0x10000
            ? `\\u${hex.padStart(4, '0')}`
            : `\\U${hex.padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a JSON value (`str()` of a list or a dict shows its items so). */
function pythonRepr(v: Json): string {
  if (typeof v === 'string') return pythonStringRepr(v);
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  if (isObject(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pythonStringRepr(k)}: ${pythonRepr(x)}`)
      .join(', ')}}`;
  return pythonStr(v);
}

/** Python's `str()` of a JSON value: `None`, `True`/`False`, ints and floats as Python spells them, lists and dicts as their repr. */
export function pythonStr(v: Json): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pythonNumber(v);
  if (typeof v === 'string') return v;
  return pythonRepr(v);
}

const unassigned = /\p{Cn}/u;

/** awscli's `get_text_length`: code points, those East Asian Wide, Fullwidth or Ambiguous counting 2. */
export function textLength(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) n += 1;
    else if (unassigned.test(ch)) n += 2;
    else n += eastAsianWidth(cp, { ambiguousAsWide: true });
  }
  return n;
}

const spaces = (n: number): string => (n > 0 ? ' '.repeat(n) : '');
const dashes = (n: number): string => (n > 0 ? '-'.repeat(n) : '');
/** Python's `round()` to an int: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return d < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function centered(text: string, length: number, left: string, right: string): string {
  const width = textLength(text);
  const before = Math.floor(length / 2) - Math.floor(width / 2) - 1;
  const after = length - right.length - (left.length + before + width);
  return left + spaces(before) + text + spaces(after) + right;
}

function leftAligned(text: string, length: number, left: string, right: string): string {
  const width = textLength(text);
  const padding = length - (width + 2 + left.length + right.length) >= 0 ? 2 : 0;
  return left + spaces(padding) + text + spaces(length - (left.length + padding + width) - right.length) + right;
}

class Section {
  /** `null` where awscli's title is None: not printed, but `str(None)` still counts 4 columns of width. */
  title: string | null = '';
  headers: string[] = [];
  rows: string[][] = [];
  indent = 0;
  private columns: number | null = null;
  private widths: number[] = [];

  addHeader(headers: string[]): void {
    this.measure(headers);
    if (this.columns === null) this.columns = headers.length;
    this.headers = headers;
  }

  addRow(cells: Json[]): void {
    if (this.columns === null) this.columns = cells.length;
    if (cells.length !== this.columns)
      throw new Error(`Row should have ${this.columns} elements, instead it has ${cells.length}`);
    const row = cells.map(pythonStr);
    this.rows.push(row);
    this.measure(row);
  }

  private measure(cells: string[]): void {
    if (this.widths.length === 0) {
      this.widths = cells.map(textLength);
      return;
    }
    cells.forEach((cell, i) => {
      if (i >= this.widths.length) throw new Error('list index out of range');
      this.widths[i] = Math.max(textLength(cell), this.widths[i]!);
    });
  }

  /** The columns' widths with `padding` each, scaled to add up to `total` when given. */
  columnWidths(padding: number, total?: number): number[] {
    const unscaled = this.widths.map((w) => w + padding);
    if (total === undefined || unscaled.length === 0) return unscaled;
    const factor = total / unscaled.reduce((a, b) => a + b, 0);
    const scaled = unscaled.map((w) => roundHalfEven(factor * w));
    let off = scaled.reduce((a, b) => a + b, 0) - total;
    while (off !== 0) {
      const order = scaled.map((_, i) => i);
      if (off < 0) order.reverse();
      for (const i of order) {
        if (off > 0) {
          scaled[i]!--;
          off--;
        } else {
          scaled[i]!++;
          off++;
        }
        if (off === 0) break;
      }
    }
    return scaled;
  }

  totalWidth(): number {
    const columns = this.widths.reduce((a, w) => a + w + 4, 0) + 2 + 2 * this.indent;
    const title = (this.title === null ? 4 : textLength(this.title)) + 2 + 2 * this.indent;
    return Math.max(title, columns);
  }

  /** A one-row section with headers as a two-column list of header and value. */
  vertical(): Section {
    const section = new Section();
    section.title = this.title;
    section.indent = this.indent;
    const row = this.rows[0]!;
    for (let i = 0; i < Math.min(this.headers.length, row.length); i++) section.addRow([this.headers[i]!, row[i]!]);
    return section;
  }
}

function ruleLine(widths: number[]): string {
  return widths.map((w, i) => (i === 0 ? `+${dashes(w - 2)}+` : `${dashes(w - 1)}+`)).join('');
}

class MultiTable {
  readonly sections: Section[] = [];
  private current: Section | undefined;

  newSection(title: string | null, indent: number): void {
    this.current = new Section();
    this.current.title = title;
    this.current.indent = indent;
    this.sections.push(this.current);
  }

  private get section(): Section {
    if (!this.current) throw new Error("'NoneType' object has no attribute 'add_row'");
    return this.current;
  }

  addHeader(headers: string[]): void {
    this.section.addHeader(headers);
  }

  addRow(cells: Json[]): void {
    this.section.addRow(cells);
  }

  render(terminalWidth: number): string {
    const widest = (): number => Math.max(...this.sections.map((s) => s.totalWidth()));
    let width = widest();
    if (width > terminalWidth) {
      this.sections.forEach((s, i) => {
        if (s.rows.length === 1 && s.headers.length > 0) this.sections[i] = s.vertical();
      });
      width = widest();
    }
    const lines: string[] = [];
    for (const section of this.sections) {
      const own = width - section.indent * 2;
      const sectionLines: string[] = [];
      if (section.title) {
        sectionLines.push(centered(section.title, own, '|', '|'));
        if (section.headers.length === 0 && section.rows.length === 0) sectionLines.push(`+${dashes(own - 2)}+`);
      }
      if (section.headers.length > 0) {
        const widths = section.columnWidths(4, own);
        sectionLines.push(ruleLine(widths));
        sectionLines.push(
          widths
            .slice(0, section.headers.length)
            .map((w, i) => centered(section.headers[i]!, w, i === 0 ? '|' : '', '|'))
            .join(''),
        );
      }
      if (section.rows.length > 0) {
        const widths = section.columnWidths(4, own);
        if (widths.length > 0) {
          sectionLines.push(ruleLine(widths));
          for (const row of section.rows)
            sectionLines.push(
              widths
                .slice(0, row.length)
                .map((w, i) => leftAligned(row[i]!, w, i === 0 ? '|' : '', '|'))
                .join(''),
            );
          sectionLines.push(ruleLine(widths));
        }
      }
      const edge = '|'.repeat(section.indent);
      for (const line of sectionLines) lines.push(edge + line + edge);
    }
    return `${dashes(width)}\n${lines.map((l) => `${l}\n`).join('')}`;
  }
}

/** The name of the Python type `json.loads` makes of a value, for the messages of Python's exceptions. */
export function pythonType(v: Json): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'number') return isPythonInt(v) ? 'int' : 'float';
  return typeof v === 'boolean' ? 'bool' : 'str';
}

/**
 * awscli's grouping of a list item's keys, for an item that is not a dict: Python iterates it and indexes it with
 * what it yields, which fails but for an empty string, an empty list or a list of valid integer indexes. awscli stops
 * then with that exception before anything is printed, and so does this, with Python's message.
 */
/**
 * Python's grouping of a list item that is not a dict: a string or list is iterated and indexed by its own elements.
 * Returns whether it gave a header (a list of valid integer indices gives the integers as header keys).
 */
function groupNonDictKeys(item: Json): 'int' | 'bool' | null {
  if (typeof item === 'string') {
    if (item !== '') throw new TypeError("string indices must be integers, not 'str'");
    return null;
  } else if (Array.isArray(item)) {
    for (const index of item) {
      const type = pythonType(index);
      if (type !== 'int' && type !== 'bool')
        throw new TypeError(`list indices must be integers or slices, not ${type}`);
      const i = Number(index);
      if (i >= item.length || i < -item.length) throw new RangeError('list index out of range');
    }
    // Every element is an integer index of the list, so what it indexes is an integer too: a scalar, a header. Python's
    // set of headers keeps the first of equal keys (False before 0), so the first element's type is the one it holds.
    return item.length > 0 ? (pythonType(item[0]!) as 'int' | 'bool') : null;
  } else throw new TypeError(`'${pythonType(item)}' object is not iterable`);
}

/** The keys of a dict whose values are scalars and those whose are not, each sorted. */
function groupKeys(item: JsonObject): [string[], string[]] {
  const headers: string[] = [];
  const more: string[] = [];
  for (const [key, value] of Object.entries(item)) (isScalar(value) ? headers : more).push(key);
  return [headers.sort(byCodePoint), more.sort(byCodePoint)];
}

class TableBuilder {
  readonly table = new MultiTable();

  build(title: string | null, current: Json, indent = 0): boolean {
    if (!truthy(current)) return false;
    if (title !== null) this.table.newSection(title, indent);
    if (Array.isArray(current)) {
      if (isObject(current[0]!)) this.fromList(current, indent, title);
      else
        for (const item of current) {
          if (isScalar(item)) this.table.addRow([item]);
          else if (isObject(item)) this.table.addRow(Object.keys(item));
          else if (item.every(isScalar)) this.table.addRow(item);
          else this.build(null, item);
        }
    }
    if (isObject(current)) this.fromDict(current, indent);
    return true;
  }

  private fromDict(current: JsonObject, indent: number): void {
    const [headers, more] = groupKeys(current);
    if (headers.length === 1) this.table.addRow([headers[0]!, current[headers[0]!]!]);
    else if (headers.length > 0) {
      this.table.addHeader(headers);
      this.table.addRow(headers.map((h) => current[h]!));
    }
    for (const key of more) this.build(key, current[key]!, indent + 1);
  }

  private fromList(current: Json[], indent: number, title: string | null): void {
    const headerSet = new Set<string>();
    const moreSet = new Set<string>();
    let integerHeaders: 'int' | 'bool' | null = null; // the type of the first integer header, when there is one
    for (const item of current) {
      if (!isObject(item)) {
        const type = groupNonDictKeys(item);
        integerHeaders ??= type;
        continue;
      }
      const [h, m] = groupKeys(item);
      h.forEach((k) => headerSet.add(k));
      m.forEach((k) => moreSet.add(k));
    }
    // Python sorts integer and string headers together, and cannot. (Which type its message names first follows the
    // set's order, which string hashing randomises per process.)
    if (integerHeaders !== null && headerSet.size > 0)
      throw new TypeError(`'<' not supported between instances of 'str' and '${integerHeaders}'`);
    const headers = [...headerSet].sort(byCodePoint);
    const more = [...moreSet].sort(byCodePoint);
    this.table.addHeader(headers);
    current.forEach((item, i) => {
      if (i > 0 && more.length > 0) {
        this.table.newSection(title, indent);
        this.table.addHeader(headers);
      }
      if (isObject(item)) {
        this.table.addRow(headers.map((h) => (Object.hasOwn(item, h) ? item[h]! : '')));
        for (const key of more) if (Object.hasOwn(item, key)) this.build(key, item[key]!, indent + 1);
        return;
      }
      // What got past the grouping: '', [] or a list of integers. Python asks it for each header (`.get`, which it
      // lacks) and whether it holds each other key (only '' in '' holds, and then cannot be indexed by a string).
      if (headers.length > 0 || integerHeaders)
        throw new TypeError(`'${pythonType(item)}' object has no attribute 'get'`);
      this.table.addRow([]);
      if (item === '' && more.includes('')) throw new TypeError("string indices must be integers, not 'str'");
    });
  }
}

/**
 * The table v2 prints for `value` (a response or what `--query` made of it), titled `title` (the operation's name),
 * fitted to `width` columns: '' when v2 prints nothing (a value Python takes as false: null, '', 0, false, [], {}).
 */
export function formatTable(value: Json, title: string, width: number): string {
  const builder = new TableBuilder();
  return builder.build(title, value) ? builder.table.render(width) : '';
}
