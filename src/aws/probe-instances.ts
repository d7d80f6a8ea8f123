// Which instance probes which VPC through SSM Run Command: the plan names one, or asks r53migrate
// to discover one (a running instance in that VPC whose SSM agent is online). Read through the
// VPC's own account, which owns its instances and sees their managed-node records. An instance
// the plan names is checked just as hard: in that VPC, running, managed, online, Linux, since an
// instance in another VPC would report that VPC's answers as this one's.
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, type InstanceInformation } from '@aws-sdk/client-ssm';
import { planVpcs, probeWay, type Plan } from '../plan/schema.js';
import type { AwsAccess } from './access.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { chunks } from './ssm-run-command.js';

export interface ProbeInstance {
  vpcId: string;
  /** Plan account that owns the VPC (and calls SSM for it). */
  account: string;
  instanceId: string;
  how: 'named' | 'discovered';
}

export interface ProbeInstanceProblem {
  vpcId: string;
  account: string;
  problem: string;
}

/** EC2 takes at most 200 values per filter; SSM's InstanceIds filter at most 50. */
const VPC_FILTER_CHUNK = 100;
const SSM_FILTER_CHUNK = 50;

function parseTag(tag: string | undefined): { key: string; value?: string } | undefined {
  if (!tag) return undefined;
  const i = tag.indexOf('=');
  return i < 0 ? { key: tag } : { key: tag.slice(0, i), value: tag.slice(i + 1) };
}

function hasTag(i: Instance, tag: { key: string; value?: string }): boolean {
  return (i.Tags ?? []).some((t) => t.Key === tag.key && (tag.value === undefined || t.Value === tag.value));
}

async function instancesIn(access: AwsAccess, account: string, vpcIds: string[], signal?: AbortSignal): Promise<Instance[]> {
  const out: Instance[] = [];
  for (const vpcs of chunks(vpcIds, VPC_FILTER_CHUNK)) {
    let token: string | undefined;
    do {
      const page = await access.read(account, 'ec2', new DescribeInstancesCommand({ Filters: [{ Name: 'vpc-id', Values: vpcs }], MaxResults: 1000, ...(token ? { NextToken: token } : {}) }), { signal });
      for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
      token = page.NextToken;
    } while (token);
  }
  return out;
}

/** Instances the plan names that are not in the VPCs it names them for: where they are, if anywhere. */
async function instancesById(access: AwsAccess, account: string, ids: string[], signal?: AbortSignal): Promise<Map<string, Instance>> {
  const found = new Map<string, Instance>();
  for (const id of ids) {
    try {
      const page = await access.read(account, 'ec2', new DescribeInstancesCommand({ InstanceIds: [id] }), { signal, target: id });
      for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) found.set(i.InstanceId, i);
    } catch (e) {
      // InvalidInstanceID.NotFound / .Malformed: the plan names an instance this account does not have.
      if (!(e instanceof NotFoundError || e instanceof InvalidInputError)) throw e;
    }
  }
  return found;
}

async function managedNodes(access: AwsAccess, account: string, ids: string[], signal?: AbortSignal): Promise<Map<string, InstanceInformation>> {
  const out = new Map<string, InstanceInformation>();
  for (const batch of chunks(ids, SSM_FILTER_CHUNK)) {
    let token: string | undefined;
    do {
      const page = await access.read(account, 'ssm', new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: batch }], MaxResults: 50, ...(token ? { NextToken: token } : {}) }), { signal });
      for (const info of page.InstanceInformationList ?? []) if (info.InstanceId) out.set(info.InstanceId, info);
      token = page.NextToken;
    } while (token);
  }
  return out;
}

/** Why an instance cannot probe (undefined: it can). */
function unusable(i: Instance | undefined, info: InstanceInformation | undefined, vpcId: string): string | undefined {
  if (!i) return 'no such instance in the VPC\'s account';
  if (i.VpcId !== vpcId) return `it is in ${i.VpcId ?? 'no VPC'}, not ${vpcId}: it would report another VPC's answers`;
  if (i.State?.Name !== 'running') return `it is ${i.State?.Name ?? 'in an unknown state'}, not running`;
  if (!info) return 'SSM does not know it as a managed node (no SSM agent registered, or no instance profile allowing it)';
  if (info.PingStatus !== 'Online') return `its SSM agent is ${info.PingStatus ?? 'not reporting'}, not Online`;
  if (info.PlatformType && info.PlatformType !== 'Linux' && info.PlatformType !== 'MacOS') return `it runs ${info.PlatformType}; the probe program is a POSIX shell script`;
  return undefined;
}

