/**
 * The node set `aws-job-steps`: every node kind of the package (package-kinds.ts), today one per operation of the
 * core's registry (`aws-update-job-execution`, `aws-describe-job-execution`…), so a new operation needs no new node
 * file. Their editor and help (`aws-job-steps.html`, `locales/en-US/aws-job-steps.*`) are generated from the same
 * kinds.
 */
import { registerKind } from './node-kind';
import { packageKinds } from './package-kinds';
import type { RedAPI } from './red';

export = function register(RED: RedAPI): void {
  for (const kind of packageKinds()) registerKind(RED, kind);
};
