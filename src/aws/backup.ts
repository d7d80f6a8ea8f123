// Before a zone is emptied and deleted: every record written to disk (JSON that Route 53 can take
// back, and a BIND zone file for people), read back, and compared with the live zone. Nothing is
// deleted on the strength of a backup that wasn't verified.
import { GetHostedZoneCommand, ListResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../state/fs.js';
import type { AwsAccess } from './access.js';
import { allPages, recordFromSdk } from './observe.js';
import type { ObservedRecord } from './world.js';

export interface ZoneBackup {
  zoneId: string;
  zoneName: string;
  json: string;
  bind: string;
  records: number;
  verifiedAt: string;
}

export class BackupVerificationError extends Error {
  readonly code = 'BACKUP_NOT_VERIFIED';
  constructor(zoneId: string, path: string, detail: string) {
    super(`the backup of zone ${zoneId} at ${path} does not match the live zone (${detail}); nothing was deleted — check the disk and resume`);
    this.name = 'BackupVerificationError';
  }
}

async function listAll(access: AwsAccess, account: string, zoneId: string, signal?: AbortSignal): Promise<ResourceRecordSet[]> {
  return allPages(async (token) => {
    const [name, type, ident] = token ? (JSON.parse(token) as [string, string, string | undefined]) : [];
    const out = await access.read(
      account,
      'route53',
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: type as never, StartRecordIdentifier: ident, MaxItems: 300 }),
      { signal, target: zoneId },
    );
    return { items: out.ResourceRecordSets, next: out.IsTruncated ? JSON.stringify([out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier]) : undefined };
  });
}

export function toBind(zoneName: string, records: ObservedRecord[]): string {
  const lines = [`; r53migrate backup of ${zoneName}`, `$ORIGIN ${zoneName}`];
  for (const r of records) {
    if (r.alias) {
      // Alias records have no BIND form; the JSON backup restores them exactly.
      lines.push(`; ALIAS ${r.name} ${r.type} -> ${r.alias.dnsName} (hosted zone ${r.alias.hostedZoneId}, evaluate target health ${r.alias.evaluateTargetHealth})`);
      continue;
    }
    for (const v of r.values ?? []) lines.push(`${r.name}\t${r.ttl ?? 300}\tIN\t${r.type}\t${v}`);
  }
  return lines.join('\n') + '\n';
}


export async function backupZone(access: AwsAccess, account: string, zoneId: string, dir: string, signal?: AbortSignal): Promise<ZoneBackup> {
  const zone = await access.read(account, 'route53', new GetHostedZoneCommand({ Id: zoneId }), { signal, target: zoneId });
  const zoneName = (zone.HostedZone?.Name ?? '').toLowerCase();
  const records = await listAll(access, account, zoneId, signal);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = join(dir, `${zoneId}.${stamp}.json`);
  const bind = join(dir, `${zoneId}.${stamp}.zone`);
  const body = JSON.stringify({ zoneId, zoneName, vpcs: zone.VPCs ?? [], savedAt: new Date().toISOString(), resourceRecordSets: records }, null, 2) + '\n';
  await writeFileAtomic(json, body);
  const observed = records.map(recordFromSdk);
  const bindText = toBind(zoneName, observed);
  await writeFileAtomic(bind, bindText);

  // Verify: what is on disk equals what AWS holds now.
  const live = JSON.stringify(await listAll(access, account, zoneId, signal));
  let saved: string;
  try {
    saved = JSON.stringify((JSON.parse(await readFile(json, 'utf8')) as { resourceRecordSets: unknown }).resourceRecordSets);
  } catch (e) {
    throw new BackupVerificationError(zoneId, json, `unreadable: ${(e as Error).message}`);
  }
  if (saved !== live) throw new BackupVerificationError(zoneId, json, 'the records differ (did someone change the zone meanwhile?)');
  if ((await readFile(bind, 'utf8')) !== bindText) throw new BackupVerificationError(zoneId, bind, 'the BIND file differs from what was written');
  return { zoneId, zoneName, json, bind, records: records.length, verifiedAt: new Date().toISOString() };
}
