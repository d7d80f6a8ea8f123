// Putting a zone back from its verified backup (backup.ts): into the zone itself when it still
// exists (refill: create what is missing, touch nothing else), or into a zone made anew when it was
// deleted (recreate: same name, comment and VPCs, then the records).
//
// Both are idempotent, as every actor of the project is: they observe first, send only what is
// missing, and a mutation whose reply was lost is re-observed before it is sent again. A re-created
// zone carries a CallerReference derived from the backup, so a retry after a crash finds the zone it
// made before instead of making a second one. Every wait has a budget and ends in a clear error.
import { DescribeVpcEndpointServicesCommand, DescribeVpcEndpointsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  CreateVPCAssociationAuthorizationCommand,
  DeleteVPCAssociationAuthorizationCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesByVPCCommand,
  ListTagsForResourceCommand,
  ListVPCAssociationAuthorizationsCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { createHash } from 'node:crypto';
import { operationName, type AwsAccess } from './access.js';
import { canonicalJson, canonicalRecordName, isApexSoaOrNs, listRecordSets, type BackupFile } from './backup.js';
import { monotonicClock, realSleep, type Clock, type Sleep } from './budget.js';
import { AlreadyExistsError, ConflictError, InvalidInputError, NotFoundError } from './errors.js';
import { changeStatus } from './execute.js';
import { allPages } from './observe.js';
import type { VpcRef } from './world.js';

/** A mutating call, as sent (or, in a dry run, as it would be sent). */
export interface RestoreCall {
  /** Plan account the call is made as. */
  account: string;
  operation: string;
  params: Record<string, unknown>;
}

export interface WaitOptions {
  /** Budget of each wait (INSYNC, an association to show). Default 5 minutes. */
  maxWaitMs?: number;
  pollIntervalMs?: number;
  clock?: Clock;
  sleep?: Sleep;
}

export interface RefillOptions extends WaitOptions {
  signal?: AbortSignal;
  /** Observe and compute, but send nothing: the result's `calls` are what would be sent. */
  dryRun?: boolean;
  /** Wait until the change is INSYNC (default true). */
  wait?: boolean;
}

export interface RecordRef {
  /** Canonical: lower-case, absolute, `*` for a wildcard. */
  name: string;
  type: string;
  setIdentifier?: string;
}

export interface RecordConflict extends RecordRef {
  /** What differs, e.g. `TTL: zone 60, backup 300`. */
  differences: string[];
}

export interface RefillResult {
  zoneId: string;
  /** 'refilled': records were created; 'nothing-to-do': every record was there already. */
  status: 'refilled' | 'nothing-to-do' | 'dry-run';
  created: RecordRef[];
  alreadyThere: RecordRef[];
  /** The Route 53 change of the (last) batch sent. */
  changeId?: string;
  /** Every change sent (a zone of more than 500 record sets takes several batches). */
  changeIds: string[];
  calls: RestoreCall[];
}

export interface RecreateOptions extends RefillOptions {
  /** VPCs to associate the zone with (default: the backup's vpcsAtStart), in order of preference for the first. */
  vpcs?: VpcRef[];
}

export interface SkippedVpc extends VpcRef {
  reason: string;
}

export interface RecreateResult {
  /** The new zone's id (`(new zone)` in a dry run without an earlier zone). */
  zoneId: string;
  /** The id in the backup (the deleted zone). */
  previousZoneId: string;
  /** false: an earlier, interrupted restore had created it, and it was found by its CallerReference. */
  createdZone: boolean;
  /** The VPC the zone was created with. */
  createdWith?: VpcRef;
  associated: VpcRef[];
  alreadyAssociated: VpcRef[];
  /** VPCs AWS refused (ConflictingDomainExists): they keep resolving through what they have. */
  skipped: SkippedVpc[];
  records: RefillResult;
  /** Tag keys put back on the zone (the backup's, but for r53migrate's own run marks). */
  tagsRestored: string[];
  changeIds: string[];
  calls: RestoreCall[];
}

/** Tags r53migrate itself puts on zones (a run's estate mark): they belonged to that run, not to the zone. */
export const OWN_TAG_PREFIX = 'r53migrate:';

/** The live zone holds records the backup holds differently: nothing was changed. Exit 2. */
export class RestoreConflictError extends Error {
  readonly code = 'RESTORE_CONFLICT';
  readonly exitCode = 2;
  constructor(
    readonly zoneId: string,
    readonly conflicts: RecordConflict[],
  ) {
    super(
      `zone ${zoneId} already holds ${conflicts.length} record set(s) that differ from the backup, so nothing was changed:\n${conflicts
        .map((c) => `  ${label(c)}: ${c.differences.join('; ')}`)
        .join('\n')}\nDecide which is right: delete or fix those records in the zone and run again to put the backup's back, or keep the zone as it is.`,
    );
    this.name = 'RestoreConflictError';
  }
}

export type RestoreRefusalCode =
  | 'RESTORE_WRONG_ZONE'
  | 'RESTORE_WRONG_ACCOUNT'
  | 'RESTORE_PUBLIC_ZONE'
  | 'RESTORE_NO_VPC'
  | 'RESTORE_VPC_OWNER_UNKNOWN'
  | 'RESTORE_NO_CREATION_VPC';

/** A restore that can't be done as asked, found before anything changed. Exit 2. */
export class RestoreRefusedError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly code: RestoreRefusalCode,
    message: string,
  ) {
    super(`${message} (nothing was changed)`);
    this.name = 'RestoreRefusedError';
  }
}

