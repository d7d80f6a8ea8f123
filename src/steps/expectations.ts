// Who must resolve what, and through which source (DESIGN §2, right-hand column). The source
// follows the resolver's precedence: a VPC's own configuration (its endpoint's Private DNS, or a
// zone associated directly) before its Profile's (a zone or an endpoint the Profile holds).
import type { World } from '../aws/world.js';
import { planVpcs } from '../plan/schema.js';
import { endpointOf, endpointOnProfile, keeper, privateDnsOn, vpcOnProfile, zoneOnProfile, zoneOnVpc } from './facts.js';
import type { Expectation, StepContext, Via } from './types.js';

export function viaFor(world: World, ctx: StepContext, vpcId: string, endpointId: string): Via {
  const ep = endpointOf(world, endpointId);
  const zones = ctx.endpoints.find((e) => e.id === endpointId)?.zones ?? [];
  if (ep && ep.vpcId === vpcId && privateDnsOn(world, endpointId)) return 'endpoint-own-vpc';
  if (zones.some((z) => zoneOnVpc(world, z, vpcId))) return 'zone-direct';
  if (vpcOnProfile(world, ctx.plan, vpcId)) {
    if (zones.some((z) => zoneOnProfile(world, z))) return 'zone-via-profile';
    if (endpointOnProfile(world, endpointId) && privateDnsOn(world, endpointId)) return 'endpoint-via-profile';
  }
  return 'none';
}

/** Every VPC of the plan must resolve every name of every endpoint taking part. */
export function expectAll(world: World, ctx: StepContext, mayGap: (vpcId: string) => boolean = () => false): Expectation[] {
  const out: Expectation[] = [];
  for (const v of planVpcs(ctx.plan)) {
    for (const e of ctx.endpoints) {
      for (const name of endpointOf(world, e.id)?.privateDnsNames ?? []) {
        out.push({ vpcId: v.id, name, endpointId: e.id, via: viaFor(world, ctx, v.id, e.id), during: mayGap(v.id) ? 'may-gap' : 'must-resolve' });
      }
    }
  }
  return out;
}

/** Step 7 empties and deletes the zones: the keeper, still associated, has no answer meanwhile. */
export function expectDuringZoneDeletion(world: World, ctx: StepContext): Expectation[] {
  const k = keeper(ctx.plan);
  return expectAll(world, ctx, (vpcId) => vpcId === k);
}
