/**
 * AWS IoT Jobs, both planes over one in-memory store: the device data plane (`iot-jobs-data`: DescribeJobExecution,
 * GetPendingJobExecutions, StartNextPendingJobExecution, UpdateJobExecution) and the control-plane subset a test or
 * sandbox needs to seed and inspect it (`iot`: CreateThing, CreateJob, DescribeJob, DescribeJobExecution,
 * CancelJobExecution, ListJobExecutionsForJob). Shapes, limits and errors follow the botocore models; the state
 * machine and timers follow the AWS IoT developer guide.
 */
import {
  ATTRIBUTE_NAME,
  ATTRIBUTE_VALUE,
  IotError,
  IotErrorName,
  JOB_DESCRIPTION,
  JOB_DOCUMENT,
  JOB_ID,
  TARGET_ARN,
  THING_NAME,
  checkEnum,
  checkRange,
  checkString,
  optionalDetailsMap,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  parseJsonBody,
  queryBoolean,
  queryInteger,
  required,
  type JsonObject,
} from './iot-validation';
import {
  ServiceName,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorSettings,
  type RoutedOperation,
  type ServiceModule,
} from './types';
import { restJsonError } from './wire';
import { signedRegion, type Handler, type OperationContext } from './iot-operation';
import { certificateRoutes, thingsOfCertificate } from './iot-certificates';
import { createAuthority, type CertificateAuthority } from './x509';
import {
  ACCOUNT_ID,
  EXECUTION_STATUSES,
  JobExecutionStatus,
  JobStatus,
  MAX_LIST_RESULTS,
  MAX_RETRIES,
  MAX_RETRY_CRITERIA,
  MAX_TIMEOUT_MINUTES,
  RetryableFailureType,
  TERMINAL_STATUSES,
  TargetSelection,
  applyDetails,
  describeExecution,
  emptyState,
  executionState,
  executionsOf,
  expireTimers,
  jobStatus,
  latestExecutionsOf,
  nonEmpty,
  notFound,
  pendingOf,
  processDetails,
  queuedExecution,
  requireExecution,
  requireJob,
  secondsBeforeTimedOut,
  startNext,
  terminalStateTransition,
  transition,
  updateExecution,
  versionMismatch,
  type DeviceContext,
  type Execution,
  type IotState,
  type Job,
  type Thing,
} from './jobs-model';

export { HISTORY_LIMIT } from './jobs-model';

interface Route {
  readonly service: ServiceName;
  readonly method: string;
  /** Literal segments, or `{name}` for a path parameter. */
  readonly path: readonly string[];
  readonly operation: string;
  readonly handler: Handler;
}

// ---------------------------------------------------------------------------------------------------------------
// Time, timers and views

/** The data plane's timestamps are `long` epoch seconds. */
function dataSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}

/** The control plane's are `timestamp` shapes, which rest-json sends as (possibly fractional) epoch seconds. */
function controlSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** The data plane's `JobExecution`; undefined members vanish in JSON, as AWS leaves unset members out. */
function dataPlaneExecution(exec: Execution, job: Job, now: number, includeDocument: boolean): object {
  return {
    jobId: exec.jobId,
    thingName: exec.thingName,
    status: exec.status,
    statusDetails: nonEmpty(exec.statusDetails),
    queuedAt: dataSeconds(exec.queuedAt),
    startedAt: dataSeconds(exec.startedAt),
    lastUpdatedAt: dataSeconds(exec.lastUpdatedAt),
    approximateSecondsBeforeTimedOut: secondsBeforeTimedOut(exec, now),
    versionNumber: exec.versionNumber,
    executionNumber: exec.executionNumber,
    jobDocument: includeDocument ? job.document : undefined,
  };
}

function dataPlaneSummary(exec: Execution): object {
  return {
    jobId: exec.jobId,
    queuedAt: dataSeconds(exec.queuedAt),
    startedAt: dataSeconds(exec.startedAt),
    lastUpdatedAt: dataSeconds(exec.lastUpdatedAt),
    versionNumber: exec.versionNumber,
    executionNumber: exec.executionNumber,
  };
}