/** A wait ran out of budget; what was sent stays sent, and a re-run carries on from there. Exit 1. */
export class RestoreWaitTimeoutError extends Error {
  readonly code = 'RESTORE_WAIT_TIMEOUT';
  readonly exitCode = 1;
  constructor(what: string, waitedMs: number, seen: string) {
    super(`waited ${Math.round(waitedMs / 1000)} s for ${what}, and the budget ran out (last seen: ${seen}); what was sent stays sent — run the same restore again to check and carry on (nothing is done twice)`);
    this.name = 'RestoreWaitTimeoutError';
  }
}

const label = (r: RecordRef) => `${r.name} ${r.type}${r.setIdentifier !== undefined ? ` (SetIdentifier ${r.setIdentifier})` : ''}`;

// ---------------------------------------------------------------------------------------------
// Records: identity and comparison

const refOf = (r: ResourceRecordSet): RecordRef => ({
  name: canonicalRecordName(r.Name ?? ''),
  type: r.Type ?? '',
  ...(r.SetIdentifier !== undefined ? { setIdentifier: r.SetIdentifier } : {}),
});

/** A record set's identity in Route 53: name, type, SetIdentifier. */
const keyOf = (r: ResourceRecordSet) => {
  const ref = refOf(r);
  return `${ref.name}|${ref.type}|${ref.setIdentifier ?? ''}`;
};

