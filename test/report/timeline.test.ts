// The report's timeline folds evidence into segments: the proof of continuity must survive the
// folding (a silence is never drawn as ok), and what went wrong must stay visible and explained.
import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../src/probes/read-evidence.js';
import { buildTimeline, TIMELINE_CLASSES } from '../../src/report/timeline.js';

const T0 = 1_800_000_000_000;
const ok = (vpcId: string, name: string, from: number, to: number, count: number): EvidenceRecord => ({
  kind: 'ok-run', vpcId, name, probeName: name, class: 'ok', answers: ['10.0.0.1'], fromMs: T0 + from, toMs: T0 + to, count, maxLatencyMs: 1,
});
const bad = (vpcId: string, name: string, at: number, cls: EvidenceRecord['class'], reason: string = cls): EvidenceRecord => ({
  kind: 'result', vpcId, name, probeName: name, class: cls, answers: [], fromMs: T0 + at, toMs: T0 + at, count: 1, maxLatencyMs: 1, reason,
});
const cls = (c: string) => TIMELINE_CLASSES.indexOf(c as never);

describe('buildTimeline', () => {
  it('runs of ok results a probe interval apart become one segment, whatever the log cut them into', () => {
    const t = buildTimeline([ok('vpc-a', 'n', 0, 59_000, 60), ok('vpc-a', 'n', 60_000, 119_000, 60), ok('vpc-a', 'n', 120_000, 130_000, 11)], { gapMs: 5_000 });
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0]!.strips[0]!.segments).toEqual([[0, 130_000, cls('ok'), 131]]);
    expect([t.results, t.nonOkResults]).toEqual([131, 0]);
  });

  it('a silence longer than the gap is not drawn: two segments with nothing between them', () => {
    const t = buildTimeline([ok('vpc-a', 'n', 0, 10_000, 11), ok('vpc-a', 'n', 40_000, 50_000, 11)], { gapMs: 5_000 });
    expect(t.rows[0]!.strips[0]!.segments).toEqual([
      [0, 10_000, cls('ok'), 11],
      [40_000, 50_000, cls('ok'), 11],
    ]);
  });

  it('non-ok results join per class, keep the first reason, and count against their row', () => {
    const t = buildTimeline([
      ok('vpc-a', 'n', 0, 10_000, 11),
      bad('vpc-a', 'n', 11_000, 'servfail', 'SERVFAIL'),
      bad('vpc-a', 'n', 12_000, 'servfail', 'SERVFAIL again'),
      bad('vpc-a', 'n', 13_000, 'nxdomain'),
      ok('vpc-a', 'n', 14_000, 20_000, 7),
      ok('vpc-b', 'n', 0, 20_000, 21),
    ]);
    const strip = t.rows[0]!.strips[0]!;
    expect(strip.segments).toEqual([
      [0, 10_000, cls('ok'), 11],
      [11_000, 12_000, cls('servfail'), 2],
      [13_000, 13_000, cls('nxdomain'), 1],
      [14_000, 20_000, cls('ok'), 7],
    ]);
    expect(strip.notes).toEqual({ 1: 'SERVFAIL', 2: 'nxdomain' });
    expect(t.rows.map((r) => [r.vpcId, r.nonOk])).toEqual([['vpc-a', 3], ['vpc-b', 0]]);
    expect(t.nonOkResults).toBe(3);
  });

  it("every row's strips come in one order of names, so a strip's place names it", () => {
    const t = buildTimeline([ok('vpc-a', 'x', 0, 1, 1), ok('vpc-b', 'y', 0, 1, 1), ok('vpc-b', 'x', 0, 1, 1), ok('vpc-a', 'y', 0, 1, 1)]);
    expect(t.rows.map((r) => r.strips.map((s) => s.name))).toEqual([['x', 'y'], ['x', 'y']]);
  });

  it('times are relative to the earlier of the run start and the first result; the end covers the last', () => {
    const t = buildTimeline([ok('vpc-a', 'n', 5_000, 9_000, 5)], { startMs: T0, endMs: T0 + 20_000 });
    expect([t.startMs, t.endMs]).toEqual([T0, T0 + 20_000]);
    expect(t.rows[0]!.strips[0]!.segments[0]).toEqual([5_000, 9_000, cls('ok'), 5]);
    const empty = buildTimeline([], { startMs: T0, endMs: T0 + 1000 });
    expect([empty.rows, empty.results, empty.endMs - empty.startMs]).toEqual([[], 0, 1000]);
  });

  it('two machines\' logs read one after the other (a run resumed elsewhere, then back): each pair in time order, the silences between sessions still undrawn', () => {
    // Machine 1 probed from 0 to 10 s and again from 40 to 50 s; machine 2 from 20 to 30 s, with a
    // SERVFAIL at 25 s. Read log by log, a pair's records come 0-10, 40-50, then 20-30.
    const machine1 = [ok('vpc-a', 'n', 0, 10_000, 11), ok('vpc-a', 'n', 40_000, 50_000, 11)];
    const machine2 = [ok('vpc-a', 'n', 20_000, 24_000, 5), bad('vpc-a', 'n', 25_000, 'servfail', 'SERVFAIL'), ok('vpc-a', 'n', 26_000, 30_000, 5)];
    const t = buildTimeline([...machine1, ...machine2], { gapMs: 5_000 });
    const strip = t.rows[0]!.strips[0]!;
    expect(strip.segments).toEqual([
      [0, 10_000, cls('ok'), 11],
      [20_000, 24_000, cls('ok'), 5],
      [25_000, 25_000, cls('servfail'), 1],
      [26_000, 30_000, cls('ok'), 5],
      [40_000, 50_000, cls('ok'), 11],
    ]);
    expect(strip.notes).toEqual({ 2: 'SERVFAIL' });
    expect([t.results, t.nonOkResults, strip.nonOk]).toEqual([33, 1, 1]);
    // The same evidence in time order folds the same way.
    const inOrder = buildTimeline([machine1[0]!, ...machine2, machine1[1]!], { gapMs: 5_000 });
    expect(inOrder.rows[0]!.strips[0]).toEqual(strip);
  });

  it('logs read one after the other join again where one machine took over within the gap', () => {
    const t = buildTimeline([ok('vpc-a', 'n', 12_000, 20_000, 9), ok('vpc-a', 'n', 0, 10_000, 11)], { gapMs: 5_000 });
    expect(t.rows[0]!.strips[0]!.segments).toEqual([[0, 20_000, cls('ok'), 20]]);
  });
});
