// What one probe result means for a migration: resolved privately to the endpoint (ok), fell
// through to public DNS (public), or failed in one of the ways an operator needs told apart.
// Pure.
import { normaliseAddress } from './answers.js';
import type { ProbeReply } from './prober.js';

/**
 * `probe-error`: the probe itself did not run (an SSM command failed, timed out or was never
 * delivered; its output did not parse). It says nothing about DNS: it neither passes a gate nor
 * counts toward a DNS halt, and past its own budget it halts the run as a probe failure.
 */
export type ProbeClass = 'ok' | 'public' | 'nxdomain' | 'servfail' | 'timeout' | 'error' | 'probe-error';

export interface Classified {
  class: ProbeClass;
  /** The final address set (empty unless the server answered with addresses). */
  answers: string[];
  /** The reply's rcode; absent for timeouts and transport errors. */
  rcode?: string;
  latencyMs: number;
  /** Why, for anything but ok (a person reads it in a halt message). */
  reason?: string;
}

export function classify(reply: ProbeReply, expected: readonly string[]): Classified {
  const latencyMs = Math.round(reply.latencyMs * 1000) / 1000;
  if (reply.outcome === 'timeout') {
    return { class: 'timeout', answers: [], latencyMs, reason: `no reply after ${reply.attempts} attempt(s) over ${reply.transport.toUpperCase()}` };
  }
  if (reply.outcome === 'error') return { class: 'error', answers: [], latencyMs, reason: reply.error };
  const { rcode, addresses: answers } = reply;
  if (rcode === 'NXDOMAIN') return { class: 'nxdomain', answers, rcode, latencyMs, reason: 'NXDOMAIN' };
  if (rcode === 'SERVFAIL') return { class: 'servfail', answers, rcode, latencyMs, reason: 'SERVFAIL' };
  if (rcode !== 'NOERROR') return { class: 'error', answers, rcode, latencyMs, reason: `rcode ${rcode}` };
  if (answers.length === 0) return { class: 'error', answers, rcode, latencyMs, reason: reply.chainError ?? 'no addresses (NODATA)' };
  const want = new Set(expected.map(normaliseAddress));
  const outside = answers.filter((a) => !want.has(a));
  if (outside.length > 0) {
    return { class: 'public', answers, rcode, latencyMs, reason: `answered ${outside.join(', ')}, not the endpoint's ${[...want].sort().join(', ')}` };
  }
  return { class: 'ok', answers, rcode, latencyMs };
}
