// Probe gates with an injected clock: exact about when they pass, halt, time out or stop.
import { describe, expect, it } from 'vitest';
import type { ProbeClass } from '../../src/probes/classify.js';
import { awaitGate, type GateVerdict } from '../../src/probes/gate.js';
import { HealthBook, type PairResult } from '../../src/probes/health.js';
import type { ResultSource } from '../../src/probes/monitor.js';
import { ManualTime } from '../../src/probes/time.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const LAMBDA = 'lambda.us-east-1.amazonaws.com';
const S3 = '*.s3.us-east-1.amazonaws.com';
const pairs = [
  { vpcId: 'vpc-a', name: LAMBDA },
  { vpcId: 'vpc-b', name: LAMBDA },
  { vpcId: 'vpc-b', name: S3 },
];

/** A result stream the test feeds by hand (the monitor's contract, without the network). */
class FakeSource implements ResultSource {
  private listeners = new Set<(r: PairResult) => void>();
  readonly book = new HealthBook();
  constructor(private time: ManualTime) {}
  subscribe(l: (r: PairResult) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  health(p: { vpcId: string; name: string }) {
    return this.book.get(p);
  }
  get subscribers(): number {
    return this.listeners.size;
  }
  emit(vpcId: string, name: string, cls: ProbeClass, opts: { startedMs?: number; answers?: string[] } = {}): void {
    const now = this.time.now();
    const answers = opts.answers ?? (cls === 'ok' ? ['10.0.1.10'] : cls === 'public' ? ['198.51.100.7'] : []);
    const r: PairResult = { vpcId, name, probeName: name, class: cls, answers, latencyMs: 1, startedMs: opts.startedMs ?? now, atMs: now };
    this.book.record(r);
    for (const l of this.listeners) l(r);
  }
  round(cls: ProbeClass, except?: { vpcId: string; name: string; cls: ProbeClass }): void {
    for (const p of pairs) this.emit(p.vpcId, p.name, except && except.vpcId === p.vpcId && except.name === p.name ? except.cls : cls);
  }
}

function settledState(p: Promise<GateVerdict>): { value?: GateVerdict; error?: unknown } {
  const s: { value?: GateVerdict; error?: unknown } = {};
  p.then((v) => (s.value = v), (e) => (s.error = e));
  return s;
}
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('probe gate', () => {
  it('passes once every pair has K consecutive ok since T, not one result before', async () => {
    const time = new ManualTime(T0);
    const src = new FakeSource(time);
    const gate = awaitGate(src, { pass: { pairs, consecutiveOk: 3, sinceMs: T0 }, deadlineMs: T0 + 60_000 }, { time });
    const s = settledState(gate);
    src.round('ok');
    await time.advance(1000);
    src.round('ok');
    await time.advance(1000);
    // Two of three pairs reach 3; the third is one short.
    src.emit('vpc-a', LAMBDA, 'ok');
    src.emit('vpc-b', LAMBDA, 'ok');
    await flush();
    expect(s.value).toBeUndefined();
    src.emit('vpc-b', S3, 'ok');
    await flush();
    expect(s.value).toMatchObject({ verdict: 'pass', atMs: T0 + 2000 });
    expect(s.value!.pairs).toHaveLength(3);
    expect(s.value!.pairs.every((p) => p.consecutive === 3 && p.class === 'ok')).toBe(true);
    expect(src.subscribers).toBe(0);
    expect(time.pending).toBe(0); // the deadline sleep was cancelled
  });

  it('a non-ok result resets the ok streak', async () => {
    const time = new ManualTime(T0);
    const src = new FakeSource(time);
    const s = settledState(awaitGate(src, { pass: { pairs: pairs.slice(0, 1), consecutiveOk: 2, sinceMs: T0 }, deadlineMs: T0 + 60_000 }, { time }));
    src.emit('vpc-a', LAMBDA, 'ok');
    src.emit('vpc-a', LAMBDA, 'timeout');
    src.emit('vpc-a', LAMBDA, 'ok');
    await flush();
    expect(s.value).toBeUndefined();
    src.emit('vpc-a', LAMBDA, 'ok');
    await flush();
    expect(s.value?.verdict).toBe('pass');
  });

  it('counts only probes sent at or after T (a probe sent before the step proves nothing after it)', async () => {
    const time = new ManualTime(T0 + 5000);
    const src = new FakeSource(time);
    const s = settledState(awaitGate(src, { pass: { pairs: pairs.slice(0, 1), consecutiveOk: 1, sinceMs: T0 + 5000 }, deadlineMs: T0 + 60_000 }, { time }));
    src.emit('vpc-a', LAMBDA, 'ok', { startedMs: T0 + 4999 });
    await flush();
    expect(s.value).toBeUndefined();
    src.emit('vpc-a', LAMBDA, 'ok', { startedMs: T0 + 5000 });
    await flush();
    expect(s.value?.verdict).toBe('pass');
  });

  it('halts when any pair has F consecutive non-ok, naming the pair and what it answered', async () => {
    const time = new ManualTime(T0);
    const src = new FakeSource(time);
    const s = settledState(
      awaitGate(src, { pass: { pairs, consecutiveOk: 5, sinceMs: T0 }, halt: { pairs, consecutiveNonOk: 2 }, deadlineMs: T0 + 60_000 }, { time }),
    );
    src.round('ok', { vpcId: 'vpc-b', name: S3, cls: 'public' });
    await time.advance(1000);
    await flush();
    expect(s.value).toBeUndefined();
    src.round('ok', { vpcId: 'vpc-b', name: S3, cls: 'public' });
    await flush();
    expect(s.value).toMatchObject({
      verdict: 'halt',
      atMs: T0 + 1000,
      pairs: [{ vpcId: 'vpc-b', name: S3, class: 'public', answers: ['198.51.100.7'], consecutive: 2 }],
    });
    expect(s.value!.reason).toBe(`1 pair(s) had 2 consecutive non-ok result(s): vpc-b ${S3}: public [198.51.100.7]`);
  });

  it('a halt counts a non-ok streak already running when the gate starts (from the monitor health)', async () => {
    const time = new ManualTime(T0);
    const src = new FakeSource(time);
    src.emit('vpc-a', LAMBDA, 'servfail');
    src.emit('vpc-a', LAMBDA, 'servfail');
    const s = settledState(awaitGate(src, { halt: { pairs, consecutiveNonOk: 2 }, deadlineMs: T0 + 60_000 }, { time }));
    await flush();
    expect(s.value).toMatchObject({ verdict: 'halt', pairs: [{ vpcId: 'vpc-a', class: 'servfail', consecutive: 2 }] });
  });

  it('times out exactly at the deadline, naming the pairs short of K', async () => {
    const time = new ManualTime(T0);
    const src = new FakeSource(time);
    const s = settledState(awaitGate(src, { pass: { pairs, consecutiveOk: 2, sinceMs: T0 }, deadlineMs: T0 + 10_000 }, { time }));
    src.round('ok', { vpcId: 'vpc-a', name: LAMBDA, cls: 'nxdomain' });
    src.round('ok', { vpcId: 'vpc-a', name: LAMBDA, cls: 'nxdomain' });
    await time.advance(9_999);
    expect(s.value).toBeUndefined();
    await time.advance(1);
    expect(s.value).toMatchObject({
      verdict: 'timeout',
      atMs: T0 + 10_000,
      pairs: [{ vpcId: 'vpc-a', name: LAMBDA, class: 'nxdomain', answers: [], consecutive: 0 }],
    });
    expect(s.value!.reason).toContain('1 of 3 pair(s) short of 2 consecutive ok: vpc-a lambda.us-east-1.amazonaws.com: nxdomain (0/2)');
  });

  it('a deadline already past decides at once (a resumed run keeps its absolute budget)', async () => {
    const time = new ManualTime(T0 + 20_000);
    const src = new FakeSource(time);
    const v = await awaitGate(src, { pass: { pairs, consecutiveOk: 1, sinceMs: T0 }, deadlineMs: T0 + 10_000 }, { time });
    expect(v.verdict).toBe('timeout');
    expect(v.pairs.map((p) => p.class)).toEqual(['unprobed', 'unprobed', 'unprobed']);
  });

  it('a watch-only gate (no pass condition) passes at the deadline when nothing halted', async () => {
    const time = new ManualTime(T0);
    const src = new FakeSource(time);
    const s = settledState(awaitGate(src, { halt: { pairs, consecutiveNonOk: 2 }, deadlineMs: T0 + 5000 }, { time }));
    src.round('timeout');
    src.round('ok');
    src.round('timeout');
    await time.advance(5000);
    expect(s.value).toMatchObject({ verdict: 'pass', pairs: [] });
  });

  it('aborting rejects with the reason and leaves no subscription or sleep behind', async () => {
    const time = new ManualTime(T0);
    const src = new FakeSource(time);
    const ac = new AbortController();
    const gate = awaitGate(src, { pass: { pairs, consecutiveOk: 1, sinceMs: T0 }, deadlineMs: T0 + 60_000 }, { time, signal: ac.signal });
    await flush();
    expect(time.pending).toBe(1);
    ac.abort(new Error('operator pressed Ctrl-C'));
    await expect(gate).rejects.toThrow('operator pressed Ctrl-C');
    expect(src.subscribers).toBe(0);
    expect(time.pending).toBe(0);
  });

  it('an already aborted signal rejects without subscribing', async () => {
    const time = new ManualTime(T0);
    const src = new FakeSource(time);
    const ac = new AbortController();
    ac.abort(new Error('gone'));
    await expect(awaitGate(src, { halt: { pairs, consecutiveNonOk: 1 }, deadlineMs: T0 + 1 }, { time, signal: ac.signal })).rejects.toThrow('gone');
    expect(src.subscribers).toBe(0);
  });
});