const IDENTITY = new Set(['Name', 'Type', 'SetIdentifier', 'TTL', 'ResourceRecords', 'AliasTarget']);
const bareZone = (id: string | undefined) => (id ?? '').replace(/^\/?hostedzone\//, '');

/** What differs between the live record and the backup's (empty: the same record). */
export function recordDifferences(live: ResourceRecordSet, backup: ResourceRecordSet): string[] {
  const out: string[] = [];
  if ((live.TTL ?? null) !== (backup.TTL ?? null)) out.push(`TTL: zone ${live.TTL ?? 'none'}, backup ${backup.TTL ?? 'none'}`);
  const values = (r: ResourceRecordSet) => (r.ResourceRecords ?? []).map((v) => v.Value ?? '').sort();
  if (canonicalJson(values(live)) !== canonicalJson(values(backup))) out.push(`values: zone ${JSON.stringify(values(live))}, backup ${JSON.stringify(values(backup))}`);
  const alias = (r: ResourceRecordSet) =>
    r.AliasTarget
      ? `${bareZone(r.AliasTarget.HostedZoneId)} ${canonicalRecordName(r.AliasTarget.DNSName ?? '')} evaluate-target-health=${r.AliasTarget.EvaluateTargetHealth ?? false}`
      : 'none';
  if (alias(live) !== alias(backup)) out.push(`alias: zone ${alias(live)}, backup ${alias(backup)}`);
  const keys = new Set([...Object.keys(live), ...Object.keys(backup)].filter((k) => !IDENTITY.has(k)));
  for (const k of [...keys].sort()) {
    const a = (live as unknown as Record<string, unknown>)[k];
    const b = (backup as unknown as Record<string, unknown>)[k];
    if (canonicalJson(a ?? null) !== canonicalJson(b ?? null)) out.push(`${k}: zone ${canonicalJson(a ?? null)}, backup ${canonicalJson(b ?? null)}`);
  }
  return out;
}

/** The backup's records as they belong in zone `zoneId`: aliases to the old zone's own names point at the new one. */
function recordsFor(backup: BackupFile, zoneId: string): ResourceRecordSet[] {
  return backup.resourceRecordSets
    .filter((r) => !isApexSoaOrNs(backup.zoneName, r))
    .map((r) =>
      r.AliasTarget && bareZone(r.AliasTarget.HostedZoneId) === backup.zoneId && zoneId !== backup.zoneId ? { ...r, AliasTarget: { ...r.AliasTarget, HostedZoneId: zoneId } } : r,
    );
}

/** Batches Route 53 takes: at most 1,000 ResourceRecord elements and 32,000 characters of values each (with room to spare). */
function batches(records: ResourceRecordSet[]): ResourceRecordSet[][] {
  const out: ResourceRecordSet[][] = [];
  let cur: ResourceRecordSet[] = [];
  let chars = 0;
  let elements = 0;
  for (const r of records) {
    const c = (r.ResourceRecords ?? []).reduce((n, v) => n + (v.Value ?? '').length, 0) + (r.AliasTarget?.DNSName?.length ?? 0);
    const e = Math.max(1, r.ResourceRecords?.length ?? 1);
    if (cur.length && (cur.length >= 500 || chars + c > 30_000 || elements + e > 900)) {
      out.push(cur);
      cur = [];
      chars = 0;
      elements = 0;
    }
    cur.push(r);
    chars += c;
    elements += e;
  }
  if (cur.length) out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------------------------
// One session: the calls made, dry run or not, and the budgeted waits

interface PendingChange {
  id: string;
  account: string;
  what: string;
  /** When GetChange can't be read by that account (cross-account): is the effect observed? */
  observed?: () => Promise<boolean>;
}

class Session {
  readonly calls: RestoreCall[] = [];
  readonly maxWaitMs: number;
  readonly pollIntervalMs: number;
  private clock: Clock;
  private sleep: Sleep;

  constructor(
    readonly access: AwsAccess,
    readonly opts: RefillOptions,
  ) {
    this.maxWaitMs = opts.maxWaitMs ?? 300_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 2000;
    this.clock = opts.clock ?? monotonicClock;
    this.sleep = opts.sleep ?? realSleep;
  }

  get signal() {
    return this.opts.signal;
  }

  get dryRun() {
    return this.opts.dryRun === true;
  }

  read<C extends object>(account: string, service: 'route53' | 'ec2', command: C, target?: string) {
    return this.access.read(account, service, command, { signal: this.signal, ...(target ? { target } : {}) });
  }

  /**
   * Sends a Route 53 mutation (or records it, in a dry run). Returns its output, or undefined when
   * it was found already done after a failed attempt. A zone still applying a previous change
   * (PriorRequestNotComplete) is waited for within the budget.
   */
  async mutate<C extends { input: object }>(account: string, command: C, target: string, verify?: () => Promise<boolean>) {
    this.calls.push({ account, operation: operationName(command), params: command.input as Record<string, unknown> });
    if (this.dryRun) return undefined;
    const deadline = this.clock.now() + this.maxWaitMs;
    for (;;) {
      try {
        const r = await this.access.mutate(account, 'route53', command, { signal: this.signal, target, ...(verify ? { verify } : {}) });
        return r.status === 'applied' ? r.output : undefined;
      } catch (e) {
        if (!(e instanceof ConflictError && e.awsCode === 'PriorRequestNotComplete')) throw e;
        if (verify && (await verify())) return undefined;
        if (this.clock.now() >= deadline) throw new RestoreWaitTimeoutError(`zone ${target} to finish a previous change (PriorRequestNotComplete)`, this.maxWaitMs, 'still busy');
        await this.sleep(this.pollIntervalMs, this.signal);
      }
    }
  }

  /** One budgeted poller: checks until done, sleeping between looks, and fails with what it last saw. */
  async waitFor(what: string, check: () => Promise<{ done: boolean; seen: string }>): Promise<void> {
    if (this.dryRun) return;
    const deadline = this.clock.now() + this.maxWaitMs;
    for (;;) {
      const r = await check();
      if (r.done) return;
      const now = this.clock.now();
      if (now >= deadline) throw new RestoreWaitTimeoutError(what, this.maxWaitMs, r.seen);
      await this.sleep(Math.min(this.pollIntervalMs, deadline - now), this.signal);
    }
  }

  /** Waits until every change is INSYNC (or, unreadable from its account, its effect is observed). */
  async waitInsync(changes: PendingChange[]): Promise<void> {
    const pending = new Map(changes.map((c) => [c.id, c]));
    await this.waitFor(`Route 53 change(s) ${changes.map((c) => `${c.id} (${c.what})`).join(', ')} to be INSYNC`, async () => {
      for (const [id, c] of pending) {
        const status = await changeStatus(this.access, c.account, id, this.signal);
        if (status === 'INSYNC' || (status === 'unobservable' && (!c.observed || (await c.observed())))) pending.delete(id);
      }
      return { done: pending.size === 0, seen: [...pending.values()].map((c) => `${c.id} PENDING`).join(', ') };
    });
  }
}

const changeIdOf = (out: { ChangeInfo?: { Id?: string } } | undefined) => out?.ChangeInfo?.Id?.replace(/^\/change\//, '');

// ---------------------------------------------------------------------------------------------
// Refill

interface RefillPlan {
  missing: ResourceRecordSet[];
  alreadyThere: ResourceRecordSet[];
  conflicts: RecordConflict[];
}

function compare(wanted: ResourceRecordSet[], live: ResourceRecordSet[]): RefillPlan {
  const byKey = new Map(live.map((r) => [keyOf(r), r]));
  const plan: RefillPlan = { missing: [], alreadyThere: [], conflicts: [] };
  for (const r of wanted) {
    const there = byKey.get(keyOf(r));
    if (!there) plan.missing.push(r);
    else {
      const differences = recordDifferences(there, r);
      if (differences.length) plan.conflicts.push({ ...refOf(r), differences });
      else plan.alreadyThere.push(r);
    }
  }
  return plan;
}

async function refillInto(s: Session, account: string, zoneId: string, backup: BackupFile, liveKnownEmpty: boolean): Promise<RefillResult> {
  const wanted = recordsFor(backup, zoneId);
  const live = liveKnownEmpty ? [] : await listRecordSets(s.access, account, zoneId, s.signal);
  const plan = compare(wanted, live);
  if (plan.conflicts.length) throw new RestoreConflictError(zoneId, plan.conflicts);
  const result: RefillResult = {
    zoneId,
    status: s.dryRun ? 'dry-run' : plan.missing.length ? 'refilled' : 'nothing-to-do',
    created: plan.missing.map(refOf),
    alreadyThere: plan.alreadyThere.map(refOf),
    changeIds: [],
    calls: [],
  };
  if (!plan.missing.length) return result;
  // Aliases to names of this same zone go last, after what they point at.
  const inZone = (r: ResourceRecordSet) => r.AliasTarget !== undefined && bareZone(r.AliasTarget.HostedZoneId) === zoneId;
  const ordered = [...plan.missing.filter((r) => !inZone(r)), ...plan.missing.filter(inZone)];
  const allThere = async (records: ResourceRecordSet[]) => {
    const now = compare(records, await listRecordSets(s.access, account, zoneId, s.signal));
    return now.missing.length === 0 && now.conflicts.length === 0;
  };
  const first = s.calls.length;
  const list = batches(ordered);
  for (const [i, batch] of list.entries()) {
    const command = new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Comment: `r53migrate restore-zone: ${backup.zoneName} from its backup of ${backup.savedAt}${list.length > 1 ? ` (${i + 1}/${list.length})` : ''}`,
        Changes: batch.map((r) => ({ Action: 'CREATE', ResourceRecordSet: r })),
      },
    });
    let out;
    try {
      out = await s.mutate(account, command, zoneId, () => allThere(batch));
    } catch (e) {
      // "already exists": someone (or our own lost attempt) got there first. Done if it is ours to a
      // value; a record written differently meanwhile is a conflict, reported as such.
      if (!(e instanceof InvalidInputError)) throw e;
      const now = compare(batch, await listRecordSets(s.access, account, zoneId, s.signal));
      if (now.conflicts.length) throw new RestoreConflictError(zoneId, now.conflicts);
      if (now.missing.length) throw e;
      out = undefined;
    }
    const id = changeIdOf(out);
    if (id) result.changeIds.push(id);
  }
  result.calls = s.calls.slice(first);
  if (result.changeIds.length) result.changeId = result.changeIds[result.changeIds.length - 1];
  if (s.opts.wait !== false) await s.waitInsync(result.changeIds.map((id) => ({ id, account, what: `records of zone ${zoneId}` })));
  return result;
}

