// Step 2: the shared-services VPC lets go of the zones (it keeps resolving them through the
// Profile), because Private DNS can't be turned on while its VPC holds a same-name zone directly.
import { action } from '../aws/actions.js';
import { expectAll } from './expectations.js';
import { zoneAccount, zoneOnVpc, zonesOf } from './facts.js';
import type { Step } from './types.js';
import { associateZone } from './zone-association.js';

export const detachShared: Step = {
  number: 2,
  id: 'detach-shared',
  title: 'Disassociate the shared-services VPC from the zones',
  why: 'Private DNS cannot be enabled on an endpoint while its own VPC has a private zone of the same name associated directly (ConflictingDomainExists / "conflicting DNS domain")',
  desired: (ctx) => [`no zone is associated directly with ${ctx.plan.sharedServicesVpc.id}`],
  actions(world, ctx) {
    const s = ctx.plan.sharedServicesVpc.id;
    return zonesOf(ctx)
      .filter((z) => zoneOnVpc(world, z, s))
      .map((z) => action(2, { kind: 'disassociate-vpc', account: zoneAccount(world, ctx.plan, z), zoneId: z, vpcId: s, region: ctx.plan.region }));
  },
  converged(world, ctx) {
    return this.actions(world, ctx).length === 0;
  },
  expect: (world, ctx) => expectAll(world, ctx),
  undo(world, ctx) {
    const s = ctx.plan.sharedServicesVpc.id;
    return zonesOf(ctx).flatMap((z) => associateZone(world, ctx.plan, 2, z, s));
  },
};
