// Route 53 behaviour as pure functions over a hand-built world, one test per AWS fact.
// Sources (aws-api.md §2 and what the search tool found):
// - ConflictingDomainExists text, also for "already associated with this very zone":
//   infrablocks/terraform-aws-base-networking#4; salt#47480 treats it as "already done".
// - NotAuthorizedException text: hashicorp/terraform#12804.
// - DisassociateVPCFromHostedZone may be called by the zone's or the VPC's account: API reference.
// - Another account's zone answers 403 AccessDenied "… is not authorized to access this resource":
//   aws-sdk-php#2141 (ChangeResourceRecordSets on a zone the caller doesn't own).
// - GetChange after a cross-account association is denied: terraform-provider-aws zone_association.go, #41932.
// - ListHostedZonesByVPC lists all accounts' zones, not Profile associations: API reference.
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import { AwsApiError } from '../../src/twin/errors.js';
import * as r53 from '../../src/twin/ops/route53.js';
import type { World } from '../../src/twin/world.js';
import { ACCOUNT_A, ACCOUNT_B, ACCOUNT_C, ENDPOINT_NAME, ENDPOINT_VPC, REGION, VPC, ctxFor, route53World } from './route53-fixtures.js';

let world: World;
let clock: ManualClock;
const T0 = Date.UTC(2026, 0, 1);
const as = (account: string, delayFactor = 1) => ctxFor(world, account, clock.now(), delayFactor);
const vpc = (vpcId: string) => ({ vpcId, vpcRegion: REGION });

function awsError(fn: () => unknown): AwsApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsApiError) return e;
    throw e;
  }
  throw new Error('expected an AwsApiError, but the call succeeded');
}

function expectError(fn: () => unknown, code: string, status: number): AwsApiError {
  const e = awsError(fn);
  expect({ code: e.code, status: e.httpStatus }).toEqual({ code, status });
  return e;
}

let refs = 0;
function privateZone(name: string, vpcId: string = VPC.a1, account = ACCOUNT_A) {
  return r53.createHostedZone(as(account), { name, callerReference: `ref-${++refs}`, vpc: vpc(vpcId) }).zone;
}

function record(name: string, type = 'A', values = ['10.0.0.1'], ttl = 300): r53.RecordSetInput {
  return { name, type, ttl, values };
}

beforeEach(() => {
  world = route53World();
  clock = new ManualClock(T0);
});

describe('ids and lookups', () => {
  it('zone ids are accepted bare or with the /hostedzone/ prefix [doc: model; SDK strips it, raw clients may not]', () => {
    const zone = privateZone('corp.internal');
    expect(zone.id).toMatch(/^Z[A-Z0-9]{20}$/);
    expect(r53.getHostedZone(as(ACCOUNT_A), { id: zone.id }).id).toBe(zone.id);
    expect(r53.getHostedZone(as(ACCOUNT_A), { id: `/hostedzone/${zone.id}` }).id).toBe(zone.id);
  });

  it('an unknown zone is NoSuchHostedZone (404) naming the id [doc]', () => {
    const e = expectError(() => r53.getHostedZone(as(ACCOUNT_A), { id: 'Z0000000000000000NONE' }), 'NoSuchHostedZone', 404);
    expect(e.message).toBe('No hosted zone found with ID: Z0000000000000000NONE');
  });

  it('a malformed zone id is InvalidInput (400), too long or with bad characters [doc: ResourceId max 32]', () => {
    expectError(() => r53.getHostedZone(as(ACCOUNT_A), { id: 'Z'.repeat(33) }), 'InvalidInput', 400);
    expectError(() => r53.getHostedZone(as(ACCOUNT_A), { id: 'Z12$%' }), 'InvalidInput', 400);
  });

  it('an unknown change is NoSuchChange (404); a malformed change id is InvalidInput [doc]', () => {
    expectError(() => r53.getChange(as(ACCOUNT_A), { id: 'C0000000000000NONE' }), 'NoSuchChange', 404);
    expectError(() => r53.getChange(as(ACCOUNT_A), { id: '/change/C!!' }), 'InvalidInput', 400);
  });
});

