// Amazon S3 through the AWS CLI (botocore, a second independent client and signer) against the
// twin: the requests an operator would make by hand to inspect or clear a shared state backend.
// botocore sends flexible checksums (CRC32) on put-object, signs the payload over HTTP and asks
// list-objects-v2 for encoding-type=url; the twin must satisfy all three. Tests are named after
// the documented fact they check (docs/aws-facts.md "S3 (state backend)").
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

const available = referee('aws', 'AWS CLI fidelity (S3)');
const BUCKET = 'r53m-cli-test';

describe.skipIf(!available)('S3 through the AWS CLI', () => {
  let t: TestTwin;
  let dir: string;
  let bodyFile: string;
  const cli = (args: string[], account = 0): Promise<AwsCliResult> => awsCli(['s3api', ...args], t.cli(account));
  const ok = async (...args: string[]) => {
    const r = await cli(args);
    expect(r.stderr, `aws s3api ${args.join(' ')}`).toBe('');
    expect(r.code).toBe(0);
    return r.json;
  };
  const failsWith = async (code: string, args: string[], account = 0) => {
    const r = await cli(args, account);
    expect(r.code).not.toBe(0);
    expect(cliErrorCode(r.stderr), r.stderr).toBe(code);
    return r.stderr;
  };

  beforeAll(async () => {
    t = await startTestTwin({ accounts: 2, vpcs: 2 });
    dir = await mkdtemp(join(tmpdir(), 'r53m-s3-cli-'));
    bodyFile = join(dir, 'lock.json');
    await writeFile(bodyFile, '{"holder":"cli"}');
    await ok('create-bucket', '--bucket', BUCKET);
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('put-object --if-none-match "*" creates the lock; a second one fails PreconditionFailed (S3 UG conditional-writes)', async () => {
    const put = await ok('put-object', '--bucket', BUCKET, '--key', 'locks/run lock.json', '--body', bodyFile, '--if-none-match', '*');
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    // botocore's default flexible checksum, verified and echoed.
    expect(put.ChecksumCRC32).toBeTruthy();
    await failsWith('PreconditionFailed', ['put-object', '--bucket', BUCKET, '--key', 'locks/run lock.json', '--body', bodyFile, '--if-none-match', '*']);
  });

  it('put-object --if-match: the current ETag replaces, another fails PreconditionFailed, a missing key NoSuchKey (S3 UG conditional-writes)', async () => {
    const v1 = await ok('put-object', '--bucket', BUCKET, '--key', 'state/run.json', '--body', bodyFile);
    await writeFile(join(dir, 'v2.json'), '{"v":2}');
    const v2 = await ok('put-object', '--bucket', BUCKET, '--key', 'state/run.json', '--body', join(dir, 'v2.json'), '--if-match', v1.ETag);
    expect(v2.ETag).not.toBe(v1.ETag);
    await failsWith('PreconditionFailed', ['put-object', '--bucket', BUCKET, '--key', 'state/run.json', '--body', bodyFile, '--if-match', v1.ETag]);
    await failsWith('NoSuchKey', ['put-object', '--bucket', BUCKET, '--key', 'state/never.json', '--body', bodyFile, '--if-match', v1.ETag]);
  });

  it('head-object and get-object answer ETag, Last-Modified and the body; If-Match on another ETag is 412, a missing key 404 (HEAD: no error body) [API HeadObject, GetObject]', async () => {
    const head = await ok('head-object', '--bucket', BUCKET, '--key', 'locks/run lock.json');
    expect(head).toMatchObject({ ContentLength: 16, ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
    expect(head.LastModified).toMatch(/GMT$/);
    const out = join(dir, 'out.json');
    const got = await ok('get-object', '--bucket', BUCKET, '--key', 'locks/run lock.json', out);
    expect(got.ETag).toBe(head.ETag);
    expect(await readFile(out, 'utf8')).toBe('{"holder":"cli"}');
    await failsWith('PreconditionFailed', ['get-object', '--bucket', BUCKET, '--key', 'locks/run lock.json', '--if-match', '"0123456789abcdef0123456789abcdef"', out]);
    // botocore names a body-less HEAD error by its status.
    await failsWith('412', ['head-object', '--bucket', BUCKET, '--key', 'locks/run lock.json', '--if-match', '"0123456789abcdef0123456789abcdef"']);
    await failsWith('404', ['head-object', '--bucket', BUCKET, '--key', 'locks/none.json']);
    await failsWith('NoSuchKey', ['get-object', '--bucket', BUCKET, '--key', 'locks/none.json', out]);
  });

  it('list-objects-v2 with a prefix and a page size: keys come back decoded (botocore asks encoding-type=url) with KeyCount [API ListObjectsV2]', async () => {
    // One page as S3 sent it (the CLI's own pagination merges pages and drops KeyCount).
    await ok('put-object', '--bucket', BUCKET, '--key', 'listing/one ü.json', '--body', bodyFile);
    const first = await ok('list-objects-v2', '--bucket', BUCKET, '--prefix', 'listing/', '--no-paginate');
    expect(first.Contents.map((c: { Key: string }) => c.Key)).toEqual(['listing/one ü.json']);
    expect(first.KeyCount).toBe(1);
    for (const k of ['pages/a+b', 'pages/c d', 'pages/e']) await ok('put-object', '--bucket', BUCKET, '--key', k, '--body', bodyFile);
    // Three pages of one key, followed through NextContinuationToken by the CLI.
    const since = t.twin.log.length;
    const paged = await ok('list-objects-v2', '--bucket', BUCKET, '--prefix', 'pages/', '--page-size', '1');
    expect(paged.Contents.map((c: { Key: string }) => c.Key)).toEqual(['pages/a+b', 'pages/c d', 'pages/e']);
    expect(t.twin.log.slice(since).filter((e) => e.operation === 'ListObjectsV2' && e.status === 200)).toHaveLength(3);
  });

  it('delete-object --if-match: another ETag fails PreconditionFailed, the current deletes, a missing key is NoSuchKey; plain delete of a missing key succeeds (S3 UG conditional-deletes)', async () => {
    const head = await ok('head-object', '--bucket', BUCKET, '--key', 'locks/run lock.json');
    await failsWith('PreconditionFailed', ['delete-object', '--bucket', BUCKET, '--key', 'locks/run lock.json', '--if-match', '"0123456789abcdef0123456789abcdef"']);
    const r = await cli(['delete-object', '--bucket', BUCKET, '--key', 'locks/run lock.json', '--if-match', head.ETag]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    await failsWith('NoSuchKey', ['delete-object', '--bucket', BUCKET, '--key', 'locks/run lock.json', '--if-match', head.ETag]);
    const plain = await cli(['delete-object', '--bucket', BUCKET, '--key', 'locks/run lock.json']);
    expect(plain.code).toBe(0);
  });

  it('another account gets AccessDenied on the bucket [API ErrorResponses]', async () => {
    await failsWith('AccessDenied', ['list-objects-v2', '--bucket', BUCKET], 1);
    await failsWith('AccessDenied', ['put-object', '--bucket', BUCKET, '--key', 'x', '--body', bodyFile], 1);
  });
});