/**
 * Creates in the live zone every record set of the backup that is missing from it (by name, type
 * and SetIdentifier), leaving the apex SOA and NS and every record already there alone. A record
 * present with other values is a conflict: nothing is sent (RestoreConflictError, naming each).
 * Run again, it finds everything there and sends nothing.
 */
export async function refillZone(access: AwsAccess, account: string, zoneId: string, backup: BackupFile, opts: RefillOptions = {}): Promise<RefillResult> {
  const s = new Session(access, opts);
  const zone = await s.read(account, 'route53', new GetHostedZoneCommand({ Id: zoneId }), zoneId);
  const name = canonicalRecordName(zone.HostedZone?.Name ?? '');
  if (name !== backup.zoneName) {
    throw new RestoreRefusedError('RESTORE_WRONG_ZONE', `zone ${zoneId} is named ${name}, but the backup is of ${backup.zoneName} (${backup.zoneId})`);
  }
  return refillInto(s, account, zoneId, backup, false);
}

// ---------------------------------------------------------------------------------------------
// Recreate

/** All restores of one backup share this prefix; a numbered suffix makes each CreateHostedZone unique. */
export function callerReferencePrefix(backup: Pick<BackupFile, 'zoneId' | 'zoneName' | 'savedAt' | 'recordsSha256'>): string {
  const digest = createHash('sha256').update(`${backup.zoneId}|${backup.zoneName}|${backup.savedAt}|${backup.recordsSha256}`).digest('hex');
  return `r53migrate-restore-${digest.slice(0, 24)}-`;
}

