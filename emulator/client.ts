/**
 * The one client of a running emulator, for the tests, the sandbox and the benchmarks: SigV4-signed requests on
 * either IoT plane (signed by the SDK's own `@smithy/signature-v4`, as `aws iot …` signs them), seeding of things
 * and jobs through the control plane, and the admin routes (state, reset, faults, request log, clock, settings, and
 * the tests' settle), which an emulator with auth on takes only signed by a key it knows.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

import type { FaultRequest } from './faults';
import type { QuotaSettings } from './quotas';
import type { EmulatorCredential } from './sigv4';
import type { EmulatorSettings } from './types';

/** The account and region every ARN the emulator makes names. */
export const EMULATOR_ARN_PREFIX = 'arn:aws:iot:us-east-1:123456789012';

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
}

/** A job to seed: its targets by thing name, and the configuration a test may need. */
export interface SeedJob {
  jobId: string;
  targets: readonly string[];
  document?: string;
  timeoutMinutes?: number;
  /** `jobExecutionsRetryConfig.criteriaList`. */
  retries?: readonly { failureType: 'FAILED' | 'TIMED_OUT' | 'ALL'; numberOfRetries: number }[];
}

/** Seeding and admin calls to one emulator, by URL, signed as `credentials` (us-east-1). */
export class EmulatorClient {
  /**
   * @param target the emulator's URL, or a function that gives it when a call is made (for a client made before
   *   the emulator it talks to has started, as a test file's fixture is).
   */
  constructor(
    private readonly target: string | (() => string),
    private readonly credentials: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>,
  ) {}

  /** The emulator's URL. */
  get url(): string {
    return typeof this.target === 'string' ? this.target : this.target();
  }

  /** The headers of a SigV4-signed request (for a client that sends it itself, again and again). */
  async signedHeaders(
    service: 'iot' | 'iot-jobs-data',
    method: string,
    path: string,
    payload?: string,
    query: Record<string, string> = {},
    signingDate?: Date,
  ): Promise<Record<string, string>> {
    const base = new URL(this.url);
    const signer = new SignatureV4({
      credentials: this.credentials,
      region: 'us-east-1',
      service,
      sha256: Hash.bind(null, 'sha256'),
    });
    const request = await signer.sign(
      {
        method,
        protocol: base.protocol,
        hostname: base.hostname,
        port: Number(base.port),
        path,
        query,
        headers: { host: base.host, 'content-type': 'application/json' },
        body: payload,
      },
      signingDate ? { signingDate } : {},
    );
    return request.headers;
  }

  /** A SigV4-signed request; `body` strings go out verbatim, other bodies as JSON. */
  async signed(
    service: 'iot' | 'iot-jobs-data',
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
    signingDate?: Date,
  ): Promise<HttpReply> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers = await this.signedHeaders(service, method, path, payload, query, signingDate);
    const search = new URLSearchParams(query).toString();
    const res = await fetch(`${this.url}${path}${search ? `?${search}` : ''}`, { method, headers, body: payload });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** One admin request (`/_emulator/<path>`, a query after `?`), as JSON, signed; the raw reply. */
  adminReply(method: string, path: string, body?: unknown): Promise<HttpReply> {
    const [pathname = '', search = ''] = path.split('?');
    return this.signed(
      'iot',
      method,
      `/_emulator/${pathname}`,
      body === undefined ? undefined : JSON.stringify(body),
      Object.fromEntries(new URLSearchParams(search)),
    );
  }

  /** An admin request that must answer 200; its JSON. */
  async admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const reply = await this.adminReply(method, path, body);
    if (reply.status !== 200) throw new Error(`admin ${method} ${path} answered ${reply.status}: ${reply.text}`);
    return JSON.parse(reply.text);
  }

  reset(): Promise<unknown> {
    return this.admin('POST', 'reset');
  }

  /**
   * Resolves once the emulator has no AWS request in flight (a test harness call: what a test sent under a latency
   * fault and gave up on has landed, applied and logged, before the test resets or reads the log).
   */
  settle(): Promise<unknown> {
    return this.admin('POST', 'settle');
  }

  clearRequests(): Promise<unknown> {
    return this.admin('DELETE', 'requests');
  }

  fault(rule: FaultRequest): Promise<unknown> {
    return this.admin('POST', 'faults', rule);
  }

  advanceClock(seconds: number): Promise<unknown> {
    return this.admin('POST', 'clock', { advanceSeconds: seconds });
  }

  /**
   * Stops the service-state clock (now, or at `freeze` epoch seconds) or, with false, restarts it: repeated runs
   * then show the same timestamps. `reset` restarts it.
   */
  freezeClock(freeze: boolean | number = true): Promise<unknown> {
    return this.admin('POST', 'clock', { freeze });
  }

  settings(settings: Partial<EmulatorSettings>): Promise<unknown> {
    return this.admin('POST', 'settings', settings);
  }

  /** Changes the account's quotas (`{ enabled: false }` for none); the report of settings and counts. */
  quotas(quotas: Partial<QuotaSettings>): Promise<unknown> {
    return this.admin('POST', 'quotas', quotas);
  }

  /**
   * Creates things and jobs through the control plane, throwing unless each call succeeds. A throttled call (the
   * account's CreateJob quota is 10 a second, CreateThing's 15) is sent again once the quota has room, as any AWS
   * client would. More things than one burst of CreateThing are created with the quotas off (then on again, every
   * bucket full: a seed that large also refills every other bucket), so that a fleet's fixture is neither throttled for
   * minutes nor counted.
   */
  async seed(things: readonly string[], jobs: readonly SeedJob[]): Promise<void> {
    const { settings } = (await this.admin('GET', 'quotas')) as { settings: QuotaSettings };
    const lift = settings.enabled && things.length > settings.createThing * settings.burstSeconds;
    if (lift) await this.quotas({ enabled: false });
    try {
      for (const thing of things) this.expectOk(await this.sendUnthrottled('POST', `/things/${thing}`, {}));
    } finally {
      if (lift) await this.quotas({ enabled: true });
    }
    for (const job of jobs) {
      const body = {
        targets: job.targets.map((t) => `${EMULATOR_ARN_PREFIX}:thing/${t}`),
        document: job.document ?? '{"action":"reboot"}',
        ...(job.timeoutMinutes !== undefined && { timeoutConfig: { inProgressTimeoutInMinutes: job.timeoutMinutes } }),
        ...(job.retries && { jobExecutionsRetryConfig: { criteriaList: job.retries } }),
      };
      this.expectOk(await this.sendUnthrottled('PUT', `/jobs/${job.jobId}`, body));
    }
  }

  /** A control-plane request, sent again while it is throttled (400 ThrottlingException there), up to 50 times. */
  private async sendUnthrottled(method: string, path: string, body: unknown): Promise<HttpReply> {
    let reply = await this.signed('iot', method, path, body);
    for (let tries = 0; reply.headers.get('x-amzn-errortype') === 'ThrottlingException' && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = await this.signed('iot', method, path, body);
    }
    return reply;
  }

  /** A device-side update through the signed data plane, for moving fixtures on. */
  deviceUpdate(thingName: string, jobId: string, body: unknown): Promise<HttpReply> {
    return this.signed('iot-jobs-data', 'POST', `/things/${thingName}/jobs/${jobId}`, body);
  }

  private expectOk(reply: HttpReply): void {
    if (reply.status !== 200) throw new Error(`seeding answered ${reply.status}: ${reply.text}`);
  }
}
