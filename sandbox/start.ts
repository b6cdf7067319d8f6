#!/usr/bin/env node
/**
 * `npm start`: the offline sandbox. Starts the emulator (signatures checked, as AWS does) and a real Node-RED with
 * this package installed and the example flows deployed against it, seeds both AWS APIs the way a user would, and
 * prints where to look and what to try. Ctrl-C stops everything.
 *
 *   npm start -- [--emulator-port 4566] [--editor-port 1880] [--dir .sandbox] [--clean]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { Connection } from '../core/shared/connection';
import { importExportClient } from '../core/import-export/importexport-client';
import { EmulatorClient } from '../emulator/client';
import { startEmulator, type RunningEmulator } from '../emulator/index';

const ROOT = resolve(__dirname, '..', '..');
const PACKAGE = 'node-red-contrib-aws-job-steps';

/** The sandbox's own AWS identity: the emulator accepts exactly this key, as AWS accepts yours. */
const SANDBOX_CREDENTIALS = {
  accessKeyId: 'AKIASANDBOXEXAMPLE01',
  secretAccessKey: 'sandbox/secret/not-a-real-key',
} as const;

const USAGE = 'usage: npm start -- [--emulator-port N] [--editor-port N] [--dir PATH] [--clean]';

interface Options {
  readonly emulatorPort: number;
  readonly editorPort: number;
  readonly dir: string;
  readonly clean: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      'emulator-port': { type: 'string', default: '4566' },
      'editor-port': { type: 'string', default: '1880' },
      dir: { type: 'string', default: join(ROOT, '.sandbox') },
      clean: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new Error(`--${name} must be a port from 1 to 65535, not ${text}`);
    return n;
  };
  return {
    emulatorPort: port('emulator-port', values['emulator-port']),
    editorPort: port('editor-port', values['editor-port']),
    dir: resolve(values.dir),
    clean: values.clean,
  };
}

/** Fails with a message that says which port and how to choose another. */
function ensureFree(port: number, flag: string): Promise<void> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer()
      .once('error', () => reject(new Error(`port ${port} is busy; stop what uses it or pass ${flag} <another port>`)))
      .listen(port, '127.0.0.1', () => probe.close(() => resolvePort()));
  });
}

const SANDBOX_MANIFEST = `manifestVersion: 2.0
deviceId: 49382
eraseDevice: yes
bucket: amzn-s3-demo-bucket
accessKeyId: ${SANDBOX_CREDENTIALS.accessKeyId}
returnAddress:
    name: Jane Roe
    street1: 123 Any Street
    city: Anytown
    postalCode: 91011-1111
    phoneNumber: 206-555-1111
    country: USA
`;

/** Two gateways, a firmware job with QUEUED executions on both, and an Import/Export job. */
async function seed(url: string): Promise<string> {
  await new EmulatorClient(url, SANDBOX_CREDENTIALS).seed(
    ['gw-7', 'gw-8'],
    [{ jobId: 'fw-42', targets: ['gw-7', 'gw-8'], document: '{"firmware":"4.2"}' }],
  );
  const aws = new Connection({ endpoint: url, credentials: SANDBOX_CREDENTIALS });
  try {
    const created = await importExportClient(aws).createJob({
      manifest: SANDBOX_MANIFEST,
      jobType: 'Import',
      validateOnly: false,
    });
    return created.jobId;
  } finally {
    aws.destroy();
  }
}

interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

/** The example flows, one connection node pointing at the emulator, and an http-in flow for `curl`. */
function flows(emulatorUrl: string): FlowNode[] {
  const nodes = new Map<string, FlowNode>();
  const examples = join(ROOT, 'examples');
  for (const file of readdirSync(examples).sort()) {
    for (const node of JSON.parse(readFileSync(join(examples, file), 'utf8')) as FlowNode[]) nodes.set(node.id, node);
  }
  const connection = [...nodes.values()].find((n) => n.type === 'aws-job-steps-connection')!;
  Object.assign(connection, { name: 'Sandbox emulator', endpoint: emulatorUrl, credentialSource: 'keys' });
  const tab = 'sandbox0http0tab';
  return [
    ...nodes.values(),
    { id: tab, type: 'tab', label: 'Report over HTTP', info: 'POST /report with a job execution update as JSON.' },
    {
      id: 'sandbox0http00in',
      type: 'http in',
      z: tab,
      url: '/report',
      method: 'post',
      x: 120,
      y: 80,
      wires: [['sandbox0http0step']],
    },
    {
      id: 'sandbox0http0step',
      type: 'aws-update-job-execution',
      z: tab,
      name: 'report',
      connection: connection.id,
      x: 330,
      y: 80,
      wires: [['sandbox0http0out'], ['sandbox0http0err']],
    },
    { id: 'sandbox0http0out', type: 'http response', z: tab, statusCode: '200', x: 540, y: 60, wires: [] },
    {
      id: 'sandbox0http0err',
      type: 'change',
      z: tab,
      name: 'error as payload',
      rules: [
        { t: 'set', p: 'payload', pt: 'msg', to: 'error', tot: 'msg' },
        { t: 'set', p: 'statusCode', pt: 'msg', to: '400', tot: 'num' },
      ],
      x: 560,
      y: 110,
      wires: [['sandbox0http0out']],
    },
  ];
}