describe('changes: PENDING, then INSYNC after the propagation delay', () => {
  it('every mutating call returns a PENDING change that GetChange reports INSYNC once now ≥ insyncAt [doc: GetChange]', () => {
    const { zone, change } = r53.createHostedZone(as(ACCOUNT_A), { name: 'a.internal', callerReference: 'r1', vpc: vpc(VPC.a1) });
    const mutations = [
      change,
      r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.a2) }),
      r53.disassociateVpcFromHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.a2) }),
      r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('x.a.internal') }] }),
    ];
    for (const c of mutations) expect(r53.getChange(as(ACCOUNT_A), { id: c.id }).status).toBe('PENDING');
    clock.advance(world.delays.changeInsyncMs - 1);
    expect(r53.getChange(as(ACCOUNT_A), { id: change.id }).status).toBe('PENDING');
    clock.advance(1);
    for (const c of mutations) expect(r53.getChange(as(ACCOUNT_A), { id: `/change/${c.id}` }).status).toBe('INSYNC');
  });

  it('a slower-propagation fault stretches the PENDING period by ctx.delayFactor', () => {
    const { change } = r53.createHostedZone(as(ACCOUNT_A, 3), { name: 'slow.internal', callerReference: 'r', vpc: vpc(VPC.a1) });
    clock.advance(world.delays.changeInsyncMs * 2);
    expect(r53.getChange(as(ACCOUNT_A), { id: change.id }).status).toBe('PENDING');
    clock.advance(world.delays.changeInsyncMs);
    expect(r53.getChange(as(ACCOUNT_A), { id: change.id }).status).toBe('INSYNC');
  });

  it('GetChange from another account than the zone owner is AccessDenied (403) under denyCrossAccountGetChange [peer: zone_association.go]', () => {
    const zone = privateZone('shared.internal');
    r53.createVpcAssociationAuthorization(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    const change = r53.associateVpcWithHostedZone(as(ACCOUNT_B), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    expect(change.ownerId).toBe(ACCOUNT_A);
    expectError(() => r53.getChange(as(ACCOUNT_B), { id: change.id }), 'AccessDenied', 403);
    expect(r53.getChange(as(ACCOUNT_A), { id: change.id }).status).toBe('PENDING');
    world.rules.denyCrossAccountGetChange = false;
    expect(r53.getChange(as(ACCOUNT_B), { id: change.id }).status).toBe('PENDING');
  });
});

describe('PriorRequestNotComplete (switchable rule world.rules.priorRequestNotComplete)', () => {
  it('a second record change on a zone whose previous change is still PENDING is PriorRequestNotComplete (400) [doc: model]', () => {
    const zone = privateZone('busy.internal');
    const first = r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('a.busy.internal') }] });
    const e = expectError(
      () => r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('b.busy.internal') }] }),
      'PriorRequestNotComplete',
      400,
    );
    expect(e.message).toContain('still processing a prior request');
    expectError(() => r53.deleteHostedZone(as(ACCOUNT_A), { id: zone.id }), 'PriorRequestNotComplete', 400);
    clock.set(first.insyncAt);
    r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('b.busy.internal') }] });
  });

  it('with the rule off, back-to-back record changes are accepted', () => {
    world.rules.priorRequestNotComplete = false;
    const zone = privateZone('calm.internal');
    r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('a.calm.internal') }] });
    r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('b.calm.internal') }] });
  });

  it('associating many VPCs in a row is never refused, nor are disassociations (unconfirmed: the model lists PriorRequestNotComplete only for associate)', () => {
    const zone = privateZone('fleet.internal');
    for (const id of [VPC.a2, VPC.a4]) r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(id) });
    for (const id of [VPC.a2, VPC.a4]) r53.disassociateVpcFromHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(id) });
    expect(world.zones[0]!.vpcs.map((v) => v.vpcId)).toEqual([VPC.a1]);
  });

  it('associating while a record change on the zone is PENDING is PriorRequestNotComplete (unconfirmed, stricter)', () => {
    const zone = privateZone('mixed.internal');
    r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('a.mixed.internal') }] });
    expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.a2) }), 'PriorRequestNotComplete', 400);
  });
});

