// Step 6's wave schedule: which spokes move together. A pure function of the plan, so `plan`,
// `apply`, `resume` and `rollback` all cut the same waves, and where a run stands is read off the
// world (the first wave with a spoke still on a zone), never off a counter that a crash could lose.
import type { Plan } from '../plan/schema.js';
import { keeper, spokes } from './facts.js';

/** How many VPCs each wave moves, for `count` spokes in all (sums to `count`). */
export function waveSizes(waves: Plan['waves'], count: number): number[] {
  if (count <= 0) return [];
  const schedule =
    waves === 'one-at-a-time'
      ? { canary: 1, growth: 1, max: 1 }
      : waves === 'half-at-a-time'
        ? { canary: Math.ceil(count / 2), growth: 1, max: Math.ceil(count / 2) }
        : waves === 'canary-10-percent'
          ? { canary: Math.ceil(count / 10), growth: count, max: count }
          : waves;
  const out: number[] = [];
  let size = schedule.canary;
  for (let left = count; left > 0; ) {
    const n = Math.min(left, Math.max(1, Math.floor(size)));
    out.push(n);
    left -= n;
    size = Math.min(schedule.max, size * schedule.growth);
  }
  return out;
}

/** The spokes step 6 moves (every spoke but the keeper), in plan order, cut into waves. */
export function spokeWaves(plan: Plan): string[][] {
  const k = keeper(plan);
  const moving = spokes(plan).filter((s) => s !== k);
  let at = 0;
  return waveSizes(plan.waves, moving.length).map((n) => moving.slice(at, (at += n)));
}

/** The wave a spoke moves in (1-based), or undefined for the keeper and VPCs that aren't spokes. */
export function waveOf(plan: Plan, vpcId: string): number | undefined {
  const i = spokeWaves(plan).findIndex((w) => w.includes(vpcId));
  return i < 0 ? undefined : i + 1;
}

/** "1, 2, 4, 8 (15 VPCs in 4 waves)": a schedule in one line, for `plan` and `--help`. */
export function describeWaves(plan: Plan): string {
  const waves = spokeWaves(plan);
  const total = waves.reduce((n, w) => n + w.length, 0);
  return `${waves.map((w) => w.length).join(', ')} (${total} VPC${total === 1 ? '' : 's'} in ${waves.length} wave${waves.length === 1 ? '' : 's'})`;
}
