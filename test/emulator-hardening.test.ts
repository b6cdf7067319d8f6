/**
 * The emulator against requests a hostile page or client could send, over raw sockets: admin routes that take only
 * JSON and, with auth on, only a signed request or the admin token; an oversized body answered 413 in AWS's error
 * shape instead of a reset; and SigV4 refused where AWS refuses it (a scope date that is not the signature's day, an
 * unsigned Host, UNSIGNED-PAYLOAD with a swapped body).
 */
import { connect } from 'node:net';

import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

import { FIXTURE_CREDENTIALS } from './helpers/aws-cli';
import { useEmulator } from './helpers/emulator';

const fx = useEmulator();
beforeEach(async () => {
  await fx.reset();
  await fx.seed(['gw-7'], [{ jobId: 'fw-42', targets: ['gw-7'] }]);
});

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `head` and `body` on a fresh socket and reads the whole answer (or 'reset'). */
function raw(head: string, body: Buffer | string = ''): Promise<RawReply | 'reset'> {
  const { port } = new URL(fx.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => resolve('reset'));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = headText.split('\r\n');
      if (!statusLine) return resolve('reset');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(head);
    socket.end(body);
  });
}

const host = (): string => new URL(fx.url).host;

test('admin routes: text/plain is refused, and with auth neither an unsigned request nor a wrong token passes', async () => {
  const rule = JSON.stringify({ kind: 'throttle' });
  const plain = await raw(
    `POST /_emulator/faults HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: text/plain\r\nContent-Length: ${rule.length}\r\nConnection: close\r\n\r\n`,
    rule,
  );
  expect(plain).toMatchObject({ status: 415 });
  const unsigned = await raw(`GET /_emulator/state HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
  expect(unsigned).toMatchObject({ status: 403 });
  expect((unsigned as RawReply).body).not.toContain('manifest');
  const wrong = await raw(
    `GET /_emulator/state HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer nope\r\nConnection: close\r\n\r\n`,
  );
  expect(wrong).toMatchObject({ status: 403, body: '{"message":"the admin token is wrong"}' });
  const token = await raw(
    `GET /_emulator/state HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${fx.emulator.adminToken}\r\nConnection: close\r\n\r\n`,
  );
  expect(token).toMatchObject({ status: 200 });
  expect(await fx.admin('GET', 'faults')).toEqual([]);
});

test('a body over 1 MB is answered 413 in the service’s error shape, not with a reset', async () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
  const json = await raw(
    `POST /things/gw-7/jobs/fw-42 HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n`,
    big,
  );
  expect(json).toMatchObject({ status: 413, headers: { 'x-amzn-errortype': 'RequestEntityTooLargeException' } });
  const form = await raw(
    `POST / HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n`,
    big,
  );
  expect(form).toMatchObject({ status: 413 });
  expect((form as RawReply).body).toContain('<Code>RequestEntityTooLarge</Code>');
});

describe('SigV4 as AWS checks it', () => {
  const signer = new SignatureV4({
    credentials: FIXTURE_CREDENTIALS,
    region: 'us-east-1',
    service: 'iot-jobs-data',
    sha256: Hash.bind(null, 'sha256'),
  });
  const update = async (
    headers: Record<string, string>,
    options: { unsignableHeaders?: Set<string> } = {},
  ): Promise<Record<string, string>> => {
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: Number(new URL(fx.url).port),
        path: '/things/gw-7/jobs/fw-42',
        headers: { host: host(), 'content-type': 'application/json', ...headers },
        body: '{"status":"IN_PROGRESS"}',
      },
      options,
    );
    return signed.headers;
  };
  const send = async (headers: Record<string, string>, body = '{"status":"IN_PROGRESS"}'): Promise<RawReply> => {
    const lines = Object.entries(headers)
      .filter(([k]) => k.toLowerCase() !== 'content-length')
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    const reply = await raw(
      `POST /things/gw-7/jobs/fw-42 HTTP/1.1\r\n${lines}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
      body,
    );
    expect(reply).not.toBe('reset');
    return reply as RawReply;
  };

  test('a correctly signed request passes (the control case)', async () => {
    expect((await send(await update({}))).status).toBe(200);
  });

  test('a Credential scope date that is not the x-amz-date day is refused', async () => {
    const headers = await update({});
    headers.authorization = headers.authorization!.replace(/\/(\d{8})\//, '/19991231/');
    const reply = await send(headers);
    expect(reply.status).toBe(403);
    expect(reply.body).toContain('Date in Credential scope does not match');
  });

  test('a signature that does not sign Host is refused', async () => {
    const reply = await send(await update({}, { unsignableHeaders: new Set(['host']) }));
    expect(reply.status).toBe(403);
    expect(reply.body).toContain("'Host' or ':authority' must be a 'SignedHeader'");
  });

  test('UNSIGNED-PAYLOAD is refused, so a swapped body is never applied', async () => {
    const headers = await update({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
    const reply = await send(headers, '{"status":"FAILED"}');
    expect(reply.status).toBe(403);
    expect(reply.body).toContain('UNSIGNED-PAYLOAD is not accepted');
    expect((await fx.execution('gw-7', 'fw-42')).status).toBe('QUEUED');
  });
});
