/**
 * Where and how a step talks to AWS: region, credentials, endpoint, mutual TLS, and the time and attempt budget.
 * A `Connection` builds its HTTP handler and credential provider once, and each service's client once, and reuses
 * them (keep-alive), so a Node-RED config node or a long-lived script pays the TLS handshake and credential lookup
 * once.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import { invalidInput } from './errors';
import { SendPacing } from './send-pacing';
import { describeValue, isGiven, parseInteger, parseString } from './parse';
import {
  parseStatusDetailsUpdate,
  parseStatusDetailsValueLength,
  type Readings,
  type StatusDetailsUpdate,
  type StatusDetailsValueLength,
} from './readings';

export { DEFAULT_READINGS, StatusDetailsUpdate, StatusDetailsValueLength, type Readings } from './readings';

/** Static credentials: an access key pair and, for temporary credentials, the session token. */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** A function that resolves credentials, like the SDK's providers (`fromIni`, `fromTemporaryCredentials`…). */
export type CredentialsProvider = () => Promise<StaticCredentials>;

/**
 * X.509 client-certificate authentication, the HTTPS path AWS IoT offers devices instead of SigV4: requests are
 * not signed, the TLS handshake proves who the device is. PEM text, not file names.
 */
export interface TlsClientCertificate {
  readonly certificate: string;
  readonly privateKey: string;
  /** The CA that signed the endpoint's certificate (Amazon Root CA 1 for AWS IoT); the system's CAs when omitted. */
  readonly ca?: string | undefined;
}

/**
 * Connection settings. Everything is optional: by default the SDK's credential chain and AWS's endpoints. Numbers
 * may be strings of digits, as wrappers read them.
 */
export interface ConnectionSettings {
  /** The AWS region; else `AWS_REGION`, `AWS_DEFAULT_REGION`, then the shared config file. */
  readonly region?: string | undefined;
  /** Explicit credentials; else the SDK's default chain (environment, profiles, web identity, container, instance). */
  readonly credentials?: StaticCredentials | CredentialsProvider | undefined;
  /** A named profile of the shared config files, for the default chain. */
  readonly profile?: string | undefined;
  /**
   * The service endpoint URL; else `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, then AWS's own. With
   * client-certificate TLS and no port in the URL, port 8443 (where AWS IoT serves certificate clients over HTTPS).
   */
  readonly endpoint?: string | undefined;
  /** Client-certificate TLS instead of SigV4 (IoT Jobs only); needs the account's `iot:Jobs` endpoint. */
  readonly tls?: TlsClientCertificate | undefined;
  /**
   * The CA certificates (PEM text) that HTTPS endpoints are verified against, instead of Node's bundled ones, as the
   * AWS CLI's `ca_bundle` replaces its own.
   */
  readonly caBundle?: string | undefined;
  /**
   * false: HTTPS certificates are not verified (the AWS CLI's `--no-verify-ssl`, for a test endpoint with a
   * self-signed certificate). Default true.
   */
  readonly verifyTls?: boolean | undefined;
  /** Time allowed for one attempt, in milliseconds. Default 10 000. */
  readonly attemptTimeoutMs?: number | string | undefined;
  /** Time allowed to open a connection, in milliseconds; else only the attempt's limit (the CLI's `cli_connect_timeout`). */
  readonly connectTimeoutMs?: number | string | undefined;
  /**
   * Time a socket may wait for the next bytes of an answer, in milliseconds; default the attempt's limit (the CLI's
   * `cli_read_timeout`).
   */
  readonly readTimeoutMs?: number | string | undefined;
  /** Time allowed for the whole step, retries and waits included, in milliseconds. Default 60 000. */
  readonly deadlineMs?: number | string | undefined;
  /**
   * Requests a step may send for one operation, first try included; throttled ones are not counted (the deadline
   * bounds them). Default 5.
   */
  readonly maxAttempts?: number | string | undefined;
  /**
   * The longest `statusDetails` value the steps let through: 1024 (AWS CLI v2's `iot-jobs-data` model, the default)
   * or 128 (the developer guide's job-limits table). AWS's documents disagree; a longer value is refused before
   * sending.
   */
  readonly statusDetailsValueLength?: StatusDetailsValueLength | `${StatusDetailsValueLength}` | undefined;
  /**
   * What an update's `statusDetails` do to the execution's, which AWS does not document: `replace` (the default, the
   * given map becomes the execution's) or `merge` (the given pairs are set, the others kept). An execution is
   * "already as asked" when its details are the same map, or under `merge` when it holds every pair asked.
   */
  readonly statusDetailsUpdate?: StatusDetailsUpdate | undefined;
}

