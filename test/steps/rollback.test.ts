// The rollback as a pure dry run: from every point a forward run can stop at (each batch of each
// step, both paths, with and without a parking VPC), the undo steps lead back to where the run
// started, and no batch of the way back leaves a VPC without the answer it has.
import { describe, expect, it } from 'vitest';
import type { ObservedRecord, World } from '../../src/aws/world.js';
import { simulate } from '../../src/aws/actions.js';
import { assess } from '../../src/steps/assess.js';
import { planRollback, planRun, type RunPlan } from '../../src/steps/plan-run.js';
import { ROLLBACK_STEPS, rollbackRefusals, rollbackStart } from '../../src/steps/rollback.js';
import type { ZoneRestore } from '../../src/steps/types.js';
import { spokeWaves } from '../../src/steps/waves.js';
import { observedFromTwin, twinEstate } from '../support/world.js';

type Ok = Extract<RunPlan, { ok: true }>;
const ok = (r: RunPlan): Ok => {
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r;
};

/** What a backup made at step 7 would hold: each zone's records but the apex SOA and NS. */
function backupsOf(world: World): Record<string, ZoneRestore> {
  return Object.fromEntries(
    Object.values(world.zones).flatMap((z) =>
      z.exists
        ? [[z.id, { file: `/backups/${z.id}.json`, zoneName: z.name, comment: '', ownerAccountId: z.accountId, callerReference: `r53migrate-restore-${z.id}-1`, records: z.records.filter((r: ObservedRecord) => !((r.type === 'SOA' || r.type === 'NS') && r.name === z.name)) }]]
        : [],
    ),
  );
}

/** Every world a forward run passes through, batch by batch, with where it stands. */
function forwardWorlds(world: World, plan: Parameters<typeof planRun>[1]): World[] {
  const run = ok(planRun(world, plan));
  const out = [world];
  let w = world;
  for (const s of run.steps) for (const b of s.batches) out.push((w = simulate(w, b.map((x) => x.action))));
  return out;
}

const setups = [
  { title: 'path A', opts: { scenario: 'direct' as const, vpcs: 4, endpoints: 2, accounts: 2 } },
  { title: 'path B', opts: { scenario: 'via-profile' as const, vpcs: 4, endpoints: 2, accounts: 2 } },
  { title: 'path A, parking VPC', opts: { scenario: 'direct' as const, vpcs: 4, endpoints: 2, accounts: 2, parking: true } },
  { title: 'path B, parking VPC', opts: { scenario: 'via-profile' as const, vpcs: 4, endpoints: 2, accounts: 1, parking: true } },
];

