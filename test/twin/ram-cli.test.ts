// AWS RAM over HTTP, refereed by the AWS CLI (botocore): sharing a Route 53 Profile as an operator
// would do it by hand — the owner creates the share, the receiving account lists and accepts its
// invitation, the association turns ASSOCIATED and the Profile becomes usable from the spoke.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { A, B, C, buildFixture, type Fixture } from './profiles-fixture.js';

const available = referee('aws', 'AWS CLI fidelity (RAM)');

describe.skipIf(!available)('RAM through the AWS CLI', () => {
  let f: Fixture;
  let twin: TestTwin;
  const as = (account: string) => twin.cli(twin.accounts.find((a) => a.id === account)!);
  const cli = (account: string, ...args: string[]): Promise<AwsCliResult> => awsCli(args, as(account));
  const ok = async (account: string, ...args: string[]) => {
    const r = await cli(account, ...args);
    expect(r.stderr, `aws ${args.join(' ')}`).toBe('');
    expect(r.code).toBe(0);
    return r.json;
  };
  const failsWith = async (code: string, account: string, ...args: string[]) => {
    const r = await cli(account, ...args);
    expect(r.code).not.toBe(0);
    expect(cliErrorCode(r.stderr), r.stderr).toBe(code);
    return r.stderr;
  };

  beforeAll(async () => {
    f = buildFixture(0.05);
    twin = await startTestTwin({ world: f.world });
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('create a share, the receiving account lists and accepts its invitation, associations turn ASSOCIATED [RAM UG getting-started-sharing, working-with-shared-invitations]', async () => {
    const profile = (await ok(A, 'route53profiles', 'create-profile', '--name', 'cli-dns')).Profile;
    const created = await ok(A, 'ram', 'create-resource-share', '--name', 'dns-share', '--resource-arns', profile.Arn, '--principals', B, '--client-token', 'cli-1');
    expect(created.resourceShare).toMatchObject({ name: 'dns-share', owningAccountId: A, allowExternalPrincipals: true, status: 'ACTIVE' });
    const shareArn = created.resourceShare.resourceShareArn as string;

    // Before B accepts: the principal association is ASSOCIATING and B can't use the Profile.
    const before = await ok(A, 'ram', 'get-resource-share-associations', '--association-type', 'PRINCIPAL', '--resource-share-arns', shareArn);
    expect(before.resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: B, status: 'ASSOCIATING', external: true })]);
    await failsWith('ResourceNotFoundException', B, 'route53profiles', 'get-profile', '--profile-id', profile.Id);

    const invitations = await ok(B, 'ram', 'get-resource-share-invitations');
    expect(invitations.resourceShareInvitations).toEqual([expect.objectContaining({ resourceShareArn: shareArn, senderAccountId: A, receiverAccountId: B, status: 'PENDING', resourceShareName: 'dns-share' })]);
    const invArn = invitations.resourceShareInvitations[0].resourceShareInvitationArn as string;

    const accepted = await ok(B, 'ram', 'accept-resource-share-invitation', '--resource-share-invitation-arn', invArn);
    expect(accepted.resourceShareInvitation.status).toBe('ACCEPTED');

    const after = await ok(A, 'ram', 'get-resource-share-associations', '--association-type', 'PRINCIPAL', '--resource-share-arns', shareArn);
    expect(after.resourceShareAssociations[0].status).toBe('ASSOCIATED');
    const resources = await ok(A, 'ram', 'get-resource-share-associations', '--association-type', 'RESOURCE', '--resource-share-arns', shareArn);
    expect(resources.resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: profile.Arn, status: 'ASSOCIATED' })]);

    // Now B sees and uses the Profile.
    const got = await ok(B, 'route53profiles', 'get-profile', '--profile-id', profile.Id);
    expect(got.Profile.ShareStatus).toBe('SHARED_WITH_ME');
    const listed = await ok(B, 'ram', 'list-resources', '--resource-owner', 'OTHER-ACCOUNTS');
    expect(listed.resources).toEqual([expect.objectContaining({ arn: profile.Arn, type: 'route53profiles:Profile', resourceShareArn: shareArn })]);
    const assoc = await ok(B, 'route53profiles', 'associate-profile', '--profile-id', profile.Id, '--resource-id', 'vpc-0bbbbbbbbbbbbbbb1', '--name', 'spoke-b');
    expect(assoc.ProfileAssociation.Status).toBe('CREATING');

    await failsWith('ResourceShareInvitationAlreadyAcceptedException', B, 'ram', 'accept-resource-share-invitation', '--resource-share-invitation-arn', invArn);
    const shares = await ok(B, 'ram', 'get-resource-shares', '--resource-owner', 'OTHER-ACCOUNTS');
    expect(shares.resourceShares.map((s: { resourceShareArn: string }) => s.resourceShareArn)).toEqual([shareArn]);
  });

  it('reject an invitation: REJECTED, and accepting it later → ResourceShareInvitationAlreadyRejectedException [API RejectResourceShareInvitation]', async () => {
    const profile = (await ok(A, 'route53profiles', 'create-profile', '--name', 'cli-dns-2')).Profile;
    const created = await ok(A, 'ram', 'create-resource-share', '--name', 'to-c', '--resource-arns', profile.Arn, '--principals', C);
    const shareArn = created.resourceShare.resourceShareArn as string;
    const inv = (await ok(C, 'ram', 'get-resource-share-invitations', '--resource-share-arns', shareArn)).resourceShareInvitations[0];
    const rejected = await ok(C, 'ram', 'reject-resource-share-invitation', '--resource-share-invitation-arn', inv.resourceShareInvitationArn);
    expect(rejected.resourceShareInvitation.status).toBe('REJECTED');
    await failsWith('ResourceShareInvitationAlreadyRejectedException', C, 'ram', 'accept-resource-share-invitation', '--resource-share-invitation-arn', inv.resourceShareInvitationArn);
    await failsWith('ResourceNotFoundException', C, 'route53profiles', 'get-profile', '--profile-id', profile.Id);
  });

  it('misuse gets AWS\'s codes through botocore: MalformedArnException, UnknownResourceException, InvalidParameterException, OperationNotPermittedException [API Errors sections]', async () => {
    await failsWith('MalformedArnException', A, 'ram', 'create-resource-share', '--name', 'x', '--resource-arns', 'not-an-arn');
    await failsWith('UnknownResourceException', A, 'ram', 'create-resource-share', '--name', 'x', '--resource-arns', 'arn:aws:route53profiles:us-east-1:111111111111:profile/rp-0000000000000000');
    await failsWith('InvalidParameterException', A, 'ram', 'create-resource-share', '--name', 'x', '--principals', 'not-a-principal');
    await failsWith('InvalidParameterException', A, 'ram', 'get-resource-shares', '--resource-owner', 'NOBODY');
    await failsWith('OperationNotPermittedException', A, 'ram', 'enable-sharing-with-aws-organization');
  });

  it('disassociate the principal, then delete the share: the spoke loses the Profile [API DisassociateResourceShare, DeleteResourceShare]', async () => {
    const profile = (await ok(A, 'route53profiles', 'create-profile', '--name', 'cli-dns-3')).Profile;
    const shareArn = (await ok(A, 'ram', 'create-resource-share', '--name', 'tmp', '--resource-arns', profile.Arn)).resourceShare.resourceShareArn;
    const added = await ok(A, 'ram', 'associate-resource-share', '--resource-share-arn', shareArn, '--principals', C);
    expect(added.resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: C, associationType: 'PRINCIPAL', status: 'ASSOCIATING' })]);
    const inv = (await ok(C, 'ram', 'get-resource-share-invitations', '--resource-share-arns', shareArn)).resourceShareInvitations[0];
    await ok(C, 'ram', 'accept-resource-share-invitation', '--resource-share-invitation-arn', inv.resourceShareInvitationArn);
    expect((await ok(C, 'route53profiles', 'get-profile', '--profile-id', profile.Id)).Profile.Id).toBe(profile.Id);
    const removed = await ok(A, 'ram', 'disassociate-resource-share', '--resource-share-arn', shareArn, '--principals', C);
    expect(removed.resourceShareAssociations[0]).toMatchObject({ associatedEntity: C, status: 'DISASSOCIATING' });
    await failsWith('ResourceNotFoundException', C, 'route53profiles', 'get-profile', '--profile-id', profile.Id);
    const deleted = await ok(A, 'ram', 'delete-resource-share', '--resource-share-arn', shareArn);
    expect(deleted.returnValue).toBe(true);
    const mine = await ok(A, 'ram', 'get-resource-shares', '--resource-owner', 'SELF', '--name', 'tmp');
    expect(mine.resourceShares[0].status).toBe('DELETED');
  });
});
