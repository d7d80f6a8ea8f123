// Amazon S3, the subset a shared state backend needs (a state object and its lock): general
// purpose buckets that only their owner account uses, objects with an MD5 ETag, conditional
// writes, reads and deletes, and ListObjectsV2. One pure function per API operation,
// (ctx, input) → output, throwing AwsApiError for every refusal; wire/s3.ts parses headers and
// renders REST-XML. docs/aws-facts.md "S3 (state backend)" lists the facts with their sources; the
// short tags used below:
//   [API]   S3 API reference (the operation's page) / the botocore model s3-2006-03-01
//   [UG]    S3 User Guide: conditional-writes, conditional-deletes, conditional-requests
//   [peer]  a public issue thread or a test suite run against AWS, named
//   [unconfirmed] our reading; no source settled it.
// A sequential twin never sees two writers race, so 409 ConditionalRequestConflict is left to the
// `error` fault (POST /_twin/faults {kind:'error', service:'s3', code:'ConditionalRequestConflict', status:409}).
import { createHash } from 'node:crypto';
import { AwsApiError } from '../errors.js';
import { authorizationRequests } from '../iam-actions.js';
import { evaluatePolicies } from '../iam.js';
import { policySourcesFor } from '../iam-authz.js';
import type { CallContext } from '../protocol.js';
import type { S3Bucket, S3Object, World } from '../world.js';

/** ListObjectsV2 returns at most 1,000 keys a page, whatever MaxKeys asks [API ListObjectsV2 MaxKeys]. */
export const MAX_KEYS = 1000;
/** "The name for a key is a sequence of Unicode characters whose UTF-8 encoding is at most 1,024 bytes long" [UG object-keys]. */
export const MAX_KEY_BYTES = 1024;
/** What S3 stores when a PUT names no Content-Type [peer: moto FakeKey; S3 answers it on GET] [unconfirmed]. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

// ---------------------------------------------------------------------------------------------
// Errors, with S3's own messages [API ErrorResponses "List of error codes"]

export const s3Errors = {
  noSuchBucket: (bucket: string) => new AwsApiError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket }),
  noSuchKey: (key: string) => new AwsApiError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }),
  /** A bucket of another account, no bucket policy granting anything: the plain message (the detailed one is for same-account requests [UG troubleshoot-403-errors]). */
  accessDenied: () => new AwsApiError('AccessDenied', 'Access Denied', 403),
  preconditionFailed: (condition: string) =>
    new AwsApiError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition }),
  /** Not an error on the wire: a 304 with no body, the validators in headers (wire/s3.ts renders it). */
  notModified: (obj: S3Object) => new AwsApiError('NotModified', 'Not Modified', 304, { ETag: obj.etag, LastModified: String(obj.lastModified) }),
  notImplemented: (header: string) =>
    new AwsApiError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, { Header: header }),
  invalidArgument: (message: string, name: string, value: string) => new AwsApiError('InvalidArgument', message, 400, { ArgumentName: name, ArgumentValue: value }),
};

// ---------------------------------------------------------------------------------------------
// Buckets and keys

export const bucketArn = (name: string) => `arn:aws:s3:::${name}`;

/**
 * General purpose bucket names [UG bucketnamingrules]: 3-63 characters of lower-case letters,
 * digits, dots and hyphens, beginning and ending with a letter or digit, no two adjacent dots, not
 * an IP address, none of the reserved prefixes and suffixes.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'may hold only lower-case letters, digits, dots and hyphens, and must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not hold two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not be formatted as an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return 'must not begin with xn--, sthree- or amzn-s3-demo-';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return 'must not end with a reserved suffix';
  return undefined;
}

const bucketsOf = (world: World): S3Bucket[] => (world.buckets ??= []);

/** The caller's bucket: NoSuchBucket when there is none by that name, AccessDenied when another account owns it. */
export function ownBucket(ctx: CallContext, name: string): S3Bucket {
  const bucket = bucketsOf(ctx.world).find((b) => b.name === name);
  if (!bucket) throw s3Errors.noSuchBucket(name);
  if (bucket.ownerAccountId !== ctx.accountId) throw s3Errors.accessDenied();
  return bucket;
}

// Objects live as own properties, so a key such as `__proto__` or `constructor` is just a key.
export function objectOf(bucket: S3Bucket, key: string): S3Object | undefined {
  return Object.hasOwn(bucket.objects, key) ? bucket.objects[key] : undefined;
}

function storeObject(bucket: S3Bucket, key: string, obj: S3Object): void {
  Object.defineProperty(bucket.objects, key, { value: obj, enumerable: true, writable: true, configurable: true });
}

