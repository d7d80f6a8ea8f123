// Step 7: each zone is backed up (verified against the live zone), emptied and deleted; deleting
// it removes its last association, and the keeper then answers from the endpoint via the Profile.
import { action } from './actions.js';
import { expectDuringZoneDeletion } from './expectations.js';
import { zoneAccount, zoneOf, zonesOf } from './facts.js';
import type { Step } from './types.js';

const APEX_TYPES = new Set(['SOA', 'NS']);

export const deleteZones: Step = {
  number: 7,
  id: 'delete-zones',
  title: 'Back up, empty and delete the self-managed zones',
  why: 'the endpoints now serve the names through the Profile; a zone can only be deleted once it holds nothing but its apex SOA and NS records',
  desired: (ctx) => zonesOf(ctx).map((z) => `zone ${z} is deleted (after a verified backup)`),
  actions(world, ctx) {
    const { plan } = ctx;
    return zonesOf(ctx).flatMap((z) => {
      const zone = zoneOf(world, z);
      if (!zone) return [];
      const account = zoneAccount(world, plan, z);
      const records = zone.records.filter((r) => !(APEX_TYPES.has(r.type) && r.name === zone.name));
      // Emptying and deleting are two batches: DeleteHostedZone waits for the DELETE to apply.
      if (records.length) {
        return [action(7, { kind: 'backup-zone', account, zoneId: z }), action(7, { kind: 'delete-records', account, zoneId: z, records })];
      }
      return [action(7, { kind: 'delete-zone', account, zoneId: z })];
    });
  },
  converged: (world, ctx) => zonesOf(ctx).every((z) => !zoneOf(world, z)),
  expect: (world, ctx) => expectDuringZoneDeletion(world, ctx),
  // A deleted zone comes back only from its backup (r53migrate restore-zone, later).
  undo: () => [],
};
