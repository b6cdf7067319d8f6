/** Unit tests of the table-driven request parser and the one failure renderer. */
import { describeFailure, StepError, StepErrorCode } from './errors';
import { parseParameters, type Parameter } from './operation';

const TABLE: readonly Parameter[] = [
  {
    flag: 'thing-name',
    member: 'thingName',
    kind: 'string',
    required: true,
    help: '',
    label: 'Thing',
    rule: { max: 5 },
  },
  {
    flag: 'colour',
    member: 'colour',
    kind: 'string',
    required: true,
    help: '',
    label: 'Colour',
    parse: (value) => {
      if (value === undefined) throw new StepError('colour is required; use red or blue', { code: 'invalid-input' });
      return String(value).toLowerCase();
    },
  },
  {
    flag: 'count',
    member: 'count',
    kind: 'integer',
    required: false,
    help: '',
    label: 'Count',
    range: { min: 1, max: 9 },
  },
  { flag: 'dry', member: 'dry', kind: 'boolean', required: false, help: '', label: 'Dry' },
  { flag: 'tags', member: 'tags', kind: 'map', required: false, help: '', label: 'Tags' },
];

const parse = (raw: unknown): Record<string, unknown> => parseParameters(raw, TABLE, 'Paint');
const failure = (raw: unknown): StepError => {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof StepError) return error;
    throw error;
  }
  throw new Error('expected a failure');
};

test.each([
  [
    { thingName: 'gw-7', colour: 'RED', count: '3', dry: 'TRUE', tags: 'a=1,b=2' },
    { thingName: 'gw-7', colour: 'red', count: 3, dry: true, tags: { a: '1', b: '2' } },
  ],
  [
    { thingName: 'gw-7', colour: 'blue', count: '', dry: null },
    { thingName: 'gw-7', colour: 'blue' },
  ],
])('%j parses to %j: each value by its kind and limits, absent and empty members left out', (raw, parsed) => {
  expect(parse(raw)).toEqual(parsed);
});

test.each([
  ['not an object', 'x', 'input', 'input must be an object with thingName, colour; pass the AWS request shape'],
  ['a list', [], 'input', 'input must be an object with thingName, colour; pass the AWS request shape'],
  [
    'a near-miss key',
    { thingname: 'gw-7', colour: 'red' },
    'thingname',
    'thingname is not a field of Paint; did you mean thingName?',
  ],
  ['a missing required member', { colour: 'red' }, 'thingName', 'thingName is required; give a value'],
  ['a missing member with its own parser', { thingName: 'gw-7' }, undefined, 'colour is required; use red or blue'],
  [
    'a string over its limit',
    { thingName: 'gateway', colour: 'red' },
    'thingName',
    'thingName is 7 characters long; the limit is 5',
  ],
  [
    'an integer out of range',
    { thingName: 'gw-7', colour: 'red', count: 10 },
    'count',
    'count is 10; it must be from 1 to 9',
  ],
  [
    'a boolean that is not one',
    { thingName: 'gw-7', colour: 'red', dry: 'yes' },
    'dry',
    'dry must be true or false, not "yes"; write true or false',
  ],
])('%s is refused, naming the field', (_, raw, field, message) => {
  const error = failure(raw);
  expect(error).toMatchObject({ code: StepErrorCode.InvalidInput, message });
  expect(error.field).toBe(field);
});

test('__proto__ in a request is a key like any other, refused, and pollutes nothing', () => {
  const error = failure(JSON.parse('{"thingName":"gw-7","colour":"red","__proto__":{"admin":true}}'));
  expect(error.field).toBe('__proto__');
  expect(({} as { admin?: boolean }).admin).toBeUndefined();
});

test.each([
  [{ code: StepErrorCode.NotFound, operation: 'UpdateJob', subject: 'JOB01' } as const, 'UpdateJob JOB01: gone'],
  [{ code: StepErrorCode.Timeout, operation: 'GetStatus' } as const, 'GetStatus: gone'],
  [{ code: StepErrorCode.InvalidInput, field: 'jobId' } as const, 'gone'],
])('describeFailure(%j) is %s', (details, text) => {
  expect(describeFailure(new StepError('gone', details))).toBe(text);
});
