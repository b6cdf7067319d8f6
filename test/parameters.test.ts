/**
 * One source of truth for the parameters: core/parameters.ts. The command line builds its flags and --help from
 * it, the action its input map, the Node-RED nodes their fields; these tests hold action.yml and the Node-RED help
 * pages (static files) to the same names and words.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { OPERATION_INPUTS } from '../action/inputs';
import { UPDATE_JOB_EXECUTION_PARAMETERS, UPDATE_JOB_PARAMETERS, type Parameter } from '../core/parameters';

const ROOT = join(__dirname, '..');
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string }>;
};
const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe.each([
  ['update-job-execution', UPDATE_JOB_EXECUTION_PARAMETERS],
  ['update-job', UPDATE_JOB_PARAMETERS],
] as [keyof typeof OPERATION_INPUTS, readonly Parameter[]][])('%s', (operation, parameters) => {
  test('every parameter is an action input with the catalogue’s description', () => {
    expect(Object.keys(OPERATION_INPUTS[operation])).toEqual(parameters.map((p) => p.flag));
    for (const p of parameters.filter((q) => q.flag !== 'job-id')) {
      expect(action.inputs[p.flag]?.description.startsWith(`${operation}: ${p.help}`)).toBe(true);
    }
  });

  test('the Node-RED help describes every parameter in the catalogue’s words', () => {
    const help = readFileSync(
      join(ROOT, 'node-red-nodes', 'locales', 'en-US', `aws-${operation}.html`),
      'utf8',
    ).replace(/\s+/g, ' ');
    for (const p of parameters) expect(help).toContain(`payload.${p.member} <span`);
    for (const p of parameters) expect(help).toContain(escapeHtml(p.help));
  });
});
