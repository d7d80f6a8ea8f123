// Route 53 Profiles behaviour, unit level: ops/profiles.ts on a hand-built World with a
// ManualClock. Each test is named after the AWS fact it encodes (reference/aws-api.md §1).
import { describe, expect, it } from 'vitest';
import { AwsApiError } from '../../src/twin/errors.js';
import { errorOf } from '../support/twin.js';
import * as ops from '../../src/twin/ops/profiles.js';
import { A, B, C, buildFixture, vpceArn, zoneArn, type Fixture } from './profiles-fixture.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsApiError) return e.code;
    throw e;
  }
  throw new Error('expected an AwsApiError, the call succeeded');
}


function newProfile(f: Fixture, owner = A, name = 'shared-dns', sharedWith: string[] = []) {
  const out = ops.createProfile(f.ctx(owner), { ClientToken: `token-${name}-${owner}`, Name: name });
  const p = f.world.profiles.find((x) => x.id === out.Profile.Id)!;
  p.sharedWith = sharedWith;
  return p;
}

/** Moves the clock past every lifecycle delay. */
function settle(f: Fixture) {
  f.clock.advance(60_000);
  f.ctx(A);
}

describe('Route 53 Profiles ops: ids and shapes', () => {
  it('ids: a Profile is rp- + 16 hex, associations rpassoc-/rpr- + 17 hex [peer: public ARNs; CLI examples]', () => {
    const f = buildFixture();
    const p = newProfile(f);
    expect(p.id).toMatch(/^rp-[0-9a-f]{16}$/);
    expect(p.arn).toBe(`arn:aws:route53profiles:us-east-1:${A}:profile/${p.id}`);
    const assoc = ops.associateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'shared' });
    expect(assoc.ProfileAssociation.Id).toMatch(/^rpassoc-[0-9a-f]{17}$/);
    const r = ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' });
    expect(r.ProfileResourceAssociation.Id).toMatch(/^rpr-[0-9a-f]{17}$/);
  });

  it('timestamps are epoch seconds (with milliseconds) [doc: model + CLI examples 1710851336.527]', () => {
    const f = buildFixture();
    const out = ops.createProfile(f.ctx(A), { ClientToken: 't', Name: 'n' });
    expect(out.Profile.CreationTime).toBe(f.clock.now() / 1000);
    expect(out.Profile.Status).toBe('COMPLETE');
    expect(out.Profile.StatusMessage).toBe('Created Profile');
  });

  it('CreateProfile with the same ClientToken returns the same Profile instead of a second one [doc: model idempotencyToken]', () => {
    const f = buildFixture();
    const first = ops.createProfile(f.ctx(A), { ClientToken: 'same-token', Name: 'p1' });
    const again = ops.createProfile(f.ctx(A), { ClientToken: 'same-token', Name: 'p1' });
    expect(again.Profile.Id).toBe(first.Profile.Id);
    expect(f.world.profiles).toHaveLength(1);
    const other = ops.createProfile(f.ctx(A), { ClientToken: 'other-token', Name: 'p1' });
    expect(other.Profile.Id).not.toBe(first.Profile.Id);
  });
});

