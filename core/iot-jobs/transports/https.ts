/**
 * The AWS IoT Jobs data plane's client on a connection: the v3 SDK's `IoTJobsDataPlaneClient`, signing SigV4, or
 * sending unsigned over the connection's client certificate (X.509 HTTPS, the way AWS IoT lets devices in without
 * keys). Every data-plane operation module sends through it; none of them knows which way it travels.
 */
import { IoTJobsDataPlaneClient, type IoTJobsDataPlaneClientConfig } from '@aws-sdk/client-iot-jobs-data-plane';

import { toStepError } from '../../shared/aws-errors';
import type { Connection, ServiceClientFactory } from '../../shared/connection';
import { StepErrorCode, type StepError, type StepOperation } from '../../shared/errors';

/** Signs nothing: with client-certificate TLS the handshake authenticates the device. */
const TLS_AUTH_SCHEMES: NonNullable<IoTJobsDataPlaneClientConfig['httpAuthSchemes']> = [
  {
    schemeId: 'aws.auth#sigv4',
    identityProvider: () => async () => ({}),
    signer: { sign: async (request) => request },
  },
];

const FACTORY: ServiceClientFactory<IoTJobsDataPlaneClient> = {
  create(connection) {
    const endpoint = connection.endpoint('iot-jobs-data');
    const tls = connection.clientCertificate !== undefined;
    return new IoTJobsDataPlaneClient({
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
  },
  destroy: (client) => client.destroy(),
};

/** The connection's IoT Jobs data-plane client, made once. */
export function iotJobsDataClient(connection: Connection): IoTJobsDataPlaneClient {
  return connection.client(FACTORY);
}

/** IoT Jobs data-plane error names, beyond the common ones. */
const IOT_ERROR_NAMES: Readonly<Record<string, StepErrorCode>> = {
  InvalidRequestException: StepErrorCode.InvalidRequest,
  ResourceNotFoundException: StepErrorCode.NotFound,
  InvalidStateTransitionException: StepErrorCode.InvalidTransition,
  TerminalStateException: StepErrorCode.TerminalState,
  ConflictException: StepErrorCode.InvalidTransition,
};

/**
 * How a data-plane failure of `operation` on `subject` becomes a StepError: the service's error names, and what the
 * way the request travelled adds (the port a client-certificate connection tried, where AWS serves such clients).
 */
export function iotJobsDataErrors(
  connection: Connection,
  operation: StepOperation,
  subject: string,
): (error: unknown) => StepError {
  return (error) => toStepError(error, operation, subject, IOT_ERROR_NAMES, connection.clientCertificatePort);
}
