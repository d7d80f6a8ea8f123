// Server-side AWS Signature Version 4 verification. Written from the published algorithm rather
// than by calling the SDK's signer, so a bug in the client's signer can't hide behind the same
// bug here (the AWS CLI, botocore, is the second independent signer we check against).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawRequest } from './protocol.js';

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export type SigV4Failure =
  | { kind: 'missing' }
  | { kind: 'malformed'; detail: string }
  | { kind: 'expired'; detail: string }
  | { kind: 'mismatch' };

const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

export function parseAuthorization(header: string | undefined): ParsedAuthorization | SigV4Failure {
  if (!header) return { kind: 'missing' };
  const m = AUTH_RE.exec(header.trim());
  if (!m) return { kind: 'malformed', detail: 'Authorization header is not a valid AWS4-HMAC-SHA256 header' };
  return {
    accessKeyId: m[1]!,
    date: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: m[5]!.split(';'),
    signature: m[6]!,
  };
}

export const isFailure = (v: ParsedAuthorization | SigV4Failure): v is SigV4Failure => 'kind' in v;

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent plus !'()*). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function canonicalPath(rawPath: string, dropEmptySegments: boolean): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '.' || (dropEmptySegments && seg === '')) continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  let path = segments.map(uriEncode).join('/');
  if (dropEmptySegments) {
    path = (rawPath.startsWith('/') ? '/' : '') + path;
    if (segments.length > 0 && rawPath.endsWith('/')) path += '/';
  }
  return path || '/';
}

function canonicalQuery(query: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of query) pairs.push([uriEncode(k), uriEncode(v)]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** "20261123T181900Z" → epoch ms, or NaN. */
export function parseAmzDate(s: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '');
  if (!m) return NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** AWS rejects requests signed more than 15 minutes away from its clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * S3's canonical URI: the path encoded once and not normalised ("Amazon S3 does not normalize
 * URI paths … each path segment URI-encoded once" [SigV4 "Create a canonical request"]), so a key
 * keeps its `//`, `.` and `..`. The path as sent is that, for a client that encodes as SigV4 does
 * (the JS SDK and botocore sign exactly the path they send); re-encoding the decoded path covers a
 * client that left a reserved character unencoded on the wire.
 */
function s3CanonicalPaths(rawPath: string): string[] {
  const asSent = rawPath || '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return [asSent];
  }
  const reencoded = decoded.split('/').map(uriEncode).join('/') || '/';
  return reencoded === asSent ? [asSent] : [asSent, reencoded];
}

/** x-amz-content-sha256 values that are not a digest of the body [SigV4 for S3: "Signature Calculations for the Authorization Header"]. */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/**
 * S3's payload rules, checked after the signature: x-amz-content-sha256 is required
 * (InvalidRequest, 400), a hex digest must be the body's (XAmzContentSHA256Mismatch, 400), and the
 * streaming (aws-chunked) forms are not served by the twin (NotImplemented, 501) [API
 * ErrorResponses; SigV4 for S3 "Transferring payload in multiple chunks"].
 */
export function s3PayloadProblem(req: RawRequest): { code: string; message: string; status: number } | undefined {
  const declared = req.headers['x-amz-content-sha256'];
  if (declared === undefined) return { code: 'InvalidRequest', message: 'Missing required header for this request: x-amz-content-sha256', status: 400 };
  if (declared === UNSIGNED_PAYLOAD) return undefined;
  if (/^[0-9a-f]{64}$/.test(declared)) {
    if (declared === sha256Hex(req.body)) return undefined;
    return { code: 'XAmzContentSHA256Mismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed.", status: 400 };
  }
  if (declared.startsWith('STREAMING-')) return { code: 'NotImplemented', message: `The twin does not serve aws-chunked uploads (x-amz-content-sha256: ${declared}); send the body whole`, status: 501 };
  return { code: 'InvalidArgument', message: 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-…, or a valid sha256 value.', status: 400 };
}

/**
 * Verifies the request's signature with the secret for its access key. Clients disagree on
 * whether empty path segments are kept when canonicalising, so both readings are accepted; S3
 * (credential scope service `s3`) canonicalises its own way (s3CanonicalPaths).
 */
export function verifySignature(
  req: RawRequest,
  auth: ParsedAuthorization,
  secretAccessKey: string,
  now: number,
): SigV4Failure | undefined {
  const amzDate = req.headers['x-amz-date'];
  const signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt)) return { kind: 'malformed', detail: 'X-Amz-Date header is missing or not in ISO 8601 basic format' };
  if (!amzDate!.startsWith(auth.date)) return { kind: 'malformed', detail: 'Credential scope date does not match X-Amz-Date' };
  if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) {
    return { kind: 'expired', detail: `Signature expired: ${amzDate} is now earlier or later than the 15 minute window` };
  }
  if (!auth.signedHeaders.includes('host')) return { kind: 'malformed', detail: "'Host' must be a signed header" };
  for (const h of auth.signedHeaders) {
    if (req.headers[h] === undefined) return { kind: 'malformed', detail: `signed header ${h} is missing from the request` };
  }
  const canonicalHeaders = auth.signedHeaders
    .map((h) => `${h}:${req.headers[h]!.trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payloadHash = req.headers['x-amz-content-sha256'] ?? sha256Hex(req.body);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const key = signingKey(secretAccessKey, auth.date, auth.region, auth.service);
  const expected = Buffer.from(auth.signature, 'hex');
  const paths = auth.service === 's3' ? s3CanonicalPaths(req.path) : [canonicalPath(req.path, true), canonicalPath(req.path, false)];
  for (const path of paths) {
    const canonicalRequest = [
      req.method.toUpperCase(),
      path,
      canonicalQuery(req.query),
      canonicalHeaders,
      auth.signedHeaders.join(';'),
      payloadHash,
    ].join('\n');
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const actual = createHmac('sha256', key).update(stringToSign).digest();
    if (timingSafeEqual(actual, expected)) return undefined;
  }
  return { kind: 'mismatch' };
}
