/**
 * The files that must stay literal (GitHub reads action.yml, Node-RED the editor, label and help files) are
 * rendered from the definitions (scripts/generated-files.ts); this test holds the committed files to the rendering
 * and names the first line that differs. It only compares: `npm run generate` writes them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { allOperations } from '../core/operations';
import { packageKinds } from '../node-red-nodes/package-kinds';
import { nodeType } from '../node-red-nodes/step-node';
import { formatted, GENERATED_FILES, repositoryRoot } from '../scripts/generated-files';

const ROOT = join(__dirname, '..');

test('the generated files are found from the source as from lib/', () => {
  expect(repositoryRoot(__dirname)).toBe(ROOT);
  expect(repositoryRoot(join(ROOT, 'lib', 'scripts'))).toBe(ROOT);
});

test.each(GENERATED_FILES)('%s is what the definitions render', (path, render) => {
  const wanted = formatted(ROOT, path, render());
  const committed = readFileSync(join(ROOT, path), 'utf8');
  if (committed === wanted) return;
  const [a, b] = [committed.split('\n'), wanted.split('\n')];
  const line = a.findIndex((l, i) => l !== b[i]);
  throw new Error(
    `${path} differs from what the definitions render, first at line ${line + 1}:\n` +
      `  committed: ${a[line] ?? '(end of file)'}\n  rendered:  ${b[line] ?? '(end of file)'}\n` +
      'Edit the definitions (core/, action/inputs.ts, the node kinds in node-red-nodes/) and run `npm run generate`.',
  );
});

test('every operation is a node type of the package, an action operation and a CLI command', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: object } };
  expect(Object.keys(pkg['node-red'].nodes).sort()).toEqual(['aws-job-steps', 'aws-job-steps-connection']);
  const action = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  for (const o of allOperations()) expect(action).toContain(`${o.name} (aws ${o.service})`);
  expect(packageKinds().map((k) => k.type)).toEqual(allOperations().map(nodeType));
});
