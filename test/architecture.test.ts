/**
 * The shape of the house, checked on the sources: dependencies point inward (the wrappers import `core`; `core`
 * imports none of them; the emulator shares no code with `core`), no import cycle exists (type-only imports included:
 * they vanish at compile time, but a cycle through them still ties two modules into one), and an operation never
 * knows the wire (no SDK, no transport but the interface, no HTTP status).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..');
const LAYERS = ['core', 'action', 'cli', 'node-red-nodes', 'emulator', 'sandbox', 'bench', 'scripts'] as const;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** A parsed source: the tree (for positions) and its nodes in source order. */
interface Syntax {
  readonly file: ts.SourceFile;
  readonly nodes: readonly ts.Node[];
}

/**
 * A source as the compiler reads it: its syntax tree, and every node of it in source order. The one reader every rule
 * below uses. A parser never sees a comment, and a string stays a string, so neither can pass for code (nor can a
 * `/*` inside a string or a regular expression hide the code after it).
 */
export function parse(text: string): Syntax {
  const file = ts.createSourceFile('source.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const nodes: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    nodes.push(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return { file, nodes };
}

/** The line (from 1) on which `node` starts, its leading comments left out. */
function lineOf({ file }: Syntax, node: ts.Node): number {
  return file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
}

/** One module a source names, and whether only its types are used (the import vanishes at compile time). */
interface ModuleReference {
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/**
 * The module a node names, if it names one: `import … from 'x'` and `import 'x'`, `export … from 'x'`,
 * `import x = require('x')`, `require('x')`, `import('x')`, and the type `import('x')` (in `typeof import('x')` or
 * `import('x').Name`). Type-only when the compiler erases it: `import type`, `export type`, braces holding only
 * `type X` names, or an import type. A side-effect `import 'x'` and a dynamic `import('x')` load the module.
 */
function moduleReference(node: ts.Node): ModuleReference | undefined {
  if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
    const clause = node.importClause;
    const bindings = clause?.namedBindings;
    const onlyTypeNames =
      clause?.name === undefined && bindings !== undefined && ts.isNamedImports(bindings)
        ? bindings.elements.every((e) => e.isTypeOnly)
        : false;
    return { specifier: node.moduleSpecifier.text, typeOnly: (clause?.isTypeOnly ?? false) || onlyTypeNames };
  }
  if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
    const clause = node.exportClause;
    const onlyTypeNames =
      clause !== undefined && ts.isNamedExports(clause) && clause.elements.every((e) => e.isTypeOnly);
    return { specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || onlyTypeNames };
  }
  if (
    ts.isImportEqualsDeclaration(node) &&
    ts.isExternalModuleReference(node.moduleReference) &&
    ts.isStringLiteral(node.moduleReference.expression)
  )
    return { specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly };
  if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0]!)) {
    const callee = node.expression;
    if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require'))
      return { specifier: node.arguments[0].text, typeOnly: false };
  }
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal))
    return { specifier: node.argument.literal.text, typeOnly: true };
  return undefined;
}

