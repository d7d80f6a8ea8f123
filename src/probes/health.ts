// Per-pair health: the last class seen and the length of the current ok / non-ok streak. Updated
// in O(1) per result; this is what an operator's status line and the gates read.
import type { ProbeClass } from './classify.js';
import { pairKey } from './targets.js';

/** One probe of one (VPC, name) pair: what the monitor logs and publishes. */
export interface PairResult {
  vpcId: string;
  name: string;
  probeName: string;
  class: ProbeClass;
  answers: string[];
  rcode?: string;
  reason?: string;
  latencyMs: number;
  /** Epoch ms (monitor's clock) when the query was sent. */
  startedMs: number;
  /** Epoch ms (monitor's clock) when the result was known. */
  atMs: number;
  /** How it was probed when not over the network from here: the instance and SSM command that asked. */
  via?: { kind: 'ssm'; instanceId: string; commandId: string };
}

export interface PairHealth {
  vpcId: string;
  name: string;
  lastClass: ProbeClass;
  lastAnswers: string[];
  lastReason?: string;
  consecutiveOk: number;
  /** Wrong or missing DNS answers in a row (probe errors neither add to nor end it). */
  consecutiveNonOk: number;
  /** Probes in a row that did not run (probe-error). */
  consecutiveProbeErrors: number;
  /** When the class last changed (the first result counts as a change). */
  lastChangeMs: number;
  lastResultMs: number;
  results: number;
}

/** The NDJSON form of a result (DESIGN §5: `.probes.ndjson`); the probe log folds ok ones into runs (evidence-log.ts). */
export function toLogLine(r: PairResult): Record<string, unknown> {
  return {
    time: new Date(r.atMs).toISOString(),
    epochMs: r.atMs,
    startedMs: r.startedMs,
    vpc: r.vpcId,
    name: r.name,
    ...(r.probeName !== r.name ? { probeName: r.probeName } : {}),
    class: r.class,
    answers: r.answers,
    latencyMs: r.latencyMs,
    ...(r.rcode !== undefined ? { rcode: r.rcode } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.via ? { via: r.via.kind, instance: r.via.instanceId, commandId: r.via.commandId } : {}),
  };
}

export class HealthBook {
  private readonly pairs = new Map<string, PairHealth>();

  record(r: PairResult): PairHealth {
    const key = pairKey(r);
    const ok = r.class === 'ok';
    const probeError = r.class === 'probe-error';
    const prev = this.pairs.get(key);
    const next: PairHealth = {
      vpcId: r.vpcId,
      name: r.name,
      lastClass: r.class,
      lastAnswers: r.answers,
      ...(r.reason !== undefined ? { lastReason: r.reason } : {}),
      consecutiveOk: ok ? (prev?.consecutiveOk ?? 0) + 1 : 0,
      consecutiveNonOk: ok ? 0 : (prev?.consecutiveNonOk ?? 0) + (probeError ? 0 : 1),
      consecutiveProbeErrors: probeError ? (prev?.consecutiveProbeErrors ?? 0) + 1 : 0,
      lastChangeMs: prev && prev.lastClass === r.class ? prev.lastChangeMs : r.atMs,
      lastResultMs: r.atMs,
      results: (prev?.results ?? 0) + 1,
    };
    this.pairs.set(key, next);
    return next;
  }

  get(p: { vpcId: string; name: string }): PairHealth | undefined {
    return this.pairs.get(pairKey(p));
  }

  all(): PairHealth[] {
    return [...this.pairs.values()];
  }
}
