/**
 * The files that must stay literal (GitHub reads action.yml, Node-RED the editor, label and help files), each with
 * its rendering from the definitions: the operations' for action.yml, the package's node kinds' for the Node-RED
 * files. `npm run generate` writes them (scripts/generate.ts); test/generated-files.test.ts holds the committed files
 * to them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { stringify } from 'yaml';

import { ACTION_YML_HEADER, actionMetadata } from '../action/action-yml';
import { allOperations } from '../core/operations';
import { editorHtml, helpHtml, localeJson } from '../node-red-nodes/editor-files';
import { packageKinds } from '../node-red-nodes/package-kinds';

/** Each generated file's path in the repository, and its rendering (before formatting). */
export const GENERATED_FILES: readonly (readonly [path: string, render: () => string])[] = [
  ['action.yml', () => ACTION_YML_HEADER + stringify(actionMetadata(allOperations()), { lineWidth: 0 })],
  ['node-red-nodes/aws-job-steps.html', () => editorHtml(packageKinds())],
  ['node-red-nodes/locales/en-US/aws-job-steps.json', () => localeJson(packageKinds())],
  ['node-red-nodes/locales/en-US/aws-job-steps.html', () => helpHtml(packageKinds())],
];

/** The repository's root: the first directory up from here with a tsconfig.json (from the source or from lib/). */
export function repositoryRoot(from = __dirname): string {
  return existsSync(join(from, 'tsconfig.json')) || dirname(from) === from ? from : repositoryRoot(dirname(from));
}

/**
 * A rendering as the repository keeps it: formatted by its prettier config, so `prettier --check` agrees (prettier
 * in its own process: it loads its plugins with `import()`, which jest's module system does not run).
 */
export function formatted(root: string, path: string, text: string): string {
  return execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--stdin-filepath', path],
    { cwd: root, input: text, encoding: 'utf8' },
  );
}
