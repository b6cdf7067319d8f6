/**
 * AWS IoT Jobs over MQTT as a function of (thing, topic, payload) → the reply, and of the execution model → the
 * notifications, with no broker in sight: `mqtt-listener.ts` carries them. Topics, payloads and error codes follow
 * the developer guide's "Jobs device MQTT API operations" (jobs-mqtt-api) and "Jobs notifications"
 * (jobs-comm-notifications); the rules themselves are the model's (`jobs-model.ts`), shared with the HTTPS plane.
 */
import { IotError, IotErrorName, type JsonObject } from './iot-validation';
import {
  MAX_PENDING_RETURNED,
  VersionMismatch,
  describeExecution,
  executionState,
  nonEmpty,
  pendingExecutions,
  pendingOf,
  startNext,
  updateExecution,
  type DeviceContext,
  type Execution,
  type IotState,
  type Job,
} from './jobs-model';

/** The Jobs MQTT API's error codes (jobs-mqtt-api, "Jobs API error codes"). */
export const JobsErrorCode = {
  InvalidTopic: 'InvalidTopic',
  InvalidJson: 'InvalidJson',
  InvalidRequest: 'InvalidRequest',
  InvalidStateTransition: 'InvalidStateTransition',
  ResourceNotFound: 'ResourceNotFound',
  VersionMismatch: 'VersionMismatch',
  InternalError: 'InternalError',
  RequestThrottled: 'RequestThrottled',
  TerminalStateReached: 'TerminalStateReached',
} as const;
export type JobsErrorCode = (typeof JobsErrorCode)[keyof typeof JobsErrorCode];

/** The operation a request topic names, as the HTTPS plane and the fault rules name it. */
export const MqttJobsOperation = {
  GetPending: 'GetPendingJobExecutions',
  StartNext: 'StartNextPendingJobExecution',
  Describe: 'DescribeJobExecution',
  Update: 'UpdateJobExecution',
  Unknown: 'InvalidTopic',
} as const;
export type MqttJobsOperation = (typeof MqttJobsOperation)[keyof typeof MqttJobsOperation];

/** One message the plane sends: to the requesting client only (a reply) or to the topic's subscribers. */
export interface JobsMessage {
  readonly topic: string;
  readonly payload: object;
}

/** A request on a Jobs topic, routed but not yet applied, so a fault can stand in its way. */
export interface JobsRequest {
  readonly thingName: string;
  readonly operation: MqttJobsOperation;
  /** Applies the request to the store and makes its reply (`accepted` or `rejected`). */
  readonly apply: (ctx: DeviceContext) => JobsMessage;
  /** The refusal it gets without being applied (a fault's). */
  readonly refuse: (code: JobsErrorCode, message: string, now: number) => JobsMessage;
}

const JOBS_PREFIX = /^\$aws\/things\/([^/]+)\/jobs\/(.*)$/;
const NEXT = '$next';
/** `ClientToken` in the iotjobs model: at most 64 characters. */
const MAX_CLIENT_TOKEN = 64;

/** Whether a topic is one the service publishes (a reply or a notification) rather than a request. */
function isServiceTopic(rest: string): boolean {
  return rest === 'notify' || rest === 'notify-next' || /\/(accepted|rejected)$/.test(rest) || rest === 'accepted';
}

/**
 * Routes a publish: a request for the Jobs plane, or undefined when the topic is not a Jobs request topic (not under
 * `$aws/things/<thing>/jobs/`, or one of the service's own reply and notification topics).
 */
export function routeJobsRequest(topic: string, payload: Buffer): JobsRequest | undefined {
  const match = JOBS_PREFIX.exec(topic);
  if (!match) return undefined;
  const thingName = match[1] ?? '';
  const rest = match[2] ?? '';
  if (isServiceTopic(rest)) return undefined;
  const parsed = parsePayload(payload);
  const clientToken = typeof parsed === 'object' ? tokenOf(parsed) : undefined;
  const refuse = (code: JobsErrorCode, message: string, now: number): JobsMessage =>
    rejected(topic, code, message, clientToken, now);
  const request = (operation: MqttJobsOperation, run: (ctx: DeviceContext, body: JsonObject) => object) => ({
    thingName,
    operation,
    refuse,
    apply: (ctx: DeviceContext): JobsMessage => {
      // "InvalidJson: the contents of the request could not be interpreted as valid UTF-8-encoded JSON".
      if (typeof parsed === 'string') return refuse(JobsErrorCode.InvalidJson, parsed, ctx.now);
      try {
        checkClientToken(parsed);
        const body = run(ctx, parsed);
        return { topic: `${topic}/accepted`, payload: { ...body, timestamp: seconds(ctx.now), clientToken } };
      } catch (error) {
        return rejectedFor(topic, error, clientToken, ctx.now);
      }
    },
  });

  if (rest === 'get') return request(MqttJobsOperation.GetPending, getPending(thingName));
  if (rest === 'start-next') return request(MqttJobsOperation.StartNext, startNextRequest(thingName));
  const perJob = /^([^/]+)\/(get|update)$/.exec(rest);
  if (perJob?.[2] === 'get') return request(MqttJobsOperation.Describe, describe(thingName, perJob[1] ?? ''));
  if (perJob?.[2] === 'update' && perJob[1] !== NEXT)
    return request(MqttJobsOperation.Update, update(thingName, perJob[1] ?? ''));
  // "InvalidTopic: the request was sent to a topic in the AWS IoT Jobs namespace that does not map to any API".
  return {
    thingName,
    operation: MqttJobsOperation.Unknown,
    refuse,
    apply: (ctx) => refuse(JobsErrorCode.InvalidTopic, `The topic ${topic} does not map to any Jobs API`, ctx.now),
  };
}

