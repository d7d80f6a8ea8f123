// The probe gate: "pass when every pair in X has K consecutive ok results since T", "halt when any
// pair in Y has F consecutive non-ok results", before an absolute deadline (epoch ms, so a resumed
// run keeps the budget its checkpoint recorded). Event driven: each result updates O(1) counters;
// the only timer is one sleep until the deadline, and an AbortSignal ends the wait at once.
import type { ProbeClass } from './classify.js';
import type { PairResult } from './health.js';
import type { ResultSource } from './monitor.js';
import { pairKey } from './targets.js';
import { abortReason, systemTime, type Time } from './time.js';

export interface PairRef {
  vpcId: string;
  name: string;
}

export interface GateSpec {
  /**
   * Pass when every pair has `consecutiveOk` ok results in a row, counting only probes sent at or
   * after `sinceMs` (a probe sent before the step finished proves nothing about after it).
   * Omitted: the gate only watches, and reaching the deadline without a halt is a pass.
   */
  pass?: { pairs: PairRef[]; consecutiveOk: number; sinceMs: number };
  /**
   * Halt when any pair has `consecutiveNonOk` non-ok results in a row. Without `sinceMs`, a streak
   * already running when the gate starts counts (from the source's health, when it has one).
   */
  halt?: {
    pairs: PairRef[];
    consecutiveNonOk: number;
    sinceMs?: number;
    /** Halt when a pair's probe did not run this many times in a row (SSM: rounds); default never. */
    consecutiveProbeErrors?: number;
  };
  /** Absolute epoch ms. */
  deadlineMs: number;
}

export type GateVerdictKind = 'pass' | 'halt' | 'timeout';

export interface GatePair {
  vpcId: string;
  name: string;
  /** The last class the gate saw for the pair ('unprobed' if none yet). */
  class: ProbeClass | 'unprobed';
  answers: string[];
  /** The current streak the verdict is about (ok for pass/timeout, non-ok for halt). */
  consecutive: number;
  reason?: string;
}

export interface GateVerdict {
  verdict: GateVerdictKind;
  /** For a halt: wrong DNS answers, or probes that did not run (which say nothing about DNS). */
  cause?: 'dns' | 'probe';
  reason: string;
  pairs: GatePair[];
  /** Clock time when the gate decided. */
  atMs: number;
}

interface Counter {
  ref: PairRef;
  ok: number;
  nonOk: number;
  probeErrors: number;
  last?: PairResult;
  lastClass?: ProbeClass;
  lastAnswers: string[];
}

/** How many pairs a reason lists by name before summarising the rest. */
const NAMED_IN_REASON = 10;

export function awaitGate(source: ResultSource, spec: GateSpec, opts: { time?: Time; signal?: AbortSignal } = {}): Promise<GateVerdict> {
  const time = opts.time ?? systemTime;
  const signal = opts.signal;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  validate(spec);

  const passPairs = counters(spec.pass?.pairs ?? []);
  const haltPairs = counters(spec.halt?.pairs ?? []);
  const K = spec.pass?.consecutiveOk ?? 0;
  const F = spec.halt?.consecutiveNonOk ?? Infinity;
  const E = spec.halt?.consecutiveProbeErrors ?? Infinity;
  let passing = 0; // pass pairs currently at >= K
  // Halt pairs at >= F non-ok, and at >= E probe errors: a result changes them by at most one, so
  // a check is O(1) unless the gate is deciding (3,600 pairs × thousands of results a second).
  let halting = 0;
  let unprobedPairs = 0;

  // A non-ok streak already running counts toward a halt (it is a fact whatever T is).
  if (spec.halt && spec.halt.sinceMs === undefined && source.health) {
    for (const c of haltPairs.values()) {
      const h = source.health(c.ref);
      if (h) {
        c.nonOk = h.consecutiveNonOk;
        c.probeErrors = h.consecutiveProbeErrors;
        c.lastClass = h.lastClass;
        c.lastAnswers = h.lastAnswers;
      }
    }
  }
  for (const c of haltPairs.values()) {
    halting += Number(c.nonOk >= F);
    unprobedPairs += Number(c.probeErrors >= E);
  }
  if (K === 0) passing = passPairs.size;

  return new Promise<GateVerdict>((resolve, reject) => {
    const sleeper = new AbortController();
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      sleeper.abort();
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const decide = (verdict: GateVerdict): void => settle(() => resolve(verdict));
    const onAbort = (): void => settle(() => reject(abortReason(signal!)));

    const check = (): boolean => {
      const now = time.now();
      const halted = halting ? [...haltPairs.values()].filter((c) => c.nonOk >= F) : [];
      if (halted.length > 0) {
        decide({
          verdict: 'halt',
          cause: 'dns',
          reason: `${halted.length} pair(s) had ${F} consecutive non-ok result(s): ${describe(halted, 'nonOk')}`,
          pairs: halted.map((c) => view(c, 'nonOk')),
          atMs: now,
        });
        return true;
      }
      const unprobed = unprobedPairs ? [...haltPairs.values()].filter((c) => c.probeErrors >= E) : [];
      if (unprobed.length > 0) {
        decide({
          verdict: 'halt',
          cause: 'probe',
          reason: `the probes of ${unprobed.length} pair(s) did not run ${E} time(s) in a row (a probe failure, not a DNS answer: nothing is known about their DNS): ${describe(unprobed, 'probeErrors')}`,
          pairs: unprobed.map((c) => view(c, 'probeErrors')),
          atMs: now,
        });
        return true;
      }
      if (spec.pass && passing === passPairs.size) {
        decide({
          verdict: 'pass',
          reason: `all ${passPairs.size} pair(s) had ${K} consecutive ok result(s) since ${iso(spec.pass.sinceMs)}`,
          pairs: [...passPairs.values()].map((c) => view(c, 'ok')),
          atMs: now,
        });
        return true;
      }
      if (now >= spec.deadlineMs) {
        if (!spec.pass) {
          decide({ verdict: 'pass', reason: `no pair failed ${F} time(s) in a row before ${iso(spec.deadlineMs)}`, pairs: [], atMs: now });
          return true;
        }
        const short = [...passPairs.values()].filter((c) => c.ok < K);
        decide({
          verdict: 'timeout',
          reason: `deadline ${iso(spec.deadlineMs)} passed with ${short.length} of ${passPairs.size} pair(s) short of ${K} consecutive ok: ${describe(short, 'ok', K)}`,
          pairs: short.map((c) => view(c, 'ok')),
          atMs: now,
        });
        return true;
      }
      return false;
    };

    const onResult = (r: PairResult): void => {
      if (settled) return;
      const key = pairKey(r);
      const ok = r.class === 'ok';
      const probeError = r.class === 'probe-error';
      let touched = false;
      const p = passPairs.get(key);
      if (p && r.startedMs >= spec.pass!.sinceMs) {
        const before = p.ok >= K;
        p.ok = ok ? p.ok + 1 : 0;
        note(p, r);
        passing += Number(p.ok >= K) - Number(before);
        touched = true;
      }
      const h = haltPairs.get(key);
      if (h && (spec.halt!.sinceMs === undefined || r.startedMs >= spec.halt!.sinceMs)) {
        const [wasHalting, wasUnprobed] = [h.nonOk >= F, h.probeErrors >= E];
        h.nonOk = ok ? 0 : h.nonOk + (probeError ? 0 : 1);
        h.probeErrors = probeError ? h.probeErrors + 1 : 0;
        halting += Number(h.nonOk >= F) - Number(wasHalting);
        unprobedPairs += Number(h.probeErrors >= E) - Number(wasUnprobed);
        note(h, r);
        touched = true;
      }
      if (touched) check();
    };

    const unsubscribe = source.subscribe(onResult);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (check()) return;

    // The one timer: wake at the deadline (in steps, should a sleep return early).
    void (async () => {
      while (!settled && time.now() < spec.deadlineMs) {
        try {
          await time.sleep(spec.deadlineMs - time.now(), sleeper.signal);
        } catch {
          return; // settled meanwhile
        }
      }
      if (!settled) check();
    })();
  });
}

