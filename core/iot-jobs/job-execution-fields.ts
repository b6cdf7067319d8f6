/**
 * What the AWS IoT Jobs data-plane operations share: the limits of their parameters (botocore's `iot-jobs-data`
 * model, 2017-09-29), the parameters several of them take (declared once, used by each operation's table), the
 * statuses, and the `JobExecution` shape their answers carry.
 */
import type { JobExecution } from './model';

import { invalidInput, serviceValidation } from '../shared/errors';
import { fieldText, type Parameter, type ResultField, type ShapeMember } from '../shared/operation';
import { checkString, parseEnum, parseInteger, parseStringMap, type StringRule } from '../shared/parse';
import {
  DEFAULT_READINGS,
  StatusDetailsUpdate,
  type Readings,
  type StatusDetailsValueLength,
} from '../shared/readings';

/** The statuses a device may set with UpdateJobExecution; the others are set by AWS or the operator. */
export const DeviceJobStatus = {
  InProgress: 'IN_PROGRESS',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  Rejected: 'REJECTED',
} as const;
export type DeviceJobStatus = (typeof DeviceJobStatus)[keyof typeof DeviceJobStatus];

/** The model's `JobExecutionStatus` enum, in its order (the service lists it so when it refuses another value). */
const JOB_EXECUTION_STATUSES = [
  'QUEUED',
  'IN_PROGRESS',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'REJECTED',
  'REMOVED',
  'CANCELED',
] as const;

/** Statuses after which an execution never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set([
  'SUCCEEDED',
  'FAILED',
  'REJECTED',
  'TIMED_OUT',
  'REMOVED',
  'CANCELED',
]);

/** The statuses the model lists that a device cannot set, with who sets them: used to explain a refusal. */
const NOT_DEVICE_SET: Readonly<Record<string, string>> = {
  QUEUED: 'AWS IoT sets QUEUED when the job is created',
  TIMED_OUT: 'AWS IoT sets TIMED_OUT when a timer expires',
  REMOVED: 'AWS IoT sets REMOVED when the thing leaves the job',
  CANCELED: 'the operator sets CANCELED with `aws iot cancel-job-execution`',
};

// The model's patterns are unanchored; the service matches them against the whole value.
export const JOB_ID: StringRule = {
  min: 1,
  max: 64,
  pattern: /^[a-zA-Z0-9_-]+$/,
  patternText: 'letters, digits, - and _',
  awsWords: true,
};
export const THING_NAME: StringRule = {
  min: 1,
  max: 128,
  pattern: /^[a-zA-Z0-9:_-]+$/,
  patternText: 'letters, digits, :, - and _',
  awsWords: true,
};
const DETAILS_KEY: StringRule = {
  min: 1,
  max: 128,
  pattern: /^[a-zA-Z0-9:_-]+$/,
  patternText: 'letters, digits, :, - and _',
  awsWords: true,
};
/**
 * A `statusDetails` value: `[^\p{C}]+`, no control or format characters; its longest is the connection's reading
 * (`statusDetailsValueLength`: 1,024 in AWS CLI v2's `iot-jobs-data` model, 128 in the job-limits table).
 */
const detailsValue = (max: StatusDetailsValueLength): StringRule => ({
  min: 1,
  max,
  pattern: /^[^\p{C}]+$/u,
  patternText: 'printable text without control characters (no newlines or tabs)',
  awsWords: true,
});
/**
 * Pairs in a `statusDetails` map: the developer guide's job-limits table gives 1 to 10 (neither CLI's `iot-jobs-data`
 * model gives a bound).
 */
export const MAX_DETAILS_PAIRS = 10;
/** The step timer: 1 minute to 7 days, or -1 to cancel the current timer. */
export const STEP_TIMEOUT = { min: 1, max: 10080, also: -1 } as const;

export function parseStatus(value: unknown): DeviceJobStatus {
  const allowed = Object.values(DeviceJobStatus);
  if (typeof value === 'string') {
    const upper = value.trim().toUpperCase();
    const reason = NOT_DEVICE_SET[upper];
    if (reason)
      throw invalidInput('status', `is ${upper}, which a device cannot set`, `${reason}; use ${allowed.join(', ')}`);
  }
  return parseEnum('status', value, allowed, '', JOB_EXECUTION_STATUSES);
}

/**
 * A `statusDetails` map: at most 10 pairs, each key and value within the model's rules, values no longer than the
 * connection's reading allows.
 *
 * @throws StepError `invalid-input` naming `statusDetails`, or the key or value at fault.
 */
export function parseStatusDetails(value: unknown, readings: Readings = DEFAULT_READINGS): Record<string, string> {
  const details = parseStringMap('statusDetails', value);
  const pairs = Object.keys(details).length;
  if (pairs > MAX_DETAILS_PAIRS)
    throw invalidInput(
      'statusDetails',
      `has ${pairs} pairs`,
      `the limit is ${MAX_DETAILS_PAIRS} (AWS IoT's job limits); send fewer`,
      serviceValidation(
        'statusDetails',
        JSON.stringify(details),
        `Member must have length less than or equal to ${MAX_DETAILS_PAIRS}`,
      ),
    );
  const rule = detailsValue(readings.statusDetailsValueLength);
  for (const [key, v] of Object.entries(details)) {
    checkString(`statusDetails key ${JSON.stringify(key)}`, key, DETAILS_KEY);
    checkString(`statusDetails.${key}`, v, rule);
  }
  return details;
}

/**
 * StartNextPendingJobExecution's step timer: the model documents 1 to 10080 for it; -1 (cancel the timer) only for
 * UpdateJobExecution. The shape is an unbounded long and the AWS CLIs send -1 unchecked, so AWS's answer is unknown:
 * refused here before sending, in the words of a range check (what the emulator answers by default).
 *
 * @throws StepError `invalid-input` naming `stepTimeoutInMinutes` and the range.
 */
