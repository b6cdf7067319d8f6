/**
 * One signed HTTP exchange with an AWS service, for the calls the core makes without an SDK client: Import/Export's
 * query protocol (no v3 client exists) and the one IoT control-plane read a step may need. It signs with the SDK's
 * own `@smithy/signature-v4` as the AWS CLI signs (no `x-amz-content-sha256` header), sends through the
 * connection's HTTP handler, and learns the service's clock from its `Date` header as the v3 SDK does, so a device
 * whose clock is off still gets through. Retries are not here: the steps retry, through `StepRun`.
 */
import type { IncomingMessage } from 'node:http';

import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';

import { systemClock } from './clock';
import type { CredentialsProvider } from './connection';
import { Sha256 } from './sha256';
import type { AttemptLimits } from './step-run';

/** AWS refuses signatures more than 5 minutes away from its clock. */
const MAX_SKEW_MS = 5 * 60 * 1000;

/**
 * A service's refusal, shaped like the SDK's exceptions (`name` is the AWS error code, `$metadata` the status and
 * request id) so that one mapping (`toStepError`) turns both into StepErrors.
 */
export class AwsServiceError extends Error {
  readonly $metadata: {
    readonly httpStatusCode: number;
    readonly requestId: string | undefined;
    /** Set when the answer showed our clock off by 5 minutes or more and the offset was corrected: retry. */
    clockSkewCorrected?: boolean;
  };
  readonly $fault: 'client' | 'server';

  constructor(name: string, message: string, httpStatusCode: number, requestId: string | undefined) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode, requestId };
    this.$fault = httpStatusCode >= 500 ? 'server' : 'client';
  }
}

/** Where and as whom a `SignedHttpClient` sends. */
export interface SignedHttpConfig {
  /** The service's base URL; request paths are appended to its path. */
  readonly endpoint: string;
  /** The SigV4 scope. */
  readonly signing: { readonly region: string; readonly service: string };
  readonly credentials: CredentialsProvider;
  readonly httpHandler: NodeHttpHandler;
}

export interface SignedRequest {
  readonly method: 'GET' | 'POST';
  /** Below the endpoint's path, starting with `/`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface SignedResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  /** The answer corrected the clock offset: a refusal of this request is worth signing again. */
  readonly clockSkewCorrected: boolean;
}

async function readBody(stream: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends signed requests to one service endpoint; one instance per connection and service. */
export class SignedHttpClient {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  /** Added to the local clock when signing; see `learnClock`. */
  private clockOffsetMs = 0;

  constructor(private readonly config: SignedHttpConfig) {
    this.url = new URL(config.endpoint);
    this.signer = new SignatureV4({
      ...config.signing,
      credentials: config.credentials,
      sha256: Sha256,
      applyChecksum: false,
    });
  }

  /** Learns the service's time from an answer, when it is 5 minutes or more from ours; true when it did. */
  private learnClock(dateHeader: string | undefined): boolean {
    const serverTime = dateHeader ? Date.parse(dateHeader) : NaN;
    if (Number.isNaN(serverTime)) return false;
    if (Math.abs(systemClock.now() + this.clockOffsetMs - serverTime) < MAX_SKEW_MS) return false;
    this.clockOffsetMs = serverTime - systemClock.now();
    return true;
  }

  /** Signs and sends one request; resolves with the whole answer, whatever its status. */
  async send(request: SignedRequest, limits?: AttemptLimits): Promise<SignedResponse> {
    const { protocol, hostname, port, pathname } = this.url;
    const base = pathname.replace(/\/$/, '');
    const signed = await this.signer.sign(
      {
        method: request.method,
        protocol,
        hostname,
        ...(port && { port: Number(port) }),
        path: `${base}${request.path}` || '/',
        query: { ...request.query },
        headers: { host: this.url.host, ...request.headers },
        body: request.body,
      },
      { signingDate: new Date(systemClock.now() + this.clockOffsetMs) },
    );
    if (request.body !== undefined) signed.headers['content-length'] = String(Buffer.byteLength(request.body));
    const { response } = await this.config.httpHandler.handle(
      signed as Parameters<NodeHttpHandler['handle']>[0],
      limits,
    );
    const body = await readBody(response.body as IncomingMessage);
    return {
      statusCode: response.statusCode,
      headers: response.headers,
      body,
      clockSkewCorrected: this.learnClock(response.headers.date),
    };
  }
}
