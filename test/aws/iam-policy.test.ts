// The policy generator: per plan account, the actions its calls need, narrowed to the plan's
// zones, VPCs, endpoints and Profile; judged by the twin's IAM evaluator (src/twin/iam.ts) so
// "allows every request of the run" and "each statement is needed" are checked, not assumed.
import { describe, expect, it } from 'vitest';
import { planNeeds, planPolicies, policyDocument, SIMULATOR_SID, MAX_CONDITION_VALUES, type Need, type PolicyDocument, type PolicyOptions } from '../../src/aws/iam-policy.js';
import { COMMAND_PERMISSIONS } from '../../src/aws/permissions.js';
import { Plan } from '../../src/plan/schema.js';
import { evaluatePolicies, validatePolicyDocument } from '../../src/twin/iam.js';

const ID = { shared: '111111111111', s1: '222222222222', s2: '333333333333' };
const Z1 = 'Z0AAAAAAAAAAAAAAAAAAA';
const Z2 = 'Z0BBBBBBBBBBBBBBBBBBB';
const E1 = 'vpce-0aaaaaaaaaaaaaaaa';
const E2 = 'vpce-0bbbbbbbbbbbbbbbb';
const S = 'vpc-00000000000000000';
const V1 = 'vpc-11111111111111111';
const V2 = 'vpc-22222222222222222';
const V3 = 'vpc-33333333333333333';
const PARK = 'vpc-99999999999999999';

function plan(extra: Record<string, unknown> = {}): Plan {
  return Plan.parse({
    name: 'iam-test',
    region: 'us-east-1',
    accounts: { shared: { accountId: ID.shared }, 'spokes-1': { accountId: ID.s1 }, 'spokes-2': { accountId: ID.s2, assumeRole: { roleArn: `arn:aws:iam::${ID.s2}:role/ops/r53migrate` } } },
    profile: { id: 'rp-0123456789abcdef', account: 'shared' },
    sharedServicesVpc: { id: S, account: 'shared' },
    spokes: [
      { id: V1, account: 'spokes-1' },
      { id: V2, account: 'spokes-2' },
      { id: V3, account: 'shared' },
    ],
    endpoints: [
      { id: E1, zones: [Z1] },
      { id: E2, zones: [Z2] },
    ],
    ...extra,
  });
}

const vpcs = (...ids: string[]) => ids.map((v) => `VPCId=${v},VPCRegion=us-east-1`).sort();
const statements = (doc: PolicyDocument, action: string) => doc.Statement.filter((s) => s.Action.includes(action));
const actionsOf = (doc: PolicyDocument) => new Set(doc.Statement.flatMap((s) => s.Action));

/** Whether the account's policy allows a need's every resource (each request carries the need's context). */
function allowed(doc: PolicyDocument, n: Need): boolean {
  const context = Object.fromEntries(Object.entries(n.context ?? {}).map(([k, v]) => [k, [v]]));
  return n.resources.every((resource) => evaluatePolicies([{ id: 'p', type: 'role', document: doc as never }], { action: n.action, resource, context }).decision === 'allowed');
}