describe('Route 53 Profiles ops: VPC association lifecycle', () => {
  it('AssociateProfile returns CREATING; COMPLETE after profileAssociationMs × delayFactor [doc: CLI example; peer: Terraform waiter]', () => {
    const f = buildFixture();
    const p = newProfile(f);
    const out = ops.associateProfile(f.ctx(A, { delayFactor: 2 }), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'shared' });
    expect(out.ProfileAssociation.Status).toBe('CREATING');
    expect(out.ProfileAssociation.StatusMessage).toBe('Creating Profile Association');
    const id = out.ProfileAssociation.Id;
    f.clock.advance(f.world.delays.profileAssociationMs * 2 - 1);
    expect(ops.getProfileAssociation(f.ctx(A), { ProfileAssociationId: id }).ProfileAssociation.Status).toBe('CREATING');
    f.clock.advance(1);
    const done = ops.getProfileAssociation(f.ctx(A), { ProfileAssociationId: id }).ProfileAssociation;
    expect(done.Status).toBe('COMPLETE');
    expect(done.StatusMessage).toBe('Created Profile Association');
  });

  it('an injected fail-association fault makes the association end FAILED', () => {
    const f = buildFixture();
    const p = newProfile(f);
    const out = ops.associateProfile(f.ctx(A, { faults: ['fail-association'] }), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' });
    expect(out.ProfileAssociation.Status).toBe('CREATING');
    settle(f);
    expect(ops.getProfileAssociation(f.ctx(A), { ProfileAssociationId: out.ProfileAssociation.Id }).ProfileAssociation.Status).toBe('FAILED');
  });

  it('DisassociateProfile returns DELETING; the association is gone after profileDisassociationMs [doc: CLI example]', () => {
    const f = buildFixture();
    const p = newProfile(f);
    const { ProfileAssociation: a } = ops.associateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' });
    settle(f);
    const out = ops.disassociateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1' });
    expect(out.ProfileAssociation.Status).toBe('DELETING');
    expect(out.ProfileAssociation.StatusMessage).toBe('Deleting Profile Association');
    f.clock.advance(f.world.delays.profileDisassociationMs - 1);
    expect(ops.getProfileAssociation(f.ctx(A), { ProfileAssociationId: a.Id }).ProfileAssociation.Status).toBe('DELETING');
    f.clock.advance(1);
    expect(codeOf(() => ops.getProfileAssociation(f.ctx(A), { ProfileAssociationId: a.Id }))).toBe('ResourceNotFoundException');
    expect(ops.listProfileAssociations(f.ctx(A), {}).ProfileAssociations).toHaveLength(0);
    // A second disassociation of what is already going or gone reads "not found" (tools treat it as done).
    expect(codeOf(() => ops.disassociateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1' }))).toBe('ResourceNotFoundException');
  });

  it('one Profile per VPC: the same VPC/Profile pair again is ResourceExistsException [peer: aws-api.md §1]', () => {
    const f = buildFixture();
    const p = newProfile(f);
    ops.associateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' });
    const err = errorOf(() => ops.associateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' }));
    expect(err.code).toBe('ResourceExistsException');
    expect(err.extra.ResourceType).toBe('PROFILE_ASSOCIATION');
  });

  it('one Profile per VPC: a VPC already on ANOTHER Profile is refused, ResourceExistsException (unconfirmed) [doc: AssociateProfile; peer: floci]', () => {
    const f = buildFixture();
    const p1 = newProfile(f, A, 'one');
    const p2 = newProfile(f, A, 'two');
    ops.associateProfile(f.ctx(A), { ProfileId: p1.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' });
    const err = errorOf(() => ops.associateProfile(f.ctx(A), { ProfileId: p2.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' }));
    expect(err.code).toBe('ResourceExistsException');
    expect(err.message).toContain(p1.id);
  });

  it('unknown VPC, or a VPC of another account, is ResourceNotFoundException "Can\'t find the resource" [peer: cloudformation-coverage-roadmap#2044]', () => {
    const f = buildFixture();
    const p = newProfile(f, A, 'p', [B]);
    const unknown = errorOf(() => ops.associateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0doesnotexist0000', Name: 'x' }));
    expect(unknown.code).toBe('ResourceNotFoundException');
    expect(unknown.message).toBe(`Can't find the resource with ID "vpc-0doesnotexist0000".`);
    // B may use the shared Profile, but only for its own VPCs.
    expect(codeOf(() => ops.associateProfile(f.ctx(B), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' }))).toBe('ResourceNotFoundException');
    expect(codeOf(() => ops.associateProfile(f.ctx(A), { ProfileId: 'rp-0000000000000000', ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' }))).toBe(
      'ResourceNotFoundException',
    );
  });
});

describe('Route 53 Profiles ops: sharing through RAM', () => {
  it('ShareStatus: NOT_SHARED for an unshared owner, SHARED_BY_ME once shared, SHARED_WITH_ME for the consumer [doc: model ShareStatus]', () => {
    const f = buildFixture();
    const p = newProfile(f);
    expect(ops.getProfile(f.ctx(A), { ProfileId: p.id }).Profile.ShareStatus).toBe('NOT_SHARED');
    p.sharedWith = [B];
    expect(ops.getProfile(f.ctx(A), { ProfileId: p.id }).Profile.ShareStatus).toBe('SHARED_BY_ME');
    const seenByB = ops.getProfile(f.ctx(B), { ProfileId: p.id }).Profile;
    expect(seenByB.ShareStatus).toBe('SHARED_WITH_ME');
    expect(seenByB.OwnerId).toBe(A);
    expect(ops.listProfiles(f.ctx(B), {}).ProfileSummaries.map((s) => [s.Id, s.ShareStatus])).toEqual([[p.id, 'SHARED_WITH_ME']]);
  });

  it('an account the Profile is not shared with cannot see it: ResourceNotFoundException (unconfirmed vs AccessDenied)', () => {
    const f = buildFixture();
    const p = newProfile(f, A, 'p', [B]);
    expect(codeOf(() => ops.getProfile(f.ctx(C), { ProfileId: p.id }))).toBe('ResourceNotFoundException');
    expect(ops.listProfiles(f.ctx(C), {}).ProfileSummaries).toEqual([]);
    expect(codeOf(() => ops.associateProfile(f.ctx(C), { ProfileId: p.id, ResourceId: 'vpc-0ccccccccccccccc1', Name: 'x' }))).toBe('ResourceNotFoundException');
  });

  it('a consumer associates the shared Profile with its own VPC and owns that association [runbook: default RAM permission]', () => {
    const f = buildFixture();
    const p = newProfile(f, A, 'p', [B]);
    const out = ops.associateProfile(f.ctx(B), { ProfileId: p.id, ResourceId: 'vpc-0bbbbbbbbbbbbbbb1', Name: 'spoke' });
    expect(out.ProfileAssociation.OwnerId).toBe(B);
    expect(out.ProfileAssociation.Status).toBe('CREATING');
  });

  it('only the Profile owner changes its resources: a consumer gets AccessDeniedException [runbook: "To share a Profile..."]', () => {
    const f = buildFixture();
    const p = newProfile(f, A, 'p', [B]);
    const r = ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' });
    settle(f);
    expect(codeOf(() => ops.associateResourceToProfile(f.ctx(B), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' }))).toBe(
      'AccessDeniedException',
    );
    expect(codeOf(() => ops.disassociateResourceFromProfile(f.ctx(B), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId) }))).toBe('AccessDeniedException');
    expect(codeOf(() => ops.updateProfileResourceAssociation(f.ctx(B), { ProfileResourceAssociationId: r.ProfileResourceAssociation.Id, Name: 'x' }))).toBe(
      'AccessDeniedException',
    );
    expect(codeOf(() => ops.deleteProfile(f.ctx(B), { ProfileId: p.id }))).toBe('AccessDeniedException');
    // ...but may read them.
    expect(ops.listProfileResourceAssociations(f.ctx(B), { ProfileId: p.id }).ProfileResourceAssociations).toHaveLength(1);
  });

  it('ListProfileAssociations shows each account only the associations it owns (owner-side visibility gap; unconfirmed)', () => {
    const f = buildFixture();
    const p = newProfile(f, A, 'p', [B, C]);
    ops.associateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'a' });
    ops.associateProfile(f.ctx(B), { ProfileId: p.id, ResourceId: 'vpc-0bbbbbbbbbbbbbbb1', Name: 'b' });
    const c = ops.associateProfile(f.ctx(C), { ProfileId: p.id, ResourceId: 'vpc-0ccccccccccccccc1', Name: 'c' });
    expect(ops.listProfileAssociations(f.ctx(A), { ProfileId: p.id }).ProfileAssociations.map((a) => a.ResourceId)).toEqual(['vpc-0aaaaaaaaaaaaaaa1']);
    expect(ops.listProfileAssociations(f.ctx(B), {}).ProfileAssociations.map((a) => a.ResourceId)).toEqual(['vpc-0bbbbbbbbbbbbbbb1']);
    expect(codeOf(() => ops.getProfileAssociation(f.ctx(A), { ProfileAssociationId: c.ProfileAssociation.Id }))).toBe('ResourceNotFoundException');
  });
});

describe('Route 53 Profiles ops: resource associations', () => {
  it('a PHZ joins as ResourceType PRIVATE_HOSTED_ZONE (unconfirmed string), CREATING → COMPLETE after resourceAssociationMs', () => {
    const f = buildFixture();
    const p = newProfile(f);
    const out = ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' });
    expect(out.ProfileResourceAssociation).toMatchObject({ ResourceType: 'PRIVATE_HOSTED_ZONE', Status: 'CREATING', ResourceArn: zoneArn(f.zoneId), OwnerId: A });
    f.clock.advance(f.world.delays.resourceAssociationMs);
    const got = ops.getProfileResourceAssociation(f.ctx(A), { ProfileResourceAssociationId: out.ProfileResourceAssociation.Id });
    expect(got.ProfileResourceAssociation.Status).toBe('COMPLETE');
  });

  it('an interface endpoint joins as VPC_ENDPOINT (unconfirmed string) and goes pending → available, Private DNS untouched [runbook step 5]', () => {
    const f = buildFixture();
    const p = newProfile(f);
    const activeAt = f.endpoint.privateDnsActiveAt;
    const out = ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: vpceArn(f.endpoint), Name: 'lambda' });
    expect(out.ProfileResourceAssociation.ResourceType).toBe('VPC_ENDPOINT');
    expect(f.endpoint.state).toBe('pending');
    expect(f.endpoint.privateDnsActiveAt).toBe(activeAt);
    f.clock.advance(f.world.delays.endpointModifyMs);
    f.ctx(A);
    expect(f.endpoint.state).toBe('available');
  });

  it('an endpoint joins a Profile only with Private DNS enabled: InvalidParameterException naming ResourceArn (code unconfirmed) [runbook + doc]', () => {
    const f = buildFixture();
    const p = newProfile(f);
    f.endpoint.privateDnsEnabled = false;
    const err = errorOf(() => ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: vpceArn(f.endpoint), Name: 'lambda' }));
    expect(err.code).toBe('InvalidParameterException');
    expect(err.extra.FieldName).toBe('ResourceArn');
    expect(err.message).toContain('private DNS');
    expect(f.endpoint.state).toBe('available');
  });

  it('unknown resources are ResourceNotFoundException; a public zone or an unsupported ARN is InvalidParameterException', () => {
    const f = buildFixture();
    const p = newProfile(f);
    expect(codeOf(() => ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn('Z999NOTTHERE'), Name: 'x' }))).toBe(
      'ResourceNotFoundException',
    );
    expect(
      codeOf(() => ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: `arn:aws:ec2:us-east-1:${A}:vpc-endpoint/vpce-0000000000000000f`, Name: 'x' })),
    ).toBe('ResourceNotFoundException');
    expect(codeOf(() => ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn('Z0PUBLICZONE00000001'), Name: 'x' }))).toBe(
      'InvalidParameterException',
    );
    expect(codeOf(() => ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: 'not-an-arn', Name: 'x' }))).toBe('InvalidParameterException');
  });

  it('the same resource twice on one Profile is ConflictException (the model gives AssociateResourceToProfile no ResourceExistsException)', () => {
    const f = buildFixture();
    const p = newProfile(f);
    ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' });
    expect(codeOf(() => ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' }))).toBe('ConflictException');
  });

  it('DisassociateResourceFromProfile: DELETING, then gone after resourceDisassociationMs; refused while still CREATING (unconfirmed)', () => {
    const f = buildFixture();
    const p = newProfile(f);
    const arn = zoneArn(f.zoneId);
    const { ProfileResourceAssociation: r } = ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: arn, Name: 'phz' });
    expect(codeOf(() => ops.disassociateResourceFromProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: arn }))).toBe('ConflictException');
    settle(f);
    const out = ops.disassociateResourceFromProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: arn });
    expect(out.ProfileResourceAssociation.Status).toBe('DELETING');
    f.clock.advance(f.world.delays.resourceDisassociationMs);
    expect(codeOf(() => ops.getProfileResourceAssociation(f.ctx(A), { ProfileResourceAssociationId: r.Id }))).toBe('ResourceNotFoundException');
    expect(ops.listProfileResourceAssociations(f.ctx(A), { ProfileId: p.id }).ProfileResourceAssociations).toEqual([]);
  });

  it('UpdateProfileResourceAssociation renames and runs UPDATING → COMPLETE [doc: CLI example]; ConflictException while not COMPLETE', () => {
    const f = buildFixture();
    const p = newProfile(f);
    const { ProfileResourceAssociation: r } = ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' });
    expect(codeOf(() => ops.updateProfileResourceAssociation(f.ctx(A), { ProfileResourceAssociationId: r.Id, Name: 'renamed' }))).toBe('ConflictException');
    settle(f);
    const out = ops.updateProfileResourceAssociation(f.ctx(A), { ProfileResourceAssociationId: r.Id, Name: 'renamed' });
    expect(out.ProfileResourceAssociation).toMatchObject({ Name: 'renamed', Status: 'UPDATING' });
    settle(f);
    expect(ops.getProfileResourceAssociation(f.ctx(A), { ProfileResourceAssociationId: r.Id }).ProfileResourceAssociation.Status).toBe('COMPLETE');
  });

  it('ListProfileResourceAssociations filters by resourceType', () => {
    const f = buildFixture();
    const p = newProfile(f);
    f.world.rules.rejectProfileZoneEndpointOverlap = false;
    ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' });
    ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: vpceArn(f.endpoint), Name: 'ep' });
    const types = (t?: string) => ops.listProfileResourceAssociations(f.ctx(A), { ProfileId: p.id, ResourceType: t }).ProfileResourceAssociations.map((r) => r.ResourceType);
    expect(types()).toEqual(['PRIVATE_HOSTED_ZONE', 'VPC_ENDPOINT']);
    expect(types('VPC_ENDPOINT')).toEqual(['VPC_ENDPOINT']);
    expect(types('FIREWALL_RULE_GROUP')).toEqual([]);
  });
});

