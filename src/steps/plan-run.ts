// The dry run as a value: from an assessed World, every step with every API call it would make,
// in order, carrying the world forward as if each batch succeeded, with who resolves what through
// which source after each step. Renderers print it; nothing here does I/O.
import type { World } from '../aws/world.js';
import { excludedVpcs, type Plan } from '../plan/schema.js';
import { apiCall, describeAction, type Action, type ApiCall } from '../aws/actions.js';
import { assess } from './assess.js';
import { unsafeBatch, walkStep } from './guard.js';
import { STEPS } from './index.js';
import { describeBreakage, describeVpc } from './invariant.js';
import { describeResolution, knownVpc, migratedNames, resolveName, type Resolution } from './resolution.js';
import { ROLLBACK_STEPS, rollbackFrom } from './rollback.js';
import type { Expectation, Path, StepContext, ZoneRestore } from './types.js';

export interface PlannedAction {
  action: Action;
  call?: ApiCall;
  description: string;
}

export interface PlannedStep {
  number: number;
  id: string;
  title: string;
  why: string;
  status: 'done' | 'partly done' | 'to do';
  batches: PlannedAction[][];
  /** Who resolves what, through which source, once the step is complete. */
  after: Expectation[];
}

/** Prepare (step 0) or its undo, as a step of a dry run: batches of calls, no DNS expectation (it changes no answer). */
export function phaseStep(o: { id: string; title: string; why: string; batches: Action[][] }): PlannedStep {
  return {
    number: 0,
    id: o.id,
    title: o.title,
    why: o.why,
    status: o.batches.length ? 'to do' : 'done',
    batches: o.batches.map((b) => b.map((a) => ({ action: a, call: apiCall(a), description: describeAction(a) }))),
    after: [],
  };
}

export type RunPlan =
  | { ok: true; path: Path; position: number; nothingToDo: boolean; steps: PlannedStep[]; warnings: string[]; mutatingCalls: number }
  | { ok: false; problems: string[]; warnings: string[] };

export function planRun(world: World, plan: Plan): RunPlan {
  const a = assess(world, plan);
  if (!a.ok) return a;
  let w = world;
  const steps: PlannedStep[] = [];
  const problems: string[] = [];
  const withoutAnswer = new Map<string, number[]>();
  let mutatingCalls = 0;
  for (const step of STEPS) {
    const batches: PlannedAction[][] = [];
    if (step.number >= a.position) {
      w = walkStep(w, step, a.ctx, ({ actions, before, after, index }) => {
        // The same check the run makes before it sends each batch, on the world carried forward.
        for (const b of unsafeBatch(before, a.ctx, step, actions, after)) problems.push(`step ${step.number} ${step.id}, batch ${index + 1}: ${describeBreakage(b)}`);
        batches.push(actions.map((act) => ({ action: act, call: apiCall(act), description: describeAction(act) })));
        mutatingCalls += actions.filter((act) => apiCall(act)).length;
      });
    }
    const status = step.number < a.position ? 'done' : step.number === a.position && a.partial ? 'partly done' : batches.length ? 'to do' : 'done';
    steps.push({ number: step.number, id: step.id, title: step.title, why: step.why, status, batches, after: step.expect(w, a.ctx) });
    for (const vpcId of excludedWithoutAnswer(w, a.ctx)) withoutAnswer.set(vpcId, [...(withoutAnswer.get(vpcId) ?? []), step.number]);
  }
  problems.push(...gapsNotClosed(w, a.ctx));
  // What the VPCs left out on purpose go through, for the people who review the plan.
  for (const [vpcId, accept] of excludedVpcs(plan)) {
    if (vpcId === plan.parkingVpc?.id) continue;
    const after = withoutAnswer.get(vpcId) ?? [];
    a.warnings.push(
      !knownVpc(world, vpcId)
        ? `excludedVpcs lists ${vpcId}, which depends on nothing this plan changes: the entry can go`
        : after.length
          ? `${vpcId} is excluded (accept: ${accept}): it is without its answer after step${after.length > 1 ? 's' : ''} ${after.join(', ')}`
          : `${vpcId} is excluded (accept: ${accept}): it keeps its answer after every step`,
    );
  }
  if (problems.length) return { ok: false, problems: [...new Set(problems)], warnings: a.warnings };
  return { ok: true, path: a.path, position: a.position, nothingToDo: a.position > STEPS.length, steps, warnings: a.warnings, mutatingCalls };
}

