// AWS RAM behaviour, unit level: ops/ram.ts (and the Profiles ops that honour its shares) on a
// hand-built World. Each test is named after the source of the fact it encodes
// (docs/aws-facts.md "RAM: sharing a Route 53 Profile").
import { errorOf } from '../support/twin.js';
import { describe, expect, it } from 'vitest';
import * as profiles from '../../src/twin/ops/profiles.js';
import * as ram from '../../src/twin/ops/ram.js';
import { buildScenario } from '../../src/twin/scenario.js';
import { A, B, C, buildFixture, type Fixture } from './profiles-fixture.js';

const ORG = 'o-abcdef1234';
const ORG_ARN = `arn:aws:organizations::${A}:organization/${ORG}`;
const OU = 'ou-abcd-12345678';
const OU_ARN = `arn:aws:organizations::${A}:ou/${ORG}/${OU}`;
const OUTSIDER = '444444444444';

const codeOf = (fn: () => unknown) => errorOf(fn).code;

function newProfile(f: Fixture, owner = A, name = 'shared-dns') {
  const out = profiles.createProfile(f.ctx(owner), { ClientToken: `token-${name}-${owner}`, Name: name });
  return f.world.profiles.find((x) => x.id === out.Profile.Id)!;
}

/** A, B and C in one organization (A manages it); C under an OU. */
function withOrg(f: Fixture, sharingEnabled: boolean) {
  f.world.organization = { id: ORG, managementAccountId: A, accountIds: [A, B, C], ous: [{ id: OU, accountIds: [C] }], ramSharingEnabled: sharingEnabled };
}

function share(f: Fixture, principals: string[], opts: Partial<ram.CreateResourceShareInput> = {}) {
  const p = newProfile(f);
  const out = ram.createResourceShare(f.ctx(A), { name: 'dns', resourceArns: [p.arn], principals, ...opts });
  return { profile: p, arn: out.resourceShare.resourceShareArn, out };
}

function principalStatus(f: Fixture, shareArn: string, principal: string) {
  return ram.getResourceShareAssociations(f.ctx(A), { associationType: 'PRINCIPAL', resourceShareArns: [shareArn], principal }).resourceShareAssociations[0]?.status;
}