/** The control plane's `JobExecution`: thingArn instead of thingName, details wrapped in `detailsMap`. */
function controlPlaneExecution(exec: Execution, now: number): object {
  const details = nonEmpty(exec.statusDetails);
  return {
    jobId: exec.jobId,
    status: exec.status,
    forceCanceled: exec.forceCanceled ? true : undefined,
    statusDetails: details && { detailsMap: details },
    thingArn: exec.thingArn,
    queuedAt: controlSeconds(exec.queuedAt),
    startedAt: controlSeconds(exec.startedAt),
    lastUpdatedAt: controlSeconds(exec.lastUpdatedAt),
    executionNumber: exec.executionNumber,
    versionNumber: exec.versionNumber,
    approximateSecondsBeforeTimedOut: secondsBeforeTimedOut(exec, now),
  };
}

function jobView(job: Job, executions: readonly Execution[]): object {
  const status = jobStatus(job, executions);
  const lastUpdatedAt = Math.max(job.createdAt, ...executions.map((e) => e.lastUpdatedAt));
  return {
    jobArn: job.jobArn,
    jobId: job.jobId,
    targetSelection: job.targetSelection,
    status,
    targets: [...job.targets],
    description: job.description,
    createdAt: controlSeconds(job.createdAt),
    lastUpdatedAt: controlSeconds(lastUpdatedAt),
    completedAt: status === JobStatus.Completed ? controlSeconds(lastUpdatedAt) : undefined,
    jobProcessDetails: processDetails(executions),
    timeoutConfig:
      job.inProgressTimeoutInMinutes === undefined
        ? undefined
        : { inProgressTimeoutInMinutes: job.inProgressTimeoutInMinutes },
    jobExecutionsRetryConfig:
      Object.keys(job.retries).length === 0
        ? undefined
        : {
            criteriaList: Object.entries(job.retries).map(([failureType, numberOfRetries]) => ({
              failureType,
              numberOfRetries,
            })),
          },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Data plane: the model's device operations, parsed from the HTTPS request and rendered as the iot-jobs-data model

function context({ req, state, settings }: OperationContext): DeviceContext {
  return {
    state,
    settings,
    now: req.now,
    ...(req.visibleBefore !== undefined && { visibleBefore: req.visibleBefore }),
  };
}

function describeJobExecutionData(ctx: OperationContext): object {
  const { req, params } = ctx;
  // The model: "Unless set to false, the response contains the job document. The default is true."
  const includeDocument = queryBoolean(req.query, 'includeJobDocument') ?? true;
  const executionNumber = queryInteger(req.query, 'executionNumber');
  const found = describeExecution(context(ctx), params.thingName ?? '', params.jobId ?? '', executionNumber);
  return found ? { execution: dataPlaneExecution(found.exec, found.job, req.now, includeDocument) } : {};
}

function getPendingJobExecutions(ctx: OperationContext): object {
  const { inProgress, queued } = pendingOf(context(ctx), ctx.params.thingName ?? '');
  return { inProgressJobs: inProgress.map(dataPlaneSummary), queuedJobs: queued.map(dataPlaneSummary) };
}

function startNextPendingJobExecution(ctx: OperationContext): object {
  const started = startNext(context(ctx), ctx.params.thingName ?? '', parseJsonBody(ctx.req.body));
  return started ? { execution: dataPlaneExecution(started.exec, started.job, ctx.req.now, true) } : {};
}

function updateJobExecution(ctx: OperationContext): object {
  const { params, req } = ctx;
  const body = parseJsonBody(req.body);
  const updated = updateExecution(context(ctx), params.thingName ?? '', params.jobId ?? '', body);
  return {
    executionState: updated.includeState ? executionState(updated.exec) : undefined,
    jobDocument: updated.includeDocument ? updated.job.document : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Control plane

function parseAttributes(payload: JsonObject | undefined): Record<string, string> {
  const attributes = payload && optionalObject(payload, 'attributes');
  const parsed: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    checkString(name, 'attributePayload.attributes.key', ATTRIBUTE_NAME);
    parsed[name] = checkString(value, `attributePayload.attributes.${name}`, ATTRIBUTE_VALUE);
  }
  return parsed;
}

function sameAttributes(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** A deterministic UUID-shaped id, so tests can assert exact values. */
function thingId(serial: number): string {
  return `00000000-0000-4000-8000-${serial.toString(16).padStart(12, '0')}`;
}

function createThing({ req, params, state }: OperationContext): object {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  const body = parseJsonBody(req.body);
  const thingTypeName = optionalString(body, 'thingTypeName', THING_NAME);
  const attributes = parseAttributes(optionalObject(body, 'attributePayload'));
  const existing = state.things.get(thingName);
  if (existing) {
    // AWS: the same name and configuration succeeds again; only a different configuration is a conflict.
    if (existing.thingTypeName === thingTypeName && sameAttributes(existing.attributes, attributes))
      return { thingName, thingArn: existing.thingArn, thingId: existing.thingId };
    throw new IotError(
      IotErrorName.ResourceAlreadyExists,
      `Thing ${thingName} already exists in account with different attributes`,
    );
  }
  const thing: Thing = {
    thingName,
    thingArn: `arn:aws:iot:${signedRegion(req)}:${ACCOUNT_ID}:thing/${thingName}`,
    thingId: thingId(state.nextThingSerial++),
    thingTypeName,
    attributes,
    createdAt: req.now,
  };
  state.things.set(thingName, thing);
  return { thingName, thingArn: thing.thingArn, thingId: thing.thingId };
}

function parseTargets(body: JsonObject): string[] {
  const targets = required(body, 'targets');
  if (!Array.isArray(targets) || targets.length === 0)
    throw new IotError(IotErrorName.InvalidRequest, 'targets must be a list of at least 1 ARN');
  return [...new Set(targets.map((t, i) => checkString(t, `targets.${i + 1}.member`, TARGET_ARN)))];
}

function parseInProgressTimeout(body: JsonObject): number | undefined {
  const config = optionalObject(body, 'timeoutConfig');
  const minutes = config && optionalInteger(config, 'inProgressTimeoutInMinutes');
  return minutes === undefined
    ? undefined
    : checkRange(minutes, 'timeoutConfig.inProgressTimeoutInMinutes', 1, MAX_TIMEOUT_MINUTES);
}

function parseDocument(body: JsonObject): string | undefined {
  if (body.documentSource !== undefined)
    throw new IotError(IotErrorName.InvalidRequest, 'documentSource (S3 job documents) is not supported here');
  const document = optionalString(body, 'document', JOB_DOCUMENT);
  if (document !== undefined) {
    try {
      JSON.parse(document);
    } catch {
      throw new IotError(IotErrorName.InvalidRequest, 'The job document is not valid JSON');
    }
  }
  return document;
}

/** `jobExecutionsRetryConfig`: 1 or 2 criteria, each failure type once, 0..10 retries. */
function parseRetryConfig(body: JsonObject): Partial<Record<RetryableFailureType, number>> {
  const config = optionalObject(body, 'jobExecutionsRetryConfig');
  if (!config) return {};
  const list = required(config, 'criteriaList');
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_RETRY_CRITERIA)
    throw new IotError(
      IotErrorName.InvalidRequest,
      `jobExecutionsRetryConfig.criteriaList must hold 1 to ${MAX_RETRY_CRITERIA} criteria`,
    );
  const retries: Partial<Record<RetryableFailureType, number>> = {};
  for (const [i, item] of list.entries()) {
    const field = `jobExecutionsRetryConfig.criteriaList.${i + 1}.member`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new IotError(IotErrorName.InvalidRequest, `${field} must be an object`);
    const criteria = item as JsonObject;
    const type = checkEnum(
      required(criteria, 'failureType'),
      `${field}.failureType`,
      Object.values(RetryableFailureType),
    );
    const count = optionalInteger(criteria, 'numberOfRetries');
    if (count === undefined) throw new IotError(IotErrorName.InvalidRequest, `${field}.numberOfRetries is required`);
    if (retries[type] !== undefined)
      throw new IotError(IotErrorName.InvalidRequest, `failureType ${type} appears twice in the criteriaList`);
    retries[type] = checkRange(count, `${field}.numberOfRetries`, 0, MAX_RETRIES);
  }
  const total = Object.values(retries).reduce((sum, n) => sum + n, 0);
  if (total > MAX_RETRIES)
    throw new IotError(
      IotErrorName.InvalidRequest,
      `jobExecutionsRetryConfig allows up to ${MAX_RETRIES} retries for both failure types combined, not ${total}`,
    );
  return retries;
}

function createJob({ req, params, state, settings }: OperationContext): object {
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const body = parseJsonBody(req.body);
  const targets = parseTargets(body);
  const document = parseDocument(body);
  const description = optionalString(body, 'description', JOB_DESCRIPTION);
  const targetSelection =
    optionalEnum(body, 'targetSelection', Object.values(TargetSelection)) ?? TargetSelection.Snapshot;
  const inProgressTimeoutInMinutes = parseInProgressTimeout(body);
  const retries = parseRetryConfig(body);
  // jobs-configurations-details: "to retry execution because of a timeout failure, you must enable the timeout
  // configuration" (setting `timeoutRetryNeedsTimeoutConfig`: refused here, or accepted and never retried).
  const retriesTimeouts = (retries.TIMED_OUT ?? 0) > 0 || (retries.ALL ?? 0) > 0;
  if (settings.timeoutRetryNeedsTimeoutConfig && retriesTimeouts && inProgressTimeoutInMinutes === undefined)
    throw new IotError(
      IotErrorName.InvalidRequest,
      'To retry on a TIMED_OUT failure (failureType TIMED_OUT or ALL), the job needs a timeoutConfig',
    );
  if (state.jobs.has(jobId))
    throw new IotError(IotErrorName.ResourceAlreadyExists, `Job with id ${jobId} already exists`);
  const things = targets.map((arn) => {
    const thing = [...state.things.values()].find((t) => t.thingArn === arn);
    if (!thing) throw notFound(`Target ${arn} does not exist`);
    return thing;
  });

  const job: Job = {
    jobId,
    jobArn: `arn:aws:iot:${signedRegion(req)}:${ACCOUNT_ID}:job/${jobId}`,
    targets,
    document,
    description,
    targetSelection,
    inProgressTimeoutInMinutes,
    retries,
    createdAt: req.now,
  };
  state.jobs.set(jobId, job);
  for (const thing of things) state.executions.push(queuedExecution(job, thing, req.now, 1, 0, undefined));
  return { jobArn: job.jobArn, jobId, description };
}

function describeJob({ params, state }: OperationContext): object {
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const job = requireJob(state, jobId);
  return { job: jobView(job, latestExecutionsOf(state, jobId)) };
}

function describeJobExecutionControl({ req, params, state }: OperationContext): object {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const executionNumber = queryInteger(req.query, 'executionNumber');
  const { exec } = requireExecution(state, thingName, jobId, executionNumber);
  return { execution: controlPlaneExecution(exec, req.now) };
}

function cancelJobExecution({ req, params, state, settings }: OperationContext): undefined {
  const thingName = checkString(params.thingName, 'thingName', THING_NAME);
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const force = queryBoolean(req.query, 'force') ?? false;
  const body = parseJsonBody(req.body);
  const expectedVersion = optionalInteger(body, 'expectedVersion');
  const statusDetails = optionalDetailsMap(body, 'statusDetails', settings.statusDetailsValueLength);

  const { exec } = requireExecution(state, thingName, jobId);
  if (TERMINAL_STATUSES.has(exec.status)) throw terminalStateTransition(exec, 'be canceled');
  if (exec.status === JobExecutionStatus.InProgress && !force)
    throw new IotError(
      IotErrorName.InvalidStateTransition,
      `Job execution for job ${jobId} on thing ${thingName} is IN_PROGRESS; set force to true to cancel it`,
    );
  if (expectedVersion !== undefined && expectedVersion !== exec.versionNumber)
    throw new IotError(IotErrorName.VersionConflict, versionMismatch(exec, expectedVersion));

  applyDetails(exec, statusDetails, settings);
  if (force) exec.forceCanceled = true;
  transition(exec, JobExecutionStatus.Canceled, req.now, 'CancelJobExecution');
  return undefined;
}

/** The list's position, opaque to clients (as AWS's tokens are) but trivially checked. */
function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64');
}

function decodeToken(token: string | null): number {
  if (token === null) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match?.[1]) throw new IotError(IotErrorName.InvalidRequest, 'The nextToken is invalid');
  return Number(match[1]);
}

function listJobExecutionsForJob({ req, params, state }: OperationContext): object {
  const jobId = checkString(params.jobId, 'jobId', JOB_ID);
  const statusParam = req.query.get('status');
  const status = statusParam === null ? undefined : checkEnum(statusParam, 'status', EXECUTION_STATUSES);
  const maxResults = queryInteger(req.query, 'maxResults');
  const limit = maxResults === undefined ? MAX_LIST_RESULTS : checkRange(maxResults, 'maxResults', 1, MAX_LIST_RESULTS);
  const offset = decodeToken(req.query.get('nextToken'));
  requireJob(state, jobId);

  const matching = executionsOf(state, jobId)
    // In the order the executions were made: targets' first executions, then retries as they were queued.
    .filter((e) => status === undefined || e.status === status);
  const page = matching.slice(offset, offset + limit);
  return {
    executionSummaries: page.map((e) => ({
      thingArn: e.thingArn,
      jobExecutionSummary: {
        status: e.status,
        queuedAt: controlSeconds(e.queuedAt),
        startedAt: controlSeconds(e.startedAt),
        lastUpdatedAt: controlSeconds(e.lastUpdatedAt),
        executionNumber: e.executionNumber,
        retryAttempt: e.retryAttempt,
      },
    })),
    nextToken: offset + limit < matching.length ? encodeToken(offset + limit) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Routing

/** A route from its HTTP line as the model writes it (`requestUri`), e.g. `GET /things/{thingName}/jobs`. */
function route(service: ServiceName, line: string, operation: string, handler: Handler): Route {
  const [method = '', uri = ''] = line.split(' ');
  return { service, method, path: uri.split('/').filter((s) => s.length > 0), operation, handler };
}

const DATA = ServiceName.IotJobsData;
const CONTROL = ServiceName.IotControl;

/** Both planes; `GET /things/{thingName}/jobs/{jobId}` is in each, so the service is matched before the path. */
const ROUTES: readonly Route[] = [
  route(DATA, 'GET /things/{thingName}/jobs', 'GetPendingJobExecutions', getPendingJobExecutions),
  route(DATA, 'PUT /things/{thingName}/jobs/$next', 'StartNextPendingJobExecution', startNextPendingJobExecution),
  route(DATA, 'GET /things/{thingName}/jobs/{jobId}', 'DescribeJobExecution', describeJobExecutionData),
  route(DATA, 'POST /things/{thingName}/jobs/{jobId}', 'UpdateJobExecution', updateJobExecution),
  route(CONTROL, 'POST /things/{thingName}', 'CreateThing', createThing),
  route(CONTROL, 'PUT /jobs/{jobId}', 'CreateJob', createJob),
  route(CONTROL, 'GET /jobs/{jobId}', 'DescribeJob', describeJob),
  route(CONTROL, 'GET /jobs/{jobId}/things', 'ListJobExecutionsForJob', listJobExecutionsForJob),
  route(CONTROL, 'GET /things/{thingName}/jobs/{jobId}', 'DescribeJobExecution', describeJobExecutionControl),
  route(CONTROL, 'PUT /things/{thingName}/jobs/{jobId}/cancel', 'CancelJobExecution', cancelJobExecution),
  ...certificateRoutes.map(([line, operation, handler]) => route(CONTROL, line, operation, handler)),
];

/** The route's path parameters when `segments` fits its path, else undefined. */
function matchPath(path: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (path.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of path.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith('{')) params[part.slice(1, -1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

function findRoute(req: EmulatorRequest): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.service !== req.service || route.method !== req.method) continue;
    const params = matchPath(route.path, req.segments);
    if (params) return { route, params };
  }
  return undefined;
}

function ok(requestId: string, body: object | undefined): EmulatorResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** Runs a handler against the store, turning modelled errors into rest-json errors and bugs into a 500. */
function runOperation(handler: Handler, ctx: OperationContext): EmulatorResponse | Promise<EmulatorResponse> {
  const { requestId } = ctx.req;
  const failed = (err: unknown): EmulatorResponse =>
    err instanceof IotError
      ? restJsonError(err.status, err.errorName, err.message, requestId, err.body)
      : restJsonError(500, 'InternalFailureException', `emulator failure: ${String(err)}`, requestId);
  try {
    expireTimers(ctx.state, ctx.req.now);
    const result = handler(ctx);
    // Only the operations that sign a certificate wait for anything; the rest answer in the same turn.
    return result instanceof Promise ? result.then((body) => ok(requestId, body), failed) : ok(requestId, result);
  } catch (err) {
    return failed(err);
  }
}

function unknownOperation(req: EmulatorRequest): RoutedOperation {
  return {
    operation: 'UnknownOperation',
    run: () =>
      restJsonError(
        404,
        IotErrorName.UnknownOperation,
        `No ${req.service} operation matches ${req.method} ${req.rawPath}`,
        req.requestId,
      ),
  };
}

function dumpState(state: IotState): object {
  return {
    things: [...state.things.values()],
    jobs: [...state.jobs.values()].map((job) => {
      const executions = latestExecutionsOf(state, job.jobId);
      return { ...job, status: jobStatus(job, executions), jobProcessDetails: processDetails(executions) };
    }),
    executions: state.executions.map((e) => ({ ...e, statusDetails: { ...e.statusDetails }, history: [...e.history] })),
  };
}

/** The IoT module plus a dump that can first apply timers that expired by `now`. */
export interface IotJobsModule extends ServiceModule {
  /**
   * A JSON snapshot: things, jobs (with derived status and counts) and executions with full state, timers as
   * epoch ms, and `history`, one entry per accepted change (update, start-next, cancel, timeout; creation is not
   * one), the last {@link HISTORY_LIMIT}. Pass `now` to expire timers first; without it the snapshot is as of the last request.
   */
  dump(now?: number): unknown;
  /** What the MQTT plane runs a device operation against: the live store, timers expired up to `now`. */
  device(now: number, visibleBefore?: number): DeviceContext;
  /** The things a connection's certificate may act as, or undefined when it is not registered and ACTIVE. */
  thingsOfCertificate(certificateId: string): string[] | undefined;
  hasThing(thingName: string): boolean;
  /** The account's CA (made on first use): it signs issued device certificates and the MQTT listener's own. */
  authority(): Promise<CertificateAuthority>;
}

/**
 * Creates the IoT module serving both planes from one store. `settings` is read on every request, so the admin
 * API can change it while the emulator runs.
 */
export function createIotJobs(settings: EmulatorSettings): IotJobsModule {
  let state = emptyState();
  // The account's CA outlives a reset, as a device's trust store outlives the test that wrote it.
  let made: Promise<CertificateAuthority> | undefined;
  const authority = (): Promise<CertificateAuthority> => (made ??= createAuthority('aws-job-steps emulator CA'));
  return {
    route(req: EmulatorRequest): RoutedOperation {
      const found = findRoute(req);
      if (!found) return unknownOperation(req);
      const { route, params } = found;
      return {
        operation: route.operation,
        run: () => runOperation(route.handler, { req, params, state, settings, authority }),
      };
    },
    reset(): void {
      state = emptyState();
    },
    dump(now?: number): unknown {
      if (now !== undefined) expireTimers(state, now);
      return dumpState(state);
    },
    device(now: number, visibleBefore?: number): DeviceContext {
      expireTimers(state, now);
      return { state, settings, now, ...(visibleBefore !== undefined && { visibleBefore }) };
    },
    thingsOfCertificate: (id) => thingsOfCertificate(state, id),
    hasThing: (thingName) => state.things.has(thingName),
    authority,
  };
}
