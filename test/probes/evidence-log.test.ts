// The compact probe log (format 2) and its reader: ok results folded into runs per pair, non-ok
// results in full, runs written by age so a crash loses a bounded window, and a reader that gives
// back exactly the results written, from this format and from format 1.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeClass } from '../../src/probes/classify.js';
import { EvidenceLog, PROBE_LOG_FORMAT } from '../../src/probes/evidence-log.js';
import { toLogLine, type PairResult } from '../../src/probes/health.js';
import { MemoryLog, NdjsonLog } from '../../src/probes/ndjson-log.js';
import { countByClass, countByPair, evidenceHoles, evidenceRecords, readEvidence } from '../../src/probes/read-evidence.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const LAMBDA = 'lambda.us-east-1.amazonaws.com';
const S3 = '*.s3.us-east-1.amazonaws.com';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'r53m-evidence-'));
  dirs.push(d);
  return d;
};

function result(vpcId: string, name: string, atMs: number, cls: ProbeClass = 'ok', extra: Partial<PairResult> = {}): PairResult {
  const ok = cls === 'ok';
  return {
    vpcId,
    name,
    probeName: name.startsWith('*.') ? `r53migrate-probe.${name.slice(2)}` : name,
    class: cls,
    answers: ok ? ['10.0.1.10', '10.0.2.10'] : cls === 'public' ? ['52.1.2.3'] : [],
    ...(cls === 'timeout' ? {} : { rcode: cls === 'servfail' ? 'SERVFAIL' : 'NOERROR' }),
    ...(ok ? {} : { reason: `${cls} for the test` }),
    latencyMs: 1.5,
    startedMs: atMs - 1.5,
    atMs,
    ...extra,
  };
}

/** The compact log over memory: what the sink wrote, header first. */
function memoryEvidence(maxRunMs?: number) {
  const out = new MemoryLog();
  const log = new EvidenceLog(out, maxRunMs ? { maxRunMs } : {});
  const lines = () => out.records as Record<string, unknown>[];
  return { log, lines, put: (r: PairResult) => log.append(toLogLine(r)) };
}

