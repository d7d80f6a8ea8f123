// Amazon S3, unit level: ops/s3.ts on a hand-built World, the S3 rows of the IAM table, the S3
// rate limits and the `after` error fault's validation. Each test is named after the documented
// fact it encodes (docs/aws-facts.md "S3 (state backend)"): [API] the S3 API reference / botocore
// model, [UG] the S3 User Guide, [peer] a reproduction against AWS named in the test.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import { parseFault } from '../../src/twin/faults.js';
import type { PolicyDocument } from '../../src/twin/iam.js';
import { authorizationRequests } from '../../src/twin/iam-actions.js';
import { userPrincipal } from '../../src/twin/iam-authz.js';
import * as s3 from '../../src/twin/ops/s3.js';
import type { CallContext } from '../../src/twin/protocol.js';
import { AWS_RATE_LIMITS, RateLimiter } from '../../src/twin/ratelimit.js';
import { emptyWorld, type World } from '../../src/twin/world.js';
import { errorOf } from '../support/twin.js';

const A = '111111111111';
const B = '222222222222';
const BUCKET = 'state-bucket';

interface Fixture {
  world: World;
  clock: ManualClock;
  ctx(account?: string, opts?: { region?: string; withPrincipal?: boolean }): CallContext;
}

function fixture(): Fixture {
  const world = emptyWorld('us-east-1', 's3-ops');
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0, 250));
  world.accounts.push(
    { id: A, name: 'shared-services', accessKeyId: 'AKIAS3OPSTEST0000001', secretAccessKey: 'secret-a' },
    { id: B, name: 'spokes-1', accessKeyId: 'AKIAS3OPSTEST0000002', secretAccessKey: 'secret-b' },
  );
  let seq = 0;
  const f: Fixture = {
    world,
    clock,
    ctx: (account = A, opts = {}) => ({
      world,
      now: clock.now(),
      accountId: account,
      region: opts.region ?? 'us-east-1',
      requestId: `req-${++seq}`,
      delayFactor: 1,
      takeFault: () => false,
      ...(opts.withPrincipal ? { principal: userPrincipal(account) } : {}),
    }),
  };
  s3.createBucket(f.ctx(A), { bucket: BUCKET });
  return f;
}

const put = (f: Fixture, key: string, body: string, opts: Partial<s3.PutObjectInput> = {}, account = A) =>
  s3.putObject(f.ctx(account), { bucket: BUCKET, key, body: Buffer.from(body), ...opts });
const get = (f: Fixture, key: string, opts: Partial<s3.ReadObjectInput> = {}, account = A) => s3.getObject(f.ctx(account), { bucket: BUCKET, key, ...opts });
const failure = (fn: () => unknown) => {
  const e = errorOf(fn);
  return { code: e.code, status: e.httpStatus, extra: e.extra };
};

