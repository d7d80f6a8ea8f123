// The pre-flight's simulation: the run's requests become SimulatePrincipalPolicy calls (one per
// request context and resource set), and the answers become denials, undecided requests, or an
// account that could not be checked. The simulator here is the twin's IAM evaluator behind a
// stand-in for the access layer, so the answers are IAM's rules, not ones written for the test.
import type { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { AwsAccess } from '../../src/aws/access.js';
import { AccessDeniedError } from '../../src/aws/errors.js';
import { planNeeds, planPolicies, type PolicyDocument } from '../../src/aws/iam-policy.js';
import { checkPermissions, describeDenial, simulatorCalls } from '../../src/aws/permission-check.js';
import type { World } from '../../src/aws/world.js';
import { PermissionPreflight } from '../../src/cli/permission-check.js';
import { Plan } from '../../src/plan/schema.js';
import { evaluatePolicies } from '../../src/twin/iam.js';

const plan = Plan.parse({
  name: 'check-test',
  region: 'us-east-1',
  accounts: { shared: { accountId: '111111111111' }, spokes: { accountId: '222222222222' } },
  profile: { id: 'rp-0123456789abcdef', account: 'shared' },
  sharedServicesVpc: { id: 'vpc-00000000000000000', account: 'shared' },
  spokes: [
    { id: 'vpc-11111111111111111', account: 'spokes' },
    { id: 'vpc-22222222222222222', account: 'spokes' },
  ],
  endpoints: [{ id: 'vpce-0aaaaaaaaaaaaaaaa', zones: ['Z0AAAAAAAAAAAAAAAAAAA'] }],
});

interface Simulator {
  policies: Record<string, PolicyDocument>;
  callers?: Record<string, string>;
  denySimulator?: string[];
  calls: { account: string; input: SimulatePrincipalPolicyCommand['input'] }[];
}

/** The access layer's surface the check uses, answering SimulatePrincipalPolicy with the twin's evaluator. */
function fakeAccess(sim: Simulator): AwsAccess {
  const ids: Record<string, string> = { shared: '111111111111', spokes: '222222222222' };
  return {
    accountId: async (a: string) => ids[a]!,
    callerArn: async (a: string) => sim.callers?.[a] ?? `arn:aws:sts::${ids[a]}:assumed-role/r53migrate/s`,
    read: async (account: string, _service: string, command: SimulatePrincipalPolicyCommand) => {
      const input = command.input;
      sim.calls.push({ account, input });
      if (sim.denySimulator?.includes(account)) throw new AccessDeniedError('denied', { service: 'iam', operation: 'SimulatePrincipalPolicy', account }, 'AccessDenied', undefined, 403);
      const context = Object.fromEntries((input.ContextEntries ?? []).map((c) => [c.ContextKeyName!, c.ContextKeyValues ?? []]));
      const resources = input.ResourceArns ?? ['*'];
      const EvaluationResults = input.ActionNames!.flatMap((action) =>
        resources.map((resource) => {
          const e = evaluatePolicies([{ id: 'p', type: 'role', document: sim.policies[account]! as never }], { action, resource, context });
          return { EvalActionName: action, EvalResourceName: resource, EvalDecision: e.decision, MissingContextValues: e.missingContextKeys };
        }),
      );
      return { EvaluationResults, IsTruncated: false };
    },
  } as unknown as AwsAccess;
}

const policiesOf = (o: Parameters<typeof planPolicies>[1]) => Object.fromEntries(Object.entries(planPolicies(plan, o).accounts).map(([a, p]) => [a, p.policy]));

describe('simulatorCalls', () => {
  it('puts requests of one context and one resource set in one call, and splits different contexts (each request names one VPC)', () => {
    const needs = planNeeds(plan, { path: 'A' }).filter((n) => n.account === 'shared');
    const calls = simulatorCalls(needs);
    const reads = calls.find((c) => c.actions.includes('route53:GetHostedZone'))!;
    expect(reads.actions).toEqual(expect.arrayContaining(['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:ListTagsForResource']));
    expect(reads.resources).toEqual(['arn:aws:route53:::hostedzone/Z0AAAAAAAAAAAAAAAAAAA']);
    const disassociations = calls.filter((c) => c.actions.includes('route53:DisassociateVPCFromHostedZone'));
    // S (step 2) and the spoke that moves in step 6 (the keeper stays): one call each.
    expect(disassociations.map((c) => c.context!['route53:VPCs']).sort()).toEqual(['VPCId=vpc-00000000000000000,VPCRegion=us-east-1', 'VPCId=vpc-11111111111111111,VPCRegion=us-east-1']);
    // Every need is in exactly the calls that carry its action, resources and context.
    for (const n of needs) {
      const hits = calls.filter((c) => c.actions.includes(n.action) && n.resources.every((r) => c.resources.includes(r)) && JSON.stringify(c.context ?? {}) === JSON.stringify(n.context ?? {}));
      expect(hits.length, `${n.action} ${JSON.stringify(n.context)}`).toBeGreaterThan(0);
    }
  });
});

describe('checkPermissions', () => {
  it('finds nothing missing when each account has the generated policy, simulating each account\'s own role', async () => {
    const sim: Simulator = { policies: policiesOf({ path: 'A' }), calls: [] };
    const report = await checkPermissions(plan, fakeAccess(sim), planNeeds(plan, { path: 'A' }));
    expect(report.denials).toEqual([]);
    expect(report.accounts.map((a) => [a.account, a.principal, a.checked > 0])).toEqual([
      ['shared', 'arn:aws:iam::111111111111:role/r53migrate', true],
      ['spokes', 'arn:aws:iam::222222222222:role/r53migrate', true],
    ]);
    expect(new Set(sim.calls.map((c) => c.input.PolicySourceArn))).toEqual(new Set(['arn:aws:iam::111111111111:role/r53migrate', 'arn:aws:iam::222222222222:role/r53migrate']));
  });

  it('names each missing permission with its account, action, resource and context when a statement is gone', async () => {
    const policies = policiesOf({ path: 'A' });
    policies.shared = { ...policies.shared!, Statement: policies.shared!.Statement.filter((s) => s.Sid !== 'DisassociatePlanVpcsFromZones') };
    const report = await checkPermissions(plan, fakeAccess({ policies, calls: [] }), planNeeds(plan, { path: 'A' }));
    expect(report.denials.map(describeDenial).sort()).toEqual([
      'account shared (111111111111) is not allowed route53:DisassociateVPCFromHostedZone on arn:aws:route53:::hostedzone/Z0AAAAAAAAAAAAAAAAAAA (route53:VPCs=VPCId=vpc-00000000000000000,VPCRegion=us-east-1) [statement DisassociatePlanVpcsFromZones]',
      'account shared (111111111111) is not allowed route53:DisassociateVPCFromHostedZone on arn:aws:route53:::hostedzone/Z0AAAAAAAAAAAAAAAAAAA (route53:VPCs=VPCId=vpc-11111111111111111,VPCRegion=us-east-1) [statement DisassociatePlanVpcsFromZones]',
    ]);
  });

  it('sees that a policy naming other VPCs does not allow the plan\'s (the condition is checked, not just the action)', async () => {
    const policies = policiesOf({ path: 'A' });
    const stmt = policies.spokes!.Statement.find((s) => s.Sid === 'AssociatePlanVpcsWithProfile')!;
    stmt.Condition = { StringEquals: { 'route53profiles:ResourceIds': ['vpc-11111111111111111'] } };
    const report = await checkPermissions(plan, fakeAccess({ policies, calls: [] }), planNeeds(plan, { path: 'A' }));
    expect(report.denials.map((d) => [d.account, d.action, d.context])).toEqual([['spokes', 'route53profiles:AssociateProfile', { 'route53profiles:ResourceIds': 'vpc-22222222222222222' }]]);
  });

  it('asks each request context only when the policy tests it: without conditions the calls do not grow with the VPCs', async () => {
    // The generated policies with their conditions dropped: every request is allowed whatever its context.
    const unconditional = (p: Plan) =>
      Object.fromEntries(Object.entries(planPolicies(p, { path: 'A' }).accounts).map(([a, x]) => [a, { ...x.policy, Statement: x.policy.Statement.map(({ Condition: _c, ...st }) => st) }]));
    const wide = Plan.parse({ ...plan, spokes: Array.from({ length: 40 }, (_, i) => ({ id: `vpc-${String(i + 1).padStart(17, '0')}`, account: 'spokes' })) });
    const small: Simulator = { policies: unconditional(plan), calls: [] };
    const large: Simulator = { policies: unconditional(wide), calls: [] };
    expect((await checkPermissions(plan, fakeAccess(small), planNeeds(plan, { path: 'A' }))).denials).toEqual([]);
    expect((await checkPermissions(wide, fakeAccess(large), planNeeds(wide, { path: 'A' }))).denials).toEqual([]);
    expect(large.calls.length).toBe(small.calls.length);
    expect(large.calls.some((c) => c.input.ContextEntries?.length)).toBe(false);
    // With the generated policy (its conditions name the VPCs), each context is asked.
    const conditional: Simulator = { policies: policiesOf({ path: 'A' }), calls: [] };
    await checkPermissions(plan, fakeAccess(conditional), planNeeds(plan, { path: 'A' }));
    expect(conditional.calls.some((c) => c.input.ContextEntries?.some((e) => e.ContextKeyName === 'route53profiles:ResourceIds'))).toBe(true);
  });

  it('finds an explicit Deny of one VPC under a policy that allows everything else unconditionally', async () => {
    const policies = policiesOf({ path: 'A' });
    for (const a of Object.keys(policies)) policies[a] = { ...policies[a]!, Statement: policies[a]!.Statement.map(({ Condition: _c, ...st }) => st) };
    policies.spokes!.Statement.push({ Sid: 'NotThisOne', Effect: 'Deny', Action: ['route53profiles:AssociateProfile'], Resource: ['*'], Condition: { StringEquals: { 'route53profiles:ResourceIds': ['vpc-22222222222222222'] } } } as never);
    const report = await checkPermissions(plan, fakeAccess({ policies, calls: [] }), planNeeds(plan, { path: 'A' }));
    expect(report.denials.map((d) => [d.account, d.action, d.decision, d.context])).toEqual([['spokes', 'route53profiles:AssociateProfile', 'explicitDeny', { 'route53profiles:ResourceIds': 'vpc-22222222222222222' }]]);
  });

  it('reports an explicit Deny as such', async () => {
    const policies = policiesOf({ path: 'A' });
    policies.shared!.Statement.push({ Sid: 'NoDeletes', Effect: 'Deny' as 'Allow', Action: ['route53:DeleteHostedZone'], Resource: ['*'] });
    const report = await checkPermissions(plan, fakeAccess({ policies, calls: [] }), planNeeds(plan, { path: 'A' }));
    expect(report.denials).toMatchObject([{ account: 'shared', action: 'route53:DeleteHostedZone', decision: 'explicitDeny' }]);
  });

  it('calls a request undecided, not denied, when the policy tests a key r53migrate can\'t give (MFA, source IP)', async () => {
    const policies = policiesOf({ path: 'A' });
    const stmt = policies.shared!.Statement.find((s) => s.Sid === 'EmptyAndDeletePlanZones')!;
    stmt.Condition = { Bool: { 'aws:MultiFactorAuthPresent': ['true'] } };
    const report = await checkPermissions(plan, fakeAccess({ policies, calls: [] }), planNeeds(plan, { path: 'A' }));
    expect(report.denials).toEqual([]);
    expect(report.undecided.map((u) => [u.action, u.missingContext])).toEqual([
      ['route53:ChangeResourceRecordSets', ['aws:MultiFactorAuthPresent']],
      ['route53:DeleteHostedZone', ['aws:MultiFactorAuthPresent']],
    ]);
  });

  it('marks an account whose identity may not use the simulator as not checked, without denials, and still checks the others', async () => {
    const policies = policiesOf({ path: 'A' });
    policies.spokes = { Version: '2012-10-17', Statement: [] as never };
    const report = await checkPermissions(plan, fakeAccess({ policies, calls: [], denySimulator: ['spokes'] }), planNeeds(plan, { path: 'A' }));
    expect(report.accounts.find((a) => a.account === 'spokes')).toMatchObject({ unavailable: 'it is not allowed iam:SimulatePrincipalPolicy on arn:aws:iam::222222222222:role/r53migrate', checked: 0 });
    expect(report.accounts.find((a) => a.account === 'shared')!.unavailable).toBeUndefined();
    expect(report.denials).toEqual([]);
  });

  it('does not simulate root credentials, and says why', async () => {
    const sim: Simulator = { policies: policiesOf({ path: 'A' }), calls: [], callers: { shared: 'arn:aws:iam::111111111111:root' } };
    const report = await checkPermissions(plan, fakeAccess(sim), planNeeds(plan, { path: 'A' }));
    expect(report.accounts.find((a) => a.account === 'shared')!.unavailable).toMatch(/root credentials/);
    expect(sim.calls.every((c) => c.account !== 'shared')).toBe(true);
  });
});

describe('the pre-flight of a plan with prepare (a Profile to create, shared with the other account)', () => {
  const prepared = Plan.parse({
    name: 'check-prepare',
    region: 'us-east-1',
    accounts: { shared: { accountId: '111111111111' }, spokes: { accountId: '222222222222' } },
    profile: { account: 'shared', create: { name: 'shared-dns' }, share: { with: 'accounts' } },
    sharedServicesVpc: { id: 'vpc-00000000000000000', account: 'shared' },
    spokes: [{ id: 'vpc-11111111111111111', account: 'spokes' }],
    endpoints: [{ id: 'vpce-0aaaaaaaaaaaaaaaa', zones: ['Z0AAAAAAAAAAAAAAAAAAA'] }],
  });
  const policies = (o: Parameters<typeof planPolicies>[1]) => Object.fromEntries(Object.entries(planPolicies(prepared, o).accounts).map(([a, p]) => [a, p.policy]));
  const simulatedArns = (sim: Simulator) => sim.calls.flatMap((c) => c.input.ResourceArns ?? []);

  it('checks prepare\'s calls (create and share in the Profile\'s account, accept in the other) and sends the simulator no placeholder id', async () => {
    for (const o of [{ path: 'A' as const }, { path: 'A' as const, rollbackOnly: true }]) {
      const sim: Simulator = { policies: policies(o), calls: [] };
      const report = await checkPermissions(prepared, fakeAccess(sim), planNeeds(prepared, o));
      expect(report.denials).toEqual([]);
      expect(JSON.stringify(sim.calls)).not.toContain('(new Profile');
      for (const r of simulatedArns(sim)) expect(r).toMatch(/^arn:aws:/);
    }
    const sim: Simulator = { policies: policies({ path: 'A' }), calls: [] };
    await checkPermissions(prepared, fakeAccess(sim), planNeeds(prepared, { path: 'A' }));
    const asked = (account: string) => new Set(sim.calls.filter((c) => c.account === account).flatMap((c) => c.input.ActionNames!));
    for (const a of ['ram:CreateResourceShare', 'ram:AssociateResourceShare', 'route53profiles:CreateProfile', 'route53profiles:ListProfiles', 'ram:GetResourceShares']) expect(asked('shared').has(a), a).toBe(true);
    for (const a of ['ram:AcceptResourceShareInvitation', 'ram:GetResourceShareInvitations']) expect(asked('spokes').has(a), a).toBe(true);
    expect(simulatedArns(sim)).toContain('arn:aws:route53profiles:us-east-1:111111111111:profile/*');
  });

  it('names a missing prepare permission before anything is made', async () => {
    const p = policies({ path: 'A' });
    p.shared = { ...p.shared!, Statement: p.shared!.Statement.filter((s) => s.Sid !== 'ShareProfileWithPlanAccounts') };
    p.spokes = { ...p.spokes!, Statement: p.spokes!.Statement.filter((s) => s.Sid !== 'AcceptProfileShareInvitation') };
    const report = await checkPermissions(prepared, fakeAccess({ policies: p, calls: [] }), planNeeds(prepared, { path: 'A' }));
    expect(report.denials.map((d) => `${d.account} ${d.action} ${d.resource}`).sort()).toEqual([
      'shared ram:AssociateResourceShare arn:aws:ram:us-east-1:111111111111:resource-share/*',
      'shared ram:CreateResourceShare arn:aws:ram:us-east-1:111111111111:resource-share/*',
      'shared ram:TagResource arn:aws:ram:us-east-1:111111111111:resource-share/*',
      'spokes ram:AcceptResourceShareInvitation arn:aws:ram:us-east-1:111111111111:resource-share-invitation/*',
    ]);
  });

  it('PermissionPreflight: the dry run\'s stand-in ARN of the Profile to create is not used (any Profile of its account instead)', async () => {
    const sim: Simulator = { policies: policies({ path: 'A' }), calls: [] };
    const base = fakeAccess(sim);
    // findOwners reads the zone and the endpoint: the Profile's account has both.
    const access = {
      ...base,
      read: async (account: string, service: string, command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'GetHostedZoneCommand') {
          if (account === 'shared') return {};
          throw new AccessDeniedError('denied', { service: 'route53', operation: 'GetHostedZone', account }, 'AccessDenied', undefined, 403);
        }
        if (command.constructor.name === 'DescribeVpcEndpointsCommand') return account === 'shared' ? { VpcEndpoints: [{ VpcEndpointId: 'vpce-0aaaaaaaaaaaaaaaa' }] } : { VpcEndpoints: [] };
        return (base.read as (a: string, s: string, c: unknown) => Promise<unknown>)(account, service, command);
      },
    } as unknown as AwsAccess;
    const warnings: string[] = [];
    const preflight = new PermissionPreflight({ plan: prepared, file: 'plan.yaml', hash: '' }, (l) => warnings.push(l));
    await preflight.discovery(access);
    const world = { zones: {}, endpoints: {}, profile: { id: prepared.profile.id, arn: `(ARN of ${prepared.profile.id})` } } as unknown as World;
    await preflight.run(access, { path: 'A', direction: 'forward', world });
    expect(warnings).toEqual([]);
    expect(JSON.stringify(sim.calls)).not.toContain('(new Profile');
    expect(JSON.stringify(sim.calls)).not.toContain('(ARN of');
    const tagged = sim.calls.filter((c) => c.input.ActionNames!.includes('route53profiles:TagResource')).flatMap((c) => c.input.ResourceArns ?? []);
    expect(tagged).toEqual(['arn:aws:route53profiles:us-east-1:111111111111:profile/*']);
    // Discovery asked prepare's reads too.
    expect(sim.calls.some((c) => c.account === 'spokes' && c.input.ActionNames!.includes('ram:GetResourceShareInvitations'))).toBe(true);
  });
});
