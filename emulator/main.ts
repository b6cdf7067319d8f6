#!/usr/bin/env node
/**
 * `npm run emulator -- --port 4566 [--auth --access-key-id AKID --secret-access-key SECRET [--session-token T]]`
 * Prints one line with the URL once it listens; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';

import { startEmulator } from './index';
import { DEFAULT_SETTINGS, settingProblem, type EmulatorSettings } from './types';

const USAGE = `usage: emulator [--port N] [--host 127.0.0.1] [--auth --access-key-id ID --secret-access-key SECRET [--session-token TOKEN]] [--no-terminal-state-on-describe] [--no-conflict-execution-state] [--start-next-updates-in-progress] [--describe-next-not-found] [--status-details-value-length 1024|128] [--status-details-update replace|merge] [--no-timeout-retry-needs-timeout-config] [--start-next-accepts-cancel] [--mqtt-port N] [--mqtts-port N] [--no-mqtt-policy] [--no-quotas] [--quota-writes N] [--quota-reads N] [--quota-control N] [--quota-create-thing N] [--quota-burst-seconds S]

The account's request-rate quotas are AWS's defaults, enforced (a request over one is answered ThrottlingException,
429 on the data plane and 400 on the control plane, as each service's model says):
  --quota-writes N        UpdateJobExecution + StartNextPendingJobExecution per second (200)
  --quota-reads N         DescribeJobExecution + GetPendingJobExecutions (data plane) per second (200)
  --quota-control N       each Jobs control-plane API per second (10)
  --quota-create-thing N  CreateThing per second (15)
  --quota-burst-seconds S seconds of rate an idle account may send at once (1; AWS's documents are silent)
  --no-quotas             no quota at all

AWS IoT Jobs over MQTT 3.1.1 (off unless a port is given; 0 picks a free one):
  --mqtt-port N           plain TCP, for tests
  --mqtts-port N          TLS with client certificates (AWS's 8883; ALPN x-amzn-mqtt-ca as on 443); the CA to trust
                          is at GET /_emulator/mqtt (caPem)
  --no-mqtt-policy        any client id and topic (by default the usual thing policy: client id = a thing, only
                          its own $aws/things/<thing>/jobs/ topics)

Defaults follow the reading AWS's documents most support; these flags choose the other reading of each:
  --no-terminal-state-on-describe    DescribeJobExecution shows a terminal execution instead of answering 410
  --no-conflict-execution-state      a 409 from UpdateJobExecution carries only its message, no executionState
  --start-next-updates-in-progress   StartNextPendingJobExecution applies statusDetails and stepTimeoutInMinutes to an
                                     execution already IN_PROGRESS (by default it is handed back unchanged)
  --describe-next-not-found          DescribeJobExecution of $next with nothing pending answers 404 (by default 200 {})
  --status-details-value-length 128  statusDetails values up to 128 characters, the job-limits table (default 1024,
                                     AWS CLI v2's model)
  --status-details-update merge      a request's statusDetails pairs are merged into the execution's (default replace)
  --no-timeout-retry-needs-timeout-config
                                     CreateJob takes a TIMED_OUT retry without timeoutConfig, whose timeouts are then
                                     never retried (by default it is refused)
  --start-next-accepts-cancel        StartNextPendingJobExecution takes stepTimeoutInMinutes -1 (by default refused)`;

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
      'describe-next-not-found': { type: 'boolean', default: false },
      'status-details-value-length': { type: 'string', default: String(DEFAULT_SETTINGS.statusDetailsValueLength) },
      'status-details-update': { type: 'string', default: DEFAULT_SETTINGS.statusDetailsUpdate },
      'timeout-retry-needs-timeout-config': { type: 'boolean', default: true },
      'start-next-accepts-cancel': { type: 'boolean', default: false },
      quotas: { type: 'boolean', default: true },
      'mqtt-port': { type: 'string' },
      'mqtts-port': { type: 'string' },
      'mqtt-policy': { type: 'boolean', default: true },
      'quota-writes': { type: 'string' },
      'quota-reads': { type: 'string' },
      'quota-control': { type: 'string' },
      'quota-create-thing': { type: 'string' },
      'quota-burst-seconds': { type: 'string' },
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
  const mqttPort = (flag: 'mqtt-port' | 'mqtts-port'): number | undefined => {
    const given = values[flag];
    if (given === undefined) return undefined;
    const n = Number(given);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${flag} must be 0..65535, not ${given}`);
    return n;
  };
  const mqtt = { port: mqttPort('mqtt-port'), tlsPort: mqttPort('mqtts-port'), policy: values['mqtt-policy'] };
  const accessKeyId = values['access-key-id'];
  const secretAccessKey = values['secret-access-key'];
  if (values.auth && (!accessKeyId || !secretAccessKey)) {
    throw new Error('--auth needs --access-key-id and --secret-access-key');
  }
  const sessionToken = values['session-token'];
  const rate = (
    flag: 'quota-writes' | 'quota-reads' | 'quota-control' | 'quota-create-thing' | 'quota-burst-seconds',
  ): number | undefined => {
    const given = values[flag];
    if (given === undefined) return undefined;
    const n = Number(given);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} must be a number > 0, not ${given}`);
    return n;
  };
  const setting = <K extends keyof EmulatorSettings>(name: K, flag: string, value: unknown): EmulatorSettings[K] => {
    const problem = settingProblem(name, value);
    if (problem) throw new Error(`--${flag}: ${problem}`);
    return value as EmulatorSettings[K];
  };
  const quotas = {
    enabled: values.quotas,
    dataPlaneWrites: rate('quota-writes'),
    dataPlaneReads: rate('quota-reads'),
    controlPlane: rate('quota-control'),
    createThing: rate('quota-create-thing'),
    burstSeconds: rate('quota-burst-seconds'),
  };
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
    quotas: Object.fromEntries(Object.entries(quotas).filter(([, v]) => v !== undefined)),
    mqtt: Object.fromEntries(Object.entries(mqtt).filter(([, v]) => v !== undefined)),
    settings: {
      terminalStateOnDescribe: values['terminal-state-on-describe'],
      conflictExecutionState: values['conflict-execution-state'],
      startNextUpdatesInProgress: values['start-next-updates-in-progress'],
      describeNextNotFound: values['describe-next-not-found'],
      statusDetailsValueLength: setting(
        'statusDetailsValueLength',
        'status-details-value-length',
        // Digits become the number the setting holds; anything else is shown as typed in the refusal.
        /^\d+$/.test(values['status-details-value-length'])
          ? Number(values['status-details-value-length'])
          : values['status-details-value-length'],
      ),
      statusDetailsUpdate: setting('statusDetailsUpdate', 'status-details-update', values['status-details-update']),
      timeoutRetryNeedsTimeoutConfig: values['timeout-retry-needs-timeout-config'],
      startNextAcceptsCancel: values['start-next-accepts-cancel'],
    },
  });
  // One line, the URL first; with --auth, the admin routes' token after it (a signed request works too).
  const token = emulator.adminToken ? ` (admin token ${emulator.adminToken})` : '';
  const brokers = [emulator.mqtt?.tcp, emulator.mqtt?.tls].filter((u) => u !== undefined);
  const mqttShown = brokers.length > 0 ? ` and ${brokers.join(' ')}` : '';
  console.log(`aws-job-steps emulator listening on ${emulator.url}${mqttShown}${token}`);
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
