// The seven steps (DESIGN §2) driven through the twin's own operations on a built scenario, with
// the live per-VPC resolvers answering after every call and after every lifecycle settles: no VPC
// may ever lose the endpoint. Facts: aws-api.md §4 (runbook), DESIGN §2 and §4.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import type { CallContext } from '../../src/twin/protocol.js';
import type { World } from '../../src/twin/world.js';
import { advance, endpointArn, hostedZoneArn } from '../../src/twin/world.js';
import { buildScenario } from '../../src/twin/scenario.js';
import type { ScenarioName } from '../../src/twin/scenario.js';
import { resolveInVpc } from '../../src/twin/resolution.js';
import type { ResolutionSource } from '../../src/twin/resolution.js';
import { startVpcResolvers } from '../../src/twin/dns-server.js';
import type { VpcResolvers } from '../../src/twin/dns-server.js';
import { associateVpcWithHostedZone, changeResourceRecordSets, deleteHostedZone, disassociateVpcFromHostedZone } from '../../src/twin/ops/route53.js';
import { associateProfile, associateResourceToProfile, disassociateResourceFromProfile } from '../../src/twin/ops/profiles.js';
import { modifyVpcEndpoint } from '../../src/twin/ops/ec2.js';
import { queryUdp } from '../support/dns.js';

let open: VpcResolvers[] = [];
afterEach(async () => {
  await Promise.all(open.map((r) => r.close()));
  open = [];
});

async function estate(scenario: ScenarioName) {
  // Lambda (one exact name) and S3 (apex + wildcard in one zone); one account keeps it simple.
  const world = buildScenario({ scenario, vpcs: 3, endpoints: 2, accounts: 1, seed: 'dns-steps', region: 'us-east-1', delayScale: 0.01 });
  const clock = new ManualClock(Date.UTC(2026, 0, 2));
  const resolvers = await startVpcResolvers({ world: () => world, now: () => clock.now() });
  open.push(resolvers);
  const [S, ...spokes] = world.vpcs.map((v) => v.id);
  const account = world.accounts[0]!.id;
  const profileId = world.profiles[0]!.id;
  const ctx = (): CallContext => {
    advance(world, clock.now());
    return { world, now: clock.now(), accountId: account, region: world.region, requestId: 'dns-steps', delayFactor: 1, takeFault: () => false };
  };
  const settle = (): void => clock.advance(Math.max(...Object.values(world.delays)) + 1);
  return { world, clock, resolvers, S: S!, spokes, keeper: spokes[spokes.length - 1]!, account, profileId, ctx, settle };
}

/** Every Private DNS name of every endpoint (a wildcard as a sample bucket name) and its ENI IPs. */
function expectations(world: World): { name: string; ips: string[] }[] {
  return world.endpoints.flatMap((ep) => {
    const ips = world.networkInterfaces.filter((n) => ep.networkInterfaceIds.includes(n.id)).map((n) => n.privateIp).sort();
    return ep.privateDnsNames.map((n) => ({ name: n.replace(/^\*/, 'my-bucket'), ips }));
  });
}

type Sources = (vpcId: string) => ResolutionSource;

async function expectNoGap(t: Awaited<ReturnType<typeof estate>>, label: string, sources: Sources): Promise<void> {
  advance(t.world, t.clock.now());
  for (const vpc of t.world.vpcs) {
    for (const { name, ips } of expectations(t.world)) {
      const pure = resolveInVpc(t.world, vpc.id, name, 'A', t.clock.now());
      const got = { label, vpc: vpc.name, name, rcode: pure.rcode, source: pure.source, ips: pure.answers.map((a) => a.data).sort() };
      expect(got).toEqual({ label, vpc: vpc.name, name, rcode: 'NOERROR', source: sources(vpc.id), ips });
      const addr = t.resolvers.addresses.get(vpc.id)!;
      const wire = await queryUdp(`${addr.host}:${addr.port}`, name, 'A', 2000);
      expect({ label, vpc: vpc.name, name, rcode: wire.rcode, ips: wire.addresses }).toEqual({ label, vpc: vpc.name, name, rcode: 'NOERROR', ips });
    }
  }
}

