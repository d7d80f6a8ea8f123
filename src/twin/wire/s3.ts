// Amazon S3's REST-XML face (botocore model s3-2006-03-01, signing name `s3`), path-style
// (`/bucket/key`): what the SDKs send to an IP endpoint such as the twin's (the S3 endpoint
// ruleset's isIp rule forces path-style; @aws-sdk/client-s3 and the AWS CLI both do). Routes by
// method, path and the query's subresource; object members travel in headers and the body is the
// object. Errors are S3's bare <Error> document (no namespace, no ErrorResponse wrapper, the
// request id inside), except that a HEAD's error has no body [API ErrorResponses; RFC 7231 §4.3.2].
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AwsApiError } from '../errors.js';
import * as ops from '../ops/s3.js';
import type { CallContext, RawRequest, RawResponse, ServiceFrontEnd } from '../protocol.js';
import type { S3Bucket, S3Object } from '../world.js';
import { parseXml, xmlChildren, xmlDocument, type XmlNode } from './xml.js';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

type Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'ListObjectsV2'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject';

const MUTATING = new Set<string>(['CreateBucket', 'DeleteBucket', 'PutObject', 'DeleteObject']);

/** Query members each operation reads; any other query parameter is a subresource (?acl, ?tagging, ?uploads …) the twin does not serve. */
const QUERY: Record<Operation, string[]> = {
  ListBuckets: ['max-buckets', 'continuation-token', 'prefix', 'bucket-region'],
  CreateBucket: [],
  HeadBucket: [],
  DeleteBucket: [],
  ListObjectsV2: ['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'fetch-owner', 'encoding-type'],
  PutObject: [],
  GetObject: [],
  HeadObject: [],
  DeleteObject: [],
};

interface Target {
  operation: Operation;
  bucket: string;
  key: string;
}

function decode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Method + path + query → the operation and its bucket and key (percent-decoded). */
function target(req: RawRequest): Target | undefined {
  const method = req.method.toUpperCase();
  const rest = req.path.replace(/^\//, '');
  const slash = rest.indexOf('/');
  const bucket = decode(slash < 0 ? rest : rest.slice(0, slash));
  const key = decode(slash < 0 ? '' : rest.slice(slash + 1));
  if (bucket === undefined || key === undefined) return undefined;
  let operation: Operation | undefined;
  if (bucket === '') operation = method === 'GET' ? 'ListBuckets' : undefined;
  else if (key === '') {
    if (method === 'PUT') operation = 'CreateBucket';
    else if (method === 'HEAD') operation = 'HeadBucket';
    else if (method === 'DELETE') operation = 'DeleteBucket';
    else if (method === 'GET' && req.query.get('list-type') === '2') operation = 'ListObjectsV2';
  } else if (method === 'PUT') {
    // CopyObject and UploadPart are PUTs on a key too; the twin serves neither.
    if (req.headers['x-amz-copy-source'] === undefined) operation = 'PutObject';
  } else if (method === 'GET') operation = 'GetObject';
  else if (method === 'HEAD') operation = 'HeadObject';
  else if (method === 'DELETE') operation = 'DeleteObject';
  if (!operation) return undefined;
  // The SDK adds x-id=<Operation> to some requests; it names, it doesn't select.
  const allowed = new Set([...QUERY[operation], 'x-id']);
  for (const name of req.query.keys()) if (!allowed.has(name)) return undefined;
  return { operation, bucket, key };
}

const header = (req: RawRequest, name: string): string | undefined => req.headers[name];
const httpDate = (ms: number) => new Date(ms).toUTCString();
const isoDate = (ms: number) => new Date(ms).toISOString();

/** S3's extended request id (x-amz-id-2, HostId in errors): opaque; derived from the request id. */
const hostId = (requestId: string) => createHash('sha256').update(requestId).digest('base64');

function baseHeaders(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId) };
}

function xmlResponse(root: string, body: XmlNode, requestId: string): RawResponse {
  return { status: 200, headers: { ...baseHeaders(requestId), 'content-type': 'application/xml' }, body: xmlDocument(root, S3_NS, body) };
}

/** What GET and HEAD answer about an object (new objects are SSE-S3 encrypted by default since January 2023 [UG default-encryption-faq] [unconfirmed: not re-read]). */
function objectHeaders(obj: S3Object, requestId: string): Record<string, string> {
  return {
    ...baseHeaders(requestId),
    'content-type': obj.contentType,
    etag: obj.etag,
    'last-modified': httpDate(obj.lastModified),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  };
}

// ---------------------------------------------------------------------------------------------
// Integrity of a PutObject body: Content-MD5 and the flexible checksums

