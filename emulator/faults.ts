/**
 * Fault injection: rules queued through the admin API and consumed by the requests they match, so a test can
 * say "the next two UpdateJobExecution calls are throttled" and get exactly that.
 */
import type { ServiceName } from './types';

/** What a fault does to the request it hits. */
export const FaultKind = {
  /**
   * ThrottlingException with its model's status (400 on the control plane, 429 on the data plane) / 400 Throttling
   * (query); nothing is applied.
   */
  Throttle: 'throttle',
  /** 503 ServiceUnavailableException; nothing is applied. */
  Unavailable: 'unavailable',
  /** The connection is reset before anything is applied. */
  Reset: 'reset',
  /** The operation is applied, then the connection is reset: the client never sees the answer. */
  ApplyThenReset: 'apply-then-reset',
  /**
   * 200 without applying anything: on rest-json the coral `UnknownOperationException` envelope captured in
   * aws/aws-sdk-js#2539, on the query protocol a soft refusal (see `unappliedSuccess` in server.ts).
   */
  OkUnapplied: 'ok-unapplied',
  /** The request waits `latencyMs` before it is handled normally. */
  Latency: 'latency',
  /**
   * The request waits until the test lets it go (`DELETE /_emulator/faults`, a settle, a reset or close), then is
   * handled normally: for a test that needs one request to land after others, whatever the machine's speed.
   */
  Hold: 'hold',
  /** MQTT only: the request is applied and its reply never sent (a reply lost on the way). */
  DropReply: 'drop-reply',
  /**
   * The read it hits (`$next`, start-next, the pending list, over either plane) does not see executions queued in
   * the last `latencyMs`: a `notify` can reach a device before those reads see its job (the eventual consistency
   * AWS's Greengrass nucleus retries around).
   */
  LaggingRead: 'lagging-read',
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

/** Which wire a request came over. */
export type Plane = 'https' | 'mqtt';
const PLANES: readonly string[] = ['https', 'mqtt'];

/**
 * What `POST /_emulator/faults` takes: `service` and `operation` narrow what it matches, `count` (1) how many it hits,
 * `plane` which wire it waits on (`https`, the default, or `mqtt`: over MQTT `throttle` is a RequestThrottled
 * refusal, `unavailable` an InternalError, `reset` a disconnect before the request is applied, `apply-then-reset`
 * one after).
 */
export interface FaultRequest {
  readonly kind: FaultKind;
  readonly plane?: Plane;
  readonly service?: ServiceName;
  readonly operation?: string;
  readonly count?: number;
  readonly latencyMs?: number;
}

/** A queued fault, with the hits it has left. */
export interface FaultRule extends Omit<FaultRequest, 'count' | 'plane'> {
  readonly plane: Plane;
  remaining: number;
}

const KINDS = new Set<string>(Object.values(FaultKind));

/** Parses an admin `POST /_emulator/faults` body, or explains what is wrong with it. */
export function parseFaultRule(body: unknown): FaultRule | string {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const { kind, service, operation, count = 1, latencyMs, plane = 'https' } = body as Record<string, unknown>;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return `kind must be one of ${[...KINDS].join(', ')}`;
  if (typeof plane !== 'string' || !PLANES.includes(plane)) return `plane must be one of ${PLANES.join(', ')}`;
  if (kind === FaultKind.DropReply && plane !== 'mqtt')
    return 'drop-reply is an MQTT fault (plane "mqtt"); over HTTPS use apply-then-reset';
  if (kind === FaultKind.OkUnapplied && plane === 'mqtt')
    return 'ok-unapplied is an HTTPS fault (the envelope of aws/aws-sdk-js#2539); over MQTT use drop-reply';
  if (service !== undefined && typeof service !== 'string') return 'service must be a string';
  if (operation !== undefined && typeof operation !== 'string') return 'operation must be a string';
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) return 'count must be a positive integer';
  if (
    (kind === FaultKind.Latency || kind === FaultKind.LaggingRead) &&
    (typeof latencyMs !== 'number' || latencyMs < 0)
  ) {
    return `${kind} faults need latencyMs >= 0`;
  }
  return {
    kind: kind as FaultKind,
    plane: plane as Plane,
    ...(service !== undefined && { service: service as ServiceName }),
    ...(operation !== undefined && { operation }),
    ...(typeof latencyMs === 'number' && { latencyMs }),
    remaining: count,
  };
}

/** The queue of pending faults, first match wins. */
export class FaultQueue {
  private rules: FaultRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push(rule);
  }

  clear(): void {
    this.rules = [];
  }

  list(): readonly FaultRule[] {
    return this.rules;
  }

  /** Takes one hit from the first rule matching the request, if any. */
  take(service: ServiceName, operation: string, plane: Plane = 'https'): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.plane === plane &&
        (r.service === undefined || r.service === service) &&
        (r.operation === undefined || r.operation === operation),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
    return rule;
  }
}
