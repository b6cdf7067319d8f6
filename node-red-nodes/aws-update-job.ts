/** `aws-update-job`: the AWS Import/Export update-job step as a Node-RED node. */
import { updateJob, type UpdateJobResult } from '../core/update-job';
import { UPDATE_JOB_PARAMETERS } from '../core/parameters';
import type { RedAPI } from './red';
import { registerStepNode, targetPart } from './step-node';

export = function register(RED: RedAPI): void {
  registerStepNode<UpdateJobResult>(RED, {
    type: 'aws-update-job',
    fields: UPDATE_JOB_PARAMETERS.map((p) => p.member),
    run: updateJob,
    target: (input) => targetPart(input.JobId),
    successText: (result) => (result.changed ? 'updated' : result.success ? 'unchanged' : 'refused'),
  });
};