/** x-amz-checksum-<algorithm> → how to compute it; null: accepted as sent (no implementation here). */
const CHECKSUMS: Record<string, ((body: Buffer) => string) | null> = {
  crc32: (body) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(crc32(body) >>> 0);
    return b.toString('base64');
  },
  sha1: (body) => createHash('sha1').update(body).digest('base64'),
  sha256: (body) => createHash('sha256').update(body).digest('base64'),
  crc32c: null,
  crc64nvme: null,
};

/**
 * Verifies Content-MD5 (InvalidDigest when it is not a base64 MD5, BadDigest when it differs) and
 * the flexible checksum the SDKs send by default (x-amz-checksum-crc32 with
 * x-amz-sdk-checksum-algorithm: BadDigest when it differs) [API ErrorResponses; UG
 * checking-object-integrity]. Returns the checksum to keep with the object.
 */
function verifyIntegrity(req: RawRequest): { algorithm: string; value: string } | undefined {
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined) {
    const digest = Buffer.from(md5, 'base64');
    if (digest.length !== 16 || digest.toString('base64') !== md5.trim()) throw new AwsApiError('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, { 'Content-MD5': md5 });
    if (!digest.equals(createHash('md5').update(req.body).digest())) throw new AwsApiError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  }
  let kept: { algorithm: string; value: string } | undefined;
  for (const [algorithm, compute] of Object.entries(CHECKSUMS)) {
    const value = header(req, `x-amz-checksum-${algorithm}`);
    if (value === undefined) continue;
    if (compute && compute(req.body) !== value.trim()) {
      throw new AwsApiError('BadDigest', `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`, 400);
    }
    kept = { algorithm, value: value.trim() };
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------
// Operations

type Handler = (t: Target, req: RawRequest, ctx: CallContext) => RawResponse;

/** ListObjectsV2 with encoding-type=url (the AWS CLI asks for it) percent-encodes keys and prefixes; botocore decodes them [API ListObjectsV2 EncodingType]. */
function encoder(req: RawRequest): (s: string) => string {
  return req.query.get('encoding-type') === 'url' ? (s) => encodeURIComponent(s).replace(/%2F/g, '/') : (s) => s;
}

/** CreateBucketConfiguration.LocationConstraint from the body (none: us-east-1); MalformedXML for a body that isn't one [API CreateBucket]. */
function createBucketConstraint(req: RawRequest): string | undefined {
  const text = req.body.toString('utf8');
  if (text.trim() === '') return undefined;
  let config: unknown;
  try {
    config = parseXml(text).CreateBucketConfiguration;
  } catch {
    config = undefined;
  }
  if (config === undefined) throw new AwsApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  const constraint = typeof config === 'object' && config !== null ? (config as { LocationConstraint?: unknown }).LocationConstraint : undefined;
  return typeof constraint === 'string' && constraint !== '' ? constraint : undefined;
}

const HANDLERS: Record<Operation, Handler> = {
  ListBuckets(_t, _req, ctx) {
    const buckets = ops.listBuckets(ctx);
    return xmlResponse(
      'ListAllMyBucketsResult',
      {
        Buckets: { Bucket: buckets.map((b: S3Bucket) => ({ Name: b.name, CreationDate: isoDate(b.creationDate), BucketRegion: b.region })) },
        Owner: { ID: ctx.accountId },
      },
      ctx.requestId,
    );
  },

  CreateBucket(t, req, ctx) {
    const bucket = ops.createBucket(ctx, { bucket: t.bucket, locationConstraint: createBucketConstraint(req) });
    return { status: 200, headers: { ...baseHeaders(ctx.requestId), location: `/${bucket.name}` }, body: '' };
  },

  HeadBucket(t, _req, ctx) {
    const bucket = ops.headBucket(ctx, { bucket: t.bucket });
    return { status: 200, headers: { ...baseHeaders(ctx.requestId), 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' }, body: '' };
  },

  DeleteBucket(t, _req, ctx) {
    ops.deleteBucket(ctx, { bucket: t.bucket });
    return { status: 204, headers: baseHeaders(ctx.requestId), body: '' };
  },

  ListObjectsV2(t, req, ctx) {
    const q = (name: string) => req.query.get(name) ?? undefined;
    const out = ops.listObjectsV2(ctx, {
      bucket: t.bucket,
      prefix: q('prefix'),
      delimiter: q('delimiter'),
      maxKeys: q('max-keys'),
      continuationToken: q('continuation-token'),
      startAfter: q('start-after'),
    });
    const enc = encoder(req);
    const owner = q('fetch-owner') === 'true' ? { ID: ctx.accountId } : undefined;
    return xmlResponse(
      'ListBucketResult',
      {
        Name: out.name,
        Prefix: enc(out.prefix),
        ContinuationToken: out.continuationToken,
        NextContinuationToken: out.nextContinuationToken,
        StartAfter: out.startAfter === undefined ? undefined : enc(out.startAfter),
        KeyCount: out.keyCount,
        MaxKeys: out.maxKeys,
        Delimiter: out.delimiter === undefined ? undefined : enc(out.delimiter),
        EncodingType: q('encoding-type'),
        IsTruncated: out.isTruncated,
        Contents: out.contents.map(({ key, object }) => ({
          Key: enc(key),
          LastModified: isoDate(object.lastModified),
          ETag: object.etag,
          Size: object.body.length,
          Owner: owner,
          StorageClass: 'STANDARD',
        })),
        CommonPrefixes: out.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
      },
      ctx.requestId,
    );
  },

  PutObject(t, req, ctx) {
    const checksum = verifyIntegrity(req);
    const obj = ops.putObject(ctx, {
      bucket: t.bucket,
      key: t.key,
      body: req.body,
      contentType: header(req, 'content-type'),
      ifMatch: header(req, 'if-match'),
      ifNoneMatch: header(req, 'if-none-match'),
      checksum,
    });
    const headers: Record<string, string> = { ...baseHeaders(ctx.requestId), etag: obj.etag, 'x-amz-server-side-encryption': 'AES256' };
    if (checksum) headers[`x-amz-checksum-${checksum.algorithm}`] = checksum.value;
    return { status: 200, headers, body: '' };
  },

  GetObject(t, req, ctx) {
    const obj = ops.getObject(ctx, readInput(t, req));
    return { status: 200, headers: objectHeaders(obj, ctx.requestId), body: '', bytes: obj.body };
  },

  HeadObject(t, req, ctx) {
    const obj = ops.headObject(ctx, readInput(t, req));
    // The object's length, though no body follows (RFC 7231 §4.3.2).
    return { status: 200, headers: { ...objectHeaders(obj, ctx.requestId), 'content-length': String(obj.body.length) }, body: '' };
  },

  DeleteObject(t, req, ctx) {
    ops.deleteObject(ctx, { bucket: t.bucket, key: t.key, ifMatch: header(req, 'if-match') });
    return { status: 204, headers: baseHeaders(ctx.requestId), body: '' };
  },
};

function readInput(t: Target, req: RawRequest): ops.ReadObjectInput {
  return {
    bucket: t.bucket,
    key: t.key,
    ifMatch: header(req, 'if-match'),
    ifNoneMatch: header(req, 'if-none-match'),
    ifModifiedSince: header(req, 'if-modified-since'),
    ifUnmodifiedSince: header(req, 'if-unmodified-since'),
  };
}

export const s3FrontEnd: ServiceFrontEnd = {
  service: 's3',

  operationOf(req) {
    return target(req)?.operation;
  },

  isMutating(operation) {
    return MUTATING.has(operation);
  },

  /** Bucket and Key from the path, the conditional headers (IAM: s3:if-match / s3:if-none-match). Never throws. */
  members(_operation, req) {
    const t = target(req);
    return {
      ...(t ? { Bucket: t.bucket, ...(t.key !== '' ? { Key: t.key } : {}) } : {}),
      ...(req.headers['if-match'] !== undefined ? { IfMatch: req.headers['if-match'] } : {}),
      ...(req.headers['if-none-match'] !== undefined ? { IfNoneMatch: req.headers['if-none-match'] } : {}),
    };
  },

  /** S3 rate-limits per partitioned prefix, not per caller: the twin's partition is the bucket. */
  partition(req) {
    const t = target(req);
    return t && t.bucket !== '' ? `s3:${t.bucket}` : undefined;
  },

  handle(operation, req, ctx) {
    const t = target(req);
    if (!t || t.operation !== operation) throw new AwsApiError('NotImplemented', `${req.method} ${req.path} does not match ${operation}`, 501);
    return HANDLERS[t.operation](t, req, ctx);
  },

  renderError(err, requestId, req) {
    const headers: Record<string, string> = baseHeaders(requestId);
    // 304 Not Modified: no body, the validators in headers (RFC 7232 §4.1).
    if (err.httpStatus === 304) {
      return { status: 304, headers: { ...headers, etag: err.extra.ETag ?? '', 'last-modified': httpDate(Number(err.extra.LastModified)) }, body: '' };
    }
    if (req?.method.toUpperCase() === 'HEAD') return { status: err.httpStatus, headers, body: '' };
    const fields = { Code: err.code, Message: err.message, ...err.extra, RequestId: requestId, HostId: hostId(requestId) };
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${xmlChildren(fields)}</Error>`;
    return { status: err.httpStatus, headers: { ...headers, 'content-type': 'application/xml' }, body };
  },
};
