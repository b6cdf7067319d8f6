/** Pieces of the Node-RED test flows: the connection config node at the emulator, and its keys. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FIXTURE_CREDENTIALS } from './aws-cli';

/** The connection config node every test flow uses (id `conn`), at the emulator `url`, with keys. */
export function connectionConfig(url: string): Record<string, unknown> {
  return { id: 'conn', type: 'aws-job-steps-connection', endpoint: url, region: 'us-east-1', credentialSource: 'keys' };
}

/** The keys of `conn`, as `helper.load` takes credentials (Node-RED keeps them in its credential store). */
export const CONNECTION_CREDENTIALS = {
  conn: {
    accessKeyId: FIXTURE_CREDENTIALS.accessKeyId,
    secretAccessKey: FIXTURE_CREDENTIALS.secretAccessKey,
    sessionToken: FIXTURE_CREDENTIALS.sessionToken,
  },
};

/** A step node (id `id`) whose outputs are each wired to two helpers (r1, r2; e1, e2), as a flow that fans out. */
export function fannedFlow(url: string, id: string): object[] {
  return [
    connectionConfig(url),
    {
      id,
      z: 'tab',
      type: 'aws-update-job-execution',
      connection: 'conn',
      wires: [
        ['r1', 'r2'],
        ['e1', 'e2'],
      ],
    },
    ...['r1', 'r2', 'e1', 'e2'].map((helperId) => ({ id: helperId, z: 'tab', type: 'helper' })),
    { id: 'tab', type: 'tab' },
  ];
}

/**
 * Starts the test helper on the Node-RED that `NODE_RED_PACKAGE` names, with a user directory of its own (where
 * step nodes keep their outboxes), removed when the process exits. Returns that directory.
 */
export function initNodeRed(helper: { init(path: string, settings?: object): void }): string {
  const userDir = mkdtempSync(join(tmpdir(), 'node-red-user-'));
  process.once('exit', () => rmSync(userDir, { recursive: true, force: true }));
  helper.init(require.resolve(process.env.NODE_RED_PACKAGE ?? 'node-red'), { userDir });
  return userDir;
}
