// The monitor: rounds on an injected clock, bounded concurrency, every result in the probe log,
// health per pair, and a stop() that leaves nothing running.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Monitor, monitorConcurrency, type ProbeClient } from '../../src/probes/monitor.js';
import { EvidenceLog } from '../../src/probes/evidence-log.js';
import type { ProbeReply } from '../../src/probes/prober.js';
import { countByClass, readEvidence } from '../../src/probes/read-evidence.js';
import { buildTargets } from '../../src/probes/targets.js';
import { ManualTime } from '../../src/probes/time.js';
import { a, reply, startBadServer } from './bad-dns-server.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'r53m-probes-'));
  dirs.push(d);
  return d;
};

const targets = buildTargets(
  [
    { id: 'vpc-a', resolver: '127.0.0.1:5301' },
    { id: 'vpc-b', resolver: '127.0.0.1:5302' },
  ],
  [
    { name: 'lambda.us-east-1.amazonaws.com', ips: ['10.0.1.10'] },
    { name: '*.s3.us-east-1.amazonaws.com', ips: ['10.0.1.20'] },
  ],
);

/** A prober that answers from a table (per resolver port + name) after a step of the manual clock. */
class ScriptedProber implements ProbeClient {
  inFlight = 0;
  maxInFlight = 0;
  calls: string[] = [];
  constructor(private answer: (port: number, name: string) => string[] | 'timeout') {}
  async query(server: { port: number }, name: string): Promise<ProbeReply> {
    this.calls.push(`${server.port} ${name}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setImmediate(r));
    this.inFlight--;
    const got = this.answer(server.port, name);
    if (got === 'timeout') return { outcome: 'timeout', latencyMs: 3, attempts: 3, transport: 'udp' };
    return { outcome: 'reply', rcode: 'NOERROR', addresses: got, chain: [name], latencyMs: 2, attempts: 1, transport: 'udp' };
  }
}

async function until(what: string, cond: () => boolean): Promise<void> {
  // Bounded: a few seconds of 1 ms polls at most.
  for (let i = 0; i < 3000; i++) {
    if (cond()) return;
    await new Promise((r) => (i < 100 ? setImmediate(r) : setTimeout(r, 1)));
  }
  throw new Error(`never happened: ${what}`);
}

describe('monitor', () => {
  it('probes every pair once per interval (plus jitter) and logs every result (ok ones as runs per pair)', async () => {
    const time = new ManualTime(T0);
    const path = join(tmp(), 'run.probes.ndjson');
    const log = EvidenceLog.open(path);
    const prober = new ScriptedProber((_port, name) => (name.startsWith('r53migrate-probe.') ? ['10.0.1.20'] : ['10.0.1.10']));
    const monitor = new Monitor({ targets, intervalMs: 1000, jitterMs: 100, random: () => 0.5, concurrency: 2, prober, time, log });
    monitor.start();
    await until('round 1 done and parked', () => monitor.rounds === 1 && time.pending === 1);
    expect(prober.calls).toHaveLength(4);
    // Round 1 took no clock time, so the next starts one interval plus half the jitter later.
    await time.advance(1049);
    expect(prober.calls).toHaveLength(4);
    await time.advance(1);
    await until('round 2 done', () => monitor.rounds === 2 && time.pending === 1);
    await monitor.stop();
    log.close();

    const records = [...readEvidence(path)];
    expect(countByClass(records)).toEqual({ total: 8, ok: 8 });
    // Two rounds of all-ok answers: one run per pair, from the first round's time to the second's.
    expect(records.map((r) => [r.kind, r.fromMs, r.toMs, r.count])).toEqual(targets.map(() => ['ok-run', T0, T0 + 1050, 2]));
    expect(records[0]).toEqual({
      kind: 'ok-run',
      vpcId: 'vpc-a',
      name: 'lambda.us-east-1.amazonaws.com',
      probeName: 'lambda.us-east-1.amazonaws.com',
      class: 'ok',
      answers: ['10.0.1.10'],
      fromMs: T0,
      toMs: T0 + 1050,
      count: 2,
      rcode: 'NOERROR',
      maxLatencyMs: 2,
    });
    expect(records[1]).toMatchObject({ name: '*.s3.us-east-1.amazonaws.com', probeName: 'r53migrate-probe.s3.us-east-1.amazonaws.com', class: 'ok' });
    expect(prober.maxInFlight).toBe(2);
    expect(time.pending).toBe(0);
  });

  it('keeps health per pair: last class, consecutive ok / non-ok, last change time', async () => {
    const time = new ManualTime(T0);
    let broken = false;
    const prober = new ScriptedProber((port, name) =>
      broken && port === 5302 ? 'timeout' : [name.startsWith('r53migrate-probe.') ? '10.0.1.20' : '10.0.1.10'],
    );
    const monitor = new Monitor({ targets, intervalMs: 500, jitterMs: 0, prober, time });
    monitor.start();
    for (let round = 1; round <= 3; round++) {
      await until(`round ${round}`, () => monitor.rounds === round && time.pending === 1);
      if (round === 1) broken = true;
      await time.advance(500);
    }
    await until('round 4', () => monitor.rounds === 4 && time.pending === 1);
    await monitor.stop();
    const a1 = monitor.health({ vpcId: 'vpc-a', name: 'lambda.us-east-1.amazonaws.com' });
    const b1 = monitor.health({ vpcId: 'vpc-b', name: 'lambda.us-east-1.amazonaws.com' });
    expect(a1).toMatchObject({ lastClass: 'ok', consecutiveOk: 4, consecutiveNonOk: 0, lastChangeMs: T0 });
    expect(b1).toMatchObject({ lastClass: 'timeout', consecutiveOk: 0, consecutiveNonOk: 3, lastChangeMs: T0 + 500 });
  });

  it('stop() cancels probes in flight, flushes the log and leaves no socket or timer behind', async () => {
    const before = process.getActiveResourcesInfo();
    const server = await startBadServer((q, _t, nth) => (nth === 0 ? [{ send: reply(q, { answers: [a(q.questions![0]!.name, '10.0.1.10')] }) }] : []));
    const path = join(tmp(), 'stop.probes.ndjson');
    const log = EvidenceLog.open(path);
    const ts = buildTargets([{ id: 'vpc-a', resolver: `127.0.0.1:${server.port}` }], [{ name: 'lambda.us-east-1.amazonaws.com', ips: ['10.0.1.10'] }]);
    // Real time and a real prober: the second round's query is never answered, so it is in flight at stop().
    const monitor = new Monitor({ targets: ts, intervalMs: 20, jitterMs: 5, log });
    monitor.start();
    await until('two queries sent', () => server.received.length >= 2);
    await monitor.stop();
    log.close();
    await server.close();
    const count = (list: string[], kind: string) => list.filter((k) => k === kind).length;
    const kinds = ['UDPWrap', 'TCPWrap', 'Timeout', 'Immediate', 'FSReqCallback'];
    const leftovers = () => {
      const after = process.getActiveResourcesInfo();
      return kinds.filter((k) => count(after, k) > count(before, k));
    };
    // libuv frees a closed handle a loop turn after its close callback: wait (bounded) for that.
    await until('handles released', () => leftovers().length === 0).catch(() => undefined);
    expect(leftovers()).toEqual([]);
    const records = [...readEvidence(path)];
    expect(countByClass(records).total).toBe(monitor.results);
    expect(records[0]).toMatchObject({ vpcId: 'vpc-a', class: 'ok' });
    expect(monitor.running).toBe(false);
  });

  it('keeps enough probes in flight for a round of 300 VPCs × 12 names to fit its interval, and no more than a small estate needs', async () => {
    // 64 in flight at ~16 ms answer ~4,000 pairs a second: short of 3,600 pairs a second once the
    // process is busy with the run. The default grows with the pairs and the interval's shortness.
    expect(monitorConcurrency(4, 1000)).toBe(64);
    expect(monitorConcurrency(3600, 1000)).toBeGreaterThanOrEqual(100);
    expect(monitorConcurrency(3600, 100)).toBe(256);
    const many = buildTargets(
      Array.from({ length: 300 }, (_, i) => ({ id: `vpc-${i}`, resolver: `127.0.0.1:${6000 + i}` })),
      Array.from({ length: 12 }, (_, i) => ({ name: `svc${i}.us-east-1.amazonaws.com`, ips: ['10.0.1.10'] })),
    );
    const time = new ManualTime(T0);
    const prober = new ScriptedProber(() => ['10.0.1.10']);
    const monitor = new Monitor({ targets: many, intervalMs: 1000, jitterMs: 0, prober, time });
    monitor.start();
    await until('round 1 done', () => monitor.rounds === 1);
    await monitor.stop();
    expect(prober.calls).toHaveLength(3600);
    expect(prober.maxInFlight).toBe(monitorConcurrency(3600, 1000));
    expect(prober.maxInFlight).toBeGreaterThan(64);
  });
});