describe('hosted zones', () => {
  it('CreateHostedZone with a VPC makes a private zone with apex SOA and NS records [doc]', () => {
    const zone = privateZone('Corp.Internal');
    expect(zone).toMatchObject({ name: 'corp.internal.', privateZone: true, vpcs: [{ vpcId: VPC.a1, region: REGION }] });
    expect(zone.records.map((r) => `${r.name} ${r.type}`)).toEqual(['corp.internal. SOA', 'corp.internal. NS']);
  });

  it('HostedZoneAlreadyExists (409) when a CallerReference is reused [doc]', () => {
    r53.createHostedZone(as(ACCOUNT_A), { name: 'one.internal', callerReference: 'same', vpc: vpc(VPC.a1) });
    expectError(
      () => r53.createHostedZone(as(ACCOUNT_A), { name: 'two.internal', callerReference: 'same', vpc: vpc(VPC.a2) }),
      'HostedZoneAlreadyExists',
      409,
    );
  });

  it('CreateHostedZone with a VPC that already has a private zone of that name is ConflictingDomainExists [doc]', () => {
    privateZone('dup.internal', VPC.a1);
    const e = expectError(() => privateZone('dup.internal', VPC.a1), 'ConflictingDomainExists', 400);
    expect(e.message).toContain(VPC.a1);
    expect(e.message).toContain('dup.internal.');
  });

  it('CreateHostedZone with another account’s VPC is InvalidVPCId [doc: InvalidVPCId "not authorized to access this VPC"]', () => {
    expectError(() => privateZone('x.internal', VPC.b1, ACCOUNT_A), 'InvalidVPCId', 400);
  });

  it('HostedZoneNotEmpty while records other than the apex SOA and NS exist; then deletable [doc]', () => {
    world.rules.priorRequestNotComplete = false;
    const zone = privateZone('full.internal');
    r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('full.internal') }] });
    expectError(() => r53.deleteHostedZone(as(ACCOUNT_A), { id: zone.id }), 'HostedZoneNotEmpty', 400);
    r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'DELETE', recordSet: record('full.internal') }] });
    r53.deleteHostedZone(as(ACCOUNT_A), { id: zone.id });
    expect(world.zones).toHaveLength(0);
  });

  it('another account using the zone gets AccessDenied (403) [peer: aws-sdk-php#2141]', () => {
    const zone = privateZone('mine.internal');
    expectError(() => r53.getHostedZone(as(ACCOUNT_B), { id: zone.id }), 'AccessDenied', 403);
    expectError(() => r53.deleteHostedZone(as(ACCOUNT_B), { id: zone.id }), 'AccessDenied', 403);
    expectError(() => r53.listResourceRecordSets(as(ACCOUNT_B), { zoneId: zone.id }), 'AccessDenied', 403);
    expectError(() => r53.createVpcAssociationAuthorization(as(ACCOUNT_B), { zoneId: zone.id, vpc: vpc(VPC.b1) }), 'AccessDenied', 403);
    expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_C), { zoneId: zone.id, vpc: vpc(VPC.b1) }), 'AccessDenied', 403);
  });

  it('ListHostedZones and ListHostedZonesByName show only the caller’s zones, paginated [doc]', () => {
    for (const n of ['b.example', 'a.example', 'www.a.example']) privateZone(n);
    privateZone('b-zone.internal', VPC.b1, ACCOUNT_B);
    const first = r53.listHostedZones(as(ACCOUNT_A), { maxItems: '2' });
    expect(first.zones).toHaveLength(2);
    expect(first.isTruncated).toBe(true);
    const second = r53.listHostedZones(as(ACCOUNT_A), { maxItems: '2', marker: first.nextMarker });
    expect(second.isTruncated).toBe(false);
    expect([...first.zones, ...second.zones].map((z) => z.name).sort()).toEqual(['a.example.', 'b.example.', 'www.a.example.']);

    const byName = r53.listHostedZonesByName(as(ACCOUNT_A), { maxItems: '2' });
    expect(byName.zones.map((z) => z.name)).toEqual(['a.example.', 'www.a.example.']);
    expect(byName.nextDnsName).toBe('b.example.');
    const rest = r53.listHostedZonesByName(as(ACCOUNT_A), { dnsName: byName.nextDnsName, hostedZoneId: byName.nextHostedZoneId });
    expect(rest.zones.map((z) => z.name)).toEqual(['b.example.']);
    expect(rest.isTruncated).toBe(false);
    expectError(() => r53.listHostedZones(as(ACCOUNT_A), { maxItems: 'ten' }), 'InvalidInput', 400);
  });
});

