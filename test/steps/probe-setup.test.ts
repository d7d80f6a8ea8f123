// How each VPC is probed, and the plans whose probes cannot work: a VPC without a probe instance,
// and a plan that migrates the endpoints the SSM agent itself talks through while probing through SSM.
import { describe, expect, it } from 'vitest';
import { Plan } from '../../src/plan/schema.js';
import { channelEndpoints, probeSetupProblems, vpcProbes } from '../../src/steps/probe-setup.js';
import { observedFromTwin, twinEstate } from '../support/world.js';

function withProbes(plan: Plan, probes: unknown): Plan {
  return Plan.parse({ ...plan, probes });
}

describe('probe setup', () => {
  it('a plan migrating the ssm endpoint may not probe through SSM: an agent without egress reaches Systems Manager through it (SSM user guide, setup-create-vpc)', () => {
    const { twin, plan } = twinEstate({ vpcs: 3, endpoints: 7 });
    const world = observedFromTwin(twin, plan);
    const ssmEndpoint = twin.endpoints.find((e) => e.serviceName.endsWith('.ssm'))!;
    expect(channelEndpoints(world, plan)).toEqual([{ endpointId: ssmEndpoint.id, service: 'ssm' }]);
    const bySsm = withProbes(plan, { ssm: { discover: true } });
    const problems = probeSetupProblems(world, bySsm, { problems: [] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${ssmEndpoint.id} (ssm)`);
    expect(problems[0]).toContain('Migrate those endpoints in a plan of their own');
    // Probed through resolver addresses, the same plan is fine: its probes do not hang on those names.
    const byResolver = withProbes(plan, { resolvers: Object.fromEntries([plan.sharedServicesVpc, ...plan.spokes].map((v, i) => [v.id, `127.0.0.1:${5300 + i}`])) });
    expect(probeSetupProblems(world, byResolver, { problems: [] })).toEqual([]);
  });

  it('a plan without those endpoints probes through SSM freely', () => {
    const { twin, plan } = twinEstate({ vpcs: 3, endpoints: 2 });
    const world = observedFromTwin(twin, plan);
    expect(probeSetupProblems(world, withProbes(plan, { ssm: { discover: true } }), { problems: [] })).toEqual([]);
  });

  it('a VPC without a usable instance is a problem that says what to do', () => {
    const { twin, plan } = twinEstate({ vpcs: 3, endpoints: 2 });
    const world = observedFromTwin(twin, plan);
    const vpc = plan.spokes[0]!;
    const problems = probeSetupProblems(world, withProbes(plan, { ssm: { discover: true } }), { problems: [{ vpcId: vpc.id, account: vpc.account, problem: 'no instance to probe it through SSM: it has no instances' }] });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${vpc.id} \\(account ${vpc.account}\\): no instance to probe it through SSM: it has no instances; name an instance for it under probes.ssm.vpcs, tag one in it and set probes.ssm.tag, or give it a resolver address`))]);
  });

  it('says for every VPC how it is probed: a resolver, an instance (named or discovered), or not at all', () => {
    const { plan } = twinEstate({ vpcs: 4, endpoints: 2 });
    const [a, b, c] = plan.spokes;
    const p = withProbes(plan, { resolvers: { [plan.sharedServicesVpc.id]: '127.0.0.1:53' }, ssm: { vpcs: { [a!.id]: 'i-0123456789abcdef0', [b!.id]: 'discover' } } });
    const rows = vpcProbes(p, [
      { vpcId: a!.id, account: a!.account, instanceId: 'i-0123456789abcdef0', how: 'named' },
      { vpcId: b!.id, account: b!.account, instanceId: 'i-0fedcba9876543210', how: 'discovered' },
    ]);
    expect(rows.map((r) => [r.vpcId, r.via, r.detail])).toEqual([
      [plan.sharedServicesVpc.id, 'resolver', '127.0.0.1:53'],
      [a!.id, 'ssm', 'i-0123456789abcdef0 (named)'],
      [b!.id, 'ssm', 'i-0fedcba9876543210 (discovered)'],
      [c!.id, 'none', 'not probed (the resolution model still guards it)'],
    ]);
  });
});
