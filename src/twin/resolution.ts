// How one VPC's Route 53 Resolver (the `.2` address) answers a query, computed from the twin's
// World at the moment of the query. Pure: no I/O, no clock of its own, no mutation.
//
// Which zones reach a VPC (aws-api.md §4, DESIGN §4):
//   own:     private hosted zones associated directly; the Private DNS zone(s) of an interface
//            endpoint in the VPC once its Private DNS is active.
//   profile: zones and endpoints held by the VPC's Profile, once both the VPC's Profile
//            association and the resource's association are COMPLETE.
// The most specific zone name wins; for one name the VPC's own configuration wins over its
// Profile's. A matching private zone never falls through to public DNS.
import { chooseZone, inZone, profileResourceApplies, recordsAt, type ZoneOrigin } from '../aws/resolver-rules.js';
import type { HostedZone, NetworkInterface, RecordSet, VpcEndpoint, World } from './world.js';
import { canonicalName, stripDot } from './world.js';
import { endpointZoneNames, profileAssociationOfVpc } from './ops/lookup.js';
import { selectRoutedRecords } from './routing-policy.js';

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';

export type ResolutionSource =
  | 'direct-zone'
  | 'profile-zone'
  | 'endpoint-own-vpc'
  | 'endpoint-profile'
  | 'vpce-public'
  | 'public';

export interface DnsAnswer {
  /** Lower-case, without the trailing dot. */
  name: string;
  type: string;
  ttl: number;
  /** Presentation form: an address, a target name (no trailing dot), or the record's text. */
  data: string;
}

export interface Resolution {
  rcode: Rcode;
  answers: DnsAnswer[];
  /** What answered the query name (for a CNAME chain: the first link). */
  source: ResolutionSource;
  /** The hosted zone that answered (direct-zone, profile-zone). */
  zoneId?: string;
  /** The endpoint whose zone or vpce name answered (endpoint-*, vpce-public). */
  endpointId?: string;
  /** The private zone name that answered, with trailing dot. */
  zoneName?: string;
}

/** TTL the twin gives private answers (endpoint zones and vpce names use 60 s on AWS). */
export const PRIVATE_TTL = 60;
/** TTL of the synthetic public answers. */
export const PUBLIC_TTL = 300;
/** How many CNAME/alias hops a query may take before it is a loop (SERVFAIL). */
export const MAX_CHAIN = 8;

/** The documentation range synthetic public answers come from (never used for private ones). */
export const PUBLIC_V4_PREFIX = '198.51.100.';
export const PUBLIC_V6_PREFIX = '2001:db8:';

type Origin = ZoneOrigin;

/** A private zone as one VPC sees it. Endpoint zones are synthesised from the endpoint. */
export interface ZoneView {
  name: string;
  origin: Origin;
  records: RecordSet[];
  zoneId?: string;
  endpointId?: string;
}

export function resolveInVpc(world: World, vpcId: string, qname: string, qtype: string, now: number): Resolution {
  return resolve(world, vpcId, canonicalName(qname), qtype.toUpperCase(), now, 0);
}

/** The zones that reach this VPC now, in no particular order. Exported for explain output. */
export function zonesVisibleToVpc(world: World, vpcId: string, now: number): ZoneView[] {
  return visibleZones(world, vpcId, now);
}

/**
 * The zones that reach this VPC now and, given `qname`, could answer it (the name is in them).
 * Each query asks only about the zones its name is in: a resolver of a 300-VPC estate answers
 * thousands of queries a second, and building a view of every zone for each was most of its cost.
 */
function visibleZones(world: World, vpcId: string, now: number, qname?: string): ZoneView[] {
  const wanted = (zoneName: string) => qname === undefined || inZone(qname, zoneName);
  const views: ZoneView[] = [];
  for (const z of world.zones) {
    if (z.privateZone && wanted(zoneNameOf(z)) && z.vpcs.some((v) => v.vpcId === vpcId)) views.push(hostedZoneView(z, 'direct-zone'));
  }
  for (const ep of world.endpoints) {
    if (ep.vpcId === vpcId && ownPrivateDnsActive(ep, now)) views.push(...endpointViews(world, ep, 'endpoint-own-vpc', wanted));
  }

  const pa = profileAssociationOfVpc(world, vpcId);
  // Conservative reading: a Profile applies only once the VPC's association is COMPLETE, and
  // each resource only once its own association is COMPLETE (not CREATING/DELETING/FAILED).
  if (pa) {
    for (const ra of world.resourceAssociations) {
      if (ra.profileId !== pa.profileId || !profileResourceApplies(pa.status, ra.status)) continue;
      const zoneId = hostedZoneIdOfArn(ra.resourceArn);
      if (zoneId !== undefined) {
        const z = world.zones.find((x) => x.id === zoneId);
        if (z && z.privateZone && wanted(zoneNameOf(z))) views.push(hostedZoneView(z, 'profile-zone'));
        continue;
      }
      const endpointId = endpointIdOfArn(ra.resourceArn);
      const ep = endpointId === undefined ? undefined : world.endpoints.find((x) => x.id === endpointId);
      if (ep && ep.privateDnsEnabled && endpointHasEnis(ep)) views.push(...endpointViews(world, ep, 'endpoint-profile', wanted));
    }
  }
  return views;
}