/**
 * Finds the instance that probes each SSM-probed VPC of the plan. A VPC with none usable is a
 * problem (the caller refuses the run before any change).
 */
export async function findProbeInstances(plan: Plan, access: AwsAccess, signal?: AbortSignal): Promise<{ instances: ProbeInstance[]; problems: ProbeInstanceProblem[] }> {
  const wanted = planVpcs(plan)
    .map((v) => ({ vpc: v, way: probeWay(plan, v.id) }))
    .filter((x): x is { vpc: typeof x.vpc; way: { via: 'ssm'; instance: string } } => x.way.via === 'ssm');
  const byAccount = new Map<string, typeof wanted>();
  for (const w of wanted) byAccount.set(w.vpc.account, [...(byAccount.get(w.vpc.account) ?? []), w]);
  const tag = parseTag(plan.probes.ssm?.tag);
  const instances: ProbeInstance[] = [];
  const problems: ProbeInstanceProblem[] = [];

  await Promise.all(
    [...byAccount].map(async ([account, items]) => {
      const inVpcs = await instancesIn(access, account, items.map((w) => w.vpc.id), signal);
      const byId = new Map(inVpcs.filter((i) => i.InstanceId).map((i) => [i.InstanceId!, i]));
      const named = items.map((w) => w.way.instance).filter((id) => id !== 'discover' && !byId.has(id));
      for (const [id, i] of await instancesById(access, account, named, signal)) byId.set(id, i);
      const candidates = [...byId.values()].filter((i) => i.State?.Name === 'running').map((i) => i.InstanceId!);
      const nodes = await managedNodes(access, account, candidates, signal);
      for (const { vpc, way } of items) {
        if (way.instance !== 'discover') {
          const why = unusable(byId.get(way.instance), nodes.get(way.instance), vpc.id);
          if (why) problems.push({ vpcId: vpc.id, account, problem: `instance ${way.instance} cannot probe it: ${why}` });
          else instances.push({ vpcId: vpc.id, account, instanceId: way.instance, how: 'named' });
          continue;
        }
        const inThis = inVpcs.filter((i) => i.VpcId === vpc.id).sort((a, b) => (a.InstanceId! < b.InstanceId! ? -1 : 1));
        const tagged = tag ? inThis.filter((i) => hasTag(i, tag)) : inThis;
        const pick = tagged.find((i) => !unusable(i, nodes.get(i.InstanceId!), vpc.id));
        if (pick) {
          instances.push({ vpcId: vpc.id, account, instanceId: pick.InstanceId!, how: 'discovered' });
          continue;
        }
        const seen = tagged.map((i) => `${i.InstanceId} (${unusable(i, nodes.get(i.InstanceId!), vpc.id)})`);
        const none = inThis.length === 0 ? 'it has no instances' : tag && tagged.length === 0 ? `none of its ${inThis.length} instance(s) has the tag ${plan.probes.ssm!.tag}` : `none of its instances is usable: ${seen.slice(0, 3).join('; ')}${seen.length > 3 ? '; ...' : ''}`;
        problems.push({ vpcId: vpc.id, account, problem: `no instance to probe it through SSM: ${none}` });
      }
    }),
  );
  const order = new Map(planVpcs(plan).map((v, i) => [v.id, i]));
  const byOrder = (a: { vpcId: string }, b: { vpcId: string }) => order.get(a.vpcId)! - order.get(b.vpcId)!;
  return { instances: instances.sort(byOrder), problems: problems.sort(byOrder) };
}

/** What the operator can do about a VPC without a probe instance. */
export const PROBE_INSTANCE_ADVICE =
  'name an instance for it under probes.ssm.vpcs, tag one in it and set probes.ssm.tag, or give it a resolver address under probes.resolvers (an inbound endpoint); an instance needs the SSM agent online and an instance profile allowing Systems Manager (AmazonSSMManagedInstanceCore)';