/** Steps 2–7, common to both paths once every spoke has Z directly and Z is on P. */
async function stepsTwoToSeven(t: Awaited<ReturnType<typeof estate>>): Promise<void> {
  const { world, S, spokes, keeper, profileId } = t;
  const zones = [...world.zones];
  const spoke = (v: string): boolean => v !== S;

  // Step 2: S leaves Z → S resolves via Z through P.
  for (const z of zones) disassociateVpcFromHostedZone(t.ctx(), { zoneId: z.id, vpc: { vpcId: S, vpcRegion: world.region } });
  await expectNoGap(t, 'step 2 (change pending)', (v) => (spoke(v) ? 'direct-zone' : 'profile-zone'));
  t.settle();
  await expectNoGap(t, 'step 2', (v) => (spoke(v) ? 'direct-zone' : 'profile-zone'));

  // Step 3: Private DNS on. During `pending`, S stays on P's Z; then on E's own zone.
  for (const ep of world.endpoints) modifyVpcEndpoint(t.ctx(), { vpcEndpointId: ep.id, privateDnsEnabled: true });
  await expectNoGap(t, 'step 3 (endpoint pending)', (v) => (spoke(v) ? 'direct-zone' : 'profile-zone'));
  t.settle();
  await expectNoGap(t, 'step 3', (v) => (spoke(v) ? 'direct-zone' : 'endpoint-own-vpc'));

  // Step 4: Z leaves P.
  for (const z of zones) disassociateResourceFromProfile(t.ctx(), { ProfileId: profileId, ResourceArn: hostedZoneArn(z) });
  await expectNoGap(t, 'step 4 (DELETING)', (v) => (spoke(v) ? 'direct-zone' : 'endpoint-own-vpc'));
  t.settle();
  await expectNoGap(t, 'step 4', (v) => (spoke(v) ? 'direct-zone' : 'endpoint-own-vpc'));

  // Step 5: E joins P (E goes pending meanwhile; its own Private DNS keeps answering).
  for (const ep of world.endpoints) associateResourceToProfile(t.ctx(), { ProfileId: profileId, ResourceArn: endpointArn(world, ep), Name: ep.id });
  await expectNoGap(t, 'step 5 (CREATING)', (v) => (spoke(v) ? 'direct-zone' : 'endpoint-own-vpc'));
  t.settle();
  await expectNoGap(t, 'step 5', (v) => (spoke(v) ? 'direct-zone' : 'endpoint-own-vpc'));

  // Step 6: every spoke but the keeper leaves Z → via E through P.
  for (const v of spokes.filter((x) => x !== keeper)) {
    for (const z of zones) disassociateVpcFromHostedZone(t.ctx(), { zoneId: z.id, vpc: { vpcId: v, vpcRegion: world.region } });
  }
  const afterSix: Sources = (v) => (v === S ? 'endpoint-own-vpc' : v === keeper ? 'direct-zone' : 'endpoint-profile');
  await expectNoGap(t, 'step 6', afterSix);
  t.settle();

  // Step 7: Z's records out, then Z deleted (taking the keeper's association with it).
  for (const z of zones) {
    const changes = z.records
      .filter((r) => r.type !== 'SOA' && r.type !== 'NS')
      .map((r) => ({ action: 'DELETE', recordSet: { name: r.name, type: r.type, ...(r.alias ? { alias: r.alias } : { ttl: r.ttl, values: r.values }) } }));
    changeResourceRecordSets(t.ctx(), { zoneId: z.id, changes });
    t.settle();
    deleteHostedZone(t.ctx(), { id: z.id });
  }
  t.settle();
  await expectNoGap(t, 'step 7', (v) => (v === S ? 'endpoint-own-vpc' : 'endpoint-profile'));
}

