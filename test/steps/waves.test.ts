// Step 6 in waves: the schedule is a pure function of the plan, and where a run stands in it is
// read off the world — so a halted, killed or drifted wave is finished before the next begins,
// and a rollback takes the waves back in reverse.
import { describe, expect, it } from 'vitest';
import { simulate, type Action } from '../../src/aws/actions.js';
import type { World } from '../../src/aws/world.js';
import { Plan } from '../../src/plan/schema.js';
import { planRun, type RunPlan } from '../../src/steps/plan-run.js';
import { assess } from '../../src/steps/assess.js';
import { detachSpokes } from '../../src/steps/06-detach-spokes.js';
import { spokeWaves, waveSizes } from '../../src/steps/waves.js';
import { observedFromTwin, twinEstate } from '../support/world.js';

type Ok = Extract<RunPlan, { ok: true }>;
const ok = (r: RunPlan): Ok => {
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r;
};
const vpcsOf = (actions: Action[]) => [...new Set(actions.map((a) => (a as { vpcId: string }).vpcId))];

describe('the wave schedule', () => {
  it('defaults to a canary of one, then doubling waves of at most 50: 299 spokes in 11 waves', () => {
    const sizes = waveSizes({ canary: 1, growth: 2, max: 50 }, 299);
    expect(sizes).toEqual([1, 2, 4, 8, 16, 32, 50, 50, 50, 50, 36]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(299);
  });

  it('presets: one at a time, half at a time, a 10 % canary then the rest', () => {
    expect(waveSizes('one-at-a-time', 4)).toEqual([1, 1, 1, 1]);
    expect(waveSizes('half-at-a-time', 5)).toEqual([3, 2]);
    expect(waveSizes('canary-10-percent', 25)).toEqual([3, 22]);
    expect(waveSizes('canary-10-percent', 1)).toEqual([1]);
  });

  it('a fractional growth still grows, and every wave moves at least one VPC', () => {
    expect(waveSizes({ canary: 1, growth: 1.5, max: 4 }, 10)).toEqual([1, 1, 2, 3, 3]);
    expect(waveSizes({ canary: 2, growth: 1, max: 2 }, 0)).toEqual([]);
  });

  it('the plan file: default, presets, and a clear error for a schedule that cannot be', () => {
    const base = { name: 'w', region: 'us-east-1', accounts: { a: {} }, profile: { id: 'rp-0123456789abcdef', account: 'a' }, sharedServicesVpc: { id: 'vpc-00000001', account: 'a' }, spokes: [{ id: 'vpc-00000002', account: 'a' }], endpoints: [{ id: 'vpce-00000001', zones: ['Z1'] }] };
    expect(Plan.parse(base).waves).toEqual({ canary: 1, growth: 2, max: 50 });
    expect(Plan.parse({ ...base, waves: 'half-at-a-time' }).waves).toBe('half-at-a-time');
    const bad = (waves: unknown) => Plan.safeParse({ ...base, waves }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    expect(bad({ canary: 5, max: 2 })).toMatch(/waves\.max: waves\.max must be at least waves\.canary/);
    expect(bad('all-at-once')).toMatch(/expected one of one-at-a-time, half-at-a-time, canary-10-percent, or \{ canary, growth, max \}/);
    expect(bad({ canary: 0 })).toMatch(/waves/);
    expect(bad({ canary: 1, speed: 3 })).toMatch(/waves/);
  });
});

describe('step 6 on an estate of 8 spokes and a parking VPC (waves 1, 2, 4, 1)', () => {
  const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 9, endpoints: 2, accounts: 3, parking: true });
  const start = observedFromTwin(twin, plan);
  const run = ok(planRun(start, plan));
  const waves = spokeWaves(plan);
  const ctx = () => {
    const a = assess(start, plan);
    if (!a.ok) throw new Error(a.problems.join('; '));
    return a.ctx;
  };
  /** The world once steps 1-5 are done: step 6 is next. */
  const atStep6 = simulate(start, run.steps.filter((s) => s.number < 6).flatMap((s) => s.batches.flat().map((b) => b.action)));

  it('cuts the spokes in plan order into waves, and the dry run moves one wave per batch', () => {
    expect(waves.map((w) => w.length)).toEqual([1, 2, 4, 1]);
    expect(waves.flat()).toEqual(plan.spokes.map((s) => s.id));
    const batches = run.steps[5]!.batches.map((b) => vpcsOf(b.map((x) => x.action)));
    expect(batches).toEqual(waves);
    // every zone of every spoke of the wave, in the one batch
    expect(run.steps[5]!.batches[2]!.length).toBe(4 * 2);
  });

  it('a wave stopped half-way (halt or kill) is finished before the next one starts', () => {
    const wave2 = detachSpokes.actions(simulate(atStep6, detachSpokes.actions(atStep6, ctx())), ctx());
    expect(vpcsOf(wave2)).toEqual(waves[1]);
    // one of wave 2's spokes moved, the other not: only the rest of wave 2 comes next
    const half = simulate(atStep6, [...detachSpokes.actions(atStep6, ctx()), ...wave2.filter((a) => (a as { vpcId: string }).vpcId === waves[1]![0])]);
    expect(vpcsOf(detachSpokes.actions(half, ctx()))).toEqual([waves[1]![1]]);
  });

  it("a spoke a colleague moved early is not moved again, and doesn't pull its wave forward", () => {
    const early = waves[2]![0]!;
    const zones = plan.endpoints.flatMap((e) => e.zones);
    const colleague = simulate(atStep6, zones.map((zoneId) => ({ id: `colleague:${zoneId}`, step: 6, account: 'colleague', kind: 'disassociate-vpc' as const, zoneId, vpcId: early, region: plan.region })));
    expect(vpcsOf(detachSpokes.actions(colleague, ctx()))).toEqual(waves[0]);
    let w: World = colleague;
    const seen: string[][] = [];
    for (let i = 0; i < 10 && detachSpokes.actions(w, ctx()).length; i++) {
      const batch = detachSpokes.actions(w, ctx());
      seen.push(vpcsOf(batch));
      w = simulate(w, batch);
    }
    expect(seen).toEqual([waves[0], waves[1], waves[2]!.filter((v) => v !== early), waves[3]]);
  });

  it('undo 6 takes the waves back in reverse, a half-moved wave first', () => {
    const end = simulate(atStep6, run.steps[5]!.batches.flat().map((b) => b.action));
    let w: World = end;
    const back: string[][] = [];
    for (let i = 0; i < 10 && detachSpokes.undo(w, ctx()).length; i++) {
      const batch = detachSpokes.undo(w, ctx());
      back.push(vpcsOf(batch));
      w = simulate(w, batch);
    }
    expect(back).toEqual([...waves].reverse());
    // halted in wave 3 with two of its four spokes moved: undo brings those two back first
    const upToWave2 = simulate(atStep6, run.steps[5]!.batches.slice(0, 2).flat().map((b) => b.action));
    const partOfWave3 = run.steps[5]!.batches[2]!.map((b) => b.action).filter((a) => waves[2]!.slice(0, 2).includes((a as { vpcId: string }).vpcId));
    expect(vpcsOf(detachSpokes.undo(simulate(upToWave2, partOfWave3), ctx()))).toEqual(waves[2]!.slice(0, 2));
  });
});