describe('VPC associations', () => {
  it('LastVPCAssociation: a private zone cannot lose its last VPC [doc]', () => {
    const zone = privateZone('last.internal');
    const e = expectError(() => r53.disassociateVpcFromHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.a1) }), 'LastVPCAssociation', 400);
    expect(e.message).toContain('last VPC');
    expect(zone.vpcs).toHaveLength(1);
  });

  it('ConflictingDomainExists: a VPC can’t have two directly associated private zones of one name; message names VPC and zone [doc]', () => {
    privateZone('same.internal', VPC.a1);
    const other = privateZone('same.internal', VPC.a2);
    const e = expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: other.id, vpc: vpc(VPC.a1) }), 'ConflictingDomainExists', 400);
    expect(e.message).toBe(
      `The VPC that you chose, ${VPC.a1} in region ${REGION}, is already associated with another private hosted zone that has an overlapping name space, same.internal..`,
    );
  });

  it('ConflictingDomainExists: a VPC whose own endpoint has Private DNS on for the name [peer: terraform-provider-aws#17535]', () => {
    const zone = privateZone(ENDPOINT_NAME, VPC.a1);
    const e = expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(ENDPOINT_VPC) }), 'ConflictingDomainExists', 400);
    expect(e.message).toContain(ENDPOINT_VPC);
    expect(e.message).toContain(ENDPOINT_NAME);
    expectError(() => privateZone(ENDPOINT_NAME, ENDPOINT_VPC), 'ConflictingDomainExists', 400);
    world.endpoints[0]!.privateDnsEnabled = false;
    r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(ENDPOINT_VPC) });
  });

  it('overlapping (parent/child) names in one VPC are allowed: the most specific zone wins [doc: overlapping namespaces]', () => {
    privateZone('example.internal', VPC.a1);
    const child = privateZone('api.example.internal', VPC.a2);
    r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: child.id, vpc: vpc(VPC.a1) });
  });

  it('repeating an association is ConflictingDomainExists (the engine treats it as done) [peer: infrablocks#4, salt#47480]', () => {
    const zone = privateZone('again.internal', VPC.a1);
    const e = expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.a1) }), 'ConflictingDomainExists', 400);
    expect(e.message).toContain(VPC.a1);
  });

  it('disassociating a VPC that isn’t associated is VPCAssociationNotFound (404) [doc]', () => {
    const zone = privateZone('gone.internal', VPC.a1);
    r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.a2) });
    expectError(() => r53.disassociateVpcFromHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.a4) }), 'VPCAssociationNotFound', 404);
  });

  it('an unknown VPC id (or a region it isn’t in) is InvalidVPCId (400) [doc]', () => {
    const zone = privateZone('v.internal');
    expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc('vpc-0ffffffffffffffff') }), 'InvalidVPCId', 400);
    expectError(
      () => r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: { vpcId: VPC.a2, vpcRegion: 'eu-west-1' } }),
      'InvalidVPCId',
      400,
    );
    expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: { vpcId: VPC.a2, vpcRegion: 'mars-1' } }), 'InvalidInput', 400);
  });

  it('a public zone can’t take a VPC: PublicZoneVPCAssociation [doc]', () => {
    const { zone } = r53.createHostedZone(as(ACCOUNT_A), { name: 'public.example', callerReference: 'p' });
    expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.a1) }), 'PublicZoneVPCAssociation', 400);
  });
});

