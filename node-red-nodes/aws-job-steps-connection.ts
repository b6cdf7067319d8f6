/**
 * `aws-job-steps-connection`: the config node that holds where and how to reach AWS. Keys live in Node-RED's
 * credential store (never in the flow JSON); client-certificate TLS comes from Node-RED's own `tls-config` node.
 * It builds one core Connection, shared by every step node that uses it, and closes its sockets on redeploy.
 */
import { systemClock } from '../core/shared/clock';
import { Connection } from '../core/shared/connection';
import {
  settingsFrom,
  type ConnectionNode,
  type ConnectionNodeConfig,
  type TlsConfigNode,
} from './connection-settings';
import type { RedAPI } from './red';

/** Longer than the step nodes' grace period, so their aborted requests settle first. */
const CLOSE_LIMIT_MS = 5000;

export = function register(RED: RedAPI): void {
  function AwsJobStepsConnectionNode(this: ConnectionNode, config: ConnectionNodeConfig): void {
    RED.nodes.createNode(this, config);
    let shared: Connection | undefined;
    let inUse = 0;
    let released: (() => void) | undefined;
    this.use = async (work) => {
      const tlsNode = config.tls ? ((RED.nodes.getNode(config.tls) as TlsConfigNode | null) ?? undefined) : undefined;
      shared ??= new Connection(settingsFrom(config, this.credentials, tlsNode));
      inUse++;
      try {
        return await work(shared);
      } finally {
        inUse--;
        if (inUse === 0) released?.();
      }
    };
    this.on('close', (_removed, done) => {
      // Step nodes finish or abort their work within their own grace period; the sockets close after it.
      const idle = inUse === 0 ? Promise.resolve() : new Promise<void>((resolve) => (released = resolve));
      const limit = new Promise<void>((resolve) => systemClock.setTimer(resolve, CLOSE_LIMIT_MS).unref());
      void Promise.race([idle, limit]).then(() => {
        shared?.destroy();
        shared = undefined;
        done();
      });
    });
  }
  RED.nodes.registerType('aws-job-steps-connection', AwsJobStepsConnectionNode, {
    credentials: {
      accessKeyId: { type: 'text' },
      secretAccessKey: { type: 'password' },
      sessionToken: { type: 'password' },
    },
  });
};