describe('compact probe log', () => {
  it('starts with a header naming the format and the longest a run stays open', () => {
    const { lines } = memoryEvidence(30_000);
    expect(lines()).toEqual([{ kind: 'format', format: PROBE_LOG_FORMAT, maxRunMs: 30_000 }]);
  });

  it('folds consecutive ok results of a pair into one run: first and last time, count, answers', () => {
    const { log, lines, put } = memoryEvidence();
    for (let s = 0; s < 5; s++) put(result('vpc-a', LAMBDA, T0 + s * 1000, 'ok', { latencyMs: s === 2 ? 7.25 : 1.5 }));
    expect(lines()).toHaveLength(1); // still open: nothing but the header yet
    log.close();
    expect(lines().slice(1)).toEqual([
      { kind: 'ok-run', vpc: 'vpc-a', name: LAMBDA, fromMs: T0, toMs: T0 + 4000, count: 5, answers: ['10.0.1.10', '10.0.2.10'], rcode: 'NOERROR', maxLatencyMs: 7.25 },
    ]);
  });

  it('a non-ok result ends the pair\'s run and is written in full, exactly as the per-result line', () => {
    const { log, lines, put } = memoryEvidence();
    put(result('vpc-a', LAMBDA, T0));
    put(result('vpc-a', LAMBDA, T0 + 1000));
    const bad = result('vpc-a', LAMBDA, T0 + 2000, 'servfail');
    put(bad);
    expect(lines().slice(1)).toEqual([
      expect.objectContaining({ kind: 'ok-run', fromMs: T0, toMs: T0 + 1000, count: 2 }),
      toLogLine(bad),
    ]);
    expect(lines()[2]).toEqual({
      time: '2026-01-01T09:00:02.000Z', epochMs: T0 + 2000, startedMs: T0 + 1998.5, vpc: 'vpc-a', name: LAMBDA,
      class: 'servfail', answers: [], latencyMs: 1.5, rcode: 'SERVFAIL', reason: 'servfail for the test',
    });
    put(result('vpc-a', LAMBDA, T0 + 3000));
    log.close();
    expect(lines().slice(1).map((l) => [l.kind ?? l.class, l.fromMs ?? l.epochMs])).toEqual([
      ['ok-run', T0],
      ['servfail', T0 + 2000],
      ['ok-run', T0 + 3000],
    ]);
  });

  it('answers that change start a new run (the change is in the log, not hidden in a count)', () => {
    const { log, lines, put } = memoryEvidence();
    put(result('vpc-a', LAMBDA, T0));
    put(result('vpc-a', LAMBDA, T0 + 1000));
    put(result('vpc-a', LAMBDA, T0 + 2000, 'ok', { answers: ['10.0.1.10'] }));
    put(result('vpc-a', LAMBDA, T0 + 3000, 'ok', { answers: ['10.0.1.10'] }));
    log.close();
    expect(lines().slice(1).map((l) => ({ answers: l.answers, fromMs: l.fromMs, toMs: l.toMs, count: l.count }))).toEqual([
      { answers: ['10.0.1.10', '10.0.2.10'], fromMs: T0, toMs: T0 + 1000, count: 2 },
      { answers: ['10.0.1.10'], fromMs: T0 + 2000, toMs: T0 + 3000, count: 2 },
    ]);
  });

  it('runs of different pairs interleave: one pair failing leaves the others\' runs open', () => {
    const { log, lines, put } = memoryEvidence();
    for (let s = 0; s < 4; s++) {
      put(result('vpc-a', LAMBDA, T0 + s * 1000));
      put(result('vpc-a', S3, T0 + s * 1000 + 10));
      put(result('vpc-b', LAMBDA, T0 + s * 1000 + 20, s === 2 ? 'timeout' : 'ok'));
    }
    expect(lines().slice(1).map((l) => `${l.vpc} ${l.kind ?? l.class} ${l.count ?? 1}`)).toEqual(['vpc-b ok-run 2', 'vpc-b timeout 1']);
    log.close();
    const runs = lines().slice(3);
    expect(runs.map((l) => `${l.vpc} ${l.name} ${l.fromMs}-${l.toMs} ×${l.count}`)).toEqual([
      `vpc-a ${LAMBDA} ${T0}-${T0 + 3000} ×4`,
      `vpc-a ${S3} ${T0 + 10}-${T0 + 3010} ×4`,
      `vpc-b ${LAMBDA} ${T0 + 3020}-${T0 + 3020} ×1`,
    ]);
    expect(runs[1]).toMatchObject({ probeName: 'r53migrate-probe.s3.us-east-1.amazonaws.com' });
  });

  it('close() writes every open run and closes the file; the reader gets them back', () => {
    const path = join(tmp(), 'run.probes.ndjson');
    const log = EvidenceLog.open(path);
    log.append(toLogLine(result('vpc-a', LAMBDA, T0)));
    log.append(toLogLine(result('vpc-b', LAMBDA, T0 + 5)));
    log.append(toLogLine(result('vpc-a', LAMBDA, T0 + 1000)));
    log.close();
    expect(() => log.append(toLogLine(result('vpc-a', LAMBDA, T0 + 2000)))).toThrow(/closed/);
    const records = [...readEvidence(path)];
    expect(records.map((r) => [r.kind, r.vpcId, r.count, r.fromMs, r.toMs])).toEqual([
      ['ok-run', 'vpc-a', 2, T0, T0 + 1000],
      ['ok-run', 'vpc-b', 1, T0 + 5, T0 + 5],
    ]);
  });

  it('writes a run once it is maxRunMs old, so a killed process loses at most that window of ok results', () => {
    const { lines, put } = memoryEvidence(60_000);
    // 150 s of ok, once a second, on the results' own clock: runs end at 60 s of age.
    for (let s = 0; s <= 150; s++) put(result('vpc-a', LAMBDA, T0 + s * 1000));
    const runs = lines().slice(1);
    expect(runs.map((l) => [l.fromMs, l.toMs, l.count])).toEqual([
      [T0, T0 + 60_000, 61],
      [T0 + 61_000, T0 + 121_000, 61],
    ]);
    // No close(): this is what a SIGKILL leaves. The written runs prove every second up to 121 s;
    // only the open run (122..150 s, under maxRunMs) is lost.
    const records = [...evidenceRecords(lines())];
    expect(evidenceHoles(records, 1000)).toEqual([]);
    expect(countByPair(records).get(`vpc-a|${LAMBDA}`)).toMatchObject({ results: 122, firstMs: T0, lastMs: T0 + 121_000 });
  });

  it('a pair that stops reporting still has its run written by age, as other pairs\' results move the clock', () => {
    const { lines, put } = memoryEvidence(60_000);
    put(result('vpc-a', LAMBDA, T0));
    put(result('vpc-a', LAMBDA, T0 + 1000));
    // vpc-a goes quiet; vpc-b carries on.
    for (let s = 2; s <= 61; s++) put(result('vpc-b', LAMBDA, T0 + s * 1000));
    expect(lines().slice(1).map((l) => [l.vpc, l.fromMs, l.toMs, l.count])).toEqual([['vpc-a', T0, T0 + 1000, 2]]);
    put(result('vpc-b', LAMBDA, T0 + 62_000));
    expect(lines().slice(1).map((l) => [l.vpc, l.fromMs, l.toMs, l.count])).toEqual([
      ['vpc-a', T0, T0 + 1000, 2],
      ['vpc-b', T0 + 2000, T0 + 62_000, 61],
    ]);
  });

  it('a pair whose results lag others\' (a second monitor) still has its run written at its own age', () => {
    const { lines, put } = memoryEvidence(60_000);
    put(result('vpc-a', LAMBDA, T0 + 30_000)); // opened first, but younger
    for (let s = 0; s <= 60; s++) put(result('vpc-b', LAMBDA, T0 + s * 1000));
    expect(lines().slice(1).map((l) => [l.vpc, l.fromMs, l.toMs, l.count])).toEqual([['vpc-b', T0, T0 + 60_000, 61]]);
  });

  it('SSM results fold per instance, keeping every command that answered; another instance starts a new run', () => {
    const { log, lines, put } = memoryEvidence();
    const ssm = (instanceId: string, commandId: string) => ({ via: { kind: 'ssm' as const, instanceId, commandId } });
    // Three answers per command (queriesPerRound 3), two commands, then the VPC's instance is replaced.
    for (const [i, cmd] of ['c-1', 'c-1', 'c-1', 'c-2', 'c-2', 'c-2'].entries()) put(result('vpc-a', LAMBDA, T0 + i * 1000, 'ok', ssm('i-1', cmd)));
    put(result('vpc-a', LAMBDA, T0 + 6000, 'ok', ssm('i-2', 'c-3')));
    log.close();
    expect(lines().slice(1)).toEqual([
      expect.objectContaining({ kind: 'ok-run', count: 6, via: 'ssm', instance: 'i-1', commandIds: ['c-1', 'c-2'] }),
      expect.objectContaining({ kind: 'ok-run', count: 1, via: 'ssm', instance: 'i-2', commandIds: ['c-3'] }),
    ]);
    expect([...evidenceRecords(lines())].map((r) => r.via)).toEqual([
      { kind: 'ssm', instanceId: 'i-1', commandIds: ['c-1', 'c-2'] },
      { kind: 'ssm', instanceId: 'i-2', commandIds: ['c-3'] },
    ]);
  });

  it('round trip: simulated results through the file sink read back with the same counts per pair and class', () => {
    const path = join(tmp(), 'round-trip.probes.ndjson');
    const log = EvidenceLog.open(path, { maxRunMs: 20_000 });
    const vpcs = ['vpc-a', 'vpc-b', 'vpc-c', 'vpc-d'];
    const names = [LAMBDA, S3, 'sqs.us-east-1.amazonaws.com'];
    const classes: ProbeClass[] = ['public', 'nxdomain', 'servfail', 'timeout', 'error', 'probe-error'];
    const written = new Map<string, Partial<Record<ProbeClass, number>>>();
    // A seeded generator, so a failure can be replayed.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let n = 0;
    for (let s = 0; s < 300; s++) {
      for (const vpc of vpcs) {
        for (const name of names) {
          const roll = rand();
          const cls: ProbeClass = roll < 0.05 ? classes[Math.floor(rand() * classes.length)]! : 'ok';
          const answers = roll > 0.98 ? ['10.0.9.9'] : undefined; // an occasional different ok answer
          log.append(toLogLine(result(vpc, name, T0 + s * 1000 + rand() * 100, cls, answers && cls === 'ok' ? { answers } : {})));
          const byClass = written.get(`${vpc}|${name}`) ?? {};
          byClass[cls] = (byClass[cls] ?? 0) + 1;
          written.set(`${vpc}|${name}`, byClass);
          n++;
        }
      }
    }
    log.close();
    const records = [...readEvidence(path)];
    const read = countByPair(records);
    expect(new Map([...read].map(([k, p]) => [k, p.byClass]))).toEqual(written);
    expect(countByClass(records).total).toBe(n);
    expect(records.filter((r) => r.kind === 'ok-run').length).toBeLessThan(n / 5);
    // Every pair was probed every second: no hole in anyone's evidence longer than one interval and the jitter.
    expect(evidenceHoles(records, 1100)).toEqual([]);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ kind: 'format', format: PROBE_LOG_FORMAT, maxRunMs: 20_000 });
  });
});

