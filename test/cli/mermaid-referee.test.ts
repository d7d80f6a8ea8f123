// The referee the diagram tests rely on (test/support/mermaid.ts) must catch the mistakes a
// generator really makes. Each case breaks the real diagrams one way and expects a complaint:
// Mermaid refusing the text, or reading a graph other than the one meant.
import { describe, expect, it } from 'vitest';
import { planFlowchart, renderFlowchart } from '../../src/report/plan-graph.js';
import { renderStateDiagram, stateDiagram } from '../../src/report/machine-graph.js';
import { buildRunMachine } from '../../src/machines/run-machine.js';
import { planRun } from '../../src/steps/plan-run.js';
import { meantFlow, meantState, mermaidProblems } from '../support/mermaid.js';
import { observedFromTwin, twinEstate } from '../support/world.js';

describe('the Mermaid referee, on the run machine', () => {
  const d = stateDiagram(buildRunMachine('forward'));
  const text = renderStateDiagram(d);
  const meant = meantState(d);
  /** The same mistake in the text and in what was meant: only the syntax is at fault. */
  const renamed = (from: string, to: string) => ({
    text: text.split(from).join(to),
    meant: { nodes: meant.nodes.map((n) => ({ ...n, id: n.id === from ? to : n.id, ...(n.parent === from ? { parent: to } : {}) })), edges: meant.edges.map((e) => ({ ...e, from: e.from === from ? to : e.from, to: e.to === from ? to : e.to })) },
  });

  it('passes the diagram as generated', async () => {
    expect(await mermaidProblems(text, meant)).toEqual([]);
  });

  it('a composite state left open (a missing closing brace)', async () => {
    const broken = text.replace(/\n {2}\}\n/, '\n');
    expect(await mermaidProblems(broken, meant)).toEqual([expect.stringMatching(/^not Mermaid: /)]);
  });

  it('a stray closing brace', async () => {
    const broken = text.replace('  state "done', '  }\n  state "done');
    expect((await mermaidProblems(broken, meant)).join('\n')).toMatch(/\}/);
  });

  it('a dash in a state id', async () => {
    const { text: t, meant: m } = renamed('step1_plan', 'step1-plan');
    expect(await mermaidProblems(t, m)).toEqual([expect.stringMatching(/^not Mermaid: /)]);
  });

  it('a space in a state id', async () => {
    const { text: t, meant: m } = renamed('step1_plan', 'step1 plan');
    expect(await mermaidProblems(t, m)).not.toEqual([]);
  });

  it('a semicolon in an edge label (Mermaid ends the statement there)', async () => {
    const broken = text.replace('step1_plan --> step1_act : act', 'step1_plan --> step1_act : act; then converge');
    const m = { ...meant, edges: meant.edges.map((e) => (e.from === 'step1_plan' && e.to === 'step1_act' ? { ...e, label: 'act; then converge' } : e)) };
    expect(await mermaidProblems(broken, m)).toContain('edge meant, not read: step1_plan --> step1_act : act; then converge');
  });

  it('a double quote inside a state name', async () => {
    const broken = text.replace('state "done (exit 0)" as done', 'state "done "ok" (exit 0)" as done');
    expect(await mermaidProblems(broken, meant)).not.toEqual([]);
  });

  it('an unknown keyword, and a wrong header', async () => {
    expect(await mermaidProblems(text.replace('state "Step 1', 'stat "Step 1'), meant)).not.toEqual([]);
    expect(await mermaidProblems(text.replace('stateDiagram-v2', 'stateDiagram-v3'), meant)).toEqual([expect.stringMatching(/^not Mermaid: /)]);
  });

  it('an edge to a state that was never declared (a misspelt target)', async () => {
    const broken = text.replace('step1 --> halted :', 'step1 --> hatled :');
    expect(await mermaidProblems(broken, meant)).toEqual(
      expect.arrayContaining(['state read, not meant: hatled "hatled"', 'edge meant, not read: step1 --> halted : halt (plan, converge, dns)']),
    );
  });

  it('an edge drawn twice, or one left out', async () => {
    const line = '  step2 --> step3 : step-done (plan)\n';
    expect(await mermaidProblems(text.replace(line, line + line), meant)).toEqual(['edge read, not meant: step2 --> step3 : step-done (plan)']);
    expect(await mermaidProblems(text.replace(line, ''), meant)).toEqual(['edge meant, not read: step2 --> step3 : step-done (plan)']);
  });
});

describe('the Mermaid referee, on a plan flowchart', () => {
  const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 4, endpoints: 1, accounts: 2, parking: true });
  const run = planRun(observedFromTwin(twin, plan), plan);
  if (!run.ok) throw new Error(run.problems.join('\n'));
  const f = planFlowchart(plan, run);
  const text = renderFlowchart(f);

  it('passes the flowchart as generated', async () => {
    expect(await mermaidProblems(text, meantFlow(f))).toEqual([]);
  });

  it('a double quote inside a label', async () => {
    expect(await mermaidProblems(text.replace('plan unit, path A', 'plan "unit", path A'), meantFlow(f))).toEqual([expect.stringMatching(/^not Mermaid: /)]);
  });

  it('`end` as a node id (a flowchart keyword)', async () => {
    expect(await mermaidProblems(text.split('complete').join('end'), meantFlow(f))).toEqual([expect.stringMatching(/^not Mermaid: /)]);
  });

  it('a space in a node id', async () => {
    expect(await mermaidProblems(text.split('step2_b1').join('step2 b1'), meantFlow(f))).not.toEqual([]);
  });
});