describe('cross-account associations', () => {
  it('the VPC owner without an authorization gets NotAuthorizedException (401) [doc; peer: terraform#12804]', () => {
    const zone = privateZone('x.internal');
    const e = expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_B), { zoneId: zone.id, vpc: vpc(VPC.b1) }), 'NotAuthorizedException', 401);
    expect(e.message).toContain(VPC.b1);
  });

  it('the zone owner associating another account’s VPC gets NotAuthorizedException, even with an authorization [doc]', () => {
    const zone = privateZone('x.internal');
    r53.createVpcAssociationAuthorization(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.b1) }), 'NotAuthorizedException', 401);
  });

  it('authorize → VPC owner associates → DeleteVPCAssociationAuthorization keeps the association [doc]', () => {
    const zone = privateZone('x.internal');
    r53.createVpcAssociationAuthorization(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    r53.associateVpcWithHostedZone(as(ACCOUNT_B), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    r53.deleteVpcAssociationAuthorization(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    expect(zone.vpcs.map((v) => v.vpcId)).toEqual([VPC.a1, VPC.b1]);
    expect(r53.listVpcAssociationAuthorizations(as(ACCOUNT_A), { zoneId: zone.id }).vpcs).toEqual([]);
    // Without the authorization a re-association (after a disassociation) is refused again.
    r53.disassociateVpcFromHostedZone(as(ACCOUNT_B), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    expectError(() => r53.associateVpcWithHostedZone(as(ACCOUNT_B), { zoneId: zone.id, vpc: vpc(VPC.b1) }), 'NotAuthorizedException', 401);
  });

  it('deleting an authorization that doesn’t exist is VPCAssociationAuthorizationNotFound (404) [doc]', () => {
    const zone = privateZone('x.internal');
    expectError(
      () => r53.deleteVpcAssociationAuthorization(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.b2) }),
      'VPCAssociationAuthorizationNotFound',
      404,
    );
  });

  it('ListVPCAssociationAuthorizations pages with NextToken/MaxResults; a bad token is InvalidPaginationToken [doc]', () => {
    const zone = privateZone('x.internal');
    for (const id of [VPC.b2, VPC.b1]) r53.createVpcAssociationAuthorization(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(id) });
    const first = r53.listVpcAssociationAuthorizations(as(ACCOUNT_A), { zoneId: zone.id, maxResults: '1' });
    expect(first.vpcs).toEqual([{ vpcId: VPC.b1, region: REGION }]);
    const second = r53.listVpcAssociationAuthorizations(as(ACCOUNT_A), { zoneId: zone.id, maxResults: '1', nextToken: first.nextToken });
    expect(second.vpcs).toEqual([{ vpcId: VPC.b2, region: REGION }]);
    expect(second.nextToken).toBeUndefined();
    expectError(() => r53.listVpcAssociationAuthorizations(as(ACCOUNT_A), { zoneId: zone.id, nextToken: '!!' }), 'InvalidPaginationToken', 400);
  });

  it('the VPC owner may disassociate its own VPC from another account’s zone [doc: DisassociateVPCFromHostedZone]', () => {
    const zone = privateZone('x.internal');
    r53.createVpcAssociationAuthorization(as(ACCOUNT_A), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    r53.associateVpcWithHostedZone(as(ACCOUNT_B), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    expectError(() => r53.disassociateVpcFromHostedZone(as(ACCOUNT_C), { zoneId: zone.id, vpc: vpc(VPC.b1) }), 'AccessDenied', 403);
    r53.disassociateVpcFromHostedZone(as(ACCOUNT_B), { zoneId: zone.id, vpc: vpc(VPC.b1) });
    expect(zone.vpcs.map((v) => v.vpcId)).toEqual([VPC.a1]);
  });

  it('ListHostedZonesByVPC (by the VPC owner) lists other accounts’ zones with OwningAccount, paginated [doc]', () => {
    const zones = ['a.internal', 'b.internal', 'c.internal'].map((n) => privateZone(n));
    for (const z of zones) {
      r53.createVpcAssociationAuthorization(as(ACCOUNT_A), { zoneId: z.id, vpc: vpc(VPC.b1) });
      r53.associateVpcWithHostedZone(as(ACCOUNT_B), { zoneId: z.id, vpc: vpc(VPC.b1) });
    }
    privateZone('own.internal', VPC.b1, ACCOUNT_B);
    const first = r53.listHostedZonesByVpc(as(ACCOUNT_B), { vpcId: VPC.b1, vpcRegion: REGION, maxItems: '3' });
    expect(first.summaries).toHaveLength(3);
    const second = r53.listHostedZonesByVpc(as(ACCOUNT_B), { vpcId: VPC.b1, vpcRegion: REGION, maxItems: '3', nextToken: first.nextToken });
    expect(second.nextToken).toBeUndefined();
    const all = [...first.summaries, ...second.summaries].map((s) => `${s.zone.name} ${s.owningAccount}`);
    expect(all.sort()).toEqual(['a.internal. ' + ACCOUNT_A, 'b.internal. ' + ACCOUNT_A, 'c.internal. ' + ACCOUNT_A, 'own.internal. ' + ACCOUNT_B]);
    expectError(() => r53.listHostedZonesByVpc(as(ACCOUNT_B), { vpcId: VPC.b1, vpcRegion: REGION, nextToken: 'garbage' }), 'InvalidPaginationToken', 400);
  });

  it('ListHostedZonesByVPC for a VPC the caller doesn’t own is AccessDenied "is not owned by you" (unconfirmed text) [peer: zone_association.go]', () => {
    privateZone('a.internal');
    const e = expectError(() => r53.listHostedZonesByVpc(as(ACCOUNT_B), { vpcId: VPC.a1, vpcRegion: REGION }), 'AccessDenied', 403);
    expect(e.message).toContain('is not owned by you');
  });
});

describe('ChangeResourceRecordSets', () => {
  beforeEach(() => {
    world.rules.priorRequestNotComplete = false;
  });

  it('CREATE, UPSERT, DELETE apply; DELETE needs the exact current values [doc]', () => {
    const zone = privateZone('rr.internal');
    const change = (action: string, rs: r53.RecordSetInput) => r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action, recordSet: rs }] });
    change('CREATE', record('www.rr.internal', 'A', ['10.0.0.1']));
    change('UPSERT', record('www.rr.internal', 'A', ['10.0.0.2']));
    expect(zone.records.find((r) => r.name === 'www.rr.internal.')?.values).toEqual(['10.0.0.2']);
    const e = expectError(() => change('DELETE', record('www.rr.internal', 'A', ['10.0.0.1'])), 'InvalidChangeBatch', 400);
    expect(e.message).toBe("[Tried to delete resource record set [name='www.rr.internal.', type='A'] but the values provided do not match the current values]");
    change('DELETE', record('www.rr.internal', 'A', ['10.0.0.2']));
    expect(zone.records).toHaveLength(2);
  });

  it('a batch is all-or-nothing and reports every problem in one InvalidChangeBatch [doc: transactional changes]', () => {
    const zone = privateZone('tx.internal');
    r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('a.tx.internal') }] });
    const e = expectError(
      () =>
        r53.changeResourceRecordSets(as(ACCOUNT_A), {
          zoneId: zone.id,
          changes: [
            { action: 'CREATE', recordSet: record('new.tx.internal') },
            { action: 'CREATE', recordSet: record('a.tx.internal') },
            { action: 'DELETE', recordSet: record('missing.tx.internal') },
          ],
        }),
      'InvalidChangeBatch',
      400,
    );
    expect(e.message).toBe(
      "[Tried to create resource record set [name='a.tx.internal.', type='A'] but it already exists, Tried to delete resource record set [name='missing.tx.internal.', type='A'] but it was not found]",
    );
    expect(zone.records.map((r) => r.name)).not.toContain('new.tx.internal.');
  });

  it('a DELETE then CREATE of the same name in one batch is valid (replace) [doc: example in ChangeResourceRecordSets]', () => {
    const zone = privateZone('swap.internal');
    r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('w.swap.internal', 'CNAME', ['old.example.']) }] });
    r53.changeResourceRecordSets(as(ACCOUNT_A), {
      zoneId: zone.id,
      changes: [
        { action: 'DELETE', recordSet: record('w.swap.internal', 'CNAME', ['old.example.']) },
        { action: 'CREATE', recordSet: { name: 'w.swap.internal', type: 'A', alias: { hostedZoneId: 'Z7HUB22UULQXV', dnsName: 'x.vpce.amazonaws.com', evaluateTargetHealth: false } } },
      ],
    });
    expect(zone.records.find((r) => r.name === 'w.swap.internal.')).toMatchObject({ type: 'A', alias: { dnsName: 'x.vpce.amazonaws.com.' } });
  });

  it('the apex SOA and NS can’t be deleted [doc: NS and SOA records]', () => {
    const zone = privateZone('apex.internal');
    const soa = zone.records[0]!;
    const ns = zone.records[1]!;
    const e = expectError(
      () =>
        r53.changeResourceRecordSets(as(ACCOUNT_A), {
          zoneId: zone.id,
          changes: [
            { action: 'DELETE', recordSet: { name: soa.name, type: 'SOA', ttl: soa.ttl, values: soa.values } },
            { action: 'DELETE', recordSet: { name: ns.name, type: 'NS', ttl: ns.ttl, values: ns.values } },
          ],
        }),
      'InvalidChangeBatch',
      400,
    );
    expect(e.message).toBe('[A HostedZone must contain exactly one SOA record., A HostedZone must contain at least one NS record for the zone itself.]');
  });

  it('names outside the zone, and a CNAME at the apex, are refused [doc]', () => {
    const zone = privateZone('in.internal');
    const e = expectError(
      () =>
        r53.changeResourceRecordSets(as(ACCOUNT_A), {
          zoneId: zone.id,
          changes: [
            { action: 'CREATE', recordSet: record('www.elsewhere.internal') },
            { action: 'CREATE', recordSet: record('in.internal', 'CNAME', ['x.example.']) },
          ],
        }),
      'InvalidChangeBatch',
      400,
    );
    expect(e.message).toContain('RRSet with DNS name www.elsewhere.internal. is not permitted in zone in.internal.');
    expect(e.message).toContain('RRSet of type CNAME with DNS name in.internal. is not permitted at apex in zone in.internal.');
  });

  it('a change needs exactly one of AliasTarget or TTL+ResourceRecords: InvalidInput [doc]', () => {
    const zone = privateZone('shape.internal');
    const e = expectError(
      () => r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: { name: 'a.shape.internal', type: 'A' } }] }),
      'InvalidInput',
      400,
    );
    expect(e.message).toContain('Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none');
    expectError(
      () => r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'MERGE', recordSet: record('a.shape.internal') }] }),
      'InvalidInput',
      400,
    );
  });

  it('wildcard names are stored with `*` and accept the \\052 escape; listed back as \\052 [doc: DomainNameFormat]', () => {
    const zone = privateZone('s3.us-east-1.amazonaws.com');
    r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('\\052.s3.us-east-1.amazonaws.com') }] });
    expect(zone.records.some((r) => r.name === '*.s3.us-east-1.amazonaws.com.')).toBe(true);
    expectError(
      () => r53.changeResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, changes: [{ action: 'CREATE', recordSet: record('*.S3.us-east-1.amazonaws.com.') }] }),
      'InvalidChangeBatch',
      400,
    );
    expect(r53.wireName('*.s3.us-east-1.amazonaws.com.')).toBe('\\052.s3.us-east-1.amazonaws.com.');
  });
});

