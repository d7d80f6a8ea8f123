// Before every batch: may it be sent? From the observed World, the plan and the batch, the
// reasons not to — each saying what to do — or none. The dry run refuses a plan on them and the
// machine halts on them, so the engine's safety rests on what AWS says now, not on the plan being
// complete. Pure.
import type { World } from '../aws/world.js';
import { excludedVpcs } from '../plan/schema.js';
import { simulate, type Action } from '../aws/actions.js';
import { assess, driftBefore } from './assess.js';
import { breakages, describeBreakage, type Breakage } from './invariant.js';
import { resolveName, sameAnswer } from './resolution.js';
import type { Step, StepContext } from './types.js';

/** Batches per step are bounded: step 6 makes one per spoke, the others one or two. */
const MAX_BATCHES = 2000;

/**
 * Walks the batches a step still makes from this world, each carried forward as if it succeeded
 * (visit sees the world before and after it); returns the world once the step is complete.
 */
export function walkStep(world: World, step: Step, ctx: StepContext, visit: (batch: { actions: Action[]; before: World; after: World; index: number }) => void = () => undefined): World {
  let w = world;
  for (let index = 0; ; index++) {
    if (index >= MAX_BATCHES) throw new Error(`step ${step.number} ${step.id} did not converge in the dry run after ${MAX_BATCHES} batches (a bug)`);
    const actions = step.actions(w, ctx);
    if (!actions.length) return w;
    const after = simulate(w, actions);
    visit({ actions, before: w, after, index });
    w = after;
  }
}

/**
 * The (VPC, name) pairs a batch would leave without the answer they have now. Exempt: VPCs the
 * plan excludes on purpose, and the gaps a step declares (the keeper while step 7 empties and
 * deletes its zones) — those only when the answer is back, the same, once the step is complete.
 */
export function unsafeBatch(world: World, ctx: StepContext, step: Step, actions: Action[], after: World = simulate(world, actions)): Breakage[] {
  if (!actions.length) return [];
  const excluded = excludedVpcs(ctx.plan);
  let gaps: Set<string> | undefined;
  let end: World | undefined;
  return breakages(world, after, ctx).filter((b) => {
    if (excluded.has(b.vpcId)) return false;
    gaps ??= new Set(step.expect(world, ctx).filter((e) => e.during === 'may-gap').map((e) => `${e.vpcId}|${e.name}`));
    if (!gaps.has(`${b.vpcId}|${b.name}`)) return true;
    end ??= walkStep(after, step, ctx);
    return !sameAnswer(b.now, resolveName(end, ctx.plan, b.vpcId, b.name));
  });
}

/**
 * Why the next batch of `step` must not be sent now, or nothing: the estate is not one the run can
 * go on from (a VPC outside the plan started to depend on it, records were added to a zone, ...),
 * it moved back behind the step (someone undid an earlier step's change), or the batch would leave
 * a VPC without its answer.
 */
export function batchRefusals(world: World, ctx: StepContext, step: Step, actions: Action[]): string[] {
  // What the batch would break comes first: it says why the drift below matters.
  const unsafe = unsafeBatch(world, ctx, step, actions).map((b) => `refusing step ${step.number} ${step.id}: ${describeBreakage(b)}${adviceFor(b)}`);
  const a = assess(world, ctx.plan, { then: 'resume (with --accept-plan-change if you change the plan file to fix it)' });
  if (!a.ok) return [...unsafe, ...a.problems.map((p) => `the estate changed under the run: ${p}`)];
  if (a.position < step.number) {
    const drift = driftBefore(world, ctx, step.number);
    unsafe.push(
      `the estate moved back under the run: what steps before ${step.number} changed is partly undone (${drift.length ? drift.join('; ') : `it now looks like step ${a.position} is next`}); ` +
        `someone changed it outside r53migrate. Put it back as the run left it, then resume (r53migrate changes nothing before it is)`,
    );
  }
  return unsafe;
}

function adviceFor(b: Breakage): string {
  if (!b.inPlan) return ' — add the VPC to the plan (spokes) or exclude it (excludedVpcs), then resume';
  if (b.after.via === 'none') return ' — it is no longer reached through the Profile as the run left it (was its Profile association removed?): put it back, then resume';
  return ' — put the estate back as the run left it, then resume';
}
