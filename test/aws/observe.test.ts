// Discovery against a running sandbox: the World it returns is what the twin holds, it makes no
// mutating call, it pages through long lists, and it says plainly what is missing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AwsAccess } from '../../src/aws/access.js';
import { observe, observeSettling } from '../../src/aws/observe.js';
import { hostedZoneArn } from '../../src/aws/world.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/schema.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/twin/sandbox.js';

const savedEnv = { ...process.env };
const open: { sb: Sandbox; dir: string; access: AwsAccess }[] = [];

async function estate(opts: Partial<SandboxOptions>) {
  const dir = mkdtempSync(join(tmpdir(), 'r53m-observe-'));
  const sb = await startSandbox({
    scenario: 'direct',
    vpcs: 4,
    endpoints: 2,
    accounts: 3,
    seed: 'observe',
    region: 'us-east-1',
    delayScale: 0.01,
    dir,
    host: '127.0.0.1',
    port: 0,
    rateLimits: 'off',
    ...opts,
  });
  process.env.AWS_CONFIG_FILE = sb.info.awsConfigFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = sb.info.awsCredentialsFile;
  process.env.AWS_ENDPOINT_URL = sb.info.endpointUrl;
  const { plan } = await loadPlan(sb.info.planFile);
  const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
  open.push({ sb, dir, access });
  return { sb, plan, access };
}