describe('the seven steps through the twin ops, resolvers answering throughout [DESIGN §2; aws-api.md §4 runbook]', () => {
  it('path A (direct): every VPC resolves every endpoint name to its ENIs after every call and every settled lifecycle', async () => {
    const t = await estate('direct');
    await expectNoGap(t, 'start', () => 'direct-zone');

    // Step 1: S and spokes on P, Z on P. Own associations keep answering throughout.
    for (const v of t.world.vpcs) associateProfile(t.ctx(), { ProfileId: t.profileId, ResourceId: v.id, Name: v.name });
    for (const z of [...t.world.zones]) associateResourceToProfile(t.ctx(), { ProfileId: t.profileId, ResourceArn: hostedZoneArn(z), Name: z.id });
    await expectNoGap(t, 'step 1 (CREATING)', () => 'direct-zone');
    t.settle();
    await expectNoGap(t, 'step 1', () => 'direct-zone');

    await stepsTwoToSeven(t);
  });

  it('path B (via-profile): spokes move from the Profile\'s Z to a direct Z (step 1), then the same steps 2–7 with no gap', async () => {
    const t = await estate('via-profile');
    await expectNoGap(t, 'start', (v) => (v === t.S ? 'direct-zone' : 'profile-zone'));

    // Step 1: Z directly on every spoke; own associations now answer before the Profile's.
    for (const v of t.spokes) {
      for (const z of [...t.world.zones]) associateVpcWithHostedZone(t.ctx(), { zoneId: z.id, vpc: { vpcId: v, vpcRegion: t.world.region } });
    }
    await expectNoGap(t, 'step 1', () => 'direct-zone');
    t.settle();

    await stepsTwoToSeven(t);
  });
});

describe('what the resolver reveals about step 7 [DESIGN §2 step 7; doc: a matching private zone never falls through]', () => {
  it("between deleting Z's records and deleting Z, the keeper (still directly on Z) gets no address (NODATA at Z's apex): its own emptied Z answers before the Profile's endpoint", async () => {
    const t = await estate('direct');
    const { world, S, keeper, profileId } = t;
    for (const v of world.vpcs) associateProfile(t.ctx(), { ProfileId: profileId, ResourceId: v.id, Name: v.name });
    t.settle();
    const lambdaZone = world.zones.find((z) => z.name === 'lambda.us-east-1.amazonaws.com.')!;
    const lambda = world.endpoints.find((e) => e.serviceName.endsWith('.lambda'))!;
    for (const v of world.vpcs.map((x) => x.id).filter((x) => x !== keeper)) {
      disassociateVpcFromHostedZone(t.ctx(), { zoneId: lambdaZone.id, vpc: { vpcId: v, vpcRegion: world.region } });
    }
    t.settle();
    modifyVpcEndpoint(t.ctx(), { vpcEndpointId: lambda.id, privateDnsEnabled: true });
    t.settle();
    associateResourceToProfile(t.ctx(), { ProfileId: profileId, ResourceArn: endpointArn(world, lambda), Name: 'lambda' });
    t.settle();
    expect(resolveInVpc(world, keeper, 'lambda.us-east-1.amazonaws.com', 'A', t.clock.now()).source).toBe('direct-zone');

    const apex = lambdaZone.records.find((r) => r.type === 'A')!;
    changeResourceRecordSets(t.ctx(), { zoneId: lambdaZone.id, changes: [{ action: 'DELETE', recordSet: { name: apex.name, type: 'A', alias: apex.alias! } }] });
    const gap = resolveInVpc(world, keeper, 'lambda.us-east-1.amazonaws.com', 'A', t.clock.now());
    // The apex still holds SOA and NS, so the name exists: NOERROR with no A records.
    expect(gap).toMatchObject({ rcode: 'NOERROR', source: 'direct-zone', answers: [] });
    // S and the moved spoke are unaffected.
    expect(resolveInVpc(world, S, 'lambda.us-east-1.amazonaws.com', 'A', t.clock.now()).source).toBe('endpoint-own-vpc');

    t.settle();
    deleteHostedZone(t.ctx(), { id: lambdaZone.id });
    expect(resolveInVpc(world, keeper, 'lambda.us-east-1.amazonaws.com', 'A', t.clock.now())).toMatchObject({ rcode: 'NOERROR', source: 'endpoint-profile' });
  });
});
