// Step 6: the spokes let go of the zones one at a time, each probed before the next; the keeper
// (the last spoke) keeps them, since a private zone can't lose its last VPC.
import { action } from './actions.js';
import { expectAll } from './expectations.js';
import { keeper, spokes, zoneAccount, zoneOnVpc, zonesOf } from './facts.js';
import type { Step } from './types.js';

export const detachSpokes: Step = {
  number: 6,
  id: 'detach-spokes',
  title: 'Disassociate the spokes from the zones, one at a time (the keeper stays)',
  why: 'a spoke answers from its own direct zone before the Profile; once it lets go it answers from the endpoint through the Profile — one spoke at a time, so a surprise stops the run after one VPC',
  desired: (ctx) => [`only the keeper ${keeper(ctx.plan)} is still associated with the zones`],
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
    const { plan } = ctx;
    const k = keeper(plan);
    return zonesOf(ctx).flatMap((z) =>
      spokes(plan)
        .filter((s) => s !== k && !zoneOnVpc(world, z, s))
        .map((s) => action(6, { kind: 'associate-vpc', account: zoneAccount(world, plan, z), zoneId: z, vpcId: s, region: plan.region })),
    );
  },
};
