// Step 1: every VPC joins the Profile and every zone is held by it (path A), or every spoke gets
// the zone directly (path B) — after it, each VPC reaches the zone in both ways, so any one of
// them can be taken away next without a gap.
import { hostedZoneArn } from '../aws/world.js';
import { planVpcs } from '../plan/schema.js';
import { action, type Action } from './actions.js';
import { expectAll } from './expectations.js';
import { accountOfVpc, spokes, vpcOnProfile, zoneAccount, zoneOf, zoneOnProfile, zoneOnVpc, zonesOf } from './facts.js';
import type { Step } from './types.js';

export const associate: Step = {
  number: 1,
  title: 'Make the zones reach every VPC both directly and through the Profile',
  id: 'associate',
  why: 'path A: the spokes keep the zone directly while it is also served through the Profile; path B: the spokes need a direct association before step 4 takes the zone off the Profile',
  desired: (ctx) => [
    `every VPC of the plan is associated with Profile ${ctx.plan.profile.id}`,
    `every zone (${zonesOf(ctx).join(', ')}) is held by the Profile`,
    'every zone is associated directly with the shared-services VPC and every spoke',
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
      const zone = zoneOf(world, z);
      if (!zone) continue;
      const owner = zoneAccount(world, plan, z);
      for (const vpcId of [plan.sharedServicesVpc.id, ...spokes(plan)]) {
        const account = accountOfVpc(plan, vpcId);
        const crossAccount = world.accounts[account] !== zone.accountId;
        const authorized = zone.authorizations.some((a) => a.vpcId === vpcId);
        const vpc = { zoneId: z, vpcId, region: plan.region };
        if (!zoneOnVpc(world, z, vpcId)) {
          // Another account's VPC: the zone's owner authorizes, the VPC's owner associates.
          if (crossAccount && !authorized) out.push(action(1, { kind: 'authorize-vpc', account: owner, ...vpc }));
          out.push(action(1, { kind: 'associate-vpc', account: crossAccount ? account : owner, ...vpc }));
          if (crossAccount) out.push(action(1, { kind: 'deauthorize-vpc', account: owner, ...vpc }));
        } else if (authorized) {
          out.push(action(1, { kind: 'deauthorize-vpc', account: owner, ...vpc }));
        }
      }
    }
    return out;
  },
  converged(world, ctx) {
    return this.actions(world, ctx).length === 0;
  },
  expect: (world, ctx) => expectAll(world, ctx),
  undo(world, ctx) {
    // Path A undoes by leaving the Profile; path B by removing the spokes' direct associations.
    const { plan } = ctx;
    if (ctx.path === 'A') {
      return [
        ...zonesOf(ctx).filter((z) => zoneOnProfile(world, z)).map((z) =>
          action(1, { kind: 'disassociate-resource', account: plan.profile.account, profileId: plan.profile.id, resourceArn: hostedZoneArn(z), resource: z }),
        ),
        ...planVpcs(plan).filter((v) => vpcOnProfile(world, plan, v.id)).map((v) =>
          action(1, { kind: 'disassociate-profile', account: v.account, profileId: plan.profile.id, vpcId: v.id }),
        ),
      ];
    }
    return zonesOf(ctx).flatMap((z) =>
      spokes(plan).filter((s) => zoneOnVpc(world, z, s)).map((s) => action(1, { kind: 'disassociate-vpc', account: zoneAccount(world, plan, z), zoneId: z, vpcId: s, region: plan.region })),
    );
  },
};
