// The twin's door: SigV4 verification, access key → account mapping, STS assume-role, and the
// request log — checked with the official SDK and with raw requests.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { CreateHostedZoneCommand, ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKey, uriEncode } from '../../src/twin/sigv4.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { createHash, createHmac } from 'node:crypto';

let t: TestTwin;

beforeAll(async () => {
  t = await startTestTwin({ scenario: 'direct', vpcs: 3, accounts: 2 });
});
afterAll(async () => t?.close());

function amzDate(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** A hand-signed GET, so tests can corrupt exactly one part of it. */
function signedGet(path: string, opts: { secret?: string; accessKeyId?: string; date?: number; service?: string } = {}) {
  const acct = t.accounts[0]!;
  const date = amzDate(opts.date);
  const host = new URL(t.url).host;
  const service = opts.service ?? 'route53';
  const scope = `${date.slice(0, 8)}/us-east-1/${service}/aws4_request`;
  const payloadHash = createHash('sha256').update('').digest('hex');
  const canonical = ['GET', path.split('/').map(uriEncode).join('/'), '', `host:${host}\nx-amz-date:${date}\n`, 'host;x-amz-date', payloadHash].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const sig = createHmac('sha256', signingKey(opts.secret ?? acct.secretAccessKey, date.slice(0, 8), 'us-east-1', service)).update(toSign).digest('hex');
  return fetch(t.url + path, {
    headers: {
      'x-amz-date': date,
      authorization: `AWS4-HMAC-SHA256 Credential=${opts.accessKeyId ?? acct.accessKeyId}/${scope}, SignedHeaders=host;x-amz-date, Signature=${sig}`,
    },
  });
}

describe('SigV4: the twin accepts only correctly signed requests, like AWS', () => {
  it('a request signed by hand with the account secret is accepted', async () => {
    const res = await signedGet('/2013-04-01/hostedzone');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<ListHostedZonesResponse');
  });

  it('a wrong secret gets SignatureDoesNotMatch (403) in Route 53 XML', async () => {
    const res = await signedGet('/2013-04-01/hostedzone', { secret: 'wrong'.repeat(8) });
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(body).toContain('<ErrorResponse');
  });

  it('an unknown access key gets InvalidClientTokenId (403)', async () => {
    const res = await signedGet('/2013-04-01/hostedzone', { accessKeyId: 'AKIAUNKNOWNUNKNOWN00' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>InvalidClientTokenId</Code>');
  });

  it('a request without Authorization gets MissingAuthenticationToken, never a crash', async () => {
    const res = await fetch(t.url + '/2013-04-01/hostedzone');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('MissingAuthenticationToken');
  });

  it('a signature older than 15 minutes is refused (AWS clock-skew window)', async () => {
    const res = await signedGet('/2013-04-01/hostedzone', { date: Date.now() - 20 * 60_000 });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Signature expired');
  });

  it('the official SDK with wrong credentials surfaces the AWS error name', async () => {
    const client = new Route53Client({
      endpoint: t.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: t.accounts[0]!.accessKeyId, secretAccessKey: 'x'.repeat(40) },
    });
    await expect(client.send(new ListHostedZonesCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
  });

  it('access keys map to accounts: each account lists only its own zones', async () => {
    const own = await t.route53(0).send(new ListHostedZonesCommand({}));
    const other = await t.route53(1).send(new ListHostedZonesCommand({}));
    expect(own.HostedZones?.length).toBeGreaterThan(0);
    expect(other.HostedZones ?? []).toEqual([]);
  });
});

describe('STS: assume-role credentials act as the role account', () => {
  it('AssumeRole through the SDK credential provider yields the role account identity', async () => {
    const base = { accessKeyId: t.accounts[0]!.accessKeyId, secretAccessKey: t.accounts[0]!.secretAccessKey };
    const roleArn = `arn:aws:iam::${t.accounts[1]!.id}:role/r53migrate`;
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: 'test' },
      masterCredentials: base,
      clientConfig: { endpoint: t.url, region: 'us-east-1' },
    });
    const sts = new STSClient({ endpoint: t.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(t.accounts[1]!.id);
  });

  it('a role that does not trust the caller: AccessDenied', async () => {
    t.world.roles.push({ arn: 'arn:aws:iam::999999999999:role/locked', accountId: '999999999999', trustedAccountIds: [] });
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: 'arn:aws:iam::999999999999:role/locked', RoleSessionName: 'test' },
      masterCredentials: { accessKeyId: t.accounts[0]!.accessKeyId, secretAccessKey: t.accounts[0]!.secretAccessKey },
      clientConfig: { endpoint: t.url, region: 'us-east-1', maxAttempts: 1 },
    });
    const sts = new STSClient({ endpoint: t.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('request log and faults', () => {
  it('every API call is logged with account, service, operation and outcome', async () => {
    const before = t.twin.log.length;
    await t.route53(1).send(new ListHostedZonesCommand({}));
    const entry = t.twin.log.slice(before).find((e) => e.operation === 'ListHostedZones');
    expect(entry).toMatchObject({ service: 'route53', accountId: t.accounts[1]!.id, outcome: 'ok', status: 200, mutating: false });
    const res = await fetch(`${t.url}/_twin/requests?since=${before}`);
    const logged = (await res.json()) as { operation?: string }[];
    expect(logged.some((e) => e.operation === 'ListHostedZones')).toBe(true);
  });

  it('an injected throttle is answered as Route 53 throttles (Throttling, 400) and then clears', async () => {
    const post = await fetch(`${t.url}/_twin/faults`, { method: 'POST', body: JSON.stringify({ kind: 'throttle', service: 'route53', count: 1 }) });
    expect(post.status).toBe(200);
    await expect(t.route53(0).send(new ListHostedZonesCommand({}))).rejects.toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    await expect(t.route53(0).send(new ListHostedZonesCommand({}))).resolves.toBeDefined();
  });

  it('an injected 5xx is retried by the SDK and absorbed', async () => {
    await fetch(`${t.url}/_twin/faults`, { method: 'POST', body: JSON.stringify({ kind: 'error', operation: 'ListHostedZones', count: 1 }) });
    const client = new Route53Client({ endpoint: t.url, region: 'us-east-1', maxAttempts: 3, credentials: { accessKeyId: t.accounts[0]!.accessKeyId, secretAccessKey: t.accounts[0]!.secretAccessKey } });
    const before = t.twin.log.length;
    await expect(client.send(new ListHostedZonesCommand({}))).resolves.toBeDefined();
    expect(t.twin.log.slice(before).map((e) => e.outcome)).toEqual(['fault', 'ok']);
  });

  it('a bad fault spec is refused with a reason', async () => {
    const res = await fetch(`${t.url}/_twin/faults`, { method: 'POST', body: JSON.stringify({ kind: 'explode' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/kind must be one of/);
  });

  it('a held request waits until released, and the caller then gets its reply', async () => {
    await fetch(`${t.url}/_twin/faults`, { method: 'POST', body: JSON.stringify({ kind: 'hold', operation: 'ListHostedZones', phase: 'before', count: 1 }) });
    const pending = t.route53(0).send(new ListHostedZonesCommand({}));
    const held = (await (await fetch(`${t.url}/_twin/held?waitMs=5000`)).json()) as { id: string; operation: string }[];
    expect(held.map((h) => h.operation)).toEqual(['ListHostedZones']);
    const rel = await fetch(`${t.url}/_twin/held/release`, { method: 'POST', body: JSON.stringify({ id: held[0]!.id }) });
    expect(((await rel.json()) as { released: number }).released).toBe(1);
    await expect(pending).resolves.toBeDefined();
  });
  it('a fault can pick "the n-th write": mutating true skips reads, skip lets the first matches through', async () => {
    await fetch(`${t.url}/_twin/faults`, { method: 'POST', body: JSON.stringify({ kind: 'error', mutating: true, skip: 1, count: 1, status: 400, code: 'Picked' }) });
    const before = t.twin.log.length;
    const zone = (n: number) => new CreateHostedZoneCommand({ Name: `pick${n}.example.com`, CallerReference: `pick-${n}-${before}` });
    await t.route53(0).send(new ListHostedZonesCommand({})); // a read: not counted
    await expect(t.route53(0).send(zone(1))).resolves.toBeDefined(); // write 1: let through
    await expect(t.route53(0).send(zone(2))).rejects.toMatchObject({ name: 'Picked' }); // write 2: the one
    await expect(t.route53(0).send(zone(3))).resolves.toBeDefined(); // used up
    expect(t.twin.log.slice(before).map((e) => `${e.operation} ${e.outcome}`)).toEqual([
      'ListHostedZones ok',
      'CreateHostedZone ok',
      'CreateHostedZone fault',
      'CreateHostedZone ok',
    ]);
  });
});