/** The zone an earlier restore of this backup created (found by name and CallerReference), if it is still there. */
export async function findRestoredZone(access: AwsAccess, account: string, backup: BackupFile, signal?: AbortSignal): Promise<string | undefined> {
  const prefix = callerReferencePrefix(backup);
  let marker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await access.read(
      account,
      'route53',
      new ListHostedZonesByNameCommand({ DNSName: backup.zoneName, ...(marker ? { HostedZoneId: marker } : {}), MaxItems: 100 }),
      { signal, target: backup.zoneName },
    );
    for (const z of out.HostedZones ?? []) {
      if (canonicalRecordName(z.Name ?? '') !== backup.zoneName) return undefined;
      if (z.CallerReference?.startsWith(prefix)) return bareZone(z.Id);
    }
    if (!out.IsTruncated || canonicalRecordName(out.NextDNSName ?? '') !== backup.zoneName || !out.NextHostedZoneId) return undefined;
    marker = out.NextHostedZoneId;
  }
  return undefined;
}

export interface VpcOwner {
  /** Plan account that owns the VPC. */
  account: string;
  accountId: string;
}

/** Which plan account owns each VPC (DescribeVpcs in every plan account, in the plan's region). */
export async function findVpcOwners(access: AwsAccess, vpcIds: string[], signal?: AbortSignal): Promise<Map<string, VpcOwner>> {
  const owners = new Map<string, VpcOwner>();
  for (const account of access.accountNames()) {
    const rest = vpcIds.filter((v) => !owners.has(v));
    if (!rest.length) break;
    const accountId = await access.accountId(account, signal);
    for (let i = 0; i < rest.length; i += 200) {
      const chunk = rest.slice(i, i + 200);
      const found = await allPages(async (token) => {
        const out = await access.read(account, 'ec2', new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: chunk }], NextToken: token, MaxResults: 1000 }), { signal });
        return { items: out.Vpcs, next: out.NextToken };
      });
      for (const v of found) if (v.VpcId && v.OwnerId === accountId && !owners.has(v.VpcId)) owners.set(v.VpcId, { account, accountId });
    }
  }
  return owners;
}

const NEW_ZONE = '(new zone)';

/**
 * VPCs that AWS would refuse the zone in (ConflictingDomainExists), seen before anything is sent:
 * another zone of the same name directly associated with it, or an endpoint in it whose Private
 * DNS serves the name. Asked as each VPC's owner (ListHostedZonesByVPC, DescribeVpcEndpoints).
 */
export async function predictConflicts(
  access: AwsAccess,
  zoneName: string,
  vpcs: VpcRef[],
  owners: Map<string, VpcOwner>,
  ourZoneId: string | undefined,
  signal?: AbortSignal,
): Promise<SkippedVpc[]> {
  const out: SkippedVpc[] = [];
  const byAccount = new Map<string, VpcRef[]>();
  for (const v of vpcs) {
    const a = owners.get(v.vpcId)!.account;
    byAccount.set(a, [...(byAccount.get(a) ?? []), v]);
  }
  for (const [account, mine] of byAccount) {
    for (const v of mine) {
      const zones = await allPages(async (token) => {
        const r = await access.read(account, 'route53', new ListHostedZonesByVPCCommand({ VPCId: v.vpcId, VPCRegion: v.region as never, NextToken: token }), { signal, target: v.vpcId });
        return { items: r.HostedZoneSummaries, next: r.NextToken };
      });
      const other = zones.find((z) => canonicalRecordName(z.Name ?? '') === zoneName && z.HostedZoneId !== ourZoneId);
      if (other) {
        out.push({ ...v, reason: `zone ${other.HostedZoneId} of the same name is already associated with it, and AWS refuses a second (ConflictingDomainExists); that VPC keeps resolving the name from that zone` });
      }
    }
    const endpoints = await allPages(async (token) => {
      const r = await access.read(account, 'ec2', new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: mine.map((v) => v.vpcId) }], NextToken: token, MaxResults: 1000 }), { signal });
      return { items: r.VpcEndpoints, next: r.NextToken };
    });
    const privateDns = endpoints.filter((e) => e.PrivateDnsEnabled && e.ServiceName && e.VpcEndpointType === 'Interface');
    if (!privateDns.length) continue;
    const services = await allPages(async (token) => {
      const r = await access.read(account, 'ec2', new DescribeVpcEndpointServicesCommand({ ServiceNames: [...new Set(privateDns.map((e) => e.ServiceName!))], NextToken: token }), { signal });
      return { items: r.ServiceDetails, next: r.NextToken };
    });
    const serves = (serviceName: string) =>
      services
        .filter((d) => d.ServiceName === serviceName)
        .flatMap((d) => [...(d.PrivateDnsNames ?? []).map((n) => n.PrivateDnsName ?? ''), d.PrivateDnsName ?? ''])
        .some((n) => n && canonicalRecordName(n.replace(/^\*\./, '')) === zoneName);
    for (const e of privateDns) {
      const v = mine.find((x) => x.vpcId === e.VpcId);
      if (!v || out.some((x) => x.vpcId === v.vpcId) || !serves(e.ServiceName!)) continue;
      out.push({ ...v, reason: `its endpoint ${e.VpcEndpointId} serves ${zoneName} with Private DNS, and AWS refuses a private zone of that name there (ConflictingDomainExists); that VPC keeps resolving the name through its endpoint` });
    }
  }
  return out;
}