describe('S3 ops: buckets', () => {
  it('CreateBucket: a name another account holds is BucketAlreadyExists 409 (the namespace is shared by all users) [API CreateBucket, model BucketAlreadyExists]', () => {
    const f = fixture();
    expect(failure(() => s3.createBucket(f.ctx(B), { bucket: BUCKET }))).toMatchObject({ code: 'BucketAlreadyExists', status: 409, extra: { BucketName: BUCKET } });
  });

  it('CreateBucket again by its owner: 200 OK in us-east-1 ("for legacy compatibility"), BucketAlreadyOwnedByYou 409 in every other region [model BucketAlreadyOwnedByYou]', () => {
    const f = fixture();
    expect(s3.createBucket(f.ctx(A), { bucket: BUCKET }).name).toBe(BUCKET);
    expect(f.world.buckets!.filter((b) => b.name === BUCKET)).toHaveLength(1);
    s3.createBucket(f.ctx(A, { region: 'eu-west-1' }), { bucket: 'eu-bucket', locationConstraint: 'eu-west-1' });
    expect(failure(() => s3.createBucket(f.ctx(A, { region: 'eu-west-1' }), { bucket: 'eu-bucket', locationConstraint: 'eu-west-1' }))).toMatchObject({ code: 'BucketAlreadyOwnedByYou', status: 409 });
  });

  it('CreateBucket: no LocationConstraint means us-east-1; one other than the signing region is IllegalLocationConstraintException [API CreateBucket; peer: moto]', () => {
    const f = fixture();
    expect(s3.createBucket(f.ctx(A), { bucket: 'plain' }).region).toBe('us-east-1');
    expect(failure(() => s3.createBucket(f.ctx(A, { region: 'eu-west-1' }), { bucket: 'nowhere' })).code).toBe('IllegalLocationConstraintException');
    expect(failure(() => s3.createBucket(f.ctx(A), { bucket: 'elsewhere', locationConstraint: 'eu-west-1' })).code).toBe('IllegalLocationConstraintException');
  });

  it('bucket names: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit, not an IP address → else InvalidBucketName 400 [UG bucketnamingrules]', () => {
    const f = fixture();
    for (const bad of ['ab', 'Upper-case', '-leading', 'trailing-', 'two..dots', '192.168.5.4', 'x'.repeat(64), 'xn--punycode', 'my-bucket-s3alias']) {
      expect(failure(() => s3.createBucket(f.ctx(A), { bucket: bad })), bad).toMatchObject({ code: 'InvalidBucketName', status: 400 });
    }
    expect(s3.bucketNameProblem(`r53migrate-state-${A}`)).toBeUndefined();
  });

  it('only the owner account uses a bucket: another account gets 403 AccessDenied on every operation; no such bucket is 404 NoSuchBucket [API ErrorResponses]', () => {
    const f = fixture();
    put(f, 'k', 'v');
    const other = f.ctx(B);
    const denied = [
      () => s3.headBucket(other, { bucket: BUCKET }),
      () => s3.putObject(other, { bucket: BUCKET, key: 'k', body: Buffer.from('x') }),
      () => s3.getObject(other, { bucket: BUCKET, key: 'k' }),
      () => s3.deleteObject(other, { bucket: BUCKET, key: 'k' }),
      () => s3.listObjectsV2(other, { bucket: BUCKET }),
      () => s3.deleteBucket(other, { bucket: BUCKET }),
    ];
    for (const fn of denied) expect(failure(fn)).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(failure(() => s3.getObject(f.ctx(A), { bucket: 'no-such-bucket', key: 'k' }))).toMatchObject({ code: 'NoSuchBucket', status: 404, extra: { BucketName: 'no-such-bucket' } });
    expect(s3.listBuckets(other)).toEqual([]);
    expect(s3.listBuckets(f.ctx(A)).map((b) => b.name)).toEqual([BUCKET]);
  });

  it('DeleteBucket: a bucket with objects is BucketNotEmpty 409; an empty one goes [API DeleteBucket]', () => {
    const f = fixture();
    put(f, 'k', 'v');
    expect(failure(() => s3.deleteBucket(f.ctx(A), { bucket: BUCKET }))).toMatchObject({ code: 'BucketNotEmpty', status: 409 });
    s3.deleteObject(f.ctx(A), { bucket: BUCKET, key: 'k' });
    s3.deleteBucket(f.ctx(A), { bucket: BUCKET });
    expect(f.world.buckets).toEqual([]);
  });
});

