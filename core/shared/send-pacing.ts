/**
 * Client-side rate adaptation, one per connection, in the spirit of the AWS SDKs' adaptive retry mode: a connection
 * sends freely until AWS throttles it; from then on each operation's requests leave at a rate that halves on every
 * throttle and climbs back on every success, and pacing ends once the rate is back above what the connection sends.
 * A connection that reports in bursts thereby converges on the account's quota instead of hammering it, and a
 * throttled retry waits for the quota rather than spending a request on a second refusal.
 *
 * The SDK's own limiter (CUBIC, in `@smithy/core`) is not a dependency of ours, and it paces one client per
 * process; this one is per operation of a connection, which is what AWS IoT's per-API quotas count.
 */

/** The lowest rate a throttled operation is paced at, per second (the SDK's minimum fill rate). */
export const MIN_RATE = 0.5;
/** Above this rate an operation is no longer paced: nothing a gateway sends is throttled for its own rate there. */
const UNPACED_RATE = 1_000;

interface Pace {
  /** Requests per second. */
  rate: number;
  /** When the last paced request left (ms): the next leaves 1/rate after it. */
  last: number;
}

/** The pacing of one connection's operations, by operation name. */
export class SendPacing {
  private readonly paces = new Map<string, Pace>();
  /** Each operation's last request: when it left, and the gap since the one before (the rate it was sent at). */
  private readonly lastSent = new Map<string, { at: number; gap: number | undefined }>();

  /** How long a request of `operation` must wait at `now` (ms), reserving its place; 0 when it need not. */
  delay(operation: string, now: number): number {
    const pace = this.paces.get(operation);
    const at = pace ? Math.max(now, pace.last + 1000 / pace.rate) : now;
    if (pace) pace.last = at;
    const previous = this.lastSent.get(operation);
    this.lastSent.set(operation, { at, gap: previous && at - previous.at });
    return at - now;
  }

  /** AWS throttled a request of `operation`: the pace halves (at first, from the rate the requests left at). */
  throttled(operation: string, now: number): void {
    const pace = this.paces.get(operation);
    if (pace) {
      pace.rate = Math.max(MIN_RATE, pace.rate / 2);
      pace.last = Math.max(pace.last, now);
      return;
    }
    // The rate the connection was sending at: one request per gap between its last two, or one a second.
    const gap = this.lastSent.get(operation)?.gap || 1000;
    const rate = Math.max(MIN_RATE, 1000 / gap / 2);
    this.paces.set(operation, { rate, last: now });
  }

  /** AWS answered a request of `operation`: the pace climbs back (additively, then by a tenth), and ends high up. */
  succeeded(operation: string): void {
    const pace = this.paces.get(operation);
    if (!pace) return;
    pace.rate += Math.max(1, pace.rate / 10);
    if (pace.rate >= UNPACED_RATE) this.paces.delete(operation);
  }

  /** The requests per second `operation` is paced at, or undefined when it is not paced. */
  rateOf(operation: string): number | undefined {
    return this.paces.get(operation)?.rate;
  }
}
