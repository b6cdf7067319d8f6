import { UPDATE_JOB_EXECUTION_PARAMETERS, UPDATE_JOB_PARAMETERS, type Parameter } from '../core/parameters';

export type { Parameter } from '../core/parameters';

/**
 * The two commands and their parameters, as the AWS CLI names them (`--job-id` → `jobId`), with their kinds, the
 * response shape in the service model's member order (which is the order the AWS CLI prints), and the help text.
 */

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
    parameters: UPDATE_JOB_EXECUTION_PARAMETERS,
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
    parameters: UPDATE_JOB_PARAMETERS,
    output: [
      { name: 'Success' },
      { name: 'WarningMessage' },
      { name: 'ArtifactList', item: [{ name: 'Description' }, { name: 'URL' }] },
    ],
  },
};
