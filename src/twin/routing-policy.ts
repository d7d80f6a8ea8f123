// Which record sets of one name and type answer a DNS query when they carry a routing policy
// (weighted, failover, latency, geolocation, multivalue, IP-based, geoproximity). Route 53 picks
// among them by probability, health, latency and the client's location; the twin has none of
// those inputs (no health checks, no clients' addresses, one region per VPC), so it makes a
// deterministic, documented choice instead. Pure: no I/O, no clock, no mutation.
//
// The choice, for a group of record sets with one name and type (docs/aws-facts.md, "DNS answers
// from routing-policy records"):
//   simple       all of them (there is at most one)
//   weighted     the one with the highest Weight; ties go to the lowest SetIdentifier (ASCII).
//                A weight of 0 is chosen only when every weight is 0, as Route 53 routes to a
//                zero-weight record only then [doc: model ResourceRecordSet.Weight].
//   failover     PRIMARY; SECONDARY only when there is no PRIMARY (every record counts as healthy)
//   multivalue   all of them, at most 8 (lowest SetIdentifiers first): Route 53 "responds to DNS
//                queries with up to eight healthy records" [doc: model MultiValueAnswer]
//   latency      the record whose Region is the querying VPC's region, else the lowest SetIdentifier
//   geolocation  the default location (CountryCode `*`), else the lowest SetIdentifier
//   IP-based     the default location (LocationName `*`), else the lowest SetIdentifier
//   geoproximity the lowest SetIdentifier
// Route 53 refuses groups that mix policies (ops/route53.ts); should a hand-built world hold one,
// simple record sets win, else the policy of the lowest SetIdentifier.
import type { RecordSet } from './world.js';

export type PolicyKind = 'simple' | 'weighted' | 'latency' | 'failover' | 'geolocation' | 'multivalue' | 'cidr' | 'geoproximity';

/** The routing policy a record set uses (simple when it has no routing fields). */
export function policyKind(r: Pick<RecordSet, 'routing'>): PolicyKind {
  const p = r.routing;
  if (!p) return 'simple';
  if (p.weight !== undefined) return 'weighted';
  if (p.region !== undefined) return 'latency';
  if (p.failover !== undefined) return 'failover';
  if (p.geoLocation !== undefined) return 'geolocation';
  if (p.multiValueAnswer !== undefined) return 'multivalue';
  if (p.cidrRoutingConfig !== undefined) return 'cidr';
  if (p.geoProximityLocation !== undefined) return 'geoproximity';
  return 'simple';
}

export interface RoutingContext {
  /** The AWS Region of the VPC the query comes from (latency records). */
  region?: string;
}

/** Route 53 answers with up to eight multivalue records. */
export const MULTIVALUE_MAX_ANSWERS = 8;

const byIdentifier = (a: RecordSet, b: RecordSet) => {
  const x = a.setIdentifier ?? '';
  const y = b.setIdentifier ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The record sets, among `records` (one name, one type), whose values answer a query: the
 * deterministic choice described at the top of this file. Returns a new array; never mutates.
 */
export function selectRoutedRecords(records: readonly RecordSet[], ctx: RoutingContext = {}): RecordSet[] {
  if (records.length <= 1) return [...records];
  const simple = records.filter((r) => policyKind(r) === 'simple');
  if (simple.length > 0) return simple;
  const sorted = [...records].sort(byIdentifier);
  const kind = policyKind(sorted[0]!);
  const group = sorted.filter((r) => policyKind(r) === kind);
  const first = group.slice(0, 1);
  switch (kind) {
    case 'weighted': {
      const top = Math.max(...group.map((r) => r.routing!.weight!));
      return group.filter((r) => r.routing!.weight === top).slice(0, 1);
    }
    case 'failover': {
      const primary = group.find((r) => r.routing!.failover === 'PRIMARY');
      return primary ? [primary] : first;
    }
    case 'multivalue':
      return group.slice(0, MULTIVALUE_MAX_ANSWERS);
    case 'latency': {
      const local = group.find((r) => ctx.region !== undefined && r.routing!.region === ctx.region);
      return local ? [local] : first;
    }
    case 'geolocation': {
      const fallback = group.find((r) => r.routing!.geoLocation!.countryCode === '*');
      return fallback ? [fallback] : first;
    }
    case 'cidr': {
      const fallback = group.find((r) => r.routing!.cidrRoutingConfig!.locationName === '*');
      return fallback ? [fallback] : first;
    }
    default:
      return first;
  }
}
