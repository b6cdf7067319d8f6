/**
 * AWS Signature Version 2 verification for query-protocol requests, written from AWS's specification with
 * node:crypto and checked against botocore's own signer (`botocore.auth.SigV2Auth`):
 *
 *   StringToSign = METHOD "\n" lowercase(Host header, port included as sent) "\n" path "\n" CanonicalQuery
 *   CanonicalQuery = every parameter but Signature, sorted by key (UTF-8 byte order), each key and value
 *                    RFC 3986-encoded (all but A-Z a-z 0-9 - _ . ~, upper-case hex), joined as k=v with "&"
 *   Signature = base64(HMAC-SHA256 or HMAC-SHA1(secret, StringToSign)), as named by SignatureMethod
 *
 * The signed parameters are the request's own: the form body of a POST, the query string of a GET. botocore signs
 * only the body of a POST; it posts query requests to `/`, so the front's merged form equals the body for it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What verification needs from the request as it arrived. */
export interface SigV2Input {
  readonly method: string;
  /** The Host header as sent (`127.0.0.1:4566`); lower-cased here. */
  readonly host: string;
  /** The path as sent, still percent-encoded; empty means `/`. */
  readonly path: string;
  /** The signed parameters, Signature included (it is left out of the string to sign here). */
  readonly params: URLSearchParams;
  readonly lookupSecret: (accessKeyId: string) => string | undefined;
  /** Verifier time in epoch milliseconds. */
  readonly now: number;
}

/**
 * The outcome: the verified key, or the error AWS's query services answer, with its HTTP status (403 for
 * credential and signature failures, 400 for malformed or expired requests).
 */
export type SigV2Outcome =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly status: 400 | 403 };

/** Error codes that AWS answers with 403; every other SigV2 refusal is a 400. */
const FORBIDDEN_CODES: ReadonlySet<string> = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'MissingAuthenticationToken',
]);

/** The signature methods SigV2 defines, mapped to node:crypto digests. */
export const SigV2Method = { HmacSHA256: 'sha256', HmacSHA1: 'sha1' } as const;
export type SigV2Method = keyof typeof SigV2Method;

/** AWS accepts a SigV2 Timestamp up to 15 minutes either side of its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/** ISO 8601 date-time; a missing zone means UTC, as AWS reads it. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

const MESSAGES = {
  invalidKey: 'The security token included in the request is invalid.',
  mismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access ' +
    'Key and signing method. Consult the service documentation for details.',
  expired: 'Request has expired.',
} as const;

function fail(code: string, message: string): SigV2Outcome {
  return { ok: false, code, message, status: FORBIDDEN_CODES.has(code) ? 403 : 400 };
}

/** RFC 3986 percent-encoding: encodeURIComponent also leaves ! ' ( ) * alone, which SigV2 encodes. */
export function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The canonical query string: keys (then values) in byte order, Signature left out. */
export function canonicalQuery(params: URLSearchParams): string {
  return [...params.entries()]
    .filter(([key]) => key !== 'Signature')
    .sort(([ka, va], [kb, vb]) => byteOrder(ka, kb) || byteOrder(va, vb))
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
    .join('&');
}

/** The exact text SigV2 signs. */
export function stringToSignV2(method: string, host: string, path: string, params: URLSearchParams): string {
  return `${method.toUpperCase()}\n${host.toLowerCase()}\n${path.length === 0 ? '/' : path}\n${canonicalQuery(params)}`;
}

/** base64 HMAC of the string to sign, as a SigV2 client computes it. */
export function signV2(secret: string, method: SigV2Method, stringToSign: string): string {
  return createHmac(SigV2Method[method], secret).update(stringToSign, 'utf8').digest('base64');
}

function parseTime(text: string): number | undefined {
  if (!ISO_TIME.test(text)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const ms = Date.parse(hasZone ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A Timestamp within 15 minutes of now, or an Expires still in the future; exactly one of the two. */
function checkTime(params: URLSearchParams, now: number): SigV2Outcome | undefined {
  const timestamp = params.get('Timestamp');
  const expires = params.get('Expires');
  if (timestamp !== null && expires !== null) {
    return fail('InvalidParameterCombination', 'The parameters Timestamp and Expires cannot be used together.');
  }
  if (timestamp === null && expires === null) {
    return fail('MissingParameter', 'The request must contain the parameter Timestamp or Expires.');
  }
  const name = timestamp !== null ? 'Timestamp' : 'Expires';
  const at = parseTime((timestamp ?? expires) as string);
  if (at === undefined) return fail('InvalidParameterValue', `The parameter ${name} is not an ISO 8601 date-time.`);
  const expired = timestamp !== null ? Math.abs(now - at) > MAX_SKEW_MS : at < now;
  return expired ? fail('RequestExpired', MESSAGES.expired) : undefined;
}

function checkShape(params: URLSearchParams): SigV2Outcome | undefined {
  if (!params.get('AWSAccessKeyId'))
    return fail('MissingAuthenticationToken', 'Request is missing Authentication Token');
  if (params.get('SignatureVersion') !== '2') {
    return fail('InvalidParameterValue', 'The parameter SignatureVersion must be 2.');
  }
  const method = params.get('SignatureMethod');
  if (method === null) return fail('MissingParameter', 'The request must contain the parameter SignatureMethod.');
  if (!Object.hasOwn(SigV2Method, method)) {
    return fail('InvalidParameterValue', 'The parameter SignatureMethod must be HmacSHA256 or HmacSHA1.');
  }
  if (!params.get('Signature')) return fail('MissingParameter', 'The request must contain the parameter Signature.');
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Verifies a SigV2-signed query request. Checks run as: parameters present and supported, key known, time
 * acceptable, signature equal (compared in constant time). Messages never contain the secret or the signature.
 */
export function verifySigV2(input: SigV2Input): SigV2Outcome {
  const { params } = input;
  const shapeProblem = checkShape(params);
  if (shapeProblem) return shapeProblem;
  const accessKeyId = params.get('AWSAccessKeyId') as string;
  const secret = input.lookupSecret(accessKeyId);
  if (secret === undefined) return fail('InvalidClientTokenId', MESSAGES.invalidKey);
  const timeProblem = checkTime(params, input.now);
  if (timeProblem) return timeProblem;
  const method = params.get('SignatureMethod') as SigV2Method;
  const expected = signV2(secret, method, stringToSignV2(input.method, input.host, input.path, params));
  // A client that forgot to encode its signature sends "+" which form decoding turns into a space.
  const provided = (params.get('Signature') as string).replace(/ /g, '+');
  return sameText(expected, provided) ? { ok: true, accessKeyId } : fail('SignatureDoesNotMatch', MESSAGES.mismatch);
}
