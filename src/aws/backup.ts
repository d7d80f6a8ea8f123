// Before a zone is emptied and deleted: every record written to disk, read back, and compared with
// the live zone. Nothing is deleted on the strength of a backup that wasn't verified.
//
// Three files share one stem (<zone id>.<time>):
//   .json                 the backup to restore from: the zone (name, comment, private flag, owner,
//                         VPCs at the start of the run and now) and every record set exactly as
//                         ListResourceRecordSets returned it, with a sha256 of the records so a
//                         reader can tell the file is whole (readBackup checks it).
//   .zone                 the same records as a BIND zone file, for people: BIND can't carry alias
//                         records or routing-policy fields, so those are comments and its header
//                         says to restore from the JSON.
//   .restore-batch.json   a ready ChangeBatch (CREATE of every record but the apex SOA and NS) for
//                         `aws route53 change-resource-record-sets --change-batch file://...`.
import { GetHostedZoneCommand, ListTagsForResourceCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../state/fs.js';
import type { AwsAccess } from './access.js';
import { AwsError } from './errors.js';
import { listRecordSets, recordFromSdk } from './observe.js';
import type { ObservedRecord, VpcRef } from './world.js';

const { version: TOOL_VERSION } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const BACKUP_FORMAT = 'r53migrate.zone-backup';
export const BACKUP_FORMAT_VERSION = 2;
/** Far above any zone Route 53 allows (10,000 record sets by default): anything bigger is not ours. */
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;

/** What backupZone wrote and verified. */
export interface ZoneBackup {
  zoneId: string;
  zoneName: string;
  /** The JSON backup: the one to restore from (readBackup, r53migrate restore-zone). */
  json: string;
  /** The BIND zone file (for people; no alias records, no routing policies). */
  bind: string;
  /** The ready change batch for `aws route53 change-resource-record-sets`. */
  restoreBatch: string;
  records: number;
  /** sha256 of the canonical record list, as recorded in the JSON file. */
  recordsSha256: string;
  verifiedAt: string;
}

export interface BackupOptions {
  signal?: AbortSignal;
  /** The plan account that owns the zone (the `account` the calls are made as): restore-zone uses its credentials. */
  accountName: string;
  /** The plan file of the run, recorded (as an absolute path) so restore-zone can find the accounts again. */
  planFile?: string;
  /** Every VPC associated with the zone when the run started; default: the VPCs associated now. */
  vpcsAtStart?: VpcRef[];
}

/** The JSON backup file, as written and as readBackup returns it (with `path`). */
export interface BackupFile {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  /** "r53migrate <version>" that wrote it. */
  tool: string;
  about: string;
  zoneId: string;
  /** Absolute, lower-case, with the trailing dot. */
  zoneName: string;
  comment: string;
  privateZone: boolean;
  /** The AWS account that owns the zone. */
  ownerAccountId: string;
  /** The plan account whose credentials reach the zone's owner. */
  accountName: string;
  /** Absolute path of the plan file of the run that made the backup, when known. */
  planFile: string | null;
  vpcsAtStart: VpcRef[];
  /** The VPCs associated with the zone when the backup was made. */
  vpcsAtBackup: VpcRef[];
  /** The zone's tags; null when they could not be read (tagsError says why). Absent in early backups. */
  tags?: { Key: string; Value: string }[] | null;
  tagsError?: string;
  savedAt: string;
  recordCount: number;
  /** sha256 (hex) of resourceRecordSets as canonical JSON: see canonicalJson. */
  recordsSha256: string;
  /** Every record set exactly as ListResourceRecordSets returned it. */
  resourceRecordSets: ResourceRecordSet[];
}

export interface LoadedBackup extends BackupFile {
  /** The file it was read from. */
  path: string;
}

export class BackupVerificationError extends Error {
  readonly code = 'BACKUP_NOT_VERIFIED';
  constructor(zoneId: string, path: string, detail: string) {
    super(`the backup of zone ${zoneId} at ${path} does not match the live zone (${detail}); nothing was deleted — check the disk and resume`);
    this.name = 'BackupVerificationError';
  }
}

export type BackupFileErrorCode =
  | 'BACKUP_UNREADABLE'
  | 'BACKUP_TOO_LARGE'
  | 'BACKUP_NOT_JSON'
  | 'BACKUP_NOT_A_BACKUP'
  | 'BACKUP_OLD_FORMAT'
  | 'BACKUP_NEWER_FORMAT'
  | 'BACKUP_INVALID'
  | 'BACKUP_CHECKSUM';

/**
 * A file that is not a zone backup r53migrate can trust (missing, cut short, not ours, edited, of a
 * newer format). Bad input: exit 2, printed without a stack; nothing has been changed.
 */
export class BackupFileError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly code: BackupFileErrorCode,
    readonly detail: string,
  ) {
    super(`${file}: not a zone backup r53migrate can trust: ${detail}`);
    this.name = 'BackupFileError';
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical form and checksum

/** JSON with object keys sorted at every level and no whitespace: what recordsSha256 is taken of. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function recordsSha256(records: readonly ResourceRecordSet[]): string {
  return createHash('sha256').update(canonicalJson(records), 'utf8').digest('hex');
}

/** A record name as Route 53 means it: lower-case, absolute, `\052` read as `*`. */
export function canonicalRecordName(name: string): string {
  const n = name.toLowerCase().replace(/\\052/g, '*');
  return n.endsWith('.') ? n : `${n}.`;
}

/** The apex SOA and NS: Route 53 makes them with the zone, and they can't be created or deleted. */
export function isApexSoaOrNs(zoneName: string, r: ResourceRecordSet): boolean {
  return (r.Type === 'SOA' || r.Type === 'NS') && canonicalRecordName(r.Name ?? '') === canonicalRecordName(zoneName);
}

/** The change batch that puts every record back into an empty zone of the same name. */
export function restoreChangeBatch(backup: Pick<BackupFile, 'zoneName' | 'zoneId' | 'savedAt' | 'resourceRecordSets'>): {
  Comment: string;
  Changes: { Action: 'CREATE'; ResourceRecordSet: ResourceRecordSet }[];
} {
  return {
    Comment: `r53migrate: restore of ${backup.zoneName} (${backup.zoneId}) from its backup of ${backup.savedAt}`,
    Changes: backup.resourceRecordSets.filter((r) => !isApexSoaOrNs(backup.zoneName, r)).map((r) => ({ Action: 'CREATE' as const, ResourceRecordSet: r })),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a backup

const Vpc = z.object({ vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { error: 'expected a VPC id' }), region: z.string().min(1) });

const Record = z
  .looseObject({
    Name: z.string().min(1),
    Type: z.string().regex(/^[A-Z]+$/, { error: 'expected a record type' }),
    SetIdentifier: z.string().min(1).optional(),
    TTL: z.number().int().nonnegative().optional(),
    ResourceRecords: z.array(z.object({ Value: z.string() })).min(1).optional(),
    AliasTarget: z.object({ HostedZoneId: z.string().min(1), DNSName: z.string().min(1), EvaluateTargetHealth: z.boolean() }).optional(),
  })
  .refine((r) => r.AliasTarget !== undefined || r.ResourceRecords !== undefined || r.TrafficPolicyInstanceId !== undefined, {
    error: 'a record set needs AliasTarget or ResourceRecords',
  });

const Backup = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  tool: z.string(),
  about: z.string().optional(),
  zoneId: z.string().regex(/^Z[0-9A-Z]{1,32}$/, { error: 'expected a hosted zone id' }),
  zoneName: z.string().regex(/^([a-z0-9_*-]+\.)+$/, { error: 'expected an absolute lower-case domain name' }),
  comment: z.string(),
  privateZone: z.boolean(),
  ownerAccountId: z.string().regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' }),
  accountName: z.string().min(1),
  planFile: z.string().min(1).nullable(),
  vpcsAtStart: z.array(Vpc),
  vpcsAtBackup: z.array(Vpc),
  tags: z.array(z.object({ Key: z.string().min(1), Value: z.string() })).nullable().optional(),
  tagsError: z.string().optional(),
  savedAt: z.iso.datetime(),
  recordCount: z.number().int().nonnegative(),
  recordsSha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected 64 hex digits' }),
  resourceRecordSets: z.array(Record),
});