/** The JSON object a request carries; an empty payload is an empty request. A string says why it is not one. */
function parsePayload(payload: Buffer): JsonObject | string {
  const text = payload.toString('utf8');
  if (text.trim().length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'The request payload is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'The request payload must be a JSON object';
  return value as JsonObject;
}

function tokenOf(body: JsonObject): string | undefined {
  return typeof body.clientToken === 'string' && body.clientToken.length <= MAX_CLIENT_TOKEN
    ? body.clientToken
    : undefined;
}

function checkClientToken(body: JsonObject): void {
  const token = body.clientToken;
  if (token === undefined || token === null) return;
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_CLIENT_TOKEN)
    throw new IotError(
      IotErrorName.InvalidRequest,
      `clientToken must be a string of 1 to ${MAX_CLIENT_TOKEN} characters`,
    );
}

/**
 * The members the plane reads as numbers, taken also as decimal strings: AWS's FreeRTOS Jobs library writes
 * `expectedVersion` as a JSON string (aws/Jobs-for-AWS-IoT-embedded-sdk, `Jobs_UpdateMsg`) and AWS IoT accepts it.
 */
function numbersOf(body: JsonObject, fields: readonly string[]): JsonObject {
  const copy: JsonObject = { ...body };
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) copy[field] = Number(value);
  }
  return copy;
}

function getPending(thingName: string) {
  return (ctx: DeviceContext): object => {
    const { inProgress, queued } = pendingOf(ctx, thingName);
    return { inProgressJobs: inProgress.map(summary), queuedJobs: queued.map(summary) };
  };
}

function startNextRequest(thingName: string) {
  return (ctx: DeviceContext, body: JsonObject): object => {
    const started = startNext(ctx, thingName, numbersOf(body, ['stepTimeoutInMinutes']));
    return started ? { execution: execution(started.exec, started.job, true) } : {};
  };
}

function describe(thingName: string, jobId: string) {
  return (ctx: DeviceContext, body: JsonObject): object => {
    const fields = numbersOf(body, ['executionNumber']);
    const executionNumber = fields.executionNumber;
    if (executionNumber !== undefined && !Number.isSafeInteger(executionNumber))
      throw new IotError(IotErrorName.InvalidRequest, 'executionNumber must be an integer');
    const include = fields.includeJobDocument;
    if (include !== undefined && typeof include !== 'boolean')
      throw new IotError(IotErrorName.InvalidRequest, 'includeJobDocument must be a boolean');
    const found = describeExecution(ctx, thingName, jobId, executionNumber as number | undefined);
    // The iotjobs model: "Unless set to false, the response contains the job document. The default is true."
    return found ? { execution: execution(found.exec, found.job, include ?? true) } : {};
  };
}

function update(thingName: string, jobId: string) {
  return (ctx: DeviceContext, body: JsonObject): object => {
    const fields = numbersOf(body, ['expectedVersion', 'executionNumber', 'stepTimeoutInMinutes']);
    const updated = updateExecution(ctx, thingName, jobId, fields);
    return {
      executionState: updated.includeState ? mqttExecutionState(updated.exec) : undefined,
      jobDocument: updated.includeDocument ? documentOf(updated.job) : undefined,
    };
  };
}

/** Over MQTT the timestamps are epoch seconds. */
function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}

/** "Over MQTT the job document is a JSON object" (jobs-mqtt-api's JobExecution); over HTTPS it is a string. */
function documentOf(job: Job): object | undefined {
  return job.document === undefined ? undefined : (JSON.parse(job.document) as object);
}

/** `JobExecutionSummary`, as `get` and `notify` list it. */
function summary(exec: Execution): object {
  return {
    jobId: exec.jobId,
    queuedAt: seconds(exec.queuedAt),
    startedAt: seconds(exec.startedAt),
    lastUpdatedAt: seconds(exec.lastUpdatedAt),
    versionNumber: exec.versionNumber,
    executionNumber: exec.executionNumber,
  };
}

