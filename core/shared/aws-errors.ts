/**
 * The one place where whatever an HTTP request threw (an SDK service exception, our signed clients' errors, a socket
 * error, a credential-chain failure) becomes a `StepError`, with its `delivery` when no answer came. The HTTPS Jobs
 * transport and the Import/Export step call `toStepError` with a table of their service's own error names;
 * everything else is decided by HTTP status and Node's error codes.
 */
import { CLIENT_CERTIFICATE_PORT } from './connection';
import { CONNECT_TIMEOUT } from './step-run';
import { StepError, StepErrorCode, invalidInput, type StepOperation } from './errors';

/** The parts of a thrown service error that matter; SDK v3 exceptions and our query client's errors share them. */
interface ServiceErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly $metadata?: {
    readonly httpStatusCode?: number;
    readonly requestId?: string;
    readonly clockSkewCorrected?: boolean;
  };
}

/** Error names shared by AWS services, whatever the protocol. */
const COMMON_NAMES: Readonly<Record<string, StepErrorCode>> = {
  ThrottlingException: StepErrorCode.Throttled,
  Throttling: StepErrorCode.Throttled,
  TooManyRequestsException: StepErrorCode.Throttled,
  RequestLimitExceeded: StepErrorCode.Throttled,
  ServiceUnavailableException: StepErrorCode.Unavailable,
  ServiceUnavailable: StepErrorCode.Unavailable,
  InternalFailure: StepErrorCode.Unavailable,
  UnrecognizedClientException: StepErrorCode.Auth,
  InvalidSignatureException: StepErrorCode.Auth,
  SignatureDoesNotMatch: StepErrorCode.Auth,
  InvalidClientTokenId: StepErrorCode.Auth,
  ExpiredTokenException: StepErrorCode.Auth,
  ExpiredToken: StepErrorCode.Auth,
  AccessDeniedException: StepErrorCode.Auth,
  AccessDenied: StepErrorCode.Auth,
  MissingAuthenticationTokenException: StepErrorCode.Auth,
  MissingAuthenticationToken: StepErrorCode.Auth,
  CertificateValidationException: StepErrorCode.Auth,
  RequestExpired: StepErrorCode.Auth,
};

const RETRYABLE: ReadonlySet<StepErrorCode> = new Set([
  StepErrorCode.Unconfirmed,
  StepErrorCode.Throttled,
  StepErrorCode.Unavailable,
  StepErrorCode.Network,
  StepErrorCode.Timeout,
]);

/** Node socket errors after which the same request may work. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/** One of those codes in a message's words ("connect ECONNREFUSED 127.0.0.1:9"). */
const NETWORK_CODE_IN_TEXT = new RegExp(`\\b(?:${[...NETWORK_CODES].join('|')})\\b`);

/** Socket errors that come before the request leaves: nothing was sent, so nothing can have been applied. */
const BEFORE_SENDING: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** TLS failures are not worth retrying: the same certificate is refused again. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_)/;

function byStatus(status: number): StepErrorCode {
  // A success status on something thrown: the answer could not be read as the operation's output.
  if (status < 300) return StepErrorCode.Unconfirmed;
  if (status === 429) return StepErrorCode.Throttled;
  if (status >= 500) return StepErrorCode.Unavailable;
  if (status === 401 || status === 403) return StepErrorCode.Auth;
  if (status === 404) return StepErrorCode.NotFound;
  if (status === 409) return StepErrorCode.InvalidTransition;
  if (status === 410) return StepErrorCode.TerminalState;
  if (status >= 400) return StepErrorCode.InvalidRequest;
  return StepErrorCode.ServiceError;
}

/** What to tell a person, per code, after the service's own words. */
const ADVICE: Partial<Record<StepErrorCode, string>> = {
  [StepErrorCode.Throttled]: 'the request rate is over the account limit; retry later or slow down',
  [StepErrorCode.Unavailable]: 'the service is unavailable; retry later',
  [StepErrorCode.Auth]: 'check the credentials, their permissions and the region',
};

/**
 * Maps anything a request threw to a StepError. `subject` names the resource in the message (`gw-7/fw-42`);
 * `names` maps the service's own error names to codes and wins over the common table and the status;
 * `clientCertificatePort` is the port a client-certificate connection tried (undefined without one): what a
 * hang-up may mean there, and where AWS serves such clients, goes into the message.
 */
