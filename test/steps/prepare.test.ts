// Prepare's pure logic (src/steps/prepare.ts): what it refuses before anything changes, the order
// of its batches from any partial world, what it waits for, and what a rollback takes back.
import { describe, expect, it } from 'vitest';
import { Plan } from '../../src/plan/schema.js';
import { hasPrepare, planPrepare, prepareActions, prepareInFlight, prepareProblems, prepareUndo, shareOf, type PrepareWorld } from '../../src/steps/prepare.js';

const IDS = { shared: '111111111111', 'spokes-a': '222222222222', 'spokes-b': '333333333333' } as const;

function plan(profile: Record<string, unknown>): Plan {
  return Plan.parse({
    name: 'prep',
    region: 'us-east-1',
    accounts: Object.fromEntries(Object.entries(IDS).map(([n, accountId]) => [n, { accountId }])),
    profile: { account: 'shared', ...profile },
    sharedServicesVpc: { id: 'vpc-00000001', account: 'shared' },
    spokes: [
      { id: 'vpc-00000002', account: 'spokes-a' },
      { id: 'vpc-00000003', account: 'spokes-b' },
      { id: 'vpc-00000004', account: 'spokes-a' },
    ],
    endpoints: [{ id: 'vpce-00000001', zones: ['Z0001'] }],
  });
}

const PROFILE_ARN = 'arn:aws:route53profiles:us-east-1:111111111111:profile/rp-0123456789abcdef';
const SHARE_ARN = 'arn:aws:ram:us-east-1:111111111111:resource-share/abc';

function world(over: Partial<PrepareWorld> = {}): PrepareWorld {
  return { accounts: { ...IDS }, sameName: [], invitations: {}, visible: { 'spokes-a': false, 'spokes-b': false }, ...over };
}

const ours = { id: 'rp-0123456789abcdef', arn: PROFILE_ARN, name: 'shared-dns', status: 'COMPLETE', preparedBy: 'prep' };
const share = (o: Partial<NonNullable<PrepareWorld['share']>> = {}) => ({
  arn: SHARE_ARN,
  name: 'r53migrate-prep',
  status: 'ACTIVE',
  allowExternalPrincipals: true,
  preparedBy: 'prep',
  principals: [
    { id: IDS['spokes-a'], status: 'ASSOCIATING', external: true },
    { id: IDS['spokes-b'], status: 'ASSOCIATING', external: true },
  ],
  resources: [{ arn: PROFILE_ARN, status: 'ASSOCIATED' }],
  ...o,
});

describe('plan schema: profile.create / profile.share', () => {
  it('takes either an id or create, never both or neither', () => {
    expect(() => plan({ id: 'rp-0123456789abcdef', create: { name: 'x' } })).toThrow(/either id .* or create/);
    expect(() => plan({})).toThrow(/expected id .* or create/);
    expect(plan({ create: { name: 'shared-dns' } }).profile.id).toBe('(new Profile shared-dns)');
  });
  it("refuses a Profile name Route 53 Profiles would refuse (its model's pattern: not digits only, 64 at most)", () => {
    expect(() => plan({ create: { name: '12345' } })).toThrow(/Profile name/);
    expect(() => plan({ create: { name: 'x'.repeat(65) } })).toThrow(/Profile name/);
    expect(() => plan({ create: { name: 'bad/name' } })).toThrow(/Profile name/);
  });
  it('a created Profile with VPCs in other accounts is shared with those accounts by default; an existing one only when asked', () => {
    expect(shareOf(plan({ create: { name: 'shared-dns' } }))).toEqual({ name: 'r53migrate-prep', with: 'accounts', allowExternalPrincipals: true });
    expect(hasPrepare(plan({ id: 'rp-0123456789abcdef' }))).toBe(false);
    expect(shareOf(plan({ id: 'rp-0123456789abcdef', share: { name: 'dns', with: 'organization' } }))).toEqual({ name: 'dns', with: 'organization', allowExternalPrincipals: true });
  });
});

