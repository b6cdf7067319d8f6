/**
 * The operations the wrappers offer, named once, each loaded on first use: a process that runs one operation (a
 * GitHub Action step, a CLI call) never loads another's module or its SDK. This is the only lazy loading of steps;
 * the action and the command line both run an operation through `runOperation`.
 */
import type { Connection, ConnectionSettings } from './connection';
import type { StepOptions } from './step-run';
import type { UpdateJobResult } from './update-job';
import type { UpdateJobExecutionResult } from './update-job-execution';

/** The operations by the names the wrappers take (the AWS CLI's command names). */
export const OperationName = {
  UpdateJobExecution: 'update-job-execution',
  UpdateJob: 'update-job',
} as const;
export type OperationName = (typeof OperationName)[keyof typeof OperationName];

/** What each operation's step resolves with. */
export interface OperationResults {
  'update-job-execution': UpdateJobExecutionResult;
  'update-job': UpdateJobResult;
}

type Step<N extends OperationName> = (
  input: Record<string, unknown>,
  connection?: Connection | ConnectionSettings,
  options?: StepOptions,
) => Promise<OperationResults[N]>;

/* eslint-disable @typescript-eslint/no-require-imports -- each step is loaded only when its operation runs */
const LOADERS: { readonly [N in OperationName]: () => Step<N> } = {
  'update-job-execution': () =>
    (require('./update-job-execution') as typeof import('./update-job-execution')).updateJobExecution,
  'update-job': () => (require('./update-job') as typeof import('./update-job')).updateJob,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Whether `name` names an operation. */
export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(LOADERS, name);
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
  return LOADERS[name]()(input, connection, options);
}
