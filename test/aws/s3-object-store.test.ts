// The S3 state backend's door to AWS (src/aws/s3-object-store.ts) through the official SDK against
// the twin's S3 on loopback: S3's refusals become the answers the store acts on, its failures
// ObjectStoreErrors that say what to do; and the whole store over it, with S3 answering 503 and
// 500 — the SDK's retries, and a retried checkpoint that finds its own first attempt landed.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../src/aws/s3-object-store.js';
import { ObjectStoreError } from '../../src/state/object-store.js';
import { parseS3Location } from '../../src/state/location.js';
import { openS3StateStore, readS3State } from '../../src/state/s3-store.js';
import type { FaultSpec } from '../../src/twin/faults.js';
import type { Account } from '../../src/twin/world.js';
import { sampleState } from '../state/support.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { ManualClock } from '../../src/twin/clock.js';
import { acquireS3Lock, inspectS3Lock } from '../../src/state/s3-lock.js';

const BUCKET = 'r53m-store-test';
let t: TestTwin;

function clientOf(account: Account, maxAttempts = 5): S3Client {
  return new S3Client({ endpoint: t.url, region: t.world.region, credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey }, maxAttempts });
}
const storeOf = (account: Account, bucket = BUCKET) => new S3ObjectStore(clientOf(account), bucket);

async function fault(spec: FaultSpec): Promise<void> {
  const res = await fetch(`${t.url}/_twin/faults`, { method: 'POST', body: JSON.stringify(spec) });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  t = await startTestTwin({ accounts: 2, vpcs: 2 });
  await clientOf(t.accounts[0]!).send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterEach(async () => {
  await fetch(`${t.url}/_twin/faults`, { method: 'DELETE' });
});
afterAll(async () => {
  await t?.close();
});

describe('S3ObjectStore: S3 conditional writes as answers (docs/aws-facts.md, S3)', () => {
  it('If-None-Match: * on an existing key is refused as "exists" (412); If-Match on another ETag as "changed" (412); on a missing key as "missing" (404 NoSuchKey)', async () => {
    const s = storeOf(t.accounts[0]!);
    const first = await s.put('a/lock', Buffer.from('one'), { ifNoneMatch: '*' });
    expect(first.ok).toBe(true);
    expect(await s.put('a/lock', Buffer.from('two'), { ifNoneMatch: '*' })).toEqual({ ok: false, refused: 'exists' });
    expect(await s.put('a/lock', Buffer.from('two'), { ifMatch: '"0123456789abcdef0123456789abcdef"' })).toEqual({ ok: false, refused: 'changed' });
    expect(await s.put('a/none', Buffer.from('x'), { ifMatch: '"0123456789abcdef0123456789abcdef"' })).toEqual({ ok: false, refused: 'missing' });
    const second = await s.put('a/lock', Buffer.from('two'), { ifMatch: first.ok ? first.etag : '' });
    expect(second.ok).toBe(true);
    expect((await s.get('a/lock'))?.body.toString()).toBe('two');
    expect((await s.head('a/lock'))?.etag).toBe(second.ok ? second.etag : '');
  });

  it('a 409 ConditionalRequestConflict is "conflict" (try again); a missing key reads as undefined; a conditional delete of another ETag is "changed"', async () => {
    const s = storeOf(t.accounts[0]!);
    await fault({ kind: 'error', service: 's3', operation: 'PutObject', status: 409, code: 'ConditionalRequestConflict', match: 'b/conflict', count: 1 });
    expect(await s.put('b/conflict', Buffer.from('x'), { ifNoneMatch: '*' })).toEqual({ ok: false, refused: 'conflict' });
    expect(await s.get('b/nothing')).toBeUndefined();
    expect(await s.head('b/nothing')).toBeUndefined();
    await s.put('b/obj', Buffer.from('x'));
    expect(await s.delete('b/obj', '"0123456789abcdef0123456789abcdef"')).toBe('changed');
    expect(await s.delete('b/obj')).toBe('deleted');
    // The 409 came before S3 applied anything: no b/conflict.
    expect(await s.list('b/')).toEqual([]);
  });

  it('no such bucket is the location\'s mistake (exit 2); another account\'s bucket is access denied (exit 1) with the actions to grant', async () => {
    const missing = await storeOf(t.accounts[0]!, 'r53m-no-such-bucket').get('x').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ObjectStoreError);
    expect((missing as ObjectStoreError).exitCode).toBe(2);
    expect((missing as Error).message).toContain('there is no bucket r53m-no-such-bucket');
    const denied = await storeOf(t.accounts[1]!).put('x', Buffer.from('x')).catch((e: unknown) => e);
    expect((denied as ObjectStoreError).exitCode).toBe(1);
    expect((denied as Error).message).toMatch(/access denied: .*s3:PutObject/);
  });
});

