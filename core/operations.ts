/**
 * The operations the wrappers offer, named once, each module loaded on first use: a process that runs one operation
 * (a GitHub Action step, a CLI call) never loads another's module or its SDK. This is the only lazy loading of
 * steps; every wrapper finds an operation here and runs it through its definition.
 *
 * Adding an operation: write its module (parameter table, parser, step, result, `definition`), add a line to
 * `LOADERS` and `OperationResults`, and run `npm run generate` for action.yml and the Node-RED files.
 */
import type { Connection, ConnectionSettings } from './shared/connection';
import type { DescribeJobExecutionResult } from './iot-jobs/operations/describe-job-execution';
import type { GetPendingJobExecutionsResult } from './iot-jobs/operations/get-pending-job-executions';
import type { OperationDefinition, StepResult } from './shared/operation';
import type { StartNextPendingJobExecutionResult } from './iot-jobs/operations/start-next-pending-job-execution';
import type { StepOptions } from './shared/step-run';
import type { UpdateJobResult } from './import-export/update-job';
import type { UpdateJobExecutionResult } from './iot-jobs/operations/update-job-execution';

/** What each operation's step resolves with, by the operation's name (the AWS CLI's command name). */
export interface OperationResults {
  'update-job-execution': UpdateJobExecutionResult;
  'describe-job-execution': DescribeJobExecutionResult;
  'get-pending-job-executions': GetPendingJobExecutionsResult;
  'start-next-pending-job-execution': StartNextPendingJobExecutionResult;
  'update-job': UpdateJobResult;
}
export type OperationName = keyof OperationResults;

/* eslint-disable @typescript-eslint/no-require-imports -- each module is loaded only when its operation is used */
const LOADERS: { readonly [N in OperationName]: () => OperationDefinition<OperationResults[N]> } = {
  'update-job-execution': () =>
    (
      require('./iot-jobs/operations/update-job-execution') as typeof import('./iot-jobs/operations/update-job-execution')
    ).definition,
  'describe-job-execution': () =>
    (
      require('./iot-jobs/operations/describe-job-execution') as typeof import('./iot-jobs/operations/describe-job-execution')
    ).definition,
  'get-pending-job-executions': () =>
    (
      require('./iot-jobs/operations/get-pending-job-executions') as typeof import('./iot-jobs/operations/get-pending-job-executions')
    ).definition,
  'start-next-pending-job-execution': () =>
    (
      require('./iot-jobs/operations/start-next-pending-job-execution') as typeof import('./iot-jobs/operations/start-next-pending-job-execution')
    ).definition,
  'update-job': () => (require('./import-export/update-job') as typeof import('./import-export/update-job')).definition,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The operations' names, in the order wrappers list them. */
export const OPERATION_NAMES = Object.keys(LOADERS) as readonly OperationName[];

/** Whether `name` names an operation. */
export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(LOADERS, name);
}

/** Operation `name`'s definition, its module loaded on first use. */
export function loadOperation<N extends OperationName>(name: N): OperationDefinition<OperationResults[N]> {
  return LOADERS[name]();
}

/** Every operation's definition (loads every module: for wrappers that offer them all, and the generators). */
export function allOperations(): OperationDefinition<StepResult>[] {
  return OPERATION_NAMES.map((name) => loadOperation(name) as unknown as OperationDefinition<StepResult>);
}

/**
 * Runs operation `name`'s step, loading its module on first use.
 *
 * @throws StepError as the step does.
 * @example await runOperation('update-job', { JobId: 'EX1ID', Manifest: 'file://m.txt', JobType: 'Import' })
 */
export function runOperation<N extends OperationName>(
  name: N,
  input: Record<string, unknown>,
  connection?: Connection | ConnectionSettings,
  options?: StepOptions,
): Promise<OperationResults[N]> {
  return loadOperation(name).run(input, connection, options);
}
