// Step 4: the zones leave the Profile; the spokes keep them through their direct associations.
import { hostedZoneArn } from '../aws/world.js';
import { action } from '../aws/actions.js';
import { expectAll } from './expectations.js';
import { zoneOnProfile, zonesOf } from './facts.js';
import type { Step } from './types.js';

export const removeZoneFromProfile: Step = {
  number: 4,
  id: 'remove-zone-from-profile',
  title: 'Remove the zones from the Profile',
  why: 'a Profile should not hold a zone and an endpoint serving the same name at once, so the zone leaves (and is gone) before the endpoint joins in step 5',
  desired: (ctx) => [`Profile ${ctx.plan.profile.id} holds none of the zones`],
  actions(world, ctx) {
    const { plan } = ctx;
    return zonesOf(ctx)
      .filter((z) => zoneOnProfile(world, z) || world.profile?.resources.some((r) => r.resourceArn === hostedZoneArn(z) && r.status !== 'DELETING'))
      .map((z) => action(4, { kind: 'disassociate-resource', account: plan.profile.account, profileId: plan.profile.id, resourceArn: hostedZoneArn(z), resource: z }));
  },
  converged(world, ctx) {
    const arns = new Set(zonesOf(ctx).map(hostedZoneArn));
    return !world.profile?.resources.some((r) => arns.has(r.resourceArn));
  },
  expect: (world, ctx) => expectAll(world, ctx),
  undo(world, ctx) {
    const { plan } = ctx;
    return zonesOf(ctx)
      .filter((z) => !zoneOnProfile(world, z))
      .map((z) => action(4, { kind: 'associate-resource', account: plan.profile.account, profileId: plan.profile.id, resourceArn: hostedZoneArn(z), resource: z, name: `r53migrate-${z}` }));
  },
};
