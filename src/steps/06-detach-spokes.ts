// Step 6: the spokes let go of the zones in waves (plan `waves`: a canary, then growing waves),
// each wave gated — changes INSYNC, then every VPC probed — before the next. The keeper (the last
// spoke) keeps the zones, since a private zone can't lose its last VPC — unless a parking VPC
// holds them: then every spoke moves, and no VPC with workloads is left holding a zone.
import { expectAll } from './expectations.js';
import { action } from '../aws/actions.js';
import { lastHolder, zoneAccount, zoneOnVpc, zonesOf } from './facts.js';
import type { Step, StepContext } from './types.js';
import type { World } from '../aws/world.js';
import { spokeWaves } from './waves.js';
import { associateZone } from './zone-association.js';

/** A spoke has moved once it holds none of the plan's zones directly. */
const holdsAZone = (world: World, ctx: StepContext, vpcId: string) => zonesOf(ctx).some((z) => zoneOnVpc(world, z, vpcId));

export const detachSpokes: Step = {
  number: 6,
  id: 'detach-spokes',
  title: 'Disassociate the spokes from the zones, in waves',
  why: 'a spoke answers from its own direct zone before the Profile; once it lets go it answers from the endpoint through the Profile — a canary wave first, each wave probed before the next, so a surprise stops the run having moved only that wave',
  desired: (ctx) => [
    ctx.plan.parkingVpc
      ? `only the parking VPC ${ctx.plan.parkingVpc.id} is still associated with the zones (every spoke has moved)`
      : `only the keeper ${lastHolder(ctx.plan)} is still associated with the zones`,
  ],
  actions(world, ctx) {
    // The first wave with a spoke still on a zone: the rest of it (a halted or killed wave is
    // finished first, as the gate left it), never a spoke of a later wave.
    const { plan } = ctx;
    const wave = spokeWaves(plan).find((w) => w.some((s) => holdsAZone(world, ctx, s)));
    if (!wave) return [];
    return wave.flatMap((s) =>
      zonesOf(ctx)
        .filter((z) => zoneOnVpc(world, z, s))
        .map((z) => action(6, { kind: 'disassociate-vpc', account: zoneAccount(world, plan, z), zoneId: z, vpcId: s, region: plan.region })),
    );
  },
  converged(world, ctx) {
    return this.actions(world, ctx).length === 0;
  },
  expect: (world, ctx) => expectAll(world, ctx),
  undo(world, ctx) {
    // Back in the same waves, the last one first, each gated like the forward moves.
    const { plan } = ctx;
    for (const wave of [...spokeWaves(plan)].reverse()) {
      const out = wave.flatMap((s) => zonesOf(ctx).flatMap((z) => associateZone(world, plan, 6, z, s)));
      if (out.length) return out;
    }
    return [];
  },
};
