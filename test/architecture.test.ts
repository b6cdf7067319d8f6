/**
 * The shape of the house, checked on the sources: dependencies point inward (the wrappers import `core`; `core`
 * imports none of them; the emulator shares no code with `core`), and no runtime import cycle exists. Type-only
 * imports (`import type`, or `import { type A }` with nothing else) vanish at compile time and are not counted.
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

/** Every module a source loads at run time: `import`/`export … from` that is not type-only, and `require(…)`. */
function runtimeSpecifiers(text: string): string[] {
  const found: string[] = [];
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/g;
  for (const m of text.matchAll(statement)) {
    const [, , typeOnly, clause = '', target = ''] = m;
    if (typeOnly) continue;
    const braces = /^\{([^}]*)\}$/.exec(clause.trim());
    if (braces && braces[1]!.split(',').every((s) => s.trim() === '' || /^type\s/.test(s.trim()))) continue;
    found.push(target);
  }
  // `require('x')` (lazy loading) is a runtime import too.
  for (const m of text.matchAll(/require\('([^']+)'\)/g)) found.push(m[1]!);
  return found;
}

/** The files a source imports at run time (relative imports only), as paths from the root without extension. */
export function runtimeImports(file: string, text: string): string[] {
  return runtimeSpecifiers(text)
    .filter((target) => target.startsWith('.'))
    .map((target) => relative(ROOT, resolve(ROOT, dirname(file), target)).replace(/\.(js|ts)$/, ''));
}

const graph = new Map<string, string[]>();
for (const layer of LAYERS)
  for (const file of sources(layer))
    graph.set(file.replace(/\.ts$/, ''), runtimeImports(file, readFileSync(join(ROOT, file), 'utf8')));

test('the import parser sees runtime imports and skips type-only ones (the check can fail)', () => {
  const text = [
    "import { a } from './a';",
    "import type { B } from './b';",
    "import { type C } from './c';",
    "import { type D, e } from './d';",
    "export { f } from './f';",
    "const g = require('./g');",
  ].join('\n');
  expect(runtimeImports('core/x.ts', text)).toEqual(['core/a', 'core/d', 'core/f', 'core/g']);
});

test('core imports no wrapper and no emulator; the emulator imports no core', () => {
  expect(graph.size).toBeGreaterThan(40);
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

test('no runtime import cycle', () => {
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
  expect(cycles).toEqual([]);
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
  return runtimeSpecifiers(text)
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
