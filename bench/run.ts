/**
 * `npm run bench`: each figure against its peer in the same run (medians of several runs after a warm-up, as
 * ratios, because machines are noisy). Prints a table and writes bench/results.json.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { IoTJobsDataPlaneClient, UpdateJobExecutionCommand } from '@aws-sdk/client-iot-jobs-data-plane';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

const ROOT = join(__dirname, '..', '..');
const CREDENTIALS = { accessKeyId: 'AKIABENCHMARK0000001', secretAccessKey: 'bench/secret' };
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

interface Figure {
  figure: string;
  peer: string;
  value: number;
  peerValue: number;
  unit: string;
  ratio: number;
  target: string;
  met: boolean;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile(command, args, { env, encoding: 'utf8' }, (error, _out, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${stderr}`)) : resolve(performance.now() - started),
    ),
  );
}

/** Median wall time of a whole process, after one warm-up run. */
async function processTime(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  await timeProcess(command, args, env);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await timeProcess(command, args, env));
  return median(times);
}

async function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [
    join(ROOT, 'lib', 'emulator', 'main.js'),
    '--port',
    '0',
    '--auth',
    '--access-key-id',
    CREDENTIALS.accessKeyId,
    '--secret-access-key',
    CREDENTIALS.secretAccessKey,
  ]);
  const url = await new Promise<string>((resolve) =>
    child.stdout!.on('data', (d: Buffer) => {
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(d.toString());
      if (m) resolve(m[0]);
    }),
  );
  return { url, child };
}

async function signed(
  url: string,
  service: string,
  method: string,
  path: string,
  body: string,
): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region: 'us-east-1',
    service,
    sha256: Hash.bind(null, 'sha256'),
  });
  const req = await signer.sign({
    method,
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path,
    headers: { host: u.host, 'content-type': 'application/json' },
    body,
  });
  return req.headers;
}

async function seed(url: string, things: number): Promise<void> {
  for (let i = 0; i < things; i++) {
    const path = `/things/gw-${i}`;
    await fetch(`${url}${path}`, { method: 'POST', headers: await signed(url, 'iot', 'POST', path, '{}'), body: '{}' });
  }
  const body = JSON.stringify({
    targets: Array.from({ length: things }, (_, i) => `arn:aws:iot:us-east-1:123456789012:thing/gw-${i}`),
    document: '{}',
  });
  await fetch(`${url}/jobs/fw-1`, {
    method: 'PUT',
    headers: await signed(url, 'iot', 'PUT', '/jobs/fw-1', body),
    body,
  });
}

/** A bare Node script: the same signed request with node:http, no SDK (headers signed beforehand). */
const BARE = `const http=require('node:http');const [u,h,b]=JSON.parse(process.argv[1]);const url=new URL(u);
const r=http.request({host:url.hostname,port:url.port,path:url.pathname,method:'POST',headers:h},(res)=>{res.resume();res.on('end',()=>process.exit(res.statusCode===200?0:1))});r.end(b);`;