describe('planPolicies: who needs what', () => {
  it('gives the zones\' owner (here the Profile\'s account) the zone writes, narrowed to the plan\'s zones and VPCs (path A)', () => {
    const { accounts } = planPolicies(plan(), { path: 'A' });
    const shared = accounts.shared!.policy;
    const [dis] = statements(shared, 'route53:DisassociateVPCFromHostedZone');
    expect(dis!.Resource).toEqual([`arn:aws:route53:::hostedzone/${Z1}`, `arn:aws:route53:::hostedzone/${Z2}`]);
    // Step 2 lets go of S, step 6 of every spoke but the keeper (V3, last).
    expect(dis!.Condition).toEqual({ StringEquals: { 'route53:VPCs': vpcs(S, V1, V2) } });
    expect(statements(shared, 'ec2:ModifyVpcEndpoint')[0]!.Resource).toEqual([`arn:aws:ec2:us-east-1:${ID.shared}:vpc-endpoint/${E1}`, `arn:aws:ec2:us-east-1:${ID.shared}:vpc-endpoint/${E2}`]);
    expect(statements(shared, 'route53profiles:TagResource')[0]!.Resource).toEqual([`arn:aws:route53profiles:us-east-1:${ID.shared}:profile/rp-0123456789abcdef`]);
    const add = shared.Statement.find((s) => s.Sid === 'AddEndpointsToProfile')!;
    expect(add.Condition).toEqual({
      ArnEquals: { 'route53profiles:ResourceArns': [`arn:aws:ec2:us-east-1:${ID.shared}:vpc-endpoint/${E1}`, `arn:aws:ec2:us-east-1:${ID.shared}:vpc-endpoint/${E2}`] },
      StringEquals: { 'route53profiles:ResourceTypes': ['VPCEndpoint'] },
    });
  });

  it('gives a spoke account only its own VPCs\' Profile association on path A: no zone write, no Profile resource', () => {
    const { accounts } = planPolicies(plan(), { path: 'A' });
    const s1 = accounts['spokes-1']!.policy;
    expect(statements(s1, 'route53profiles:AssociateProfile')[0]!.Condition).toEqual({ StringEquals: { 'route53profiles:ResourceIds': [V1] } });
    for (const a of actionsOf(s1)) expect(a).not.toMatch(/route53:(Associate|Disassociate|Change|Delete|Create)|AssociateResourceToProfile|ModifyVpcEndpoint/);
  });

  it('on path B, the zones\' owner authorizes the other accounts\' spokes, and each spoke account associates its own VPC', () => {
    const { accounts } = planPolicies(plan(), { path: 'B' });
    const auth = accounts.shared!.policy.Statement.find((s) => s.Sid === 'AuthorizeOtherAccountVpcsOnZones')!;
    expect(auth.Action).toEqual(['route53:CreateVPCAssociationAuthorization', 'route53:DeleteVPCAssociationAuthorization']);
    // V3 is the zones' own account's: associated directly, no authorization.
    expect(auth.Condition).toEqual({ StringEquals: { 'route53:VPCs': vpcs(V1, V2) } });
    const assoc1 = statements(accounts['spokes-1']!.policy, 'route53:AssociateVPCWithHostedZone')[0]!;
    expect(assoc1.Condition).toEqual({ StringEquals: { 'route53:VPCs': vpcs(V1) } });
    expect(assoc1.Resource).toEqual([`arn:aws:route53:::hostedzone/${Z1}`, `arn:aws:route53:::hostedzone/${Z2}`]);
    expect(statements(accounts.shared!.policy, 'route53:AssociateVPCWithHostedZone')[0]!.Condition).toEqual({ StringEquals: { 'route53:VPCs': vpcs(V3) } });
    // Path B puts no VPC on the Profile (they are on it already).
    expect(actionsOf(accounts['spokes-1']!.policy).has('route53profiles:AssociateProfile')).toBe(false);
  });

  it('follows the zones to the account that owns them, and endpoints to theirs', () => {
    const { accounts } = planPolicies(plan(), { path: 'A', zoneOwners: { [Z1]: 'spokes-1', [Z2]: 'spokes-1' }, endpointOwners: { [E1]: 'spokes-2', [E2]: 'spokes-2' } });
    expect(statements(accounts['spokes-1']!.policy, 'route53:DeleteHostedZone')).toHaveLength(1);
    expect(statements(accounts.shared!.policy, 'route53:DeleteHostedZone')).toHaveLength(0);
    expect(statements(accounts['spokes-2']!.policy, 'ec2:ModifyVpcEndpoint')[0]!.Resource).toEqual([`arn:aws:ec2:us-east-1:${ID.s2}:vpc-endpoint/${E1}`, `arn:aws:ec2:us-east-1:${ID.s2}:vpc-endpoint/${E2}`]);
    // Endpoints are looked for in the Profile's and the shared-services accounts first: those ask too.
    expect(actionsOf(accounts.shared!.policy).has('ec2:DescribeVpcEndpoints')).toBe(true);
  });

  it('without --path, holds the statements of both paths', () => {
    const both = actionsOf(planPolicies(plan()).accounts.shared!.policy);
    expect(both.has('route53profiles:AssociateProfile')).toBe(true);
    expect(both.has('route53:CreateVPCAssociationAuthorization')).toBe(true);
  });

  it('--rollback adds what rollback and restore-zone need: re-creating zones (any zone id, only with the plan\'s VPCs), taking VPCs back, Private DNS off', () => {
    const fwd = planPolicies(plan({ parkingVpc: { id: PARK, account: 'shared' } }), { path: 'A' }).accounts.shared!.policy;
    const back = planPolicies(plan({ parkingVpc: { id: PARK, account: 'shared' } }), { path: 'A', rollback: true }).accounts.shared!.policy;
    for (const a of ['route53:CreateHostedZone', 'route53:ListHostedZonesByName', 'ec2:DescribeRegions']) {
      expect(actionsOf(fwd).has(a), a).toBe(false);
      expect(actionsOf(back).has(a), a).toBe(true);
    }
    const create = back.Statement.find((s) => s.Sid === 'RecreateDeletedZones')!;
    // Re-created with the parking VPC (the last holder).
    expect(create.Condition).toEqual({ StringEquals: { 'route53:VPCs': vpcs(PARK) } });
    const refill = back.Statement.find((s) => s.Sid === 'RefillZonesFromBackups')!;
    expect(refill.Resource).toEqual(['arn:aws:route53:::hostedzone/*']);
    // Any zone, but records can only be added (restore.ts sends CREATE only).
    expect(refill.Condition).toEqual({ 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsActions': ['CREATE'] } });
    // Undo 1 on path A: the VPCs leave the Profile (the statement resume's repair needs already).
    expect(statements(back, 'route53profiles:DisassociateProfile')[0]!.Condition).toEqual({ StringEquals: { 'route53profiles:ResourceIds': [S, V3] } });
  });

  it('a rollback that re-creates no zone (every one still there) keeps to the plan\'s zone ids', () => {
    const needs = planNeeds(plan(), { path: 'A', rollbackOnly: true, zonesMayBeRecreated: false });
    expect(needs.some((n) => n.resources.includes('arn:aws:route53:::hostedzone/*'))).toBe(false);
    expect(needs.some((n) => n.action === 'route53:CreateHostedZone')).toBe(false);
  });

  it('asks for SSM only when the plan probes through SSM, only in those VPCs\' accounts, on the named instances', () => {
    const none = planPolicies(plan(), {});
    for (const p of Object.values(none.accounts)) for (const a of actionsOf(p.policy)) expect(a).not.toMatch(/^ssm:|ec2:DescribeInstances/);
    const ssm = planPolicies(plan({ probes: { ssm: { vpcs: { [V1]: 'i-0aaaaaaaaaaaaaaaa', [V2]: 'discover' } } } }), {});
    const send1 = statements(ssm.accounts['spokes-1']!.policy, 'ssm:SendCommand')[0]!;
    expect(send1.Resource).toEqual([`arn:aws:ec2:us-east-1:${ID.s1}:instance/i-0aaaaaaaaaaaaaaaa`, 'arn:aws:ssm:us-east-1::document/AWS-RunShellScript']);
    // A discovered instance is known only at run time: the account's instances.
    expect(statements(ssm.accounts['spokes-2']!.policy, 'ssm:SendCommand')[0]!.Resource).toEqual([`arn:aws:ec2:us-east-1:${ID.s2}:instance/*`, 'arn:aws:ssm:us-east-1::document/AWS-RunShellScript']);
    expect(actionsOf(ssm.accounts.shared!.policy).has('ssm:SendCommand')).toBe(false);
  });

  it('leaves a deleted zone out of a forward run (step 7 is done for it)', () => {
    const needs = planNeeds(plan(), { path: 'A', goneZones: [Z1] });
    expect(needs.some((n) => n.resources.includes(`arn:aws:route53:::hostedzone/${Z1}`) || n.context?.['route53profiles:ResourceArns']?.includes(Z1))).toBe(false);
    expect(needs.some((n) => n.resources.includes(`arn:aws:route53:::hostedzone/${Z2}`))).toBe(true);
  });

  it('lets the simulator statement name the plan\'s role when the account assumes one', () => {
    const { accounts } = planPolicies(plan(), {});
    expect(accounts['spokes-2']!.policy.Statement.find((s) => s.Sid === SIMULATOR_SID)!.Resource).toEqual([`arn:aws:iam::${ID.s2}:role/ops/r53migrate`]);
    expect(accounts['spokes-1']!.policy.Statement.find((s) => s.Sid === SIMULATOR_SID)!.Resource).toEqual([`arn:aws:iam::${ID.s1}:role/*`, `arn:aws:iam::${ID.s1}:user/*`]);
  });

  it('writes "*" in an ARN\'s account when the plan does not give the account id', () => {
    const p = plan();
    delete p.accounts.shared!.accountId;
    const shared = planPolicies(p, { path: 'A' }).accounts.shared!;
    expect(shared.accountId).toBeNull();
    expect(statements(shared.policy, 'ec2:ModifyVpcEndpoint')[0]!.Resource[0]).toBe(`arn:aws:ec2:us-east-1:*:vpc-endpoint/${E1}`);
    // ArnEquals would compare the "*" literally in some evaluators: a wildcard value takes ArnLike.
    expect(shared.policy.Statement.find((s) => s.Sid === 'AddEndpointsToProfile')!.Condition!.ArnLike).toBeDefined();
  });
});

describe('the documents, judged by an IAM evaluator', () => {
  const cases: [string, Plan, PolicyOptions][] = [
    ['path A', plan(), { path: 'A' }],
    ['path B', plan(), { path: 'B' }],
    ['path A with rollback and a parking VPC', plan({ parkingVpc: { id: PARK, account: 'shared' } }), { path: 'A', rollback: true }],
    ['path B with rollback, SSM probes, zones in a spoke account', plan({ probes: { ssm: { discover: true } } }), { path: 'B', rollback: true, zoneOwners: { [Z1]: 'spokes-1', [Z2]: 'spokes-1' } }],
    ['prepare (Profile created, shared with the accounts) on path A with rollback', plan({ profile: { account: 'shared', create: { name: 'shared-dns' }, share: { with: 'accounts' } } }), { path: 'A', rollback: true }],
    ['prepare (an existing Profile shared with the organization) on path B', plan({ profile: { id: 'rp-0123456789abcdef', account: 'shared', share: { with: 'organization' } } }), { path: 'B' }],
  ];

  it.each(cases)('%s: every document is a valid identity policy (unique alphanumeric Sids, ARNs or "*")', (_name, p, o) => {
    for (const [name, a] of Object.entries(planPolicies(p, o).accounts)) expect(validatePolicyDocument(a.policy), name).toEqual([]);
  });

  it.each(cases)('%s: each account\'s policy allows every request the run makes as that account', (_name, p, o) => {
    const { accounts } = planPolicies(p, o);
    for (const n of planNeeds(p, o)) expect(allowed(accounts[n.account]!.policy, n), `${n.account} ${n.action} ${n.resources.join(',')} ${JSON.stringify(n.context ?? {})}`).toBe(true);
  });

  it.each(cases)('%s: every statement is needed — without it some request of the run is denied', (_name, p, o) => {
    const { accounts } = planPolicies(p, o);
    const needs = planNeeds(p, o);
    for (const [name, { policy }] of Object.entries(accounts)) {
      for (const s of policy.Statement) {
        if (s.Sid === SIMULATOR_SID) continue; // the pre-flight's own call: without it the run warns and goes on
        const without = { ...policy, Statement: policy.Statement.filter((x) => x !== s) };
        const denied = needs.filter((n) => n.account === name && !allowed(without, n));
        expect(denied.length, `${name}: statement ${s.Sid} allows nothing the run needs`).toBeGreaterThan(0);
      }
    }
  });

  it('no statement allows a write on a resource outside the plan: zone writes name the plan\'s zones (or, rolling back, any zone with the plan\'s VPCs)', () => {
    const { accounts } = planPolicies(plan(), { rollback: true });
    for (const { policy } of Object.values(accounts)) {
      for (const s of policy.Statement) {
        const writes = s.Action.filter((a) => /:(Associate|Disassociate|Create|Delete|Change|Modify|Tag|Untag|Send|Cancel)/.test(a));
        if (!writes.length || s.Sid === SIMULATOR_SID) continue;
        if (s.Resource.includes('*') || s.Resource.includes('arn:aws:route53:::hostedzone/*')) {
          // Unnarrowable by ARN: then a condition narrows it. Two can't be: SSM's CancelCommand
          // (no resource type, no key; the command ids are the run's own), and the tags of a
          // re-created zone (an id nobody knows before; Route 53 has no tag condition keys).
          if (s.Action.every((a) => a === 'ssm:CancelCommand') || s.Sid === 'TagRecreatedZones') continue;
          expect(s.Condition, `${s.Sid} ${writes.join(',')}`).toBeDefined();
        }
        for (const a of s.Action) {
          const row = COMMAND_PERMISSIONS[a] ?? Object.values(COMMAND_PERMISSIONS).find((r) => r.action === a);
          if (row?.resource === '*') expect(s.Resource).toEqual(['*']);
        }
      }
    }
  });

  it(`caps a condition's values at ${MAX_CONDITION_VALUES} by allowing the region's VPCs instead (IAM caps a policy's size)`, () => {
    const spokes = Array.from({ length: MAX_CONDITION_VALUES + 5 }, (_, i) => ({ id: `vpc-${String(i).padStart(17, '0').replace(/^0/, 'a')}`, account: 'spokes-1' }));
    const big = plan({ spokes });
    const doc = planPolicies(big, { path: 'A' }).accounts.shared!.policy;
    expect(doc.Statement.find((s) => s.Sid === 'DisassociatePlanVpcsFromZones')!.Condition).toEqual({ StringLike: { 'route53:VPCs': ['VPCId=*,VPCRegion=us-east-1'] } });
    const spokeDoc = planPolicies(big, { path: 'A' }).accounts['spokes-1']!.policy;
    expect(spokeDoc.Statement.find((s) => s.Sid === 'AssociatePlanVpcsWithProfile')!.Condition).toEqual({ StringLike: { 'route53profiles:ResourceIds': ['vpc-*'] } });
    // Still allows every request of the run.
    for (const n of planNeeds(big, { path: 'A' })) if (n.account === 'shared') expect(allowed(doc, n)).toBe(true);
  });

  it('refuses to group requests with different condition keys into one statement (it would over-grant)', () => {
    const a: Need = { account: 'x', action: 'route53:AssociateVPCWithHostedZone', resources: ['arn:aws:route53:::hostedzone/Z1'], context: { 'route53:VPCs': 'VPCId=vpc-1,VPCRegion=us-east-1' }, sid: 'Mixed', phase: 'run', directions: ['forward'] };
    expect(() => policyDocument([a, { ...a, context: undefined }], 'us-east-1')).toThrow(/mixes requests with different condition keys/);
  });
});

describe('planPolicies: prepare (profile.create and profile.share, steps/prepare.ts)', () => {
  const SHARE = `arn:aws:ram:us-east-1:${ID.shared}:resource-share/*`;
  const ANY_PROFILE = `arn:aws:route53profiles:us-east-1:${ID.shared}:profile/*`;
  /** The Profile made in `shared`, shared with the two spoke accounts (each accepts its invitation). */
  const created = () => plan({ profile: { account: 'shared', create: { name: 'shared-dns' }, share: { with: 'accounts' } } });
  const resourcesOf = (doc: PolicyDocument, action: string) => statements(doc, action).flatMap((s) => s.Resource);

  it('gives the Profile\'s account the Profile and the share: found by name, created with its tag, shared (its shares only)', () => {
    const shared = planPolicies(created(), { path: 'A' }).accounts.shared!.policy;
    for (const a of ['route53profiles:ListProfiles', 'route53profiles:GetProfile', 'route53profiles:ListTagsForResource', 'route53profiles:CreateProfile', 'ram:GetResourceShares', 'ram:GetResourceShareAssociations', 'ram:CreateResourceShare', 'ram:AssociateResourceShare', 'ram:TagResource']) {
      expect(actionsOf(shared).has(a), a).toBe(true);
    }
    // CreateProfile and the reads take no resource type; the share's writes its shares; a new Profile's tags any Profile of the account.
    expect(resourcesOf(shared, 'route53profiles:CreateProfile')).toEqual(['*']);
    for (const a of ['ram:CreateResourceShare', 'ram:AssociateResourceShare', 'ram:TagResource']) expect(resourcesOf(shared, a), a).toEqual([SHARE]);
    expect(resourcesOf(shared, 'route53profiles:TagResource')).toEqual([ANY_PROFILE]);
    expect(resourcesOf(shared, 'route53profiles:UntagResource')).toEqual([ANY_PROFILE]);
    // Nothing to accept in its own account; no organization to read when sharing with accounts that allow outsiders.
    expect(actionsOf(shared).has('ram:AcceptResourceShareInvitation')).toBe(false);
    expect(actionsOf(shared).has('organizations:DescribeOrganization')).toBe(false);
  });

  it('gives each spoke account its invitation: read it, accept one the Profile\'s account sent; nothing of the Profile or the share to make', () => {
    const { accounts } = planPolicies(created(), { path: 'A' });
    for (const name of ['spokes-1', 'spokes-2']) {
      const doc = accounts[name]!.policy;
      expect(resourcesOf(doc, 'ram:AcceptResourceShareInvitation'), name).toEqual([`arn:aws:ram:us-east-1:${ID.shared}:resource-share-invitation/*`]);
      expect(resourcesOf(doc, 'ram:GetResourceShareInvitations'), name).toEqual(['*']);
      expect(actionsOf(doc).has('route53profiles:GetProfile'), name).toBe(true);
      for (const a of actionsOf(doc)) expect(a, name).not.toMatch(/CreateResourceShare|AssociateResourceShare|CreateProfile|DeleteProfile|DeleteResourceShare|ListProfiles$/);
    }
  });

  it('names no Profile by the plan\'s placeholder id, in any policy or need (forward, rollback, observed stand-in ARN)', () => {
    const p = created();
    expect(p.profile.id).toMatch(/^\(new Profile /);
    for (const o of [{}, { rollback: true }, { rollbackOnly: true }, { path: 'A' as const, profileArn: `(ARN of ${p.profile.id})` }]) {
      expect(JSON.stringify(planPolicies(p, o))).not.toContain('(new Profile');
      expect(JSON.stringify(planNeeds(p, o))).not.toContain('(new Profile');
    }
    // Without account ids, still a pattern (any account), never the placeholder.
    const noIds = plan({ accounts: { shared: {}, 'spokes-1': {}, 'spokes-2': {} }, profile: { account: 'shared', create: { name: 'shared-dns' } } });
    expect(JSON.stringify(planPolicies(noIds, { rollback: true }))).not.toContain('(new Profile');
    expect(resourcesOf(planPolicies(noIds).accounts.shared!.policy, 'route53profiles:TagResource')).toEqual(['arn:aws:route53profiles:us-east-1:*:profile/*']);
  });

  it('once the Profile exists (its id in the plan), creates none and tags that one', () => {
    const p = created();
    p.profile.id = 'rp-0fedcba987654321';
    const shared = planPolicies(p, { path: 'A' }).accounts.shared!.policy;
    expect(actionsOf(shared).has('route53profiles:CreateProfile')).toBe(false);
    expect(resourcesOf(shared, 'route53profiles:TagResource')).toEqual([`arn:aws:route53profiles:us-east-1:${ID.shared}:profile/rp-0fedcba987654321`]);
    // Still shared, still found by name.
    expect(actionsOf(shared).has('ram:CreateResourceShare')).toBe(true);
    expect(actionsOf(shared).has('route53profiles:ListProfiles')).toBe(true);
  });

  it('--rollback adds taking back the share and the Profile; a rollback alone makes nothing', () => {
    const fwd = actionsOf(planPolicies(created(), { path: 'A' }).accounts.shared!.policy);
    const both = actionsOf(planPolicies(created(), { path: 'A', rollback: true }).accounts.shared!.policy);
    const back = planNeeds(created(), { path: 'A', rollbackOnly: true }).filter((n) => n.account === 'shared');
    for (const a of ['ram:DisassociateResourceShare', 'ram:DeleteResourceShare', 'route53profiles:DeleteProfile']) {
      expect(fwd.has(a), a).toBe(false);
      expect(both.has(a), a).toBe(true);
      expect(back.some((n) => n.action === a), a).toBe(true);
    }
    for (const a of ['ram:CreateResourceShare', 'ram:AssociateResourceShare', 'route53profiles:CreateProfile']) expect(back.some((n) => n.action === a), a).toBe(false);
    expect(planNeeds(created(), { rollbackOnly: true }).some((n) => n.action === 'ram:AcceptResourceShareInvitation')).toBe(false);
  });

  it('puts prepare\'s reads in discovery (what `plan` checks) and its writes in the run', () => {
    const needs = planNeeds(created(), { path: 'A' });
    const phase = (account: string, action: string) => needs.find((n) => n.account === account && n.action === action)?.phase;
    expect(phase('shared', 'route53profiles:ListProfiles')).toBe('discover');
    expect(phase('shared', 'ram:GetResourceShares')).toBe('discover');
    expect(phase('spokes-1', 'ram:GetResourceShareInvitations')).toBe('discover');
    expect(phase('shared', 'ram:CreateResourceShare')).toBe('run');
    expect(phase('shared', 'route53profiles:CreateProfile')).toBe('run');
    expect(phase('spokes-2', 'ram:AcceptResourceShareInvitation')).toBe('run');
  });

  it('reads the organization of every account only when the sharing depends on it', () => {
    const orgOf = (share: Record<string, unknown>) =>
      [...new Set(planNeeds(plan({ profile: { account: 'shared', create: { name: 'shared-dns' }, share } })).filter((n) => n.action === 'organizations:DescribeOrganization').map((n) => n.account))].sort();
    expect(orgOf({ with: 'accounts' })).toEqual([]);
    expect(orgOf({ with: 'organization' })).toEqual(['shared', 'spokes-1', 'spokes-2']);
    expect(orgOf({ with: { ous: ['arn:aws:organizations::111111111111:ou/o-exampleorgid/ou-ab12-cdef3456'] } })).toEqual(['shared', 'spokes-1', 'spokes-2']);
    expect(orgOf({ with: 'accounts', allowExternalPrincipals: false })).toEqual(['shared', 'spokes-1', 'spokes-2']);
    // A share the plan names may be the operator's, closed to outsiders: its setting is read at run time.
    expect(orgOf({ name: 'ops-dns' })).toEqual(['shared', 'spokes-1', 'spokes-2']);
  });

  it('a plan without prepare asks for none of it', () => {
    for (const a of actionsOf(planPolicies(plan(), { rollback: true }).accounts.shared!.policy)) expect(a).not.toMatch(/^(ram|organizations):|CreateProfile|DeleteProfile|ListProfiles/);
  });
});

describe('planPolicies: a state kept in S3 (plan state:)', () => {
  const withState = (account?: string) => plan({ state: { location: 's3://team-state/dns/prod.state.json', ...(account ? { account } : {}) } });

  it('gives the state account Get/Put/DeleteObject under the state key\'s folder and ListBucket on the bucket, and nobody else', () => {
    const { accounts } = planPolicies(withState('spokes-1'), { rollback: true });
    const doc = accounts['spokes-1']!.policy;
    const objects = doc.Statement.filter((s) => s.Sid === 'KeepRunStateInS3');
    expect(new Set(objects.flatMap((s) => s.Action))).toEqual(new Set(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket']));
    // Every key the store writes: the checkpoint, .prev, .lock, the backups, the report.
    for (const key of ['dns/prod.state.json', 'dns/prod.state.json.prev', 'dns/prod.state.json.lock', 'dns/iam-test.backups/Z0A.2026.json', 'dns/prod.report.html']) {
      for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
        expect(allowed(doc, { account: 'spokes-1', action, resources: [`arn:aws:s3:::team-state/${key}`], sid: 'x', phase: 'run', directions: ['forward'] }), `${action} ${key}`).toBe(true);
      }
    }
    // Not another team's folder of the same bucket.
    expect(allowed(doc, { account: 'spokes-1', action: 's3:PutObject', resources: ['arn:aws:s3:::team-state/other/x.state.json'], sid: 'x', phase: 'run', directions: ['forward'] })).toBe(false);
    expect(allowed(doc, { account: 'spokes-1', action: 's3:ListBucket', resources: ['arn:aws:s3:::team-state'], sid: 'x', phase: 'run', directions: ['forward'] })).toBe(true);
    expect(actionsOf(accounts.shared!.policy).has('s3:PutObject')).toBe(false);
  });

  it('a state reached through the credential chain (no state.account) or a local state file adds no S3 statement to any plan account', () => {
    for (const p of [withState(), plan()]) {
      for (const a of Object.values(planPolicies(p, { rollback: true }).accounts)) expect([...actionsOf(a.policy)].filter((x) => x.startsWith('s3:'))).toEqual([]);
    }
  });
});
