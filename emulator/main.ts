#!/usr/bin/env node
/**
 * `npm run emulator -- --port 4566 [--auth --access-key-id AKID --secret-access-key SECRET [--session-token T]]`
 * Prints one line with the URL once it listens; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';

import { startEmulator } from './index';

const USAGE = `usage: emulator [--port N] [--host 127.0.0.1] [--auth --access-key-id ID --secret-access-key SECRET [--session-token TOKEN]] [--no-terminal-state-on-describe] [--no-conflict-execution-state] [--start-next-updates-in-progress]

Defaults follow the reading AWS's documents most support; these flags choose the other reading of each:
  --no-terminal-state-on-describe    DescribeJobExecution shows a terminal execution instead of answering 410
  --no-conflict-execution-state      a 409 from UpdateJobExecution carries only its message, no executionState
  --start-next-updates-in-progress   StartNextPendingJobExecution applies statusDetails and stepTimeoutInMinutes to an
                                     execution already IN_PROGRESS (by default it is handed back unchanged)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    allowNegative: true,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      auth: { type: 'boolean', default: false },
      'access-key-id': { type: 'string' },
      'secret-access-key': { type: 'string' },
      'session-token': { type: 'string' },
      'terminal-state-on-describe': { type: 'boolean', default: true },
      'conflict-execution-state': { type: 'boolean', default: true },
      'start-next-updates-in-progress': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, not ${values.port}`);
  const accessKeyId = values['access-key-id'];
  const secretAccessKey = values['secret-access-key'];
  if (values.auth && (!accessKeyId || !secretAccessKey)) {
    throw new Error('--auth needs --access-key-id and --secret-access-key');
  }
  const sessionToken = values['session-token'];
  const emulator = await startEmulator({
    port,
    host: values.host,
    ...(values.auth && {
      auth: {
        credentials: [
          { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey!, ...(sessionToken && { sessionToken }) },
        ],
      },
    }),
    settings: {
      terminalStateOnDescribe: values['terminal-state-on-describe'],
      conflictExecutionState: values['conflict-execution-state'],
      startNextUpdatesInProgress: values['start-next-updates-in-progress'],
    },
  });
  // One line, the URL first; with --auth, the admin routes' token after it (a signed request works too).
  const token = emulator.adminToken ? ` (admin token ${emulator.adminToken})` : '';
  console.log(`aws-job-steps emulator listening on ${emulator.url}${token}`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(
    `emulator: ${(err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port already in use (${message})` : message}`,
  );
  console.error(USAGE);
  process.exit(2);
});
