// The cloud access layer against a running sandbox over HTTP: credentials per plan account,
// typed errors from real twin errors, retries inside the budget, mutations that re-observe
// before repeating, and call logs without secrets. No mocks of our own code.
import { DescribeVpcEndpointsCommand, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import { AssociateVPCWithHostedZoneCommand, DisassociateVPCFromHostedZoneCommand, GetHostedZoneCommand, ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccess } from '../../src/aws/access.js';
import {
  AccessDeniedError,
  AlreadyExistsError,
  ConflictError,
  InvalidInputError,
  LastAssociationError,
  NotAuthorizedError,
  NotFoundError,
  ServiceFailureError,
  ThrottledError,
} from '../../src/aws/errors.js';
import { AssociateProfileCommand, ListProfileAssociationsCommand } from '../../src/aws/route53profiles/index.js';
import type { PlanAccount } from '../../src/plan/schema.js';
import { AWS_RATE_LIMITS } from '../../src/twin/ratelimit.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';

let sb: Sandbox;
let dir: string;
const logLines: Record<string, unknown>[] = [];
const savedEnv = { ...process.env };

const fault = (spec: object) => fetch(`${sb.info.endpointUrl}/_twin/faults`, { method: 'POST', body: JSON.stringify(spec) });

function accessFor(accounts: Record<string, PlanAccount>, extra: Partial<ConstructorParameters<typeof AwsAccess>[0]> = {}) {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      cb();
    },
  });
  return new AwsAccess({ region: 'us-east-1', accounts, logger: pino({ level: 'debug' }, sink), retry: { baseDelayMs: 20, maxDelayMs: 200 }, ...extra });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r53m-access-'));
  sb = await startSandbox({
    scenario: 'direct',
    vpcs: 4,
    endpoints: 1,
    accounts: 3,
    seed: 'access',
    region: 'us-east-1',
    delayScale: 0.01,
    dir,
    host: '127.0.0.1',
    port: 0,
    rateLimits: AWS_RATE_LIMITS,
  });
  // What a user does: point the SDK at the sandbox's files and endpoint.
  process.env.AWS_CONFIG_FILE = sb.info.awsConfigFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = sb.info.awsCredentialsFile;
  process.env.AWS_ENDPOINT_URL = sb.info.endpointUrl;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});

