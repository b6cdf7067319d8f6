/**
 * The emulator's HTTP front: reads each request, decides which AWS service it is for (the SigV4 credential scope
 * names it, as it does for AWS's own front ends), checks its signature when auth is on, applies queued faults,
 * logs it, and hands it to the service module. Admin routes live under `/_emulator/`, outside every AWS path.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { appendBounded } from './bounded';
import { FaultKind, FaultQueue, parseFaultRule } from './faults';
import { createImportExport } from './importexport';
import { createIotJobs, type IotJobsModule } from './iot-jobs';
import { MqttListener, type MqttListenerOptions, type MqttOutcome } from './mqtt-listener';
import { AccountQuotas, DEFAULT_QUOTAS, quotaSettingsProblem, type QuotaSettings } from './quotas';
import { parseSigV4Authorization, verifySigV4, type EmulatorCredential, type SigV4Failure } from './sigv4';
import { verifySigV2 } from './sigv2';
import {
  DEFAULT_SETTINGS,
  SETTING_NAMES,
  settingProblem,
  ServiceName,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorSettings,
  type ServiceModule,
} from './types';
import { IMPORT_EXPORT_NS, queryError, restJsonError } from './wire';

/** How the emulator is started, from tests (`startEmulator`) or the command line. */
export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** 127.0.0.1 unless told otherwise: the emulator is for this machine only. */
  readonly host?: string;
  /**
   * Verify signatures (SigV4 everywhere, SigV2 on the query protocol) against these credentials. Off when omitted.
   * With auth on, the admin routes need a request signed by one of them, or `Authorization: Bearer <adminToken>`
   * (random when not given; `RunningEmulator.adminToken` and the command line's start-up line show it).
   */
  readonly auth?: { readonly credentials: readonly EmulatorCredential[]; readonly adminToken?: string };
  readonly settings?: Partial<EmulatorSettings>;
  /** The account's request-rate quotas; AWS's default rates, enforced, unless changed here (`enabled: false` for none). */
  readonly quotas?: Partial<QuotaSettings>;
  /** The MQTT 3.1.1 listener (Jobs over MQTT, on the same store): none unless a port is given. */
  readonly mqtt?: MqttListenerOptions;
}

/** A running emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:<port>`: both IoT planes and Import/Export answer here. */
  readonly url: string;
  readonly port: number;
  /** With auth on, the bearer token the admin routes take (a signed request works too). */
  readonly adminToken: string | undefined;
  /**
   * With MQTT on: `mqtt://127.0.0.1:<port>` (plain TCP) and `mqtts://127.0.0.1:<port>` (TLS with client
   * certificates), and the PEM of the CA a client trusts for the latter.
   */
  readonly mqtt: { readonly tcp?: string; readonly tls?: string; readonly caPem: string } | undefined;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

/** Requests the log keeps: the most recent ones. */
export const REQUEST_LOG_LIMIT = 10_000;

/** One line of the request log (the last {@link REQUEST_LOG_LIMIT}), read by tests through `GET /_emulator/requests`. */
export interface RequestLogEntry {
  readonly seq: number;
  readonly service: ServiceName;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  /** The HTTP status, `reset` when the connection was dropped; over MQTT the reply's kind, or `disconnected`. */
  readonly status: number | 'reset' | MqttOutcome;
  readonly fault?: FaultKind;
  /** The request was over the account's quota and refused with a throttle. */
  readonly overQuota?: true;
  readonly authenticated: boolean;
}

/** SigV4 scope service names, mapped to the emulator's services. */
const SCOPE_SERVICES: Readonly<Record<string, ServiceName>> = {
  iot: ServiceName.IotControl,
  // The `iot` model inside AWS CLI v2 (2.9.19: awscli/botocore/data/iot/2015-05-28/service-2.json, metadata
  // `signingName`) signs the control plane as `execute-api`, and AWS's control plane names that scope itself
  // (aws/aws-sdk-js#2146); v1's botocore signs `iot`. Without this, v2's `aws iot describe-job-execution` would fall
  // back to the path and be answered by the data plane.
  'execute-api': ServiceName.IotControl,
  'iot-jobs-data': ServiceName.IotJobsData,
  // botocore's endpoint data scopes importexport as IngestionService in us-east-1; clients that take the model's
  // name literally sign "importexport" and are told so by the auth check below.
  IngestionService: ServiceName.ImportExport,
  importexport: ServiceName.ImportExport,
};