/**
 * Re-creates a deleted private zone from its backup: CreateHostedZone (same name and comment, with
 * the first VPC its owner account holds), the records, then every other VPC (another account's VPC:
 * the zone's owner authorizes, the VPC's owner associates, the authorization is deleted). Records
 * go in before the other VPCs, so a VPC that already resolves the names (through its Profile or an
 * endpoint) never sees the zone empty; only the VPC it is created with does, until its records are
 * INSYNC. A VPC that AWS refuses with ConflictingDomainExists (an endpoint in it serves the name
 * with Private DNS, or another zone of that name is on it) is skipped and reported.
 */
export async function recreateZone(access: AwsAccess, account: string, backup: BackupFile, opts: RecreateOptions = {}): Promise<RecreateResult> {
  const s = new Session(access, opts);
  if (!backup.privateZone) {
    throw new RestoreRefusedError('RESTORE_PUBLIC_ZONE', `${backup.zoneName} (${backup.zoneId}) was a public zone; restore-zone re-creates private zones only (a new public zone gets new name servers, and its delegation must change too)`);
  }
  const accountId = await access.accountId(account, s.signal);
  if (accountId !== backup.ownerAccountId) {
    throw new RestoreRefusedError('RESTORE_WRONG_ACCOUNT', `the zone belonged to AWS account ${backup.ownerAccountId}, but plan account ${account} is ${accountId}: give the plan whose account ${account} reaches ${backup.ownerAccountId}`);
  }
  const seen = new Set<string>();
  const vpcs = (opts.vpcs ?? backup.vpcsAtStart).filter((v) => !seen.has(v.vpcId) && seen.add(v.vpcId));
  if (!vpcs.length) throw new RestoreRefusedError('RESTORE_NO_VPC', `no VPC to associate ${backup.zoneName} with: a private zone needs at least one (give --vpc)`);
  const owners = await findVpcOwners(access, vpcs.map((v) => v.vpcId), s.signal);
  const unknown = vpcs.filter((v) => !owners.has(v.vpcId));
  if (unknown.length) {
    throw new RestoreRefusedError(
      'RESTORE_VPC_OWNER_UNKNOWN',
      `no account of the plan owns ${unknown.map((v) => `${v.vpcId} (${v.region})`).join(', ')} in the plan's region: add the owning account to the plan, or leave the VPC out (list the others with --vpc)`,
    );
  }
  const ownerOf = (v: VpcRef) => owners.get(v.vpcId)!;
  const result: RecreateResult = {
    zoneId: NEW_ZONE,
    previousZoneId: backup.zoneId,
    createdZone: false,
    associated: [],
    alreadyAssociated: [],
    skipped: [],
    records: { zoneId: NEW_ZONE, status: 'dry-run', created: [], alreadyThere: [], changeIds: [], calls: [] },
    tagsRestored: [],
    changeIds: [],
    calls: s.calls,
  };

  // 1. The zone: the one an earlier attempt made, or a new one with the first VPC its owner holds
  //    that AWS would not refuse it in.
  let zoneId = await findRestoredZone(access, account, backup, s.signal);
  const fresh = zoneId === undefined;
  result.skipped.push(...(await predictConflicts(access, backup.zoneName, vpcs, owners, zoneId, s.signal)));
  const refused = (v: VpcRef) => result.skipped.some((x) => x.vpcId === v.vpcId);
  if (zoneId === undefined) {
    const candidates = vpcs.filter((v) => ownerOf(v).accountId === backup.ownerAccountId && !refused(v));
    if (!candidates.length && result.skipped.length) {
      throw new RestoreRefusedError(
        'RESTORE_NO_CREATION_VPC',
        `${backup.zoneName} can't be created with any VPC of its account ${backup.ownerAccountId} (plan account ${account}) among ${vpcs.map((v) => v.vpcId).join(', ')}: ${result.skipped.map((v) => `${v.vpcId}: ${v.reason}`).join('; ')}. A private zone is created with a VPC of its own account: add another one with --vpc (listed first)`,
      );
    }
    if (!candidates.length) {
      throw new RestoreRefusedError(
        'RESTORE_NO_CREATION_VPC',
        `a private zone is created with a VPC of its own account (${backup.ownerAccountId}, plan account ${account}), and none of ${vpcs.map((v) => v.vpcId).join(', ')} is one: add one with --vpc (listed first)`,
      );
    }
    const created = await createZone(s, account, backup, candidates, result);
    zoneId = created.zoneId;
    result.createdZone = created.created;
    if (created.vpc) result.createdWith = created.vpc;
    if (created.changeId) result.changeIds.push(created.changeId);
  }
  result.zoneId = zoneId;
  result.tagsRestored = await restoreTags(s, account, zoneId, backup, s.dryRun && fresh);

  // 2. The records, INSYNC before any other VPC sees the zone.
  const records = await refillInto(s, account, zoneId, backup, s.dryRun && fresh);
  result.records = records;
  result.changeIds.push(...records.changeIds);

  // 3. The other VPCs.
  const zone = s.dryRun && fresh ? undefined : await s.read(account, 'route53', new GetHostedZoneCommand({ Id: zoneId }), zoneId);
  const associatedNow = new Set(zone ? (zone.VPCs ?? []).map((v) => v.VPCId) : result.createdWith ? [result.createdWith.vpcId] : []);
  const authorizations = async () =>
    s.dryRun && fresh
      ? []
      : (
          await allPages(async (token) => {
            const out = await s.read(account, 'route53', new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: zoneId, NextToken: token }), zoneId);
            return { items: out.VPCs, next: out.NextToken };
          })
        ).map((v) => v.VPCId);
  const authorized = new Set(await authorizations());
  const zoneVpcs = async () => ((await s.read(account, 'route53', new GetHostedZoneCommand({ Id: zoneId }), zoneId)).VPCs ?? []).map((v) => v.VPCId);
  const pending: PendingChange[] = [];
  for (const v of vpcs) {
    if (refused(v)) continue;
    const owner = ownerOf(v);
    const crossAccount = owner.accountId !== backup.ownerAccountId;
    const VPC = { VPCId: v.vpcId, VPCRegion: v.region as never };
    const target = `${zoneId} / ${v.vpcId}`;
    if (associatedNow.has(v.vpcId)) {
      if (result.createdZone && result.createdWith?.vpcId === v.vpcId) result.associated.push(v);
      else result.alreadyAssociated.push(v);
      if (authorized.has(v.vpcId)) await deauthorize(s, account, zoneId, VPC, target);
      continue;
    }
    if (crossAccount && !authorized.has(v.vpcId)) {
      await s.mutate(account, new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC }), target, async () => (await authorizations()).includes(v.vpcId) || (await zoneVpcs()).includes(v.vpcId));
    }
    const by = crossAccount ? owner.account : account;
    // The VPC's owner may not read another account's zone, but can list its VPC's zones.
    const isAssociated = async () =>
      ((await s.read(by, 'route53', new ListHostedZonesByVPCCommand({ VPCId: v.vpcId, VPCRegion: v.region as never }), v.vpcId)).HostedZoneSummaries ?? []).some((z) => z.HostedZoneId === zoneId);
    try {
      const out = await s.mutate(by, new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC, Comment: `r53migrate restore-zone from the backup of ${backup.zoneId}` }), target, isAssociated);
      const id = changeIdOf(out);
      if (id) pending.push({ id, account: by, what: `association of ${v.vpcId}`, observed: isAssociated });
      result.associated.push(v);
    } catch (e) {
      if (e instanceof ConflictError && e.awsCode === 'ConflictingDomainExists') {
        if (await isAssociated()) result.alreadyAssociated.push(v);
        else result.skipped.push({ ...v, reason: conflictReason(e) });
      } else if (e instanceof AlreadyExistsError && (await isAssociated())) {
        result.alreadyAssociated.push(v);
      } else {
        throw e;
      }
    }
    if (crossAccount) await deauthorize(s, account, zoneId, VPC, target);
  }
  result.changeIds.push(...pending.map((p) => p.id));
  if (s.opts.wait !== false) await s.waitInsync(pending);
  return result;
}

