/**
 * Property tests of the update-job-execution input parser: every valid input, in every spelling a wrapper may
 * hand over, parses to the same request; every invalid one is an `invalid-input` StepError, and the step then
 * sends nothing (checked against the emulator's request log).
 */
import fc from 'fast-check';

import { Connection, parseUpdateJobExecutionInput, StepError, updateJobExecution } from '../core/index';
import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';

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
