/**
 * The files that must stay literal (GitHub reads action.yml, Node-RED the editor, label and help files) are
 * rendered from the operations' definitions; this test holds the committed files to the rendering and names the
 * first line that differs. `npm run generate` runs it with GENERATE=1, which writes them instead.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { stringify } from 'yaml';

import { ACTION_YML_HEADER, actionMetadata } from '../action/action-yml';
import { allOperations } from '../core/operations';
import { editorHtml, helpHtml, localeJson } from '../node-red-nodes/editor-files';

const ROOT = join(__dirname, '..');
const operations = allOperations();

const FILES: readonly [string, () => string][] = [
  ['action.yml', () => ACTION_YML_HEADER + stringify(actionMetadata(operations), { lineWidth: 0 })],
  ['node-red-nodes/aws-job-steps.html', () => editorHtml(operations)],
  ['node-red-nodes/locales/en-US/aws-job-steps.json', () => localeJson(operations)],
  ['node-red-nodes/locales/en-US/aws-job-steps.html', () => helpHtml(operations)],
];

/**
 * The rendering as the repository keeps it: formatted by its prettier config, so `prettier --check` agrees
 * (prettier in its own process: it loads its plugins with `import()`, which jest's module system does not run).
 */
function rendered(path: string, render: () => string): string {
  return execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--stdin-filepath', path],
    {
      cwd: ROOT,
      input: render(),
      encoding: 'utf8',
    },
  );
}

test.each(FILES)('%s is what the definitions render', (path, render) => {
  const wanted = rendered(path, render);
  if (process.env.GENERATE === '1') writeFileSync(join(ROOT, path), wanted);
  const committed = readFileSync(join(ROOT, path), 'utf8');
  if (committed === wanted) return;
  const [a, b] = [committed.split('\n'), wanted.split('\n')];
  const line = a.findIndex((l, i) => l !== b[i]);
  throw new Error(
    `${path} differs from what the operations' definitions render, first at line ${line + 1}:\n` +
      `  committed: ${a[line] ?? '(end of file)'}\n  rendered:  ${b[line] ?? '(end of file)'}\n` +
      'Edit the definitions in core/ (or action/inputs.ts, node-red-nodes/editor-files.ts) and run `npm run generate`.',
  );
});

test('every operation is a node type of the package, an action operation and a CLI command', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: object } };
  expect(Object.keys(pkg['node-red'].nodes).sort()).toEqual(['aws-job-steps', 'aws-job-steps-connection']);
  const action = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  for (const o of operations) expect(action).toContain(`${o.name} (aws ${o.service})`);
});