/** canonicalName of the world's own names (zones, vpce names), remembered per spelling: they are few, queries many. */
const canonicalNames = new Map<string, string>();
function canonicalOf(name: string): string {
  let c = canonicalNames.get(name);
  if (c === undefined) {
    if (canonicalNames.size > 10_000) canonicalNames.clear();
    canonicalNames.set(name, (c = canonicalName(name)));
  }
  return c;
}
const zoneNameOf = (z: HostedZone): string => canonicalOf(z.name);

function resolve(world: World, vpcId: string, qname: string, qtype: string, now: number, depth: number): Resolution {
  if (depth > MAX_CHAIN) return { rcode: 'SERVFAIL', answers: [], source: 'public' };

  const zone = chooseZone(visibleZones(world, vpcId, now, qname), qname);
  if (zone) return answerFromZone(world, vpcId, zone, qname, qtype, now, depth);

  const vpce = answerFromVpceName(world, qname, qtype);
  if (vpce) return vpce;

  return publicAnswer(qname, qtype);
}

function answerFromZone(
  world: World,
  vpcId: string,
  zone: ZoneView,
  qname: string,
  qtype: string,
  now: number,
  depth: number,
): Resolution {
  const base: Omit<Resolution, 'rcode' | 'answers'> = {
    source: zone.origin,
    zoneName: zone.name,
    ...(zone.zoneId !== undefined ? { zoneId: zone.zoneId } : {}),
    ...(zone.endpointId !== undefined ? { endpointId: zone.endpointId } : {}),
  };
  const records = recordsAt(zone.name, zone.records, qname);
  // A matching private zone answers alone: no record there is NXDOMAIN, not a public lookup.
  if (records === undefined) return { ...base, rcode: 'NXDOMAIN', answers: [] };

  const owner = stripDot(qname);
  // Record sets with a routing policy answer as Route 53 would pick them (routing-policy.ts).
  const region = world.vpcs.find((v) => v.id === vpcId)?.region ?? world.region;
  const sameType = selectRoutedRecords(records.filter((r) => r.type === qtype), { region });
  if (sameType.length > 0) {
    const answers: DnsAnswer[] = [];
    for (const r of sameType) {
      if (r.alias) {
        const target = resolve(world, vpcId, canonicalName(r.alias.dnsName), qtype, now, depth + 1);
        if (target.rcode === 'SERVFAIL') return { ...base, rcode: 'SERVFAIL', answers: [] };
        // Clients never see an alias: the target's records come back under the alias's name.
        for (const a of target.answers) if (a.type === qtype) answers.push({ ...a, name: owner });
      } else {
        for (const value of r.values ?? []) answers.push({ name: owner, type: r.type, ttl: r.ttl ?? PRIVATE_TTL, data: presentValue(r.type, value) });
      }
    }
    return { ...base, rcode: 'NOERROR', answers };
  }

  const cname = selectRoutedRecords(records.filter((r) => r.type === 'CNAME' && !r.alias && (r.values?.length ?? 0) > 0), { region })[0];
  if (cname && qtype !== 'CNAME') {
    const target = stripDot(canonicalName(cname.values![0]!));
    const link: DnsAnswer = { name: owner, type: 'CNAME', ttl: cname.ttl ?? PRIVATE_TTL, data: target };
    const rest = resolve(world, vpcId, canonicalName(target), qtype, now, depth + 1);
    if (rest.rcode === 'SERVFAIL') return { ...base, rcode: 'SERVFAIL', answers: [] };
    return { ...base, rcode: rest.rcode, answers: [link, ...rest.answers] };
  }

  // The name exists with other types only: NODATA.
  return { ...base, rcode: 'NOERROR', answers: [] };
}

