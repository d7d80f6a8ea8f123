// Step 7: each zone is backed up (verified against the live zone), emptied and deleted; deleting
// it removes its last association, and the keeper then answers from the endpoint via the Profile.
// With a parking VPC the zones' last association is the parking VPC's, and nobody loses an answer.
import { planAccountOf, recordSetKey } from '../aws/world.js';
import { action } from '../aws/actions.js';
import { expectWithKeeperGap } from './expectations.js';
import { lastHolder, zoneAccount, zoneOf, zonesOf } from './facts.js';
import type { Step } from './types.js';
import { associateZone } from './zone-association.js';

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
  expect: (world, ctx) => expectWithKeeperGap(world, ctx),
  undo(world, ctx) {
    // A deleted zone comes back from its backup: made with the VPC that held it last (the parking
    // VPC, or the keeper), then its records, INSYNC, before any other VPC is associated with it.
    const { plan } = ctx;
    const holder = lastHolder(plan);
    return zonesOf(ctx).flatMap((z) => {
      const b = ctx.backups?.[z];
      const zone = zoneOf(world, z);
      if (!zone) {
        if (!b) return [];
        const account = planAccountOf(world, b.ownerAccountId) ?? plan.profile.account;
        return [
          action(7, {
            kind: 'recreate-zone',
            account,
            zoneId: z,
            zoneName: b.zoneName,
            comment: b.comment,
            ownerAccountId: b.ownerAccountId,
            callerReference: b.callerReference,
            vpcId: holder,
            region: plan.region,
            backupFile: b.file,
          }),
        ];
      }
      const have = new Set(zone.records.map(recordSetKey));
      const missing = (b?.records ?? []).filter((r) => !have.has(recordSetKey(r)));
      if (missing.length) return [action(7, { kind: 'restore-records', account: zone.account, zoneId: z, backupFile: b!.file, records: missing })];
      return associateZone(world, plan, 7, z, holder);
    });
  },
};