describe('Route 53 Profiles ops: PHZ / endpoint overlap rule (rejectProfileZoneEndpointOverlap, unconfirmed, default on)', () => {
  it('rule on: adding the endpoint while the Profile still holds the PHZ of its name is ConflictException naming both (unconfirmed) [runbook steps 4-5]', () => {
    const f = buildFixture();
    const p = newProfile(f);
    ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' });
    settle(f);
    ops.disassociateResourceFromProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId) });
    // Still DELETING: the Profile still holds the zone.
    const err = errorOf(() => ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: vpceArn(f.endpoint), Name: 'ep' }));
    expect(err.code).toBe('ConflictException');
    expect(err.message).toContain(f.zoneId);
    expect(err.message).toContain(f.endpoint.id);
    expect(f.endpoint.state).toBe('available');
    // Once the zone is gone the endpoint may join.
    settle(f);
    expect(ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: vpceArn(f.endpoint), Name: 'ep' }).ProfileResourceAssociation.Status).toBe(
      'CREATING',
    );
  });

  it('rule on: adding the PHZ while the Profile holds an endpoint serving that name is ConflictException naming both (unconfirmed)', () => {
    const f = buildFixture();
    const p = newProfile(f);
    ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: vpceArn(f.endpoint), Name: 'ep' });
    const err = errorOf(() => ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' }));
    expect(err.code).toBe('ConflictException');
    expect(err.message).toContain(f.zoneId);
    expect(err.message).toContain(f.endpoint.id);
  });

  it('rule off: the Profile may hold both the PHZ and the endpoint for one name', () => {
    const f = buildFixture();
    f.world.rules.rejectProfileZoneEndpointOverlap = false;
    const p = newProfile(f);
    ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' });
    const out = ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: vpceArn(f.endpoint), Name: 'ep' });
    expect(out.ProfileResourceAssociation.Status).toBe('CREATING');
    expect(f.world.resourceAssociations.filter((r) => r.profileId === p.id)).toHaveLength(2);
  });
});