/** The endpoints' vpce names (regional and zonal) are public names that resolve in any VPC. */
function answerFromVpceName(world: World, qname: string, qtype: string): Resolution | undefined {
  for (const ep of world.endpoints) {
    if (!endpointHasEnis(ep)) continue;
    for (const entry of ep.dnsEntries) {
      if (canonicalOf(entry.dnsName) !== qname) continue;
      const ips = qtype === 'A' ? enisForVpceName(world, ep, qname).map((n) => n.privateIp) : [];
      return {
        rcode: 'NOERROR',
        answers: ips.map((ip) => ({ name: stripDot(qname), type: 'A', ttl: PRIVATE_TTL, data: ip })),
        source: 'vpce-public',
        endpointId: ep.id,
      };
    }
  }
  // AWS owns the vpce namespace: a name of a deleted (or never existing) endpoint does not exist.
  if (qname.endsWith('.vpce.amazonaws.com.')) return { rcode: 'NXDOMAIN', answers: [], source: 'public' };
  return undefined;
}

/**
 * A zonal vpce name (`vpce-…-us-east-1a.lambda…`) answers with that zone's ENI only; the
 * regional name answers with all of them.
 */
function enisForVpceName(world: World, ep: VpcEndpoint, qname: string): NetworkInterface[] {
  const enis = endpointEnis(world, ep);
  const firstLabel = qname.slice(0, qname.indexOf('.'));
  const zonal = enis.filter((n) => n.availabilityZone !== '' && firstLabel.endsWith(`-${n.availabilityZone.toLowerCase()}`));
  return zonal.length > 0 ? zonal : enis;
}

/** A deterministic answer from documentation ranges, so "fell through to public DNS" is visible. */
function publicAnswer(qname: string, qtype: string): Resolution {
  const name = stripDot(qname);
  const h = fnv1a(qname);
  if (qtype === 'A') {
    return { rcode: 'NOERROR', answers: [{ name, type: 'A', ttl: PUBLIC_TTL, data: `${PUBLIC_V4_PREFIX}${1 + (h % 254)}` }], source: 'public' };
  }
  if (qtype === 'AAAA') {
    const hi = (h >>> 16).toString(16);
    const lo = (h & 0xffff).toString(16);
    return { rcode: 'NOERROR', answers: [{ name, type: 'AAAA', ttl: PUBLIC_TTL, data: `${PUBLIC_V6_PREFIX}${hi}:${lo}::1` }], source: 'public' };
  }
  return { rcode: 'NOERROR', answers: [], source: 'public' };
}

function hostedZoneView(z: HostedZone, origin: 'direct-zone' | 'profile-zone'): ZoneView {
  return { name: zoneNameOf(z), origin, records: z.records, zoneId: z.id };
}

/** One view per zone the endpoint's Private DNS serves, holding an A record per Private DNS name. */
function endpointViews(world: World, ep: VpcEndpoint, origin: 'endpoint-own-vpc' | 'endpoint-profile', wanted: (zoneName: string) => boolean = () => true): ZoneView[] {
  const zoneNames = endpointZoneNames(ep).filter(wanted);
  if (!zoneNames.length) return [];
  const ips = endpointEnis(world, ep).map((n) => n.privateIp);
  return zoneNames.map((zoneName) => ({
    name: zoneName,
    origin,
    endpointId: ep.id,
    records: ep.privateDnsNames
      .map(canonicalName)
      .filter((n) => inZone(n.replace(/^\*\./, ''), zoneName))
      .map((n) => ({ name: n, type: 'A', ttl: PRIVATE_TTL, values: ips })),
  }));
}

/**
 * The endpoint's own-VPC Private DNS answers from the moment ModifyVpcEndpoint's pending period
 * ends; later pending periods (joining a Profile) don't interrupt it. An endpoint built with
 * Private DNS already on (no activation time recorded) answers at once.
 */
function ownPrivateDnsActive(ep: VpcEndpoint, now: number): boolean {
  return ep.privateDnsEnabled && endpointHasEnis(ep) && (ep.privateDnsActiveAt === undefined || ep.privateDnsActiveAt <= now);
}

/** States in which an endpoint still has its network interfaces and so can answer. */
function endpointHasEnis(ep: VpcEndpoint): boolean {
  return ep.state === 'available' || ep.state === 'pending' || ep.state === 'deleting';
}

function endpointEnis(world: World, ep: VpcEndpoint): NetworkInterface[] {
  const ids = new Set(ep.networkInterfaceIds);
  return world.networkInterfaces.filter((n) => ids.has(n.id));
}

function hostedZoneIdOfArn(arn: string): string | undefined {
  const prefix = 'arn:aws:route53:::hostedzone/';
  return arn.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
}

function endpointIdOfArn(arn: string): string | undefined {
  const i = arn.indexOf(':vpc-endpoint/');
  return i < 0 ? undefined : arn.slice(i + ':vpc-endpoint/'.length);
}

function presentValue(type: string, value: string): string {
  // Names in record data are compared and encoded without the trailing dot.
  return type === 'CNAME' || type === 'NS' || type === 'PTR' ? stripDot(canonicalName(value)) : value;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