afterAll(async () => {
  process.env = savedEnv;
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

const acct = (i: number) => sb.info.accounts[i]!;
const threeAccounts = (): Record<string, PlanAccount> => ({
  shared: { profile: acct(0).profile, accountId: acct(0).id },
  spokes1: { assumeRole: { roleArn: acct(1).roleArn, sessionName: 'r53migrate', sourceProfile: acct(0).profile } },
  spokes2: { profile: acct(2).profile },
});

describe('credentials per plan account', () => {
  it('a named profile, an assumed role (from a base profile) and another profile act as their own accounts', async () => {
    const access = accessFor(threeAccounts());
    expect(await access.accountId('shared')).toBe(acct(0).id);
    expect(await access.accountId('spokes1')).toBe(acct(1).id);
    expect(await access.accountId('spokes2')).toBe(acct(2).id);
    // The role's calls reach the twin as the role's account, with temporary keys.
    const before = sb.server.twin.log.length;
    await access.read('spokes1', 'route53', new ListHostedZonesCommand({}));
    const entry = sb.server.twin.log.slice(before).find((e) => e.operation === 'ListHostedZones')!;
    expect(entry.accountId).toBe(acct(1).id);
    expect(entry.accessKeyId).toMatch(/^ASIA/);
    access.destroy();
  });

  it('credentials that belong to another account than the plan says: AccessDeniedError naming both, nothing changed', async () => {
    const access = accessFor({ shared: { profile: acct(2).profile, accountId: acct(0).id } });
    const err = await access.accountId('shared').catch((e) => e);
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect(err.message).toBe(`the credentials for account shared belong to AWS account ${acct(2).id}, but the plan says ${acct(0).id}: fix the plan's profile/role for shared (nothing was changed)`);
    access.destroy();
  });

  it('unknown keys: AccessDeniedError that says the credentials were rejected', async () => {
    const saved = [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY];
    process.env.AWS_ACCESS_KEY_ID = 'AKIAUNKNOWN000000000';
    process.env.AWS_SECRET_ACCESS_KEY = 'x'.repeat(40);
    try {
      const access = accessFor({ shared: {} });
      const err = await access.read('shared', 'route53', new ListHostedZonesCommand({})).catch((e) => e);
      expect(err).toBeInstanceOf(AccessDeniedError);
      expect(err.message).toMatch(/^the credentials for account shared were rejected \(InvalidClientTokenId\)/);
      access.destroy();
    } finally {
      [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY] = saved as [string, string];
      if (!saved[0]) delete process.env.AWS_ACCESS_KEY_ID;
      if (!saved[1]) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });
});

describe('typed errors from real twin errors, with a message that says what to do', () => {
  const vpc = (i: number) => sb.world.vpcs[i]!;
  const zone = () => sb.world.zones[0]!;

  it('NotFoundError: an unknown zone', async () => {
    const access = accessFor(threeAccounts());
    const err = await access.read('shared', 'route53', new GetHostedZoneCommand({ Id: 'ZNOSUCHZONE000000000' }), { target: 'ZNOSUCHZONE000000000' }).catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.awsCode).toBe('NoSuchHostedZone');
    expect(err.requestId).toMatch(/[0-9a-f-]{36}/);
    expect(err.message).toMatch(/^ZNOSUCHZONE000000000 was not found calling route53:GetHostedZone as account shared/);
  });

  it('AccessDeniedError: reading another account\'s zone names the IAM action to grant', async () => {
    const access = accessFor(threeAccounts());
    const err = await access.read('spokes2', 'route53', new GetHostedZoneCommand({ Id: zone().id }), { target: zone().id }).catch((e) => e);
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect(err.message).toMatch(/^account spokes2 is not allowed route53:GetHostedZone on Z\w+: add it to the policy of the identity r53migrate uses for this account \(`r53migrate iam-policy PLAN` prints everything each account needs\)/);
  });

  it('ConflictError: a second association of the same VPC (ConflictingDomainExists) names the VPC and zone', async () => {
    const access = accessFor(threeAccounts());
    const err = await access
      .mutate('shared', 'route53', new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone().id, VPC: { VPCId: vpc(0).id, VPCRegion: 'us-east-1' } }), { target: zone().id })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.awsCode).toBe('ConflictingDomainExists');
    expect(err.message).toContain(vpc(0).id);
  });

  it('NotAuthorizedError: associating another account\'s VPC without an authorization', async () => {
    const access = accessFor(threeAccounts());
    const spokeVpc = sb.world.vpcs.find((v) => v.ownerId === acct(1).id)!;
    await access.mutate('spokes1', 'route53', new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: zone().id, VPC: { VPCId: spokeVpc.id, VPCRegion: 'us-east-1' } }));
    const err = await access
      .mutate('spokes1', 'route53', new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone().id, VPC: { VPCId: spokeVpc.id, VPCRegion: 'us-east-1' } }), { target: spokeVpc.id })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NotAuthorizedError);
    expect(err.message).toMatch(/until the zone's owner authorizes it \(CreateVPCAssociationAuthorization\)/);
  });

  it('LastAssociationError: a zone cannot lose its last VPC', async () => {
    const access = accessFor(threeAccounts());
    const z = zone();
    const owners = new Map(sb.world.vpcs.map((v) => [v.id, v.ownerId]));
    const nameOf = (id: string) => ['shared', 'spokes1', 'spokes2'][sb.info.accounts.findIndex((a) => a.id === owners.get(id))]!;
    const vpcs = [...z.vpcs];
    for (const v of vpcs.slice(0, -1)) {
      await access.mutate(nameOf(v.vpcId), 'route53', new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: z.id, VPC: { VPCId: v.vpcId, VPCRegion: 'us-east-1' } }));
    }
    const last = vpcs[vpcs.length - 1]!;
    const err = await access
      .mutate(nameOf(last.vpcId), 'route53', new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: z.id, VPC: { VPCId: last.vpcId, VPCRegion: 'us-east-1' } }), { target: z.id })
      .catch((e) => e);
    expect(err).toBeInstanceOf(LastAssociationError);
    expect(err.message).toMatch(/would lose its last VPC association/);
  });

  it('AlreadyExistsError: associating a VPC with the Profile twice', async () => {
    const access = accessFor(threeAccounts());
    const input = { ProfileId: sb.info.profileId, ResourceId: vpc(0).id, Name: 'twice' };
    await access.mutate('shared', 'route53profiles', new AssociateProfileCommand(input));
    const err = await access.mutate('shared', 'route53profiles', new AssociateProfileCommand(input)).catch((e) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect(err.awsCode).toBe('ResourceExistsException');
  });

  it('InvalidInputError: a malformed endpoint id', async () => {
    const access = accessFor(threeAccounts());
    const err = await access.mutate('shared', 'ec2', new ModifyVpcEndpointCommand({ VpcEndpointId: 'vpce-nope', PrivateDnsEnabled: true })).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.awsCode).toBe('InvalidVpcEndpointId.Malformed');
  });

  it('ThrottledError and ServiceFailureError surface only after the retry budget is spent', async () => {
    // Throttles are waited out for maxThrottleWaitMs of backoff (5, 5, 5, 5 at the longest
    // jitter: four retries); other failures get maxAttempts.
    const access = accessFor(threeAccounts(), { random: () => 1, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 5, maxThrottleWaitMs: 20 } });
    await fault({ kind: 'throttle', operation: 'DescribeVpcEndpoints', count: 5 });
    expect(await access.read('shared', 'ec2', new DescribeVpcEndpointsCommand({})).catch((e) => e)).toBeInstanceOf(ThrottledError);
    await fault({ kind: 'error', operation: 'DescribeVpcEndpoints', count: 3 });
    const err = await access.read('shared', 'ec2', new DescribeVpcEndpointsCommand({})).catch((e) => e);
    expect(err).toBeInstanceOf(ServiceFailureError);
    expect(err.message).toMatch(/this is on AWS's side/);
  });
});