/**
 * IAM's service prefix for each service's actions (the Service Authorization Reference; the developer guide's
 * iam-policy-users-jobs): the Jobs data plane's actions are `iotjobsdata:`, the control plane's `iot:`.
 */
const IAM_PREFIXES: Readonly<Record<ServiceName, string>> = {
  [ServiceName.IotControl]: 'iot',
  [ServiceName.IotJobsData]: 'iotjobsdata',
  [ServiceName.ImportExport]: 'importexport',
};

/** Why a credential's `denied` list is not a list of IAM actions of the emulator's services, or undefined. */
function deniedProblem(credentials: readonly EmulatorCredential[]): string | undefined {
  const prefixes = Object.values(IAM_PREFIXES);
  for (const credential of credentials) {
    for (const entry of credential.denied ?? []) {
      const [prefix = '', operation = ''] = entry.split(':');
      if (prefixes.includes(prefix) && /^[A-Z][A-Za-z]+$/.test(operation)) continue;
      const hint =
        prefix === ServiceName.IotJobsData
          ? `; the Jobs data plane's IAM prefix is iotjobsdata (iotjobsdata:${operation})`
          : '';
      return `credential ${credential.accessKeyId}: denied entry ${JSON.stringify(entry)} is not an IAM action <prefix>:<Operation> with prefix ${prefixes.join(', ')}${hint}`;
    }
  }
  return undefined;
}

const ADMIN_PREFIX = '/_emulator/';
const MAX_BODY_BYTES = 1024 * 1024;

function isQueryProtocol(req: IncomingMessage, query: URLSearchParams): boolean {
  const type = req.headers['content-type'] ?? '';
  return query.has('Operation') || (req.method === 'POST' && type.startsWith('application/x-www-form-urlencoded'));
}

/** A SigV2 request signs its parameters instead of sending an Authorization header. */
function isSigV2Request(req: IncomingMessage, form: URLSearchParams): boolean {
  return req.headers.authorization === undefined && (form.has('SignatureVersion') || form.has('AWSAccessKeyId'));
}

/** Which service a request is for: the signature's scope when it has one, else the protocol and path. */
function classify(req: IncomingMessage, query: URLSearchParams, segments: readonly string[]): ServiceName {
  const auth = parseSigV4Authorization(req.headers.authorization);
  const fromScope = auth && SCOPE_SERVICES[auth.service];
  if (fromScope) return fromScope;
  if (isQueryProtocol(req, query)) return ServiceName.ImportExport;
  // Unsigned: /things/{thing}/jobs… is the device's data plane, except the operator's
  // /things/{thing}/jobs/{job}/cancel (CancelJobExecution); everything else is the control plane.
  const dataPlane = segments[0] === 'things' && segments[2] === 'jobs' && segments[4] !== 'cancel';
  return dataPlane ? ServiceName.IotJobsData : ServiceName.IotControl;
}

function decodeSegments(rawPath: string): string[] {
  return rawPath
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** Past this the emulator stops reading and drops the connection: a body is refused, not swallowed without end. */
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES;

/**
 * The request body, or `tooLarge` once it passes MAX_BODY_BYTES: the rest is read and dropped, so that the client
 * gets its 413 answer instead of a reset connection.
 */
function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT_BYTES) return void req.destroy();
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: size > MAX_BODY_BYTES }));
    req.on('error', reject);
    // A body cut off (the drop above, or the client gone) ends the request too: `settle` must not wait for it.
    req.on('close', () => reject(new Error('the connection closed before the body ended')));
  });
}

/** AWS's fronts answer an oversized body 413 before any service sees it, in the service's own error format. */
function tooLargeError(query: boolean, requestId: string): EmulatorResponse {
  const message = `The request body is larger than ${MAX_BODY_BYTES} bytes`;
  return query
    ? queryError(413, 'RequestEntityTooLarge', message, requestId)
    : restJsonError(413, 'RequestEntityTooLargeException', message, requestId);
}