describe('reading probe logs', () => {
  it('reads a format-1 log (a line per result, no header) as records of one result each', () => {
    const path = join(tmp(), 'old.probes.ndjson');
    const old = [
      result('vpc-a', LAMBDA, T0),
      result('vpc-a', S3, T0 + 3),
      result('vpc-b', LAMBDA, T0 + 5, 'public'),
      result('vpc-a', LAMBDA, T0 + 1000, 'ok', { via: { kind: 'ssm', instanceId: 'i-1', commandId: 'c-1' } }),
    ];
    writeFileSync(path, old.map((r) => JSON.stringify(toLogLine(r)) + '\n').join(''));
    const records = [...readEvidence(path)];
    expect(records).toHaveLength(4);
    expect(records[0]).toEqual({
      kind: 'result', vpcId: 'vpc-a', name: LAMBDA, probeName: LAMBDA, class: 'ok', answers: ['10.0.1.10', '10.0.2.10'],
      fromMs: T0, toMs: T0, count: 1, rcode: 'NOERROR', maxLatencyMs: 1.5, startedMs: T0 - 1.5,
    });
    expect(records[1]!.probeName).toBe('r53migrate-probe.s3.us-east-1.amazonaws.com');
    expect(records[2]).toMatchObject({ class: 'public', answers: ['52.1.2.3'], reason: 'public for the test' });
    expect(records[3]!.via).toEqual({ kind: 'ssm', instanceId: 'i-1', commandIds: ['c-1'] });
    expect(countByClass(records)).toEqual({ total: 4, ok: 3, public: 1 });
  });

  it('reads a log a newer version appended to a format-1 one (a resumed run), and a torn line a crash left', () => {
    const path = join(tmp(), 'mixed.probes.ndjson');
    writeFileSync(path, JSON.stringify(toLogLine(result('vpc-a', LAMBDA, T0))) + '\n');
    // Killed mid-write: half a line, no newline.
    appendFileSync(path, JSON.stringify(toLogLine(result('vpc-a', LAMBDA, T0 + 1000))).slice(0, 40));
    const log = EvidenceLog.open(path);
    log.append(toLogLine(result('vpc-a', LAMBDA, T0 + 2000)));
    log.append(toLogLine(result('vpc-a', LAMBDA, T0 + 3000)));
    log.close();
    expect(readFileSync(path, 'utf8').split('\n')[2]).toMatch(/^\{"kind":"format"/);
    const records = [...readEvidence(path)];
    expect(records.map((r) => [r.kind, r.fromMs, r.count])).toEqual([
      ['result', T0, 1],
      ['ok-run', T0 + 2000, 2],
    ]);
    // The lost result shows as a hole in the evidence.
    expect(evidenceHoles(records, 1000)).toEqual([{ vpcId: 'vpc-a', name: LAMBDA, afterMs: T0, beforeMs: T0 + 2000 }]);
    // A torn line at the very end (a crash during the last write) is skipped too.
    appendFileSync(path, '{"kind":"ok-run","vpc":"vp');
    expect([...readEvidence(path)]).toHaveLength(2);
  });

  it('refuses a bad line in the middle and a format it does not know', () => {
    const dir = tmp();
    const bad = join(dir, 'bad.probes.ndjson');
    writeFileSync(bad, `${JSON.stringify(toLogLine(result('vpc-a', LAMBDA, T0)))}\nnot json\n${JSON.stringify(toLogLine(result('vpc-a', LAMBDA, T0 + 1)))}\n`);
    expect(() => [...readEvidence(bad)]).toThrow(/bad\.probes\.ndjson:2: not JSON/);
    const newer = join(dir, 'newer.probes.ndjson');
    writeFileSync(newer, '{"kind":"format","format":"r53migrate-probes/3"}\n');
    expect(() => [...readEvidence(newer)]).toThrow(/r53migrate-probes\/3.*newer r53migrate/);
  });

  it('reads lines longer than its read chunk, and characters cut across chunks', () => {
    const path = join(tmp(), 'long.probes.ndjson');
    const log = NdjsonLog.open(path);
    const reason = 'é'.repeat(700_000); // 1.4 MB of two-byte characters: crosses the 1 MiB chunk
    log.append(toLogLine(result('vpc-a', LAMBDA, T0, 'error', { reason })));
    log.append(toLogLine(result('vpc-a', LAMBDA, T0 + 1000, 'error')));
    log.close();
    const records = [...readEvidence(path)];
    expect(records.map((r) => r.reason?.length)).toEqual([700_000, 'error for the test'.length]);
    expect(records[0]!.reason).toBe(reason);
  });

  it('finds holes in a pair\'s evidence, and in its ok evidence alone', () => {
    const lines = [
      { kind: 'ok-run', vpc: 'vpc-a', name: LAMBDA, fromMs: T0, toMs: T0 + 10_000, count: 11, answers: ['10.0.1.10'], maxLatencyMs: 1 },
      toLogLine(result('vpc-a', LAMBDA, T0 + 11_000, 'servfail')),
      toLogLine(result('vpc-a', LAMBDA, T0 + 12_000, 'servfail')),
      { kind: 'ok-run', vpc: 'vpc-a', name: LAMBDA, fromMs: T0 + 13_000, toMs: T0 + 20_000, count: 8, answers: ['10.0.1.10'], maxLatencyMs: 1 },
      { kind: 'ok-run', vpc: 'vpc-b', name: LAMBDA, fromMs: T0, toMs: T0 + 5_000, count: 6, answers: ['10.0.1.10'], maxLatencyMs: 1 },
      { kind: 'ok-run', vpc: 'vpc-b', name: LAMBDA, fromMs: T0 + 9_000, toMs: T0 + 20_000, count: 12, answers: ['10.0.1.10'], maxLatencyMs: 1 },
    ];
    const records = [...evidenceRecords(lines)];
    expect(evidenceHoles(records, 1000)).toEqual([{ vpcId: 'vpc-b', name: LAMBDA, afterMs: T0 + 5_000, beforeMs: T0 + 9_000 }]);
    expect(evidenceHoles(records, 1000, { okOnly: true })).toEqual([
      { vpcId: 'vpc-a', name: LAMBDA, afterMs: T0 + 10_000, beforeMs: T0 + 13_000 },
      { vpcId: 'vpc-b', name: LAMBDA, afterMs: T0 + 5_000, beforeMs: T0 + 9_000 },
    ]);
  });
});
