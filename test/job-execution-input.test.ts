/**
 * Property tests of the update-job-execution input parser: every valid input, in every spelling a wrapper may
 * hand over, parses to the same request; every invalid one is an `invalid-input` StepError, and the step then
 * sends nothing (checked against the emulator's request log).
 */
import fc from 'fast-check';

import {
  Connection,
  parseUpdateJobExecutionInput,
  StepError,
  updateJobExecution,
  type ConnectionSettings,
} from '../core/index';
import { startNextPendingJobExecution } from '../core/iot-jobs/operations/start-next-pending-job-execution';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';
import { expectStepError } from './helpers/steps';

const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });

const ID = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
const jobId = chars(ID, 1, 64);
const thingName = chars(`${ID}:`, 1, 128);
// `__proto__` matches the model's key pattern but cannot be sent (the SDK drops it): refused, tested below.
const detailsKey = chars(`${ID}:`, 1, 20).filter((k) => k !== '__proto__');
/** Printable values that the shorthand can carry unquoted: no , = quotes, and no white space at the ends. */
const plainValue = chars(`${ID}:./ +@#`, 1, 30).filter((v) => v.trim() === v);
/** Any printable text (no control or format characters), up to the limit. */
const anyValue = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((v) => /^[^\p{C}]+$/u.test(v) && [...v].length <= 1024);
const status = fc.constantFrom('IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED');
const casing = fc.constantFrom(
  (s: string) => s,
  (s: string) => s.toLowerCase(),
  (s: string) => s[0] + s.slice(1).toLowerCase(),
);
const stepTimeout = fc.oneof(fc.integer({ min: 1, max: 10080 }), fc.constant(-1));
const version = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

const canonical = fc.record(
  {
    jobId,
    thingName,
    status,
    statusDetails: fc.dictionary(detailsKey, anyValue, { minKeys: 1, maxKeys: 5, noNullPrototype: true }),
    stepTimeoutInMinutes: stepTimeout,
    expectedVersion: version,
    includeJobExecutionState: fc.boolean(),
    includeJobDocument: fc.boolean(),
    executionNumber: version,
  },
  { requiredKeys: ['jobId', 'thingName', 'status'] },
);