/** The error a service answers when the front refuses a request, in that service's own wire format. */
function frontError(
  service: ServiceName,
  kind: 'throttle' | 'unavailable' | SigV4Failure['reason'],
  message: string,
  requestId: string,
): EmulatorResponse {
  const query = service === ServiceName.ImportExport;
  switch (kind) {
    case 'throttle':
      // Each model's own status for its ThrottlingException (the same in v1's botocore 1.43.11 and in AWS CLI
      // v2 2.9.19): 400 in `iot` (iot/2015-05-28/service-2.json), 429 in `iot-jobs-data`
      // (iot-jobs-data/2017-09-29/service-2.json).
      if (query) return queryError(400, 'Throttling', 'Rate exceeded', requestId);
      return restJsonError(
        service === ServiceName.IotControl ? 400 : 429,
        'ThrottlingException',
        'Rate exceeded',
        requestId,
      );
    case 'unavailable':
      return query
        ? queryError(503, 'ServiceUnavailable', 'Service is unavailable. Please try again.', requestId)
        : restJsonError(503, 'ServiceUnavailableException', 'Service is unavailable. Please try again.', requestId);
    case 'missing':
      return query
        ? queryError(403, 'MissingAuthenticationToken', message, requestId)
        : restJsonError(403, 'MissingAuthenticationTokenException', message, requestId);
    case 'unknown-key':
    case 'bad-token':
      return query
        ? queryError(403, 'InvalidClientTokenId', message, requestId)
        : restJsonError(403, 'UnrecognizedClientException', message, requestId);
    case 'mismatch':
    case 'expired':
      return query
        ? queryError(403, 'SignatureDoesNotMatch', message, requestId)
        : restJsonError(403, 'InvalidSignatureException', message, requestId);
  }
}

/** Writes to Import/Export that answer `Success`; a 200 that did nothing says `false` there. */
const QUERY_WRITES: ReadonlySet<string> = new Set(['CreateJob', 'UpdateJob', 'CancelJob']);

/**
 * The body of a 200 that did nothing on rest-json, byte for byte as aws/aws-sdk-js#2539 captured it from AWS: a
 * coral `UnknownOperationException` envelope, which a client parses as an output with none of the operation's
 * members (`Output` and `Version` are in no output shape).
 */
const UNAPPLIED_REST_JSON_BODY =
  '{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException","message":null},"Version":"1.0"}';

/**
 * A 200 that did nothing, as aws/aws-sdk-js#2539 saw one: on rest-json the envelope above; on the query protocol
 * the operation's own envelope with `Success` false and a warning for writes (Import/Export's documented soft
 * refusal), and an `ErrorResponse` with status 200 for reads.
 */
function unappliedSuccess(service: ServiceName, operation: string, requestId: string): EmulatorResponse {
  if (service !== ServiceName.ImportExport) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
      body: UNAPPLIED_REST_JSON_BODY,
    };
  }
  if (!QUERY_WRITES.has(operation))
    return { ...queryError(500, 'InternalError', 'not processed', requestId), status: 200 };
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<${operation}Response xmlns="${IMPORT_EXPORT_NS}"><${operation}Result><Success>false</Success>` +
      `<WarningMessage>The request was not processed</WarningMessage></${operation}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

