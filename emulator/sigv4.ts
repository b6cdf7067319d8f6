/**
 * AWS Signature Version 4 verification, written from AWS's specification with node:crypto so that it can disagree
 * with the clients it checks (it deliberately shares nothing with the SDK's signer).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The parts of an `Authorization: AWS4-HMAC-SHA256 …` header, or of the equivalent presigned query. */
export interface SigV4Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/**
 * Reads the credential scope without verifying anything: the front routes on the service it names. The signature is
 * checked with whatever service the scope names (`iot`, or `execute-api` as AWS CLI v2 signs the control plane), as
 * SigV4 derives the signing key from the scope the client chose.
 */
export function parseSigV4Authorization(header: string | undefined): SigV4Authorization | undefined {
  if (!header?.startsWith('AWS4-HMAC-SHA256 ')) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const [accessKeyId, date, region, service, terminator] = (fields.get('Credential') ?? '').split('/');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request' || !signedHeaders || !signature) {
    return undefined;
  }
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** Everything verification needs from the request as it arrived. */
export interface SigV4Request {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Why a signature was refused, with the error name AWS answers for it. */
export type SigV4Failure = {
  readonly ok: false;
  readonly reason: 'missing' | 'unknown-key' | 'bad-token' | 'mismatch' | 'expired';
  readonly message: string;
};
export type SigV4Outcome = { readonly ok: true; readonly auth: SigV4Authorization } | SigV4Failure;

/** A key pair the emulator accepts; when `sessionToken` is set, requests must carry it. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /**
   * IAM actions this key may not call, written as an IAM policy writes them (the Service Authorization Reference's
   * prefixes): `iot:<Operation>` on the control plane, `iotjobsdata:<Operation>` on the Jobs data plane,
   * `importexport:<Operation>`. They answer 403 AccessDeniedException naming the action, as AWS answers a principal
   * whose policy lacks it. Any other entry stops the emulator from starting, with the reason.
   */
  readonly denied?: readonly string[];
}

/** AWS refuses signatures whose time is more than five minutes from its own clock. */
const MAX_SKEW_MS = 5 * 60 * 1000;

/** RFC 3986 encoding as SigV4 defines it: everything but unreserved characters, upper-case hex. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Non-S3 services sign the path encoded once more on top of its wire form (botocore and the v3 SDK both do),
 * so each raw segment is encoded again as it stands.
 */
function canonicalUri(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [uriEncode(safeDecode(key)), uriEncode(safeDecode(value))] as const;
    })
    .filter(([key]) => key !== 'X-Amz-Signature')
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

/** `20260101T000000Z` → epoch ms, or NaN. */
function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return Date.parse(value);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/**
 * Verifies a SigV4 `Authorization` header against the known credentials and the emulator's clock.
 * Never throws: every refusal is an outcome the front turns into the service's own error format.
 */
export function verifySigV4(
  request: SigV4Request,
  credentials: readonly EmulatorCredential[],
  nowMs: number,
): SigV4Outcome {
  const header = request.headers.authorization;
  const auth = parseSigV4Authorization(typeof header === 'string' ? header : undefined);
  if (!auth) return { ok: false, reason: 'missing', message: 'Missing Authentication Token' };
  const credential = credentials.find((c) => c.accessKeyId === auth.accessKeyId);
  if (!credential) {
    return { ok: false, reason: 'unknown-key', message: 'The security token included in the request is invalid.' };
  }
  const token = headerValue(request.headers, 'x-amz-security-token');
  if (credential.sessionToken !== undefined && token !== credential.sessionToken) {
    return { ok: false, reason: 'bad-token', message: 'The security token included in the request is invalid.' };
  }
  const amzDate = headerValue(request.headers, 'x-amz-date') || headerValue(request.headers, 'date');
  const signedAt = parseAmzDate(amzDate);
  if (!Number.isFinite(signedAt) || Math.abs(signedAt - nowMs) > MAX_SKEW_MS) {
    const now = new Date(nowMs).toISOString().replace(/[-:]|\.\d{3}/g, '');
    return {
      ok: false,
      reason: 'expired',
      message: `Signature expired: ${amzDate || '(no date)'} is now earlier than ${now} (${now} - 5 min.)`,
    };
  }
  // The scope's date is the day of the signature's time (SigV4: "Credential scope ... YYYYMMDD of x-amz-date").
  if (auth.date !== amzDate.slice(0, 8)) {
    return {
      ok: false,
      reason: 'mismatch',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    };
  }
  if (!auth.signedHeaders.includes('host')) {
    return {
      ok: false,
      reason: 'mismatch',
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    };
  }
  const bodyHash = sha256Hex(request.body);
  const declaredHash = headerValue(request.headers, 'x-amz-content-sha256');
  // UNSIGNED-PAYLOAD is S3's; the services here sign their payload, so a body can never be swapped under a signature.
  if (declaredHash === 'UNSIGNED-PAYLOAD') {
    return {
      ok: false,
      reason: 'mismatch',
      message: 'UNSIGNED-PAYLOAD is not accepted: this service requires a signed payload.',
    };
  }
  if (declaredHash && declaredHash !== bodyHash) {
    return { ok: false, reason: 'mismatch', message: 'The provided x-amz-content-sha256 header does not match.' };
  }
  const payloadHash = bodyHash;
  const canonicalHeaders = auth.signedHeaders.map((name) => `${name}:${headerValue(request.headers, name)}\n`).join('');
  const canonicalRequest = [
    request.method,
    canonicalUri(request.rawPath),
    canonicalQuery(request.rawQuery),
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credential.secretAccessKey}`, auth.date), auth.region), auth.service),
    'aws4_request',
  );
  const expected = Buffer.from(createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex'));
  const given = Buffer.from(auth.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return {
      ok: false,
      reason: 'mismatch',
      message:
        'The request signature we calculated does not match the signature you provided. ' +
        'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  return { ok: true, auth };
}