function checkKey(key: string): void {
  if (key === '') throw new AwsApiError('InvalidRequest', 'A key must be specified', 400);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new AwsApiError('KeyTooLongError', 'Your key is too long', 400, { Size: String(Buffer.byteLength(key)), MaxSizeAllowed: String(MAX_KEY_BYTES) });
}

/** The ETag of a single-part upload stored as plaintext or SSE-S3: the MD5 of the body, in quotes [API Object.ETag]. */
export function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/** S3 keeps whole seconds: Last-Modified and ListObjectsV2's LastModified (…T…:SS.000Z) carry no finer part. */
const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

/**
 * Whether an If-Match / If-None-Match value names this ETag. Quotes around either side don't
 * count ("S3 doesn't seem to care about quotes" [peer: moto s3/responses.py put_object]); a
 * comma-separated list matches when one member does (RFC 7232 §3.1); `*` matches any object.
 */
export function etagMatches(header: string, etag: string): boolean {
  const bare = (s: string) => s.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return header.split(',').some((v) => v.trim() === '*' || bare(v) === bare(etag));
}

/**
 * A key that isn't there: 404 NoSuchKey only for a caller allowed s3:ListBucket on the bucket,
 * else 403 AccessDenied ("If you don't have the s3:ListBucket permission, Amazon S3 returns an
 * HTTP status code 403 Access Denied error" [API GetObject, HeadObject]). An account without an
 * IAM policy in the twin is allowed everything.
 */
function missingKey(ctx: CallContext, bucket: S3Bucket, key: string): AwsApiError {
  const principal = ctx.principal;
  const sources = principal && policySourcesFor(ctx.world, principal.accountId, principal.entityArn);
  if (!principal || !sources) return s3Errors.noSuchKey(key);
  const requests = authorizationRequests('s3', 'ListObjectsV2', { Bucket: bucket.name }, { world: ctx.world, principal, region: ctx.region }) ?? [];
  const listable = requests.every((r) => evaluatePolicies(sources, r).decision === 'allowed');
  return listable ? s3Errors.noSuchKey(key) : s3Errors.accessDenied();
}

// ---------------------------------------------------------------------------------------------
// Buckets

export interface CreateBucketInput {
  bucket: string;
  /** CreateBucketConfiguration.LocationConstraint; absent: us-east-1. */
  locationConstraint?: string;
}

/**
 * CreateBucket. A name another account holds: BucketAlreadyExists 409; one the caller holds:
 * BucketAlreadyOwnedByYou 409, except in us-east-1 where "for legacy compatibility … Amazon S3
 * returns 200 OK" [API, model BucketAlreadyOwnedByYou]. No LocationConstraint means us-east-1; a
 * constraint other than the region the request was signed for is IllegalLocationConstraintException
 * [peer: boto/boto3#125, moto s3/responses.py] and naming us-east-1 explicitly is InvalidLocationConstraint [peer: moto].
 */
export function createBucket(ctx: CallContext, input: CreateBucketInput): S3Bucket {
  const problem = bucketNameProblem(input.bucket);
  if (problem) throw new AwsApiError('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: input.bucket });
  const region = input.locationConstraint ?? 'us-east-1';
  if (input.locationConstraint === 'us-east-1') throw new AwsApiError('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, { LocationConstraint: 'us-east-1' });
  if (region !== ctx.region) {
    const which = input.locationConstraint === undefined ? 'unspecified' : input.locationConstraint;
    throw new AwsApiError('IllegalLocationConstraintException', `The ${which} location constraint is incompatible for the region specific endpoint this request was sent to.`, 400);
  }
  const existing = bucketsOf(ctx.world).find((b) => b.name === input.bucket);
  if (existing) {
    if (existing.ownerAccountId !== ctx.accountId) {
      throw new AwsApiError('BucketAlreadyExists', 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', 409, { BucketName: input.bucket });
    }
    if (existing.region === 'us-east-1') return existing;
    throw new AwsApiError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: input.bucket });
  }
  const bucket: S3Bucket = { name: input.bucket, ownerAccountId: ctx.accountId, region, creationDate: wholeSecond(ctx.now), objects: {} };
  bucketsOf(ctx.world).push(bucket);
  return bucket;
}

/** HeadBucket: 200 for the owner, 403 for another account, 404 for no such bucket [API HeadBucket]. */
export function headBucket(ctx: CallContext, input: { bucket: string }): S3Bucket {
  return ownBucket(ctx, input.bucket);
}

/** ListBuckets: the caller's buckets, by name [API ListBuckets]. */
export function listBuckets(ctx: CallContext): S3Bucket[] {
  return bucketsOf(ctx.world)
    .filter((b) => b.ownerAccountId === ctx.accountId)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** DeleteBucket: only an empty bucket, else BucketNotEmpty 409 [API DeleteBucket; ErrorResponses]. */
export function deleteBucket(ctx: CallContext, input: { bucket: string }): void {
  const bucket = ownBucket(ctx, input.bucket);
  if (Object.keys(bucket.objects).length > 0) throw new AwsApiError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket.name });
  ctx.world.buckets = bucketsOf(ctx.world).filter((b) => b !== bucket);
}