/** The retry and time budget of every step on a connection. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly attemptTimeoutMs: number;
  readonly deadlineMs: number;
  /** First backoff ceiling; doubles per retry up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * The same for throttles, counted apart: a throttle costs the service nothing and uses up no attempt, so its waits
   * are longer, long enough for a fleet throttled at once to spread over the account's quota.
   */
  readonly throttleBaseDelayMs: number;
  readonly throttleMaxDelayMs: number;
}

/** The services a connection serves, with the environment variable that overrides each one's endpoint. */
export const ServiceEndpointVariable = {
  'iot-jobs-data': 'AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE',
  /** The IoT control plane, read when the data plane will not show a terminal execution. */
  iot: 'AWS_ENDPOINT_URL_IOT',
  importexport: 'AWS_ENDPOINT_URL_IMPORTEXPORT',
} as const;
export type ServiceId = keyof typeof ServiceEndpointVariable;

const DEFAULT_POLICY: RetryPolicy = {
  maxAttempts: 5,
  attemptTimeoutMs: 10_000,
  deadlineMs: 60_000,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  // Tuned with the fleet benchmark (bench/fleet.ts): 2,000 gateways throttled at once finish within 1.25× the
  // quota's limit. Longer waits send fewer requests per update but leave the quota idle at the end (2 s and 10 s:
  // 2.4 requests per update, 1.3× the limit; 1.5 s and 6 s: 2.6, 1.2×).
  throttleBaseDelayMs: 1_500,
  throttleMaxDelayMs: 6_000,
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * AWS IoT serves the Jobs HTTPS API to client-certificate devices on port 8443 (developer guide, "Device
 * communication protocols": HTTPS with X.509 on 8443; 443 needs the `x-amzn-http-ca` ALPN, which Jobs does not take).
 */
export const CLIENT_CERTIFICATE_PORT = 8443;

/** Whether the URL as written names a port (`new URL` drops a default one, which we must not take for none). */
function namesPort(url: string): boolean {
  return /^[a-z]+:\/\/(\[[^\]]*\]|[^/?#:]*):\d+/i.test(url);
}

function parseEndpoint(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidInput(
      field,
      `is not a URL: ${describeValue(value)}`,
      'write it like https://host or http://127.0.0.1:4566',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidInput(field, `uses ${url.protocol}`, 'use an http:// or https:// URL');
  }
  if (url.search || url.hash || url.username || url.password) {
    throw invalidInput(field, 'has a query, fragment or user name', 'give only scheme, host, port and path');
  }
  return url.toString().replace(/\/$/, '');
}

function checkCredentials(value: unknown): StaticCredentials | CredentialsProvider | undefined {
  if (!isGiven(value)) return undefined;
  if (typeof value === 'function') return value as CredentialsProvider;
  if (typeof value !== 'object' || value === null) {
    throw invalidInput('credentials', 'must be an object', 'give accessKeyId and secretAccessKey');
  }
  const c = value as Record<string, unknown>;
  // Never echo a credential: the messages name the field only.
  const text = (field: string, v: unknown): string => {
    if (typeof v !== 'string' || v.trim() === '')
      throw invalidInput(field, 'is missing', 'give it, or leave out credentials to use the default chain');
    return v.trim();
  };
  const accessKeyId = text('credentials.accessKeyId', c.accessKeyId);
  const secretAccessKey = text('credentials.secretAccessKey', c.secretAccessKey);
  const sessionToken = isGiven(c.sessionToken) ? text('credentials.sessionToken', c.sessionToken) : undefined;
  return { accessKeyId, secretAccessKey, sessionToken };
}

function checkTls(value: unknown): TlsClientCertificate | undefined {
  if (!isGiven(value)) return undefined;
  const t = value as Record<string, unknown>;
  const pem = (field: string, v: unknown, kind: string): string => {
    if (typeof v !== 'string' || !v.includes('-----BEGIN')) {
      throw invalidInput(field, `is not PEM text`, `give the ${kind} itself, starting with -----BEGIN`);
    }
    return v;
  };
  return {
    certificate: pem('tls.certificate', t.certificate, 'device certificate'),
    privateKey: pem('tls.privateKey', t.privateKey, 'private key'),
    ca: isGiven(t.ca) ? pem('tls.ca', t.ca, 'CA certificate') : undefined,
  };
}

/** Settings checked and defaults applied; built by `Connection`. */
interface ResolvedSettings {
  readonly region: string | undefined;
  readonly credentials: StaticCredentials | CredentialsProvider | undefined;
  readonly profile: string | undefined;
  readonly endpoint: string | undefined;
  readonly tls: TlsClientCertificate | undefined;
  readonly caBundle: string | undefined;
  readonly verifyTls: boolean;
  readonly connectTimeoutMs: number | undefined;
  readonly readTimeoutMs: number | undefined;
  readonly policy: RetryPolicy;
  readonly readings: Readings;
}

function resolveSettings(settings: ConnectionSettings, env: NodeJS.ProcessEnv): ResolvedSettings {
  const region = isGiven(settings.region) ? settings.region : env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  if (region !== undefined && !REGION.test(parseString('region', region))) {
    throw invalidInput('region', `is ${describeValue(region)}`, 'write a region code like eu-west-1');
  }
  const tls = checkTls(settings.tls);
  const given = isGiven(settings.endpoint) ? parseString('endpoint', settings.endpoint) : undefined;
  let endpoint = given === undefined ? undefined : parseEndpoint('endpoint', given);
  if (tls && !endpoint?.startsWith('https:')) {
    throw invalidInput(
      'endpoint',
      tls && endpoint ? 'must be https:// for client-certificate TLS' : 'is required with client-certificate TLS',
      "give your account's endpoint from `aws iot describe-endpoint --endpoint-type iot:Jobs`",
    );
  }
  if (tls && endpoint && given !== undefined && !namesPort(given)) {
    const url = new URL(endpoint);
    url.port = String(CLIENT_CERTIFICATE_PORT);
    endpoint = url.toString().replace(/\/$/, '');
  }
  const budget = (field: keyof RetryPolicy, value: unknown, min: number): number =>
    isGiven(value) ? parseInteger(field, value, { min }) : DEFAULT_POLICY[field];
  const socketLimit = (field: 'connectTimeoutMs' | 'readTimeoutMs'): number | undefined =>
    isGiven(settings[field]) ? parseInteger(field, settings[field], { min: 1 }) : undefined;
  if (settings.verifyTls !== undefined && typeof settings.verifyTls !== 'boolean')
    throw invalidInput(
      'verifyTls',
      `must be true or false, not ${describeValue(settings.verifyTls)}`,
      'write true or false',
    );
  const caBundle = isGiven(settings.caBundle) ? parseString('caBundle', settings.caBundle) : undefined;
  if (caBundle !== undefined && !caBundle.includes('-----BEGIN CERTIFICATE'))
    throw invalidInput(
      'caBundle',
      'is not PEM text',
      'give the CA certificates themselves, starting with -----BEGIN CERTIFICATE',
    );
  return {
    region,
    credentials: checkCredentials(settings.credentials),
    profile: isGiven(settings.profile) ? parseString('profile', settings.profile) : undefined,
    endpoint,
    tls,
    caBundle,
    verifyTls: settings.verifyTls ?? true,
    connectTimeoutMs: socketLimit('connectTimeoutMs'),
    readTimeoutMs: socketLimit('readTimeoutMs'),
    policy: {
      ...DEFAULT_POLICY,
      maxAttempts: budget('maxAttempts', settings.maxAttempts, 1),
      attemptTimeoutMs: budget('attemptTimeoutMs', settings.attemptTimeoutMs, 1),
      deadlineMs: budget('deadlineMs', settings.deadlineMs, 1),
    },
    readings: {
      statusDetailsValueLength: parseStatusDetailsValueLength(settings.statusDetailsValueLength),
      statusDetailsUpdate: parseStatusDetailsUpdate(settings.statusDetailsUpdate),
    },
  };
}

/**
 * The endpoint for a service: explicit, else its own variable, else `AWS_ENDPOINT_URL` (the SDKs' order), unless
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true. `undefined` means AWS's public endpoint.
 */
export function resolveEndpoint(
  explicit: string | undefined,
  service: ServiceId,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (explicit) return explicit;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const variable = ServiceEndpointVariable[service];
  const fromEnv = env[variable] || env.AWS_ENDPOINT_URL;
  if (!fromEnv) return undefined;
  return parseEndpoint(env[variable] ? variable : 'AWS_ENDPOINT_URL', fromEnv);
}

/**
 * How one service's client is made from a connection: the module of the service owns it (`iot-jobs/service.ts`,
 * `import-export/importexport-client.ts`), so a connection knows how requests travel (endpoint, HTTP handler,
 * credentials, client certificate) but not which clients ride on it, nor what they remember.
 */
export interface ServiceClientFactory<C> {
  create(connection: Connection): C;
  /** Frees what the client holds beyond the connection's handler. */
  destroy?(client: C): void;
}

/**
 * A reusable connection. Build one per set of settings and pass it to every step; `destroy()` closes its sockets.
 *
 * @throws StepError `invalid-input` when a setting is wrong (checked here, before any request).
 * @example const aws = new Connection({ region: 'eu-west-1' }); await updateJobExecution(input, aws);
 */
export class Connection {
  readonly region: string | undefined;
  readonly policy: RetryPolicy;
  readonly tls: boolean;
  /** How the steps read AWS where its documents disagree or are silent (`statusDetailsValueLength`…). */
  readonly readings: Readings;
  /** How fast this connection's requests may leave, once AWS has throttled them (shared by all its steps). */
  readonly pacing = new SendPacing();
  private readonly settings: ResolvedSettings;
  /** The environment the connection reads its defaults from. */
  readonly env: NodeJS.ProcessEnv;
  private handler: NodeHttpHandler | undefined;
  private credentialProvider: CredentialsProvider | undefined;
  private readonly clients = new Map<ServiceClientFactory<unknown>, unknown>();

  constructor(settings: ConnectionSettings = {}, env: NodeJS.ProcessEnv = process.env) {
    this.settings = resolveSettings(settings, env);
    this.env = env;
    this.region = this.settings.region;
    this.policy = this.settings.policy;
    this.tls = this.settings.tls !== undefined;
    this.readings = this.settings.readings;
  }

  /** The endpoint for `service`, or undefined for AWS's. */
  endpoint(service: ServiceId): string | undefined {
    return resolveEndpoint(this.settings.endpoint, service, this.env);
  }

  /**
   * One keep-alive HTTP handler for every client of this connection. Steps pass each attempt's `requestTimeout`;
   * the handler turns it into an error (`throwOnRequestTimeout`), and a socket idle for a whole attempt (an answer
   * that stalls after its headers) is closed too.
   */
  httpHandler(): NodeHttpHandler {
    const { tls, caBundle, verifyTls, connectTimeoutMs, readTimeoutMs } = this.settings;
    // The client certificate's own CA is for the IoT endpoint it names; otherwise the bundle, as the AWS CLI's.
    const ca = tls?.ca ?? caBundle;
    this.handler ??= new NodeHttpHandler({
      throwOnRequestTimeout: true,
      socketTimeout: readTimeoutMs ?? this.policy.attemptTimeoutMs,
      ...(connectTimeoutMs !== undefined && { connectionTimeout: connectTimeoutMs }),
      httpAgent: new HttpAgent({ keepAlive: true }),
      httpsAgent: new HttpsAgent({
        keepAlive: true,
        ...(tls && { cert: tls.certificate, key: tls.privateKey }),
        ...(ca !== undefined && { ca }),
        ...(!verifyTls && { rejectUnauthorized: false }),
      }),
    });
    return this.handler;
  }

  /** The credentials, resolved once by the default chain (which caches and refreshes them) or given. */
  credentials(): CredentialsProvider {
    if (!this.credentialProvider) {
      const given = this.settings.credentials;
      if (typeof given === 'function') this.credentialProvider = given;
      else if (given) this.credentialProvider = async () => given;
      else this.credentialProvider = defaultProvider(this.settings.profile ? { profile: this.settings.profile } : {});
    }
    return this.credentialProvider;
  }

  /** The endpoint as the settings give it (not from the environment), for a service that must judge it. */
  get givenEndpoint(): string | undefined {
    return this.settings.endpoint;
  }

  /** The credentials as the settings give them; undefined for the default chain. */
  get givenCredentials(): StaticCredentials | CredentialsProvider | undefined {
    return this.settings.credentials;
  }

  /** The client certificate, when the connection authenticates with one instead of SigV4. */
  get clientCertificate(): TlsClientCertificate | undefined {
    return this.settings.tls;
  }

  /** The connection's client for a service, made on first use by the service's own factory. */
  client<C>(factory: ServiceClientFactory<C>): C {
    const key = factory as ServiceClientFactory<unknown>;
    if (!this.clients.has(key)) {
      const made = factory.create(this);
      this.clients.set(key, made);
      // A client made asynchronously that failed (its region could not be resolved) is not kept: the next step
      // tries again instead of getting the same failure for the connection's life.
      if (made instanceof Promise)
        made.catch(() => {
          if (this.clients.get(key) === made) this.clients.delete(key);
        });
    }
    return this.clients.get(key) as C;
  }

  /**
   * Gives the connection its client for a service instead of the factory's: a client made elsewhere (an IoT Jobs
   * transport on an MQTT connection a host already holds, an in-memory one in tests). The one it replaces is freed.
   */
  use<C>(factory: ServiceClientFactory<C>, client: C): void {
    const key = factory as ServiceClientFactory<unknown>;
    if (this.clients.has(key)) factory.destroy?.(this.clients.get(key) as C);
    this.clients.set(key, client);
  }

  /** Closes the sockets; a later step builds them again. */
  destroy(): void {
    for (const [factory, client] of this.clients) factory.destroy?.(client);
    this.clients.clear();
    this.handler?.destroy();
    this.handler = undefined;
  }
}

/** Connections made from plain settings objects, reused while the object lives. */
const bySettings = new WeakMap<ConnectionSettings, Connection>();
let byEnvironment: { key: string; connection: Connection } | undefined;

/** The variables a default connection reads; a change in any of them makes a new one. */
const ENV_KEYS = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ENDPOINT_URL',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  ...Object.values(ServiceEndpointVariable),
];

/**
 * The connection a step uses: the one given, one cached for a settings object, or one from the environment.
 *
 * @throws StepError `invalid-input` for wrong settings.
 */
export function connectionFor(connection?: Connection | ConnectionSettings): Connection {
  if (connection instanceof Connection) return connection;
  if (connection) {
    let made = bySettings.get(connection);
    if (!made) bySettings.set(connection, (made = new Connection(connection)));
    return made;
  }
  const key = ENV_KEYS.map((k) => process.env[k] ?? '').join('\n');
  if (byEnvironment?.key !== key) byEnvironment = { key, connection: new Connection() };
  return byEnvironment.connection;
}
