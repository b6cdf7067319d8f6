/**
 * The update-job-execution input: its raw shape (what `aws iot-jobs-data update-job-execution
 * --generate-cli-skeleton` prints, with strings allowed where wrappers only have strings) and the one parser that
 * turns it into the typed, validated request. The limits are botocore's `iot-jobs-data` model (2017-09-29).
 */
import { invalidInput } from './errors';
import {
  checkKnownKeys,
  checkString,
  isGiven,
  parseBoolean,
  parseEnum,
  parseInteger,
  parseString,
  parseStringMap,
  type StringRule,
} from './parse';

/** The statuses a device may set with UpdateJobExecution; the others are set by AWS or the operator. */
export const DeviceJobStatus = {
  InProgress: 'IN_PROGRESS',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  Rejected: 'REJECTED',
} as const;
export type DeviceJobStatus = (typeof DeviceJobStatus)[keyof typeof DeviceJobStatus];

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

/** What callers may pass: the AWS shape, values as their types or as strings. */
export interface UpdateJobExecutionInputRaw {
  jobId?: unknown;
  thingName?: unknown;
  status?: unknown;
  statusDetails?: unknown;
  stepTimeoutInMinutes?: unknown;
  expectedVersion?: unknown;
  includeJobExecutionState?: unknown;
  includeJobDocument?: unknown;
  executionNumber?: unknown;
}

/** The validated request, exactly what UpdateJobExecution takes. */
export interface UpdateJobExecutionInput {
  readonly jobId: string;
  readonly thingName: string;
  readonly status: DeviceJobStatus;
  readonly statusDetails?: Readonly<Record<string, string>>;
  readonly stepTimeoutInMinutes?: number;
  readonly expectedVersion?: number;
  readonly includeJobExecutionState?: boolean;
  readonly includeJobDocument?: boolean;
  readonly executionNumber?: number;
}

const FIELDS = [
  'jobId',
  'thingName',
  'status',
  'statusDetails',
  'stepTimeoutInMinutes',
  'expectedVersion',
  'includeJobExecutionState',
  'includeJobDocument',
  'executionNumber',
] as const satisfies readonly (keyof UpdateJobExecutionInputRaw)[];

// The model's patterns are unanchored; the service matches them against the whole value.
const JOB_ID: StringRule = { min: 1, max: 64, pattern: /^[a-zA-Z0-9_-]+$/, patternText: 'letters, digits, - and _' };
const THING_NAME: StringRule = {
  min: 1,
  max: 128,
  pattern: /^[a-zA-Z0-9:_-]+$/,
  patternText: 'letters, digits, :, - and _',
};
const DETAILS_KEY: StringRule = {
  min: 1,
  max: 128,
  pattern: /^[a-zA-Z0-9:_-]+$/,
  patternText: 'letters, digits, :, - and _',
};
// `[^\p{C}]+`: no control or format characters. 1,024 is the limit the API reference gives for values.
const DETAILS_VALUE: StringRule = {
  min: 1,
  max: 1024,
  pattern: /^[^\p{C}]+$/u,
  patternText: 'printable text without control characters (no newlines or tabs)',
};
/** The step timer: 1 minute to 7 days, or -1 to cancel the current timer. */
const STEP_TIMEOUT = { min: 1, max: 10080, also: -1 } as const;

function parseStatus(value: unknown): DeviceJobStatus {
  const allowed = Object.values(DeviceJobStatus);
  if (typeof value === 'string') {
    const upper = value.trim().toUpperCase();
    const reason = NOT_DEVICE_SET[upper];
    if (reason)
      throw invalidInput('status', `is ${upper}, which a device cannot set`, `${reason}; use ${allowed.join(', ')}`);
  }
  return parseEnum('status', value, allowed);
}

function parseStatusDetails(value: unknown): Record<string, string> {
  const details = parseStringMap('statusDetails', value);
  for (const [key, v] of Object.entries(details)) {
    checkString(`statusDetails key ${JSON.stringify(key)}`, key, DETAILS_KEY);
    checkString(`statusDetails.${key}`, v, DETAILS_VALUE);
  }
  return details;
}

/**
 * Parses and validates an update-job-execution input, before anything is sent.
 *
 * @throws StepError `invalid-input` naming the field, the problem and the fix.
 * @example parseUpdateJobExecutionInput({ jobId: 'fw-42', thingName: 'gw-7', status: 'succeeded', expectedVersion: '3' })
 */
export function parseUpdateJobExecutionInput(raw: unknown): UpdateJobExecutionInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidInput('input', 'must be an object with jobId, thingName and status', 'pass the AWS request shape');
  }
  checkKnownKeys(raw, FIELDS, 'UpdateJobExecution');
  const r = raw as UpdateJobExecutionInputRaw;
  const optional = <T>(value: unknown, parse: (v: unknown) => T): T | undefined =>
    isGiven(value) ? parse(value) : undefined;
  const input: UpdateJobExecutionInput = {
    jobId: parseString('jobId', r.jobId, JOB_ID),
    thingName: parseString('thingName', r.thingName, THING_NAME),
    status: parseStatus(r.status),
    statusDetails: optional(r.statusDetails, parseStatusDetails),
    stepTimeoutInMinutes: optional(r.stepTimeoutInMinutes, (v) =>
      parseInteger('stepTimeoutInMinutes', v, STEP_TIMEOUT),
    ),
    expectedVersion: optional(r.expectedVersion, (v) => parseInteger('expectedVersion', v, { min: 1 })),
    includeJobExecutionState: optional(r.includeJobExecutionState, (v) => parseBoolean('includeJobExecutionState', v)),
    includeJobDocument: optional(r.includeJobDocument, (v) => parseBoolean('includeJobDocument', v)),
    executionNumber: optional(r.executionNumber, (v) => parseInteger('executionNumber', v, { min: 1 })),
  };
  // Drop the absent members, so the request and any JSON of it hold only what was given.
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as UpdateJobExecutionInput;
}
