// `r53migrate graph PLAN` draws the dry run `plan` prints: a node per step, per batch with its
// count of calls, per wave of step 6 with its VPCs, one path through them in run order.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/aws/actions.js';
import { planFlowchart, renderFlowchart, type Flowchart } from '../../src/report/plan-graph.js';
import { planRun, type RunPlan } from '../../src/steps/plan-run.js';
import { spokeWaves } from '../../src/steps/waves.js';
import { meantFlow, mermaidProblems } from '../support/mermaid.js';
import { observedFromTwin, twinEstate } from '../support/world.js';

type Ok = Extract<RunPlan, { ok: true }>;
const ok = (r: RunPlan): Ok => {
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r;
};

/** The nodes in the order the edges visit them, from start; fails on a fork, a loop or a dead end. */
function walk(f: Flowchart): string[] {
  const order = ['start'];
  for (let at = 'start'; at !== 'complete'; ) {
    const out = f.edges.filter((e) => e.from === at);
    if (out.length !== 1 || order.includes(out[0]!.to)) throw new Error(`no single way on from ${at}: ${out.map((e) => e.to).join(', ')}`);
    at = out[0]!.to;
    order.push(at);
  }
  return order;
}

describe('the flowchart of a dry run: 8 spokes, 2 endpoints, 3 accounts, a parking VPC (waves 1, 2, 4, 1)', () => {
  const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 9, endpoints: 2, accounts: 3, parking: true });
  const start = observedFromTwin(twin, plan);
  const run = ok(planRun(start, plan));
  const f = planFlowchart(plan, run);
  const label = (id: string) => f.nodes.find((n) => n.id === id)?.lines ?? [];

  it('one path in run order: start, each step followed by its batches, then the end', () => {
    const expected = ['start', ...run.steps.flatMap((s) => [`step${s.number}`, ...s.batches.map((_, i) => `step${s.number}_b${i + 1}`)]), 'complete'];
    expect(walk(f)).toEqual(expected);
    expect(f.nodes.map((n) => n.id).sort()).toEqual([...expected].sort());
    expect(label('start')).toEqual(['plan unit, path A', 'step 1 is next']);
  });

  it("each batch says how many API calls it makes, and what they are: the dry run's own batches", () => {
    for (const s of run.steps) {
      const calls = s.batches.map((b) => b.filter((a) => a.call).length);
      expect(label(`step${s.number}`)[1]).toBe(`to do: ${s.batches.length} batch${s.batches.length === 1 ? '' : 'es'}, ${calls.reduce((a, b) => a + b, 0)} calls`);
      s.batches.forEach((b, i) => {
        const head = label(`step${s.number}_b${i + 1}`)[0]!;
        expect(head).toMatch(new RegExp(`, ${calls[i]} calls?$`));
        const listed = label(`step${s.number}_b${i + 1}`)
          .slice(1)
          .reduce((n, l) => n + Number(/^(\d+) × /.exec(l)![1]), 0);
        expect(listed).toBe(b.length);
      });
    }
    expect(label('step1_b1')[0]).toBe(`batch 1, ${run.steps[0]!.batches[0]!.filter((a) => a.call).length} calls`);
    expect(label('step7_b1').some((l) => /backup-zone \(no API call\)/.test(l))).toBe(true);
  });

  it('step 6 is drawn wave by wave, each with its number of VPCs', () => {
    const waves = spokeWaves(plan);
    const step6 = run.steps.find((s) => s.number === 6)!;
    expect(step6.batches.length).toBe(waves.length);
    waves.forEach((w, i) => {
      // one disassociation per zone (2 endpoints, a zone each) and spoke of the wave
      expect(label(`step6_b${i + 1}`)[0]).toBe(`wave ${i + 1} of 4, ${w.length} VPC${w.length === 1 ? '' : 's'}, ${w.length * 2} calls`);
    });
  });

  it('leaving a batch means its gates passed', () => {
    expect(f.edges.filter((e) => e.from.includes('_b')).every((e) => e.label === 'gates pass')).toBe(true);
    expect(f.edges.filter((e) => !e.from.includes('_b')).every((e) => e.label === undefined)).toBe(true);
  });

  it('is valid Mermaid, and Mermaid reads back exactly these nodes, labels and edges', async () => {
    const text = renderFlowchart(f);
    expect(text.split('\n')[0]).toBe('flowchart TD');
    expect(await mermaidProblems(text, meantFlow(f))).toEqual([]);
  });

  it('a part-way estate: the steps already done are greyed and have no batches; the run starts where the estate is', async () => {
    const atStep3 = simulate(start, run.steps.filter((s) => s.number < 3).flatMap((s) => s.batches.flat().map((b) => b.action)));
    const later = ok(planRun(atStep3, plan));
    const g = planFlowchart(plan, later);
    expect(g.nodes.find((n) => n.id === 'start')!.lines[1]).toBe('step 3 is next');
    expect(g.nodes.filter((n) => n.done).map((n) => n.id)).toEqual(['step1', 'step2']);
    expect(walk(g).slice(0, 4)).toEqual(['start', 'step1', 'step2', 'step3']);
    const text = renderFlowchart(g);
    expect(text).toMatch(/^ {2}class step1,step2 done$/m);
    expect(await mermaidProblems(text, meantFlow(g))).toEqual([]);
  });

  it('a migrated estate: every step done, nothing to run', () => {
    const end = simulate(start, run.steps.flatMap((s) => s.batches.flat().map((b) => b.action)));
    const g = planFlowchart(plan, ok(planRun(end, plan)));
    expect(g.nodes.find((n) => n.id === 'start')!.lines[1]).toBe('the migration is complete');
    expect(walk(g)).toEqual(['start', ...run.steps.map((s) => `step${s.number}`), 'complete']);
  });
});
