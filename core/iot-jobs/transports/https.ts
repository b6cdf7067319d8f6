/**
 * The Jobs data-plane transport over HTTPS: the v3 SDK's `IoTJobsDataPlaneClient`, signing SigV4, or sending unsigned
 * over the connection's client certificate (X.509 HTTPS, the way AWS IoT lets devices in without keys). It turns the
 * SDK's outputs into the model's one form and whatever a request threw into the transport's typed failures.
 *
 * Link events over HTTPS: there is no standing link, each request opens or reuses a keep-alive socket. `down` is
 * reported when a request could not be sent because no connection could be opened (refused, the name not resolved,
 * the network unreachable); `up` when an answer, any answer, comes after that. A reset or a timeout after sending says nothing of the
 * link: it is that request's lost answer.
 */
import {
  DescribeJobExecutionCommand,
  GetPendingJobExecutionsCommand,
  IoTJobsDataPlaneClient,
  StartNextPendingJobExecutionCommand,
  UpdateJobExecutionCommand,
  type IoTJobsDataPlaneClientConfig,
  type JobExecution as SdkJobExecution,
  type JobExecutionState as SdkJobExecutionState,
  type JobExecutionSummary as SdkJobExecutionSummary,
} from '@aws-sdk/client-iot-jobs-data-plane';

import { toStepError } from '../../shared/aws-errors';
import { resolveEndpoint, type Connection } from '../../shared/connection';
import { StepError, StepErrorCode, type StepOperation } from '../../shared/errors';
import { attemptTimeout, type AttemptLimits } from '../../shared/step-run';
import { NEXT_JOB_ID } from '../job-execution-fields';
import { detailsOf, snapshotOf, type JobExecution, type JobExecutionState, type JobExecutionSummary } from '../model';
import { IotControlClient, iotControlEndpoint } from './control-plane';
import { refuseCoralEnvelope } from './coral-envelope';
import {
  JobsRefusal,
  LinkEvents,
  type Capability,
  type ControlPlaneRead,
  type JobsCapabilities,
  type JobsCapabilityName,
  type JobsTransport,
  type LinkEvent,
} from './transport';

/** Signs nothing: with client-certificate TLS the handshake authenticates the device. */
const TLS_AUTH_SCHEMES: NonNullable<IoTJobsDataPlaneClientConfig['httpAuthSchemes']> = [
  {
    schemeId: 'aws.auth#sigv4',
    identityProvider: () => async () => ({}),
    signer: { sign: async (request) => request },
  },
];

/** IoT Jobs data-plane error names, beyond the common ones. */
const IOT_ERROR_NAMES: Readonly<Record<string, StepErrorCode>> = {
  InvalidRequestException: StepErrorCode.InvalidRequest,
  ResourceNotFoundException: StepErrorCode.NotFound,
  InvalidStateTransitionException: StepErrorCode.InvalidTransition,
  TerminalStateException: StepErrorCode.TerminalState,
  ConflictException: StepErrorCode.InvalidTransition,
};

/** An AWS-run host: an endpoint there serves one service, so another service's calls go to its own endpoint. */
const AWS_HOST = /\.amazonaws\.com(\.cn)?$/;

function executionOf(sdk: SdkJobExecution | undefined): JobExecution | undefined {
  if (!sdk) return undefined;
  return defined({
    jobId: sdk.jobId,
    thingName: sdk.thingName,
    status: sdk.status,
    statusDetails: detailsIn(sdk.statusDetails),
    queuedAt: sdk.queuedAt,
    startedAt: sdk.startedAt,
    lastUpdatedAt: sdk.lastUpdatedAt,
    approximateSecondsBeforeTimedOut: sdk.approximateSecondsBeforeTimedOut,
    versionNumber: sdk.versionNumber,
    executionNumber: sdk.executionNumber,
    jobDocument: sdk.jobDocument,
  });
}

function summaryOf(sdk: SdkJobExecutionSummary): JobExecutionSummary {
  return defined({
    jobId: sdk.jobId,
    queuedAt: sdk.queuedAt,
    startedAt: sdk.startedAt,
    lastUpdatedAt: sdk.lastUpdatedAt,
    versionNumber: sdk.versionNumber,
    executionNumber: sdk.executionNumber,
  });
}

function stateOf(sdk: SdkJobExecutionState | undefined): JobExecutionState | undefined {
  if (!sdk) return undefined;
  return defined({
    status: sdk.status,
    statusDetails: detailsIn(sdk.statusDetails),
    versionNumber: sdk.versionNumber,
  });
}

