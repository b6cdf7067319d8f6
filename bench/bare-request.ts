/**
 * The action's peer in `npm run bench`: a bare Node script that sends the action's request, SigV4-signed with
 * `node:crypto`, over `node:http`, and nothing else: no SDK, no retries, no input checks. Signing is part of the
 * request, so the script signs it itself (with the keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
 *
 *   node bare-request.js URL BODY     (exit 0 on HTTP 200)
 */
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';

const [target = '', body = ''] = process.argv.slice(2);
const url = new URL(target);
const region = process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
const service = 'iot-jobs-data';
const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
const day = amzDate.slice(0, 8);
const hash = (text: string): string => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

const payloadHash = hash(body);
const headers: Record<string, string> = {
  'content-type': 'application/json',
  host: url.host,
  'x-amz-content-sha256': payloadHash,
  'x-amz-date': amzDate,
};
const names = Object.keys(headers).sort();
const canonical = [
  'POST',
  url.pathname,
  '',
  ...names.map((n) => `${n}:${headers[n]}`),
  '',
  names.join(';'),
  payloadHash,
];
const scope = `${day}/${region}/${service}/aws4_request`;
const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, hash(canonical.join('\n'))].join('\n');
const key = hmac(hmac(hmac(hmac(`AWS4${process.env.AWS_SECRET_ACCESS_KEY}`, day), region), service), 'aws4_request');
headers.authorization =
  `AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID}/${scope}, SignedHeaders=${names.join(';')}, ` +
  `Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
headers['content-length'] = String(Buffer.byteLength(body));

request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
  res.resume();
  res.on('end', () => process.exit(res.statusCode === 200 ? 0 : 1));
}).end(body);
