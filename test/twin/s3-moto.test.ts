// Amazon S3: the twin against moto_server (moto 5.2), the same @aws-sdk/client-s3 request
// sequence to both, comparing HTTP statuses and error codes step by step. moto implements
// If-None-Match: * on PutObject since 5.0.15, If-Match on PutObject since 5.1.5 and on
// DeleteObject since 5.1.22 (aws-facts-2.md §4). Where moto differs from AWS the step says so and
// each side is checked against its own answer instead of the other's:
//   - moto has no 409 ConditionalRequestConflict at all (the twin injects it with a fault);
//   - moto ignores If-None-Match values other than `*` on PutObject (AWS: 501 NotImplemented);
//   - moto compares If-Match `*` on PutObject as a literal ETag (AWS: any existing object);
//   - moto does not enforce bucket ownership between accounts (not compared).
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from '../support/moto.js';
import { referee } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

const available = referee('moto_server', 'moto differential (S3)');
const BUCKET = 'r53m-moto-diff';
const OTHER_ETAG = '"0123456789abcdef0123456789abcdef"';

interface Answer {
  status: number | undefined;
  code: string;
  etag?: string;
  body?: string;
  keys?: string[];
  keyCount?: number;
  truncated?: boolean;
  token?: string;
}

/** What a call came to: the status and the SDK's error name (or 'ok'), plus what a success carried. */
async function answer(p: Promise<any>): Promise<Answer> {
  try {
    const out = await p;
    const a: Answer = { status: out.$metadata.httpStatusCode, code: 'ok' };
    if (out.ETag) a.etag = out.ETag;
    if (out.Body) a.body = await out.Body.transformToString();
    if ('KeyCount' in out || 'Contents' in out) {
      a.keys = (out.Contents ?? []).map((c: { Key: string }) => c.Key);
      a.keyCount = out.KeyCount;
      a.truncated = out.IsTruncated;
      a.token = out.NextContinuationToken;
    }
    return a;
  } catch (e) {
    return { status: (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, code: (e as Error).name };
  }
}

describe.skipIf(!available)('S3: twin vs moto_server', () => {
  let moto: MotoServer;
  let twin: TestTwin;
  let clients: { twin: S3Client; moto: S3Client };

  /** Sends the same command (built per side, so ETags from each side's earlier answers can be used) to both. */
  // any S3 command: the answer is read generically.
  async function both(make: (side: 'twin' | 'moto') => any): Promise<{ t: Answer; m: Answer }> {
    const [t, m] = await Promise.all([answer(clients.twin.send(make('twin'))), answer(clients.moto.send(make('moto')))]);
    return { t, m };
  }
  const same = ({ t, m }: { t: Answer; m: Answer }) => expect({ status: t.status, code: t.code }).toEqual({ status: m.status, code: m.code });

  beforeAll(async () => {
    moto = await startMoto();
    twin = await startTestTwin({ vpcs: 2 });
    const acct = twin.accounts[0]!;
    clients = {
      twin: new S3Client({ endpoint: twin.url, region: 'us-east-1', credentials: { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey }, maxAttempts: 1 }),
      moto: new S3Client({ endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAMOTOTEST00000000', secretAccessKey: 'moto-secret' }, maxAttempts: 1 }),
    };
    const created = await both(() => new CreateBucketCommand({ Bucket: BUCKET }));
    same(created);
  });
  afterAll(async () => {
    await twin?.close();
    await moto?.stop();
  });

  it('buckets: HeadBucket 200 on both; CreateBucket again in us-east-1 is 200 on both (legacy); no such bucket is NoSuchBucket 404 on both [model BucketAlreadyOwnedByYou]', async () => {
    same(await both(() => new HeadBucketCommand({ Bucket: BUCKET })));
    const again = await both(() => new CreateBucketCommand({ Bucket: BUCKET }));
    same(again);
    expect(again.t.status).toBe(200);
    const none = await both(() => new GetObjectCommand({ Bucket: 'r53m-moto-no-such-bucket', Key: 'k' }));
    same(none);
    expect(none.t.code).toBe('NoSuchBucket');
  });

  it('the same body gets the same ETag (its MD5) on both; GetObject returns it; ListObjectsV2 lists it [API Object.ETag]', async () => {
    const put = await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: 'same/etag.json', Body: '{"a":1}' }));
    same(put);
    expect(put.t.etag).toBe(put.m.etag);
    const got = await both(() => new GetObjectCommand({ Bucket: BUCKET, Key: 'same/etag.json' }));
    same(got);
    expect([got.t.body, got.t.etag]).toEqual([got.m.body, got.m.etag]);
    const listed = await both(() => new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'same/' }));
    same(listed);
    expect([listed.t.keys, listed.t.keyCount]).toEqual([listed.m.keys, listed.m.keyCount]);
  });

  it('the lock sequence: create with If-None-Match *, a second create 412, release with If-Match, release again 404 — the same statuses and codes on both (S3 UG conditional-writes, conditional-deletes)', async () => {
    const key = 'locks/run.lock';
    const created = await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'holder-1', IfNoneMatch: '*' }));
    same(created);
    const taken = await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'holder-2', IfNoneMatch: '*' }));
    same(taken);
    expect(taken.t).toMatchObject({ status: 412, code: 'PreconditionFailed' });
    const wrongRelease = await both(() => new DeleteObjectCommand({ Bucket: BUCKET, Key: key, IfMatch: OTHER_ETAG }));
    same(wrongRelease);
    expect(wrongRelease.t.status).toBe(412);
    const release = await both((side) => new DeleteObjectCommand({ Bucket: BUCKET, Key: key, IfMatch: side === 'twin' ? created.t.etag : created.m.etag }));
    same(release);
    expect(release.t.status).toBe(204);
    const again = await both((side) => new DeleteObjectCommand({ Bucket: BUCKET, Key: key, IfMatch: side === 'twin' ? created.t.etag : created.m.etag }));
    same(again);
    expect(again.t).toMatchObject({ status: 404, code: 'NoSuchKey' });
    const plain = await both(() => new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    same(plain);
    expect(plain.t.status).toBe(204);
  });

  it('the checkpoint sequence: write, overwrite with If-Match on the current ETag, a stale ETag 412, If-Match on a missing key 404 NoSuchKey, quotes ignored — the same on both (S3 UG conditional-writes)', async () => {
    const key = 'state/run.state.json';
    const v1 = await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'v1' }));
    same(v1);
    const v2 = await both((side) => new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'v2', IfMatch: side === 'twin' ? v1.t.etag : v1.m.etag }));
    same(v2);
    expect(v2.t.status).toBe(200);
    const stale = await both((side) => new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'v3', IfMatch: side === 'twin' ? v1.t.etag : v1.m.etag }));
    same(stale);
    expect(stale.t.code).toBe('PreconditionFailed');
    const missing = await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: 'state/never.json', Body: 'v', IfMatch: OTHER_ETAG }));
    same(missing);
    expect(missing.t).toMatchObject({ status: 404, code: 'NoSuchKey' });
    const bare = await both((side) => new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'v3', IfMatch: (side === 'twin' ? v2.t.etag : v2.m.etag)!.replace(/"/g, '') }));
    same(bare);
    expect(bare.t.status).toBe(200);
  });

  it('conditional reads: GetObject If-Match on another ETag 412, If-None-Match on the ETag 304, HeadObject of a missing key 404 — the same on both [API GetObject, HeadObject]', async () => {
    const put = await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: 'reads/obj', Body: 'r' }));
    const mismatch = await both(() => new GetObjectCommand({ Bucket: BUCKET, Key: 'reads/obj', IfMatch: OTHER_ETAG }));
    same(mismatch);
    expect(mismatch.t).toMatchObject({ status: 412, code: 'PreconditionFailed' });
    const notModified = await both((side) => new GetObjectCommand({ Bucket: BUCKET, Key: 'reads/obj', IfNoneMatch: side === 'twin' ? put.t.etag : put.m.etag }));
    same(notModified);
    expect(notModified.t.status).toBe(304);
    const headNotModified = await both((side) => new HeadObjectCommand({ Bucket: BUCKET, Key: 'reads/obj', IfNoneMatch: side === 'twin' ? put.t.etag : put.m.etag }));
    same(headNotModified);
    const headMismatch = await both(() => new HeadObjectCommand({ Bucket: BUCKET, Key: 'reads/obj', IfMatch: OTHER_ETAG }));
    same(headMismatch);
    expect(headMismatch.t.status).toBe(412);
    const headMissing = await both(() => new HeadObjectCommand({ Bucket: BUCKET, Key: 'reads/none' }));
    same(headMissing);
    expect(headMissing.t).toMatchObject({ status: 404, code: 'NotFound' });
    const getMissingConditional = await both(() => new GetObjectCommand({ Bucket: BUCKET, Key: 'reads/none', IfMatch: OTHER_ETAG }));
    same(getMissingConditional);
    expect(getMissingConditional.t.code).toBe('NoSuchKey');
  });

  it('ListObjectsV2 pages: MaxKeys 2 over 5 keys gives the same keys, KeyCount and IsTruncated page by page on both (tokens are opaque and differ) [API ListObjectsV2]', async () => {
    for (let i = 0; i < 5; i++) await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: `pages/k${i}`, Body: `${i}` }));
    let tokens: { twin?: string; moto?: string } = {};
    const pages: [string[] | undefined, number | undefined, boolean | undefined][] = [];
    for (;;) {
      const page = await both((side) => new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'pages/', MaxKeys: 2, ContinuationToken: tokens[side] }));
      same(page);
      expect([page.t.keys, page.t.keyCount, page.t.truncated]).toEqual([page.m.keys, page.m.keyCount, page.m.truncated]);
      pages.push([page.t.keys, page.t.keyCount, page.t.truncated]);
      if (!page.t.truncated) break;
      tokens = { twin: page.t.token, moto: page.m.token };
    }
    expect(pages).toEqual([
      [['pages/k0', 'pages/k1'], 2, true],
      [['pages/k2', 'pages/k3'], 2, true],
      [['pages/k4'], 1, false],
    ]);
  });

  it('where moto differs from AWS, each side answers its own way: If-None-Match other than * (AWS 501 NotImplemented, moto ignores it) and If-Match * on an existing key (AWS writes, moto 412) [peer: aws/aws-sdk-ruby#3144, ceph/s3-tests]', async () => {
    await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: 'diff/obj', Body: 'x' }));
    const etagValue = await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: 'diff/obj', Body: 'y', IfNoneMatch: OTHER_ETAG }));
    expect(etagValue.t).toMatchObject({ status: 501, code: 'NotImplemented' });
    expect(etagValue.m).toMatchObject({ status: 200, code: 'ok' });
    const star = await both(() => new PutObjectCommand({ Bucket: BUCKET, Key: 'diff/obj', Body: 'z', IfMatch: '*' }));
    expect(star.t).toMatchObject({ status: 200, code: 'ok' });
    expect(star.m).toMatchObject({ status: 412, code: 'PreconditionFailed' });
  });
});
