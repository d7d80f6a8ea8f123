// AWS Organizations' DescribeOrganization in the twin: ops level (member, management account,
// outsider, no organization), the JSON 1.1 wire signed by hand and through the v3 SDK, IAM, and
// the AWS CLI (botocore) as referee. Facts and sources: docs/aws-facts.md "Organizations:
// DescribeOrganization".
import { errorOf } from '../support/twin.js';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeOrganization, NOT_IN_USE_MESSAGE } from '../../src/twin/ops/organizations.js';
import type { CallContext } from '../../src/twin/protocol.js';
import { buildScenario } from '../../src/twin/scenario.js';
import type { World } from '../../src/twin/world.js';
import { awsCli, cliErrorCode, referee } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

const TARGET = 'AWSOrganizationsV20161128.DescribeOrganization';

/** Three accounts in one organization (the first manages it) and a fourth outside it. */
function orgWorld(): World {
  const world = buildScenario({ scenario: 'direct', vpcs: 4, accounts: 4, seed: 'org-test', delayScale: 0.01, organization: 'sharing-enabled' });
  world.organization!.accountIds = world.accounts.slice(0, 3).map((a) => a.id);
  return world;
}

function ctxFor(world: World, accountId: string): CallContext {
  return { world, now: Date.UTC(2026, 0, 1), accountId, region: 'us-east-1', requestId: 'req-1', delayFactor: 1, takeFault: () => false };
}


/** What a member of the world's organization must be told. */
function expectedOrganization(world: World) {
  const org = world.organization!;
  const mgmt = org.managementAccountId;
  return {
    Id: org.id,
    Arn: `arn:aws:organizations::${mgmt}:organization/${org.id}`,
    FeatureSet: 'ALL',
    MasterAccountArn: `arn:aws:organizations::${mgmt}:account/${org.id}/${mgmt}`,
    MasterAccountId: mgmt,
    MasterAccountEmail: expect.stringMatching(/^[^\s@]+@[^\s@]+\.[^\s@]+$/),
    AvailablePolicyTypes: [],
  };
}

describe('Organizations ops: DescribeOrganization', () => {
  it('a member account gets its organization: ids and ARNs of the management account [model Organization; OrganizationArn, AccountArn patterns]', () => {
    const world = orgWorld();
    const spoke = world.accounts[1]!.id;
    const out = describeOrganization(ctxFor(world, spoke), {});
    expect(out).toEqual({ Organization: expectedOrganization(world) });
    expect(out.Organization.Id).toMatch(/^o-[a-z0-9]{10,32}$/);
    expect(out.Organization.Arn).toMatch(/^arn:aws:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/);
    expect(out.Organization.MasterAccountArn).toMatch(/^arn:aws:organizations::\d{12}:account\/o-[a-z0-9]{10,32}\/\d{12}$/);
    expect(out.Organization.MasterAccountEmail.length).toBeLessThanOrEqual(64);
  });

  it('the management account gets the same answer ("You can call this operation from any account in a organization") [API DescribeOrganization]', () => {
    const world = orgWorld();
    const mgmt = world.organization!.managementAccountId;
    expect(mgmt).toBe(world.accounts[0]!.id);
    expect(describeOrganization(ctxFor(world, mgmt), {})).toEqual(describeOrganization(ctxFor(world, world.accounts[2]!.id), {}));
  });

  it('the email the world names is the one reported', () => {
    const world = orgWorld();
    world.organization!.managementAccountEmail = 'root@example.org';
    expect(describeOrganization(ctxFor(world, world.accounts[1]!.id), {}).Organization.MasterAccountEmail).toBe('root@example.org');
  });

  it('an account outside the organization: AWSOrganizationsNotInUseException, HTTP 400, "Your account is not a member of an organization." [model errors; cloud-custodian#8106; secure-baseline#70]', () => {
    const world = orgWorld();
    const err = errorOf(() => describeOrganization(ctxFor(world, world.accounts[3]!.id), {}));
    expect(err.code).toBe('AWSOrganizationsNotInUseException');
    expect(err.httpStatus).toBe(400);
    expect(err.message).toBe('Your account is not a member of an organization.');
    expect(err.message).toBe(NOT_IN_USE_MESSAGE);
  });

  it('no organization in the world: every account gets AWSOrganizationsNotInUseException', () => {
    const world = buildScenario({ scenario: 'direct', vpcs: 3, accounts: 2, seed: 'org-none', delayScale: 0.01 });
    expect(world.organization).toBeUndefined();
    for (const a of world.accounts) expect(errorOf(() => describeOrganization(ctxFor(world, a.id), {})).code).toBe('AWSOrganizationsNotInUseException');
  });
});