export function toStepError(
  error: unknown,
  operation: StepOperation,
  subject: string,
  names: Readonly<Record<string, StepErrorCode>> = {},
  clientCertificatePort?: number,
): StepError {
  if (error instanceof StepError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ServiceErrorLike;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const text = typeof e.message === 'string' ? e.message : String(error);
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  // A wrapper may keep only the message (the SDK's retry layer wraps what is not an `Error` of its own realm, as
  // under a test runner's VM): Node's code is then read from the words Node wrote ("connect ECONNREFUSED …").
  const nodeCode = typeof e.code === 'string' ? e.code : NETWORK_CODE_IN_TEXT.exec(text)?.[0];
  const portHint =
    clientCertificatePort === undefined
      ? ''
      : ` (port ${clientCertificatePort} tried; AWS IoT serves client-certificate HTTPS on port ${CLIENT_CERTIFICATE_PORT})`;

  if (status === undefined) {
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(text)) {
      return new StepError(
        `no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or give credentials`,
        {
          code: StepErrorCode.Auth,
          operation,
          subject,
          cause: error,
          delivery: 'never-sent',
          awsWording: { by: 'client', message: 'Unable to locate credentials' },
        },
      );
    }
    if (/Region is missing/i.test(text)) {
      const fix = invalidInput('region', 'is not set', 'give a region, or set AWS_REGION', {
        by: 'client',
        message: 'You must specify a region.',
      });
      return new StepError(fix.message, {
        code: fix.code,
        field: fix.field,
        awsWording: fix.awsWording,
        operation,
        subject,
        cause: error,
        delivery: 'never-sent',
      });
    }
    if (name === 'TimeoutError' && CONNECT_TIMEOUT.test(text)) {
      return new StepError(`no connection could be opened within the connect timeout${portHint}`, {
        code: StepErrorCode.Network,
        operation,
        subject,
        retryable: true,
        delivery: 'never-sent',
        cause: error,
      });
    }
    // Classified by Node's code first: the HTTP handler names resets `TimeoutError` too.
    const networkCode = nodeCode !== undefined && nodeCode !== 'ETIMEDOUT' && NETWORK_CODES.has(nodeCode);
    if (!networkCode && (name === 'TimeoutError' || nodeCode === 'ETIMEDOUT')) {
      return new StepError('the connection timed out', {
        code: StepErrorCode.Timeout,
        operation,
        subject,
        retryable: true,
        delivery: 'answer-unknown',
        cause: error,
      });
    }
    if (nodeCode && TLS_CODE.test(nodeCode)) {
      return new StepError(`the TLS handshake failed (${nodeCode})${portHint}; check the certificate, key and CA`, {
        code: StepErrorCode.Auth,
        operation,
        subject,
        delivery: 'never-sent',
        cause: error,
      });
    }
    if ((nodeCode && NETWORK_CODES.has(nodeCode)) || /socket hang up|ECONNRESET|other side closed/i.test(text)) {
      // Under TLS 1.3 an endpoint refuses a client certificate after the handshake, by closing the connection.
      const tlsHint =
        clientCertificatePort === undefined
          ? ''
          : '; with client-certificate TLS this is also how an endpoint refuses the certificate: check the certificate, key and CA';
      return new StepError(`the connection failed (${nodeCode ?? text})${portHint}${tlsHint}`, {
        code: StepErrorCode.Network,
        operation,
        subject,
        retryable: true,
        delivery: nodeCode !== undefined && BEFORE_SENDING.has(nodeCode) ? 'never-sent' : 'answer-unknown',
        cause: error,
      });
    }
    // A TLS alert from the server (a client certificate refused) surfaces as an EPROTO or a message only.
    if (nodeCode === 'EPROTO' || /alert|certificate/i.test(text)) {
      return new StepError(`the TLS handshake failed (${text})${portHint}; check the certificate, key and CA`, {
        code: StepErrorCode.Auth,
        operation,
        subject,
        delivery: 'never-sent',
        cause: error,
      });
    }
    return new StepError(text, { code: StepErrorCode.ServiceError, operation, subject, cause: error });
  }

  const code = names[name] ?? COMMON_NAMES[name] ?? byStatus(status);
  // The client learnt the service's clock from this answer (ours was off by 5 minutes or more): signing again works.
  const skewCorrected = e.$metadata?.clockSkewCorrected === true;
  const advice = skewCorrected ? 'the local clock is off; corrected from the service’s time' : ADVICE[code];
  return new StepError(`${name}: ${text}${advice ? `; ${advice}` : ''}`, {
    code,
    operation,
    subject,
    awsErrorName: name,
    httpStatus: status,
    requestId,
    retryable: RETRYABLE.has(code) || skewCorrected,
    // A success status on something thrown: an answer came, but what it says is not known.
    ...(status < 300 && { delivery: 'answer-unknown' as const }),
    cause: error,
  });
}
