// Step 5: the endpoints join the Profile; spokes still answer from their direct zone (their own
// configuration wins) until step 6 lets go of it.
import { action } from '../aws/actions.js';
import { expectAll } from './expectations.js';
import { endpointOf, endpointOnProfile } from './facts.js';
import type { Step } from './types.js';

export const addEndpointToProfile: Step = {
  number: 5,
  id: 'add-endpoint-to-profile',
  title: 'Associate the endpoints with the Profile',
  why: 'every VPC on the Profile then resolves the names to the endpoints; the spokes switch over one by one in step 6',
  desired: (ctx) => ctx.endpoints.map((e) => `${e.id} is held by Profile ${ctx.plan.profile.id} (COMPLETE) and available`),
  actions(world, ctx) {
    const { plan } = ctx;
    return ctx.endpoints.flatMap((e) => {
      const ep = endpointOf(world, e.id);
      if (!ep || endpointOnProfile(world, e.id)) return [];
      return [action(5, { kind: 'associate-resource', account: plan.profile.account, profileId: plan.profile.id, resourceArn: ep.arn, resource: e.id, name: `r53migrate-${e.id}` })];
    });
  },
  converged(world, ctx) {
    return ctx.endpoints.every((e) => {
      const ep = endpointOf(world, e.id);
      return !!ep && ep.state === 'available' && !!world.profile?.resources.some((r) => r.resourceArn === ep.arn && r.status === 'COMPLETE');
    });
  },
  expect: (world, ctx) => expectAll(world, ctx),
  undo(world, ctx) {
    const { plan } = ctx;
    return ctx.endpoints.flatMap((e) => {
      const ep = endpointOf(world, e.id);
      if (!ep || !endpointOnProfile(world, e.id)) return [];
      return [action(5, { kind: 'disassociate-resource', account: plan.profile.account, profileId: plan.profile.id, resourceArn: ep.arn, resource: e.id })];
    });
  },
};