describe('Organizations over HTTP (JSON 1.1, signing name organizations)', () => {
  let twin: TestTwin;
  let world: World;
  const creds = (i: number) => ({ accessKeyId: world.accounts[i]!.accessKeyId, secretAccessKey: world.accounts[i]!.secretAccessKey });

  /** A request signed as the SDKs sign it: POST / with X-Amz-Target, for any region. */
  async function call(i: number, target = TARGET, region = 'us-east-1', body = '{}') {
    const url = new URL(twin.url);
    const signer = new SignatureV4({ service: 'organizations', region, credentials: creds(i), sha256: Sha256 });
    const headers = { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target };
    const signed = await signer.sign({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', headers, body });
    const res = await fetch(`${twin.url}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined, text };
  }

  beforeAll(async () => {
    world = orgWorld();
    twin = await startTestTwin({ world });
  });
  afterAll(async () => {
    await twin?.close();
  });
  afterEach(() => twin.twin.setPolicy(world.accounts[1]!.id, undefined));

  it('POST / with X-Amz-Target AWSOrganizationsV20161128.DescribeOrganization → 200 application/x-amz-json-1.1, signed for us-east-1 or any other region [model metadata; endpoint rule set]', async () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const r = await call(1, TARGET, region);
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(r.headers.get('x-amzn-requestid')).toBeTruthy();
      expect(r.json).toEqual({ Organization: expectedOrganization(world) });
    }
    expect(twin.twin.log.at(-1)).toMatchObject({ service: 'organizations', operation: 'DescribeOrganization', mutating: false, outcome: 'ok' });
  });

  it('an outsider: HTTP 400 {"__type": "AWSOrganizationsNotInUseException", "Message": ...} [model: error shapes have Message]', async () => {
    const r = await call(3);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ __type: 'AWSOrganizationsNotInUseException', Message: 'Your account is not a member of an organization.' });
  });

  it('an unsigned request still gets a JSON 1.1 answer: 400 MissingAuthenticationTokenException', async () => {
    const res = await fetch(`${twin.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET }, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect((await res.json()).__type).toBe('MissingAuthenticationTokenException');
  });

  it('an operation the twin does not serve: UnknownOperationException, 400', async () => {
    const r = await call(1, 'AWSOrganizationsV20161128.ListAccounts');
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('UnknownOperationException');
  });

  it('IAM: organizations:DescribeOrganization on "*" is required; without it AccessDeniedException "You don\'t have permissions to access this resource." [SAR; prowler#2133]', async () => {
    const spoke = world.accounts[1]!.id;
    twin.twin.setPolicy(spoke, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'route53:*', Resource: '*' }] });
    const denied = await call(1);
    expect(denied.status).toBe(400);
    expect(denied.json).toEqual({ __type: 'AccessDeniedException', Message: "You don't have permissions to access this resource." });
    expect(twin.twin.log.at(-1)).toMatchObject({ outcome: 'denied', denied: { action: 'organizations:DescribeOrganization', resource: '*' } });
    twin.twin.setPolicy(spoke, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'organizations:DescribeOrganization', Resource: '*' }] });
    expect((await call(1)).status).toBe(200);
  });

  it('the v3 SDK (@aws-sdk/client-organizations) parses the answer and the error', async () => {
    const client = (i: number) => new OrganizationsClient({ endpoint: twin.url, region: 'us-east-1', credentials: creds(i), maxAttempts: 1 });
    const member = client(2);
    const outsider = client(3);
    try {
      const out = await member.send(new DescribeOrganizationCommand({}));
      expect(out.Organization).toEqual(expectedOrganization(world));
      const err = await outsider.send(new DescribeOrganizationCommand({})).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('AWSOrganizationsNotInUseException');
      expect((err as Error).message).toBe('Your account is not a member of an organization.');
      expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
    } finally {
      member.destroy();
      outsider.destroy();
    }
  });
});

const available = referee('aws', 'AWS CLI fidelity (Organizations)');

describe.skipIf(!available)('Organizations through the AWS CLI', () => {
  let twin: TestTwin;
  let world: World;
  const cli = (i: number, region?: string) => ({ ...twin.cli(world.accounts[i]!), ...(region ? { region } : {}) });

  beforeAll(async () => {
    world = orgWorld();
    twin = await startTestTwin({ world });
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('aws organizations describe-organization from a member account (and signed for another region) [API DescribeOrganization]', async () => {
    for (const region of ['us-east-1', 'us-west-2']) {
      const r = await awsCli(['organizations', 'describe-organization'], cli(1, region));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.json).toEqual({ Organization: expectedOrganization(world) });
    }
  });

  it('from an account outside it: (AWSOrganizationsNotInUseException) ... Your account is not a member of an organization. [cloud-custodian#8106]', async () => {
    const r = await awsCli(['organizations', 'describe-organization'], cli(3));
    expect(r.code).not.toBe(0);
    expect(cliErrorCode(r.stderr), r.stderr).toBe('AWSOrganizationsNotInUseException');
    expect(r.stderr).toMatch(/when calling the DescribeOrganization operation( \(reached max retries: \d+\))?: Your account is not a member of an organization\./);
  });
});