describe('retries inside the budget', () => {
  it('a throttling burst is absorbed: no error surfaces, and the twin never sees more than AWS allows', async () => {
    const access = accessFor(threeAccounts());
    await access.accountId('spokes2');
    const before = sb.server.twin.log.length;
    await fault({ kind: 'throttle', service: 'route53', accountId: acct(2).id, count: 4 });
    const results = await Promise.all(Array.from({ length: 60 }, () => access.read('spokes2', 'route53', new ListHostedZonesCommand({}))));
    expect(results).toHaveLength(60);
    const calls = sb.server.twin.log.slice(before).filter((e) => e.accountId === acct(2).id && e.service === 'route53');
    // only the injected throttles: the twin's own AWS-rate buckets never tripped
    expect(calls.filter((e) => e.outcome === 'throttled')).toHaveLength(4);
    expect(calls.filter((e) => e.outcome === 'ok')).toHaveLength(60);
    // and from the twin's timestamps: no 1-second window holds more than burst + 1 s of refill
    const times = calls.map((e) => e.at).sort((a, b) => a - b);
    let maxInWindow = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      maxInWindow = Math.max(maxInWindow, i - j + 1);
    }
    expect(maxInWindow).toBeLessThanOrEqual(50 + 10);
  });

  it('a mutation whose reply was lost is re-observed, found applied, and not sent again', async () => {
    const access = accessFor(threeAccounts(), { requestTimeoutMs: 300 });
    const spokeVpc = sb.world.vpcs.find((v) => v.ownerId === acct(2).id)!;
    await fault({ kind: 'hold', operation: 'AssociateProfile', phase: 'after', count: 1 });
    const isAssociated = async () => {
      const out = await access.read('spokes2', 'route53profiles', new ListProfileAssociationsCommand({ ResourceId: spokeVpc.id }));
      return (out.ProfileAssociations ?? []).some((a) => a.ProfileId === sb.info.profileId);
    };
    const before = sb.server.twin.log.length;
    const result = await access.mutate(
      'spokes2',
      'route53profiles',
      new AssociateProfileCommand({ ProfileId: sb.info.profileId, ResourceId: spokeVpc.id, Name: 'lost-reply' }),
      { verify: isAssociated, target: spokeVpc.id },
    );
    sb.server.twin.release();
    expect(result.status).toBe('already-done');
    await new Promise((r) => setTimeout(r, 50));
    const sent = sb.server.twin.log.slice(before).filter((e) => e.operation === 'AssociateProfile');
    expect(sent).toHaveLength(1);
  });

  it('without verify, a mutation that may have reached AWS is not repeated', async () => {
    const access = accessFor(threeAccounts());
    await fault({ kind: 'error', operation: 'ModifyVpcEndpoint', count: 1 });
    const before = sb.server.twin.log.length;
    const err = await access.mutate('shared', 'ec2', new ModifyVpcEndpointCommand({ VpcEndpointId: sb.world.endpoints[0]!.id, PrivateDnsEnabled: false })).catch((e) => e);
    expect(err).toBeInstanceOf(ServiceFailureError);
    expect(sb.server.twin.log.slice(before).filter((e) => e.operation === 'ModifyVpcEndpoint')).toHaveLength(1);
  });
});