/** The Node-RED user directory: this package linked in (as `npm link` does), settings, flows and credentials. */
function prepareUserDir(o: Options, emulatorUrl: string): void {
  if (o.clean) rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(join(o.dir, 'node_modules'), { recursive: true });
  const link = join(o.dir, 'node_modules', PACKAGE);
  if (!existsSync(link)) symlinkSync(ROOT, link, 'dir');
  writeFileSync(join(o.dir, 'package.json'), JSON.stringify({ name: 'aws-job-steps-sandbox', private: true }, null, 2));
  writeFileSync(
    join(o.dir, 'settings.js'),
    // credentialSecret false: the sandbox's fake keys are stored in plain text, which no real deployment should do.
    `module.exports = { uiHost: '127.0.0.1', uiPort: ${o.editorPort}, flowFile: 'flows.json', credentialSecret: false, editorTheme: { tours: false }, telemetry: { enabled: false }, logging: { console: { level: 'info' } } };\n`,
  );
  const all = flows(emulatorUrl);
  writeFileSync(join(o.dir, 'flows.json'), JSON.stringify(all, null, 2));
  const connection = all.find((n) => n.type === 'aws-job-steps-connection')!;
  writeFileSync(join(o.dir, 'flows_cred.json'), JSON.stringify({ [connection.id]: SANDBOX_CREDENTIALS }, null, 2));
}

function startNodeRed(o: Options): Promise<ChildProcess> {
  const redJs = join(dirname(require.resolve('node-red/package.json')), 'red.js');
  const child = spawn(process.execPath, [redJs, '--userDir', o.dir, '--settings', join(o.dir, 'settings.js')], {
    env: { ...process.env, NODE_RED_HOME: o.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolveStart, reject) => {
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (/Started flows/.test(log)) resolveStart(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`Node-RED exited (${code}) before it started:\n${log.slice(-2000)}`)),
    );
  });
}

async function main(): Promise<void> {
  const o = options();
  await ensureFree(o.emulatorPort, '--emulator-port');
  await ensureFree(o.editorPort, '--editor-port');
  let emulator: RunningEmulator | undefined;
  let nodeRed: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    nodeRed?.kill('SIGINT');
    await emulator?.close();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
  try {
    emulator = await startEmulator({ port: o.emulatorPort, auth: { credentials: [SANDBOX_CREDENTIALS] } });
    const importJobId = await seed(emulator.url);
    prepareUserDir(o, emulator.url);
    nodeRed = await startNodeRed(o);
    const editor = `http://127.0.0.1:${o.editorPort}`;
    console.log(
      [
        'aws-job-steps sandbox is running (Ctrl-C stops it)',
        `  Node-RED editor  ${editor}`,
        `  AWS emulator     ${emulator.url}`,
        `  seeded           things gw-7, gw-8; IoT job fw-42 (QUEUED on both); Import/Export job ${importJobId}`,
        '',
        'Try:',
        `  AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey} \\`,
        `    aws --region us-east-1 --endpoint-url ${emulator.url} iot describe-job-execution --job-id fw-42 --thing-name gw-8`,
        `  curl -s -X POST ${editor}/report -H 'content-type: application/json' \\`,
        `    -d '{"jobId":"fw-42","thingName":"gw-8","status":"SUCCEEDED"}'`,
      ].join('\n'),
    );
  } catch (error) {
    await stop();
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  console.error(USAGE);
  process.exit(2);
});
