// The resolution model: from an observed World, what every VPC that depends on the migration (in
// the plan or not) resolves each migrated name to, and through what — by the rules Route 53
// Resolver follows (src/aws/resolver-rules.ts; the twin's resolvers answer by the same rules).
// The engine asks it before every change: a batch that would leave a VPC which has its answer now
// without it (or with another one) is not sent. DNS probes then confirm what it predicted. Pure.
import { canonicalName, chooseZone, inZone, profileResourceApplies, recordsAt, zoneNameOfDnsName, type ZoneOrigin } from '../aws/resolver-rules.js';
import { hostedZoneArn, type ObservedEndpoint, type ObservedRecord, type ObservedVpc, type World } from '../aws/world.js';
import type { Plan } from '../plan/schema.js';
import { planVpcs } from '../plan/schema.js';
import type { StepContext, Via } from './types.js';

/** What a query for the name gets. */
export type Answer =
  /** The private addresses of this endpoint (from its own zone, or a zone's alias to it). */
  | { kind: 'endpoint'; endpointId: string }
  /** A private answer that is not one of the plan's endpoints (static records, an alias elsewhere). */
  | { kind: 'other'; detail: string }
  /** A private zone matches but holds no record for the name: NXDOMAIN (or NODATA). */
  | { kind: 'no-answer' }
  /** No private zone matches: public DNS answers (the public service addresses). */
  | { kind: 'public' };

export interface Resolution {
  via: Via;
  zoneId?: string;
  /** The endpoint whose Private DNS zone answered (endpoint-own-vpc, endpoint-via-profile). */
  endpointId?: string;
  answer: Answer;
}

interface View {
  name: string;
  origin: ZoneOrigin;
  zoneId?: string;
  endpointId?: string;
  records: ObservedRecord[];
}

const VIA: Record<ZoneOrigin, Via> = {
  'direct-zone': 'zone-direct',
  'endpoint-own-vpc': 'endpoint-own-vpc',
  'profile-zone': 'zone-via-profile',
  'endpoint-profile': 'endpoint-via-profile',
};

/** A VPC the world knows: one of the plan's, or one outside it that depends on it. */
export function knownVpc(world: World, vpcId: string): ObservedVpc | undefined {
  return world.vpcs[vpcId] ?? world.others[vpcId];
}

/** Every VPC whose answers the migration can change: the plan's and those outside it that depend on it. */
export function dependentVpcs(world: World, plan: Plan): string[] {
  return [...new Set([...planVpcs(plan).map((v) => v.id), ...Object.keys(world.others)])];
}

/** Every migrated name with the endpoint that serves it (endpoints taking part only). */
export function migratedNames(world: World, ctx: StepContext): { name: string; endpointId: string }[] {
  return ctx.endpoints.flatMap((e) => {
    const ep = world.endpoints[e.id];
    return ep?.exists ? ep.privateDnsNames.map((name) => ({ name, endpointId: e.id })) : [];
  });
}

/** Whether an alias or CNAME target names one of the endpoint's DNS entries (regional, zonal, or a wildcard under one). */
export function targetsEndpoint(ep: ObservedEndpoint, target: string): boolean {
  const t = canonicalName(target);
  return ep.dnsEntries.some((d) => {
    const entry = canonicalName(d.dnsName);
    return t === entry || t.endsWith(`.${entry}`);
  });
}

function endpointViews(ep: ObservedEndpoint, origin: 'endpoint-own-vpc' | 'endpoint-profile'): View[] {
  const names = ep.privateDnsNames.map(canonicalName);
  return [...new Set(ep.privateDnsNames.map(zoneNameOfDnsName))].map((zoneName) => ({
    name: zoneName,
    origin,
    endpointId: ep.id,
    records: names.filter((n) => inZone(n.replace(/^\*\./, ''), zoneName)).map((n) => ({ name: n, type: 'A' })),
  }));
}

/**
 * What reaches VPCs in one world, indexed once: each VPC's directly associated zones and own
 * endpoints, and what the Profile serves to a VPC whose association is COMPLETE. The dry run asks
 * about every VPC × name after every batch (300 VPCs, 300 batches): a scan per question would not do.
 */
interface WorldIndex {
  endpoints: ObservedEndpoint[];
  direct: Map<string, View[]>;
  /** Served by the Profile to its VPCs. */
  profile: View[];
  /** Per VPC: what reaches it, and a key naming that (VPCs with one key resolve alike). */
  views: Map<string, { views: View[]; key: string }>;
  /** Per (key, name): the resolution, worked out once for all the VPCs that share the key. */
  resolved: Map<string, Resolution>;
}

/** Worlds are immutable values (observe freezes them, simulate returns a new one): an index per world. */
const INDEX = new WeakMap<World, WorldIndex>();

