/**
 * The two commands and their parameters, as the AWS CLI names them (`--job-id` → `jobId`), with their kinds, the
 * response shape in the service model's member order (which is the order the AWS CLI prints), and the help text.
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

/** A response member in model order; `members` for structures, `item` for lists of structures, `map` for maps. */
export interface ShapeMember {
  readonly name: string;
  readonly members?: readonly ShapeMember[];
  readonly item?: readonly ShapeMember[];
  readonly map?: true;
}

export interface CommandSpec {
  readonly name: 'update-job-execution' | 'update-job';
  /** What the AWS CLI calls the command, for help and error lines. */
  readonly awsCommand: string;
  readonly operation: 'UpdateJobExecution' | 'UpdateJob';
  readonly summary: string;
  readonly parameters: readonly Parameter[];
  readonly output: readonly ShapeMember[];
}

export const COMMANDS: Readonly<Record<CommandSpec['name'], CommandSpec>> = {
  'update-job-execution': {
    name: 'update-job-execution',
    awsCommand: 'aws iot-jobs-data update-job-execution',
    operation: 'UpdateJobExecution',
    summary:
      'Updates the status of a job execution (AWS IoT Jobs data plane), idempotently: a re-run that finds the ' +
      'execution already as asked succeeds without a second change.',
    parameters: [
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
        help: 'Name/value pairs, as JSON or KeyName1=string,KeyName2=string. Replaces the details when given.',
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
        help: 'The expected current version of the job execution.',
      },
      {
        flag: 'include-job-execution-state',
        member: 'includeJobExecutionState',
        kind: 'boolean',
        required: false,
        help: 'Return the job execution state.',
      },
      {
        flag: 'include-job-document',
        member: 'includeJobDocument',
        kind: 'boolean',
        required: false,
        help: 'Return the job document.',
      },
      {
        flag: 'execution-number',
        member: 'executionNumber',
        kind: 'integer',
        required: false,
        help: 'Which execution of the job on the thing.',
      },
    ],
    output: [
      {
        name: 'executionState',
        members: [{ name: 'status' }, { name: 'statusDetails', map: true }, { name: 'versionNumber' }],
      },
      { name: 'jobDocument' },
    ],
  },
  'update-job': {
    name: 'update-job',
    awsCommand: 'aws importexport update-job',
    operation: 'UpdateJob',
    summary:
      'Updates an AWS Import/Export job (its manifest), idempotently: the job is read first, so a re-run reports ' +
      'no change and a lost answer is settled.',
    parameters: [
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
        help: 'The UTF-8 encoded text of the manifest file, or file://path.',
      },
      { flag: 'job-type', member: 'JobType', kind: 'string', required: true, help: 'Import or Export.' },
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
    ],
    output: [
      { name: 'Success' },
      { name: 'WarningMessage' },
      { name: 'ArtifactList', item: [{ name: 'Description' }, { name: 'URL' }] },
    ],
  },
};
