/** The one mapping from whatever a request threw to a StepError: by the service's name, Node's code, then status. */
import { toStepError } from './aws-errors';
import { describeFailure } from './errors';

const service = (name: string, status: number, extra: object = {}): object => ({
  name,
  message: `${name} said no`,
  $metadata: { httpStatusCode: status, requestId: 'req-1' },
  ...extra,
});

test.each([
  [service('ThrottlingException', 429), 'throttled', true],
  [service('ServiceUnavailableException', 503), 'unavailable', true],
  [service('AccessDeniedException', 403), 'auth', false],
  [service('ResourceNotFoundException', 404), 'not-found', false],
  [service('SomethingNew', 409), 'invalid-transition', false],
  [service('SomethingNew', 410), 'terminal-state', false],
  [service('SomethingNew', 400), 'invalid-request', false],
  [service('InvalidResponse', 200), 'unconfirmed', true],
  [
    service('InvalidSignatureException', 403, { $metadata: { httpStatusCode: 403, clockSkewCorrected: true } }),
    'auth',
    true,
  ],
])('%j → %s (retryable %s)', (error, code, retryable) => {
  expect(toStepError(error, 'UpdateJobExecution', 'gw/fw')).toMatchObject({ code, retryable });
});

test("the service's own names win over the status", () => {
  expect(
    toStepError(service('TerminalStateException', 409), 'DescribeJobExecution', 'gw/fw', {
      TerminalStateException: 'terminal-state',
    }),
  ).toMatchObject({ code: 'terminal-state', awsErrorName: 'TerminalStateException', requestId: 'req-1' });
});

test('a reset is a network failure by its code, even when the HTTP handler names it TimeoutError', () => {
  const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
  expect(toStepError(reset, 'UpdateJobExecution', 'gw/fw')).toMatchObject({ code: 'network', retryable: true });
  const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
  expect(toStepError(timeout, 'UpdateJobExecution', 'gw/fw')).toMatchObject({ code: 'timeout' });
});

test('with a client certificate, a connection failure says which port was tried and where AWS serves certificates', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  expect(describeFailure(toStepError(refused, 'UpdateJobExecution', 'gw/fw', {}, 443))).toBe(
    'UpdateJobExecution gw/fw: the connection failed (ECONNREFUSED) (port 443 tried; AWS IoT serves client-certificate HTTPS on port 8443); ' +
      'with client-certificate TLS this is also how an endpoint refuses the certificate: check the certificate, key and CA',
  );
});

test('delivery: what never left (refused, unresolved, a connect timeout, no credentials) apart from a lost answer', () => {
  const thrown = (message: string, extra: object): unknown => Object.assign(new Error(message), extra);
  const delivery = (error: unknown): unknown => toStepError(error, 'UpdateJobExecution', 'gw/fw').delivery;
  expect(delivery(thrown('connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' }))).toBe('never-sent');
  expect(delivery(thrown('getaddrinfo ENOTFOUND x', { code: 'ENOTFOUND' }))).toBe('never-sent');
  // A wrapper that kept only the message: the code is read from Node's words.
  expect(delivery(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9'))).toBe('never-sent');
  const connectTimeout = thrown(
    '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 50 ms.',
    { name: 'TimeoutError' },
  );
  expect(toStepError(connectTimeout, 'UpdateJobExecution', 'gw/fw')).toMatchObject({
    code: 'network',
    retryable: true,
    delivery: 'never-sent',
  });
  expect(delivery(thrown('Could not load credentials from any providers', { name: 'CredentialsProviderError' }))).toBe(
    'never-sent',
  );
  expect(delivery(thrown('socket hang up', { code: 'ECONNRESET' }))).toBe('answer-unknown');
  expect(delivery(thrown('timed out', { name: 'TimeoutError', code: 'ETIMEDOUT' }))).toBe('answer-unknown');
  // An answer came but was not one: its effect is not known. A refusal is an answer: no delivery.
  expect(delivery(service('InvalidResponse', 200))).toBe('answer-unknown');
  expect(delivery(service('ThrottlingException', 429))).toBeUndefined();
});
