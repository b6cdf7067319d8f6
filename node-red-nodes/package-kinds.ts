/**
 * The node kinds this package ships in its node set `aws-job-steps`: today one per operation of the core's registry.
 * The runtime registers them (aws-job-steps.ts) and `npm run generate` renders their editor files from this list.
 */
import { allOperations } from '../core/operations';
import type { NodeKind } from './node-kind';
import { operationKind } from './operation-kind';

/** Every kind of the node set, in the palette's order. */
export function packageKinds(): NodeKind[] {
  return allOperations().map(operationKind);
}
