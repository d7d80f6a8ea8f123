// Who must resolve what, and through which source (DESIGN §2, right-hand column). The source
// follows the resolver's precedence: a VPC's own configuration (its endpoint's Private DNS, or a
// zone associated directly) before its Profile's (a zone or an endpoint the Profile holds).
import type { World } from '../aws/world.js';
import { planVpcs } from '../plan/schema.js';
import { keeper } from './facts.js';
import { migratedNames, resolveName } from './resolution.js';
import type { Expectation, StepContext } from './types.js';

/** Every VPC of the plan must resolve every name of every endpoint taking part; `via` is what the resolution model predicts. */
export function expectAll(world: World, ctx: StepContext, mayGap: (vpcId: string) => boolean = () => false): Expectation[] {
  const out: Expectation[] = [];
  const names = migratedNames(world, ctx);
  for (const v of planVpcs(ctx.plan)) {
    for (const { name, endpointId } of names) {
      out.push({ vpcId: v.id, name, endpointId, via: resolveName(world, ctx.plan, v.id, name).via, during: mayGap(v.id) ? 'may-gap' : 'must-resolve' });
    }
  }
  return out;
}

/**
 * Step 7 empties and deletes the zones (and a rollback re-creates them): the keeper, still (or
 * again) associated, has no answer meanwhile. With a parking VPC there is no keeper, and no gap.
 */
export function expectWithKeeperGap(world: World, ctx: StepContext): Expectation[] {
  const k = keeper(ctx.plan);
  return expectAll(world, ctx, (vpcId) => vpcId === k);
}