function dirSize(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (sum, e) => sum + (e.isDirectory() ? dirSize(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );
}

/** Throughput and p99 of `send` over `total` updates at `concurrency`, after a warm-up. */
async function load(
  total: number,
  concurrency: number,
  send: (i: number) => Promise<void>,
): Promise<{ perSecond: number; p99: number }> {
  for (let i = 0; i < 200; i++) await send(i);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await send(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: total / seconds, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const add = (f: Omit<Figure, 'ratio' | 'met'>, check: (ratio: number) => boolean): void => {
    const ratio = f.value / f.peerValue;
    figures.push({ ...f, ratio, met: check(ratio) });
  };
  const { url, child } = await startEmulatorProcess();
  try {
    await seed(url, 8);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const actionEnv = {
      ...env,
      'INPUT_JOB-ID': 'fw-1',
      'INPUT_THING-NAME': 'gw-0',
      INPUT_STATUS: 'IN_PROGRESS',
      'INPUT_ENDPOINT-URL': url,
      'INPUT_AWS-REGION': 'us-east-1',
      INPUT_SUMMARY: 'false',
      GITHUB_OUTPUT: '/dev/null',
    };
    const action = await processTime(process.execPath, [join(ROOT, 'dist', 'index.js')], actionEnv);
    const body = '{"status":"IN_PROGRESS"}';
    const path = '/things/gw-1/jobs/fw-1';
    const bare = await processTime(
      process.execPath,
      ['-e', BARE, JSON.stringify([`${url}${path}`, await signed(url, 'iot-jobs-data', 'POST', path, body), body])],
      env,
    );
    const awsArgs = [
      '--endpoint-url',
      url,
      'iot-jobs-data',
      'update-job-execution',
      '--job-id',
      'fw-1',
      '--thing-name',
      'gw-2',
      '--status',
      'IN_PROGRESS',
    ];
    const aws = await processTime('aws', awsArgs, env);
    const cli = await processTime(
      process.execPath,
      [
        join(ROOT, 'lib', 'cli', 'index.js'),
        'update-job-execution',
        '--endpoint-url',
        url,
        '--job-id',
        'fw-1',
        '--thing-name',
        'gw-3',
        '--status',
        'IN_PROGRESS',
      ],
      env,
    );
    add(
      {
        figure: 'action process, one update-job-execution',
        peer: 'bare node:http script',
        value: action,
        peerValue: bare,
        unit: 'ms',
        target: '≤ 1.5×',
      },
      (r) => r <= 1.5,
    );
    add(
      {
        figure: 'action process, one update-job-execution',
        peer: 'aws iot-jobs-data update-job-execution',
        value: action,
        peerValue: aws,
        unit: 'ms',
        target: '≤ 0.3×',
      },
      (r) => r <= 0.3,
    );
    add(
      {
        figure: 'CLI process, same call',
        peer: 'aws iot-jobs-data update-job-execution',
        value: cli,
        peerValue: aws,
        unit: 'ms',
        target: '≤ 0.3×',
      },
      (r) => r <= 0.3,
    );
    const distMb = dirSize(join(ROOT, 'dist')) / 1024 / 1024;
    figures.push({
      figure: 'dist/ bundle, all files',
      peer: '—',
      value: distMb,
      peerValue: 1,
      unit: 'MB',
      ratio: distMb,
      target: '≤ 1.0 MB',
      met: distMb <= 1,
    });

    // Core step vs a plain SDK loop (the node's work without the Node-RED runtime; see the closing note).
    const { Connection, updateJobExecution } = await import('../core/index.js');
    const connection = new Connection({ region: 'us-east-1', endpoint: url, credentials: CREDENTIALS });
    const sdk = new IoTJobsDataPlaneClient({
      region: 'us-east-1',
      endpoint: url,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    const total = Number(process.env.BENCH_UPDATES ?? 10_000);
    const plain = await load(total, 4, async (i) => {
      await sdk.send(new UpdateJobExecutionCommand({ jobId: 'fw-1', thingName: `gw-${i % 4}`, status: 'IN_PROGRESS' }));
    });
    const step = await load(total, 4, async (i) => {
      await updateJobExecution({ jobId: 'fw-1', thingName: `gw-${4 + (i % 4)}`, status: 'IN_PROGRESS' }, connection);
    });
    add(
      {
        figure: `step throughput, ${total} updates, concurrency 4`,
        peer: 'plain SDK loop',
        value: step.perSecond,
        peerValue: plain.perSecond,
        unit: '/s',
        target: '≥ 0.9×',
      },
      (r) => r >= 0.9,
    );
    figures.push({
      figure: 'step p99 latency overhead',
      peer: 'plain SDK loop',
      value: step.p99,
      peerValue: plain.p99,
      unit: 'ms',
      ratio: step.p99 - plain.p99,
      target: '≤ +2 ms',
      met: step.p99 - plain.p99 <= 2,
    });
    const emulator = await load(total, 16, async (i) => {
      await sdk.send(new UpdateJobExecutionCommand({ jobId: 'fw-1', thingName: `gw-${i % 8}`, status: 'IN_PROGRESS' }));
    });
    add(
      {
        figure: 'emulator capacity (concurrency 16)',
        peer: 'step throughput',
        value: emulator.perSecond,
        peerValue: step.perSecond,
        unit: '/s',
        target: '≥ 3×',
      },
      (r) => r >= 3,
    );
    connection.destroy();
    sdk.destroy();
  } finally {
    child.kill();
  }

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}`;
  writeFileSync(
    join(ROOT, 'bench', 'results.json'),
    `${JSON.stringify({ machine, date: new Date().toISOString(), figures }, null, 2)}\n`,
  );
  const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  console.log(`machine: ${machine}\n`);
  console.log('| figure | peer | value | peer value | ratio | target | met |');
  console.log('|---|---|---|---|---|---|---|');
  for (const f of figures) {
    console.log(
      `| ${f.figure} | ${f.peer} | ${fmt(f.value)} ${f.unit} | ${f.peer === '—' ? '—' : `${fmt(f.peerValue)} ${f.unit}`} | ${fmt(f.ratio)} | ${f.target} | ${f.met ? 'yes' : 'NO'} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
