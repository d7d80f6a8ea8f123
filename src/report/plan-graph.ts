// A dry run (the value `plan` prints) as a Mermaid flowchart, in run order: each step, each of its
// batches with its count of API calls, step 6's batches as the waves they are. It computes
// nothing: what a batch holds is what `planRun` said.
import type { Plan } from '../plan/schema.js';
import type { PlannedAction, PlannedStep, RunPlan } from '../steps/plan-run.js';
import { spokeWaves, waveOf } from '../steps/waves.js';

type OkPlan = Extract<RunPlan, { ok: true }>;

export interface FlowNode {
  id: string;
  /** Lines of the node's text. */
  lines: string[];
  shape: 'box' | 'terminal';
  done?: boolean;
}
export interface FlowEdge {
  from: string;
  to: string;
  label?: string;
}
export interface Flowchart {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Mermaid ends a quoted label at `"`, reads `#…;` as an entity and backticks as Markdown. */
const safeText = (text: string): string => text.replace(/"/g, "'").replace(/`/g, "'").replace(/#/g, ' ').replace(/[<>]/g, ' ').replace(/[;\r\n]+/g, ',');

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function planFlowchart(plan: Plan, run: OkPlan): Flowchart {
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  nodes.push({
    id: 'start',
    shape: 'terminal',
    lines: [`plan ${plan.name}, path ${run.path}`, run.nothingToDo ? 'the migration is complete' : `step ${run.position} is next`],
  });
  let last = 'start';
  // Leaving a batch means its gates passed: control plane settled, then every probed VPC resolving.
  let leaving: string | undefined;
  const link = (to: string) => {
    edges.push({ from: last, to, ...(leaving ? { label: leaving } : {}) });
    last = to;
  };
  for (const step of run.steps) {
    const id = `step${step.number}`;
    const calls = step.batches.reduce((n, b) => n + callsOf(b), 0);
    nodes.push({
      id,
      shape: 'box',
      lines: [`Step ${step.number} — ${step.title}`, step.batches.length ? `${step.status}: ${plural(step.batches.length, 'batch', 'batches')}, ${plural(calls, 'call')}` : step.status],
      ...(step.batches.length ? {} : { done: true }),
    });
    link(id);
    leaving = undefined;
    step.batches.forEach((batch, i) => {
      const batchId = `${id}_b${i + 1}`;
      nodes.push({ id: batchId, shape: 'box', lines: batchLines(plan, step, batch, i) });
      link(batchId);
      leaving = 'gates pass';
    });
  }
  nodes.push({ id: 'complete', shape: 'terminal', lines: ['migrated'] });
  link('complete');
  return { nodes, edges };
}

const callsOf = (batch: PlannedAction[]) => batch.filter((a) => a.call).length;

/** "batch 2, 9 calls" (or "wave 2 of 4, 3 VPCs, 9 calls"), then the calls by operation. */
function batchLines(plan: Plan, step: PlannedStep, batch: PlannedAction[], index: number): string[] {
  const calls = plural(callsOf(batch), 'call');
  const head = step.number === 6 ? `${describeWave(plan, batch)}, ${calls}` : `batch ${index + 1}, ${calls}`;
  const byOperation = new Map<string, number>();
  for (const a of batch) {
    // The operation alone names the call (the service would only make the line wrap).
    const what = a.call ? a.call.operation : `${a.action.kind} (no API call)`;
    byOperation.set(what, (byOperation.get(what) ?? 0) + 1);
  }
  return [head, ...[...byOperation].map(([what, n]) => `${n} × ${what}`)];
}

/** Step 6 moves one wave of spokes per batch: which wave, and how many VPCs it moves. */
function describeWave(plan: Plan, batch: PlannedAction[]): string {
  const vpcs = [...new Set(batch.flatMap((a) => ('vpcId' in a.action ? [a.action.vpcId] : [])))];
  const wave = vpcs.length ? waveOf(plan, vpcs[0]!) : undefined;
  return `${wave ? `wave ${wave} of ${spokeWaves(plan).length}` : 'wave'}, ${plural(vpcs.length, 'VPC')}`;
}

/** Mermaid `flowchart` text, top to bottom; steps with nothing left to do drawn greyed. */
export function renderFlowchart(f: Flowchart): string {
  const lines = ['flowchart TD'];
  for (const n of f.nodes) {
    const text = n.lines.map(safeText).join('<br/>');
    lines.push(`  ${n.id}${n.shape === 'terminal' ? `(["${text}"])` : `["${text}"]`}`);
  }
  for (const e of f.edges) lines.push(`  ${e.from} -->${e.label ? `|${safeText(e.label)}|` : ''} ${e.to}`);
  const done = f.nodes.filter((n) => n.done).map((n) => n.id);
  if (done.length) lines.push('  classDef done fill:#eeeeee,stroke:#999999,color:#666666', `  class ${done.join(',')} done`);
  return lines.join('\n') + '\n';
}