describe('Route 53 Profiles ops: DeleteProfile, pagination, tags', () => {
  it('DeleteProfile is refused with ConflictException while VPCs are associated [doc: DeleteProfile], returns DELETED once free', () => {
    const f = buildFixture();
    const p = newProfile(f);
    ops.associateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' });
    expect(codeOf(() => ops.deleteProfile(f.ctx(A), { ProfileId: p.id }))).toBe('ConflictException');
    settle(f);
    ops.disassociateProfile(f.ctx(A), { ProfileId: p.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1' });
    expect(codeOf(() => ops.deleteProfile(f.ctx(A), { ProfileId: p.id }))).toBe('ConflictException');
    settle(f);
    const out = ops.deleteProfile(f.ctx(A), { ProfileId: p.id });
    expect(out.Profile).toMatchObject({ Status: 'DELETED', StatusMessage: 'Deleted Profile' });
    expect(codeOf(() => ops.getProfile(f.ctx(A), { ProfileId: p.id }))).toBe('ResourceNotFoundException');
  });

  it('DeleteProfile is refused while resources are associated (unconfirmed; stricter default)', () => {
    const f = buildFixture();
    const p = newProfile(f);
    ops.associateResourceToProfile(f.ctx(A), { ProfileId: p.id, ResourceArn: zoneArn(f.zoneId), Name: 'phz' });
    expect(codeOf(() => ops.deleteProfile(f.ctx(A), { ProfileId: p.id }))).toBe('ConflictException');
  });

  it('pagination: MaxResults pages with an opaque NextToken; a bad or foreign token is InvalidNextTokenException [doc: model]', () => {
    const f = buildFixture();
    for (let i = 0; i < 5; i++) ops.createProfile(f.ctx(A), { ClientToken: `t${i}`, Name: `p${i}` });
    const first = ops.listProfiles(f.ctx(A), { MaxResults: 2 });
    expect(first.ProfileSummaries.map((s) => s.Name)).toEqual(['p0', 'p1']);
    const second = ops.listProfiles(f.ctx(A), { MaxResults: 2, NextToken: first.NextToken });
    const third = ops.listProfiles(f.ctx(A), { MaxResults: 2, NextToken: second.NextToken });
    expect([...second.ProfileSummaries, ...third.ProfileSummaries].map((s) => s.Name)).toEqual(['p2', 'p3', 'p4']);
    expect(third.NextToken).toBeUndefined();
    expect(codeOf(() => ops.listProfiles(f.ctx(A), { NextToken: 'garbage' }))).toBe('InvalidNextTokenException');
    expect(codeOf(() => ops.listProfileAssociations(f.ctx(A), { NextToken: first.NextToken }))).toBe('InvalidNextTokenException');
  });

  it('ListProfileAssociations filters by profileId and resourceId', () => {
    const f = buildFixture();
    const p1 = newProfile(f, A, 'one');
    const p2 = newProfile(f, A, 'two');
    ops.associateProfile(f.ctx(A), { ProfileId: p1.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa1', Name: 'x' });
    ops.associateProfile(f.ctx(A), { ProfileId: p2.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa2', Name: 'y' });
    const ids = (input: ops.ListProfileAssociationsInput) => ops.listProfileAssociations(f.ctx(A), input).ProfileAssociations.map((a) => a.ResourceId);
    expect(ids({ ProfileId: p2.id })).toEqual(['vpc-0aaaaaaaaaaaaaaa2']);
    expect(ids({ ResourceId: 'vpc-0aaaaaaaaaaaaaaa1' })).toEqual(['vpc-0aaaaaaaaaaaaaaa1']);
    expect(ids({ ProfileId: p1.id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa2' })).toEqual([]);
  });

  it('tags on a Profile ARN: create-time Tags, TagResource, UntagResource, ListTagsForResource; unknown ARN is ResourceNotFoundException', () => {
    const f = buildFixture();
    const out = ops.createProfile(f.ctx(A), { ClientToken: 't', Name: 'n', Tags: [{ Key: 'team', Value: 'net' }] });
    const arn = out.Profile.Arn;
    ops.tagResource(f.ctx(A), { ResourceArn: arn, Tags: { env: 'prod' } });
    expect(ops.listTagsForResource(f.ctx(A), { ResourceArn: arn }).Tags).toEqual({ team: 'net', env: 'prod' });
    ops.untagResource(f.ctx(A), { ResourceArn: arn, TagKeys: ['team'] });
    expect(ops.listTagsForResource(f.ctx(A), { ResourceArn: arn }).Tags).toEqual({ env: 'prod' });
    expect(codeOf(() => ops.listTagsForResource(f.ctx(A), { ResourceArn: `${arn}0` }))).toBe('ResourceNotFoundException');
    expect(codeOf(() => ops.listTagsForResource(f.ctx(C), { ResourceArn: arn }))).toBe('ResourceNotFoundException');
  });
});
