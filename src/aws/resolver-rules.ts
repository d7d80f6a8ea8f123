// How a VPC's Route 53 Resolver (the `.2` address) picks the private zone that answers a name
// (aws-api.md §4). Every zone that reaches the VPC competes: zones associated directly, the
// Private DNS zone of an interface endpoint in the VPC, and — once the VPC's Profile association
// and the resource's association are both COMPLETE — zones and endpoints the VPC's Profile holds.
// The most specific zone name wins; for one name the VPC's own configuration wins over its
// Profile's, and within each a hosted zone before an endpoint's zone. A matching private zone
// answers alone: a name it doesn't hold is NXDOMAIN, never a public lookup.
//
// One source of truth: the twin's resolvers answer by these rules, and the product's resolution
// model (src/steps/resolution.ts) predicts with them what every VPC resolves before and after a
// change. Pure.

export type ZoneOrigin = 'direct-zone' | 'endpoint-own-vpc' | 'profile-zone' | 'endpoint-profile';

/** For one zone name: own before Profile; within each, a hosted zone before an endpoint zone. */
export const ORIGIN_RANK: Record<ZoneOrigin, number> = {
  'direct-zone': 0,
  'endpoint-own-vpc': 1,
  'profile-zone': 2,
  'endpoint-profile': 3,
};

/** Lower-case, absolute (trailing dot), `\052` as `*`. */
export function canonicalName(name: string): string {
  let n = name.trim().toLowerCase().replace(/\\052/g, '*');
  if (!n.endsWith('.')) n += '.';
  return n;
}

/** The zone a Private DNS name is served from: `*.s3.us-east-1.amazonaws.com` → `s3.us-east-1.amazonaws.com.` */
export function zoneNameOfDnsName(name: string): string {
  return canonicalName(name.replace(/^\*\./, ''));
}

/** Whether `name` is `zone` or below it (both canonical). */
export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** A Profile's resource applies to a VPC only once both associations are COMPLETE (conservative reading). */
export function profileResourceApplies(vpcAssociationStatus: string | undefined, resourceStatus: string): boolean {
  return vpcAssociationStatus === 'COMPLETE' && resourceStatus === 'COMPLETE';
}

/** The zone that answers `qname` (canonical): the longest matching name; ties go to the lowest rank. */
export function chooseZone<V extends { name: string; origin: ZoneOrigin }>(views: V[], qname: string): V | undefined {
  let best: V | undefined;
  for (const v of views) {
    if (!inZone(qname, v.name)) continue;
    if (!best || v.name.length > best.name.length || (v.name.length === best.name.length && ORIGIN_RANK[v.origin] < ORIGIN_RANK[best.origin])) {
      best = v;
    }
  }
  return best;
}

/**
 * The record sets that answer `qname` in a zone: those at the name; else, when the name does not
 * exist, those of the wildcard at its closest existing ancestor (RFC 4592). Undefined means the
 * name does not exist (NXDOMAIN); an empty array means it exists without records (an empty
 * non-terminal, or the apex). Names are canonical.
 */
export function recordsAt<R extends { name: string }>(zoneName: string, records: R[], qname: string): R[] | undefined {
  const exact = records.filter((r) => canonicalName(r.name) === qname);
  if (exact.length > 0) return exact;
  if (qname === zoneName || nameExists(records, qname)) return [];
  // Walk up to the closest encloser: the nearest ancestor that exists (the apex always does).
  let ancestor = parentOf(qname);
  while (ancestor !== zoneName && ancestor !== '.' && !nameExists(records, ancestor)) ancestor = parentOf(ancestor);
  const wildcard = records.filter((r) => canonicalName(r.name) === `*.${ancestor}`);
  return wildcard.length > 0 ? wildcard : undefined;
}

/** A name exists when it owns records or is an ancestor of a name that does. */
function nameExists(records: { name: string }[], name: string): boolean {
  return records.some((r) => {
    const n = canonicalName(r.name);
    return n === name || n.endsWith(`.${name}`);
  });
}

function parentOf(name: string): string {
  const i = name.indexOf('.');
  return i < 0 || i === name.length - 1 ? '.' : name.slice(i + 1);
}
