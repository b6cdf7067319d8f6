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

/** The files a source imports at run time (relative imports only), as paths from the root without extension. */
export function runtimeImports(file: string, text: string): string[] {
  const found: string[] = [];
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'(\.[^']+)'/g;
  for (const m of text.matchAll(statement)) {
    const [, , typeOnly, clause = '', target = ''] = m;
    if (typeOnly) continue;
    const braces = /^\{([^}]*)\}$/.exec(clause.trim());
    if (braces && braces[1]!.split(',').every((s) => s.trim() === '' || /^type\s/.test(s.trim()))) continue;
    found.push(relative(ROOT, resolve(ROOT, dirname(file), target)).replace(/\.(js|ts)$/, ''));
  }
  // `require('./x')` (lazy loading) is a runtime import too.
  for (const m of text.matchAll(/require\('(\.[^']+)'\)/g))
    found.push(relative(ROOT, resolve(ROOT, dirname(file), m[1]!)).replace(/\.(js|ts)$/, ''));
  return found;
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
  expect(graph.get('core/update-job-execution')).toContain('core/step-run');
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