describe('RAM ops: resource shares', () => {
  it('CreateResourceShare: allowExternalPrincipals "The default value is true"; ARN arn:aws:ram:REGION:ACCOUNT:resource-share/UUID [API CreateResourceShare]', () => {
    const f = buildFixture();
    const { out } = share(f, [B]);
    expect(out.resourceShare.allowExternalPrincipals).toBe(true);
    expect(out.resourceShare.status).toBe('ACTIVE');
    expect(out.resourceShare.owningAccountId).toBe(A);
    expect(out.resourceShare.resourceShareArn).toMatch(/^arn:aws:ram:us-east-1:111111111111:resource-share\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('a Route 53 Profile is shareable as route53profiles:Profile; its ARN is arn:aws:route53profiles:REGION:ACCOUNT:profile/rp-… [RAM UG shareable resources]', () => {
    const f = buildFixture();
    const { arn, profile } = share(f, [B]);
    expect(profile.arn).toMatch(/^arn:aws:route53profiles:us-east-1:111111111111:profile\/rp-[0-9a-f]{16}$/);
    const res = ram.listResources(f.ctx(A), { resourceOwner: 'SELF' }).resources;
    expect(res).toEqual([expect.objectContaining({ arn: profile.arn, type: 'route53profiles:Profile', resourceShareArn: arn, status: 'AVAILABLE' })]);
  });

  it('clientToken: a retry returns the same share; other parameters → IdempotentParameterMismatchException [API CreateResourceShare clientToken, Errors]', () => {
    const f = buildFixture();
    const p = newProfile(f);
    const first = ram.createResourceShare(f.ctx(A), { name: 'dns', resourceArns: [p.arn], principals: [B], clientToken: 'tok-1' });
    const again = ram.createResourceShare(f.ctx(A), { name: 'dns', resourceArns: [p.arn], principals: [B], clientToken: 'tok-1' });
    expect(again.resourceShare.resourceShareArn).toBe(first.resourceShare.resourceShareArn);
    expect(again.clientToken).toBe('tok-1');
    expect(f.world.resourceShares).toHaveLength(1);
    expect(f.world.shareInvitations).toHaveLength(1);
    expect(codeOf(() => ram.createResourceShare(f.ctx(A), { name: 'other', clientToken: 'tok-1' }))).toBe('IdempotentParameterMismatchException');
  });

  it('a malformed resource ARN → MalformedArnException; a well-formed ARN of nothing the caller owns → UnknownResourceException [API CreateResourceShare Errors; peer: moto ram/models.py]', () => {
    const f = buildFixture();
    const p = newProfile(f, B, 'bs');
    const bad = errorOf(() => ram.createResourceShare(f.ctx(A), { name: 'x', resourceArns: ['not-an-arn'] }));
    expect(bad.code).toBe('MalformedArnException');
    expect(bad.httpStatus).toBe(400);
    expect(codeOf(() => ram.createResourceShare(f.ctx(A), { name: 'x', resourceArns: ['arn:aws:route53profiles:us-east-1:111111111111:profile/rp-0000000000000000'] }))).toBe('UnknownResourceException');
    // Another account's Profile can't be shared by A.
    expect(codeOf(() => ram.createResourceShare(f.ctx(A), { name: 'x', resourceArns: [p.arn] }))).toBe('UnknownResourceException');
    // A refused create leaves nothing behind.
    expect(f.world.resourceShares ?? []).toHaveLength(0);
  });

  it('a principal that is neither an account id nor an organization/OU ARN → InvalidParameterException "Principal ID … is malformed" [peer: terraform-provider-aws#7769]', () => {
    const f = buildFixture();
    const e = errorOf(() => share(f, ['o-notanarn']));
    expect(e.code).toBe('InvalidParameterException');
    expect(e.message).toBe('Principal ID o-notanarn is malformed. Verify the ID and try again.');
  });

  it('GetResourceShares: resourceOwner must be SELF or OTHER-ACCOUNTS; name filter; paging with maxResults/nextToken [API GetResourceShares]', () => {
    const f = buildFixture();
    for (const n of ['a', 'b', 'c']) ram.createResourceShare(f.ctx(A), { name: n });
    expect(codeOf(() => ram.getResourceShares(f.ctx(A), { resourceOwner: 'ME' }))).toBe('InvalidParameterException');
    expect(ram.getResourceShares(f.ctx(A), { resourceOwner: 'SELF', name: 'b' }).resourceShares.map((s) => s.name)).toEqual(['b']);
    const p1 = ram.getResourceShares(f.ctx(A), { resourceOwner: 'SELF', maxResults: 2 });
    expect(p1.resourceShares).toHaveLength(2);
    const p2 = ram.getResourceShares(f.ctx(A), { resourceOwner: 'SELF', maxResults: 2, nextToken: p1.nextToken });
    expect(p2.resourceShares.map((s) => s.name)).toEqual(['c']);
    expect(p2.nextToken).toBeUndefined();
    expect(codeOf(() => ram.getResourceShares(f.ctx(A), { resourceOwner: 'SELF', nextToken: 'garbage' }))).toBe('InvalidNextTokenException');
    expect(ram.getResourceShares(f.ctx(B), { resourceOwner: 'SELF' }).resourceShares).toEqual([]);
  });

  it('GetResourceShareAssociations: principal only with PRINCIPAL, resourceArn only with RESOURCE → InvalidParameterException [API GetResourceShareAssociations]', () => {
    const f = buildFixture();
    const { arn, profile } = share(f, [B]);
    expect(codeOf(() => ram.getResourceShareAssociations(f.ctx(A), { associationType: 'RESOURCE', principal: B }))).toBe('InvalidParameterException');
    expect(codeOf(() => ram.getResourceShareAssociations(f.ctx(A), { associationType: 'PRINCIPAL', resourceArn: profile.arn }))).toBe('InvalidParameterException');
    const res = ram.getResourceShareAssociations(f.ctx(A), { associationType: 'RESOURCE', resourceShareArns: [arn] }).resourceShareAssociations;
    expect(res).toEqual([expect.objectContaining({ associatedEntity: profile.arn, associationType: 'RESOURCE', status: 'ASSOCIATED', resourceShareName: 'dns' })]);
  });
});

describe('RAM ops: invitations (no organization)', () => {
  it('an account outside the owner\'s organization gets a PENDING invitation; its principal association is ASSOCIATING until it accepts [API service overview; Pulumi ram.PrincipalAssociation docs]', () => {
    const f = buildFixture();
    const { arn } = share(f, [B]);
    expect(principalStatus(f, arn, B)).toBe('ASSOCIATING');
    const inv = ram.getResourceShareInvitations(f.ctx(B), {}).resourceShareInvitations;
    expect(inv).toEqual([expect.objectContaining({ resourceShareArn: arn, senderAccountId: A, receiverAccountId: B, status: 'PENDING', resourceShareName: 'dns' })]);
    expect(inv[0]!.resourceShareInvitationArn).toMatch(/^arn:aws:ram:us-east-1:111111111111:resource-share-invitation\/[0-9a-f-]{36}$/);
    // Invitations are the receiver's: the sender and third parties see none.
    expect(ram.getResourceShareInvitations(f.ctx(A), {}).resourceShareInvitations).toEqual([]);
    expect(ram.getResourceShareInvitations(f.ctx(C), {}).resourceShareInvitations).toEqual([]);
    // The share shows up for the receiver under OTHER-ACCOUNTS while the invitation is pending.
    expect(ram.getResourceShares(f.ctx(B), { resourceOwner: 'OTHER-ACCOUNTS' }).resourceShares.map((s) => s.resourceShareArn)).toEqual([arn]);
  });

  it('AcceptResourceShareInvitation: ACCEPTED, the association turns ASSOCIATED; accepting again → ResourceShareInvitationAlreadyAcceptedException [API AcceptResourceShareInvitation Errors]', () => {
    const f = buildFixture();
    const { arn } = share(f, [B]);
    const invArn = ram.pendingInvitationFor(f.world, arn, B)!.arn;
    const out = ram.acceptResourceShareInvitation(f.ctx(B), { resourceShareInvitationArn: invArn });
    expect(out.resourceShareInvitation.status).toBe('ACCEPTED');
    expect(principalStatus(f, arn, B)).toBe('ASSOCIATED');
    expect(codeOf(() => ram.acceptResourceShareInvitation(f.ctx(B), { resourceShareInvitationArn: invArn }))).toBe('ResourceShareInvitationAlreadyAcceptedException');
  });

  it('accept retried with the same clientToken returns the invitation instead of an error [API AcceptResourceShareInvitation clientToken]', () => {
    const f = buildFixture();
    const { arn } = share(f, [B]);
    const invArn = ram.pendingInvitationFor(f.world, arn, B)!.arn;
    ram.acceptResourceShareInvitation(f.ctx(B), { resourceShareInvitationArn: invArn, clientToken: 't' });
    expect(ram.acceptResourceShareInvitation(f.ctx(B), { resourceShareInvitationArn: invArn, clientToken: 't' }).resourceShareInvitation.status).toBe('ACCEPTED');
  });

  it('RejectResourceShareInvitation: REJECTED; accepting it afterwards → ResourceShareInvitationAlreadyRejectedException [API RejectResourceShareInvitation, AcceptResourceShareInvitation Errors]', () => {
    const f = buildFixture();
    const { arn, profile } = share(f, [B]);
    const invArn = ram.pendingInvitationFor(f.world, arn, B)!.arn;
    expect(ram.rejectResourceShareInvitation(f.ctx(B), { resourceShareInvitationArn: invArn }).resourceShareInvitation.status).toBe('REJECTED');
    expect(codeOf(() => ram.acceptResourceShareInvitation(f.ctx(B), { resourceShareInvitationArn: invArn }))).toBe('ResourceShareInvitationAlreadyRejectedException');
    expect(codeOf(() => profiles.getProfile(f.ctx(B), { ProfileId: profile.id }))).toBe('ResourceNotFoundException');
  });

  it('only the receiver can answer an invitation: another account → ResourceShareInvitationArnNotFoundException; a bad ARN → MalformedArnException [API AcceptResourceShareInvitation Errors]', () => {
    const f = buildFixture();
    const { arn } = share(f, [B]);
    const invArn = ram.pendingInvitationFor(f.world, arn, B)!.arn;
    expect(codeOf(() => ram.acceptResourceShareInvitation(f.ctx(C), { resourceShareInvitationArn: invArn }))).toBe('ResourceShareInvitationArnNotFoundException');
    expect(codeOf(() => ram.acceptResourceShareInvitation(f.ctx(B), { resourceShareInvitationArn: 'invitation-1' }))).toBe('MalformedArnException');
  });
});

describe('RAM ops: organizations', () => {
  it('inside the organization with sharing enabled: ASSOCIATED at once, no invitation [RAM UG getting-started-sharing; Pulumi ram.PrincipalAssociation docs]', () => {
    const f = buildFixture();
    withOrg(f, true);
    const { arn, profile } = share(f, [B]);
    expect(principalStatus(f, arn, B)).toBe('ASSOCIATED');
    expect(f.world.shareInvitations ?? []).toEqual([]);
    expect(profiles.getProfile(f.ctx(B), { ProfileId: profile.id }).Profile.ShareStatus).toBe('SHARED_WITH_ME');
  });

  it('inside the organization with sharing NOT enabled: an account still gets an invitation [Pulumi ram.PrincipalAssociation docs]', () => {
    const f = buildFixture();
    withOrg(f, false);
    const { arn } = share(f, [B]);
    expect(principalStatus(f, arn, B)).toBe('ASSOCIATING');
    expect(ram.pendingInvitationFor(f.world, arn, B)).toBeDefined();
    // An account in the organization is not external.
    const row = ram.getResourceShareAssociations(f.ctx(A), { associationType: 'PRINCIPAL', resourceShareArns: [arn] }).resourceShareAssociations[0]!;
    expect(row.external).toBe(false);
  });

  it('an organization or OU principal needs sharing enabled: otherwise UnknownResourceException "Organization o-… could not be found." [peer: terraform-provider-aws#7769, #28848]', () => {
    const f = buildFixture();
    withOrg(f, false);
    const e = errorOf(() => share(f, [ORG_ARN]));
    expect(e.code).toBe('UnknownResourceException');
    expect(e.message).toBe(`Organization ${ORG} could not be found.`);
    // No organization at all: the same.
    const g = buildFixture();
    expect(codeOf(() => share(g, [ORG_ARN]))).toBe('UnknownResourceException');
  });

  it('an organization principal covers every member, an OU principal the OU\'s accounts [API CreateResourceShare principals]', () => {
    const f = buildFixture();
    withOrg(f, true);
    const { profile } = share(f, [OU_ARN]);
    expect(codeOf(() => profiles.getProfile(f.ctx(B), { ProfileId: profile.id }))).toBe('ResourceNotFoundException');
    expect(profiles.getProfile(f.ctx(C), { ProfileId: profile.id }).Profile.Id).toBe(profile.id);
    const g = buildFixture();
    withOrg(g, true);
    const s2 = share(g, [ORG_ARN]);
    expect(profiles.listProfiles(g.ctx(B), {}).ProfileSummaries.map((p) => p.Id)).toEqual([s2.profile.id]);
    expect(profiles.listProfiles(g.ctx(C), {}).ProfileSummaries.map((p) => p.Id)).toEqual([s2.profile.id]);
  });

  it('allowExternalPrincipals=false: "shared with only accounts in the same organization"; an outsider → OperationNotPermittedException [API ResourceShare.allowExternalPrincipals; peer: terraform-provider-aws#7769]', () => {
    const f = buildFixture();
    withOrg(f, true);
    const e = errorOf(() => share(f, [OUTSIDER], { allowExternalPrincipals: false }));
    expect(e.code).toBe('OperationNotPermittedException');
    expect(e.httpStatus).toBe(400);
    // A member is fine, and an outsider with the default (true) gets an invitation, marked external.
    const ok = share(f, [B], { allowExternalPrincipals: false });
    expect(principalStatus(f, ok.arn, B)).toBe('ASSOCIATED');
    const ext = share(f, [OUTSIDER]);
    const row = ram.getResourceShareAssociations(f.ctx(A), { associationType: 'PRINCIPAL', resourceShareArns: [ext.arn] }).resourceShareAssociations[0]!;
    expect(row).toMatchObject({ status: 'ASSOCIATING', external: true });
  });

  it('EnableSharingWithAwsOrganization: "You must call this operation from … the organization\'s management account"; otherwise OperationNotPermittedException [API EnableSharingWithAwsOrganization; peer: moto]', () => {
    const f = buildFixture();
    expect(codeOf(() => ram.enableSharingWithAwsOrganization(f.ctx(A), {}))).toBe('OperationNotPermittedException');
    withOrg(f, false);
    expect(codeOf(() => ram.enableSharingWithAwsOrganization(f.ctx(B), {}))).toBe('OperationNotPermittedException');
    expect(ram.enableSharingWithAwsOrganization(f.ctx(A), {})).toEqual({ returnValue: true });
    expect(f.world.organization!.ramSharingEnabled).toBe(true);
  });
});

describe('RAM ops: what a share makes visible in Route 53 Profiles', () => {
  it('a shared Profile is visible to the receiver only once ASSOCIATED: "After the owner accepts the invitation, they can access the resources" [API service overview]', () => {
    const f = buildFixture();
    const { arn, profile } = share(f, [B]);
    expect(codeOf(() => profiles.getProfile(f.ctx(B), { ProfileId: profile.id }))).toBe('ResourceNotFoundException');
    expect(profiles.listProfiles(f.ctx(B), {}).ProfileSummaries).toEqual([]);
    expect(codeOf(() => profiles.associateProfile(f.ctx(B), { ProfileId: profile.id, ResourceId: 'vpc-0bbbbbbbbbbbbbbb1', Name: 'b' }))).toBe('ResourceNotFoundException');
    // The owner sees NOT_SHARED until a principal is associated.
    expect(profiles.getProfile(f.ctx(A), { ProfileId: profile.id }).Profile.ShareStatus).toBe('NOT_SHARED');

    ram.acceptResourceShareInvitation(f.ctx(B), { resourceShareInvitationArn: ram.pendingInvitationFor(f.world, arn, B)!.arn });
    expect(profiles.getProfile(f.ctx(B), { ProfileId: profile.id }).Profile.ShareStatus).toBe('SHARED_WITH_ME');
    expect(profiles.getProfile(f.ctx(A), { ProfileId: profile.id }).Profile.ShareStatus).toBe('SHARED_BY_ME');
    expect(profiles.listProfiles(f.ctx(B), {}).ProfileSummaries.map((p) => p.Id)).toEqual([profile.id]);
    const assoc = profiles.associateProfile(f.ctx(B), { ProfileId: profile.id, ResourceId: 'vpc-0bbbbbbbbbbbbbbb1', Name: 'b' });
    expect(assoc.ProfileAssociation.Status).toBe('CREATING');
    // C, never invited, still can't see it.
    expect(codeOf(() => profiles.getProfile(f.ctx(C), { ProfileId: profile.id }))).toBe('ResourceNotFoundException');
    // ListResources OTHER-ACCOUNTS lists it for B.
    expect(ram.listResources(f.ctx(B), { resourceOwner: 'OTHER-ACCOUNTS' }).resources.map((r) => r.arn)).toEqual([profile.arn]);
    expect(ram.listResources(f.ctx(C), { resourceOwner: 'OTHER-ACCOUNTS' }).resources).toEqual([]);
  });

  it('DisassociateResourceShare of the principal, or DeleteResourceShare, takes the Profile away again [API DisassociateResourceShare, DeleteResourceShare]', () => {
    const f = buildFixture();
    withOrg(f, true);
    const { arn, profile } = share(f, [B, C]);
    const out = ram.disassociateResourceShare(f.ctx(A), { resourceShareArn: arn, principals: [B] });
    expect(out.resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: B, associationType: 'PRINCIPAL', status: 'DISASSOCIATING' })]);
    expect(codeOf(() => profiles.getProfile(f.ctx(B), { ProfileId: profile.id }))).toBe('ResourceNotFoundException');
    expect(profiles.getProfile(f.ctx(C), { ProfileId: profile.id }).Profile.Id).toBe(profile.id);
    expect(ram.deleteResourceShare(f.ctx(A), { resourceShareArn: arn })).toEqual({ returnValue: true, clientToken: undefined });
    expect(codeOf(() => profiles.getProfile(f.ctx(C), { ProfileId: profile.id }))).toBe('ResourceNotFoundException');
    expect(ram.getResourceShares(f.ctx(A), { resourceOwner: 'SELF' }).resourceShares[0]!.status).toBe('DELETED');
    expect(codeOf(() => ram.associateResourceShare(f.ctx(A), { resourceShareArn: arn, principals: [B] }))).toBe('InvalidStateTransitionException');
  });

  it('AssociateResourceShare adds a principal to an existing share (and only the owner may: others → UnknownResourceException) [API AssociateResourceShare]', () => {
    const f = buildFixture();
    const { arn, profile } = share(f, []);
    expect(codeOf(() => ram.associateResourceShare(f.ctx(B), { resourceShareArn: arn, principals: [B] }))).toBe('UnknownResourceException');
    const out = ram.associateResourceShare(f.ctx(A), { resourceShareArn: arn, principals: [C] });
    expect(out.resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: C, associationType: 'PRINCIPAL', status: 'ASSOCIATING', external: true })]);
    ram.acceptResourceShareInvitation(f.ctx(C), { resourceShareInvitationArn: ram.pendingInvitationFor(f.world, arn, C)!.arn });
    expect(profiles.getProfile(f.ctx(C), { ProfileId: profile.id }).Profile.Id).toBe(profile.id);
    expect(ram.listResources(f.ctx(A), { resourceOwner: 'SELF', principal: C }).resources).toHaveLength(1);
    expect(ram.listResources(f.ctx(A), { resourceOwner: 'SELF', principal: B }).resources).toHaveLength(0);
  });

  it('a standing share a scenario declares (profile.sharedWith, no RAM records) keeps working as before', () => {
    const world = buildScenario({ scenario: 'via-profile', accounts: 2, vpcs: 3 });
    const p = world.profiles[0]!;
    expect(world.resourceShares).toBeUndefined();
    expect(world.organization).toBeUndefined();
    expect(p.sharedWith).toHaveLength(1);
    const ctx = { world, now: Date.UTC(2026, 0, 2), accountId: p.sharedWith[0]!, region: world.region, requestId: 'r', delayFactor: 1, takeFault: () => false };
    expect(profiles.getProfile(ctx, { ProfileId: p.id }).Profile.ShareStatus).toBe('SHARED_WITH_ME');
  });

  it('a scenario may put its accounts in one organization (first account manages it), sharing enabled or not', () => {
    const a = buildScenario({ accounts: 2, vpcs: 3 });
    const b = buildScenario({ accounts: 2, vpcs: 3, organization: 'sharing-enabled' });
    expect(b.organization).toMatchObject({ managementAccountId: b.accounts[0]!.id, accountIds: b.accounts.map((x) => x.id), ramSharingEnabled: true });
    expect(b.organization!.id).toMatch(/^o-[a-z0-9]{10}$/);
    // Adding an organization shifts no other id.
    expect(b.profiles.map((p) => p.id)).toEqual(a.profiles.map((p) => p.id));
    expect(b.vpcs.map((v) => v.id)).toEqual(a.vpcs.map((v) => v.id));
  });
});