// ---------------------------------------------------------------------------------------------
// Objects

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Buffer;
  contentType?: string;
  ifMatch?: string;
  ifNoneMatch?: string;
  /** A flexible checksum the wire has already verified (or could not: kept as sent). */
  checksum?: { algorithm: string; value: string };
}

/**
 * PutObject with the conditional writes [UG conditional-writes; API PutObject]:
 * - If-None-Match `*`: 412 PreconditionFailed when the key exists. Any other value: 501
 *   NotImplemented, as AWS answers it [peer: aws/aws-sdk-ruby#3144; the API says only "Expects
 *   the '*' (asterisk) character"]. With If-Match as well: 501 [peer: versitygw#1727] [unconfirmed].
 * - If-Match: 404 NoSuchKey when the key is missing [UG conditional-writes error table; peer:
 *   minio/minio#21526, ceph/s3-tests test_put_object_if_match], 412 on another ETag; `*` matches
 *   any existing object [peer: ceph/s3-tests].
 * The new object replaces the old at once: reads after a successful write see it (strong
 * read-after-write consistency since December 2020).
 */
export function putObject(ctx: CallContext, input: PutObjectInput): S3Object {
  const bucket = ownBucket(ctx, input.bucket);
  checkKey(input.key);
  const current = objectOf(bucket, input.key);
  if (input.ifNoneMatch !== undefined) {
    if (input.ifNoneMatch.trim() !== '*' || input.ifMatch !== undefined) throw s3Errors.notImplemented('If-None-Match');
    if (current) throw s3Errors.preconditionFailed('If-None-Match');
  }
  if (input.ifMatch !== undefined) {
    if (!current) throw s3Errors.noSuchKey(input.key);
    if (!etagMatches(input.ifMatch, current.etag)) throw s3Errors.preconditionFailed('If-Match');
  }
  const obj: S3Object = {
    body: Buffer.from(input.body),
    etag: etagOf(input.body),
    lastModified: wholeSecond(ctx.now),
    contentType: input.contentType ?? DEFAULT_CONTENT_TYPE,
    ...(input.checksum ? { checksum: input.checksum } : {}),
  };
  storeObject(bucket, input.key, obj);
  return obj;
}

export interface ReadObjectInput {
  bucket: string;
  key: string;
  ifMatch?: string;
  ifNoneMatch?: string;
  /** HTTP dates as sent; one that doesn't parse is ignored (RFC 7232 §3.3, §3.4). */
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

/**
 * GetObject / HeadObject with the conditional reads [UG conditional-requests; API GetObject,
 * HeadObject], in RFC 7232 §6 order: If-Match false → 412; else If-Unmodified-Since (only without
 * If-Match) false → 412; If-None-Match matching → 304 Not Modified; else If-Modified-Since (only
 * without If-None-Match) not modified → 304. A missing key stays a missing key whatever the
 * conditions (404, not 412) [peer: seaweedfs/seaweedfs#10984 on S3's observable behaviour].
 */
export function getObject(ctx: CallContext, input: ReadObjectInput): S3Object {
  const bucket = ownBucket(ctx, input.bucket);
  const obj = objectOf(bucket, input.key);
  if (!obj) throw missingKey(ctx, bucket, input.key);
  const date = (s: string | undefined) => (s === undefined ? NaN : Date.parse(s));
  if (input.ifMatch !== undefined) {
    if (!etagMatches(input.ifMatch, obj.etag)) throw s3Errors.preconditionFailed('If-Match');
  } else if (obj.lastModified > date(input.ifUnmodifiedSince)) {
    throw s3Errors.preconditionFailed('If-Unmodified-Since');
  }
  if (input.ifNoneMatch !== undefined) {
    if (etagMatches(input.ifNoneMatch, obj.etag)) throw s3Errors.notModified(obj);
  } else if (obj.lastModified <= date(input.ifModifiedSince)) {
    throw s3Errors.notModified(obj);
  }
  return obj;
}

/** HeadObject: GetObject without the body [API HeadObject]. */
export const headObject = getObject;

export interface DeleteObjectInput {
  bucket: string;
  key: string;
  ifMatch?: string;
}

/**
 * DeleteObject: 204 whether or not the key was there [API DeleteObject]. With If-Match (general
 * purpose buckets since September 2025 [UG conditional-deletes]): 412 on another ETag, 404
 * NoSuchKey when the key is missing, `*` included — measured on S3 [peer: ministackorg/ministack#1475,
 * eu-west-1]; the model's older text ("if the object doesn't exist … 204") was for directory buckets.
 */
export function deleteObject(ctx: CallContext, input: DeleteObjectInput): void {
  const bucket = ownBucket(ctx, input.bucket);
  const current = objectOf(bucket, input.key);
  if (input.ifMatch !== undefined) {
    if (!current) throw s3Errors.noSuchKey(input.key);
    if (!etagMatches(input.ifMatch, current.etag)) throw s3Errors.preconditionFailed('If-Match');
  }
  if (current) delete bucket.objects[input.key];
}

// ---------------------------------------------------------------------------------------------
// ListObjectsV2

export interface ListObjectsV2Input {
  bucket: string;
  prefix?: string;
  delimiter?: string;
  /** As sent (a string on the wire); absent: 1,000. */
  maxKeys?: string;
  continuationToken?: string;
  startAfter?: string;
}

export interface ListObjectsV2Output {
  name: string;
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  keyCount: number;
  isTruncated: boolean;
  contents: { key: string; object: S3Object }[];
  commonPrefixes: string[];
  continuationToken?: string;
  nextContinuationToken?: string;
  startAfter?: string;
}

/** S3 lists keys "in UTF-8 binary order" [API ListObjectsV2]; JavaScript compares UTF-16 units. */
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

// The token is opaque to clients [API ContinuationToken]: here the last entry returned, and
// whether it was a common prefix (whose keys the next page must skip).
function encodeToken(after: string, isPrefix: boolean): string {
  return Buffer.from(JSON.stringify(isPrefix ? { a: after, p: 1 } : { a: after })).toString('base64');
}

function decodeToken(token: string): { after: string; isPrefix: boolean } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { a?: unknown; p?: unknown };
    if (typeof v.a === 'string') return { after: v.a, isPrefix: v.p === 1 };
  } catch {
    // fall through
  }
  throw s3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
}

