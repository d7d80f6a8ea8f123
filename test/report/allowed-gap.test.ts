// Without a parking VPC the keeper holds the zones until step 7 deletes them, and loses its answer
// for the seconds the deletion takes to be in sync: the one gap the run allows (README "the
// keeper's seconds"). The report a change board reads says so, and still shows red for anything
// else: another VPC's failure, or the keeper's outside step 7.
import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../src/probes/read-evidence.js';
import { renderReportHtml } from '../../src/report/html.js';
import { buildReportModel } from '../../src/report/model.js';
import { buildTimeline } from '../../src/report/timeline.js';
import type { RunState } from '../../src/state/schema.js';
import type { Plan } from '../../src/plan/schema.js';
import { twinEstate } from '../support/world.js';

const T0 = Date.UTC(2026, 11, 4, 2, 0, 0);
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

const ok = (vpcId: string, from: number, to: number): EvidenceRecord => ({
  kind: 'ok-run', vpcId, name: 'lambda', probeName: 'lambda', class: 'ok', answers: ['10.0.0.1'], fromMs: T0 + from * 1000, toMs: T0 + to * 1000, count: to - from + 1, maxLatencyMs: 1,
});
const nx = (vpcId: string, at: number): EvidenceRecord => ({
  kind: 'result', vpcId, name: 'lambda', probeName: 'lambda', class: 'nxdomain', answers: [], fromMs: T0 + at * 1000, toMs: T0 + at * 1000, count: 1, maxLatencyMs: 1, reason: 'NXDOMAIN',
});

function state(step7: [number, number]): RunState {
  return {
    schemaVersion: 4, toolVersion: '0.1.0', plan: { name: 'unit', file: 'plan.yaml', hash: 'h' }, definitionVersion: 'run-machine/1',
    createdAt: iso(0), updatedAt: iso(60), status: 'done', probeLog: 'p.probes.ndjson', backups: [], stats: {}, journal: [],
    timings: [{ step: 7, direction: 'forward', estimateMs: 10_000, startedAt: iso(step7[0]), endedAt: iso(step7[1]) }],
  } as RunState;
}

/** Every VPC of the plan ok for a minute, but for the results `gaps` gives instead. */
function evidence(plan: Plan, gaps: Record<string, number[]>): EvidenceRecord[] {
  const vpcs = [plan.sharedServicesVpc.id, ...plan.spokes.map((s) => s.id), ...(plan.parkingVpc ? [plan.parkingVpc.id] : [])];
  return vpcs.flatMap((v) => {
    const at = gaps[v] ?? [];
    if (!at.length) return [ok(v, 0, 60)];
    return [ok(v, 0, Math.min(...at) - 1), ...at.map((s) => nx(v, s)), ok(v, Math.max(...at) + 1, 60)];
  });
}

function report(plan: Plan, step7: [number, number], gaps: Record<string, number[]>) {
  const m = buildReportModel({ statePath: 's.state.json', state: state(step7), plan, log: [], timeline: buildTimeline(evidence(plan, gaps)), backups: [], generatedAt: iso(99), toolVersion: '0.1.0' });
  const verdict = /<p class="verdict ([a-z-]+)" id="verdict">(.*?)<\/p>/.exec(renderReportHtml(m))!;
  return { m, verdictClass: verdict[1], verdictText: verdict[2]! };
}

describe("the report and the keeper's allowed gap in step 7", () => {
  const { plan } = twinEstate({ scenario: 'direct', vpcs: 4, endpoints: 1, accounts: 2 });
  const keeper = plan.spokes.at(-1)!.id;

  it('the keeper not answering while step 7 deleted its zones is the allowed gap: amber, counted and named, no red', () => {
    const { m, verdictClass, verdictText } = report(plan, [30, 40], { [keeper]: [33, 34, 35] });
    expect(m.timeline.allowed).toEqual([{ vpcId: keeper, step: 'step 7', fromMs: 33_000, toMs: 35_000, results: 3 }]);
    expect(verdictClass).toBe('verdict-allowed');
    expect(verdictText).toContain(`3 on the keeper ${keeper} for 2 s in step 7`);
    expect(verdictText).toContain('no other VPC lost its answer');
  });

  it("the keeper's failures outside step 7 are not allowed: red", () => {
    const { m, verdictClass, verdictText } = report(plan, [45, 50], { [keeper]: [33, 34] });
    expect(m.timeline.allowed).toEqual([]);
    expect(verdictClass).toBe('verdict-bad');
    expect(verdictText).toMatch(/^2 of \d+ probe results were not ok, in 1 of 4 VPCs/);
  });

  it("another VPC failing in step 7 is red, counted apart from the keeper's allowed gap", () => {
    const other = plan.spokes[0]!.id;
    const { verdictClass, verdictText } = report(plan, [30, 40], { [keeper]: [33, 34, 35], [other]: [36] });
    expect(verdictClass).toBe('verdict-bad');
    expect(verdictText).toMatch(/^1 of \d+ probe results were not ok, in 1 of 4 VPCs: see the red strips in the timeline\. Besides them, the keeper's allowed gap: 3 on the keeper /);
  });

  it('with a parking VPC there is no keeper: every failure is red', () => {
    const parked = twinEstate({ scenario: 'direct', vpcs: 4, endpoints: 1, accounts: 2, parking: true }).plan;
    const last = parked.spokes.at(-1)!.id;
    const { m, verdictClass } = report(parked, [30, 40], { [last]: [33] });
    expect(m.timeline.allowed).toEqual([]);
    expect(verdictClass).toBe('verdict-bad');
  });
});
