// Questions about an observed World that the steps and the assessment ask. Pure.
import type { ObservedEndpoint, ObservedZone, World } from '../aws/world.js';
import { hostedZoneArn } from '../aws/world.js';
import type { Plan } from '../plan/schema.js';
import { planVpcs } from '../plan/schema.js';
import type { InFlight, StepContext } from './types.js';

/** A Profile association or resource association that exists and isn't on its way out. */
const PRESENT = new Set(['CREATING', 'UPDATING', 'COMPLETE']);
const SETTLING = new Set(['CREATING', 'UPDATING', 'DELETING']);

export function zoneOf(world: World, zoneId: string): ObservedZone | undefined {
  const z = world.zones[zoneId];
  return z?.exists ? z : undefined;
}

export function endpointOf(world: World, id: string): ObservedEndpoint | undefined {
  const e = world.endpoints[id];
  return e?.exists ? e : undefined;
}

export function vpcOnProfile(world: World, plan: Plan, vpcId: string): boolean {
  const a = (world.vpcs[vpcId] ?? world.others[vpcId])?.profileAssociation;
  return !!a && a.profileId === plan.profile.id && PRESENT.has(a.status);
}

function resourceOnProfile(world: World, arn: string): boolean {
  return !!world.profile?.resources.some((r) => r.resourceArn === arn && PRESENT.has(r.status));
}

export function zoneOnProfile(world: World, zoneId: string): boolean {
  return resourceOnProfile(world, hostedZoneArn(zoneId));
}

export function endpointOnProfile(world: World, endpointId: string): boolean {
  const e = endpointOf(world, endpointId);
  return !!e && resourceOnProfile(world, e.arn);
}

/** A zone's VPCs as a set, once per zone object (a zone of 300 VPCs is asked about each of them). */
const ZONE_VPCS = new WeakMap<ObservedZone, Set<string>>();

export function zoneOnVpc(world: World, zoneId: string, vpcId: string): boolean {
  const zone = zoneOf(world, zoneId);
  if (!zone) return false;
  let vpcs = ZONE_VPCS.get(zone);
  if (!vpcs) ZONE_VPCS.set(zone, (vpcs = new Set(zone.vpcs.map((v) => v.vpcId))));
  return vpcs.has(vpcId);
}

export function privateDnsOn(world: World, endpointId: string): boolean {
  return !!endpointOf(world, endpointId)?.privateDnsEnabled;
}

export const zonesOf = (ctx: StepContext): string[] => ctx.endpoints.flatMap((e) => e.zones);

export function spokes(plan: Plan): string[] {
  return plan.spokes.map((s) => s.id);
}

/**
 * The spoke that holds the zones until step 7 deletes them (a private zone can't lose its last
 * VPC): the last spoke — or none, when a parking VPC holds them instead.
 */
export function keeper(plan: Plan): string | undefined {
  return plan.parkingVpc ? undefined : plan.spokes[plan.spokes.length - 1]!.id;
}

/** The VPC a zone is left with after step 6 (and re-created with by a rollback): the parking VPC, or the keeper. */
export function lastHolder(plan: Plan): string {
  return plan.parkingVpc?.id ?? plan.spokes[plan.spokes.length - 1]!.id;
}

/** Every VPC step 1 associates each zone with: shared services, the spokes, the parking VPC. */
export function zoneHolders(plan: Plan): string[] {
  return [plan.sharedServicesVpc.id, ...spokes(plan), ...(plan.parkingVpc ? [plan.parkingVpc.id] : [])];
}

export function accountOfVpc(plan: Plan, vpcId: string): string {
  if (plan.parkingVpc?.id === vpcId) return plan.parkingVpc.account;
  return planVpcs(plan).find((v) => v.id === vpcId)!.account;
}

/** The plan account that owns (could read) a zone; the Profile's account when unseen. */
export function zoneAccount(world: World, plan: Plan, zoneId: string): string {
  return zoneOf(world, zoneId)?.account ?? plan.profile.account;
}

export function endpointAccount(world: World, plan: Plan, endpointId: string): string {
  return endpointOf(world, endpointId)?.account ?? plan.sharedServicesVpc.account;
}

/** Everything of the plan still moving: the converge gate waits until this is empty. */
export function inFlight(world: World, ctx: StepContext): InFlight[] {
  const out: InFlight[] = [];
  for (const v of planVpcs(ctx.plan)) {
    const a = world.vpcs[v.id]?.profileAssociation;
    if (a && a.profileId === ctx.plan.profile.id && SETTLING.has(a.status)) out.push({ what: `Profile association of ${v.id}`, status: a.status });
  }
  const arns = new Set([...zonesOf(ctx).map(hostedZoneArn), ...ctx.endpoints.map((e) => endpointOf(world, e.id)?.arn).filter(Boolean)]);
  for (const r of world.profile?.resources ?? []) {
    if (arns.has(r.resourceArn) && SETTLING.has(r.status)) out.push({ what: `Profile resource ${r.resourceArn}`, status: r.status });
  }
  for (const e of ctx.endpoints) {
    const ep = endpointOf(world, e.id);
    if (ep && ep.state !== 'available') out.push({ what: `endpoint ${e.id}`, status: ep.state });
  }
  return out;
}

/** Associations that ended FAILED: nothing will move them; an operator must look. */
export function failed(world: World, ctx: StepContext): InFlight[] {
  const out: InFlight[] = [];
  for (const v of planVpcs(ctx.plan)) {
    const a = world.vpcs[v.id]?.profileAssociation;
    if (a?.status === 'FAILED') out.push({ what: `Profile association ${a.id} of ${v.id}`, status: `FAILED${a.statusMessage ? `: ${a.statusMessage}` : ''}` });
  }
  for (const r of world.profile?.resources ?? []) {
    if (r.status === 'FAILED') out.push({ what: `Profile resource association ${r.id} (${r.resourceArn})`, status: `FAILED${r.statusMessage ? `: ${r.statusMessage}` : ''}` });
  }
  return out;
}