afterEach(async () => {
  for (const { sb, dir, access } of open.splice(0)) {
    access.destroy();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
afterAll(() => {
  process.env = savedEnv;
});

describe('observe(plan)', () => {
  it('a direct estate (path A) in 3 accounts: zones on every VPC, endpoints with their service names and ENI IPs, nothing on the Profile', async () => {
    const { sb, plan, access } = await estate({});
    const before = sb.server.twin.log.length;
    const world = await observe(plan, access);
    const calls = sb.server.twin.log.slice(before);
    expect(calls.filter((c) => c.mutating)).toEqual([]);
    expect(calls.every((c) => c.outcome === 'ok' || c.errorCode === 'ResourceNotFoundException')).toBe(true);

    expect(Object.values(world.accounts)).toEqual(sb.info.accounts.map((a) => a.id));
    expect(world.profile).toMatchObject({ id: sb.info.profileId, shareStatus: 'SHARED_BY_ME', resources: [] });
    for (const v of sb.info.vpcs) {
      expect(world.vpcs[v.id]).toMatchObject({ exists: true, accountId: v.accountId, profileVisible: true });
      expect(world.vpcs[v.id]!.profileAssociation).toBeUndefined();
    }
    for (const z of sb.world.zones) {
      const oz = world.zones[z.id]!;
      expect(oz.exists).toBe(true);
      if (!oz.exists) continue;
      expect(oz.name).toBe(z.name);
      expect(oz.privateZone).toBe(true);
      expect(oz.vpcs.map((v) => v.vpcId).sort()).toEqual(sb.info.vpcs.map((v) => v.id).sort());
      expect(oz.records.filter((r) => r.alias).map((r) => r.name).sort()).toEqual(z.records.filter((r) => r.alias).map((r) => r.name).sort());
    }
    const s3 = Object.values(world.endpoints).find((e) => e.exists && e.serviceName.endsWith('.s3'));
    expect(s3).toMatchObject({ exists: true, state: 'available', privateDnsEnabled: false, supportsPrivateDns: true });
    if (s3?.exists) {
      expect([...s3.privateDnsNames].sort()).toEqual(['*.s3.us-east-1.amazonaws.com', 's3.us-east-1.amazonaws.com']);
      expect([...s3.eniIps].sort()).toEqual(sb.info.names.find((n) => n.endpointId === s3.id)!.ips.sort());
      expect(s3.arn).toBe(`arn:aws:ec2:us-east-1:${sb.info.accounts[0]!.id}:vpc-endpoint/${s3.id}`);
    }
  });

  it('a via-profile estate (path B): zones held by the Profile, every VPC associated', async () => {
    const { sb, plan, access } = await estate({ scenario: 'via-profile' });
    const world = await observe(plan, access);
    expect(world.profile!.resources.map((r) => [r.resourceArn, r.status]).sort()).toEqual(sb.world.zones.map((z) => [hostedZoneArn(z.id), 'COMPLETE']).sort());
    for (const v of sb.info.vpcs) expect(world.vpcs[v.id]!.profileAssociation).toMatchObject({ profileId: sb.info.profileId, status: 'COMPLETE' });
  });

  it('pages through 250 VPC associations (ListProfileAssociations, 100 a page)', async () => {
    const { sb, plan, access } = await estate({ scenario: 'via-profile', vpcs: 251, endpoints: 1, accounts: 1 });
    const before = sb.server.twin.log.length;
    const world = await observe(plan, access);
    expect(Object.values(world.vpcs).filter((v) => v.profileAssociation?.status === 'COMPLETE')).toHaveLength(251);
    const listCalls = sb.server.twin.log.slice(before).filter((c) => c.operation === 'ListProfileAssociations');
    expect(listCalls).toHaveLength(3); // 100 + 100 + 51, and no per-VPC lookups
  });

  it('what does not exist is reported as missing, not as an error', async () => {
    const { plan, access } = await estate({});
    const edited: Plan = {
      ...plan,
      spokes: [...plan.spokes.slice(0, -1), { id: 'vpc-0000000000000dead', account: plan.spokes.at(-1)!.account }],
      endpoints: [{ id: 'vpce-0000000000000dead', zones: ['Z000000000000000DEAD'] }, ...plan.endpoints],
    };
    const world = await observe(edited, access);
    expect(world.vpcs['vpc-0000000000000dead']!.exists).toBe(false);
    expect(world.endpoints['vpce-0000000000000dead']).toEqual({ id: 'vpce-0000000000000dead', exists: false });
    expect(world.zones['Z000000000000000DEAD']).toEqual({ id: 'Z000000000000000DEAD', exists: false });
  });

  it("a zone gone from the account that held it is gone: with that account as a hint, one GetHostedZone, not one per account", async () => {
    const { sb, plan, access } = await estate({});
    const zoneId = plan.endpoints[0]!.zones[0]!;
    const owner = (await observe(plan, access, { scope: 'progress' })).zones[zoneId]!;
    expect(owner.exists).toBe(true);
    const account = owner.exists ? owner.account : '';
    sb.server.twin.world.zones = sb.server.twin.world.zones.filter((z) => z.id !== zoneId);
    const asked = async (zoneOwners?: Record<string, string>) => {
      const before = sb.server.twin.log.length;
      const world = await observe(plan, access, { scope: 'progress', ...(zoneOwners ? { zoneOwners } : {}) });
      expect(world.zones[zoneId]).toEqual({ id: zoneId, exists: false });
      return sb.server.twin.log.slice(before).filter((l) => l.operation === 'GetHostedZone' && (l.path + (l.body ?? '')).includes(zoneId)).length;
    };
    expect(await asked()).toBe(Object.keys(plan.accounts).length);
    expect(await asked({ [zoneId]: account })).toBe(1);
  });

  it("a converge poll of Profile associations (observeSettling) reads them alone: one ListProfileAssociations page per account asked, the rest of the world as the batch's", async () => {
    const { sb, plan, access } = await estate({ accounts: 3, vpcs: 4 });
    const base = await observe(plan, access, { scope: 'progress' });
    const vpc = plan.spokes[0]!;
    const accountId = base.accounts[vpc.account]!;
    sb.world.profileAssociations.push({
      id: 'rpassoc-00000000000settle',
      name: 'settling',
      ownerId: accountId,
      profileId: plan.profile.id,
      resourceId: vpc.id,
      status: 'CREATING',
      statusMessage: '',
      creationTime: Date.now(),
      modificationTime: Date.now(),
      tags: {},
    });
    // Meanwhile a zone loses a VPC: not what this poll reads (the next batch's observation does).
    const zoneId = plan.endpoints[0]!.zones[0]!;
    const zone = sb.server.twin.world.zones.find((z) => z.id === zoneId)!;
    zone.vpcs = zone.vpcs.filter((v) => v.vpcId !== plan.spokes[1]!.id);
    const before = sb.server.twin.log.length;
    const settled = await observeSettling(plan, access, base, { vpcAccounts: [vpc.account], resources: false, endpoints: false });
    const calls = sb.server.twin.log.slice(before);
    expect(calls.map((c) => c.operation)).toEqual(['ListProfileAssociations']);
    expect(settled.vpcs[vpc.id]!.profileAssociation).toMatchObject({ profileId: plan.profile.id, status: 'CREATING' });
    expect(settled.zones).toEqual(base.zones);
    // What it read agrees with a whole observation's reading of the same facts.
    const whole = await observe(plan, access, { scope: 'progress' });
    for (const v of plan.spokes.filter((s) => s.account === vpc.account)) expect(settled.vpcs[v.id]).toEqual(whole.vpcs[v.id]);
    // Resources and endpoints when the batch moves them: the Profile's resource list, the endpoints.
    const more = sb.server.twin.log.length;
    const again = await observeSettling(plan, access, settled, { vpcAccounts: [], resources: true, endpoints: true });
    expect(new Set(sb.server.twin.log.slice(more).map((c) => c.operation))).toEqual(new Set(['GetProfile', 'ListProfileResourceAssociations', 'DescribeVpcEndpoints', 'DescribeNetworkInterfaces', 'DescribeVpcEndpointServices']));
    expect(again.profile).toEqual(whole.profile);
    expect(again.endpoints).toEqual(whole.endpoints);
    expect(Object.isFrozen(again.vpcs)).toBe(true);
  });

  it('a VPC on another Profile is seen as such', async () => {
    const { sb, plan, access } = await estate({ accounts: 1 });
    const other = { ...sb.world.profiles[0]!, id: 'rp-00000000000othr', arn: 'arn:other', sharedWith: [] };
    sb.world.profiles.push(other);
    const vpcId = plan.spokes[0]!.id;
    sb.world.profileAssociations.push({
      id: 'rpassoc-0000000000000othr',
      name: 'elsewhere',
      ownerId: sb.world.accounts[0]!.id,
      profileId: other.id,
      resourceId: vpcId,
      status: 'COMPLETE',
      statusMessage: '',
      creationTime: Date.now(),
      modificationTime: Date.now(),
      tags: {},
    });
    const world = await observe(plan, access);
    expect(world.vpcs[vpcId]!.profileAssociation).toMatchObject({ profileId: other.id, status: 'COMPLETE' });
  });

  it('the World is immutable', async () => {
    const { plan, access } = await estate({ accounts: 1, vpcs: 2, endpoints: 1 });
    const world = await observe(plan, access);
    expect(() => {
      (world.vpcs as Record<string, unknown>)['vpc-x'] = {};
    }).toThrow(TypeError);
  });
});
