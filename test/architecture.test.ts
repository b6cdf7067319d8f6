/**
 * The shape of the house, checked on the sources: dependencies point inward (the wrappers import `core`; `core`
 * imports none of them; the emulator shares no code with `core`), no import cycle exists (type-only imports included:
 * they vanish at compile time, but a cycle through them still ties two modules into one), and an operation never
 * knows the wire (no SDK, no transport but the interface, no HTTP status).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..');
const LAYERS = ['core', 'action', 'cli', 'node-red-nodes', 'emulator', 'sandbox', 'bench'] as const;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Words after which a `/` starts a regular expression rather than dividing. */
const BEFORE_REGEX = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)$/;

/**
 * `text` with its comments blanked, newlines kept (so line numbers hold). Strings, template literals (with their
 * `${…}`) and regular expressions are copied whole, so the `//` of `'http://x'` or a slash in a regular expression
 * opens no comment, and a quote in a comment opens no string.
 */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  let depth = 0; // braces open in code
  const templates: number[] = []; // for each open `${`, the brace depth at which its template text resumes
  const copyTemplate = (): void => {
    while (i < text.length) {
      if (text[i] === '\\') {
        out += text.slice(i, i + 2);
        i += 2;
      } else if (text[i] === '`') {
        out += text[i++];
        return;
      } else if (text.startsWith('${', i)) {
        out += '${';
        i += 2;
        templates.push(depth++);
        return;
      } else out += text[i++];
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '`') {
      out += text[i++];
      copyTemplate();
    } else if (
      c === '/' &&
      (/[(,=:[!&|?{};+\-*%<>~^]$/.test(out.trimEnd()) || out.trim() === '' || BEFORE_REGEX.test(out.trimEnd()))
    ) {
      let j = i + 1;
      for (let inClass = false; j < text.length && text[j] !== '\n'; j++) {
        if (text[j] === '\\') j++;
        else if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        else if (text[j] === '/' && !inClass) break;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '}' && templates.at(-1) === depth - 1) {
      depth--;
      templates.pop();
      out += text[i++];
      copyTemplate();
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      out += text[i++];
    }
  }
  return out;
}

/** One module a source names, and whether only its types are used (the import vanishes at compile time). */
interface ModuleReference {
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/**
 * Every module a source names, in code (not in comments): `import`/`export … from` (type-only when `import type`,
 * `export type`, or braces holding only `type X` names), `import 'x'`, `require('x')`, and `import('x')` (type-only
 * in `typeof import('x')` or `import('x').Name`; a promise of a module has no member but `then`, `catch`, `finally`).
 * The one reader every rule below uses.
 */
export function moduleReferences(text: string): ModuleReference[] {
  const code = stripComments(text);
  const found: ModuleReference[] = [];
  const statement = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([^'"`;()=]*?)\s*from\s*(['"])([^'"]+)\4/g;
  for (const m of code.matchAll(statement)) {
    const [, , typeKeyword, clause = '', , specifier = ''] = m;
    const braces = /^\{([^}]*)\}$/.exec(clause.trim());
    const onlyTypeNames = braces?.[1]!.split(',').every((s) => s.trim() === '' || /^type\s/.test(s.trim())) ?? false;
    found.push({ specifier, typeOnly: Boolean(typeKeyword) || onlyTypeNames });
  }
  for (const m of code.matchAll(/(?:^|[\n;])\s*import\s*(['"])([^'"]+)\1/g))
    found.push({ specifier: m[2]!, typeOnly: false });
  for (const m of code.matchAll(/(?<![\w$.])require\(\s*(['"])([^'"]+)\1\s*\)/g))
    found.push({ specifier: m[2]!, typeOnly: false });
  const dynamic =
    /(?<![\w$.])(typeof\s+)?import\(\s*(['"])([^'"]+)\2\s*\)(\s*\.\s*(?!(?:then|catch|finally)\b)[\w$])?/g;
  for (const m of code.matchAll(dynamic)) found.push({ specifier: m[3]!, typeOnly: Boolean(m[1] ?? m[4]) });
  return found;
}

/** Which references a graph counts: those loaded at run time, or every one (type-only included). */
type Counting = 'runtime' | 'all';

/** The files a source imports (relative imports only), as paths from the root without extension. */
export function localImports(file: string, text: string, counting: Counting): string[] {
  return moduleReferences(text)
    .filter((ref) => ref.specifier.startsWith('.') && (counting === 'all' || !ref.typeOnly))
    .map((ref) => relative(ROOT, resolve(ROOT, dirname(file), ref.specifier)).replace(/\.(js|ts)$/, ''));
}

/** The import graph of some sources (path from the root → text): module → the modules it imports. */
export function importGraph(texts: ReadonlyMap<string, string>, counting: Counting): Map<string, string[]> {
  return new Map([...texts].map(([file, text]) => [file.replace(/\.ts$/, ''), localImports(file, text, counting)]));
}

/** The cycles a depth-first walk of `graph` closes, each as `a → b → a` (at least one, if any cycle exists). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) if (graph.has(next)) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
}

const TEXTS = new Map(
  LAYERS.flatMap((layer) => sources(layer).map((file) => [file, readFileSync(join(ROOT, file), 'utf8')] as const)),
);
/** What loads what at run time. */
const graph = importGraph(TEXTS, 'runtime');

test('the comment stripper blanks comments only, never a string, template or regular expression', () => {
  const probe = [
    "const url = 'http://x/*y'; // the $metadata",
    '/* a \'quote\' and "another" */ const t = `a ${"//"} b ${{ k: 1 }.k} // c`;',
    'const r = /\\/\\*[/*]/g; const half = a / 2; // httpStatus',
    "return /'/.test(s); /** statusCode",
    ' */',
  ].join('\n');
  const blank = (s: string): string => ' '.repeat(s.length);
  expect(stripComments(probe)).toBe(
    [
      "const url = 'http://x/*y'; ",
      blank('/* a \'quote\' and "another" */') + ' const t = `a ${"//"} b ${{ k: 1 }.k} // c`;',
      'const r = /\\/\\*[/*]/g; const half = a / 2; ',
      "return /'/.test(s); " + blank('/** statusCode'),
      blank(' */'),
    ].join('\n'),
  );
});

test('the import reader tells runtime imports from type-only ones, in every form (the check can fail)', () => {
  const text = [
    "import { a } from './a';",
    "import type { B } from './b';",
    "import { type C } from './c';",
    "import { type D, e } from './d';",
    "export { f } from './f';",
    "const g = require('./g');",
    "export type { H } from './h';",
    "let i: typeof import('./i');",
    "let j: import('./j').J;",
    "const k = await import('./k');",
    "import './l';",
    "// import { m } from './m'; require('./m')",
  ].join('\n');
  expect(moduleReferences(text).map((r) => `${r.specifier}${r.typeOnly ? ' (type)' : ''}`)).toEqual([
    './a',
    './b (type)',
    './c (type)',
    './d',
    './f',
    './h (type)',
    './l',
    './g',
    './i (type)',
    './j (type)',
    './k',
  ]);
  expect(localImports('core/x.ts', text, 'runtime')).toEqual([
    'core/a',
    'core/d',
    'core/f',
    'core/l',
    'core/g',
    'core/k',
  ]);
});

test('core imports no wrapper and no emulator; the emulator imports no core', () => {
  expect(graph.size).toBeGreaterThan(40);
  // The graph resolves the folders: an operation's runtime import through `../../shared` is seen.
  expect(graph.get('core/iot-jobs/operations/update-job-execution')).toContain('core/shared/step-run');
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      const [from, to] = [file.split('/')[0], target.split('/')[0]];
      if (from === 'core' && to !== 'core') wrong.push(`${file} → ${target}`);
      if (from === 'emulator' && to === 'core') wrong.push(`${file} → ${target}`);
    }
  }
  expect(wrong).toEqual([]);
});

test('the cycle rules fail on a probe: a → b at run time, b → a by `import type`', () => {
  const texts = new Map([
    ['core/a.ts', "import { b } from './b';"],
    ['core/b.ts', "import type { A } from './a';\nexport const b = 1;"],
  ]);
  expect(importCycles(importGraph(texts, 'runtime'))).toEqual([]);
  expect(importCycles(importGraph(texts, 'all'))).toEqual(['core/a → core/b → core/a']);
  texts.set('core/b.ts', "import { a } from './a';");
  expect(importCycles(importGraph(texts, 'runtime'))).toEqual(['core/a → core/b → core/a']);
});

test('no runtime import cycle', () => {
  expect(importCycles(graph)).toEqual([]);
});

test('no import cycle, type-only imports included', () => {
  expect(importCycles(importGraph(TEXTS, 'all'))).toEqual([]);
});

/**
 * Whether a source belongs to the operation layer: any module in an `operations/` folder (the operations and their
 * helpers, such as pure decisions), or one exporting an operation's `definition` wherever it lives.
 */
export function isOperationModule(file: string, text: string): boolean {
  return (
    /(?:^|\/)operations\//.test(file) ||
    /\bexport\s+(?:const|let|function)\s+definition\b|\bexport\s*\{[^}]*\bdefinition\b/.test(stripComments(text))
  );
}

/** The wire's fields: the SDK's `$metadata`, an HTTP status by any of its names. */
const WIRE_FIELDS = /(?<![\w$])(?:\$metadata|httpStatusCode|httpStatus|statusCode)(?![\w$])/g;

/**
 * What is wrong with an operation module: it imports (even for types) an AWS SDK or smithy package, or a transport
 * other than `transports/transport` (the interface), or its code (not its comments) reads an HTTP status or
 * `$metadata`. An operation never knows which transport carried it; the transports map the wire into refusals.
 */
export function operationLayerProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const { specifier } of moduleReferences(text))
    if (/^@(?:aws-sdk|smithy)\//.test(specifier)) problems.push(`${file} imports ${specifier}`);
  for (const target of localImports(file, text, 'all'))
    if (/(?:^|\/)transports\/(?!transport$)/.test(target))
      problems.push(`${file} imports ${target}; only the interface, transports/transport`);
  const code = stripComments(text);
  for (const m of code.matchAll(WIRE_FIELDS))
    problems.push(`${file}:${code.slice(0, m.index).split('\n').length} reads ${m[0]}`);
  return problems;
}

test('the operation-layer rule fails on probes: an SDK import, an HTTP status, $metadata, a concrete transport', () => {
  const file = 'core/iot-jobs/operations/probe.ts';
  expect(
    operationLayerProblems(file, "import type { JobExecution } from '@aws-sdk/client-iot-jobs-data-plane';"),
  ).toEqual([`${file} imports @aws-sdk/client-iot-jobs-data-plane`]);
  expect(operationLayerProblems(file, 'const conflict = (error) =>\n  error.httpStatus !== 409;')).toEqual([
    `${file}:2 reads httpStatus`,
  ]);
  expect(operationLayerProblems(file, 'log(answer.$metadata.requestId);')).toEqual([`${file}:1 reads $metadata`]);
  expect(operationLayerProblems(file, "import { httpsTransport } from '../transports/https';")).toEqual([
    `${file} imports core/iot-jobs/transports/https; only the interface, transports/transport`,
  ]);
  const commentsOnly = [
    "import { JobsRefusal } from '../transports/transport';",
    '/** Unlike the SDK, never reads `$metadata` or `error.httpStatus`. */',
    "const status = 'done'; // not statusCode, not httpStatusCode",
  ].join('\n');
  expect(operationLayerProblems(file, commentsOnly)).toEqual([]);
  expect(isOperationModule('core/import-export/x.ts', 'export const definition: OperationDefinition = {};')).toBe(true);
  expect(isOperationModule('core/import-export/x.ts', '/** Not the `export const definition` here. */')).toBe(false);
});

test('operation modules import no AWS SDK or smithy package and no concrete transport, and read no HTTP status or `$metadata`', () => {
  const operations = [...TEXTS].filter(([file, text]) => file.startsWith('core/') && isOperationModule(file, text));
  // The rule finds the layer by folder and by `definition`, so it cannot pass by finding nothing.
  expect(operations.map(([file]) => file)).toEqual(
    expect.arrayContaining([
      'core/import-export/update-job.ts',
      'core/iot-jobs/operations/update-decisions.ts',
      'core/iot-jobs/operations/update-job-execution.ts',
    ]),
  );
  expect(operations.length).toBeGreaterThanOrEqual(6);
  expect(operations.flatMap(([file, text]) => operationLayerProblems(file, text))).toEqual([]);
});

/** The Node-RED scorecard allows 6 runtime dependencies; we keep one slot free for what MQTT will need. */
const MAX_RUNTIME_DEPENDENCIES = 5;
/**
 * The layers shipped as compiled files that `require` their packages at run time (Node-RED loads `lib/`). The CLI
 * and the action are bundled by ncc, so what they import beyond the core may stay a development dependency.
 */
const SHIPPED = ['core', 'node-red-nodes'] as const;

/** The packages a source needs at run time (bare specifiers, not `node:` built-ins, not type-only imports). */
export function runtimePackages(text: string): string[] {
  return moduleReferences(text)
    .filter((ref) => !ref.typeOnly)
    .map((ref) => ref.specifier)
    .filter((target) => !target.startsWith('.') && !target.startsWith('node:'))
    .map((target) =>
      target
        .split('/')
        .slice(0, target.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

/** What is wrong with a package's runtime dependencies, given the packages its shipped sources import. */
export function dependencyProblems(dependencies: Record<string, string>, imported: Map<string, string>): string[] {
  const problems: string[] = [];
  const names = Object.keys(dependencies);
  if (names.length > MAX_RUNTIME_DEPENDENCIES)
    problems.push(`${names.length} runtime dependencies (${names.join(', ')}); at most ${MAX_RUNTIME_DEPENDENCIES}`);
  for (const [pkg, file] of imported)
    if (!names.includes(pkg)) problems.push(`${file} imports ${pkg}, which is not a runtime dependency`);
  return problems;
}

test('the dependency rules fail on a probe: too many runtime dependencies, an undeclared import', () => {
  expect(
    runtimePackages(
      "import { Hash } from '@smithy/hash-node';\nimport type { T } from '@smithy/types';\nimport { x } from 'node:fs';",
    ),
  ).toEqual(['@smithy/hash-node']);
  const six = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => [n, '1']));
  expect(dependencyProblems(six, new Map())).toHaveLength(1);
  expect(dependencyProblems({ a: '1' }, new Map([['@smithy/hash-node', 'core/x.ts']]))).toEqual([
    'core/x.ts imports @smithy/hash-node, which is not a runtime dependency',
  ]);
});

test(`at most ${MAX_RUNTIME_DEPENDENCIES} runtime dependencies, and the shipped sources import only those`, () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const imported = new Map<string, string>();
  for (const layer of SHIPPED)
    for (const file of sources(layer))
      for (const name of runtimePackages(readFileSync(join(ROOT, file), 'utf8')))
        if (!imported.has(name)) imported.set(name, file);
  expect(imported.size).toBeGreaterThan(2);
  expect(dependencyProblems(pkg.dependencies, imported)).toEqual([]);
});
