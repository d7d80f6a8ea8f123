// Reading the address set out of a reply's answer section: follow CNAMEs from the query name
// (within the answer only; the resolver did the recursion) and take the A/AAAA records of the name
// the chain ends at. Pure.
import type { Answer } from 'dns-packet';
import type { QueryType } from './targets.js';

/** More hops than any sane alias setup (the twin stops at 8); beyond it the chain is broken. */
export const MAX_CHAIN_HOPS = 16;

export type ChainResult =
  | { ok: true; addresses: string[]; chain: string[] }
  | { ok: false; reason: string; chain: string[] };

export function canonical(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Addresses in one form so the same IP always compares equal (IPv6 has many spellings). */
export function normaliseAddress(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

export function followChain(answers: readonly Answer[], qname: string, qtype: QueryType): ChainResult {
  let current = canonical(qname);
  const chain = [current];
  for (let hop = 0; hop <= MAX_CHAIN_HOPS; hop++) {
    const addresses = answers
      .filter((a) => a.type === qtype && canonical(a.name) === current)
      .map((a) => normaliseAddress(String((a as { data?: unknown }).data)));
    if (addresses.length > 0) return { ok: true, addresses: [...new Set(addresses)].sort(), chain };
    const cname = answers.find((a) => a.type === 'CNAME' && canonical(a.name) === current);
    if (!cname) {
      const reason =
        chain.length > 1
          ? `CNAME chain ${chain.join(' → ')} ends without ${qtype} records`
          : answers.length > 0
            ? `no ${qtype} records for ${current} (the answer holds ${answers.length} unrelated record(s))`
            : `no ${qtype} records for ${current} (NODATA)`;
      return { ok: false, reason, chain };
    }
    const next = canonical(String((cname as { data?: unknown }).data));
    if (chain.includes(next)) return { ok: false, reason: `CNAME loop: ${[...chain, next].join(' → ')}`, chain };
    chain.push(next);
    current = next;
  }
  return { ok: false, reason: `CNAME chain longer than ${MAX_CHAIN_HOPS} hops: ${chain.join(' → ')}`, chain };
}