function issuesText(error: z.ZodError): string {
  const lines = error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  if (error.issues.length > 5) lines.push(`and ${error.issues.length - 5} more`);
  return lines.join('; ');
}

/** Parses and verifies the text of a backup file (schema, record count, names, checksum). */
export function parseBackup(text: string, file: string): LoadedBackup {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BackupFileError(file, 'BACKUP_NOT_JSON', `it is not complete JSON (${(e as Error).message}): the file was cut short or damaged`);
  }
  const obj = (doc && typeof doc === 'object' && !Array.isArray(doc) ? doc : {}) as Record<string, unknown>;
  if (obj.format !== BACKUP_FORMAT) {
    if (typeof obj.zoneId === 'string' && Array.isArray(obj.resourceRecordSets)) {
      throw new BackupFileError(
        file,
        'BACKUP_OLD_FORMAT',
        `it was written by an r53migrate before backups carried a checksum, so it can't be checked for completeness; its records can still be put back by hand (aws route53 change-resource-record-sets)`,
      );
    }
    throw new BackupFileError(file, 'BACKUP_NOT_A_BACKUP', `it is not an r53migrate zone backup (no "format": "${BACKUP_FORMAT}"); give the .json file a run wrote beside its state file (<plan>.backups/)`);
  }
  if (typeof obj.formatVersion === 'number' && obj.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new BackupFileError(file, 'BACKUP_NEWER_FORMAT', `it has format version ${obj.formatVersion}, newer than this r53migrate (${TOOL_VERSION}) reads (${BACKUP_FORMAT_VERSION}): use the r53migrate that wrote it (${String(obj.tool)})`);
  }
  const parsed = Backup.safeParse(doc);
  if (!parsed.success) throw new BackupFileError(file, 'BACKUP_INVALID', `it does not have the fields of a backup: ${issuesText(parsed.error)}`);
  // What the file holds, not zod's copy of it: the records stay exactly as they were written.
  const b = doc as BackupFile;
  if (b.resourceRecordSets.length !== b.recordCount) {
    throw new BackupFileError(file, 'BACKUP_INVALID', `it says it holds ${b.recordCount} record sets but holds ${b.resourceRecordSets.length}: it was cut or edited`);
  }
  const outside = b.resourceRecordSets.filter((r) => {
    const n = canonicalRecordName(r.Name ?? '');
    return n !== b.zoneName && !n.endsWith(`.${b.zoneName}`);
  });
  if (outside.length) {
    throw new BackupFileError(file, 'BACKUP_INVALID', `record ${outside[0]!.Name} ${outside[0]!.Type} is not inside zone ${b.zoneName}: the zone name or the records were edited`);
  }
  const actual = recordsSha256(b.resourceRecordSets);
  if (actual !== b.recordsSha256) {
    throw new BackupFileError(
      file,
      'BACKUP_CHECKSUM',
      `its records do not match their checksum (recorded sha256 ${b.recordsSha256.slice(0, 12)}…, computed ${actual.slice(0, 12)}…): the records were edited after the backup was written, or the file is damaged`,
    );
  }
  return { ...b, path: file };
}

