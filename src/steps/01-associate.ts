// Step 1: every VPC joins the Profile and every zone is held by it (path A), or every spoke gets
// the zone directly (path B) — after it, each VPC reaches the zone in both ways, so any one of
// them can be taken away next without a gap.
import { hostedZoneArn } from '../aws/world.js';
import { planVpcs } from '../plan/schema.js';
import { action, type Action } from '../aws/actions.js';
import { expectAll } from './expectations.js';
import { spokes, vpcOnProfile, zoneAccount, zoneHolders, zoneOnProfile, zoneOnVpc, zonesOf } from './facts.js';
import { associateZone } from './zone-association.js';
import type { Step } from './types.js';

export const associate: Step = {
  number: 1,
  title: 'Make the zones reach every VPC both directly and through the Profile',
  id: 'associate',
  why: 'path A: the spokes keep the zone directly while it is also served through the Profile; path B: the spokes need a direct association before step 4 takes the zone off the Profile',
  desired: (ctx) => [
    `every VPC of the plan is associated with Profile ${ctx.plan.profile.id}`,
    `every zone (${zonesOf(ctx).join(', ')}) is held by the Profile`,
    `every zone is associated directly with the shared-services VPC and every spoke${ctx.plan.parkingVpc ? `, and with the parking VPC ${ctx.plan.parkingVpc.id}` : ''}`,
    'no VPC association authorization is left behind',
  ],
  actions(world, ctx) {
    const { plan } = ctx;
    const out: Action[] = [];
    for (const v of planVpcs(plan)) {
      if (!vpcOnProfile(world, plan, v.id)) {
        out.push(action(1, { kind: 'associate-profile', account: v.account, profileId: plan.profile.id, vpcId: v.id, name: `r53migrate-${v.id}` }));
      }
    }
    for (const z of zonesOf(ctx)) {
      if (!zoneOnProfile(world, z)) {
        out.push(action(1, { kind: 'associate-resource', account: plan.profile.account, profileId: plan.profile.id, resourceArn: hostedZoneArn(z), resource: z, name: `r53migrate-${z}` }));
      }
    }
    for (const z of zonesOf(ctx)) {
      for (const vpcId of zoneHolders(plan)) out.push(...associateZone(world, plan, 1, z, vpcId));
    }
    return out;
  },
  converged(world, ctx) {
    return this.actions(world, ctx).length === 0;
  },
  expect: (world, ctx) => expectAll(world, ctx),
  undo(world, ctx) {
    // Path A undoes by leaving the Profile; path B by removing the spokes' direct associations.
    // Either way the parking VPC lets go of the zones (it held none at the start).
    const { plan } = ctx;
    const parking = plan.parkingVpc
      ? zonesOf(ctx).filter((z) => zoneOnVpc(world, z, plan.parkingVpc!.id)).map((z) => action(1, { kind: 'disassociate-vpc', account: zoneAccount(world, plan, z), zoneId: z, vpcId: plan.parkingVpc!.id, region: plan.region }))
      : [];
    if (ctx.path === 'A') {
      return [
        ...parking,
        ...zonesOf(ctx).filter((z) => zoneOnProfile(world, z)).map((z) =>
          action(1, { kind: 'disassociate-resource', account: plan.profile.account, profileId: plan.profile.id, resourceArn: hostedZoneArn(z), resource: z }),
        ),
        ...planVpcs(plan).filter((v) => vpcOnProfile(world, plan, v.id)).map((v) =>
          action(1, { kind: 'disassociate-profile', account: v.account, profileId: plan.profile.id, vpcId: v.id }),
        ),
      ];
    }
    return [
      ...parking,
      ...zonesOf(ctx).flatMap((z) =>
        spokes(plan).filter((s) => zoneOnVpc(world, z, s)).map((s) => action(1, { kind: 'disassociate-vpc', account: zoneAccount(world, plan, z), zoneId: z, vpcId: s, region: plan.region })),
      ),
    ];
  },
};