/** Every module a source names, in source order. */
export function moduleReferences(text: string): ModuleReference[] {
  return parse(text).nodes.flatMap((node) => moduleReference(node) ?? []);
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

test('the reader sees no import and no wire field in a comment or a string, and all those in code', () => {
  // Each line hides something a hand-made scanner could mistake for code, beside code it could miss.
  const probe = [
    "const url = 'http://x/*y'; import './after-url'; // import { m } from './m'; x.$metadata",
    "/* require('./n') and x.httpStatus */ const t = `import('./o') ${\"//\"} ${r.statusCode} // c`;",
    "const re = /\\/\\*[/*]/g; const half = a / 2; y['httpStatusCode']; '$metadata' in y; // require('./p')",
    'const words = "import { q } from \'./q\'; statusCode"; /** $metadata',
    ' */ z.httpStatus;',
  ].join('\n');
  expect(moduleReferences(probe)).toEqual([{ specifier: './after-url', typeOnly: false }]);
  expect(operationLayerProblems('core/x/operations/p.ts', probe)).toEqual([
    'core/x/operations/p.ts:2 reads statusCode',
    'core/x/operations/p.ts:3 reads httpStatusCode',
    'core/x/operations/p.ts:3 reads $metadata',
    'core/x/operations/p.ts:5 reads httpStatus',
  ]);
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
    "import n = require('./n');",
    "export * from './o';",
  ].join('\n');
  expect(moduleReferences(text).map((r) => `${r.specifier}${r.typeOnly ? ' (type)' : ''}`)).toEqual([
    './a',
    './b (type)',
    './c (type)',
    './d',
    './f',
    './g',
    './h (type)',
    './i (type)',
    './j (type)',
    './k',
    './l',
    './n',
    './o',
  ]);
  expect(localImports('core/x.ts', text, 'runtime')).toEqual([
    'core/a',
    'core/d',
    'core/f',
    'core/g',
    'core/k',
    'core/l',
    'core/n',
    'core/o',
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
  return /(?:^|\/)operations\//.test(file) || exportedNames(parse(text)).includes('definition');
}

/** The names a module exports by declaration (`export const x`, `export function x`) or by `export { … }`. */
function exportedNames({ file }: Syntax): string[] {
  return file.statements.flatMap((statement) => {
    if (ts.isExportDeclaration(statement))
      return statement.exportClause && ts.isNamedExports(statement.exportClause)
        ? statement.exportClause.elements.map((e) => e.name.text)
        : [];
    const exported = ts.canHaveModifiers(statement)
      ? (ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false)
      : false;
    if (!exported) return [];
    if (ts.isVariableStatement(statement))
      return statement.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
    return ts.isFunctionDeclaration(statement) && statement.name ? [statement.name.text] : [];
  });
}

/** The wire's fields: the SDK's `$metadata`, an HTTP status by any of its names. */
const WIRE_FIELDS: ReadonlySet<string> = new Set(['$metadata', 'httpStatus', 'httpStatusCode', 'statusCode']);

/**
 * Where code names a wire field: as an identifier (a variable, `x.name`, a key, a destructured name), or as the string
 * of an element access or an `in` test (`x['$metadata']` and `'$metadata' in x` know the field as surely as
 * `x.$metadata`). Other strings are words.
 */
function wireReads(syntax: Syntax): { name: string; line: number }[] {
  return syntax.nodes.flatMap((node) => {
    const name = ts.isIdentifier(node)
      ? node
      : ts.isElementAccessExpression(node)
        ? node.argumentExpression
        : ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InKeyword
          ? node.left
          : undefined;
    return name && (ts.isIdentifier(name) || ts.isStringLiteralLike(name)) && WIRE_FIELDS.has(name.text)
      ? [{ name: name.text, line: lineOf(syntax, name) }]
      : [];
  });
}

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
  for (const { name, line } of wireReads(parse(text))) problems.push(`${file}:${line} reads ${name}`);
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
  expect(isOperationModule('core/import-export/x.ts', 'const definition = {};\nexport { definition };')).toBe(true);
  // A barrel re-exporting an operation under its own name is not itself an operation.
  expect(isOperationModule('core/x.ts', "export { definition as op } from './op';")).toBe(false);
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

/** The clock module: the one place in core/ and node-red-nodes/ that reads the time, sets timers or draws jitter. */
const CLOCK_MODULE = 'core/shared/clock.ts';
/** What only the clock may touch: the time, timers and randomness of the process. */
const CLOCK_GLOBALS: ReadonlySet<string> = new Set([
  'Date()',
  'Date.now',
  'Math.random',
  'performance.now',
  'AbortSignal.timeout',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
]);

/**
 * Where code reaches the process's time, timers or randomness itself: `Date.now` and `Math.random` as property reads
 * of those globals, the timer functions by name (called or passed), and `node:timers` in any form. A property of
 * that name on another object (`clock.setTimer`, `options.now`) is not one.
 */
export function clockProblems(file: string, text: string): string[] {
  const syntax = parse(text);
  // Names that are not the global's: a member's (`x.setTimeout`, a key, a method), an import's own names.
  const members = new Set<ts.Node>();
  for (const node of syntax.nodes) {
    if (ts.isPropertyAccessExpression(node)) members.add(node.name);
    else if (ts.isPropertyAssignment(node) || ts.isMethodDeclaration(node) || ts.isPropertySignature(node))
      members.add(node.name);
    else if (ts.isImportSpecifier(node)) {
      members.add(node.name);
      if (node.propertyName) members.add(node.propertyName);
    }
  }
  const problems = syntax.nodes.flatMap((node) => {
    let name: string | undefined;
    // `globalThis.Date.now` and `globalThis.setTimeout` are the same globals.
    const owner = (expression: ts.Expression): string | undefined =>
      ts.isIdentifier(expression)
        ? expression.text
        : ts.isPropertyAccessExpression(expression) &&
            ts.isIdentifier(expression.expression) &&
            expression.expression.text === 'globalThis'
          ? expression.name.text
          : undefined;
    if (ts.isPropertyAccessExpression(node) && owner(node.expression) !== undefined)
      name = owner(node.expression) === 'globalThis' ? node.name.text : `${owner(node.expression)}.${node.name.text}`;
    else if (
      ts.isElementAccessExpression(node) &&
      owner(node.expression) !== undefined &&
      ts.isStringLiteralLike(node.argumentExpression)
    )
      name = `${owner(node.expression)}.${node.argumentExpression.text}`;
    // The time of day by another door: `new Date()` or `Date()` with nothing to convert.
    else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'Date' &&
      (node.arguments?.length ?? 0) === 0
    )
      name = 'Date()';
    else if (ts.isIdentifier(node) && !members.has(node)) name = node.text;
    return name !== undefined && CLOCK_GLOBALS.has(name) ? [`${file}:${lineOf(syntax, node)} uses ${name}`] : [];
  });
  for (const { specifier } of moduleReferences(text))
    if (/^(?:node:)?timers(?:\/|$)/.test(specifier)) problems.push(`${file} imports ${specifier}`);
  return problems;
}

test('the clock rule fails on probes: Date.now, Math.random, a timer, node:timers; not on a clock’s own members', () => {
  const probe = [
    'const at = Date.now();',
    'const jitter = Math.random() * 10;',
    'const t = setTimeout(run, 5); clearTimeout(t);',
    'setInterval(tick, 1000);',
    "import { setTimeout as delay } from 'node:timers/promises';",
    '// Date.now() in a comment, and in a string: "setTimeout"',
    'const ok = clock.now() + clock.random(); clock.setTimer(run, 5); options.setTimeout;',
    'const d = new Date(); const e = Date(); const f = new Date(at);',
    "const g = globalThis.setTimeout; const h = Date['now'](); const p = performance.now();",
    'const s = AbortSignal.timeout(5); const q = globalThis.Date.now;',
  ].join('\n');
  expect(clockProblems('core/x.ts', probe)).toEqual([
    'core/x.ts:1 uses Date.now',
    'core/x.ts:2 uses Math.random',
    'core/x.ts:3 uses setTimeout',
    'core/x.ts:3 uses clearTimeout',
    'core/x.ts:4 uses setInterval',
    'core/x.ts:8 uses Date()',
    'core/x.ts:8 uses Date()',
    'core/x.ts:9 uses setTimeout',
    'core/x.ts:9 uses Date.now',
    'core/x.ts:9 uses performance.now',
    'core/x.ts:10 uses AbortSignal.timeout',
    'core/x.ts:10 uses Date.now',
    'core/x.ts imports node:timers/promises',
  ]);
});

test('core/ and node-red-nodes/ read the time, set timers and draw jitter only through the clock', () => {
  const checked = [...TEXTS].filter(
    ([file]) => (file.startsWith('core/') || file.startsWith('node-red-nodes/')) && file !== CLOCK_MODULE,
  );
  expect(checked.length).toBeGreaterThan(30);
  expect(checked.flatMap(([file, text]) => clockProblems(file, text))).toEqual([]);
  // The clock itself is where they are: the rule would see them there.
  expect(clockProblems(CLOCK_MODULE, TEXTS.get(CLOCK_MODULE)!)).not.toEqual([]);
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
