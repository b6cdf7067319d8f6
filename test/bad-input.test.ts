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
import { NODES, runAction } from './helpers/action-runner';
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

/** statusDetails with `n` pairs. */
const pairs = (n: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

/**
 * What every wrapper must refuse before any request, with the field each refusal names: 11 pairs, a value one over
 * the length of the connection's reading (129 with 128, 1,025 with 1024), and start-next's -1.
 */
const LIMIT_CASES = [
  { name: '11 pairs', operation: 'update-job-execution', reading: '1024', details: pairs(11), field: 'statusDetails' },
  {
    name: '11 pairs',
    operation: 'start-next-pending-job-execution',
    reading: '1024',
    details: pairs(11),
    field: 'statusDetails',
  },
  {
    name: '129 characters under 128',
    operation: 'update-job-execution',
    reading: '128',
    details: { note: 'x'.repeat(129) },
    field: 'statusDetails.note',
  },
  {
    name: '129 characters under 128',
    operation: 'start-next-pending-job-execution',
    reading: '128',
    details: { note: 'x'.repeat(129) },
    field: 'statusDetails.note',
  },
  {
    name: '1,025 characters under 1024',
    operation: 'update-job-execution',
    reading: '1024',
    details: { note: 'x'.repeat(1025) },
    field: 'statusDetails.note',
  },
  {
    name: '1,025 characters under 1024',
    operation: 'start-next-pending-job-execution',
    reading: '1024',
    details: { note: 'x'.repeat(1025) },
    field: 'statusDetails.note',
  },
  {
    name: 'step timer -1',
    operation: 'start-next-pending-job-execution',
    reading: '1024',
    field: 'stepTimeoutInMinutes',
  },
] as const;

/** A case's request, in the AWS shape. */
function limitRequest(c: (typeof LIMIT_CASES)[number]): Record<string, unknown> {
  const target =
    c.operation === 'update-job-execution'
      ? { jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS' }
      : { thingName: 'gw-7' };
  return 'details' in c ? { ...target, statusDetails: c.details } : { ...target, stepTimeoutInMinutes: -1 };
}

describe('the statusDetails limits and start-next -1, in every wrapper, before any request', () => {
  beforeAll(async () => {
    await fx.reset();
    await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
  });
  beforeEach(() => fx.clearRequests());

  test('Node-RED: each is answered invalid-input on the error port, naming the field, with the connection node’s reading', async () => {
    const flow = [
      { ...connectionConfig(fx.url), id: 'conn', statusDetailsValueLength: '1024', statusDetailsUpdate: 'merge' },
      { ...connectionConfig(fx.url), id: 'conn128', statusDetailsValueLength: '128' },
      ...LIMIT_CASES.map((c, i) => ({
        id: `n${i}`,
        z: 'tab',
        type: `aws-${c.operation}`,
        connection: c.reading === '128' ? 'conn128' : 'conn',
        wires: [['ok'], ['err']],
      })),
      { id: 'ok', z: 'tab', type: 'helper' },
      { id: 'err', z: 'tab', type: 'helper' },
      { id: 'tab', type: 'tab' },
    ];
    await helper.load([connectionNode, stepNodes], flow, {
      conn: CONNECTION_CREDENTIALS.conn,
      conn128: CONNECTION_CREDENTIALS.conn,
    });
    const errors: NodeMessage[] = [];
    const results: NodeMessage[] = [];
    helper.getNode('err').on('input', (msg: NodeMessage) => void errors.push(msg));
    helper.getNode('ok').on('input', (msg: NodeMessage) => void results.push(msg));
    try {
      for (const [i, c] of LIMIT_CASES.entries()) {
        helper.getNode(`n${i}`).receive({ _msgid: `m${i}`, payload: limitRequest(c) });
        await eventually(() => errors.length > i, `the answer to ${c.operation} ${c.name}`);
        const report = errors[i]!.error as { code: string; message: string };
        expect([errors[i]!._msgid, report.code]).toEqual([`m${i}`, 'invalid-input']);
        expect(report.message.startsWith(`${c.field} `)).toBe(true);
        // Refused as it arrived, under the connection's reading: never kept in the outbox to fail at delivery.
        expect(errors[i]!.delivery).toBeUndefined();
      }
      expect(results).toEqual([]);
      expect(await fx.requests()).toEqual([]);
    } finally {
      await helper.unload();
    }
  });

  test('Node-RED: a connection node with another reading saved in its flow is refused, naming the setting', async () => {
    const flow = [
      { ...connectionConfig(fx.url), statusDetailsValueLength: '256' },
      { id: 'exec', z: 'tab', type: 'aws-update-job-execution', connection: 'conn', wires: [['ok'], ['err']] },
      { id: 'ok', z: 'tab', type: 'helper' },
      { id: 'err', z: 'tab', type: 'helper' },
      { id: 'tab', type: 'tab' },
    ];
    await helper.load([connectionNode, stepNodes], flow, CONNECTION_CREDENTIALS);
    const errors: NodeMessage[] = [];
    helper.getNode('err').on('input', (msg: NodeMessage) => void errors.push(msg));
    try {
      helper.getNode('exec').receive({ payload: { jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS' } });
      await eventually(() => errors.length > 0, 'the answer');
      expect(errors[0]!.error).toMatchObject({
        code: 'invalid-input',
        message:
          'statusDetailsValueLength is "256"; use 1024 (AWS CLI v2\'s iot-jobs-data model) or 128 (the developer guide\'s job-limits table)',
      });
      expect(await fx.requests()).toEqual([]);
    } finally {
      await helper.unload();
    }
  });
});

/** The action's input name of a case's field (`statusDetails.note` is the status-details input's). */
const inputOf = (field: string): string =>
  field === 'stepTimeoutInMinutes' ? 'step-timeout-in-minutes' : 'status-details';

describe('the statusDetails readings through the action and the CLI', () => {
  beforeEach(async () => {
    await fx.reset();
    await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
    await fx.clearRequests();
  });
  const action = (inputs: Record<string, string>) =>
    runAction(
      { 'endpoint-url': fx.url, 'aws-region': 'us-east-1', summary: 'false', ...inputs },
      { node: NODES.node24 },
    );
  const cli = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) =>
      execFile(
        process.execPath,
        [join(__dirname, '..', 'lib', 'cli', 'index.js'), ...args, '--endpoint-url', fx.url],
        { env: awsEnv(), encoding: 'utf8' },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      ),
    );

  test('the action refuses each case before any request, naming the input and the field', async () => {
    for (const c of LIMIT_CASES) {
      const request = limitRequest(c);
      const run = await action({
        operation: c.operation,
        'thing-name': 'gw-7',
        ...(c.operation === 'update-job-execution' && { 'job-id': 'fw-42', status: 'IN_PROGRESS' }),
        ...('details' in c
          ? { 'status-details': JSON.stringify(request.statusDetails) }
          : { 'step-timeout-in-minutes': '-1' }),
        'status-details-value-length': c.reading,
      });
      expect([c.operation, c.name, run.code, run.outputs['error-code']]).toEqual([
        c.operation,
        c.name,
        1,
        'invalid-input',
      ]);
      expect(run.outputs['error-message']).toMatch(
        new RegExp(`^input ${inputOf(c.field)}: ${c.field.replace('.', '\\.')} `),
      );
    }
    expect(await fx.requests()).toEqual([]);
  }, 120_000);

  test('the action: its two reading inputs take only their readings, and only where status-details are sent', async () => {
    const bad = await action({
      'job-id': 'fw-42',
      'thing-name': 'gw-7',
      status: 'IN_PROGRESS',
      'status-details-value-length': '256',
    });
    expect([bad.code, bad.outputs['error-code'], bad.outputs['error-message']]).toEqual([
      1,
      'invalid-input',
      'status-details-value-length is "256"; use 1024 (AWS CLI v2\'s iot-jobs-data model) or 128 (the developer guide\'s job-limits table)',
    ]);
    const elsewhere = await action({
      operation: 'describe-job-execution',
      'job-id': 'fw-42',
      'thing-name': 'gw-7',
      'status-details-update': 'merge',
    });
    expect(elsewhere.outputs['error-message']).toBe(
      'status-details-update does not apply to describe-job-execution, which sends no status-details; leave it out',
    );
    expect(await fx.requests()).toEqual([]);
  }, 60_000);

  test('the action: status-details-update merge decides a re-run where the service merges', async () => {
    await fx.settings({ statusDetailsUpdate: 'merge' });
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'IN_PROGRESS', statusDetails: { step: '3' } });
    const report = { 'job-id': 'fw-42', 'thing-name': 'gw-7', status: 'SUCCEEDED', 'status-details': 'result=ok' };
    const first = await action({ ...report, 'status-details-update': 'merge' });
    expect([first.code, first.outputs.changed, first.outputs['status-details']]).toEqual([
      0,
      'true',
      '{"step":"3","result":"ok"}',
    ]);
    const again = await action({ ...report, 'status-details-update': 'merge' });
    expect([again.code, again.outputs.changed]).toEqual([0, 'false']);
    // Read as replace, the details the service kept are not the map asked: a refusal, not "already done".
    const replaceReading = await action(report);
    expect([replaceReading.code, replaceReading.outputs['error-code']]).toEqual([1, 'invalid-transition']);
  }, 60_000);

  test('the CLI refuses each case before any request, naming the field (exit 254 with the service’s words, or 252)', async () => {
    for (const c of LIMIT_CASES) {
      const request = limitRequest(c);
      const args = [
        c.operation,
        '--thing-name',
        'gw-7',
        ...(c.operation === 'update-job-execution' ? ['--job-id', 'fw-42', '--status', 'IN_PROGRESS'] : []),
        ...('details' in c
          ? ['--status-details', JSON.stringify(request.statusDetails)]
          : ['--step-timeout-in-minutes', '-1']),
        '--status-details-value-length',
        c.reading,
      ];
      const run = await cli(args);
      expect([c.operation, c.name, run.code]).toEqual([c.operation, c.name, 254]);
      expect(run.stderr).toContain(`aws-job-steps: not sent: ${c.field} `);
      expect(run.stderr.trim().split('\n').at(-1)).toMatch(
        /^An error occurred \(InvalidRequestException\) when calling the \w+ operation: 1 validation error detected: /,
      );
    }
    expect(await fx.requests()).toEqual([]);
  }, 120_000);

  test('the CLI: its two reading options take only their choices, and only for commands that send statusDetails', async () => {
    const bad = await cli([
      'update-job-execution',
      '--job-id',
      'fw-42',
      '--thing-name',
      'gw-7',
      '--status',
      'IN_PROGRESS',
      '--status-details-update',
      'append',
    ]);
    expect(bad.code).toBe(252);
    expect(bad.stderr).toContain(
      'aws-job-steps: error: argument --status-details-update: Invalid choice, valid choices are:',
    );
    const elsewhere = await cli([
      'get-pending-job-executions',
      '--thing-name',
      'gw-7',
      '--status-details-value-length',
      '128',
    ]);
    expect(elsewhere.code).toBe(252);
    expect(elsewhere.stderr).toContain(
      'argument --status-details-value-length: does not apply to get-pending-job-executions, which sends no statusDetails; leave it out',
    );
    expect(await fx.requests()).toEqual([]);
    // Honoured: where the service merges, a re-run is done only when the command reads it so.
    await fx.settings({ statusDetailsUpdate: 'merge' });
    await fx.deviceUpdate('gw-7', 'fw-42', { status: 'IN_PROGRESS', statusDetails: { step: '3' } });
    const report = [
      'update-job-execution',
      '--job-id',
      'fw-42',
      '--thing-name',
      'gw-7',
      '--status',
      'SUCCEEDED',
      '--status-details',
      'result=ok',
      '--report-changed',
    ];
    expect((await cli([...report, '--status-details-update', 'merge'])).code).toBe(0);
    const again = await cli([...report, '--status-details-update', 'merge']);
    expect([again.code, JSON.parse(again.stdout).changed]).toEqual([0, false]);
    expect((await cli(report)).code).toBe(254);
  }, 60_000);
});
