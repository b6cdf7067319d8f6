/**
 * What the connection config node holds and how it becomes the core's connection settings; separate from the
 * node's registration so step nodes and tests can use it.
 */
import type { Connection, ConnectionSettings } from '../core/shared/connection';
import { invalidInput } from '../core/shared/errors';
import type { RedNode } from './red';

/** Where the credentials come from. */
export const CredentialSource = {
  /** The SDK's default chain: environment, profiles, web identity, container and instance roles. */
  Default: 'default',
  /** The keys stored in this node's credentials. */
  Keys: 'keys',
  /** A device certificate from a tls-config node (AWS IoT's HTTPS path for devices). */
  Tls: 'tls',
} as const;
export type CredentialSource = (typeof CredentialSource)[keyof typeof CredentialSource];

export interface ConnectionNodeConfig {
  readonly id: string;
  readonly name?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentialSource?: CredentialSource;
  readonly tls?: string;
  readonly maxAttempts?: string | number;
  readonly timeout?: string | number;
  /** 1024 or 128; unset (a node saved before the setting) is 1024. */
  readonly statusDetailsValueLength?: string | number;
  /** replace or merge; unset is replace. */
  readonly statusDetailsUpdate?: string;
}

/** What Node-RED's tls-config node offers: it fills `cert`, `key` and `ca` from its files or uploaded data. */
export interface TlsConfigNode {
  addTLSOptions(options: Record<string, unknown>): Record<string, unknown>;
}

/** The runtime side of the config node, as step nodes see it. */
export interface ConnectionNode extends RedNode {
  /**
   * Runs `work` with the shared connection (built on first use), keeping it open until `work` settles: Node-RED
   * closes config and step nodes together, and a step's in-flight request must outlive the redeploy's start.
   * @throws StepError `invalid-input` for wrong settings.
   */
  use<T>(work: (connection: Connection) => Promise<T>): Promise<T>;
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);

/** The core settings a config node's properties and credentials stand for. */
export function settingsFrom(
  config: ConnectionNodeConfig,
  credentials: Record<string, string | undefined> = {},
  tlsNode?: TlsConfigNode,
): ConnectionSettings {
  const source = config.credentialSource ?? CredentialSource.Default;
  const seconds = config.timeout === undefined || config.timeout === '' ? undefined : Number(config.timeout);
  const settings: ConnectionSettings = {
    region: config.region || undefined,
    endpoint: config.endpoint || undefined,
    maxAttempts: config.maxAttempts === '' ? undefined : config.maxAttempts,
    deadlineMs: seconds === undefined || Number.isNaN(seconds) ? config.timeout || undefined : seconds * 1000,
    // As saved (the core refuses any other value, naming the setting, at the first message).
    statusDetailsValueLength: (config.statusDetailsValueLength ||
      undefined) as ConnectionSettings['statusDetailsValueLength'],
    statusDetailsUpdate: (config.statusDetailsUpdate || undefined) as ConnectionSettings['statusDetailsUpdate'],
  };
  if (source === CredentialSource.Keys) {
    return {
      ...settings,
      credentials: {
        accessKeyId: credentials.accessKeyId ?? '',
        secretAccessKey: credentials.secretAccessKey ?? '',
        sessionToken: credentials.sessionToken || undefined,
      },
    };
  }
  if (source === CredentialSource.Tls) {
    if (!tlsNode)
      throw invalidInput(
        'tls',
        'does not name a TLS configuration',
        'pick a tls-config node with the device certificate',
      );
    const options = tlsNode.addTLSOptions({});
    return {
      ...settings,
      tls: { certificate: text(options.cert) ?? '', privateKey: text(options.key) ?? '', ca: text(options.ca) },
    };
  }
  return settings;
}