describe.each(setups)('rollback dry run: $title', ({ opts }) => {
  const { twin, plan } = twinEstate(opts);
  const start = observedFromTwin(twin, plan);
  const path = ok(planRun(start, plan)).path;
  const backups = backupsOf(start);
  const worlds = forwardWorlds(start, plan);

  it('from every batch boundary of the forward run: back to the start, no batch breaking an answer', () => {
    expect(worlds.length).toBeGreaterThan(8);
    for (const [i, w] of worlds.entries()) {
      const back = planRollback(w, plan, { path, backups });
      expect(back.ok, `after forward batch ${i}: ${back.ok ? '' : back.problems.join('; ')}`).toBe(true);
      const end = simulate(w, (back as Ok).steps.flatMap((s) => s.batches.flat().map((b) => b.action)));
      const a = assess(end, plan, { path });
      expect(a.ok && a.position === 1 && !a.partial, `after forward batch ${i}`).toBe(true);
    }
  });

  it('from the start there is nothing to undo; from the end, every undo step runs, 7 first', () => {
    expect(ok(planRollback(start, plan, { path, backups })).nothingToDo).toBe(true);
    const full = ok(planRollback(worlds.at(-1)!, plan, { path, backups }));
    expect(full.position).toBe(7);
    expect(full.steps.map((s) => s.id)).toEqual(ROLLBACK_STEPS.map((s) => s.id));
    expect(full.steps.map((s) => s.status)).toEqual(['to do', 'to do', 'to do', 'to do', 'to do', 'to do', 'to do']);
    // undo 7: made with the VPC that held the zones last, then its records, before anything else
    const [make, fill] = full.steps[0]!.batches;
    const holder = plan.parkingVpc?.id ?? plan.spokes.at(-1)!.id;
    expect(make!.map((b) => b.call?.operation)).toEqual(Object.keys(backups).map(() => 'CreateHostedZone'));
    expect(make!.every((b) => (b.call!.params as { VPC: { VPCId: string } }).VPC.VPCId === holder)).toBe(true);
    expect(fill!.map((b) => b.call?.operation)).toEqual(Object.keys(backups).map(() => 'ChangeResourceRecordSets'));
    // undo 6: the plan's waves, the last first
    expect(full.steps[1]!.batches.map((batch) => [...new Set(batch.map((b) => (b.action as { vpcId: string }).vpcId))])).toEqual([...spokeWaves(plan)].reverse());
  });

  it(opts.parking ? 'with a parking VPC: step 6 moves every spoke and step 7 excuses no VPC' : 'without one: the keeper stays in step 6 and may lose its answer in step 7 (and in undo 7)', () => {
    const run = ok(planRun(start, plan));
    const moved = new Set(run.steps[5]!.batches.flat().map((b) => (b.action as { vpcId: string }).vpcId));
    const keeper = plan.spokes.at(-1)!.id;
    expect(moved.has(keeper)).toBe(!!opts.parking);
    const gaps = (after: { during: string; vpcId: string }[]) => [...new Set(after.filter((e) => e.during === 'may-gap').map((e) => e.vpcId))];
    expect(gaps(run.steps[6]!.after)).toEqual(opts.parking ? [] : [keeper]);
    expect(gaps(ok(planRollback(worlds.at(-1)!, plan, { path, backups })).steps[0]!.after)).toEqual(opts.parking ? [] : [keeper]);
  });
});

it('a rollback starts at the step the estate is in, or the one before a step not started', () => {
  expect(rollbackStart(8, false)).toBe(7);
  expect(rollbackStart(6, true)).toBe(6);
  expect(rollbackStart(6, false)).toBe(5);
  expect(rollbackStart(1, false)).toBe(0);
});

describe('the guard before every batch of a rollback: the estate moving under it', () => {
  const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 4, endpoints: 1, accounts: 2, parking: true });
  const start = observedFromTwin(twin, plan);
  const backups = backupsOf(start);
  const complete = forwardWorlds(start, plan).at(-1)!;
  const back = ok(planRollback(complete, plan, { path: 'A', backups }));
  // Walked back through undo 7 and undo 6: the spokes hold the zone again; undo 5 is next.
  const afterUndo6 = simulate(complete, back.steps.slice(0, 2).flatMap((s) => s.batches.flat().map((b) => b.action)));
  const ctx = { ...(assess(afterUndo6, plan, { path: 'A' }) as Extract<ReturnType<typeof assess>, { ok: true }>).ctx, backups };
  const undo5 = ROLLBACK_STEPS[2]!;
  const zoneId = plan.endpoints[0]!.zones[0]!;
  const spoke = plan.spokes[0]!;

  it('as the rollback left it: the next batch may go', () => {
    expect(rollbackRefusals(afterUndo6, ctx, undo5, undo5.actions(afterUndo6, ctx))).toEqual([]);
  });

  it("a colleague takes a spoke off the zone again: the endpoint's removal from the Profile would leave it without an answer, and the estate is not where the rollback left it — refused, naming both", () => {
    const drifted = simulate(afterUndo6, [{ id: 'x', step: 0, kind: 'disassociate-vpc', account: 'shared-services', zoneId, vpcId: spoke.id, region: plan.region }]);
    const refusals = rollbackRefusals(drifted, ctx, undo5, undo5.actions(drifted, ctx));
    expect(refusals.join('\n')).toMatch(new RegExp(`refusing undo-add-endpoint-to-profile: ${spoke.id} .* would lose its answer`));
    expect(refusals.join('\n')).toMatch(new RegExp(`the estate moved under the rollback: .*zone ${zoneId} is associated with ${spoke.id}: is false`));
  });
});