function indexOf(world: World): WorldIndex {
  let ix = INDEX.get(world);
  if (ix) return ix;
  const endpoints = Object.values(world.endpoints).filter((e): e is ObservedEndpoint => e.exists);
  const direct = new Map<string, View[]>();
  const add = (vpcId: string, views: View[]) => direct.set(vpcId, [...(direct.get(vpcId) ?? []), ...views]);
  for (const z of Object.values(world.zones)) {
    if (!z.exists || !z.privateZone) continue;
    const view: View = { name: canonicalName(z.name), origin: 'direct-zone', zoneId: z.id, records: z.records };
    for (const v of z.vpcs) add(v.vpcId, [view]);
  }
  // Its own endpoints' Private DNS answers once the endpoint is available again after the change.
  for (const ep of endpoints) if (ep.privateDnsEnabled && ep.state === 'available') add(ep.vpcId, endpointViews(ep, 'endpoint-own-vpc'));
  const profile: View[] = [];
  for (const r of world.profile?.resources ?? []) {
    if (!profileResourceApplies('COMPLETE', r.status)) continue;
    const z = Object.values(world.zones).find((x) => x.exists && hostedZoneArn(x.id) === r.resourceArn);
    if (z?.exists) {
      if (z.privateZone) profile.push({ name: canonicalName(z.name), origin: 'profile-zone', zoneId: z.id, records: z.records });
      continue;
    }
    const ep = endpoints.find((e) => e.arn === r.resourceArn);
    // Held by the Profile, it answers while it has its network interfaces and Private DNS on.
    if (ep && ep.privateDnsEnabled && (ep.state === 'available' || ep.state === 'pending')) profile.push(...endpointViews(ep, 'endpoint-profile'));
  }
  ix = { endpoints, direct, profile, views: new Map(), resolved: new Map() };
  INDEX.set(world, ix);
  return ix;
}

/** The private zones that reach a VPC (as far as the world shows: the plan's zones and endpoints). */
function viewsOf(world: World, profileId: string, vpcId: string): { views: View[]; key: string } {
  const ix = indexOf(world);
  let found = ix.views.get(vpcId);
  if (!found) {
    const pa = knownVpc(world, vpcId)?.profileAssociation;
    const onProfile = !!pa && pa.profileId === profileId && profileResourceApplies(pa.status, 'COMPLETE');
    const own = ix.direct.get(vpcId) ?? [];
    const views = [...own, ...(onProfile ? ix.profile : [])];
    const key = `${own.map((v) => `${v.origin}:${v.zoneId ?? v.endpointId}:${v.name}`).join(',')}|${onProfile ? 'profile' : ''}`;
    ix.views.set(vpcId, (found = { views, key }));
  }
  return found;
}

function answerOf(world: World, view: View, qname: string): Answer {
  if (view.endpointId) return recordsAt(view.name, view.records, qname) ? { kind: 'endpoint', endpointId: view.endpointId } : { kind: 'no-answer' };
  const records = recordsAt(view.name, view.records, qname)?.filter((r) => r.type === 'A' || r.type === 'CNAME');
  if (!records?.length) return { kind: 'no-answer' };
  const { endpoints } = indexOf(world);
  for (const r of records) {
    const target = r.alias?.dnsName ?? (r.type === 'CNAME' ? r.values?.[0] : undefined);
    const byTarget = target ? endpoints.find((ep) => targetsEndpoint(ep, target)) : undefined;
    if (byTarget) return { kind: 'endpoint', endpointId: byTarget.id };
    const ips = [...(r.values ?? [])].sort().join(',');
    const byIps = r.type === 'A' && !r.alias ? endpoints.find((ep) => ep.eniIps.length && [...ep.eniIps].sort().join(',') === ips) : undefined;
    if (byIps) return { kind: 'endpoint', endpointId: byIps.id };
  }
  const r = records[0]!;
  return { kind: 'other', detail: r.alias ? `alias ${r.alias.dnsName}` : `${r.type} ${(r.values ?? []).join(' ')}` };
}

/** What `vpcId` resolves `name` to in this world, and through which source. */
export function resolveName(world: World, plan: Plan, vpcId: string, name: string): Resolution {
  const { views, key } = viewsOf(world, plan.profile.id, vpcId);
  const cacheKey = `${key}\u0000${name}`;
  const ix = indexOf(world);
  let r = ix.resolved.get(cacheKey);
  if (!r) {
    const qname = canonicalName(name);
    const view = chooseZone(views, qname);
    r = view
      ? {
          via: VIA[view.origin],
          ...(view.zoneId ? { zoneId: view.zoneId } : {}),
          ...(view.endpointId ? { endpointId: view.endpointId } : {}),
          answer: answerOf(world, view, qname),
        }
      : { via: 'none', answer: { kind: 'public' } };
    ix.resolved.set(cacheKey, r);
  }
  return r;
}

/** A private answer a workload uses: the endpoint, or some other private record. */
export function hasAnswer(r: Resolution): boolean {
  return r.answer.kind === 'endpoint' || r.answer.kind === 'other';
}

export function sameAnswer(a: Resolution, b: Resolution): boolean {
  if (a.answer.kind !== b.answer.kind) return false;
  if (a.answer.kind === 'endpoint') return a.answer.endpointId === (b.answer as { endpointId: string }).endpointId;
  if (a.answer.kind === 'other') return a.answer.detail === (b.answer as { detail: string }).detail;
  return true;
}

/** One phrase a person reads: "vpce-… through zone Z (associated directly)". */
export function describeResolution(r: Resolution): string {
  const through: Record<Via, string> = {
    'zone-direct': `zone ${r.zoneId} (associated directly)`,
    'zone-via-profile': `zone ${r.zoneId} (held by the Profile)`,
    'endpoint-own-vpc': `the Private DNS of ${r.endpointId} (its own VPC)`,
    'endpoint-via-profile': `the Private DNS of ${r.endpointId} (held by the Profile)`,
    none: 'public DNS (no private zone matches)',
  };
  switch (r.answer.kind) {
    case 'endpoint':
      return r.via === 'endpoint-own-vpc' || r.via === 'endpoint-via-profile' ? through[r.via] : `${r.answer.endpointId} through ${through[r.via]}`;
    case 'other':
      return `${r.answer.detail} from ${through[r.via]}`;
    case 'no-answer':
      return `no answer (NXDOMAIN): ${through[r.via]} matches but holds no record for the name`;
    case 'public':
      return through.none;
  }
}
