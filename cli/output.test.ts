/**
 * The AWS CLI's output formats, byte for byte on small shapes (the differential tests in test/cli.test.ts compare
 * whole commands, yaml included: it is loaded with import(), which Jest's module system does not run in-process).
 */
import { formatOutput } from './output';

const response = { executionState: { status: 'SUCCEEDED', statusDetails: { b: '2', a: 'ü' }, versionNumber: 3 } };

test('json is Python json.dumps with indent 4 and non-ASCII kept', async () => {
  expect(await formatOutput(response, 'json')).toBe(
    '{\n    "executionState": {\n        "status": "SUCCEEDED",\n        "statusDetails": {\n            "b": "2",\n            "a": "ü"\n        },\n        "versionNumber": 3\n    }\n}\n',
  );
});

test('text puts scalars on one tab-separated line, nested maps on lines named in upper case, keys sorted', async () => {
  expect(await formatOutput(response, 'text')).toBe('EXECUTIONSTATE\tSUCCEEDED\t3\nSTATUSDETAILS\tü\t2\n');
});

test('an empty response prints nothing, as the AWS CLI does', async () => {
  expect(await formatOutput({}, 'json')).toBe('');
  expect(await formatOutput({}, 'text')).toBe('');
});