export function parseStartNextStepTimeout(value: unknown): number {
  const minutes = parseInteger('stepTimeoutInMinutes', value, STEP_TIMEOUT);
  if (minutes === STEP_TIMEOUT.also)
    throw invalidInput(
      'stepTimeoutInMinutes',
      `is ${minutes}, which only update-job-execution takes (it cancels the step timer)`,
      `give minutes from ${STEP_TIMEOUT.min} to ${STEP_TIMEOUT.max}, or leave it out`,
      serviceValidation(
        'stepTimeoutInMinutes',
        String(minutes),
        `Member must have value greater than or equal to ${STEP_TIMEOUT.min}`,
      ),
    );
  return minutes;
}

/**
 * Whether an operation sends `statusDetails`, so that the connection's readings of them (`statusDetailsValueLength`,
 * `statusDetailsUpdate`) apply to it: a wrapper refuses them, rather than ignore them, for any other.
 */
export function sendsStatusDetails(operation: { readonly parameters: readonly Parameter[] }): boolean {
  return operation.parameters.some((p) => p.member === STATUS_DETAILS_PARAMETER.member);
}

/** `DescribeJobExecution` also takes `$next`: the thing's next pending execution (IN_PROGRESS first, then QUEUED). */
export const NEXT_JOB_ID = '$next';

export const THING_NAME_PARAMETER: Parameter = {
  flag: 'thing-name',
  member: 'thingName',
  kind: 'string',
  required: true,
  help: 'The name of the thing associated with the device.',
  label: 'Thing',
  rule: THING_NAME,
};

export const JOB_ID_PARAMETER: Parameter = {
  flag: 'job-id',
  member: 'jobId',
  kind: 'string',
  required: true,
  help: 'The unique identifier assigned to this job when it was created.',
  label: 'Job id',
  rule: JOB_ID,
};

export const STATUS_DETAILS_PARAMETER: Parameter = {
  flag: 'status-details',
  member: 'statusDetails',
  kind: 'map',
  required: false,
  help: "Up to 10 name/value pairs of text, as JSON, as KeyName1=string,KeyName2=string, or one pair per line. Replace the details when given (merged into them when the connection's statusDetailsUpdate is merge); kept when omitted.",
  label: 'Details',
  parse: parseStatusDetails,
};

export const STEP_TIMEOUT_PARAMETER: Parameter = {
  flag: 'step-timeout-in-minutes',
  member: 'stepTimeoutInMinutes',
  kind: 'integer',
  required: false,
  help: 'Minutes (1 to 10080) before the execution times out; -1 cancels the timer.',
  label: 'Step timeout (min)',
  range: STEP_TIMEOUT,
};

export const INCLUDE_JOB_DOCUMENT_PARAMETER: Parameter = {
  flag: 'include-job-document',
  member: 'includeJobDocument',
  kind: 'boolean',
  required: false,
  help: 'Return the job document in the answer.',
  label: 'Return document',
};

export const EXECUTION_NUMBER_PARAMETER: Parameter = {
  flag: 'execution-number',
  member: 'executionNumber',
  kind: 'integer',
  required: false,
  help: 'Which execution of the job on the thing, when it has run more than once.',
  label: 'Execution no.',
  range: { min: 1 },
};

/** `JobExecution` in the model's member order. */
export const JOB_EXECUTION_SHAPE: readonly ShapeMember[] = [
  { name: 'jobId' },
  { name: 'thingName' },
  { name: 'status' },
  { name: 'statusDetails', map: true },
  { name: 'queuedAt', kind: 'integer' },
  { name: 'startedAt', kind: 'integer' },
  { name: 'lastUpdatedAt', kind: 'integer' },
  { name: 'approximateSecondsBeforeTimedOut', kind: 'integer' },
  { name: 'versionNumber', kind: 'integer' },
  { name: 'executionNumber', kind: 'integer' },
  { name: 'jobDocument' },
];

/**
 * Whether an execution's details are what an update asking `wanted` leaves, under the connection's reading of
 * `statusDetailsUpdate`: `replace`, the same keys with the same values (a key the request lacks is a difference);
 * `merge`, every asked pair present with the asked value (other pairs are kept by the update, so they are no
 * difference).
 */
export function detailsAsAsked(
  wanted: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string>> = {},
  update: StatusDetailsUpdate,
): boolean {
  const keys = Object.keys(wanted);
  if (update === StatusDetailsUpdate.Replace && keys.length !== Object.keys(current).length) return false;
  return keys.every((k) => Object.hasOwn(current, k) && current[k] === wanted[k]);
}

/** The fields of a result that carries one `JobExecution` (describe, start-next). */
export function executionFields<R>(execution: (result: R) => JobExecution | undefined): ResultField<R>[] {
  return [
    { name: 'job-id', help: "the execution's job", value: (r) => fieldText(execution(r)?.jobId) },
    { name: 'status', help: "the execution's status afterwards", value: (r) => fieldText(execution(r)?.status) },
    {
      name: 'version-number',
      help: "the execution's version afterwards",
      value: (r) => fieldText(execution(r)?.versionNumber),
    },
    {
      name: 'status-details',
      help: "the execution's details afterwards, as JSON",
      value: (r) => JSON.stringify(execution(r)?.statusDetails ?? {}),
    },
    {
      name: 'execution-number',
      help: 'which execution of the job on the thing it is',
      value: (r) => fieldText(execution(r)?.executionNumber),
    },
    {
      name: 'job-document',
      help: 'the job document, when asked for',
      value: (r) => fieldText(execution(r)?.jobDocument),
    },
  ];
}