/** Puts the backup's tags back (but r53migrate's own run marks), only those missing or different. */
async function restoreTags(s: Session, account: string, zoneId: string, backup: BackupFile, knownUntagged: boolean): Promise<string[]> {
  const wanted = (backup.tags ?? []).filter((t) => !t.Key.startsWith(OWN_TAG_PREFIX));
  if (!wanted.length) return [];
  const read = async () =>
    new Map(
      ((await s.read(account, 'route53', new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId }), zoneId)).ResourceTagSet?.Tags ?? []).map((t) => [t.Key, t.Value ?? '']),
    );
  const live = knownUntagged ? new Map<string | undefined, string>() : await read();
  const missing = wanted.filter((t) => live.get(t.Key) !== t.Value);
  // ChangeTagsForResource takes 10 tags a request.
  for (let i = 0; i < missing.length; i += 10) {
    const batch = missing.slice(i, i + 10);
    await s.mutate(account, new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId, AddTags: batch }), zoneId, async () => {
      const now = await read();
      return batch.every((t) => now.get(t.Key) === t.Value);
    });
  }
  return missing.map((t) => t.Key);
}

function conflictReason(e: Error): string {
  return `AWS refused it with ConflictingDomainExists: a private zone of this name, or an endpoint's Private DNS for it, is already on that VPC, which keeps resolving the name through it (${e.message.replace(/^.*AWS said: /, '')})`;
}