/**
 * ListObjectsV2 [API ListObjectsV2]: keys under Prefix in UTF-8 binary order, rolled up to
 * CommonPrefixes at the first Delimiter after the prefix, at most MaxKeys (≤ 1,000) entries a
 * page counting both; KeyCount is what the page holds; IsTruncated with a NextContinuationToken
 * when more remain; StartAfter applies when no ContinuationToken is given. MaxKeys 0 returns an
 * empty page, not truncated [unconfirmed].
 */
export function listObjectsV2(ctx: CallContext, input: ListObjectsV2Input): ListObjectsV2Output {
  const bucket = ownBucket(ctx, input.bucket);
  let maxKeys = MAX_KEYS;
  if (input.maxKeys !== undefined) {
    if (!/^\d+$/.test(input.maxKeys) || Number(input.maxKeys) > 2 ** 31 - 1) {
      throw s3Errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', input.maxKeys);
    }
    maxKeys = Number(input.maxKeys);
  }
  const prefix = input.prefix ?? '';
  const delimiter = input.delimiter || undefined;
  const marker = input.continuationToken !== undefined ? decodeToken(input.continuationToken) : input.startAfter ? { after: input.startAfter, isPrefix: false } : undefined;
  const keys = Object.keys(bucket.objects)
    .filter((k) => k.startsWith(prefix))
    .filter((k) => !marker || (utf8Order(k, marker.after) > 0 && !(marker.isPrefix && k.startsWith(marker.after))))
    .sort(utf8Order);

  const page = Math.min(maxKeys, MAX_KEYS);
  const contents: ListObjectsV2Output['contents'] = [];
  const commonPrefixes: string[] = [];
  let last: { after: string; isPrefix: boolean } | undefined;
  let isTruncated = false;
  for (const key of keys) {
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const rolled = cut >= 0 ? key.slice(0, cut + delimiter!.length) : undefined;
    if (rolled !== undefined && commonPrefixes.at(-1) === rolled) continue;
    if (contents.length + commonPrefixes.length >= page) {
      isTruncated = page > 0;
      break;
    }
    if (rolled !== undefined) {
      commonPrefixes.push(rolled);
      last = { after: rolled, isPrefix: true };
    } else {
      contents.push({ key, object: bucket.objects[key]! });
      last = { after: key, isPrefix: false };
    }
  }
  return {
    name: bucket.name,
    prefix,
    ...(delimiter ? { delimiter } : {}),
    maxKeys,
    keyCount: contents.length + commonPrefixes.length,
    isTruncated,
    contents,
    commonPrefixes,
    ...(input.continuationToken !== undefined ? { continuationToken: input.continuationToken } : {}),
    ...(isTruncated && last ? { nextContinuationToken: encodeToken(last.after, last.isPrefix) } : {}),
    ...(input.startAfter !== undefined ? { startAfter: input.startAfter } : {}),
  };
}