describe('ListResourceRecordSets', () => {
  it('sorts by name with labels reversed, then type, and pages with NextRecordName/NextRecordType [doc]', () => {
    world.rules.priorRequestNotComplete = false;
    const zone = privateZone('example.internal');
    const names = ['www.example.internal', 'a.example.internal', 'b.a.example.internal', 'example.internal'];
    r53.changeResourceRecordSets(as(ACCOUNT_A), {
      zoneId: zone.id,
      changes: names.map((n) => ({ action: 'CREATE', recordSet: record(n, n === 'example.internal' ? 'TXT' : 'A', ['"x"']) })),
    });
    const all = r53.listResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id });
    expect(all.records.map((r) => `${r.name} ${r.type}`)).toEqual([
      'example.internal. NS',
      'example.internal. SOA',
      'example.internal. TXT',
      'a.example.internal. A',
      'b.a.example.internal. A',
      'www.example.internal. A',
    ]);
    const page1 = r53.listResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, maxItems: '2' });
    expect(page1).toMatchObject({ isTruncated: true, nextRecordName: 'example.internal.', nextRecordType: 'TXT' });
    const page2 = r53.listResourceRecordSets(as(ACCOUNT_A), {
      zoneId: zone.id,
      maxItems: '3',
      startRecordName: page1.nextRecordName,
      startRecordType: page1.nextRecordType,
    });
    expect(page2.records.map((r) => r.name)).toEqual(['example.internal.', 'a.example.internal.', 'b.a.example.internal.']);
    expect(page2.nextRecordName).toBe('www.example.internal.');
    expectError(() => r53.listResourceRecordSets(as(ACCOUNT_A), { zoneId: zone.id, startRecordType: 'A' }), 'InvalidInput', 400);
  });
});
