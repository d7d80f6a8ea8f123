// End to end on loopback: the monitor probes a direct estate, the twin breaks one VPC's resolution
// mid-run, and the halt gate fires naming that VPC within two probe intervals of the break, as
// measured in the probe log's own timestamps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitGate } from '../../src/probes/gate.js';
import { Monitor } from '../../src/probes/monitor.js';
import { EvidenceLog } from '../../src/probes/evidence-log.js';
import { Prober } from '../../src/probes/prober.js';
import { countByClass, readEvidence } from '../../src/probes/read-evidence.js';
import { disassociateVpcFromAllZones, startProbeSandbox, type ProbeSandbox } from './sandbox-support.js';

const INTERVAL_MS = 250;

let ps: ProbeSandbox;
let dir: string;
beforeAll(async () => {
  ps = await startProbeSandbox(4, 2);
  dir = mkdtempSync(join(tmpdir(), 'r53m-break-'));
});
afterAll(async () => {
  await ps?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('break to detection', () => {
  it('the halt gate fires naming the broken VPC within two probe intervals of the break', async () => {
    const path = join(dir, 'run.probes.ndjson');
    const log = EvidenceLog.open(path);
    const prober = new Prober({ timeoutMs: 100, retries: 1 });
    const monitor = new Monitor({ targets: ps.targets, intervalMs: INTERVAL_MS, jitterMs: INTERVAL_MS / 10, concurrency: 8, prober, log });
    const pairs = ps.targets.map((t) => ({ vpcId: t.vpcId, name: t.name }));
    const victim = ps.sb.info.vpcs[2]!.id;
    monitor.start();
    try {
      const start = Date.now();
      const healthy = await awaitGate(monitor, { pass: { pairs, consecutiveOk: 2, sinceMs: start }, deadlineMs: start + 40 * INTERVAL_MS });
      expect(healthy.verdict, healthy.reason).toBe('pass');

      const breakMs = Date.now();
      disassociateVpcFromAllZones(ps.sb, victim);
      const verdict = await awaitGate(monitor, { halt: { pairs, consecutiveNonOk: 1, sinceMs: breakMs }, deadlineMs: breakMs + 40 * INTERVAL_MS });
      await monitor.stop();
      log.close();

      expect(verdict.verdict).toBe('halt');
      expect(verdict.pairs.length).toBeGreaterThan(0);
      expect(verdict.pairs.every((p) => p.vpcId === victim && p.class === 'public')).toBe(true);
      expect(verdict.reason).toContain(victim);

      const records = [...readEvidence(path)];
      expect(countByClass(records).total).toBe(monitor.results);
      // Nothing answered before the break failed (a probe in flight at the break may see it); after it only the victim fails.
      expect(records.filter((r) => r.fromMs < breakMs && r.class !== 'ok')).toEqual([]);
      const nonOk = records.filter((r) => r.class !== 'ok');
      expect(nonOk.every((r) => r.kind === 'result' && r.count === 1), 'non-ok results are logged one by one').toBe(true);
      expect(new Set(nonOk.map((r) => r.vpcId))).toEqual(new Set([victim]));
      const firstNonOk = nonOk[0]!;
      expect(firstNonOk.fromMs - breakMs).toBeLessThanOrEqual(2 * INTERVAL_MS);
      expect(verdict.atMs - breakMs).toBeLessThanOrEqual(2 * INTERVAL_MS);
      expect(verdict.atMs).toBeGreaterThanOrEqual(firstNonOk.fromMs);
    } finally {
      await monitor.stop();
      await prober.close();
      log.close();
    }
  });
});
