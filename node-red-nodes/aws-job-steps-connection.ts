/**
 * `aws-job-steps-connection`: the config node that holds where and how to reach AWS. Keys live in Node-RED's
 * credential store (never in the flow JSON); client-certificate TLS comes from Node-RED's own `tls-config` node.
 * It builds one core Connection, shared by every step node that uses it, and closes its sockets on redeploy.
 */
import { Connection } from '../core/connection';
import {
  settingsFrom,
  type ConnectionNode,
  type ConnectionNodeConfig,
  type TlsConfigNode,
} from './connection-settings';
import type { RedAPI } from './red';

export = function register(RED: RedAPI): void {
  function AwsJobStepsConnectionNode(this: ConnectionNode, config: ConnectionNodeConfig): void {
    RED.nodes.createNode(this, config);
    let shared: Connection | undefined;
    this.connection = () => {
      const tlsNode = config.tls ? ((RED.nodes.getNode(config.tls) as TlsConfigNode | null) ?? undefined) : undefined;
      shared ??= new Connection(settingsFrom(config, this.credentials, tlsNode));
      return shared;
    };
    this.on('close', (_removed, done) => {
      shared?.destroy();
      shared = undefined;
      done();
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
