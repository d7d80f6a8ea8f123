// Before a rollback changes anything: every zone it must make again has a backup that reads back
// as it says (checksum), its last holder can be given it (CreateHostedZone takes a VPC of the
// zone's own account), and a zone an earlier, killed attempt already made is taken back rather
// than made twice. Any problem refuses the rollback with nothing changed.
import type { AwsAccess } from '../aws/access.js';
import { BackupFileError, isApexSoaOrNs, readBackup } from '../aws/backup.js';
import { recordFromSdk } from '../aws/observe.js';
import { callerReferencePrefix, findRestoredZone } from '../aws/restore.js';
import { planAccountOf, type World } from '../aws/world.js';
import type { Plan } from '../plan/schema.js';
import type { RunState } from '../state/index.js';
import { accountOfVpc, lastHolder, zoneOf } from '../steps/facts.js';
import type { ZoneRestore } from '../steps/types.js';

/** A rollback can't start from this state file or these backups: nothing was changed (exit 2). */
export class RollbackRefusedError extends Error {
  readonly code = 'ROLLBACK_REFUSED';
  readonly exitCode = 2;
  constructor(readonly problems: string[]) {
    super(`the rollback can't start (nothing was changed):\n  - ${problems.join('\n  - ')}`);
    this.name = 'RollbackRefusedError';
  }
}

export interface RollbackPrep {
  /** Per plan zone id: its verified backup. */
  backups: Record<string, ZoneRestore>;
  /** Zones an earlier attempt re-created: plan id → the new zone's id. */
  adopted: [string, string][];
}

export async function prepareRollback(o: { plan: Plan; access: AwsAccess; world: World; state: RunState; signal?: AbortSignal }): Promise<RollbackPrep> {
  const { plan, world, state } = o;
  const replaced = state.replacedZones ?? {};
  const originalOf = (z: string) => Object.entries(replaced).find(([, now]) => now === z)?.[0];
  const problems: string[] = [];
  const backups: Record<string, ZoneRestore> = {};
  const adopted: [string, string][] = [];
  const holder = lastHolder(plan);
  for (const z of plan.endpoints.flatMap((e) => e.zones)) {
    // The zone's own backup first: a zone re-created once and migrated again has a newer one.
    const entry = state.backups.find((b) => b.zoneId === z) ?? state.backups.find((b) => b.zoneId === originalOf(z));
    const gone = !zoneOf(world, z);
    if (!entry) {
      if (gone) problems.push(`zone ${z} was deleted, and the state file records no verified backup of it: if you hold one elsewhere, re-create the zone with r53migrate restore-zone BACKUP.json, then roll back`);
      continue;
    }
    let backup;
    try {
      backup = await readBackup(entry.json);
    } catch (e) {
      if (!(e instanceof BackupFileError)) throw e;
      problems.push(`the backup of zone ${z} can't be trusted: ${e.message} — a rollback re-creates zones only from backups that read back as written`);
      continue;
    }
    backups[z] = {
      file: entry.json,
      zoneName: backup.zoneName,
      comment: backup.comment,
      ownerAccountId: backup.ownerAccountId,
      callerReference: `${callerReferencePrefix(backup)}1`,
      records: backup.resourceRecordSets.filter((r) => !isApexSoaOrNs(backup.zoneName, r)).map(recordFromSdk),
    };
    if (!gone) continue;
    const account = planAccountOf(world, backup.ownerAccountId);
    if (!account) {
      problems.push(`zone ${z} belonged to AWS account ${backup.ownerAccountId}, which no account of the plan reaches: add it under accounts`);
      continue;
    }
    if (world.accounts[accountOfVpc(plan, holder)] !== backup.ownerAccountId) {
      problems.push(
        `zone ${z} must be re-created with ${holder} (the VPC that held it last), but a private zone is created with a VPC of its own account (${backup.ownerAccountId}) and ${holder} is in account ${accountOfVpc(plan, holder)}: name a parkingVpc in the zone's account, then roll back`,
      );
      continue;
    }
    const earlier = await findRestoredZone(o.access, account, backup, o.signal);
    if (earlier) adopted.push([z, earlier]);
  }
  if (problems.length) throw new RollbackRefusedError(problems);
  for (const [old, now] of adopted) backups[now] = backups[old]!;
  return { backups, adopted };
}
