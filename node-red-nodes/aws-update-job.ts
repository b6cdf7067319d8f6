/** `aws-update-job`: the AWS Import/Export update-job step as a Node-RED node. */
import { updateJob, type UpdateJobResult } from '../core/update-job';
import type { RedAPI } from './red';
import { registerStepNode } from './step-node';

export = function register(RED: RedAPI): void {
  registerStepNode<UpdateJobResult>(RED, {
    type: 'aws-update-job',
    fields: ['JobId', 'Manifest', 'JobType', 'ValidateOnly', 'APIVersion'],
    run: updateJob,
    target: (input) => String(input.JobId),
    successText: (result) => (result.changed ? 'updated' : result.success ? 'unchanged' : 'refused'),
  });
};
