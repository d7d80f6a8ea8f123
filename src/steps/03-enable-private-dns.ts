// Step 3: Private DNS on for every endpoint; its own VPC now answers from the endpoint's zone.
import { action } from '../aws/actions.js';
import { expectAll } from './expectations.js';
import { endpointAccount, endpointOf, privateDnsOn } from './facts.js';
import type { Step } from './types.js';

export const enablePrivateDns: Step = {
  number: 3,
  id: 'enable-private-dns',
  title: 'Enable Private DNS on the endpoints',
  why: 'an endpoint joins a Profile only with Private DNS enabled (step 5), and its own VPC must answer from the endpoint before the zone leaves the Profile (step 4)',
  desired: (ctx) => ctx.endpoints.map((e) => `${e.id} has Private DNS enabled and is available`),
  actions(world, ctx) {
    return ctx.endpoints
      .filter((e) => !privateDnsOn(world, e.id))
      .map((e) => action(3, { kind: 'set-private-dns', account: endpointAccount(world, ctx.plan, e.id), endpointId: e.id, enabled: true }));
  },
  converged(world, ctx) {
    return ctx.endpoints.every((e) => privateDnsOn(world, e.id) && endpointOf(world, e.id)?.state === 'available');
  },
  expect: (world, ctx) => expectAll(world, ctx),
  undo(world, ctx) {
    return ctx.endpoints
      .filter((e) => privateDnsOn(world, e.id))
      .map((e) => action(3, { kind: 'set-private-dns', account: endpointAccount(world, ctx.plan, e.id), endpointId: e.id, enabled: false }));
  },
};