describe('prepare: batches in order, each from the world as observed', () => {
  const p = plan({ create: { name: 'shared-dns' } });
  const o = { runId: 'run-1' };

  it('the share comes first, with the accounts as principals and no resource: a refused share leaves nothing created', () => {
    const [a, ...rest] = prepareActions(world(), p, o);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ kind: 'create-share', account: 'shared', shareName: 'r53migrate-prep', principals: [IDS['spokes-a'], IDS['spokes-b']], resourceArns: [], allowExternalPrincipals: true });
  });
  it('then the Profile, then the Profile into the share, then one accept per invited account', () => {
    const noResource = share({ resources: [] });
    expect(prepareActions(world({ share: noResource }), p, o).map((a) => a.kind)).toEqual(['create-profile']);
    expect(prepareActions(world({ share: noResource, profile: ours }), p, o)).toMatchObject([{ kind: 'share-associate', resourceArns: [PROFILE_ARN], principals: [] }]);
    const invited = world({ share: share(), profile: ours, invitations: { 'spokes-a': { arn: 'inv-a', status: 'PENDING' }, 'spokes-b': { arn: 'inv-b', status: 'PENDING' } } });
    expect(prepareActions(invited, p, o).map((a) => [a.kind, a.account])).toEqual([
      ['accept-invitation', 'spokes-a'],
      ['accept-invitation', 'spokes-b'],
    ]);
  });
  it('a principal a colleague removed from the share is added again; an account that already sees the Profile accepts nothing', () => {
    const w = world({ share: share({ principals: [{ id: IDS['spokes-a'], status: 'ASSOCIATED', external: true }] }), profile: ours, visible: { 'spokes-a': true, 'spokes-b': false } });
    expect(prepareActions(w, p, o)).toMatchObject([{ kind: 'share-associate', principals: [IDS['spokes-b']], resourceArns: [] }]);
  });
  it('is done only when every other account sees the Profile (the gate), and says which one does not', () => {
    const w = world({ share: share(), profile: ours, visible: { 'spokes-a': true, 'spokes-b': false }, invitations: { 'spokes-b': { arn: 'inv-b', status: 'ACCEPTED' } } });
    expect(prepareActions(w, p, o)).toEqual([]);
    expect(prepareInFlight(w, p)).toEqual([{ what: `account spokes-b (${IDS['spokes-b']}) seeing Profile ${ours.id}`, status: 'invitation ACCEPTED' }]);
    expect(prepareInFlight({ ...w, visible: { 'spokes-a': true, 'spokes-b': true } }, p)).toEqual([]);
  });
  it('an account stuck on a rejected or expired invitation, or outside the organization or OUs shared with: the wait says what to do', () => {
    const stuck = (status: string) => prepareInFlight(world({ share: share(), profile: ours, visible: { 'spokes-a': true, 'spokes-b': false }, invitations: { 'spokes-b': { arn: 'inv-b', status } } }), p)[0]!;
    expect(stuck('REJECTED')).toMatchObject({ status: 'invitation REJECTED', advice: expect.stringMatching(/^the account turned it down: remove the account from RAM resource share r53migrate-prep if it is still there, then resume/) });
    expect(stuck('EXPIRED')).toMatchObject({ status: 'invitation EXPIRED', advice: expect.stringMatching(/^remove the account from RAM resource share r53migrate-prep .*then resume/) });
    expect(stuck('PENDING')).toEqual({ what: expect.any(String), status: 'invitation PENDING' });
    const notSeen = (w: PrepareWorld, pl: Plan) => prepareInFlight(w, pl).map(({ status, advice }) => ({ status, advice }));
    const sharedAt = { share: share(), profile: ours, visible: { 'spokes-a': true, 'spokes-b': false } };
    expect(notSeen(world(sharedAt), p)).toEqual([{ status: 'no invitation yet', advice: undefined }]);
    const org = plan({ create: { name: 'shared-dns' }, share: { name: 'r53migrate-prep', with: 'organization' } });
    expect(notSeen(world(sharedAt), org)).toEqual([{ status: 'not yet', advice: expect.stringMatching(/^shared with the organization: .*check that this one is in it$/) }]);
    const ou = 'arn:aws:organizations::111111111111:ou/o-exampleorgid/ou-ab12-cdef3456';
    const inOus = plan({ create: { name: 'shared-dns' }, share: { name: 'r53migrate-prep', with: { ous: [ou] } } });
    expect(notSeen(world(sharedAt), inOus)).toEqual([{ status: 'not yet', advice: `shared with ${ou}: only accounts in these OUs or in OUs below them see it; check where this account sits` }]);
  });
  it('the same run derives the same client tokens (a retry after a kill is the same request); another run other ones', () => {
    const t = (runId: string) => (prepareActions(world({ share: share({ resources: [] }) }), p, { runId })[0] as { clientToken: string }).clientToken;
    expect(t('run-1')).toBe(t('run-1'));
    expect(t('run-1')).not.toBe(t('run-2'));
  });
  it('the dry run lists the four batches a fresh estate needs, with no client token it cannot know yet', () => {
    const batches = planPrepare(world(), p, {});
    expect(batches.map((b) => b.map((a) => a.kind))).toEqual([['create-share'], ['create-profile'], ['share-associate'], ['accept-invitation', 'accept-invitation']]);
    expect(JSON.stringify(batches)).toContain('(derived from the run id)');
  });
});