describe('S3 ops: objects and strong consistency', () => {
  it('PutObject: the ETag of a single-part, non-KMS upload is the MD5 of the body in quotes [API Object.ETag]; Last-Modified has whole seconds', () => {
    const f = fixture();
    const obj = put(f, 'state/run.json', '{"v":1}', { contentType: 'application/json' });
    expect(obj.etag).toBe(`"${createHash('md5').update('{"v":1}').digest('hex')}"`);
    expect(obj.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(obj.lastModified).toBe(Date.UTC(2026, 0, 1, 12, 0, 0));
    expect(obj.contentType).toBe('application/json');
    expect(put(f, 'no-type', 'x').contentType).toBe(s3.DEFAULT_CONTENT_TYPE);
  });

  it('strong read-after-write consistency: a read after a successful PUT, overwrite or DELETE sees it at once (S3 since December 2020) [UG Welcome "Amazon S3 data consistency model"]', () => {
    const f = fixture();
    put(f, 'k', 'one');
    expect(get(f, 'k').body.toString()).toBe('one');
    put(f, 'k', 'two');
    expect(get(f, 'k').body.toString()).toBe('two');
    expect(s3.listObjectsV2(f.ctx(A), { bucket: BUCKET }).contents.map((c) => c.key)).toEqual(['k']);
    s3.deleteObject(f.ctx(A), { bucket: BUCKET, key: 'k' });
    expect(failure(() => get(f, 'k'))).toMatchObject({ code: 'NoSuchKey', status: 404, extra: { Key: 'k' } });
    expect(s3.listObjectsV2(f.ctx(A), { bucket: BUCKET }).keyCount).toBe(0);
  });

  it('keys are any UTF-8 up to 1,024 bytes (longer: KeyTooLongError) and `__proto__` is an ordinary key [UG object-keys]', () => {
    const f = fixture();
    put(f, '__proto__', 'p');
    put(f, 'constructor', 'c');
    expect(get(f, '__proto__').body.toString()).toBe('p');
    expect(s3.listObjectsV2(f.ctx(A), { bucket: BUCKET }).contents.map((c) => c.key)).toEqual(['__proto__', 'constructor']);
    expect(failure(() => put(f, 'é'.repeat(513), 'x')).code).toBe('KeyTooLongError');
    expect(put(f, 'é'.repeat(512), 'x').etag).toMatch(/^"[0-9a-f]{32}"$/);
  });
});

describe('S3 ops: conditional writes [UG conditional-writes]', () => {
  it('PutObject with If-None-Match: * on an existing key fails 412 PreconditionFailed and leaves the object as it was (S3 UG conditional-writes)', () => {
    const f = fixture();
    const first = put(f, 'lock', 'holder-1', { ifNoneMatch: '*' });
    expect(failure(() => put(f, 'lock', 'holder-2', { ifNoneMatch: '*' }))).toMatchObject({ code: 'PreconditionFailed', status: 412, extra: { Condition: 'If-None-Match' } });
    expect(get(f, 'lock').etag).toBe(first.etag);
    expect(get(f, 'lock').body.toString()).toBe('holder-1');
  });

  it('PutObject with If-None-Match other than * is 501 NotImplemented ("Expects the \'*\' character" [API PutObject]; AWS answers NotImplemented [peer: aws/aws-sdk-ruby#3144])', () => {
    const f = fixture();
    const obj = put(f, 'k', 'v');
    expect(failure(() => put(f, 'k', 'w', { ifNoneMatch: obj.etag }))).toMatchObject({ code: 'NotImplemented', status: 501, extra: { Header: 'If-None-Match' } });
    expect(failure(() => put(f, 'new', 'w', { ifNoneMatch: '"abc"' })).code).toBe('NotImplemented');
  });

  it('PutObject with If-Match on another ETag fails 412 PreconditionFailed; on the current ETag it replaces the object (S3 UG conditional-writes, launched Nov 25 2024)', () => {
    const f = fixture();
    const v1 = put(f, 'state', 'v1');
    expect(failure(() => put(f, 'state', 'v2', { ifMatch: '"0123456789abcdef0123456789abcdef"' }))).toMatchObject({ code: 'PreconditionFailed', status: 412, extra: { Condition: 'If-Match' } });
    const v2 = put(f, 'state', 'v2', { ifMatch: v1.etag });
    expect(get(f, 'state').etag).toBe(v2.etag);
    // A stale writer holding v1's ETag now loses.
    expect(failure(() => put(f, 'state', 'v3', { ifMatch: v1.etag })).code).toBe('PreconditionFailed');
  });

  it('PutObject with If-Match on a missing key fails 404 NoSuchKey, not 412 (S3 UG conditional-writes error table; peer: minio/minio#21526)', () => {
    const f = fixture();
    expect(failure(() => put(f, 'missing', 'v', { ifMatch: '"0123456789abcdef0123456789abcdef"' }))).toMatchObject({ code: 'NoSuchKey', status: 404, extra: { Key: 'missing' } });
    expect(failure(() => put(f, 'missing', 'v', { ifMatch: '*' })).code).toBe('NoSuchKey');
  });

  it('ETag comparison ignores the surrounding quotes: If-Match with the bare hex matches [peer: moto put_object "S3 doesn\'t seem to care about quotes"]; If-Match * matches any existing object [peer: ceph/s3-tests]', () => {
    const f = fixture();
    const v1 = put(f, 'k', 'v1');
    const v2 = put(f, 'k', 'v2', { ifMatch: v1.etag.replace(/"/g, '') });
    expect(put(f, 'k', 'v3', { ifMatch: '*' }).etag).not.toBe(v2.etag);
    expect(s3.etagMatches(`W/${v1.etag}`, v1.etag)).toBe(true);
    expect(s3.etagMatches(`"nope", ${v1.etag}`, v1.etag)).toBe(true);
  });
});

describe('S3 ops: conditional reads [UG conditional-requests; API GetObject, HeadObject]', () => {
  it('GetObject/HeadObject with If-Match on another ETag fail 412 PreconditionFailed; If-None-Match naming the ETag is 304 Not Modified', () => {
    const f = fixture();
    const obj = put(f, 'k', 'v');
    expect(failure(() => get(f, 'k', { ifMatch: '"0123456789abcdef0123456789abcdef"' }))).toMatchObject({ code: 'PreconditionFailed', status: 412, extra: { Condition: 'If-Match' } });
    expect(failure(() => s3.headObject(f.ctx(A), { bucket: BUCKET, key: 'k', ifNoneMatch: obj.etag }))).toMatchObject({ code: 'NotModified', status: 304 });
    expect(get(f, 'k', { ifMatch: obj.etag, ifNoneMatch: '"0123456789abcdef0123456789abcdef"' }).body.toString()).toBe('v');
  });

  it('If-Match true with If-Unmodified-Since false returns 200; If-None-Match false (a match) with If-Modified-Since true returns 304 [API GetObject IfMatch, IfNoneMatch]', () => {
    const f = fixture();
    const obj = put(f, 'k', 'v');
    const before = new Date(obj.lastModified - 60_000).toUTCString();
    const after = new Date(obj.lastModified + 60_000).toUTCString();
    expect(get(f, 'k', { ifMatch: obj.etag, ifUnmodifiedSince: before }).body.toString()).toBe('v');
    expect(failure(() => get(f, 'k', { ifUnmodifiedSince: before })).code).toBe('PreconditionFailed');
    expect(failure(() => get(f, 'k', { ifNoneMatch: obj.etag, ifModifiedSince: before })).status).toBe(304);
    expect(failure(() => get(f, 'k', { ifModifiedSince: after })).status).toBe(304);
    expect(get(f, 'k', { ifModifiedSince: before }).body.toString()).toBe('v');
  });

  it('a conditional read of a missing key is 404 NoSuchKey, not 412 [peer: seaweedfs/seaweedfs#10984 on S3\'s observable behaviour]', () => {
    const f = fixture();
    expect(failure(() => get(f, 'missing', { ifMatch: '"0123456789abcdef0123456789abcdef"' }))).toMatchObject({ code: 'NoSuchKey', status: 404 });
  });

  it('a missing key is 403 AccessDenied for a caller without s3:ListBucket on the bucket, 404 NoSuchKey with it [API GetObject, HeadObject permissions]', () => {
    const f = fixture();
    const allow = (actions: string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: ['*'] }] });
    f.world.iamPolicies = { [A]: allow(['s3:GetObject']) };
    expect(failure(() => s3.getObject(f.ctx(A, { withPrincipal: true }), { bucket: BUCKET, key: 'missing' }))).toMatchObject({ code: 'AccessDenied', status: 403 });
    f.world.iamPolicies = { [A]: allow(['s3:GetObject', 's3:ListBucket']) };
    expect(failure(() => s3.getObject(f.ctx(A, { withPrincipal: true }), { bucket: BUCKET, key: 'missing' }))).toMatchObject({ code: 'NoSuchKey', status: 404 });
  });
});

describe('S3 ops: conditional deletes [UG conditional-deletes]', () => {
  it('DeleteObject without a condition answers 204 whether or not the key exists [API DeleteObject]', () => {
    const f = fixture();
    expect(() => s3.deleteObject(f.ctx(A), { bucket: BUCKET, key: 'never-written' })).not.toThrow();
  });

  it('DeleteObject with If-Match on another ETag fails 412 PreconditionFailed and keeps the object; on the current ETag or * it deletes (general purpose buckets since Sep 2025)', () => {
    const f = fixture();
    const obj = put(f, 'lock', 'me');
    expect(failure(() => s3.deleteObject(f.ctx(A), { bucket: BUCKET, key: 'lock', ifMatch: '"0123456789abcdef0123456789abcdef"' }))).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect(get(f, 'lock').etag).toBe(obj.etag);
    s3.deleteObject(f.ctx(A), { bucket: BUCKET, key: 'lock', ifMatch: obj.etag });
    expect(failure(() => get(f, 'lock')).code).toBe('NoSuchKey');
    put(f, 'lock', 'again');
    s3.deleteObject(f.ctx(A), { bucket: BUCKET, key: 'lock', ifMatch: '*' });
    expect(failure(() => get(f, 'lock')).code).toBe('NoSuchKey');
  });

  it('DeleteObject with If-Match on a missing key fails 404 NoSuchKey, * included (measured on S3 [peer: ministackorg/ministack#1475])', () => {
    const f = fixture();
    expect(failure(() => s3.deleteObject(f.ctx(A), { bucket: BUCKET, key: 'gone', ifMatch: '"0123456789abcdef0123456789abcdef"' }))).toMatchObject({ code: 'NoSuchKey', status: 404, extra: { Key: 'gone' } });
    expect(failure(() => s3.deleteObject(f.ctx(A), { bucket: BUCKET, key: 'gone', ifMatch: '*' })).code).toBe('NoSuchKey');
  });
});

describe('S3 ops: ListObjectsV2 [API ListObjectsV2]', () => {
  const list = (f: Fixture, input: Partial<s3.ListObjectsV2Input> = {}) => s3.listObjectsV2(f.ctx(A), { bucket: BUCKET, ...input });

  it('keys under Prefix in UTF-8 binary order, with KeyCount, Size, ETag and LastModified', () => {
    const f = fixture();
    for (const k of ['p/b', 'p/a', 'p/é', 'p/z', 'q/a', 'p/Z']) put(f, k, k);
    const out = list(f, { prefix: 'p/' });
    // UTF-8 binary order: upper case before lower case, é (0xC3 0xA9) after z.
    expect(out.contents.map((c) => c.key)).toEqual(['p/Z', 'p/a', 'p/b', 'p/z', 'p/é']);
    expect(out).toMatchObject({ name: BUCKET, prefix: 'p/', keyCount: 5, maxKeys: 1000, isTruncated: false });
    expect(out.nextContinuationToken).toBeUndefined();
  });

  it('MaxKeys pages with IsTruncated and NextContinuationToken until the last page; StartAfter applies without a token', () => {
    const f = fixture();
    for (let i = 0; i < 7; i++) put(f, `k${i}`, `${i}`);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = list(f, { maxKeys: '3', continuationToken: token });
      expect(out.keyCount).toBe(out.contents.length);
      seen.push(...out.contents.map((c) => c.key));
      token = out.nextContinuationToken;
      expect(out.isTruncated).toBe(token !== undefined);
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    expect(list(f, { startAfter: 'k4' }).contents.map((c) => c.key)).toEqual(['k5', 'k6']);
  });

  it('MaxKeys above 1,000 returns at most 1,000 keys ("will never contain more") [API ListObjectsV2 MaxKeys]', () => {
    const f = fixture();
    for (let i = 0; i < 1005; i++) put(f, `k${String(i).padStart(4, '0')}`, '');
    const out = list(f, { maxKeys: '5000' });
    expect(out.contents).toHaveLength(1000);
    expect(out.isTruncated).toBe(true);
    expect(list(f, { continuationToken: out.nextContinuationToken }).contents).toHaveLength(5);
  });

  it('Delimiter rolls keys up into CommonPrefixes, counted in KeyCount and MaxKeys, and the next page skips a prefix already returned', () => {
    const f = fixture();
    for (const k of ['a/1', 'a/2', 'b', 'c/1', 'c/2', 'd']) put(f, k, '');
    const all = list(f, { delimiter: '/' });
    expect(all.commonPrefixes).toEqual(['a/', 'c/']);
    expect(all.contents.map((c) => c.key)).toEqual(['b', 'd']);
    expect(all.keyCount).toBe(4);
    const first = list(f, { delimiter: '/', maxKeys: '1' });
    expect(first.commonPrefixes).toEqual(['a/']);
    const second = list(f, { delimiter: '/', maxKeys: '1', continuationToken: first.nextContinuationToken });
    expect(second.contents.map((c) => c.key)).toEqual(['b']);
  });

  it('a continuation token that S3 did not issue, or a max-keys that is not a whole number, is 400 InvalidArgument', () => {
    const f = fixture();
    expect(failure(() => list(f, { continuationToken: 'not-a-token' }))).toMatchObject({ code: 'InvalidArgument', status: 400, extra: { ArgumentName: 'continuation-token' } });
    expect(failure(() => list(f, { maxKeys: '-1' }))).toMatchObject({ code: 'InvalidArgument', extra: { ArgumentName: 'max-keys' } });
    expect(failure(() => list(f, { maxKeys: 'ten' })).code).toBe('InvalidArgument');
  });
});

describe('S3: IAM actions, rate limits, the after fault', () => {
  const env = () => {
    const f = fixture();
    return { world: f.world, principal: userPrincipal(A), region: 'us-east-1' };
  };
  const requests = (operation: string, members: Record<string, unknown>) =>
    authorizationRequests('s3', operation, members, env())!.map((r) => ({ action: r.action, resource: r.resource }));

  it('IAM: GetObject and HeadObject need s3:GetObject on arn:aws:s3:::bucket/key; PutObject s3:PutObject, and with If-Match also s3:GetObject [UG conditional-writes]', () => {
    expect(requests('GetObject', { Bucket: 'b', Key: 'p/k' })).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/p/k' }]);
    expect(requests('HeadObject', { Bucket: 'b', Key: 'p/k' })).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/p/k' }]);
    expect(requests('PutObject', { Bucket: 'b', Key: 'k', IfNoneMatch: '*' })).toEqual([{ action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' }]);
    expect(requests('PutObject', { Bucket: 'b', Key: 'k', IfMatch: '"e"' })).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' },
    ]);
    const ctx = authorizationRequests('s3', 'PutObject', { Bucket: 'b', Key: 'k', IfNoneMatch: '*' }, env())![0]!.context;
    expect(ctx['s3:if-none-match']).toEqual(['*']);
  });

  it('IAM: DeleteObject needs s3:DeleteObject (with If-Match also s3:GetObject [UG conditional-deletes]); ListObjectsV2 and HeadBucket s3:ListBucket on arn:aws:s3:::bucket; CreateBucket s3:CreateBucket', () => {
    expect(requests('DeleteObject', { Bucket: 'b', Key: 'k' })).toEqual([{ action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k' }]);
    expect(requests('DeleteObject', { Bucket: 'b', Key: 'k', IfMatch: '"e"' })).toContainEqual({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' });
    expect(requests('ListObjectsV2', { Bucket: 'b' })).toEqual([{ action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }]);
    expect(requests('HeadBucket', { Bucket: 'b' })).toEqual([{ action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }]);
    expect(requests('CreateBucket', { Bucket: 'b' })).toEqual([{ action: 's3:CreateBucket', resource: 'arn:aws:s3:::b' }]);
  });

  it('rate limits: 3,500 PUT/COPY/POST/DELETE and 5,500 GET/HEAD requests per second per partitioned prefix — per bucket in the twin, whoever calls [UG optimizing-performance]', () => {
    const limiter = new RateLimiter(AWS_RATE_LIMITS);
    const now = Date.UTC(2026, 0, 1);
    const write = (account: string, bucket: string, op = 'PutObject') => limiter.tryTake(account, 's3', op, true, now, `s3:${bucket}`);
    const read = (account: string, bucket: string) => limiter.tryTake(account, 's3', 'GetObject', false, now, `s3:${bucket}`);
    // PUTs and DELETEs share one budget; two accounts writing to one bucket share it too.
    for (let i = 0; i < 3500; i++) expect(write(i % 2 ? A : B, 'one', i % 3 ? 'PutObject' : 'DeleteObject')).toBe(true);
    expect(write(A, 'one')).toBe(false);
    expect(write(A, 'two')).toBe(true);
    for (let i = 0; i < 5500; i++) expect(read(A, 'one')).toBe(true);
    expect(read(A, 'one')).toBe(false);
    expect(limiter.tryTake(A, 's3', 'PutObject', true, now + 1000, 's3:one')).toBe(true);
  });

  it('the error fault takes after: true (applied, then the error answered) and validates it', () => {
    expect(parseFault({ kind: 'error', service: 's3', operation: 'PutObject', status: 503, code: 'SlowDown', after: true, match: 'lock' })).toMatchObject({ after: true });
    expect(parseFault({ kind: 'error', after: 'yes' })).toBe('after must be true or false');
    expect(parseFault({ kind: 'throttle', after: true })).toBe('after applies to error faults only');
    expect(parseFault({ kind: 'error', status: 99 })).toMatch(/status must be/);
  });
});
