/**
 * The step nodes: one node type per operation of the core's registry (`aws-update-job-execution`,
 * `aws-describe-job-execution`…), all in this one node set, so a new operation needs no new node file. Their editor
 * and help (`aws-job-steps.html`, `locales/en-US/aws-job-steps.*`) are generated from the same definitions.
 */
import { allOperations } from '../core/operations';
import type { RedAPI } from './red';
import { registerStepNode } from './step-node';

export = function register(RED: RedAPI): void {
  for (const operation of allOperations()) registerStepNode(RED, operation);
};