describe('prepare refuses, before any change, what AWS would refuse or a colleague owns', () => {
  it('a Profile of that name that this plan did not create', () => {
    const p = plan({ create: { name: 'shared-dns' } });
    const problems = prepareProblems(world({ sameName: [{ id: 'rp-ffffffffffffffff' }] }), p);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/already has a Profile named "shared-dns" \(rp-ffffffffffffffff\) that this plan did not create.*profile\.id: rp-ffffffffffffffff.*another name/);
  });
  it('sharing with the organization while a spoke account is outside it', () => {
    const p = plan({ create: { name: 'shared-dns' }, share: { with: 'organization' } });
    const problems = prepareProblems(world({ organizations: { shared: 'o-aaaaaaaaaa', 'spokes-a': 'o-aaaaaaaaaa', 'spokes-b': '' } }), p);
    expect(problems.join('\n')).toMatch(/spokes-b \(333333333333, in no organization\) is not in: share with accounts/);
  });
  it('a share closed to external principals while a spoke account is in another organization', () => {
    const p = plan({ create: { name: 'shared-dns' }, share: { allowExternalPrincipals: false } });
    const problems = prepareProblems(world({ organizations: { shared: 'o-aaaaaaaaaa', 'spokes-a': 'o-bbbbbbbbbb', 'spokes-b': 'o-aaaaaaaaaa' } }), p);
    expect(problems.join('\n')).toMatch(/does not allow external principals.*spokes-a \(222222222222, in o-bbbbbbbbbb\) is outside organization o-aaaaaaaaaa/);
  });
  it('nothing when every account is inside the organization', () => {
    const p = plan({ create: { name: 'shared-dns' }, share: { with: 'organization' } });
    expect(prepareProblems(world({ organizations: { shared: 'o-aaaaaaaaaa', 'spokes-a': 'o-aaaaaaaaaa', 'spokes-b': 'o-aaaaaaaaaa' } }), p)).toEqual([]);
  });
});

describe('rollback takes back what prepare made, and only that', () => {
  it('a share and a Profile it created: the share is deleted, then the Profile', () => {
    const p = plan({ create: { name: 'shared-dns' } });
    expect(prepareUndo(world({ share: share(), profile: ours }), p, { principals: [], resourceArns: [] }).map((b) => b.map((a) => a.kind))).toEqual([['delete-share'], ['delete-profile']]);
  });
  it("an operator's share it extended: only the principals and resources this run added are removed, the share stays", () => {
    const p = plan({ id: 'rp-0123456789abcdef', share: { name: 'team-share' } });
    const theirs = share({ name: 'team-share', preparedBy: undefined, principals: [{ id: IDS['spokes-a'], status: 'ASSOCIATED', external: false }, { id: IDS['spokes-b'], status: 'ASSOCIATED', external: false }] });
    const undo = prepareUndo(world({ share: theirs, profile: { ...ours, preparedBy: undefined } }), p, { principals: [IDS['spokes-b']], resourceArns: [] });
    expect(undo).toMatchObject([[{ kind: 'share-disassociate', principals: [IDS['spokes-b']], resourceArns: [] }]]);
  });
  it('an existing Profile (by id) is never deleted', () => {
    const p = plan({ id: 'rp-0123456789abcdef', share: {} });
    expect(prepareUndo(world({ profile: { ...ours, preparedBy: 'prep' } }), p, { principals: [], resourceArns: [] })).toEqual([]);
  });
});

describe('what the Profile carries besides the plan (left untouched, reported by plan)', () => {
  it('names every resource that is neither a zone nor an endpoint of the plan', async () => {
    const { untouchedProfileResources } = await import('../../src/steps/assess.js');
    const p = plan({ id: 'rp-0123456789abcdef' });
    const resources = [
      { id: 'a', name: 'phz', resourceArn: 'arn:aws:route53:::hostedzone/Z0001', resourceType: 'AWS::Route53::HostedZone', status: 'COMPLETE' as const },
      { id: 'b', name: 'ep', resourceArn: 'arn:aws:ec2:us-east-1:111111111111:vpc-endpoint/vpce-00000001', resourceType: 'AWS::EC2::VPCEndpoint', status: 'COMPLETE' as const },
      { id: 'c', name: 'onprem-forward', resourceArn: 'arn:aws:route53resolver:us-east-1:111111111111:resolver-rule/rslvr-rr-1', resourceType: 'AWS::Route53Resolver::ResolverRule', status: 'COMPLETE' as const },
    ];
    const world = { profile: { id: 'rp-0123456789abcdef', arn: PROFILE_ARN, name: 'p', ownerId: '111111111111', shareStatus: '', status: 'COMPLETE', resources } };
    const [line, ...more] = untouchedProfileResources(world as never, p);
    expect(more).toEqual([]);
    expect(line).toMatch(/also holds 1 resource\(s\) this plan leaves untouched.*AWS::Route53Resolver::ResolverRule onprem-forward/);
    expect(untouchedProfileResources({ profile: { ...world.profile, resources: resources.slice(0, 2) } } as never, p)).toEqual([]);
  });
});
