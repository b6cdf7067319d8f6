/**
 * `npm run generate`: writes every generated file (scripts/generated-files.ts) from the definitions, formatted as
 * the repository keeps it, and names the ones that changed. Run compiled (`npm run build:lib` first), with no
 * TypeScript runner.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { formatted, GENERATED_FILES, repositoryRoot } from './generated-files';

const root = repositoryRoot();
for (const [path, render] of GENERATED_FILES) {
  const file = join(root, path);
  const wanted = formatted(root, path, render());
  const before = readFileSync(file, 'utf8');
  if (before === wanted) continue;
  writeFileSync(file, wanted);
  process.stdout.write(`wrote ${path}\n`);
}
