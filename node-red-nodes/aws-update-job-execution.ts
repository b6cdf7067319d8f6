/** `aws-update-job-execution`: the update-job-execution step as a Node-RED node. */
import { updateJobExecution, type UpdateJobExecutionResult } from '../core/update-job-execution';
import { UPDATE_JOB_EXECUTION_PARAMETERS } from '../core/parameters';
import type { RedAPI } from './red';
import { registerStepNode, targetPart } from './step-node';

export = function register(RED: RedAPI): void {
  registerStepNode<UpdateJobExecutionResult>(RED, {
    type: 'aws-update-job-execution',
    fields: UPDATE_JOB_EXECUTION_PARAMETERS.map((p) => p.member),
    // The status under the node shows the version, which only the state in the answer carries.
    defaults: { includeJobExecutionState: true },
    run: updateJobExecution,
    target: (input) => `${targetPart(input.thingName)}/${targetPart(input.jobId)}`,
    successText: (result) =>
      result.changed
        ? `${result.executionState?.status ?? 'updated'}${result.executionState?.versionNumber === undefined ? '' : ` v${result.executionState.versionNumber}`}`
        : 'unchanged',
  });
};