describe('the S3 state store over the SDK, S3 answering 5xx', () => {
  const machine = { host: 'ci', machine: 'm', user: 'ci', pid: 4242, isAlive: () => true };

  it('503 SlowDown twice on a checkpoint: the SDK retries it and the checkpoint is written', async () => {
    const loc = parseS3Location(`s3://${BUCKET}/slow/run.state.json`);
    const { store } = await openS3StateStore(storeOf(t.accounts[0]!), loc, { command: 'apply', ...machine });
    await store.read();
    // The twin matches a fault on "<path> <body>": the checkpoint's key followed by its JSON, not .prev's or .lock's.
    await fault({ kind: 'error', service: 's3', operation: 'PutObject', status: 503, code: 'SlowDown', match: 'slow/run.state.json {', count: 2 });
    await store.write(sampleState('x'));
    await store.close();
    expect((await readS3State(storeOf(t.accounts[0]!), loc))?.status).toBe('running');
    const log = (await (await fetch(`${t.url}/_twin/requests`)).json()) as { operation?: string; errorCode?: string; path: string }[];
    expect(log.filter((l) => l.operation === 'PutObject' && l.path.endsWith('slow/run.state.json')).map((l) => l.errorCode ?? 'ok')).toEqual(['SlowDown', 'SlowDown', 'ok']);
  });

  it('a 500 after S3 applied the checkpoint (reply lost): the retry is refused 412, the store reads back its own write and goes on', async () => {
    const loc = parseS3Location(`s3://${BUCKET}/lost/run.state.json`);
    const { store } = await openS3StateStore(storeOf(t.accounts[0]!), loc, { command: 'apply', ...machine });
    await store.read();
    await store.write(sampleState('x'));
    const from = ((await (await fetch(`${t.url}/_twin/requests`)).json()) as unknown[]).length;
    await fault({ kind: 'error', service: 's3', operation: 'PutObject', status: 500, code: 'InternalError', match: 'lost/run.state.json {', after: true, count: 1 });
    await store.write({ ...sampleState('x'), status: 'halted' });
    await store.write({ ...sampleState('x'), status: 'failed' });
    await store.close();
    expect((await readS3State(storeOf(t.accounts[0]!), loc))?.status).toBe('failed');
    const log = ((await (await fetch(`${t.url}/_twin/requests`)).json()) as { operation?: string; outcome?: string; errorCode?: string; path: string }[]).slice(from);
    const puts = log.filter((l) => l.operation === 'PutObject' && l.path.endsWith('lost/run.state.json'));
    expect(puts.map((l) => l.errorCode ?? l.outcome).slice(0, 3)).toEqual(['InternalError', 'PreconditionFailed', 'ok']);
  });
});

describe("an S3 lock's age is S3's clock against S3's clock (the response's Date and the lock's Last-Modified)", () => {
  it("a machine whose clock is 10 min ahead sees a fresh lock renewed, and one 10 min behind sees a lock unrenewed past its lease as stale", async () => {
    const s3Clock = new ManualClock(Date.now() - 10 * 60_000);
    const skewed = await startTestTwin({ accounts: 1, vpcs: 2, clock: s3Clock });
    try {
      const account = skewed.accounts[0]!;
      const client = new S3Client({ endpoint: skewed.url, region: skewed.world.region, credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey } });
      await client.send(new CreateBucketCommand({ Bucket: 'skew' }));
      const objects = new S3ObjectStore(client, 'skew');
      const who = { command: 'apply', leaseMs: 60_000, host: 'laptop-a', machine: 'boot-a', user: 'alice', pid: 4242, isAlive: () => true };

      // This machine is 10 min ahead of S3: by its own clock the lock would be 10 min old, stale.
      const first = await acquireS3Lock(objects, 'run.state.json.lock', who);
      const read = await objects.head('run.state.json.lock');
      expect(read!.servedAt!.getTime()).toBe(Math.floor(s3Clock.now() / 1000) * 1000);
      expect((await inspectS3Lock(objects, 'run.state.json.lock')).state).toBe('renewed');
      await first.release();

      // This machine is 10 min behind S3: by its own clock the lock would never age.
      s3Clock.set(Date.now() + 10 * 60_000);
      const second = await acquireS3Lock(objects, 'run.state.json.lock', who);
      expect((await inspectS3Lock(objects, 'run.state.json.lock')).state).toBe('renewed');
      s3Clock.advance(61_000);
      const seen = await inspectS3Lock(objects, 'run.state.json.lock');
      expect(seen.state).toBe('stale');
      expect(seen.state === 'stale' && seen.ageMs).toBeGreaterThanOrEqual(60_000);
      await second.release();
    } finally {
      await skewed.close();
    }
  });
});
