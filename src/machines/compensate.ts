// Step 7 empties a zone, then deletes it; in between, the VPCs still associated with it (the
// keeper) have no answer for its names. When the run stops in between — DeleteHostedZone failed,
// a DNS gate halted, the operator pressed Ctrl-C — the zone's records go back from its verified
// backup before the run ends, so no VPC is left without an answer while nobody is watching. When
// that fails too, the run says plainly which VPCs have no answer right now and how to restore it.
import type { AwsAccess } from '../aws/access.js';
import { readBackup } from '../aws/backup.js';
import { canonicalName } from '../aws/resolver-rules.js';
import { refillZone } from '../aws/restore.js';
import type { World } from '../aws/world.js';
import type { Plan } from '../plan/schema.js';
import type { RunState } from '../state/index.js';
import type { StepContext } from '../steps/types.js';

export interface EmptiedZone {
  zoneId: string;
  /** Plan account that owns the zone. */
  account: string;
  /** VPCs still associated with it: they have no answer for its names now. */
  vpcs: string[];
  names: string[];
  /** This run's verified backup of it (JSON). */
  backup?: string;
}

/** Zones of the plan that still exist but hold none of their endpoint's names (step 7 emptied them). Pure. */
export function emptiedZones(world: World, ctx: StepContext, backups: RunState['backups']): EmptiedZone[] {
  const out: EmptiedZone[] = [];
  for (const e of ctx.endpoints) {
    const ep = world.endpoints[e.id];
    if (!ep?.exists) continue;
    for (const zoneId of e.zones) {
      const zone = world.zones[zoneId];
      if (!zone?.exists) continue;
      const names = ep.privateDnsNames.map(canonicalName).filter((n) => n === zone.name || n.endsWith(`.${zone.name}`));
      // The apex SOA and NS stay in an emptied zone, often at the very name (lambda.<region>.amazonaws.com).
      const answers = zone.records.filter((r) => r.type === 'A' || r.type === 'AAAA' || r.type === 'CNAME');
      if (!names.length || answers.some((r) => names.includes(canonicalName(r.name)))) continue;
      const backup = [...backups].reverse().find((b) => b.zoneId === zoneId)?.json;
      out.push({ zoneId, account: zone.account, vpcs: zone.vpcs.map((v) => v.vpcId), names, ...(backup ? { backup } : {}) });
    }
  }
  return out;
}

export interface CompensationReport {
  /** One line each: what was restored, or who has no answer now and the command that restores it. */
  lines: string[];
  /** Some VPC has no answer right now. */
  broken: boolean;
}

/** Puts back the records of every emptied zone from its backup; reports what it did. */
export async function restoreEmptiedZones(o: {
  access: AwsAccess;
  plan: Plan;
  world: World;
  ctx: StepContext;
  backups: RunState['backups'];
  maxWaitMs: number;
  pollIntervalMs: number;
  log?: (line: string) => void;
}): Promise<CompensationReport> {
  const lines: string[] = [];
  let broken = false;
  for (const z of emptiedZones(o.world, o.ctx, o.backups)) {
    const who = z.vpcs.length ? z.vpcs.join(', ') : 'no VPC';
    const byHand = z.backup
      ? `r53migrate restore-zone ${z.backup}   (or: aws route53 change-resource-record-sets --hosted-zone-id ${z.zoneId} --change-batch file://${z.backup.replace(/\.json$/, '.restore-batch.json')} as account ${z.account})`
      : `put the alias record(s) for ${z.names.join(', ')} back into zone ${z.zoneId}`;
    if (!z.backup) {
      broken = true;
      lines.push(`${who} ha${z.vpcs.length === 1 ? 's' : 've'} NO ANSWER for ${z.names.join(', ')} right now: zone ${z.zoneId} is empty and this run has no backup of it. Restore it: ${byHand}`);
      continue;
    }
    try {
      const backup = await readBackup(z.backup);
      const r = await refillZone(o.access, z.account, z.zoneId, backup, { maxWaitMs: o.maxWaitMs, pollIntervalMs: o.pollIntervalMs });
      const line = `Zone ${z.zoneId} had been emptied but not deleted when the run stopped: its ${r.created.length} record set(s) were restored from ${z.backup}, so ${who} answer${z.vpcs.length === 1 ? 's' : ''} ${z.names.join(', ')} again. resume empties and deletes it again.`;
      lines.push(line);
      o.log?.(line);
    } catch (e) {
      broken = true;
      const line = `${who} ha${z.vpcs.length === 1 ? 's' : 've'} NO ANSWER for ${z.names.join(', ')} right now: zone ${z.zoneId} was emptied and restoring it from its backup failed (${(e as Error).message}). Restore it now: ${byHand}`;
      lines.push(line);
      o.log?.(line);
    }
  }
  return { lines, broken };
}