/** Reads a backup file and verifies it (schema, checksum); throws BackupFileError when it can't be trusted. */
export async function readBackup(path: string): Promise<LoadedBackup> {
  let text: string;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_BACKUP_BYTES) throw new BackupFileError(path, 'BACKUP_TOO_LARGE', `it is ${size} bytes, more than any zone backup (${MAX_BACKUP_BYTES})`);
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof BackupFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new BackupFileError(path, 'BACKUP_UNREADABLE', `cannot read it (${why})`);
  }
  return parseBackup(text, path);
}

// ---------------------------------------------------------------------------------------------
// Writing a backup

export { listRecordSets };

const ROUTING_WORDS = 'SetIdentifier, Weight, Region, Failover, GeoLocation, GeoProximityLocation, CidrRoutingConfig, MultiValueAnswer, HealthCheckId';

export interface BindHeader {
  zoneId?: string;
  savedAt?: string;
  /** File name of the JSON backup (to restore from). */
  jsonFile?: string;
  /** File name of the ready change batch. */
  batchFile?: string;
}

function routingText(r: ObservedRecord): string {
  return Object.entries(r.extra ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

/** The records as a BIND zone file, for people; alias records and routing-policy records are comments. */
export function toBind(zoneName: string, records: ObservedRecord[], header: BindHeader = {}): string {
  const lines = [
    `; r53migrate backup of zone ${zoneName}${header.zoneId ? ` (${header.zoneId})` : ''}${header.savedAt ? `, saved ${header.savedAt}` : ''}`,
    ';',
    '; THIS FILE IS FOR READING, NOT FOR RESTORING. A BIND zone file cannot carry Route 53 alias',
    `; records or routing-policy fields (${ROUTING_WORDS}):`,
    '; such records appear below only as comments, and loading this file elsewhere would lose them.',
    `; Restore from the JSON backup${header.jsonFile ? ` ${header.jsonFile}` : ''}, which holds every record exactly as Route 53 listed it:`,
    `;   r53migrate restore-zone ${header.jsonFile ?? '<backup>.json'}`,
    ...(header.batchFile ? [`; or, into a zone of the same name: aws route53 change-resource-record-sets --hosted-zone-id <zone id> --change-batch file://${header.batchFile}`] : []),
    ';',
    `$ORIGIN ${zoneName}`,
  ];
  for (const r of records) {
    const routing = r.extra && Object.keys(r.extra).length ? routingText(r) : '';
    if (r.alias) {
      lines.push(`; ALIAS ${r.name} ${r.type} -> ${r.alias.dnsName} (hosted zone ${r.alias.hostedZoneId}, evaluate target health ${r.alias.evaluateTargetHealth})${routing ? ` [${routing}]` : ''}`);
      continue;
    }
    if (routing) {
      lines.push(`; ROUTING POLICY [${routing}]:`);
      for (const v of r.values ?? []) lines.push(`;   ${r.name}\t${r.ttl ?? 300}\tIN\t${r.type}\t${v}`);
      continue;
    }
    for (const v of r.values ?? []) lines.push(`${r.name}\t${r.ttl ?? 300}\tIN\t${r.type}\t${v}`);
  }
  return lines.join('\n') + '\n';
}

const vpcRefs = (vpcs: { VPCId?: string; VPCRegion?: string }[] | undefined): VpcRef[] => (vpcs ?? []).map((v) => ({ vpcId: v.VPCId ?? '', region: v.VPCRegion ?? '' }));

/**
 * Writes the zone's backup (JSON, BIND, restore batch), reads each file back and compares it with
 * the live zone. The fifth argument may still be a bare AbortSignal (then the VPCs at the start are
 * the VPCs associated now and no plan file is recorded).
 */
export async function backupZone(access: AwsAccess, account: string, zoneId: string, dir: string, options?: BackupOptions | AbortSignal): Promise<ZoneBackup> {
  const opts: BackupOptions = options === undefined || options instanceof AbortSignal ? { accountName: account, ...(options ? { signal: options } : {}) } : options;
  if (opts.accountName !== account) {
    throw new TypeError(`backupZone: accountName (${opts.accountName}) must be the plan account the zone is read as (${account})`);
  }
  const signal = opts.signal;
  const zone = await access.read(account, 'route53', new GetHostedZoneCommand({ Id: zoneId }), { signal, target: zoneId });
  const ownerAccountId = await access.accountId(account, signal);
  const zoneName = canonicalRecordName(zone.HostedZone?.Name ?? '');
  const records = await listRecordSets(access, account, zoneId, signal);
  const vpcsAtBackup = vpcRefs(zone.VPCs);
  // Tags go back on a re-created zone; a zone whose tags can't be read is still backed up (its records are what matters).
  let tags: BackupFile['tags'] = null;
  let tagsError: string | undefined;
  try {
    const out = await access.read(account, 'route53', new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId }), { signal, target: zoneId });
    tags = (out.ResourceTagSet?.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
  } catch (e) {
    if (!(e instanceof AwsError) || signal?.aborted) throw e;
    tagsError = e.message;
  }
  const savedAt = new Date().toISOString();
  const backup: BackupFile = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    tool: `r53migrate ${TOOL_VERSION}`,
    about: `Backup of a Route 53 hosted zone. resourceRecordSets are exactly as ListResourceRecordSets returned them; recordsSha256 is the sha256 of resourceRecordSets written as JSON with object keys sorted and no whitespace. Restore with: r53migrate restore-zone <this file>`,
    zoneId,
    zoneName,
    comment: zone.HostedZone?.Config?.Comment ?? '',
    privateZone: zone.HostedZone?.Config?.PrivateZone ?? false,
    ownerAccountId,
    accountName: opts.accountName,
    planFile: opts.planFile ? resolve(opts.planFile) : null,
    vpcsAtStart: (opts.vpcsAtStart ?? vpcsAtBackup).map((v) => ({ vpcId: v.vpcId, region: v.region })),
    vpcsAtBackup,
    tags,
    ...(tagsError ? { tagsError } : {}),
    savedAt,
    recordCount: records.length,
    recordsSha256: recordsSha256(records),
    resourceRecordSets: records,
  };

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stem = join(dir, `${zoneId}.${savedAt.replace(/[:.]/g, '-')}`);
  const json = `${stem}.json`;
  const bind = `${stem}.zone`;
  const restoreBatch = `${stem}.restore-batch.json`;
  const jsonText = JSON.stringify(backup, null, 2) + '\n';
  const batch = restoreChangeBatch(backup);
  const batchText = JSON.stringify(batch, null, 2) + '\n';
  const bindText = toBind(zoneName, records.map(recordFromSdk), { zoneId, savedAt, jsonFile: basename(json), batchFile: basename(restoreBatch) });
  await writeFileAtomic(json, jsonText);
  await writeFileAtomic(bind, bindText);
  await writeFileAtomic(restoreBatch, batchText);

  // Verify: each file reads back as written, the JSON passes our own reader (schema, checksum),
  // and its records equal what AWS holds now.
  const live = canonicalJson(await listRecordSets(access, account, zoneId, signal));
  let saved: LoadedBackup;
  try {
    saved = await readBackup(json);
  } catch (e) {
    throw new BackupVerificationError(zoneId, json, `unreadable: ${(e as Error).message}`);
  }
  if (canonicalJson(saved.resourceRecordSets) !== live) throw new BackupVerificationError(zoneId, json, 'the records differ (did someone change the zone meanwhile?)');
  if ((await readFile(bind, 'utf8')) !== bindText) throw new BackupVerificationError(zoneId, bind, 'the BIND file differs from what was written');
  let savedBatch: unknown;
  try {
    savedBatch = JSON.parse(await readFile(restoreBatch, 'utf8'));
  } catch (e) {
    throw new BackupVerificationError(zoneId, restoreBatch, `unreadable: ${(e as Error).message}`);
  }
  if (canonicalJson(savedBatch) !== canonicalJson(restoreChangeBatch(saved))) {
    throw new BackupVerificationError(zoneId, restoreBatch, 'the restore batch does not hold every record of the backup but the apex SOA and NS');
  }
  return { zoneId, zoneName, json, bind, restoreBatch, records: records.length, recordsSha256: backup.recordsSha256, verifiedAt: new Date().toISOString() };
}