/** An answer's details as a string map, when it has any. */
function detailsIn(details: Record<string, string> | undefined): Record<string, string> | undefined {
  return details === undefined ? undefined : detailsOf(details);
}

/** Members the model leaves out are left out, not set to undefined: a result printed as JSON shows only what came. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The IoT Jobs data plane over HTTPS, on a connection's handler, credentials or client certificate. */
export class HttpsJobsTransport implements JobsTransport {
  private readonly link = new LinkEvents();
  private sdk: IoTJobsDataPlaneClient | undefined;
  private control: Promise<IotControlClient> | undefined;

  constructor(private readonly connection: Connection) {}

  private get tls(): boolean {
    return this.connection.clientCertificate !== undefined;
  }

  /** The port client-certificate requests go to, for error messages; undefined without client certificates. */
  get clientCertificatePort(): number | undefined {
    if (!this.tls) return undefined;
    const url = new URL(this.connection.endpoint('iot-jobs-data') ?? 'https://localhost');
    return Number(url.port || 443);
  }

  private client(): IoTJobsDataPlaneClient {
    if (this.sdk) return this.sdk;
    const { connection, tls } = this;
    const endpoint = connection.endpoint('iot-jobs-data');
    this.sdk = new IoTJobsDataPlaneClient({
      // With TLS the region only feeds the SDK's endpoint rules; the explicit endpoint wins.
      region: connection.region ?? (tls ? 'us-east-1' : undefined),
      ...(endpoint && { endpoint }),
      // Retries are the step's (StepRun), so the SDK makes one attempt.
      maxAttempts: 1,
      requestHandler: connection.httpHandler(),
      ...(tls
        ? { httpAuthSchemes: TLS_AUTH_SCHEMES }
        : // Given keys go to the SDK as they are: it signs with them without calling a provider per request.
          { credentials: connection.givenCredentials ?? connection.credentials() }),
    });
    return this.sdk;
  }

  /**
   * Whatever a request threw, as the transport's failure: a `JobsRefusal` when the service answered (with the state a
   * conflict carries: botocore's model documents that "the body of the error message also contains the
   * executionState field", and the SDK copies unmodelled body members onto the exception), else a StepError whose
   * `delivery` says whether the request left.
   */
  private failure(
    error: unknown,
    limits: AttemptLimits,
    operation: StepOperation,
    subject: string,
    link: LinkEvents | undefined,
  ): StepError {
    const timedOut = attemptTimeout(error, limits, operation, subject);
    if (timedOut) return timedOut;
    const failure = toStepError(error, operation, subject, IOT_ERROR_NAMES, this.clientCertificatePort);
    // Only a socket that could not be opened says the link is down; missing credentials or a refused certificate
    // are not the link's. Any answer, even one that could not be read, says it is up.
    if (failure.delivery === 'never-sent' && failure.code === StepErrorCode.Network) link?.down(failure.message);
    else if (failure.httpStatus !== undefined || failure.code === StepErrorCode.Unconfirmed) link?.up();
    // Not a refusal: no answer, or a success status whose body was not an answer.
    if (failure.httpStatus === undefined || failure.delivery !== undefined) return failure;
    const state = (error as { executionState?: unknown }).executionState;
    return new JobsRefusal(
      {
        message: failure.message,
        code: failure.code,
        operation,
        subject,
        awsErrorName: failure.awsErrorName,
        httpStatus: failure.httpStatus,
        requestId: failure.requestId,
        retryable: failure.retryable,
        cause: error,
      },
      snapshotOf(state),
    );
  }

  /** Sends one SDK command; the answer and its request id, or the typed failure. */
  private async send<O extends { $metadata: { requestId?: string | undefined } }>(
    operation: StepOperation,
    subject: string,
    limits: AttemptLimits,
    sending: (client: IoTJobsDataPlaneClient) => Promise<O>,
  ): Promise<O & { requestId: string | undefined }> {
    try {
      const out = await sending(this.client());
      this.link.up();
      return Object.assign(out, { requestId: out.$metadata.requestId });
    } catch (error) {
      throw this.failure(error, limits, operation, subject, this.link);
    }
  }

