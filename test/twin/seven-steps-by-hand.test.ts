// The runbook walked by hand against a `direct` (path A) estate: the seven steps of DESIGN §2
// with the official SDK clients and our Route 53 Profiles client, a proper wait after each
// step, and real DNS from every VPC's resolver — after every step and continuously in between.
// It proves the twin tells right from wrong: enabling Private DNS before step 2 fails as AWS does.
import {
  DescribeVpcEndpointsCommand,
  ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import {
  ChangeResourceRecordSetsCommand,
  DeleteHostedZoneCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AssociateProfileCommand,
  AssociateResourceToProfileCommand,
  DisassociateResourceFromProfileCommand,
  GetProfileAssociationCommand,
  GetProfileResourceAssociationCommand,
  ResourceNotFoundException,
  Route53ProfilesClient,
} from '../../src/aws/route53profiles/index.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';
import { endpointArn, hostedZoneArn, type Account } from '../../src/twin/world.js';
import { query } from '../support/dns.js';
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client as R53 } from '@aws-sdk/client-route-53';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bounded polling: every wait ends, with a message saying what it waited for. */
async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Failure {
  step: string;
  vpc: string;
  name: string;
  got: string;
}

describe('the seven steps by hand on a direct estate (path A), 4 VPCs in 2 accounts, 2 endpoints', () => {
  let sb: Sandbox;
  let dir: string;
  let step = 'start';
  const failures: Failure[] = [];
  let probing = true;
  let probeRounds = 0;
  let loop: Promise<void>;
  /** Pairs that may fail in the current window (see step 7). */
  let excused = new Set<string>();

  const creds = (a: Account) => ({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });
  const cfg = (a: Account) => ({ endpoint: sb.info.endpointUrl, region: 'us-east-1', credentials: creds(a), maxAttempts: 3 });
  const r53 = (a: Account): Route53Client => new R53(cfg(a));
  const ec2 = (a: Account) => new EC2Client(cfg(a));
  const profiles = (a: Account) => new Route53ProfilesClient(cfg(a));

  async function probeAll(): Promise<Failure[]> {
    const out: Failure[] = [];
    for (const vpc of sb.info.vpcs) {
      for (const n of sb.info.names) {
        const key = `${vpc.id}|${n.probeName}`;
        const r = await query(vpc.resolver, n.probeName).catch((e: Error) => ({ rcode: e.message, addresses: [] as string[] }));
        const ok = r.rcode === 'NOERROR' && r.addresses.join(',') === [...n.ips].sort().join(',');
        if (!ok && !excused.has(key)) out.push({ step, vpc: vpc.name, name: n.probeName, got: `${r.rcode} ${r.addresses.join(',')}` });
      }
    }
    return out;
  }

  async function changeInsync(client: Route53Client, changeId: string): Promise<void> {
    await waitUntil(`change ${changeId} INSYNC`, async () => (await client.send(new GetChangeCommand({ Id: changeId }))).ChangeInfo?.Status === 'INSYNC');
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'r53m-walk-'));
    sb = await startSandbox({
      scenario: 'direct',
      vpcs: 4,
      endpoints: 2,
      accounts: 2,
      seed: 'walk',
      region: 'us-east-1',
      delayScale: 0.02,
      dir,
      host: '127.0.0.1',
      port: 0,
      rateLimits: 'off',
    });
    // An independent probe loop for the whole walk.
    loop = (async () => {
      while (probing) {
        failures.push(...(await probeAll()));
        probeRounds++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
  });

  afterAll(async () => {
    probing = false;
    await loop;
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('walks steps 1-7 with every VPC resolving every name to its endpoint IPs throughout', async () => {
    const world = sb.world;
    const [sharedAcct, spokeAcct] = world.accounts as [Account, Account];
    const owner = (vpcId: string) => world.accounts.find((a) => a.id === world.vpcs.find((v) => v.id === vpcId)!.ownerId)!;
    const profileId = sb.info.profileId;
    const S = world.vpcs[0]!;
    const spokes = world.vpcs.slice(1);
    const keeper = spokes[spokes.length - 1]!;
    const zones = [...world.zones];
    const endpoints = [...world.endpoints];
    const expectAllResolve = async () => expect(await probeAll()).toEqual([]);
    await expectAllResolve();

    // Step 1: S and every spoke join P (each from its owner's account); every Z joins P.
    step = '1';
    const assocIds: [Account, string][] = [];
    for (const vpc of world.vpcs) {
      const a = owner(vpc.id);
      const res = await profiles(a).send(new AssociateProfileCommand({ ProfileId: profileId, ResourceId: vpc.id, Name: `assoc-${vpc.name}` }));
      assocIds.push([a, res.ProfileAssociation!.Id!]);
    }
    const zoneAssocIds: string[] = [];
    for (const z of zones) {
      const res = await profiles(sharedAcct).send(
        new AssociateResourceToProfileCommand({ ProfileId: profileId, ResourceArn: hostedZoneArn(z), Name: `zone-${z.id}` }),
      );
      zoneAssocIds.push(res.ProfileResourceAssociation!.Id!);
    }
    for (const [a, id] of assocIds) {
      await waitUntil(`profile association ${id} COMPLETE`, async () =>
        (await profiles(a).send(new GetProfileAssociationCommand({ ProfileAssociationId: id }))).ProfileAssociation?.Status === 'COMPLETE');
    }
    for (const id of zoneAssocIds) {
      await waitUntil(`resource association ${id} COMPLETE`, async () =>
        (await profiles(sharedAcct).send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: id }))).ProfileResourceAssociation?.Status === 'COMPLETE');
    }
    await expectAllResolve();

    // The trap the order exists for: Private DNS can't be enabled while S still has Z directly.
    const early = await ec2(sharedAcct)
      .send(new ModifyVpcEndpointCommand({ VpcEndpointId: endpoints[0]!.id, PrivateDnsEnabled: true }))
      .then(() => undefined, (e: Error) => e);
    expect(early, 'enabling Private DNS before step 2 must fail').toBeInstanceOf(Error);
    expect(early!.message).toMatch(/conflicting DNS domain/i);
    expect(world.endpoints[0]!.privateDnsEnabled).toBe(false);

    // Step 2: S leaves every Z (it keeps resolving through P).
    step = '2';
    for (const z of zones) {
      const res = await r53(sharedAcct).send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: z.id, VPC: { VPCId: S.id, VPCRegion: 'us-east-1' } }));
      await changeInsync(r53(sharedAcct), res.ChangeInfo!.Id!);
    }
    await expectAllResolve();

    // Step 3: Private DNS on for every endpoint; wait until available with the flag on.
    step = '3';
    for (const ep of endpoints) {
      await ec2(sharedAcct).send(new ModifyVpcEndpointCommand({ VpcEndpointId: ep.id, PrivateDnsEnabled: true }));
    }
    await waitUntil('endpoints available with Private DNS', async () => {
      const res = await ec2(sharedAcct).send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: endpoints.map((e) => e.id) }));
      return (res.VpcEndpoints ?? []).every((e) => e.State?.toLowerCase() === 'available' && e.PrivateDnsEnabled === true);
    });
    await expectAllResolve();

    // Step 4: every Z leaves P; wait until the resource associations are gone.
    step = '4';
    for (const z of zones) {
      await profiles(sharedAcct).send(new DisassociateResourceFromProfileCommand({ ProfileId: profileId, ResourceArn: hostedZoneArn(z) }));
    }
    for (const id of zoneAssocIds) {
      await waitUntil(`resource association ${id} gone`, async () =>
        profiles(sharedAcct)
          .send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: id }))
          .then(() => false, (e) => e instanceof ResourceNotFoundException));
    }
    await expectAllResolve();

    // Step 5: every endpoint joins P; wait COMPLETE and the endpoint available again.
    step = '5';
    const epAssocIds: string[] = [];
    for (const ep of endpoints) {
      const res = await profiles(sharedAcct).send(
        new AssociateResourceToProfileCommand({ ProfileId: profileId, ResourceArn: endpointArn(world, ep), Name: `ep-${ep.id}` }),
      );
      epAssocIds.push(res.ProfileResourceAssociation!.Id!);
    }
    for (const id of epAssocIds) {
      await waitUntil(`endpoint association ${id} COMPLETE`, async () =>
        (await profiles(sharedAcct).send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: id }))).ProfileResourceAssociation?.Status === 'COMPLETE');
    }
    await waitUntil('endpoints available', async () => {
      const res = await ec2(sharedAcct).send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: endpoints.map((e) => e.id) }));
      return (res.VpcEndpoints ?? []).every((e) => e.State?.toLowerCase() === 'available');
    });
    await expectAllResolve();

    // Step 6: spokes leave Z one at a time (the VPC owner disassociates its VPC), keeper stays.
    step = '6';
    // Their changes are on the zone owner's zone: GetChange from the spoke's account is denied
    // (aws-api.md §2, the cross-account trap), so the gate is the zone's own VPC list.
    for (const spoke of spokes.slice(0, -1)) {
      for (const z of zones) {
        const res = await r53(owner(spoke.id)).send(
          new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: z.id, VPC: { VPCId: spoke.id, VPCRegion: 'us-east-1' } }),
        );
        const denied = await r53(owner(spoke.id)).send(new GetChangeCommand({ Id: res.ChangeInfo!.Id! })).catch((e: Error) => e);
        expect((denied as Error).name).toBe('AccessDenied');
        await changeInsync(r53(sharedAcct), res.ChangeInfo!.Id!);
        const zone = await r53(sharedAcct).send(new GetHostedZoneCommand({ Id: z.id }));
        expect((zone.VPCs ?? []).map((v) => v.VPCId)).not.toContain(spoke.id);
      }
      await expectAllResolve();
    }

    // Step 7: back up each zone's records, delete the non-apex ones, delete the zone.
    // While a zone has lost its records but still exists, the keeper (still associated, and a
    // VPC's own zone beats its Profile's) gets no answer: a matching private zone never falls
    // through. That window is real on AWS too, so the engine must keep an idle VPC as keeper.
    step = '7';
    for (const z of zones) {
      const backup = await r53(sharedAcct).send(new ListResourceRecordSetsCommand({ HostedZoneId: z.id }));
      const nonApex = (backup.ResourceRecordSets ?? []).filter((r) => r.Type !== 'SOA' && r.Type !== 'NS');
      expect(nonApex.length).toBeGreaterThan(0);
      const zoneNames = sb.info.names.filter((n) => `${n.zoneName}.` === z.name);
      excused = new Set(zoneNames.map((n) => `${keeper.id}|${n.probeName}`));
      const del = await r53(sharedAcct).send(
        new ChangeResourceRecordSetsCommand({ HostedZoneId: z.id, ChangeBatch: { Changes: nonApex.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })) } }),
      );
      await changeInsync(r53(sharedAcct), del.ChangeInfo!.Id!);
      const keeperView = await query(sb.info.vpcs.find((v) => v.id === keeper.id)!.resolver, zoneNames[0]!.probeName);
      expect(keeperView.addresses, 'keeper sees the emptied zone, not the endpoint').toEqual([]);
      await r53(sharedAcct).send(new DeleteHostedZoneCommand({ Id: z.id }));
      excused = new Set();
    }
    expect(world.zones).toEqual([]);
    await expectAllResolve();

    // Final world: endpoints on P with Private DNS, every VPC on P, no zones left.
    expect(world.endpoints.every((e) => e.privateDnsEnabled)).toBe(true);
    expect(world.profileAssociations.map((a) => a.resourceId).sort()).toEqual(world.vpcs.map((v) => v.id).sort());
    expect(world.resourceAssociations.map((r) => r.resourceArn).sort()).toEqual(endpoints.map((e) => endpointArn(world, e)).sort());

    probing = false;
    await loop;
    expect(probeRounds).toBeGreaterThan(5);
    expect(failures).toEqual([]);
  });
});
