/**
 * Talking to a running emulator from tests: its admin routes (state, reset, faults, request log, clock,
 * settings) and SigV4-signed seeding of the IoT control plane, signed by the SDK's own signer.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

import { FIXTURE_CREDENTIALS } from './aws-cli';

export const ARN_PREFIX = 'arn:aws:iot:us-east-1:123456789012';

export interface Transition {
  operation: string;
  from: string;
  to: string;
  versionNumber: number;
  at: number;
}

export interface DumpExecution {
  jobId: string;
  thingName: string;
  retryAttempt: number;
  status: string;
  statusDetails: Record<string, string>;
  versionNumber: number;
  executionNumber: number;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  stepTimeoutAt?: number;
  inProgressTimeoutAt?: number;
  history: Transition[];
}

export interface DumpJob {
  jobId: string;
  createdAt: number;
  status: string;
}

export interface IotDump {
  executions: DumpExecution[];
  jobs: DumpJob[];
}

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
}

/** One line of the emulator's request log. */
export interface LoggedRequest {
  service: string;
  operation: string;
  status: number | 'reset';
  fault?: string;
}

export interface FaultRule {
  kind: 'throttle' | 'unavailable' | 'reset' | 'apply-then-reset' | 'ok-unapplied' | 'latency';
  operation?: string;
  service?: string;
  count?: number;
  latencyMs?: number;
}

export interface SeedJob {
  jobId: string;
  targets: readonly string[];
  document?: string;
  timeoutMinutes?: number;
  /** `jobExecutionsRetryConfig.criteriaList`. */
  retries?: readonly { failureType: 'FAILED' | 'TIMED_OUT' | 'ALL'; numberOfRetries: number }[];
}

/** The things of `rerunFixture`: one per terminal status a device reports. */
export const RERUN_THINGS = { SUCCEEDED: 'gw-1', FAILED: 'gw-2', REJECTED: 'gw-3' } as const;

/** The emulator's switches between readings of AWS's documents (emulator/types.ts). */
export interface EmulatorReadings {
  terminalStateOnDescribe?: boolean;
  conflictExecutionState?: boolean;
}

/**
 * Every combination of the readings a step must work under: DescribeJobExecution of a terminal execution (410 or
 * 200), a 409's body (with or without executionState), and jobs with and without a retry configuration.
 */
export const READINGS: readonly {
  readonly name: string;
  readonly settings: Required<EmulatorReadings>;
  readonly retries: SeedJob['retries'];
}[] = [true, false].flatMap((terminalStateOnDescribe) =>
  [true, false].flatMap((conflictExecutionState) =>
    [undefined, [{ failureType: 'FAILED' as const, numberOfRetries: 2 }]].map((retries) => ({
      name:
        `describe of a terminal execution ${terminalStateOnDescribe ? '410' : '200'}, ` +
        `409 ${conflictExecutionState ? 'with' : 'without'} executionState, ` +
        `${retries ? 'retry on FAILED' : 'no retry config'}`,
      settings: { terminalStateOnDescribe, conflictExecutionState },
      retries,
    })),
  ),
);

const SHA256 = Hash.bind(null, 'sha256');

/**
 * One admin request (`/_emulator/<path>`), as JSON and signed by the fixture credentials: an emulator with auth on
 * takes admin requests only signed by a key it knows (or with its admin token); one without auth ignores the
 * signature.
 */
