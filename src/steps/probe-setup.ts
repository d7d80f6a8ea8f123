// How each VPC of the plan is probed, and whether that can work for this run. Pure: the instances
// found (src/aws/probe-instances.ts) and the observed world in, problems and a table out.
//
// The SSM channel can depend on the very DNS being migrated: an instance without internet egress
// reaches Systems Manager through the ssm, ssmmessages and ec2messages interface endpoints, and
// their names are what a plan migrating those endpoints moves. Should the migration break them,
// the probes that must show it would fail with it, as probe errors that say nothing about DNS. So
// a plan that migrates such an endpoint may not probe its VPCs through SSM.
import type { ProbeInstance, ProbeInstanceProblem } from '../aws/probe-instances.js';
import { PROBE_INSTANCE_ADVICE } from '../aws/probe-instances.js';
import type { World } from '../aws/world.js';
import { planVpcs, probeWay, type Plan, type PlanVpc } from '../plan/schema.js';

/** The endpoint services an SSM agent talks to (AWS SSM user guide, setup-create-vpc). */
export const SSM_CHANNEL_SERVICES = ['ssm', 'ssmmessages', 'ec2messages'] as const;

export interface VpcProbe {
  vpcId: string;
  role: PlanVpc['role'];
  via: 'resolver' | 'ssm' | 'none';
  /** The resolver address, or the instance (and whether the plan named it or it was discovered). */
  detail: string;
}

/** The plan's endpoints that serve the SSM agent's own traffic. */
export function channelEndpoints(world: World, plan: Plan): { endpointId: string; service: string }[] {
  return plan.endpoints.flatMap((e) => {
    const ep = world.endpoints[e.id];
    const service = ep?.exists ? ep.serviceName.split('.').pop() ?? '' : '';
    return (SSM_CHANNEL_SERVICES as readonly string[]).includes(service) ? [{ endpointId: e.id, service }] : [];
  });
}

export function usesSsm(plan: Plan): boolean {
  return planVpcs(plan).some((v) => probeWay(plan, v.id).via === 'ssm');
}

/** Why this run's probes cannot work as the plan says (empty: they can). */
export function probeSetupProblems(world: World, plan: Plan, found: { problems: ProbeInstanceProblem[] }): string[] {
  const problems = found.problems.map((p) => `${p.vpcId} (account ${p.account}): ${p.problem}; ${PROBE_INSTANCE_ADVICE}`);
  const ssmVpcs = planVpcs(plan).filter((v) => probeWay(plan, v.id).via === 'ssm').map((v) => v.id);
  const channel = channelEndpoints(world, plan);
  if (channel.length && ssmVpcs.length) {
    problems.push(
      `the plan migrates ${channel.map((c) => `${c.endpointId} (${c.service})`).join(', ')}, the endpoint(s) an SSM agent without internet egress reaches Systems Manager through, ` +
        `while ${ssmVpcs.length} VPC(s) (${ssmVpcs.slice(0, 3).join(', ')}${ssmVpcs.length > 3 ? ', ...' : ''}) are probed through SSM: a break in those names would silence the very probes that must show it. ` +
        'Migrate those endpoints in a plan of their own whose VPCs are probed through resolver addresses (probes.resolvers: an inbound endpoint), and the rest with this one',
    );
  }
  return problems;
}

/** One line per plan VPC: how it is probed. */
export function vpcProbes(plan: Plan, instances: ProbeInstance[]): VpcProbe[] {
  const byVpc = new Map(instances.map((i) => [i.vpcId, i]));
  return planVpcs(plan).map((v) => {
    const way = probeWay(plan, v.id);
    if (way.via === 'resolver') return { vpcId: v.id, role: v.role, via: 'resolver', detail: way.address };
    if (way.via === 'none') return { vpcId: v.id, role: v.role, via: 'none', detail: 'not probed (the resolution model still guards it)' };
    const i = byVpc.get(v.id);
    return { vpcId: v.id, role: v.role, via: 'ssm', detail: i ? `${i.instanceId} (${i.how})` : 'no usable instance' };
  });
}
