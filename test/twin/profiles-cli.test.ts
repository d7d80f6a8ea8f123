// Route 53 Profiles over HTTP, refereed by the AWS CLI (botocore 1.43): every operation, success
// and error paths, must be parsed by the CLI exactly as it parses AWS's answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { A, B, C, buildFixture, LAMBDA, REGION, vpceArn, zoneArn, type Fixture } from './profiles-fixture.js';

const available = referee('aws', 'AWS CLI fidelity (Route 53 Profiles)');

describe.skipIf(!available)('Route 53 Profiles through the AWS CLI', () => {
  let f: Fixture;
  let twin: TestTwin;
  const as = (account: string) => twin.cli(twin.accounts.find((a) => a.id === account)!);
  const cli = (account: string, ...args: string[]): Promise<AwsCliResult> => awsCli(['route53profiles', ...args], as(account));
  const ok = async (account: string, ...args: string[]) => {
    const r = await cli(account, ...args);
    expect(r.stderr, `aws route53profiles ${args.join(' ')}`).toBe('');
    expect(r.code).toBe(0);
    return r.json;
  };
  const failsWith = async (code: string, account: string, ...args: string[]) => {
    const r = await cli(account, ...args);
    expect(r.code).not.toBe(0);
    expect(cliErrorCode(r.stderr), r.stderr).toBe(code);
    return r.stderr;
  };
  /** Polls until `done` holds, at most `tries` times (lifecycles run on the real clock, scaled down). */
  async function pollUntil<T>(read: () => Promise<T>, done: (v: T) => boolean, tries = 40): Promise<T[]> {
    const seen: T[] = [];
    for (let i = 0; i < tries; i++) {
      const v = await read();
      seen.push(v);
      if (done(v)) return seen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`condition not reached after ${tries} polls; last: ${JSON.stringify(seen.at(-1))}`);
  }

  beforeAll(async () => {
    // Delays at 1/20 of the base: a VPC association settles in 300 ms.
    f = buildFixture(0.05);
    for (let i = 0; i < 5; i++) {
      f.world.vpcs.push({ id: `vpc-0b0000000000000${i}0`, ownerId: B, region: REGION, cidr: `10.${10 + i}.0.0/16`, name: `b-${i}` });
    }
    twin = await startTestTwin({ world: f.world });
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('CreateProfile / GetProfile / ListProfiles: the CLI parses the Profile with epoch-second timestamps and NOT_SHARED', async () => {
    const created = await ok(A, 'create-profile', '--name', 'cli-profile', '--tags', 'Key=team,Value=net');
    expect(created.Profile).toMatchObject({ Name: 'cli-profile', OwnerId: A, ShareStatus: 'NOT_SHARED', Status: 'COMPLETE' });
    expect(created.Profile.Id).toMatch(/^rp-[0-9a-f]{16}$/);
    expect(typeof created.Profile.CreationTime).toBe('number');
    const got = await ok(A, 'get-profile', '--profile-id', created.Profile.Id);
    expect(got.Profile.Arn).toBe(created.Profile.Arn);
    const listed = await ok(A, 'list-profiles');
    expect(listed.ProfileSummaries.map((s: { Id: string }) => s.Id)).toContain(created.Profile.Id);
  });

  it('CreateProfile with the same --client-token returns the same Profile [doc: model idempotencyToken]', async () => {
    const one = await ok(A, 'create-profile', '--name', 'idem', '--client-token', 'cli-idem-token');
    const two = await ok(A, 'create-profile', '--name', 'idem', '--client-token', 'cli-idem-token');
    expect(two.Profile.Id).toBe(one.Profile.Id);
  });

  it('GetProfile of an unknown id is ResourceNotFoundException; of an unshared Profile too (unconfirmed)', async () => {
    await failsWith('ResourceNotFoundException', A, 'get-profile', '--profile-id', 'rp-0000000000000000');
    const p = await ok(A, 'create-profile', '--name', 'private-to-a');
    await failsWith('ResourceNotFoundException', C, 'get-profile', '--profile-id', p.Profile.Id);
  });

  it('sharing: B sees a Profile shared with it as SHARED_WITH_ME, A sees SHARED_BY_ME; B associates its own VPC', async () => {
    const p = await ok(A, 'create-profile', '--name', 'shared-with-b');
    f.world.profiles.find((x) => x.id === p.Profile.Id)!.sharedWith = [B];
    expect((await ok(B, 'get-profile', '--profile-id', p.Profile.Id)).Profile.ShareStatus).toBe('SHARED_WITH_ME');
    expect((await ok(A, 'get-profile', '--profile-id', p.Profile.Id)).Profile.ShareStatus).toBe('SHARED_BY_ME');
    const listed = await ok(B, 'list-profiles');
    expect(listed.ProfileSummaries).toEqual([expect.objectContaining({ Id: p.Profile.Id, ShareStatus: 'SHARED_WITH_ME' })]);
    // C's VPC is not B's to associate.
    await failsWith('ResourceNotFoundException', B, 'associate-profile', '--profile-id', p.Profile.Id, '--resource-id', 'vpc-0ccccccccccccccc1', '--name', 'x');
    const own = await ok(B, 'associate-profile', '--profile-id', p.Profile.Id, '--resource-id', 'vpc-0bbbbbbbbbbbbbbb1', '--name', 'spoke-b');
    expect(own.ProfileAssociation).toMatchObject({ OwnerId: B, Status: 'CREATING' });
    // Resource changes stay with the owner [runbook: default RAM permission].
    await failsWith('AccessDeniedException', B, 'associate-resource-to-profile', '--profile-id', p.Profile.Id, '--resource-arn', zoneArn(f.zoneId), '--name', 'z');
  });

  it('AssociateProfile → CREATING, observed COMPLETE by polling get-profile-association; then DisassociateProfile → DELETING → gone', async () => {
    const p = await ok(A, 'create-profile', '--name', 'lifecycle');
    const out = await ok(A, 'associate-profile', '--profile-id', p.Profile.Id, '--resource-id', 'vpc-0aaaaaaaaaaaaaaa2', '--name', 'other-a');
    expect(out.ProfileAssociation).toMatchObject({ Status: 'CREATING', StatusMessage: 'Creating Profile Association', ResourceId: 'vpc-0aaaaaaaaaaaaaaa2' });
    const id = out.ProfileAssociation.Id;
    expect(id).toMatch(/^rpassoc-[0-9a-f]{17}$/);
    const seen = await pollUntil(
      async () => (await ok(A, 'get-profile-association', '--profile-association-id', id)).ProfileAssociation.Status as string,
      (s) => s === 'COMPLETE',
    );
    expect(seen.every((s) => s === 'CREATING' || s === 'COMPLETE')).toBe(true);
    await failsWith('ResourceExistsException', A, 'associate-profile', '--profile-id', p.Profile.Id, '--resource-id', 'vpc-0aaaaaaaaaaaaaaa2', '--name', 'again');
    await failsWith('ConflictException', A, 'delete-profile', '--profile-id', p.Profile.Id);
    const gone = await ok(A, 'disassociate-profile', '--profile-id', p.Profile.Id, '--resource-id', 'vpc-0aaaaaaaaaaaaaaa2');
    expect(gone.ProfileAssociation.Status).toBe('DELETING');
    await pollUntil(
      async () => cliErrorCode((await cli(A, 'get-profile-association', '--profile-association-id', id)).stderr),
      (code) => code === 'ResourceNotFoundException',
    );
    await failsWith('ResourceNotFoundException', A, 'disassociate-profile', '--profile-id', p.Profile.Id, '--resource-id', 'vpc-0aaaaaaaaaaaaaaa2');
    const deleted = await ok(A, 'delete-profile', '--profile-id', p.Profile.Id);
    expect(deleted.Profile.Status).toBe('DELETED');
  });

  it('AssociateProfile for an unknown VPC is ResourceNotFoundException [peer: cloudformation-coverage-roadmap#2044]', async () => {
    const p = await ok(A, 'create-profile', '--name', 'unknown-vpc');
    const stderr = await failsWith('ResourceNotFoundException', A, 'associate-profile', '--profile-id', p.Profile.Id, '--resource-id', 'vpc-0doesnotexist000', '--name', 'x');
    expect(stderr).toContain(`Can't find the resource with ID "vpc-0doesnotexist000"`);
  });

  it('list-profile-associations auto-paginates across several pages (MaxResults from --page-size) and filters by --profile-id', async () => {
    const p = await ok(A, 'create-profile', '--name', 'many-vpcs');
    f.world.profiles.find((x) => x.id === p.Profile.Id)!.sharedWith = [B];
    for (let i = 0; i < 5; i++) {
      await ok(B, 'associate-profile', '--profile-id', p.Profile.Id, '--resource-id', `vpc-0b0000000000000${i}0`, '--name', `b-${i}`);
    }
    const before = twin.twin.log.filter((e) => e.operation === 'ListProfileAssociations').length;
    const all = await ok(B, 'list-profile-associations', '--profile-id', p.Profile.Id, '--page-size', '2');
    const pages = twin.twin.log.filter((e) => e.operation === 'ListProfileAssociations').length - before;
    expect(pages).toBe(3);
    expect(all.ProfileAssociations.map((a: { ResourceId: string }) => a.ResourceId).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `vpc-0b0000000000000${i}0`));
    const byVpc = await ok(B, 'list-profile-associations', '--resource-id', 'vpc-0b000000000000020');
    expect(byVpc.ProfileAssociations).toHaveLength(1);
    // A (the owner) does not see B's associations (owner-side visibility gap; unconfirmed).
    expect((await ok(A, 'list-profile-associations', '--profile-id', p.Profile.Id)).ProfileAssociations).toEqual([]);
    await failsWith('InvalidNextTokenException', B, 'list-profile-associations', '--starting-token', 'not-a-token');
  });

  it('resource associations: PHZ CREATING → COMPLETE, list with --resource-type, update, disassociate, get after gone', async () => {
    const p = await ok(A, 'create-profile', '--name', 'with-zone');
    const out = await ok(A, 'associate-resource-to-profile', '--profile-id', p.Profile.Id, '--resource-arn', zoneArn(f.zoneId), '--name', 'lambda-phz');
    const r = out.ProfileResourceAssociation;
    expect(r).toMatchObject({ ResourceType: 'PRIVATE_HOSTED_ZONE', Status: 'CREATING', ResourceArn: zoneArn(f.zoneId) });
    await failsWith('ConflictException', A, 'associate-resource-to-profile', '--profile-id', p.Profile.Id, '--resource-arn', zoneArn(f.zoneId), '--name', 'again');
    await pollUntil(
      async () => (await ok(A, 'get-profile-resource-association', '--profile-resource-association-id', r.Id)).ProfileResourceAssociation.Status as string,
      (s) => s === 'COMPLETE',
    );
    const listed = await ok(A, 'list-profile-resource-associations', '--profile-id', p.Profile.Id, '--resource-type', 'PRIVATE_HOSTED_ZONE');
    expect(listed.ProfileResourceAssociations.map((x: { Id: string }) => x.Id)).toEqual([r.Id]);
    expect((await ok(A, 'list-profile-resource-associations', '--profile-id', p.Profile.Id, '--resource-type', 'VPC_ENDPOINT')).ProfileResourceAssociations).toEqual([]);
    const updated = await ok(A, 'update-profile-resource-association', '--profile-resource-association-id', r.Id, '--name', 'renamed');
    expect(updated.ProfileResourceAssociation).toMatchObject({ Name: 'renamed', Status: 'UPDATING' });
    await pollUntil(
      async () => (await ok(A, 'get-profile-resource-association', '--profile-resource-association-id', r.Id)).ProfileResourceAssociation.Status as string,
      (s) => s === 'COMPLETE',
    );
    const del = await ok(A, 'disassociate-resource-from-profile', '--profile-id', p.Profile.Id, '--resource-arn', zoneArn(f.zoneId));
    expect(del.ProfileResourceAssociation.Status).toBe('DELETING');
    await pollUntil(
      async () => cliErrorCode((await cli(A, 'get-profile-resource-association', '--profile-resource-association-id', r.Id)).stderr),
      (code) => code === 'ResourceNotFoundException',
    );
    await failsWith('ResourceNotFoundException', A, 'list-profile-resource-associations', '--profile-id', 'rp-0000000000000000');
    await failsWith('ResourceNotFoundException', A, 'update-profile-resource-association', '--profile-resource-association-id', 'rpr-00000000000000000', '--name', 'x');
  });

  it('an endpoint joins only with Private DNS on (InvalidParameterException, unconfirmed code); the overlap rule refuses PHZ + endpoint of one name (unconfirmed)', async () => {
    const p = await ok(A, 'create-profile', '--name', 'with-endpoint');
    f.endpoint.privateDnsEnabled = false;
    const stderr = await failsWith('InvalidParameterException', A, 'associate-resource-to-profile', '--profile-id', p.Profile.Id, '--resource-arn', vpceArn(f.endpoint), '--name', 'ep');
    expect(stderr).toContain('private DNS');
    f.endpoint.privateDnsEnabled = true;
    await ok(A, 'associate-resource-to-profile', '--profile-id', p.Profile.Id, '--resource-arn', zoneArn(f.zoneId), '--name', 'phz');
    const conflict = await failsWith('ConflictException', A, 'associate-resource-to-profile', '--profile-id', p.Profile.Id, '--resource-arn', vpceArn(f.endpoint), '--name', 'ep');
    expect(conflict).toContain(f.zoneId);
    expect(conflict).toContain(f.endpoint.id);
    expect(conflict).toContain(LAMBDA);
  });

  it('an endpoint joining a Profile goes pending → available (observed through the world) with ResourceType VPC_ENDPOINT [runbook step 5]', async () => {
    const p = await ok(A, 'create-profile', '--name', 'endpoint-only');
    const out = await ok(A, 'associate-resource-to-profile', '--profile-id', p.Profile.Id, '--resource-arn', vpceArn(f.endpoint), '--name', 'ep');
    expect(out.ProfileResourceAssociation.ResourceType).toBe('VPC_ENDPOINT');
    expect(twin.twin.snapshot().endpoints[0]!.state).toBe('pending');
    await pollUntil(async () => twin.twin.snapshot().endpoints[0]!.state, (s) => s === 'available');
  });

  it('tags: tag-resource, list-tags-for-resource, untag-resource on a Profile ARN (percent-encoded in the path)', async () => {
    const p = await ok(A, 'create-profile', '--name', 'tagged', '--tags', 'Key=team,Value=net');
    const arn = p.Profile.Arn as string;
    expect((await cli(A, 'tag-resource', '--resource-arn', arn, '--tags', 'env=prod')).code).toBe(0);
    expect((await ok(A, 'list-tags-for-resource', '--resource-arn', arn)).Tags).toEqual({ team: 'net', env: 'prod' });
    expect((await cli(A, 'untag-resource', '--resource-arn', arn, '--tag-keys', 'team')).code).toBe(0);
    expect((await ok(A, 'list-tags-for-resource', '--resource-arn', arn)).Tags).toEqual({ env: 'prod' });
    await failsWith('ResourceNotFoundException', A, 'list-tags-for-resource', '--resource-arn', `arn:aws:route53profiles:${REGION}:${A}:profile/rp-0000000000000000`);
  });

  it('error paths of DeleteProfile, the resource-association reads and writes, and the tag operations', async () => {
    await failsWith('ResourceNotFoundException', A, 'delete-profile', '--profile-id', 'rp-0000000000000000');
    await failsWith('ResourceNotFoundException', A, 'get-profile-resource-association', '--profile-resource-association-id', 'rpr-00000000000000000');
    const p = await ok(A, 'create-profile', '--name', 'errors-only');
    await failsWith('ResourceNotFoundException', A, 'disassociate-resource-from-profile', '--profile-id', p.Profile.Id, '--resource-arn', zoneArn(f.zoneId));
    await failsWith('ResourceNotFoundException', A, 'associate-resource-to-profile', '--profile-id', p.Profile.Id, '--resource-arn', zoneArn('Z0NOSUCHZONE0000000'), '--name', 'x');
    const missing = `arn:aws:route53profiles:${REGION}:${A}:profile/rp-0000000000000000`;
    await failsWith('ResourceNotFoundException', A, 'tag-resource', '--resource-arn', missing, '--tags', 'a=b');
    await failsWith('ResourceNotFoundException', A, 'untag-resource', '--resource-arn', missing, '--tag-keys', 'a');
    f.world.profiles.find((x) => x.id === p.Profile.Id)!.sharedWith = [B];
    await failsWith('AccessDeniedException', B, 'tag-resource', '--resource-arn', p.Profile.Arn, '--tags', 'a=b');
    await failsWith('AccessDeniedException', B, 'delete-profile', '--profile-id', p.Profile.Id);
  });

  it('a bad Name pattern is ValidationException in AWS style', async () => {
    // botocore does not check patterns client-side, so the twin's validation answers.
    const stderr = await failsWith('ValidationException', A, 'create-profile', '--name', '12345');
    expect(stderr).toContain("Value '12345' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern");
  });
});