/**
 * The rollback's dry run: from an assessed World (on the path the run started from), every undo
 * step with every API call, in order, the world carried forward as if each batch succeeded, and
 * a check that it ends where the run started. `backups` are the zones' verified backups.
 */
export function planRollback(world: World, plan: Plan, o: { path: Path; backups: Record<string, ZoneRestore> }): RunPlan {
  const a = assess(world, plan, { path: o.path, then: 'roll back' });
  if (!a.ok) return a;
  const ctx: StepContext = { ...a.ctx, backups: o.backups };
  const from = rollbackFrom(world, ctx, a);
  let w = world;
  const steps: PlannedStep[] = [];
  const problems: string[] = [];
  let mutatingCalls = 0;
  // A re-created zone gets its id from AWS: the calls after its creation name it by the old one.
  const recreated = new Set<string>();
  const shown = (text: string) => [...recreated].reduce((t, z) => t.split(z).join(`(new id of ${z})`), text);
  for (const step of ROLLBACK_STEPS) {
    const batches: PlannedAction[][] = [];
    if (step.number <= from) {
      w = walkStep(w, step, ctx, ({ actions, before, after, index }) => {
        for (const b of unsafeBatch(before, ctx, step, actions, after)) problems.push(`${step.id}, batch ${index + 1}: ${describeBreakage(b)}`);
        batches.push(
          actions.map((act) => {
            const call = apiCall(act);
            return { action: act, ...(call ? { call: { ...call, params: JSON.parse(shown(JSON.stringify(call.params))) as Record<string, unknown> } } : {}), description: shown(describeAction(act)) };
          }),
        );
        for (const act of actions) if (act.kind === 'recreate-zone') recreated.add(act.zoneId);
        mutatingCalls += actions.filter((act) => apiCall(act)).length;
      });
    }
    steps.push({ number: step.number, id: step.id, title: step.title, why: step.why, status: step.number > from ? 'done' : batches.length ? 'to do' : 'done', batches, after: step.expect(w, ctx) });
  }
  const end = assess(w, plan, { path: o.path });
  if (from >= 1 && (!end.ok || end.position !== 1 || end.partial)) {
    problems.push(`the rollback would not bring the estate back to where the run started (path ${o.path}): ${end.ok ? `it would stop as if step ${end.position} were next` : end.problems.join('; ')} — this is a bug; nothing was changed`);
  }
  if (problems.length) return { ok: false, problems: [...new Set(problems)], warnings: a.warnings };
  return { ok: true, path: o.path, position: from, nothingToDo: from < 1, steps, warnings: a.warnings, mutatingCalls };
}

/** The excluded VPCs that depend on the plan and have no correct answer for some name in this world. */
function excludedWithoutAnswer(w: World, ctx: StepContext): string[] {
  const names = migratedNames(w, ctx);
  return [...excludedVpcs(ctx.plan).keys()].filter(
    (vpcId) => knownVpc(w, vpcId) && names.some(({ name, endpointId }) => !isAnswer(resolveName(w, ctx.plan, vpcId, name), endpointId)),
  );
}

const isAnswer = (r: Resolution, endpointId: string) => r.answer.kind === 'endpoint' && r.answer.endpointId === endpointId;

/** VPCs excluded with `accept: gap` must have their answer back once the run is complete. */
function gapsNotClosed(end: World, ctx: StepContext): string[] {
  const out: string[] = [];
  for (const [vpcId, accept] of excludedVpcs(ctx.plan)) {
    if (accept !== 'gap' || !knownVpc(end, vpcId)) continue;
    for (const { name, endpointId } of migratedNames(end, ctx)) {
      const r = resolveName(end, ctx.plan, vpcId, name);
      if (isAnswer(r, endpointId)) continue;
      const v = knownVpc(end, vpcId);
      out.push(
        `${describeVpc({ vpcId, account: v?.account ?? '', accountId: v?.accountId ?? '', inPlan: false })} is excluded with accept: gap, but once the migration is complete it would resolve ${name} to ${describeResolution(r)}: ` +
          `associate it with Profile ${ctx.plan.profile.id}, add it to spokes, or exclude it with accept: loss`,
      );
    }
  }
  return out;
}