/** `JobExecution` over MQTT (jobs-mqtt-api; the iotjobs model's `JobExecutionData`). */
function execution(exec: Execution, job: Job, includeDocument: boolean): object {
  return {
    jobId: exec.jobId,
    thingName: exec.thingName,
    jobDocument: includeDocument ? documentOf(job) : undefined,
    status: exec.status,
    statusDetails: nonEmpty(exec.statusDetails),
    queuedAt: seconds(exec.queuedAt),
    startedAt: seconds(exec.startedAt),
    lastUpdatedAt: seconds(exec.lastUpdatedAt),
    versionNumber: exec.versionNumber,
    executionNumber: exec.executionNumber,
  };
}

function mqttExecutionState(exec: Execution): object {
  return executionState(exec);
}

function rejected(
  topic: string,
  code: JobsErrorCode,
  message: string,
  clientToken: string | undefined,
  now: number,
  state?: object,
): JobsMessage {
  return {
    topic: `${topic}/rejected`,
    payload: { code, message, clientToken, timestamp: seconds(now), executionState: state },
  };
}

/** The model's refusals in the MQTT API's codes; anything else is the emulator's own failure (InternalError). */
function rejectedFor(topic: string, error: unknown, clientToken: string | undefined, now: number): JobsMessage {
  if (!(error instanceof IotError))
    return rejected(topic, JobsErrorCode.InternalError, `emulator failure: ${String(error)}`, clientToken, now);
  const code: JobsErrorCode =
    error instanceof VersionMismatch
      ? JobsErrorCode.VersionMismatch
      : {
          [IotErrorName.InvalidRequest]: JobsErrorCode.InvalidRequest,
          [IotErrorName.ResourceNotFound]: JobsErrorCode.ResourceNotFound,
          [IotErrorName.InvalidStateTransition]: JobsErrorCode.InvalidStateTransition,
          [IotErrorName.TerminalState]: JobsErrorCode.TerminalStateReached,
          [IotErrorName.ResourceAlreadyExists]: JobsErrorCode.InvalidRequest,
          [IotErrorName.VersionConflict]: JobsErrorCode.VersionMismatch,
          [IotErrorName.UnknownOperation]: JobsErrorCode.InvalidTopic,
          [IotErrorName.CertificateValidation]: JobsErrorCode.InvalidRequest,
        }[error.errorName];
  // "executionState … only with InvalidStateTransition and VersionMismatch" (jobs-mqtt-api, error response).
  const state =
    code === JobsErrorCode.InvalidStateTransition || code === JobsErrorCode.VersionMismatch
      ? error.executionState
      : undefined;
  return rejected(topic, code, error.message, clientToken, now, state);
}

// ---------------------------------------------------------------------------------------------------------------
// Notifications

/** What was last sent to a thing, so a notification goes out only when what it says changes. */
interface Sent {
  notify: string;
  next: string;
}

/**
 * The two notification streams of jobs-comm-notifications, for the things a broker has clients of:
 * - `$aws/things/<thing>/jobs/notify` `{timestamp, jobs: {IN_PROGRESS: [...], QUEUED: [...]}}` (at most 10 pending)
 *   whenever the pending list changes: an execution is queued, starts, or ends;
 * - `$aws/things/<thing>/jobs/notify-next` `{timestamp, execution}`, or `{timestamp}` when the queue empties, only
 *   when which execution is next changes.
 * The first look at a thing only records what it would say: a device learns the state it connects to by asking.
 */
export class JobsNotifier {
  private readonly sent = new Map<string, Sent>();

  /** Forgets every thing (the admin reset). */
  clear(): void {
    this.sent.clear();
  }

  /** Starts watching a thing from the state it is in now. */
  watch(state: IotState, thingName: string): void {
    if (!this.sent.has(thingName)) this.sent.set(thingName, keysOf(pendingExecutions(state, thingName)));
  }

  /** The notifications the store's changes call for, for every watched thing. */
  changes(state: IotState, now: number): JobsMessage[] {
    const messages: JobsMessage[] = [];
    for (const [thingName, sent] of this.sent) {
      const pending = pendingExecutions(state, thingName);
      const keys = keysOf(pending);
      if (keys.notify !== sent.notify) {
        const shown = pending.slice(0, MAX_PENDING_RETURNED);
        const jobs: Record<string, object[]> = {};
        for (const exec of shown) (jobs[exec.status] ??= []).push(summary(exec));
        messages.push({ topic: `$aws/things/${thingName}/jobs/notify`, payload: { timestamp: seconds(now), jobs } });
      }
      if (keys.next !== sent.next) {
        const next = pending[0];
        const job = next && state.jobs.get(next.jobId);
        messages.push({
          topic: `$aws/things/${thingName}/jobs/notify-next`,
          payload: { timestamp: seconds(now), execution: next && job ? execution(next, job, true) : undefined },
        });
      }
      this.sent.set(thingName, keys);
    }
    return messages;
  }
}

function keysOf(pending: readonly Execution[]): Sent {
  const first = pending[0];
  return {
    notify: pending
      .slice(0, MAX_PENDING_RETURNED)
      .map((e) => `${e.jobId}#${e.executionNumber}:${e.status}`)
      .join(','),
    next: first ? `${first.jobId}#${first.executionNumber}` : '',
  };
}
