// Amazon S3 through the official @aws-sdk/client-s3 against the twin on loopback: what the S3
// state backend relies on, each test named after the documented fact it checks (docs/aws-facts.md
// "S3 (state backend)"). The SDK talks path-style to the twin's IP endpoint on its own (the S3
// endpoint ruleset's isIp rule), signs as S3 signs (x-amz-content-sha256, no double-encoded path)
// and sends a CRC32 flexible checksum with every PUT; hand-signed requests cover what the SDK
// never sends wrong.
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import type { FaultSpec } from '../../src/twin/faults.js';
import { AWS_RATE_LIMITS } from '../../src/twin/ratelimit.js';
import { startSandbox } from '../../src/twin/sandbox.js';
import { buildScenario, stateBucketName } from '../../src/twin/scenario.js';
import type { Account } from '../../src/twin/world.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

const BUCKET = 'r53m-sdk-test';

function client(t: TestTwin, account: Account, opts: { region?: string; maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    endpoint: t.url,
    region: opts.region ?? 'us-east-1',
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    maxAttempts: opts.maxAttempts ?? 1,
  });
}

/** The SDK's failure as the state backend sees it: error name and HTTP status. */
async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    return { name: (e as Error).name, status: (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail; it succeeded');
}

async function postFault(t: TestTwin, spec: FaultSpec): Promise<void> {
  const res = await fetch(`${t.url}/_twin/faults`, { method: 'POST', body: JSON.stringify(spec) });
  expect(res.status, await res.clone().text()).toBe(200);
}

interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** A request signed by hand as the SDK signs S3 requests (path not re-encoded); `headers` may preset x-amz-content-sha256. */
async function signedS3(t: TestTwin, account: Account, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const url = new URL(t.url);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: account, sha256: Sha256, uriEscapePath: false, applyChecksum: true });
  const all: Record<string, string> = { host: url.host, ...headers };
  if (all['x-amz-content-sha256'] === undefined) all['x-amz-content-sha256'] = createHash('sha256').update(body ?? '').digest('hex');
  const signed = await signer.sign({ method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, headers: all, body });
  const res = await fetch(`${t.url}${path}`, { method, headers: signed.headers as Record<string, string>, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('S3 through @aws-sdk/client-s3 against the twin', () => {
  let t: TestTwin;
  let owner: S3Client;
  let other: S3Client;

  beforeAll(async () => {
    t = await startTestTwin({ accounts: 2, vpcs: 2 });
    owner = client(t, t.accounts[0]!);
    other = client(t, t.accounts[1]!);
    await owner.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => t?.close());
  afterEach(async () => {
    await fetch(`${t.url}/_twin/faults`, { method: 'DELETE' });
  });

  it('the SDK addresses an IP endpoint path-style (/bucket/key), signing service s3 [S3 endpoint ruleset isIp]', async () => {
    const since = t.twin.log.length;
    await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'probe/path-style', Body: 'x' }));
    const entry = t.twin.log.slice(since).find((e) => e.operation === 'PutObject')!;
    expect(entry).toMatchObject({ service: 's3', path: `/${BUCKET}/probe/path-style`, status: 200, outcome: 'ok' });
  });

  it('CreateBucket: another account asking for the name gets BucketAlreadyExists 409; the owner again in us-east-1 gets 200, elsewhere BucketAlreadyOwnedByYou 409 [model CreateBucket errors]', async () => {
    expect(await failure(other.send(new CreateBucketCommand({ Bucket: BUCKET })))).toEqual({ name: 'BucketAlreadyExists', status: 409 });
    expect((await owner.send(new CreateBucketCommand({ Bucket: BUCKET }))).$metadata.httpStatusCode).toBe(200);
    const eu = client(t, t.accounts[0]!, { region: 'eu-west-1' });
    await eu.send(new CreateBucketCommand({ Bucket: 'r53m-sdk-eu' }));
    expect(await failure(eu.send(new CreateBucketCommand({ Bucket: 'r53m-sdk-eu' })))).toEqual({ name: 'BucketAlreadyOwnedByYou', status: 409 });
    const head = await eu.send(new HeadBucketCommand({ Bucket: 'r53m-sdk-eu' }));
    expect(head.BucketRegion).toBe('eu-west-1');
  });

  it('HeadBucket: 200 with x-amz-bucket-region for the owner, 403 for another account, 404 NotFound for no such bucket (HEAD answers carry no body) [API HeadBucket]', async () => {
    expect((await owner.send(new HeadBucketCommand({ Bucket: BUCKET }))).BucketRegion).toBe('us-east-1');
    expect((await failure(other.send(new HeadBucketCommand({ Bucket: BUCKET })))).status).toBe(403);
    expect(await failure(owner.send(new HeadBucketCommand({ Bucket: 'r53m-no-such-bucket' })))).toEqual({ name: 'NotFound', status: 404 });
    expect((await owner.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain(BUCKET);
  });

  it('put, get, head, list, delete: ETag is the body\'s MD5 in quotes, Get/Head/Put answer ETag and Last-Modified, keys round-trip with spaces, +, // and non-ASCII [API PutObject, GetObject, HeadObject]', async () => {
    const key = 'state/dir//a b+c ü.json';
    const body = '{"schema":1}';
    const md5 = `"${createHash('md5').update(body).digest('hex')}"`;
    const put = await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: 'application/json' }));
    expect(put.ETag).toBe(md5);
    const got = await owner.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await got.Body!.transformToString()).toBe(body);
    expect(got).toMatchObject({ ETag: md5, ContentType: 'application/json', ContentLength: body.length });
    expect(got.LastModified).toBeInstanceOf(Date);
    const head = await owner.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head).toMatchObject({ ETag: md5, ContentLength: body.length });
    expect(head.LastModified!.getTime()).toBe(got.LastModified!.getTime());
    const listed = await owner.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'state/' }));
    expect(listed.Contents).toEqual([expect.objectContaining({ Key: key, ETag: md5, Size: body.length, StorageClass: 'STANDARD' })]);
    expect(listed.KeyCount).toBe(1);
    expect((await owner.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))).$metadata.httpStatusCode).toBe(204);
    expect(await failure(owner.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })))).toEqual({ name: 'NoSuchKey', status: 404 });
    expect(await failure(owner.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).toEqual({ name: 'NotFound', status: 404 });
    // Deleting what isn't there is still 204 [API DeleteObject].
    expect((await owner.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))).$metadata.httpStatusCode).toBe(204);
  });

  it('ListObjectsV2 pages with MaxKeys, ContinuationToken and IsTruncated; the SDK paginator walks them all [API ListObjectsV2]', async () => {
    for (let i = 0; i < 5; i++) await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: `pages/k${i}`, Body: `${i}` }));
    const first = await owner.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'pages/', MaxKeys: 2 }));
    expect(first).toMatchObject({ KeyCount: 2, MaxKeys: 2, IsTruncated: true });
    expect(first.NextContinuationToken).toBeTruthy();
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: owner, pageSize: 2 }, { Bucket: BUCKET, Prefix: 'pages/' })) keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    expect(keys).toEqual(['pages/k0', 'pages/k1', 'pages/k2', 'pages/k3', 'pages/k4']);
  });

  describe('conditional writes [UG conditional-writes]', () => {
    it('PutObject with If-None-Match: * on an existing key fails 412 PreconditionFailed (S3 UG conditional-writes)', async () => {
      await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/lock', Body: 'holder-1', IfNoneMatch: '*' }));
      expect(await failure(owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/lock', Body: 'holder-2', IfNoneMatch: '*' })))).toEqual({ name: 'PreconditionFailed', status: 412 });
      const got = await owner.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cw/lock' }));
      expect(await got.Body!.transformToString()).toBe('holder-1');
    });

    it('PutObject with If-None-Match other than * fails 501 NotImplemented (AWS reproduction: aws/aws-sdk-ruby#3144)', async () => {
      expect(await failure(owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/lock', Body: 'x', IfNoneMatch: '"0123456789abcdef0123456789abcdef"' })))).toEqual({ name: 'NotImplemented', status: 501 });
    });

    it('PutObject with If-Match: the current ETag replaces the object, another fails 412 PreconditionFailed, a missing key 404 NoSuchKey (S3 UG conditional-writes)', async () => {
      const v1 = await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/state', Body: 'v1' }));
      const v2 = await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/state', Body: 'v2', IfMatch: v1.ETag }));
      expect(v2.ETag).not.toBe(v1.ETag);
      expect(await failure(owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/state', Body: 'v3', IfMatch: v1.ETag })))).toEqual({ name: 'PreconditionFailed', status: 412 });
      expect(await failure(owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/never', Body: 'v', IfMatch: v1.ETag })))).toEqual({ name: 'NoSuchKey', status: 404 });
      // The ETag without its quotes matches too.
      await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/state', Body: 'v3', IfMatch: v2.ETag!.replace(/"/g, '') }));
    });

    it('409 ConditionalRequestConflict (a conflicting write during the upload) cannot happen in a sequential twin: the error fault injects it with its status and code [API PutObject IfMatch]', async () => {
      await postFault(t, { kind: 'error', service: 's3', operation: 'PutObject', status: 409, code: 'ConditionalRequestConflict', message: 'A conflicting conditional operation is currently in progress against this resource. Please try again.', match: 'cw/conflict', count: 1 });
      expect(await failure(owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/conflict', Body: 'x', IfNoneMatch: '*' })))).toEqual({ name: 'ConditionalRequestConflict', status: 409 });
      // Nothing was written; the retry the docs advise succeeds.
      await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/conflict', Body: 'x', IfNoneMatch: '*' }));
    });

    it('503 SlowDown "Please reduce your request rate." and 500 InternalError injected on PutObject reach the SDK as SlowDown and InternalError, which its standard retry strategy retries [API ErrorResponses]', async () => {
      await postFault(t, { kind: 'error', service: 's3', operation: 'PutObject', code: 'SlowDown', match: 'cw/slow', count: 1 });
      expect(await failure(owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/slow', Body: 'x' })))).toEqual({ name: 'SlowDown', status: 503 });
      await postFault(t, { kind: 'error', service: 's3', operation: 'PutObject', match: 'cw/internal', count: 1 });
      expect(await failure(owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/internal', Body: 'x' })))).toEqual({ name: 'InternalError', status: 500 });
      await postFault(t, { kind: 'error', service: 's3', operation: 'PutObject', code: 'SlowDown', match: 'cw/retried', count: 1 });
      const retrying = client(t, t.accounts[0]!, { maxAttempts: 3 });
      const out = await retrying.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/retried', Body: 'x' }));
      expect(out.$metadata.attempts).toBe(2);
    });

    it('a reply lost after S3 applied a conditional PUT (error fault, after: true): the client\'s retry meets its own write and gets 412 PreconditionFailed', async () => {
      await postFault(t, { kind: 'error', service: 's3', operation: 'PutObject', status: 500, code: 'InternalError', match: 'cw/lost-reply', count: 1, after: true });
      const retrying = client(t, t.accounts[0]!, { maxAttempts: 2 });
      expect(await failure(retrying.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cw/lost-reply', Body: 'mine', IfNoneMatch: '*' })))).toEqual({ name: 'PreconditionFailed', status: 412 });
      const got = await owner.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cw/lost-reply' }));
      expect(await got.Body!.transformToString()).toBe('mine');
      const puts = t.twin.log.filter((e) => e.operation === 'PutObject' && e.path.endsWith('cw/lost-reply'));
      expect(puts.map((e) => [e.status, e.outcome])).toEqual([
        [500, 'fault'],
        [412, 'error'],
      ]);
    });
  });

  describe('conditional reads and deletes [UG conditional-requests, conditional-deletes]', () => {
    let etag: string;
    beforeAll(async () => {
      etag = (await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cr/obj', Body: 'read me' }))).ETag!;
    });

    it('GetObject/HeadObject with If-Match on another ETag fail 412 (Get: PreconditionFailed; Head: no body); If-None-Match naming the ETag is 304 Not Modified [API GetObject, HeadObject]', async () => {
      const other = '"0123456789abcdef0123456789abcdef"';
      expect(await failure(owner.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cr/obj', IfMatch: other })))).toEqual({ name: 'PreconditionFailed', status: 412 });
      expect((await failure(owner.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cr/obj', IfMatch: other })))).status).toBe(412);
      // A 304 has no body, so the SDK has no error code to name it by: only the status tells.
      expect((await failure(owner.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cr/obj', IfNoneMatch: etag })))).status).toBe(304);
      expect((await failure(owner.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cr/obj', IfNoneMatch: etag })))).status).toBe(304);
      const fresh = await owner.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cr/obj', IfMatch: etag, IfNoneMatch: other }));
      expect(await fresh.Body!.transformToString()).toBe('read me');
    });

    it('DeleteObject with If-Match on another ETag fails 412 PreconditionFailed; on a missing key 404 NoSuchKey; on the current ETag 204 [UG conditional-deletes; peer: ministackorg/ministack#1475]', async () => {
      await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cd/lock', Body: 'me' }));
      const current = (await owner.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cd/lock' }))).ETag!;
      expect(await failure(owner.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'cd/lock', IfMatch: '"0123456789abcdef0123456789abcdef"' })))).toEqual({ name: 'PreconditionFailed', status: 412 });
      expect((await owner.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'cd/lock', IfMatch: current }))).$metadata.httpStatusCode).toBe(204);
      expect(await failure(owner.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'cd/lock', IfMatch: current })))).toEqual({ name: 'NoSuchKey', status: 404 });
    });
  });

  describe('accounts, IAM, errors on the wire', () => {
    it('another account gets 403 AccessDenied "Access Denied" on the bucket\'s objects (HeadObject: 403, no body) [API ErrorResponses]', async () => {
      expect(await failure(other.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cr/obj' })))).toEqual({ name: 'AccessDenied', status: 403 });
      expect(await failure(other.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cr/obj', Body: 'x' })))).toEqual({ name: 'AccessDenied', status: 403 });
      expect(await failure(other.send(new ListObjectsV2Command({ Bucket: BUCKET })))).toEqual({ name: 'AccessDenied', status: 403 });
      expect((await failure(other.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cr/obj' })))).status).toBe(403);
    });

    it('errors are S3\'s <Error> document with Code, Message, Key or BucketName, RequestId and HostId, and x-amz-request-id; a HEAD\'s error has no body [API ErrorResponses]', async () => {
      const acct = t.accounts[0]!;
      const missing = await signedS3(t, acct, 'GET', `/${BUCKET}/no/such/key`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/xml');
      const requestId = missing.headers.get('x-amz-request-id')!;
      expect(missing.text).toMatch(new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>no/such/key</Key><RequestId>${requestId}</RequestId><HostId>[^<]+</HostId></Error>$`));
      const noBucket = await signedS3(t, acct, 'GET', '/r53m-no-such-bucket/k');
      expect(noBucket.text).toContain('<Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>r53m-no-such-bucket</BucketName>');
      const head = await signedS3(t, acct, 'HEAD', `/${BUCKET}/no/such/key`);
      expect([head.status, head.text]).toEqual([404, '']);
    });

    it('an IAM identity policy without s3:PutObject: AccessDenied 403 naming the action and the quoted object ARN; a missing key without s3:ListBucket reads as 403 [UG troubleshoot-403-errors; API GetObject]', async () => {
      const acct = t.accounts[0]!;
      t.twin.setPolicy(acct.id, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${BUCKET}/*`] }] });
      try {
        const denied = await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'iam/x', Body: 'x' })).catch((e: Error) => e);
        expect((denied as Error).name).toBe('AccessDenied');
        expect((denied as Error).message).toBe(`User: arn:aws:iam::${acct.id}:user/twin is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::${BUCKET}/iam/x" because no identity-based policy allows the s3:PutObject action`);
        expect(await failure(owner.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'iam/missing' })))).toEqual({ name: 'AccessDenied', status: 403 });
      } finally {
        t.twin.setPolicy(acct.id, undefined);
      }
    });

    it('S3 signs x-amz-content-sha256: a hex digest that is not the body\'s is 400 XAmzContentSHA256Mismatch, none at all 400 InvalidRequest, UNSIGNED-PAYLOAD is accepted [SigV4 for S3; API ErrorResponses]', async () => {
      const acct = t.accounts[0]!;
      const wrong = await signedS3(t, acct, 'PUT', `/${BUCKET}/sig/mismatch`, 'the body', { 'x-amz-content-sha256': createHash('sha256').update('another body').digest('hex') });
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
      const unsigned = await signedS3(t, acct, 'PUT', `/${BUCKET}/sig/unsigned`, 'the body', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
      expect(unsigned.status).toBe(200);
      // Signed without the header (as a non-S3 client would): S3 wants it.
      const url = new URL(t.url);
      const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: acct, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
      const signed = await signer.sign({ method: 'GET', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: `/${BUCKET}/sig/unsigned`, headers: { host: url.host } });
      const res = await fetch(`${t.url}/${BUCKET}/sig/unsigned`, { headers: signed.headers as Record<string, string> });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('<Code>InvalidRequest</Code>');
    });

    it('a flexible checksum that is not the body\'s is 400 BadDigest; the SDK\'s CRC32 and SHA256 checksums are accepted and echoed [UG checking-object-integrity]', async () => {
      const acct = t.accounts[0]!;
      const bad = await signedS3(t, acct, 'PUT', `/${BUCKET}/sum/bad`, 'the body', { 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-sdk-checksum-algorithm': 'CRC32' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('<Code>BadDigest</Code>');
      const crc = await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sum/crc32', Body: 'the body' }));
      expect(crc.ChecksumCRC32).toBeTruthy();
      const sha = await owner.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sum/sha256', Body: 'the body', ChecksumAlgorithm: 'SHA256' }));
      expect(sha.ChecksumSHA256).toBe(createHash('sha256').update('the body').digest('base64'));
    });
  });
});

describe('S3 rate limits and the sandbox state bucket', () => {
  it('past the per-prefix request rate S3 answers 503 SlowDown "Please reduce your request rate." [UG optimizing-performance; API ErrorResponses]', async () => {
    const clock = new ManualClock(Date.now());
    const tight = { ...AWS_RATE_LIMITS, s3: { operations: { default: { burst: 5, perSecond: 5 } }, mutatingDefault: { burst: 2, perSecond: 2 }, byClass: true } };
    const t = await startTestTwin({ clock, rateLimits: tight, accounts: 2, vpcs: 2 });
    try {
      const s3 = client(t, t.accounts[0]!);
      await s3.send(new CreateBucketCommand({ Bucket: 'r53m-rate' }));
      await s3.send(new PutObjectCommand({ Bucket: 'r53m-rate', Key: 'a', Body: 'x' }));
      const slow = await s3.send(new PutObjectCommand({ Bucket: 'r53m-rate', Key: 'b', Body: 'x' })).catch((e: Error) => e);
      expect((slow as Error).name).toBe('SlowDown');
      expect((slow as Error).message).toBe('Please reduce your request rate.');
      expect((slow as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(503);
      // Reads are their own class; a second later writes flow again.
      await s3.send(new GetObjectCommand({ Bucket: 'r53m-rate', Key: 'a' }));
      clock.advance(1000);
      await s3.send(new PutObjectCommand({ Bucket: 'r53m-rate', Key: 'b', Body: 'x' }));
    } finally {
      await t.close();
    }
  });

  it('every scenario gives its first (shared-services) account an empty state bucket r53migrate-state-<account id>; sandbox.json names it with the plan account whose profile reaches it', async () => {
    const world = buildScenario({ accounts: 2, vpcs: 3 });
    const shared = world.accounts[0]!;
    expect(world.buckets).toEqual([expect.objectContaining({ name: stateBucketName(shared.id), ownerAccountId: shared.id, region: world.region, objects: {} })]);
    const dir = await mkdtemp(join(tmpdir(), 'r53m-s3-sandbox-'));
    const sb = await startSandbox({ scenario: 'direct', vpcs: 3, endpoints: 1, accounts: 2, seed: 'r53migrate', region: 'us-east-1', delayScale: 0.01, dir, host: '127.0.0.1', port: 0, rateLimits: 'off', runCommands: false });
    try {
      expect(sb.info.stateBucket).toEqual({ name: `r53migrate-state-${sb.info.accounts[0]!.id}`, accountId: sb.info.accounts[0]!.id, accountName: 'shared-services' });
      const acct = sb.world.accounts[0]!;
      const s3 = new S3Client({ endpoint: sb.info.endpointUrl, region: sb.info.region, credentials: acct, maxAttempts: 1 });
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: sb.info.stateBucket.name }));
      expect(listed.KeyCount).toBe(0);
      const spoke = sb.world.accounts[1]!;
      const denied = new S3Client({ endpoint: sb.info.endpointUrl, region: sb.info.region, credentials: spoke, maxAttempts: 1 });
      expect(await failure(denied.send(new ListObjectsV2Command({ Bucket: sb.info.stateBucket.name })))).toEqual({ name: 'AccessDenied', status: 403 });
    } finally {
      await sb.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
