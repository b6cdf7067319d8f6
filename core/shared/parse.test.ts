/**
 * The AWS wording a refusal carries, for a drop-in CLI's last line: botocore's for a minimum length, the service's
 * for the rest of a model's rule, none for rules that are ours alone (the CLI differential tests check the words
 * against AWS CLI v2 talking to the emulator).
 */
import type { StepError } from './errors';
import { checkString, parseEnum } from './parse';

const refusal = (f: () => unknown): StepError => {
  try {
    f();
  } catch (error) {
    return error as StepError;
  }
  throw new Error('accepted');
};

const MODEL_RULE = { min: 1, max: 4, pattern: /^[a-z]+$/, patternText: 'a to z', awsWords: true };

test.each([
  ['', { by: 'client', message: 'Invalid length for parameter thingName, value: 0, valid min length: 1' }],
  [
    'abcde',
    {
      by: 'service',
      name: 'InvalidRequestException',
      message:
        "1 validation error detected: Value 'abcde' at 'thingName' failed to satisfy constraint: Member must have length less than or equal to 4",
    },
  ],
  [
    'a b',
    {
      by: 'service',
      name: 'InvalidRequestException',
      message:
        "1 validation error detected: Value 'a b' at 'thingName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z]+$",
    },
  ],
])('a model rule refuses %j in AWS words too', (value, wording) => {
  const error = refusal(() => checkString('thingName', value, MODEL_RULE));
  expect(error).toMatchObject({ code: 'invalid-input', field: 'thingName', awsWording: wording });
});

test('a rule of our own has no AWS words', () => {
  expect(refusal(() => checkString('JobId', 'a b', { ...MODEL_RULE, awsWords: false })).awsWording).toBeUndefined();
});

test('an enum: the model enum in the service words; a model value we refuse, our words only', () => {
  const model = ['QUEUED', 'SUCCEEDED'];
  expect(refusal(() => parseEnum('status', 'BOGUS', ['SUCCEEDED'], '', model)).awsWording).toEqual({
    by: 'service',
    name: 'InvalidRequestException',
    message:
      "1 validation error detected: Value 'BOGUS' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [QUEUED, SUCCEEDED]",
  });
  expect(refusal(() => parseEnum('status', 'QUEUED', ['SUCCEEDED'], '', model)).awsWording).toBeUndefined();
  expect(refusal(() => parseEnum('JobType', 'Bogus', ['Import', 'Export'])).awsWording).toBeUndefined();
});