export async function adminRequest(url: string, method: string, path: string, body?: unknown): Promise<Response> {
  const base = new URL(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const [pathname, search = ''] = `/_emulator/${path}`.split('?');
  const signer = new SignatureV4({
    credentials: FIXTURE_CREDENTIALS,
    region: 'us-east-1',
    service: 'iot',
    sha256: SHA256,
  });
  const signed = await signer.sign({
    method,
    protocol: base.protocol,
    hostname: base.hostname,
    port: Number(base.port),
    path: pathname!,
    query: Object.fromEntries(new URLSearchParams(search)),
    headers: { host: base.host, 'content-type': 'application/json' },
    body: payload,
  });
  return fetch(`${url}${pathname}${search ? `?${search}` : ''}`, { method, headers: signed.headers, body: payload });
}

/** The admin and seeding side of one emulator, by URL. */
export class EmulatorFixture {
  constructor(readonly url: string) {}

  async admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await adminRequest(this.url, method, path, body);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`admin ${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  }

  reset(): Promise<unknown> {
    return this.admin('POST', 'reset');
  }

  async iot(): Promise<IotDump> {
    return ((await this.admin('GET', 'state')) as { iot: IotDump }).iot;
  }

  async execution(thingName: string, jobId: string): Promise<DumpExecution> {
    const found = (await this.iot()).executions.find((e) => e.thingName === thingName && e.jobId === jobId);
    if (!found) throw new Error(`no execution of ${jobId} on ${thingName} in the dump`);
    return found;
  }

  async requests(): Promise<LoggedRequest[]> {
    return (await this.admin('GET', 'requests')) as LoggedRequest[];
  }

  clearRequests(): Promise<unknown> {
    return this.admin('DELETE', 'requests');
  }

  fault(rule: FaultRule): Promise<unknown> {
    return this.admin('POST', 'faults', rule);
  }

  advanceClock(seconds: number): Promise<unknown> {
    return this.admin('POST', 'clock', { advanceSeconds: seconds });
  }

  setTerminalStateOnDescribe(value: boolean): Promise<unknown> {
    return this.admin('POST', 'settings', { terminalStateOnDescribe: value });
  }

  settings(readings: EmulatorReadings): Promise<unknown> {
    return this.admin('POST', 'settings', readings);
  }

  /**
   * A fresh account under one reading, for re-run tests: the emulator reset and set to `reading`, and one thing per
   * terminal status (`RERUN_THINGS`) targeted by job fw-42 with the reading's retry configuration.
   */
  async rerunFixture(reading: Pick<(typeof READINGS)[number], 'settings' | 'retries'>): Promise<void> {
    await this.reset();
    await this.settings(reading.settings);
    const things = Object.values(RERUN_THINGS);
    await this.seed(things, [{ jobId: 'fw-42', targets: things, retries: reading.retries }]);
  }

  /** A thing's executions of a job, first to latest (retries after the execution they retry). */
  async executions(thingName: string, jobId: string): Promise<DumpExecution[]> {
    return (await this.iot()).executions.filter((e) => e.thingName === thingName && e.jobId === jobId);
  }

  /** A SigV4-signed request (fixture credentials, us-east-1) on either IoT plane; `body` strings go out verbatim. */
  async signed(
    service: 'iot' | 'iot-jobs-data',
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
  ): Promise<HttpReply> {
    const url = new URL(this.url);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const signer = new SignatureV4({ credentials: FIXTURE_CREDENTIALS, region: 'us-east-1', service, sha256: SHA256 });
    const request = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query,
      headers: { host: url.host, 'content-type': 'application/json' },
      body: payload,
    });
    const search = new URLSearchParams(query).toString();
    const res = await fetch(`${this.url}${path}${search ? `?${search}` : ''}`, {
      method,
      headers: request.headers,
      body: payload,
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** Creates things and jobs through the control plane, throwing unless each call succeeds. */
  async seed(things: readonly string[], jobs: readonly SeedJob[]): Promise<void> {
    for (const thing of things) this.expectOk(await this.signed('iot', 'POST', `/things/${thing}`, {}));
    for (const job of jobs) {
      const body = {
        targets: job.targets.map((t) => `${ARN_PREFIX}:thing/${t}`),
        document: job.document ?? '{"action":"reboot"}',
        ...(job.timeoutMinutes !== undefined && { timeoutConfig: { inProgressTimeoutInMinutes: job.timeoutMinutes } }),
        ...(job.retries && { jobExecutionsRetryConfig: { criteriaList: job.retries } }),
      };
      this.expectOk(await this.signed('iot', 'PUT', `/jobs/${job.jobId}`, body));
    }
  }

  /** A device-side update through the signed data plane, for moving fixtures on. */
  deviceUpdate(thingName: string, jobId: string, body: unknown): Promise<HttpReply> {
    return this.signed('iot-jobs-data', 'POST', `/things/${thingName}/jobs/${jobId}`, body);
  }

  private expectOk(reply: HttpReply): void {
    if (reply.status !== 200) throw new Error(`seeding answered ${reply.status}: ${reply.text}`);
  }
}