/** Why an admin `POST settings` body is not a partial settings object, or undefined when it is. */
function settingsProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return `settings are a JSON object with any of ${SETTING_NAMES.join(', ')}`;
  for (const [name, value] of Object.entries(body)) {
    const problem = settingProblem(name, value);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * The emulator: services, faults, log and settings in one object, serving HTTP.
 * Construct through `startEmulator`; the class is exported for the command line.
 */
export class Emulator {
  readonly settings: EmulatorSettings;
  /** The settings the emulator started with; `POST /_emulator/reset` returns to them. */
  private readonly initialSettings: EmulatorSettings;
  private readonly iot: IotJobsModule;
  private readonly importExport: ServiceModule;
  private readonly faults = new FaultQueue();
  private mqtt: MqttListener | undefined;
  private readonly quotas: AccountQuotas;
  private log: RequestLogEntry[] = [];

  private record(entry: RequestLogEntry): void {
    appendBounded(this.log, entry, REQUEST_LOG_LIMIT);
  }
  private seq = 0;
  /** Added to the wall clock for service state (step timers); signatures are always checked against real time. */
  private clockOffsetMs = 0;
  /**
   * The service-state time while the clock is frozen (`POST clock {"freeze": true}`), so that two runs of the same
   * requests show the same timestamps (a differential test against the AWS CLI compares output bytes).
   */
  private frozenAtMs: number | undefined;

  /** The time service state is kept by. */
  private stateNow(): number {
    return this.frozenAtMs ?? Date.now() + this.clockOffsetMs;
  }
  private readonly sockets = new Set<Socket>();
  /**
   * AWS requests received and not yet answered (a latency fault holds one for its `latencyMs`), and who waits for
   * there to be none. For the tests, not for AWS likeness: `POST /_emulator/settle` answers once every request the
   * emulator has begun has been applied (or refused) and logged, so that a request a test sent under a latency fault
   * and gave up on cannot land after the next test's reset or request-log clear and be counted or applied there.
   */
  private readonly inFlight = new Set<Promise<void>>();
  private track(served: Promise<void>): void {
    this.inFlight.add(served);
    void served.finally(() => this.inFlight.delete(served));
  }
  /** Requests parked by a `hold` fault, each let go by calling it. */
  private readonly held = new Set<() => void>();
  /** Lets every held request go on. */
  private releaseHeld(): void {
    for (const release of this.held) release();
    this.held.clear();
  }
  /** Resolves when no AWS request is in flight, including those that arrive while it waits; held ones are let go. */
  private async settled(): Promise<void> {
    while (this.inFlight.size > 0) {
      this.releaseHeld();
      await Promise.allSettled([...this.inFlight]);
    }
  }
  /** With auth on, what `Authorization: Bearer` must carry on admin requests. */
  private readonly adminToken: string | undefined;
  readonly server: Server;

  constructor(private readonly options: EmulatorOptions = {}) {
    const denied = deniedProblem(options.auth?.credentials ?? []);
    if (denied) throw new Error(denied);
    this.initialSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.settings = { ...this.initialSettings };
    this.quotas = new AccountQuotas({ ...DEFAULT_QUOTAS, ...options.quotas });
    this.adminToken = options.auth ? (options.auth.adminToken ?? randomBytes(24).toString('hex')) : undefined;
    this.iot = createIotJobs(this.settings);
    this.importExport = createImportExport();
    this.server = createServer({ keepAlive: true }, (req, res) => {
      const served = this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `emulator error: ${String(err)}` }));
        } else {
          res.destroy();
        }
      });
      if (!(req.url ?? '').startsWith(ADMIN_PREFIX)) this.track(served);
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private moduleFor(service: ServiceName): ServiceModule {
    return service === ServiceName.ImportExport ? this.importExport : this.iot;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const { body, tooLarge } = await readBody(req);
    const query = new URLSearchParams(rawQuery);
    if (tooLarge) {
      const admin = rawPath.startsWith(ADMIN_PREFIX);
      return this.write(res, tooLargeError(!admin && isQueryProtocol(req, query), randomUUID()));
    }
    if (rawPath.startsWith(ADMIN_PREFIX)) {
      const refusal = this.adminRefusal(req, rawPath, rawQuery, body);
      if (refusal) return this.json(res, refusal.status, { message: refusal.message });
      return this.handleAdmin(req.method ?? 'GET', rawPath, body, res);
    }

    const segments = decodeSegments(rawPath);
    const service = classify(req, query, segments);
    const form =
      service === ServiceName.ImportExport
        ? new URLSearchParams([...query, ...new URLSearchParams(body.toString('utf8'))])
        : new URLSearchParams();
    const requestId = randomUUID();
    const request: EmulatorRequest = {
      service,
      method: req.method ?? 'GET',
      rawPath,
      segments,
      query,
      headers: req.headers,
      body,
      form,
      accessKeyId:
        parseSigV4Authorization(req.headers.authorization)?.accessKeyId ?? form.get('AWSAccessKeyId') ?? undefined,
      requestId,
      now: this.stateNow(),
    };
    const routed = this.moduleFor(service).route(request);
    const logBase = { seq: ++this.seq, service, operation: routed.operation, method: request.method, path: rawPath };

    const refusal = this.authenticate(req, request, rawQuery, routed.operation);
    if (refusal) {
      this.record({ ...logBase, status: refusal.status, authenticated: false });
      return this.write(res, refusal);
    }
    const authenticated = this.options.auth !== undefined;

    // After authentication, as AWS counts a request against the account that signed it; before faults, so a quota
    // refusal does not use up a fault queued for the request.
    if (!this.quotas.admit(service, routed.operation)) {
      const response = frontError(service, 'throttle', '', requestId);
      this.record({ ...logBase, status: response.status, overQuota: true, authenticated });
      return this.write(res, response);
    }
    const fault = this.faults.take(service, routed.operation);
    // Unref'd: a delayed answer must not keep a test process alive after close().
    if (fault?.kind === FaultKind.Latency) await new Promise((r) => setTimeout(r, fault.latencyMs).unref());
    if (fault?.kind === FaultKind.Hold) await new Promise<void>((r) => this.held.add(r));
    if (fault?.kind === FaultKind.Throttle || fault?.kind === FaultKind.Unavailable) {
      const response = frontError(service, fault.kind, '', requestId);
      this.record({ ...logBase, status: response.status, fault: fault.kind, authenticated });
      return this.write(res, response);
    }
    if (fault?.kind === FaultKind.Reset) {
      this.record({ ...logBase, status: 'reset', fault: fault.kind, authenticated });
      return void req.socket.destroy();
    }
    if (fault?.kind === FaultKind.OkUnapplied) {
      const response = unappliedSuccess(service, routed.operation, requestId);
      this.record({ ...logBase, status: response.status, fault: fault.kind, authenticated });
      return this.write(res, response);
    }
    // A lagging read runs as the same request that cannot yet see what was queued in the last `latencyMs`.
    const run =
      fault?.kind === FaultKind.LaggingRead
        ? this.moduleFor(service).route({ ...request, visibleBefore: request.now - (fault.latencyMs ?? 0) }).run
        : routed.run;
    const response = await run();
    // Whatever the request changed reaches the MQTT plane's notification streams.
    if (service !== ServiceName.ImportExport) this.mqtt?.notify();
    if (fault?.kind === FaultKind.ApplyThenReset) {
      this.record({ ...logBase, status: 'reset', fault: fault.kind, authenticated });
      return void req.socket.destroy();
    }
    this.record({ ...logBase, status: response.status, ...(fault && { fault: fault.kind }), authenticated });
    this.write(res, response);
  }

  /** `undefined` when the request may go on; otherwise the refusal to send. */
  private authenticate(
    req: IncomingMessage,
    request: EmulatorRequest,
    rawQuery: string,
    operation: string,
  ): EmulatorResponse | undefined {
    const credentials = this.options.auth?.credentials;
    if (!credentials) return undefined;
    const { service, requestId } = request;
    if (service === ServiceName.ImportExport && isSigV2Request(req, request.form)) {
      // SigV2 signs the request's own parameters: a POST's form body, a GET's query string.
      const params = request.method === 'POST' ? new URLSearchParams(request.body.toString('utf8')) : request.query;
      const outcome = verifySigV2({
        method: request.method,
        host: req.headers.host ?? '',
        path: request.rawPath,
        params,
        lookupSecret: (id) => credentials.find((c) => c.accessKeyId === id)?.secretAccessKey,
        now: Date.now(),
      });
      if (!outcome.ok) return queryError(outcome.status, outcome.code, outcome.message, requestId);
      const expectedToken = credentials.find((c) => c.accessKeyId === outcome.accessKeyId)?.sessionToken;
      if (expectedToken !== undefined && params.get('SecurityToken') !== expectedToken) {
        return queryError(
          403,
          'InvalidClientTokenId',
          'The security token included in the request is invalid.',
          requestId,
        );
      }
      return undefined;
    }
    const outcome = verifySigV4(
      { method: request.method, rawPath: request.rawPath, rawQuery, headers: req.headers, body: request.body },
      credentials,
      Date.now(),
    );
    if (!outcome.ok) return frontError(service, outcome.reason, outcome.message, requestId);
    const credential = credentials.find((c) => c.accessKeyId === outcome.auth.accessKeyId);
    const action = `${IAM_PREFIXES[service]}:${operation}`;
    if (credential?.denied?.includes(action)) {
      // The message is the one AWS gives a principal whose policy lacks the action.
      const message = `User: arn:aws:iam::123456789012:user/${credential.accessKeyId} is not authorized to perform: ${action}`;
      return service === ServiceName.ImportExport
        ? queryError(403, 'AccessDenied', message, requestId)
        : restJsonError(403, 'AccessDeniedException', message, requestId);
    }
    if (
      service === ServiceName.ImportExport &&
      (outcome.auth.service !== 'IngestionService' || outcome.auth.region !== 'us-east-1')
    ) {
      return queryError(
        403,
        'SignatureDoesNotMatch',
        `Credential should be scoped to a valid region and service: 'us-east-1/IngestionService', not '${outcome.auth.region}/${outcome.auth.service}'.`,
        requestId,
      );
    }
    return undefined;
  }

  /**
   * Why an admin request is refused, or undefined. State-changing admin requests must say `application/json`, which
   * a web page cannot send to another origin without a preflight this server never answers; with auth on, every
   * admin request (the state holds manifests and key ids) must be signed by a known key or carry the admin token.
   */
  private adminRefusal(
    req: IncomingMessage,
    rawPath: string,
    rawQuery: string,
    body: Buffer,
  ): { status: number; message: string } | undefined {
    const method = req.method ?? 'GET';
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (method !== 'GET' && type !== 'application/json')
      return { status: 415, message: 'admin requests other than GET must be sent as application/json' };
    const credentials = this.options.auth?.credentials;
    if (!credentials) return undefined;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      const [given, expected] = [Buffer.from(bearer), Buffer.from(this.adminToken ?? '')];
      if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
      return { status: 403, message: 'the admin token is wrong' };
    }
    const outcome = verifySigV4({ method, rawPath, rawQuery, headers: req.headers, body }, credentials, Date.now());
    if (outcome.ok) return undefined;
    return {
      status: 403,
      message: `with --auth, admin requests need a signature by a known key or the admin token (${outcome.message})`,
    };
  }

  private write(res: ServerResponse, response: EmulatorResponse): void {
    const body = Buffer.from(response.body, 'utf8');
    res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
    res.end(body);
  }

  private handleAdmin(method: string, rawPath: string, body: Buffer, res: ServerResponse): void {
    const segments = decodeSegments(rawPath.slice(ADMIN_PREFIX.length));
    let parsed: unknown = undefined;
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return this.json(res, 400, { message: 'admin request bodies are JSON' });
      }
    }
    const route = `${method} ${segments.join('/')}`;
    switch (route) {
      case 'GET state':
        return this.json(res, 200, {
          iot: this.iot.dump(this.stateNow()),
          importexport: this.importExport.dump(),
          settings: this.settings,
          quotas: this.quotas.settings,
        });
      case 'POST reset':
        this.iot.reset();
        this.importExport.reset();
        this.faults.clear();
        this.releaseHeld();
        this.log = [];
        this.clockOffsetMs = 0;
        this.frozenAtMs = undefined;
        Object.assign(this.settings, this.initialSettings);
        this.quotas.reset();
        this.mqtt?.reset();
        return this.json(res, 200, {});
      case 'POST settle':
        // Test harness: see `inFlight`.
        return void this.settled().then(() => this.json(res, 200, {}));
      case 'GET requests':
        return this.json(res, 200, this.log);
      case 'DELETE requests':
        this.log = [];
        return this.json(res, 200, {});
      case 'GET faults':
        return this.json(res, 200, this.faults.list());
      case 'POST faults': {
        const rule = parseFaultRule(parsed);
        if (typeof rule === 'string') return this.json(res, 400, { message: rule });
        this.faults.add(rule);
        return this.json(res, 200, {});
      }
      case 'DELETE faults':
        this.faults.clear();
        this.releaseHeld();
        return this.json(res, 200, {});
      case 'POST clock': {
        const { advanceSeconds: advance = 0, freeze } = (parsed ?? {}) as {
          advanceSeconds?: unknown;
          freeze?: unknown;
        };
        if (typeof advance !== 'number' || advance < 0)
          return this.json(res, 400, { message: 'advanceSeconds must be a number >= 0' });
        if (
          freeze !== undefined &&
          typeof freeze !== 'boolean' &&
          !(Number.isInteger(freeze) && (freeze as number) > 0)
        )
          return this.json(res, 400, { message: 'freeze must be true, false or a time in epoch seconds' });
        // Frozen on a whole second (now, or the one given): the data plane shows whole seconds.
        if (typeof freeze === 'number') this.frozenAtMs = freeze * 1000;
        else if (freeze === true && this.frozenAtMs === undefined)
          this.frozenAtMs = Math.floor(this.stateNow() / 1000) * 1000;
        if (freeze === false && this.frozenAtMs !== undefined) {
          this.clockOffsetMs = this.frozenAtMs - Date.now();
          this.frozenAtMs = undefined;
        }
        if (this.frozenAtMs !== undefined) this.frozenAtMs += advance * 1000;
        else this.clockOffsetMs += advance * 1000;
        return this.json(res, 200, {
          offsetSeconds: (this.stateNow() - Date.now()) / 1000,
          frozen: this.frozenAtMs !== undefined,
        });
      }
      case 'GET mqtt':
        if (!this.mqtt) return this.json(res, 404, { message: 'MQTT is off: start the emulator with an MQTT port' });
        return this.json(res, 200, this.mqtt.report());
      case 'GET quotas':
        return this.json(res, 200, this.quotas.report());
      case 'POST quotas': {
        const problem = quotaSettingsProblem(parsed);
        if (problem) return this.json(res, 400, { message: problem });
        this.quotas.configure(parsed as Partial<QuotaSettings>);
        return this.json(res, 200, this.quotas.report());
      }
      case 'POST settings': {
        const problem = settingsProblem(parsed);
        if (problem) return this.json(res, 400, { message: problem });
        Object.assign(this.settings, parsed);
        return this.json(res, 200, this.settings);
      }
    }
    for (const module of [this.iot, this.importExport]) {
      const answer = module.admin?.(method, segments, parsed);
      if (answer) return this.json(res, answer.status, answer.body);
    }
    return this.json(res, 404, { message: `no admin route ${route}` });
  }

  private json(res: ServerResponse, status: number, value: unknown): void {
    this.write(res, { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
  }

  /** Starts listening; resolves with the URL once the port is bound. */
  listen(): Promise<RunningEmulator> {
    const host = this.options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject);
        const { port } = this.server.address() as AddressInfo;
        const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
        void this.startMqtt(host).then(
          (mqtt) => resolve({ url, port, adminToken: this.adminToken, mqtt, close: () => this.close() }),
          (error: unknown) => void this.close().then(() => reject(error as Error)),
        );
      });
    });
  }

  private async startMqtt(host: string): Promise<RunningEmulator['mqtt']> {
    const options = this.options.mqtt;
    if (!options || (options.port === undefined && options.tlsPort === undefined)) return undefined;
    this.mqtt = await MqttListener.start(
      {
        jobs: this.iot,
        now: () => this.stateNow(),
        admit: (operation) => this.quotas.admit(ServiceName.IotJobsData, operation),
        fault: (operation) => this.faults.take(ServiceName.IotJobsData, operation, 'mqtt'),
        hold: () => new Promise<void>((r) => this.held.add(r)),
        record: (entry) =>
          this.record({
            seq: ++this.seq,
            service: ServiceName.IotJobsData,
            method: 'MQTT',
            authenticated: true,
            ...entry,
          }),
      },
      { host, ...options },
    );
    return { ...this.mqtt.endpoints, caPem: this.mqtt.caPem };
  }

  private async close(): Promise<void> {
    this.releaseHeld();
    await this.mqtt?.close();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}