function validate(spec: GateSpec): void {
  if (!Number.isFinite(spec.deadlineMs)) throw new Error('gate needs a finite deadlineMs (epoch ms)');
  if (spec.pass && !(Number.isInteger(spec.pass.consecutiveOk) && spec.pass.consecutiveOk >= 1)) {
    throw new Error('pass.consecutiveOk must be a whole number >= 1');
  }
  if (spec.halt && !(Number.isInteger(spec.halt.consecutiveNonOk) && spec.halt.consecutiveNonOk >= 1)) {
    throw new Error('halt.consecutiveNonOk must be a whole number >= 1');
  }
  const E = spec.halt?.consecutiveProbeErrors;
  if (E !== undefined && !(Number.isInteger(E) && E >= 1)) throw new Error('halt.consecutiveProbeErrors must be a whole number >= 1');
  if (!spec.pass && !spec.halt) throw new Error('a gate needs a pass or a halt condition');
}

function counters(pairs: PairRef[]): Map<string, Counter> {
  return new Map(pairs.map((ref) => [pairKey(ref), { ref: { vpcId: ref.vpcId, name: ref.name }, ok: 0, nonOk: 0, probeErrors: 0, lastAnswers: [] }]));
}

function note(c: Counter, r: PairResult): void {
  c.last = r;
  c.lastClass = r.class;
  c.lastAnswers = r.answers;
}

function view(c: Counter, streak: 'ok' | 'nonOk' | 'probeErrors'): GatePair {
  return {
    vpcId: c.ref.vpcId,
    name: c.ref.name,
    class: c.lastClass ?? 'unprobed',
    answers: c.lastAnswers,
    consecutive: c[streak],
    ...(c.last?.reason !== undefined ? { reason: c.last.reason } : {}),
  };
}

function describe(cs: Counter[], streak: 'ok' | 'nonOk' | 'probeErrors', of?: number): string {
  const named = cs.slice(0, NAMED_IN_REASON).map((c) => {
    const answered =
      c.lastClass === undefined
        ? 'not probed yet'
        : c.lastClass === 'probe-error'
          ? `probe-error (${c.last?.reason ?? 'no reason given'})`
          : `${c.lastClass}${c.lastAnswers.length ? ` [${c.lastAnswers.join(', ')}]` : ''}`;
    const count = of !== undefined ? ` (${c[streak]}/${of})` : '';
    return `${c.ref.vpcId} ${c.ref.name}: ${answered}${count}`;
  });
  const more = cs.length > NAMED_IN_REASON ? `; and ${cs.length - NAMED_IN_REASON} more` : '';
  return named.join('; ') + more;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
