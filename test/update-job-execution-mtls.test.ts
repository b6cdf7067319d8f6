/**
 * X.509 client-certificate TLS, the HTTPS path AWS IoT offers devices instead of SigV4. A test HTTPS front that
 * requires a client certificate from its own CA (made here with openssl) forwards to an emulator; the step
 * succeeds with a certificate from that CA, sends no signature, and fails clearly with a certificate it refuses.
 */
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describeFailure, Connection, StepError, updateJobExecution } from '../core/index';
import { HttpsJobsTransport } from '../core/iot-jobs/transports/https';
import { closeFront, httpsFront, TestCertificates, type Pem } from './helpers/certificates';
import { useEmulator } from './helpers/emulator';

const certificates = new TestCertificates();

// Without auth: the emulator stands for the service behind AWS IoT's certificate check.
const fx = useEmulator({});
let front: Server;
let frontUrl: string;
let ca: Pem;
let device: Pem;
let stranger: Pem;
/** What reached the front, as the device sent it. */
const seen: { authorization: string | undefined; subject: string | undefined }[] = [];

beforeAll(async () => {
  ca = certificates.ca('iot-ca');
  certificates.ca('other-ca');
  const server = certificates.leaf('server', 'iot-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  device = certificates.leaf('gw-7', 'iot-ca', 'extendedKeyUsage=clientAuth\n');
  stranger = certificates.leaf('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');

  front = await mtlsFront(server, 0);
  frontUrl = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
});

/** An HTTPS front on 127.0.0.1:`port` that requires a client certificate signed by the CA and forwards to the emulator. */
function mtlsFront(server: Pem, port: number): Promise<Server> {
  return httpsFront({ server, port, target: fx.url, clientCa: ca.certificate }, (req) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    seen.push({ authorization: req.headers.authorization, subject: String(peer.subject?.CN) });
  });
}

afterAll(async () => {
  await closeFront(front);
  certificates.remove();
});

beforeEach(async () => {
  seen.length = 0;
  await fx.reset();
  // Seeded unsigned: this emulator runs without auth.
  const post = (path: string, method: string, body: unknown): Promise<Response> =>
    fetch(`${fx.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/things/gw-7', 'POST', {});
  await post('/jobs/fw-42', 'PUT', { targets: ['arn:aws:iot:us-east-1:123456789012:thing/gw-7'], document: '{}' });
});

test('with the device certificate the step succeeds, unsigned, and re-running it is still safe', async () => {
  const gateway = new Connection({ endpoint: frontUrl, tls: { ...device, ca: ca.certificate } });
  const input = { thingName: 'gw-7', jobId: 'fw-42', status: 'SUCCEEDED', includeJobExecutionState: true };
  expect(await updateJobExecution(input, gateway)).toMatchObject({
    changed: true,
    executionState: { status: 'SUCCEEDED', versionNumber: 2 },
    attempts: 1,
  });
  // The refusal carries the execution's state, so the re-run needs no read.
  expect(await updateJobExecution(input, gateway)).toMatchObject({ changed: false, attempts: 1 });
  gateway.destroy();
  expect(seen).toEqual([
    { authorization: undefined, subject: 'gw-7' },
    { authorization: undefined, subject: 'gw-7' },
  ]);
});

test('an endpoint that names no port is reached on 8443, where AWS IoT serves certificate clients', async () => {
  const server = certificates.leaf(
    'server-8443',
    'iot-ca',
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  // Fails, never skips, when 8443 is taken: the test is about that port.
  const on8443 = await mtlsFront(server, 8443);
  try {
    const gateway = new Connection({ endpoint: 'https://127.0.0.1', tls: { ...device, ca: ca.certificate } });
    expect(gateway.endpoint('iot-jobs-data')).toBe('https://127.0.0.1:8443');
    expect(new HttpsJobsTransport(gateway).clientCertificatePort).toBe(8443);
    const result = await updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'IN_PROGRESS' }, gateway);
    gateway.destroy();
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect(seen).toEqual([{ authorization: undefined, subject: 'gw-7' }]);
  } finally {
    await closeFront(on8443);
  }
  // A port written out is kept, 443 included.
  expect(
    new HttpsJobsTransport(new Connection({ endpoint: 'https://127.0.0.1:443', tls: device })).clientCertificatePort,
  ).toBe(443);
  expect(new Connection({ endpoint: 'https://127.0.0.1:8444/', tls: device }).endpoint('iot-jobs-data')).toBe(
    'https://127.0.0.1:8444',
  );
});

test('a certificate the endpoint refuses fails with a message that points at the certificate', async () => {
  // TLS 1.3 refuses a client certificate after the handshake by closing the connection, which looks like any other
  // hang-up; the step retries it as one, then says what it most likely is.
  const wrong = new Connection({ endpoint: frontUrl, tls: { ...stranger, ca: ca.certificate }, maxAttempts: 2 });
  const error = await updateJobExecution({ thingName: 'gw-7', jobId: 'fw-42', status: 'SUCCEEDED' }, wrong, {
    sleep: async () => {},
  }).catch((e: unknown) => e);
  wrong.destroy();
  expect(error).toBeInstanceOf(StepError);
  expect(error).toMatchObject({ code: 'network', attempts: 2 });
  expect(describeFailure(error as StepError)).toMatch(
    /^UpdateJobExecution gw-7\/fw-42: the connection failed \(.+\) \(port \d+ tried; AWS IoT serves client-certificate HTTPS on port 8443\); with client-certificate TLS this is also how an endpoint refuses the certificate: check the certificate, key and CA$/,
  );
  expect(seen).toEqual([]);
  expect((await fx.execution('gw-7', 'fw-42')).status).toBe('QUEUED');
});

test('client-certificate TLS needs an https endpoint, said before anything is sent', () => {
  expect(() => new Connection({ tls: device })).toThrow(
    "endpoint is required with client-certificate TLS; give your account's endpoint from `aws iot describe-endpoint --endpoint-type iot:Jobs`",
  );
  expect(() => new Connection({ endpoint: fx.url, tls: device })).toThrow(
    'endpoint must be https:// for client-certificate TLS',
  );
});
