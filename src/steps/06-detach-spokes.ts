// Step 6: the spokes let go of the zones one at a time, each probed before the next. The keeper
// (the last spoke) keeps them, since a private zone can't lose its last VPC — unless a parking VPC
// holds them: then every spoke moves, and no VPC with workloads is left holding a zone.
import { expectAll } from './expectations.js';
import { action } from '../aws/actions.js';
import { keeper, lastHolder, spokes, zoneAccount, zoneOnVpc, zonesOf } from './facts.js';
import type { Step } from './types.js';
import { associateZone } from './zone-association.js';

export const detachSpokes: Step = {
  number: 6,
  id: 'detach-spokes',
  title: 'Disassociate the spokes from the zones, one at a time',
  why: 'a spoke answers from its own direct zone before the Profile; once it lets go it answers from the endpoint through the Profile — one spoke at a time, so a surprise stops the run after one VPC',
  desired: (ctx) => [
    ctx.plan.parkingVpc
      ? `only the parking VPC ${ctx.plan.parkingVpc.id} is still associated with the zones (every spoke has moved)`
      : `only the keeper ${lastHolder(ctx.plan)} is still associated with the zones`,
  ],
  actions(world, ctx) {
    const { plan } = ctx;
    const k = keeper(plan);
    const next = spokes(plan).find((s) => s !== k && zonesOf(ctx).some((z) => zoneOnVpc(world, z, s)));
    if (!next) return [];
    return zonesOf(ctx)
      .filter((z) => zoneOnVpc(world, z, next))
      .map((z) => action(6, { kind: 'disassociate-vpc', account: zoneAccount(world, plan, z), zoneId: z, vpcId: next, region: plan.region }));
  },
  converged(world, ctx) {
    return this.actions(world, ctx).length === 0;
  },
  expect: (world, ctx) => expectAll(world, ctx),
  undo(world, ctx) {
    // Back one spoke at a time, in the reverse order, each gated like the forward moves.
    const { plan } = ctx;
    const k = keeper(plan);
    for (const s of [...spokes(plan)].reverse()) {
      if (s === k) continue;
      const out = zonesOf(ctx).flatMap((z) => associateZone(world, plan, 6, z, s));
      if (out.length) return out;
    }
    return [];
  },
};
