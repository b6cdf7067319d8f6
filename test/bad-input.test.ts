/**
 * Bad input everywhere, as property tests: arbitrary Node-RED payloads (any type, huge strings, unicode,
 * `__proto__` keys), arbitrary action inputs (the environment) and arbitrary CLI arguments. Never an uncaught
 * exception or a crashed runtime, always a clear error naming the field, and no request reaches the emulator.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

import fc from 'fast-check';
import helper from 'node-red-node-test-helper';

import { parseUpdateJobExecutionInput, parseUpdateJob } from './helpers/parse-or-undefined';
import stepNodes from '../node-red-nodes/aws-job-steps';
import connectionNode from '../node-red-nodes/aws-job-steps-connection';
import type { NodeMessage } from '../node-red-nodes/red';
import { runAction } from './helpers/action-runner';
import { awsEnv } from './helpers/aws-cli';
import { connectionConfig, CONNECTION_CREDENTIALS, fannedFlow, initNodeRed } from './helpers/node-red-flows';
import { useEmulator } from './helpers/emulator';
import { eventually } from './helpers/eventually';

initNodeRed(helper);

const fx = useEmulator();

beforeAll(async () => {
  await helper.startServer();
});

afterAll(async () => {
  await helper.stopServer();
});

/** A class instance, which holds its data but is not a plain object. */
class Details {
  step = 'download';
}

/**
 * Values people and flows really send: any JSON-ish value, long strings, unicode, polluting keys, and objects that
 * are not plain (Maps, Sets, Dates, class instances), which must never pass for a map and be sent as `{}`.
 */
const hostile = fc.oneof(
  fc.anything({
    withNullPrototype: true,
    withBigInt: false,
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withDate: true,
  }),
  fc.constantFrom<unknown>(new Map([['step', 'download']]), new Set(['step']), new Date(0), new Details()),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constant('x'.repeat(200_000)),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    '',
    ' ',
    '\u0000',
    'SUCCEEDED\n',
    '../../etc/passwd',
    'file:///etc/shadow',
  ),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true}}')),
);

const payload = fc.oneof(
  hostile,
  // Otherwise valid requests whose details are not a plain object.
  fc.record({
    jobId: fc.constant('fw-42'),
    thingName: fc.constant('gw-7'),
    status: fc.constant('IN_PROGRESS'),
    statusDetails: fc.constantFrom<unknown>(new Map([['a', 'b']]), new Set(['a']), new Date(0), new Details()),
  }),
  fc.record(
    { jobId: hostile, thingName: hostile, status: hostile, statusDetails: hostile, expectedVersion: hostile },
    { requiredKeys: [] },
  ),
  fc.record({ JobId: hostile, Manifest: hostile, JobType: hostile, ValidateOnly: hostile }, { requiredKeys: [] }),
);

test('Node-RED: any payload gives exactly one error message naming a field, and sends nothing', async () => {
  const flow = [
    connectionConfig(fx.url),
    { id: 'exec', z: 'tab', type: 'aws-update-job-execution', connection: 'conn', wires: [['ok'], ['err']] },
    { id: 'job', z: 'tab', type: 'aws-update-job', connection: 'conn', wires: [['ok'], ['err']] },
    { id: 'ok', z: 'tab', type: 'helper' },
    { id: 'err', z: 'tab', type: 'helper' },
    { id: 'tab', type: 'tab' },
  ];
  await helper.load([connectionNode, stepNodes], flow, CONNECTION_CREDENTIALS);
  const errors: NodeMessage[] = [];
  const results: NodeMessage[] = [];
  helper.getNode('err').on('input', (msg: NodeMessage) => void errors.push(msg));
  helper.getNode('ok').on('input', (msg: NodeMessage) => void results.push(msg));
  await fx.clearRequests();
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(payload, fc.constantFrom('exec', 'job'), async (value, target) => {
      // A payload that happens to be a valid request is not bad input.
      if (target === 'exec' ? parseUpdateJobExecutionInput(value) : await parseUpdateJob(value)) return;
      const before = errors.length;
      helper.getNode(target).receive({ payload: value });
      sent++;
      await eventually(() => errors.length > before, 'the error answer');
      expect(errors.length).toBe(before + 1);
      const report = errors.at(-1)!.error as { code: string; message: string };
      expect(report.code).toBe('invalid-input');
      expect(report.message).toMatch(/^\S+/);
    }),
    { numRuns: 300, seed: 7 },
  );
  expect(results).toEqual([]);
  expect(errors).toHaveLength(sent);
  expect(await fx.requests()).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  await helper.unload();
}, 120_000);

