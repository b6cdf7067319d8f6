/**
 * The Node-RED scorecard (`node-red-dev validate`) on this package. The machine cannot reach
 * catalogue.nodered.org, so the catalogue reads as empty (test/helpers/offline-catalogue.cjs): P08 and N01 are
 * therefore not proven here (the README says so); every other check must pass.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

test('node-red-dev validate: every check it can run offline passes', async () => {
  const output = await new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      [
        '-r',
        join(__dirname, 'helpers', 'offline-catalogue.cjs'),
        join(ROOT, 'node_modules', 'node-red-dev', 'bin', 'run'),
        'validate',
        '-p',
        ROOT,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
  });
  const problems = output
    .split('\n')
    .filter((line) => /Warning|Error|❌/.test(line))
    // P04 warns for every unscoped name, then passes names in node-red-contrib-* form ("Package uses a valid name").
    .filter((line) => !/P04 New Packages should use a scoped name/.test(line));
  expect(problems).toEqual([]);
  for (const check of [
    'Package is Apache-2.0 licensed',
    'Repository/Bugs Link Supplied',
    'Package uses a valid name',
    'Node-RED Keyword Found',
    'Examples found',
  ]) {
    expect(output).toContain(check);
  }
}, 180_000);