describe('observability', () => {
  it('every call is logged once with account, operation, latency, request id and attempts; no secret appears (test/aws/logging.test.ts has the details)', () => {
    const calls = logLines.filter((l) => l.msg === 'aws call');
    expect(calls.length).toBeGreaterThan(20);
    for (const c of calls) {
      expect(c).toMatchObject({ account: expect.any(String), service: expect.any(String), operation: expect.any(String), latencyMs: expect.any(Number), attempts: expect.any(Number) });
    }
    expect(calls.some((c) => typeof c.requestId === 'string')).toBe(true);
    const text = JSON.stringify(logLines);
    for (const a of sb.info.accounts) expect(text).not.toContain(a.secretAccessKey);
    for (const s of sb.world.sessions) {
      expect(text).not.toContain(s.secretAccessKey);
      expect(text).not.toContain(s.sessionToken);
    }
  });
});

describe('endpoint overrides as the SDKs define them', () => {
  it('service-specific AWS_ENDPOINT_URL_<SERVICE> beats AWS_ENDPOINT_URL for every client', async () => {
    const saved = { ...process.env };
    // A generic endpoint where nothing listens: only the service-specific ones can work.
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    process.env.AWS_ENDPOINT_URL_ROUTE_53 = sb.info.endpointUrl;
    process.env.AWS_ENDPOINT_URL_EC2 = sb.info.endpointUrl;
    process.env.AWS_ENDPOINT_URL_ROUTE53PROFILES = sb.info.endpointUrl;
    process.env.AWS_ENDPOINT_URL_STS = sb.info.endpointUrl;
    try {
      const access = accessFor({ shared: { profile: acct(0).profile } });
      await expect(access.accountId('shared')).resolves.toBe(acct(0).id);
      await expect(access.read('shared', 'route53', new ListHostedZonesCommand({}))).resolves.toBeDefined();
      await expect(access.read('shared', 'ec2', new DescribeVpcEndpointsCommand({}))).resolves.toBeDefined();
      await expect(access.read('shared', 'route53profiles', new ListProfileAssociationsCommand({}))).resolves.toBeDefined();
      access.destroy();
      // and without them, the dead generic endpoint is really used (the test can fail)
      delete process.env.AWS_ENDPOINT_URL_ROUTE_53;
      const dead = accessFor({ shared: { profile: acct(0).profile } }, { retry: { maxAttempts: 1 } });
      await expect(dead.read('shared', 'route53', new ListHostedZonesCommand({}))).rejects.toBeInstanceOf(ServiceFailureError);
      dead.destroy();
    } finally {
      process.env = saved;
    }
  });
});
