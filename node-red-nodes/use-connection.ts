/**
 * Delivery through the connection config node a node names (`config.connection`): found when work needs it, not
 * when the node is made (Node-RED may start them in either order), and lent for the length of that work.
 */
import type { Connection } from '../core/shared/connection';
import { StepError, StepErrorCode } from '../core/shared/errors';
import type { ConnectionNode } from './connection-settings';
import type { RedAPI } from './red';

/** Runs `work` with the node's connection, kept open until it settles. */
export type UseConnection = <T>(work: (connection: Connection) => Promise<T>) => Promise<T>;

/**
 * The connection of a node whose config names its connection node.
 * Each use rejects with a StepError `invalid-input` naming the setting while none is picked.
 * @example const use = useConnection(RED, config); const readings = await use(async (c) => c.readings);
 */
export function useConnection(RED: RedAPI, config: { readonly connection?: string }): UseConnection {
  // Async, so a missing connection is a rejection like any failed delivery, never a throw in the caller's turn.
  return async (work) => {
    const found = config.connection ? (RED.nodes.getNode(config.connection) as ConnectionNode | null) : null;
    if (!found) {
      throw new StepError('connection is not set; pick an aws-job-steps-connection in the node', {
        code: StepErrorCode.InvalidInput,
        field: 'connection',
      });
    }
    return found.use(work);
  };
}