/** Strings a workflow or a shell may pass: anything printable, empty, huge, or unicode. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', '5x', '-2', 'true!', '{"a":', '__proto__=1'),
);

test('the action: arbitrary inputs fail with exit 1 and an error naming an input, before any request', async () => {
  await fx.clearRequests();
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        status: text,
        'thing-name': text,
        'status-details': text,
        'step-timeout-in-minutes': text,
        'expected-version': text,
      }),
      async (inputs) => {
        const valid = parseUpdateJobExecutionInput({
          jobId: 'fw-42',
          thingName: inputs['thing-name'],
          status: inputs.status,
          statusDetails: inputs['status-details'],
          stepTimeoutInMinutes: inputs['step-timeout-in-minutes'],
          expectedVersion: inputs['expected-version'],
        });
        if (valid) return;
        const run = await runAction({
          'job-id': 'fw-42',
          ...inputs,
          'endpoint-url': fx.url,
          'aws-region': 'us-east-1',
          summary: 'false',
        });
        expect(run.code).toBe(1);
        expect(run.outputs['error-code']).toBe('invalid-input');
        expect(run.stderr).toBe('');
      },
    ),
    { numRuns: 25, seed: 11 },
  );
  expect(await fx.requests()).toEqual([]);
}, 300_000);

test('the CLI: arbitrary arguments exit with an AWS CLI v2 error code and an error line, and send nothing invalid', async () => {
  await fx.clearRequests();
  const bundle = join(__dirname, '..', 'lib', 'cli', 'index.js');
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          text,
          fc.constantFrom(
            '--status',
            '--job-id',
            '--thing-name',
            '--status-details',
            '--expected-version',
            '--cli-input-json',
            '--output',
          ),
        ),
        { maxLength: 8 },
      ),
      async (args) => {
        const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            [bundle, 'update-job-execution', '--endpoint-url', fx.url, '--thing-name', 'gw-7', ...args],
            { env: awsEnv(), encoding: 'utf8' },
            (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
          ),
        );
        // 252 a bad command line or input; only a valid one may reach the service, and then the thing is unknown
        // (254 ResourceNotFound; 254 too for a value the service would refuse, refused before sending); 255 other.
        expect([252, 254, 255]).toContain(result.code);
        expect(result.stderr.trim().split('\n').at(-1)).toMatch(/\S/);
        expect(result.stderr).not.toMatch(/at .*\(.*:\d+:\d+\)/);
      },
    ),
    { numRuns: 25, seed: 13 },
  );
  const reached = await fx.requests();
  expect(reached.every((r) => r.status === 404)).toBe(true);
}, 300_000);

/** A message that Node-RED cannot copy, or that cannot take an answer, around a payload. */
function hostileMessage(kind: string, id: string, body: unknown): NodeMessage {
  const msg: NodeMessage = { _msgid: id, payload: body };
  switch (kind) {
    case 'deep': {
      let nested: Record<string, unknown> = {};
      // Deep enough that copying it overflows the stack whatever the stack already holds (3,000 sometimes copies).
      for (let i = 0; i < 100_000; i++) nested = { child: nested };
      msg.deep = nested;
      return msg;
    }
    case 'getter':
      Object.defineProperty(msg, 'trap', {
        enumerable: true,
        get() {
          throw new Error('a getter that throws');
        },
      });
      return msg;
    case 'sealed':
      return Object.seal(msg);
    case 'frozen':
      return Object.freeze(msg);
    default:
      return msg;
  }
}

test('Node-RED: plain, sealed, frozen and uncopyable messages on fanned-out wires get exactly one answer each', async () => {
  const flow = fannedFlow(fx.url, 'exec');
  await helper.load([connectionNode, stepNodes], flow, CONNECTION_CREDENTIALS);
  await fx.reset();
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
  /** Answers by message id, as `port wire` strings. */
  const answers = new Map<string, string[]>();
  for (const id of ['r1', 'r2', 'e1', 'e2']) {
    helper.getNode(id).on('input', (msg: NodeMessage) => {
      const key = String(msg._msgid);
      answers.set(key, [...(answers.get(key) ?? []), id]);
    });
  }
  const crashes: unknown[] = [];
  const onCrash = (error: unknown): void => void crashes.push(error);
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('plain', 'deep', 'getter', 'sealed', 'frozen'),
        fc.oneof(payload, fc.constant({ jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS' })),
        async (kind, body) => {
          const id = `m-${++n}`;
          helper.getNode('exec').receive(hostileMessage(kind, id, body));
          await eventually(() => (answers.get(id)?.length ?? 0) >= 2, `the answer to ${id}`);
          // A second answer, if there were one, would most likely come within a few ms; every id's count is
          // checked again at the end.
          await new Promise((r) => setTimeout(r, 5));
          // One answer: on one port, through both of its wires.
          expect([
            ['r1', 'r2'],
            ['e1', 'e2'],
          ]).toContainEqual([...(answers.get(id) ?? [])].sort());
          if (kind !== 'plain') expect(answers.get(id)!.sort()).toEqual(['e1', 'e2']);
        },
      ),
      { numRuns: 80, seed: 17 },
    );
    expect([...answers].filter(([, seen]) => seen.length !== 2)).toEqual([]);
    expect(crashes).toEqual([]);
  } finally {
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    await helper.unload();
  }
}, 120_000);