async function deauthorize(s: Session, account: string, zoneId: string, VPC: { VPCId: string; VPCRegion: never }, target: string): Promise<void> {
  const gone = async () =>
    !(
      await allPages(async (token) => {
        const out = await s.read(account, 'route53', new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: zoneId, NextToken: token }), zoneId);
        return { items: out.VPCs, next: out.NextToken };
      })
    ).some((v) => v.VPCId === VPC.VPCId);
  try {
    await s.mutate(account, new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC }), target, gone);
  } catch (e) {
    if (!(e instanceof NotFoundError && (await gone()))) throw e;
  }
}

async function createZone(
  s: Session,
  account: string,
  backup: BackupFile,
  candidates: VpcRef[],
  result: RecreateResult,
): Promise<{ zoneId: string; created: boolean; vpc?: VpcRef; changeId?: string }> {
  const prefix = callerReferencePrefix(backup);
  for (const vpc of candidates) {
    // A CallerReference can't be used twice: if one of ours belongs to a zone deleted since, the next number.
    for (let n = 1; n <= 20; n++) {
      const command = new CreateHostedZoneCommand({
        Name: backup.zoneName,
        CallerReference: `${prefix}${n}`,
        HostedZoneConfig: { Comment: backup.comment || undefined, PrivateZone: true },
        VPC: { VPCId: vpc.vpcId, VPCRegion: vpc.region as never },
      });
      try {
        const out = await s.mutate(account, command, backup.zoneName, async () => (await findRestoredZone(s.access, account, backup, s.signal)) !== undefined);
        if (s.dryRun) return { zoneId: NEW_ZONE, created: true, vpc };
        const id = out?.HostedZone?.Id ? bareZone(out.HostedZone.Id) : await findRestoredZone(s.access, account, backup, s.signal);
        if (!id) throw new Error(`CreateHostedZone of ${backup.zoneName} answered without a zone id, and no zone with CallerReference ${prefix}${n} is listed`);
        const changeId = changeIdOf(out);
        return { zoneId: id, created: out !== undefined, vpc, ...(changeId ? { changeId } : {}) };
      } catch (e) {
        if (e instanceof AlreadyExistsError) {
          const again = await findRestoredZone(s.access, account, backup, s.signal);
          if (again) return { zoneId: again, created: false };
          continue;
        }
        if (e instanceof ConflictError && e.awsCode === 'ConflictingDomainExists') {
          result.skipped.push({ ...vpc, reason: conflictReason(e) });
          break;
        }
        throw e;
      }
    }
  }
  throw new RestoreRefusedError(
    'RESTORE_NO_CREATION_VPC',
    `${backup.zoneName} could not be created with any VPC of its account ${backup.ownerAccountId}: ${result.skipped.map((v) => `${v.vpcId}: ${v.reason}`).join('; ')}. Give another VPC of that account with --vpc (listed first)`,
  );
}

export interface CreatedZone {
  zoneId: string;
  /** false: an earlier attempt (killed, or its reply lost) had made it; found by its CallerReference. */
  created: boolean;
  changeId?: string;
  requestId?: string;
}

/**
 * A rollback's first move for a deleted zone: the zone made anew with one VPC of its own account
 * (the parking VPC, or the keeper) and its tags, but no records yet — the caller fills it and waits
 * for INSYNC before any other VPC is associated. Found again by CallerReference when an earlier
 * attempt made it, so a re-run never makes a second zone.
 */
export async function createZoneFromBackup(access: AwsAccess, account: string, backup: BackupFile, vpc: VpcRef, opts: { signal?: AbortSignal } = {}): Promise<CreatedZone> {
  const s = new Session(access, { ...(opts.signal ? { signal: opts.signal } : {}) });
  const earlier = await findRestoredZone(access, account, backup, opts.signal);
  if (earlier) {
    await restoreTags(s, account, earlier, backup, false);
    return { zoneId: earlier, created: false };
  }
  const result = { skipped: [] as SkippedVpc[] } as RecreateResult;
  const made = await createZone(s, account, backup, [vpc], result);
  await restoreTags(s, account, made.zoneId, backup, made.created);
  return { zoneId: made.zoneId, created: made.created, ...(made.changeId ? { changeId: made.changeId } : {}) };
}
