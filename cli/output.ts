/**
 * The AWS CLI's output formats, so scripts that parse `aws` output parse ours: `json` (Python's `json.dumps` with
 * indent 4 and `ensure_ascii=False`), `text` (awscli's text formatter: scalars of a structure on one tab-separated
 * line in key order, nested structures on lines named by their key in upper case), and `yaml` (as AWS CLI v2).
 */
import type { ShapeMember } from '../core/operation';

export type OutputFormat = 'json' | 'text' | 'yaml';

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

/** Python sorts strings by code point; JavaScript's default sort compares UTF-16 units. */
const byCodePoint = (a: string, b: string): number => {
  const [x, y] = [[...a], [...b]];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
};

const isNested = (v: Value): boolean => typeof v === 'object';
/** Python's `str()` of a scalar: booleans are `True` / `False`. */
const scalarText = (v: Value): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

function textOf(item: Value, lines: string[], identifier?: string, scalarKeys?: string[]): void {
  if (Array.isArray(item)) return textOfList(item, lines, identifier);
  if (typeof item !== 'object') return void lines.push(scalarText(item));
  const scalars: string[] = [];
  const nested: [string, Value][] = [];
  if (scalarKeys) {
    for (const key of scalarKeys) scalars.push(item[key] === undefined ? '' : scalarText(item[key]!));
    for (const key of Object.keys(item)
      .filter((k) => !scalarKeys.includes(k))
      .sort(byCodePoint))
      nested.push([key, item[key]!]);
  } else {
    for (const key of Object.keys(item).sort(byCodePoint)) {
      const v = item[key]!;
      if (isNested(v)) nested.push([key, v]);
      else scalars.push(scalarText(v));
    }
  }
  if (scalars.length > 0)
    lines.push([...(identifier === undefined ? [] : [identifier.toUpperCase()]), ...scalars].join('\t'));
  for (const [key, v] of nested) textOf(v, lines, key);
}

function textOfList(items: Value[], lines: string[], identifier?: string): void {
  if (items.length === 0) return;
  if (items.some((i) => typeof i === 'object' && !Array.isArray(i))) {
    const keys = new Set<string>();
    for (const i of items)
      if (typeof i === 'object' && !Array.isArray(i))
        for (const [k, v] of Object.entries(i)) if (!isNested(v)) keys.add(k);
    const sorted = [...keys].sort(byCodePoint);
    for (const i of items) textOf(i, lines, identifier, sorted);
  } else if (identifier !== undefined) {
    for (const i of items) lines.push(`${identifier.toUpperCase()}\t${scalarText(i)}`);
  } else {
    lines.push(items.map(scalarText).join('\t'));
  }
}

/** The response as the AWS CLI prints it; empty when the response is empty, as the AWS CLI prints nothing then. */
export async function formatOutput(response: Record<string, Value>, format: OutputFormat): Promise<string> {
  if (Object.keys(response).length === 0) return '';
  if (format === 'json') return `${JSON.stringify(response, null, 4)}\n`;
  if (format === 'text') {
    const lines: string[] = [];
    textOf(response, lines);
    return lines.map((l) => `${l}\n`).join('');
  }
  const { stringify } = await import('yaml');
  return stringify(response, { indent: 2, lineWidth: 0, singleQuote: true });
}
