// Rollback as steps: the seven steps' undos in reverse order, each a Step the same machine runs
// (observe and plan → act → converge gate → DNS gate, batch by batch) — so a rollback is gated,
// checkpointed and resumable exactly as the forward run is. Undo k brings the estate from "step k
// done" back to "step k not started"; the order keeps every VPC's answer:
//   undo 7  re-create each deleted zone with its last holder, records INSYNC before anything else
//   undo 6  the spokes take the zones back wave by wave, the last first (same answer: the zone's alias)
//   undo 5  the endpoints leave the Profile (every VPC answers from a zone or its own endpoint)
//   undo 4  the zones rejoin the Profile (the spokes still prefer their direct association)
//   undo 3  Private DNS off (the shared-services VPC falls back to the zone on the Profile)
//   undo 2  the shared-services VPC takes the zones back (possible only once Private DNS is off)
//   undo 1  path A: the zones and VPCs leave the Profile; path B: the spokes let go of the zones
// Pure.
import type { World } from '../aws/world.js';
import type { Action } from '../aws/actions.js';
import { assess, driftBefore } from './assess.js';
import { expectAll, expectWithKeeperGap } from './expectations.js';
import { unsafeBatch } from './guard.js';
import { STEPS } from './index.js';
import { describeBreakage } from './invariant.js';
import type { Step, StepContext } from './types.js';

/** Rollback actions carry ids of their own: a forward intent in the journal is not a rollback's. */
const undoId = (a: Action): Action => ({ ...a, id: `undo:${a.id}` });

function undoStep(step: Step): Step {
  return {
    number: step.number,
    id: `undo-${step.id}`,
    title: `Undo of step ${step.number} (${step.title.charAt(0).toLowerCase()}${step.title.slice(1)})`,
    why: `back to the estate as it was before step ${step.number}`,
    desired: (ctx) => [`the estate is as it was before step ${step.number} (${step.id}) ran`],
    actions: (world, ctx) => step.undo(world, ctx).map(undoId),
    converged(world, ctx) {
      return step.undo(world, ctx).length === 0;
    },
    // Re-creating a zone with the keeper leaves it without an answer until the records are INSYNC.
    expect: (world, ctx) => (step.number === 7 ? expectWithKeeperGap(world, ctx) : expectAll(world, ctx)),
    undo: () => [],
  };
}

/** Undo 7 first, undo 1 last. */
export const ROLLBACK_STEPS: readonly Step[] = [...STEPS].reverse().map(undoStep);

/** The undo step a rollback starts at, from where the forward assessment places the estate (0: nothing to undo). */
export function rollbackStart(position: number, partial: boolean): number {
  return Math.min(STEPS.length, partial ? position : position - 1);
}

/**
 * Where a rollback starts in this world: as the assessment places it — unless a zone is missing
 * records its backup holds (a run killed between emptying and deleting it), which the assessment
 * can't see (records are not among its facts) and only undo 7 puts back.
 */
export function rollbackFrom(world: World, ctx: StepContext, a: { position: number; partial: boolean }): number {
  const refill = ROLLBACK_STEPS[0]!.actions(world, ctx).some((x) => x.kind === 'restore-records' || x.kind === 'recreate-zone');
  return refill ? STEPS.length : rollbackStart(a.position, a.partial);
}

/**
 * Why the next batch of an undo step must not be sent now, or nothing: it would leave a VPC
 * without its answer, the estate is not one a run of the steps produces, or it is not between
 * "step k done" and "step k not started" (someone moved it under the rollback).
 */
export function rollbackRefusals(world: World, ctx: StepContext, step: Step, actions: Action[]): string[] {
  const out = unsafeBatch(world, ctx, step, actions).map((b) => `refusing ${step.id}: ${describeBreakage(b)} — put the estate back as the rollback left it, then resume`);
  const a = assess(world, ctx.plan, { then: 'resume (the rollback goes on from where the estate stands)' });
  if (!a.ok) return [...out, ...a.problems.map((p) => `the estate changed under the rollback: ${p}`)];
  const drift = driftBefore(world, ctx, step.number);
  if (drift.length) {
    out.push(
      `the estate moved under the rollback: it is neither as step ${step.number} left it nor as it was before (${drift.join('; ')}); someone changed it outside r53migrate. Put it back, then resume`,
    );
  }
  return out;
}