  async describeJobExecution(
    request: Parameters<JobsTransport['describeJobExecution']>[0],
    limits: AttemptLimits,
  ): ReturnType<JobsTransport['describeJobExecution']> {
    const subject = `${request.thingName}/${request.jobId}`;
    const out = await this.send('DescribeJobExecution', subject, limits, (client) => {
      const command = new DescribeJobExecutionCommand(defined({ ...request }));
      // For `$next` an empty answer means "nothing pending", so a 200 that is no answer must not read as one.
      if (request.jobId === NEXT_JOB_ID)
        command.middlewareStack.use(refuseCoralEnvelope('DescribeJobExecution', subject));
      return client.send(command, limits);
    });
    return { execution: executionOf(out.execution), requestId: out.requestId };
  }

  async getPendingJobExecutions(
    request: Parameters<JobsTransport['getPendingJobExecutions']>[0],
    limits: AttemptLimits,
  ): ReturnType<JobsTransport['getPendingJobExecutions']> {
    const out = await this.send('GetPendingJobExecutions', request.thingName, limits, (client) =>
      client.send(new GetPendingJobExecutionsCommand(request), limits),
    );
    return {
      inProgressJobs: (out.inProgressJobs ?? []).map(summaryOf),
      queuedJobs: (out.queuedJobs ?? []).map(summaryOf),
      requestId: out.requestId,
    };
  }

  async startNextPendingJobExecution(
    request: Parameters<JobsTransport['startNextPendingJobExecution']>[0],
    limits: AttemptLimits,
  ): ReturnType<JobsTransport['startNextPendingJobExecution']> {
    const out = await this.send('StartNextPendingJobExecution', request.thingName, limits, (client) =>
      client.send(new StartNextPendingJobExecutionCommand(defined({ ...request })), limits),
    );
    return { execution: executionOf(out.execution), requestId: out.requestId };
  }

  async updateJobExecution(
    request: Parameters<JobsTransport['updateJobExecution']>[0],
    limits: AttemptLimits,
  ): ReturnType<JobsTransport['updateJobExecution']> {
    const subject = `${request.thingName}/${request.jobId}`;
    const out = await this.send('UpdateJobExecution', subject, limits, (client) =>
      client.send(
        new UpdateJobExecutionCommand(
          defined({ ...request }) as ConstructorParameters<typeof UpdateJobExecutionCommand>[0],
        ),
        limits,
      ),
    );
    return { executionState: stateOf(out.executionState), jobDocument: out.jobDocument, requestId: out.requestId };
  }

  /**
   * The control plane's client, made once: a signed rest-json reader on the connection's handler. Its endpoint:
   * `AWS_ENDPOINT_URL_IOT`; else the connection's endpoint unless that is an AWS host (one that serves the data plane
   * only, such as the account's `iot:Jobs` endpoint); else AWS's own for the region.
   */
  private controlClient(): Promise<IotControlClient> {
    this.control ??= (async () => {
      const { connection } = this;
      const region = connection.region ?? (await this.client().config.region());
      const given = connection.givenEndpoint;
      const own = given && !AWS_HOST.test(new URL(given).hostname) ? given : undefined;
      return new IotControlClient({
        endpoint: resolveEndpoint(own, 'iot', connection.env) ?? iotControlEndpoint(region),
        region,
        credentials: connection.credentials(),
        httpHandler: connection.httpHandler(),
      });
    })();
    // A region that could not be resolved is not kept: the next read tries again.
    this.control.catch(() => (this.control = undefined));
    return this.control;
  }

  async capability<N extends JobsCapabilityName>(name: N): Promise<Capability<JobsCapabilities[N]>> {
    if (name !== 'control-plane-read') return { available: false, why: `HTTPS offers no ${String(name)}` };
    // Client-certificate TLS is for the data plane only; the control plane needs SigV4.
    if (this.tls)
      return { available: false, why: 'a client-certificate connection cannot ask the control plane (it needs SigV4)' };
    const read: ControlPlaneRead = {
      describeJobExecution: async (request, limits) => {
        const subject = `${request.thingName}/${request.jobId} (control plane)`;
        try {
          const control = await this.controlClient();
          const out = await control.describeJobExecution(
            request.thingName,
            request.jobId,
            request.executionNumber,
            limits,
          );
          return out;
        } catch (error) {
          // The control plane is another endpoint: its failures say nothing of the data plane's link.
          throw this.failure(error, limits, 'DescribeJobExecution', subject, undefined);
        }
      },
    };
    return { available: true, use: read } as Capability<JobsCapabilities[N]>;
  }

  onLink(listener: (event: LinkEvent) => void): () => void {
    return this.link.on(listener);
  }

  /** Forgets the clients; the sockets are the connection's handler's, which `Connection.destroy` closes. */
  close(): void {
    this.sdk = undefined;
    this.control = undefined;
  }
}