describe('parseUpdateJobExecutionInput', () => {
  test('valid inputs parse to themselves, from objects or from strings', () => {
    fc.assert(
      fc.property(canonical, casing, fc.boolean(), (input, spell, asJson) => {
        const asStrings = Object.fromEntries(
          Object.entries(input).map(([k, v]) => [
            k,
            k === 'status' ? spell(v as string) : k === 'statusDetails' ? (asJson ? JSON.stringify(v) : v) : String(v),
          ]),
        );
        expect(parseUpdateJobExecutionInput(input)).toEqual(input);
        expect(parseUpdateJobExecutionInput(asStrings)).toEqual(input);
      }),
      { numRuns: 300 },
    );
  });

  test('the AWS CLI shorthand, with commas or one pair per line, gives the same details as the object', () => {
    fc.assert(
      fc.property(
        fc.dictionary(detailsKey, plainValue, { minKeys: 1, maxKeys: 6 }),
        fc.dictionary(
          detailsKey,
          anyValue.filter((v) => !v.includes('"')),
          { minKeys: 1, maxKeys: 3 },
        ),
        fc.constantFrom(',', ', ', '\n', '\r\n', ' \n'),
        (plain, quoted, separator) => {
          const merged = { ...plain, ...quoted };
          const shorthand = Object.entries(merged)
            .map(([k, v]) => (Object.hasOwn(quoted, k) ? `${k}="${v}"` : `${k}=${v}`))
            .join(separator);
          const parsed = parseUpdateJobExecutionInput({
            jobId: 'j',
            thingName: 't',
            status: 'FAILED',
            statusDetails: shorthand,
          });
          expect(parsed.statusDetails).toEqual(merged);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('empty strings and null mean "not given", as unset wrapper inputs arrive', () => {
    expect(
      parseUpdateJobExecutionInput({
        jobId: 'j',
        thingName: 't',
        status: 'FAILED',
        statusDetails: '',
        stepTimeoutInMinutes: null,
        expectedVersion: undefined,
        includeJobDocument: '',
      }),
    ).toEqual({ jobId: 'j', thingName: 't', status: 'FAILED' });
  });
});

/** One field of a valid input made invalid, in the ways users and wrappers get it wrong. */
const invalid = fc.oneof(
  jobId.map((j) => ({ jobId: `${j} ` })),
  chars(ID, 65, 70).map((j) => ({ jobId: j })),
  fc.constantFrom('', 'DONE', 'SUCCESS', 'QUEUED', 'CANCELED', 'in progress', 'TIMED_OUT').map((s) => ({ status: s })),
  fc.oneof(fc.constantFrom(0, -2, 10081, 1.5, '5x', '1e3', ' ', 'ten'), fc.integer({ min: 10081 })).map((t) => ({
    stepTimeoutInMinutes: t,
  })),
  fc.constantFrom(0, -1, '1.0', 'v2', 2 ** 53).map((v) => ({ expectedVersion: v })),
  fc.constantFrom('yes', 1, 'TRUE!', 'on').map((b) => ({ includeJobExecutionState: b })),
  fc.constantFrom({ a: '' }, { a: 'x\ny' }, { 'a b': 'x' }, { a: 5 }, 'a', 'a=1,', '{bad', ['x']).map((d) => ({
    statusDetails: d,
  })),
  fc.constantFrom('jobID', 'Status', 'thing', 'details').map((k) => ({ [k]: 'x' })),
);

describe('invalid inputs', () => {
  const fx = useEmulator();
  let aws: Connection;
  beforeAll(async () => {
    aws = new Connection({ region: 'us-east-1', endpoint: fx.url, credentials: FIXTURE_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    aws.destroy();
  });

  test('are always invalid-input naming a field, and the step sends nothing', async () => {
    await fc.assert(
      fc.asyncProperty(invalid, async (bad) => {
        const input = { jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS', ...bad };
        const outcome = await updateJobExecution(input, aws).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(outcome).toBeInstanceOf(StepError);
        const error = outcome as StepError;
        expect(error.code).toBe('invalid-input');
        expect(error.message.startsWith(error.field ?? '\0')).toBe(true);
        expect(error.attempts).toBe(0);
      }),
      { numRuns: 300 },
    );
    expect(await fx.requests()).toEqual([]);
  });
});

describe('statusDetails limits and the start-next step timer, refused before any request', () => {
  const fx = useEmulator();
  const connection = (settings: ConnectionSettings = {}): Connection =>
    new Connection({ region: 'us-east-1', endpoint: fx.url, credentials: FIXTURE_CREDENTIALS, ...settings });
  const pairs = (n: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
  /** The two steps that send statusDetails, as a function of their details. */
  const steps = {
    'update-job-execution': (statusDetails: unknown, aws: Connection) =>
      updateJobExecution({ jobId: 'fw-42', thingName: 'gw-7', status: 'IN_PROGRESS', statusDetails }, aws),
    'start-next-pending-job-execution': (statusDetails: unknown, aws: Connection) =>
      startNextPendingJobExecution({ thingName: 'gw-7', statusDetails }, aws),
  };
  beforeEach(() => fx.clearRequests());

  test.each(Object.keys(steps) as (keyof typeof steps)[])(
    '%s: 11 pairs, and a value one over the length of each reading',
    async (name) => {
      const run = steps[name];
      const cases: [ConnectionSettings, unknown, string, string][] = [
        [
          {},
          pairs(11),
          'statusDetails',
          "statusDetails has 11 pairs; the limit is 10 (AWS IoT's job limits); send fewer",
        ],
        [{ statusDetailsUpdate: 'merge' }, pairs(11), 'statusDetails', expect.stringContaining('11 pairs')],
        [
          {},
          { note: 'x'.repeat(1025) },
          'statusDetails.note',
          'statusDetails.note is 1025 characters long; the limit is 1024',
        ],
        [
          { statusDetailsValueLength: 1024 },
          `note=${'x'.repeat(1025)}`,
          'statusDetails.note',
          'statusDetails.note is 1025 characters long; the limit is 1024',
        ],
        [
          { statusDetailsValueLength: 128 },
          { note: 'x'.repeat(129) },
          'statusDetails.note',
          'statusDetails.note is 129 characters long; the limit is 128',
        ],
        [
          { statusDetailsValueLength: '128' },
          JSON.stringify({ note: 'x'.repeat(129) }),
          'statusDetails.note',
          'statusDetails.note is 129 characters long; the limit is 128',
        ],
      ] as never;
      for (const [settings, details, field, message] of cases) {
        const aws = connection(settings);
        try {
          const error = await expectStepError(run(details, aws));
          expect([error.code, error.field, error.message, error.attempts]).toEqual([
            'invalid-input',
            field,
            message,
            0,
          ]);
        } finally {
          aws.destroy();
        }
      }
      expect(await fx.requests()).toEqual([]);
    },
  );

  test('10 pairs, and values of exactly the length each reading allows, are let through', () => {
    expect(
      parseUpdateJobExecutionInput({ jobId: 'j', thingName: 't', status: 'FAILED', statusDetails: pairs(10) }),
    ).toMatchObject({ statusDetails: pairs(10) });
    for (const length of [128, 1024] as const) {
      const input = { jobId: 'j', thingName: 't', status: 'FAILED', statusDetails: { note: 'x'.repeat(length) } };
      const readings = { statusDetailsValueLength: length, statusDetailsUpdate: 'replace' } as const;
      expect(parseUpdateJobExecutionInput(input, readings).statusDetails?.note).toHaveLength(length);
    }
  });

  test('start-next refuses stepTimeoutInMinutes -1, naming the field and the range, in AWS’s words too', async () => {
    const aws = connection();
    try {
      for (const value of [-1, '-1']) {
        const error = await expectStepError(
          startNextPendingJobExecution({ thingName: 'gw-7', stepTimeoutInMinutes: value }, aws),
        );
        expect([error.code, error.field, error.message]).toEqual([
          'invalid-input',
          'stepTimeoutInMinutes',
          'stepTimeoutInMinutes is -1, which only update-job-execution takes (it cancels the step timer); give minutes from 1 to 10080, or leave it out',
        ]);
        expect(error.awsWording).toEqual({
          by: 'service',
          name: 'InvalidRequestException',
          message:
            "1 validation error detected: Value '-1' at 'stepTimeoutInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1",
        });
      }
      const zero = await expectStepError(
        startNextPendingJobExecution({ thingName: 'gw-7', stepTimeoutInMinutes: 0 }, aws),
      );
      expect(zero.message).toBe('stepTimeoutInMinutes is 0; it must be from 1 to 10080 or -1');
    } finally {
      aws.destroy();
    }
    expect(await fx.requests()).toEqual([]);
  });

  test('the two connection settings take only their readings, naming the setting and both readings', async () => {
    const bad: [ConnectionSettings, string][] = [
      [
        { statusDetailsValueLength: 500 as never },
        "statusDetailsValueLength is 500; use 1024 (AWS CLI v2's iot-jobs-data model) or 128 (the developer guide's job-limits table)",
      ],
      [
        { statusDetailsValueLength: '1k' as never },
        'statusDetailsValueLength is "1k"; use 1024 (AWS CLI v2\'s iot-jobs-data model) or 128 (the developer guide\'s job-limits table)',
      ],
      [
        { statusDetailsUpdate: 'append' as never },
        'statusDetailsUpdate is "append"; use one of replace, merge (replace: the given map becomes the execution\'s; merge: the given pairs are set, the others kept)',
      ],
      [{ statusDetailsUpdate: 'merg' as never }, 'statusDetailsUpdate is "merg"; did you mean merge?'],
    ];
    for (const [settings, message] of bad) {
      const error = await expectStepError(steps['update-job-execution']({ a: 'b' }, settings as never));
      expect([error.code, error.field, error.message]).toEqual(['invalid-input', message.split(' ')[0], message]);
    }
    expect(new Connection({ statusDetailsValueLength: '128', statusDetailsUpdate: 'MERGE' as never }).readings).toEqual(
      {
        statusDetailsValueLength: 128,
        statusDetailsUpdate: 'merge',
      },
    );
    expect(new Connection({}).readings).toEqual({ statusDetailsValueLength: 1024, statusDetailsUpdate: 'replace' });
    expect(await fx.requests()).toEqual([]);
  });
});
