/**
 * The AWS parameters of both steps, once: the AWS member name, the kebab-case name that the AWS CLI, the action's
 * inputs and the command line share, the kind, and the help text. The command line's --help is generated from it;
 * tests hold action.yml and the Node-RED help to the same words.
 */

/** How a flag takes its value. */
export type ParameterKind = 'string' | 'integer' | 'boolean' | 'map';

export interface Parameter {
  /** The flag without dashes, e.g. `job-id`. */
  readonly flag: string;
  /** The AWS request member, e.g. `jobId` or `JobId`. */
  readonly member: string;
  readonly kind: ParameterKind;
  readonly required: boolean;
  readonly help: string;
}

/** UpdateJobExecution's parameters (AWS IoT Jobs data plane), in the model's order. */
export const UPDATE_JOB_EXECUTION_PARAMETERS: readonly Parameter[] = [
  {
    flag: 'job-id',
    member: 'jobId',
    kind: 'string',
    required: true,
    help: 'The unique identifier assigned to this job when it was created.',
  },
  {
    flag: 'thing-name',
    member: 'thingName',
    kind: 'string',
    required: true,
    help: 'The name of the thing associated with the device.',
  },
  {
    flag: 'status',
    member: 'status',
    kind: 'string',
    required: true,
    help: 'The new status: IN_PROGRESS, SUCCEEDED, FAILED or REJECTED.',
  },
  {
    flag: 'status-details',
    member: 'statusDetails',
    kind: 'map',
    required: false,
    help: 'Name/value pairs of text, as JSON, as KeyName1=string,KeyName2=string, or one pair per line. Replaces the details when given; kept when omitted.',
  },
  {
    flag: 'step-timeout-in-minutes',
    member: 'stepTimeoutInMinutes',
    kind: 'integer',
    required: false,
    help: 'Minutes (1 to 10080) before the execution times out; -1 cancels the timer.',
  },
  {
    flag: 'expected-version',
    member: 'expectedVersion',
    kind: 'integer',
    required: false,
    help: 'The expected current version of the job execution; another version is a version conflict.',
  },
  {
    flag: 'include-job-execution-state',
    member: 'includeJobExecutionState',
    kind: 'boolean',
    required: false,
    help: 'Return the job execution state (status, details, version) in the answer.',
  },
  {
    flag: 'include-job-document',
    member: 'includeJobDocument',
    kind: 'boolean',
    required: false,
    help: 'Return the job document in the answer.',
  },
  {
    flag: 'execution-number',
    member: 'executionNumber',
    kind: 'integer',
    required: false,
    help: 'Which execution of the job on the thing, when it has run more than once.',
  },
];

/** UpdateJob's parameters (AWS Import/Export), in the model's order. */
export const UPDATE_JOB_PARAMETERS: readonly Parameter[] = [
  {
    flag: 'job-id',
    member: 'JobId',
    kind: 'string',
    required: true,
    help: 'A unique identifier which refers to a particular job.',
  },
  {
    flag: 'manifest',
    member: 'Manifest',
    kind: 'string',
    required: true,
    help: 'The UTF-8 encoded text of the manifest, or file://path to read it from. Never printed.',
  },
  { flag: 'job-type', member: 'JobType', kind: 'string', required: true, help: 'Import or Export, in any case.' },
  {
    flag: 'validate-only',
    member: 'ValidateOnly',
    kind: 'boolean',
    required: false,
    help: 'Validate the manifest and parameters without changing the job.',
  },
  {
    flag: 'api-version',
    member: 'APIVersion',
    kind: 'string',
    required: false,
    help: 'Specifies the version of the client tool.',
  },
];
