/**
 * The account's request-rate quotas, enforced as AWS enforces them: per account and region, not per device, each
 * quota a token bucket that refills at its rate. A request over its quota is answered `ThrottlingException` (400 on
 * the control plane, 429 on the data plane, as each service's model says) and has no effect. Rates are AWS IoT Device
 * Management's published defaults (the developer guide's "AWS IoT Jobs" limits, the Service Quotas console's job-API
 * rates) and, for `CreateThing`, AWS IoT Core's registry API rate.
 */
import { ServiceName } from './types';

/** The quota settings: requests per second, and how much an idle account may send at once. */
export interface QuotaSettings {
  /** false: no quota is enforced (the emulator answers as fast as it can). */
  readonly enabled: boolean;
  /** `UpdateJobExecution` and `StartNextPendingJobExecution` together, per second. AWS: 200. */
  readonly dataPlaneWrites: number;
  /** `DescribeJobExecution` and `GetPendingJobExecutions` (data plane) together, per second. AWS: 200. */
  readonly dataPlaneReads: number;
  /** Each Jobs control-plane API on its own (`CreateJob`, `DescribeJobExecution`…), per second. AWS: 10. */
  readonly controlPlane: number;
  /**
   * `CreateThing`, per second: a registry API of AWS IoT Core, with a rate of its own. AWS: 15 (the last published
   * table of AWS IoT Core's API throttling limits, AWS General Reference "AWS IoT Core endpoints and quotas").
   */
  readonly createThing: number;
  /**
   * Seconds of rate a bucket holds, so the burst an idle account may send at once is rate × this. AWS's documents give
   * rates only and are silent on bursts; 1 s (a burst of one second's requests) is the reading of a bare "N per
   * second", the common token-bucket default. Other readings are this setting.
   */
  readonly burstSeconds: number;
}

export const DEFAULT_QUOTAS: Readonly<QuotaSettings> = {
  enabled: true,
  dataPlaneWrites: 200,
  dataPlaneReads: 200,
  controlPlane: 10,
  createThing: 15,
  burstSeconds: 1,
};

const RATE_NAMES = ['dataPlaneWrites', 'dataPlaneReads', 'controlPlane', 'createThing', 'burstSeconds'] as const;

/** Why `body` is not a partial `QuotaSettings`, or undefined when it is one. */
export function quotaSettingsProblem(body: unknown): string | undefined {
  const names = ['enabled', ...RATE_NAMES];
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return `quotas are a JSON object with any of ${names.join(', ')}`;
  for (const [name, value] of Object.entries(body)) {
    if (name === 'enabled') {
      if (typeof value !== 'boolean') return 'enabled must be a boolean';
    } else if (!(RATE_NAMES as readonly string[]).includes(name)) {
      return `unknown quota ${name}; the quotas are ${names.join(', ')}`;
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      return `${name} must be a number > 0`;
    }
  }
  return undefined;
}

/** The Jobs control-plane APIs (IoT Device Management's quotas), each a bucket of its own. */
const CONTROL_PLANE_JOB_APIS = new Set([
  'CreateJob',
  'DescribeJob',
  'ListJobExecutionsForJob',
  'DescribeJobExecution',
  'CancelJobExecution',
]);

/** Which bucket a request draws from and its rate, or undefined for a request no quota counts. */
function quotaOf(
  service: ServiceName,
  operation: string,
  settings: QuotaSettings,
): { bucket: string; rate: number } | undefined {
  if (service === ServiceName.IotJobsData) {
    if (operation === 'UpdateJobExecution' || operation === 'StartNextPendingJobExecution')
      return { bucket: 'data-plane writes', rate: settings.dataPlaneWrites };
    if (operation === 'DescribeJobExecution' || operation === 'GetPendingJobExecutions')
      return { bucket: 'data-plane reads', rate: settings.dataPlaneReads };
  }
  if (service === ServiceName.IotControl && CONTROL_PLANE_JOB_APIS.has(operation))
    return { bucket: `control ${operation}`, rate: settings.controlPlane };
  if (service === ServiceName.IotControl && operation === 'CreateThing')
    return { bucket: 'registry CreateThing', rate: settings.createThing };
  // Import/Export publishes no request-rate quota.
  return undefined;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms of `now`. */
  at: number;
}

/**
 * The account's buckets. Kept by real (monotonic) time, not the admin clock: moving the emulator's clock forward
 * expires step timers, it does not hand out requests.
 */
export class AccountQuotas {
  private readonly buckets = new Map<string, Bucket>();
  private current: QuotaSettings;
  /** Requests each quota admitted and refused since the last reset, by bucket: what a benchmark counts. */
  private readonly counts = new Map<string, { admitted: number; throttled: number }>();

  constructor(
    private readonly initial: QuotaSettings,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.current = { ...initial };
  }

  get settings(): QuotaSettings {
    return this.current;
  }

  /** Changes some settings; the buckets start full at the new sizes. */
  configure(changes: Partial<QuotaSettings>): void {
    this.current = { ...this.current, ...changes };
    this.buckets.clear();
  }

  /** Back to the settings the emulator started with, every bucket full. */
  reset(): void {
    this.current = { ...this.initial };
    this.buckets.clear();
    this.counts.clear();
  }

  /** Takes a token for the request; false when its quota is spent (the request must be throttled). */
  admit(service: ServiceName, operation: string): boolean {
    if (!this.current.enabled) return true;
    const quota = quotaOf(service, operation, this.current);
    if (!quota) return true;
    const capacity = Math.max(1, quota.rate * this.current.burstSeconds);
    const now = this.now();
    let bucket = this.buckets.get(quota.bucket);
    if (!bucket) {
      bucket = { tokens: capacity, at: now };
      this.buckets.set(quota.bucket, bucket);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * quota.rate);
    bucket.at = now;
    const admitted = bucket.tokens >= 1;
    if (admitted) bucket.tokens -= 1;
    let counts = this.counts.get(quota.bucket);
    if (!counts) this.counts.set(quota.bucket, (counts = { admitted: 0, throttled: 0 }));
    counts[admitted ? 'admitted' : 'throttled'] += 1;
    return admitted;
  }

  /** The settings and each bucket's counts, for `GET /_emulator/quotas`. */
  report(): { settings: QuotaSettings; counts: Record<string, { admitted: number; throttled: number }> } {
    return { settings: this.current, counts: Object.fromEntries(this.counts) };
  }
}
