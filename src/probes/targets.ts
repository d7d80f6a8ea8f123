// What to probe: every (VPC, DNS name) pair, the VPC's resolver, the concrete name to ask (a
// wildcard can't be queried) and the answers that mean "resolved privately to the endpoint".
import { isIP } from 'node:net';

export type QueryType = 'A' | 'AAAA';

export interface ResolverAddress {
  /** An IP address (the prober matches reply sources against it exactly). */
  host: string;
  port: number;
}

export interface ProbeTarget {
  vpcId: string;
  resolver: ResolverAddress;
  /** The endpoint's DNS name as AWS lists it (may be a wildcard). */
  name: string;
  /** The concrete name queried. */
  probeName: string;
  /** The endpoint's ENI private IPs: an answer inside this set is a private resolution. */
  expected: string[];
  /** Defaults to A. */
  qtype?: QueryType;
}

/** The label probes use under a wildcard; the sandbox and users' dig commands use the same one. */
export const WILDCARD_PROBE_LABEL = 'r53migrate-probe';

/** A concrete name to query for a wildcard (probes can't ask for `*`). */
export function probeNameFor(name: string): string {
  return name.startsWith('*.') ? `${WILDCARD_PROBE_LABEL}.${name.slice(2)}` : name;
}

/** Parses `host:port` or `[v6]:port`; the host must be an IP literal. */
export function parseResolver(address: string): ResolverAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  const host = m?.[1];
  const port = Number(m?.[2]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`resolver address "${address}" is not host:port`);
  }
  if (isIP(host) === 0) throw new Error(`resolver address "${address}" must use an IP address, not a host name`);
  return { host, port };
}

/** A pair's identity in logs, health maps and gate sets. */
export function pairKey(p: { vpcId: string; name: string }): string {
  return `${p.vpcId}|${p.name}`;
}

export interface VpcResolverInput {
  id: string;
  /** `host:port`. */
  resolver: string;
}

export interface EndpointNameInput {
  name: string;
  ips: string[];
  probeName?: string;
}

/** Every VPC × every name (the shape of sandbox.json's `vpcs` and `names`). */
export function buildTargets(vpcs: VpcResolverInput[], names: EndpointNameInput[], qtype?: QueryType): ProbeTarget[] {
  const seen = new Set<string>();
  const targets: ProbeTarget[] = [];
  for (const vpc of vpcs) {
    const resolver = parseResolver(vpc.resolver);
    for (const n of names) {
      const target: ProbeTarget = {
        vpcId: vpc.id,
        resolver,
        name: n.name,
        probeName: n.probeName ?? probeNameFor(n.name),
        expected: [...n.ips],
        ...(qtype ? { qtype } : {}),
      };
      const key = pairKey(target);
      if (seen.has(key)) throw new Error(`duplicate probe pair ${key}`);
      seen.add(key);
      targets.push(target);
    }
  }
  return targets;
}
