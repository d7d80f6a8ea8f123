// The resolution model and the guard before every batch: pure, plain Worlds in. The model is
// checked against the twin's own resolvers (one set of rules, two users), and the guard against
// the estates real operators have: a VPC nobody listed, a colleague's change in the window.
import { describe, expect, it } from 'vitest';
import type { World } from '../../src/aws/world.js';
import { Plan } from '../../src/plan/schema.js';
import { simulate, type Action } from '../../src/aws/actions.js';
import { batchRefusals, unsafeBatch } from '../../src/steps/guard.js';
import { STEPS } from '../../src/steps/index.js';
import { planRun, type RunPlan } from '../../src/steps/plan-run.js';
import { resolveName } from '../../src/steps/resolution.js';
import { PUBLIC_V4_PREFIX, resolveInVpc } from '../../src/twin/resolution.js';
import type { World as TwinWorld } from '../../src/twin/world.js';
import { applyToTwin, observedFromTwin, twinEstate } from '../support/world.js';

type Ok = Extract<RunPlan, { ok: true }>;
const ok = (r: RunPlan): Ok => {
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r;
};

/** What the twin's resolver answers, in the model's terms. */
function twinAnswer(twin: TwinWorld, vpcId: string, name: string): string {
  const r = resolveInVpc(twin, vpcId, name.replace(/^\*\./, 'probe.'), 'A', Date.UTC(2030, 0, 1));
  const ips = r.answers.filter((a) => a.type === 'A').map((a) => a.data).sort();
  if (r.rcode !== 'NOERROR' || !ips.length) return 'no-answer';
  if (ips.every((ip) => ip.startsWith(PUBLIC_V4_PREFIX))) return 'public';
  const ep = twin.endpoints.find((e) => {
    const enis = twin.networkInterfaces.filter((n) => e.networkInterfaceIds.includes(n.id)).map((n) => n.privateIp).sort();
    return enis.join(',') === ips.join(',');
  });
  return ep ? `endpoint ${ep.id}` : `other ${ips.join(',')}`;
}

function modelAnswer(world: World, plan: Plan, vpcId: string, name: string): string {
  const r = resolveName(world, plan, vpcId, name);
  return r.answer.kind === 'endpoint' ? `endpoint ${r.answer.endpointId}` : r.answer.kind === 'other' ? 'other' : r.answer.kind;
}

/** A plan for the estate that leaves out `left` (they stay in the twin, outside the plan). */
function planWithout(plan: Plan, left: string[], extra: Partial<Plan> = {}): Plan {
  return Plan.parse({
    ...plan,
    spokes: plan.spokes.filter((s) => !left.includes(s.id)),
    probes: { ...plan.probes, resolvers: {} },
    ...extra,
  });
}

describe('the resolution model agrees with the twin resolvers (one set of rules)', () => {
  for (const scenario of ['direct', 'via-profile'] as const) {
    it(`${scenario}: after every batch of the seven steps, every VPC × name resolves in the model as the twin answers it`, () => {
      const { twin, plan } = twinEstate({ scenario, vpcs: 4, endpoints: 3, accounts: 2 });
      const run = ok(planRun(observedFromTwin(twin, plan), plan));
      const names = twin.endpoints.flatMap((e) => e.privateDnsNames);
      let compared = 0;
      for (const batch of run.steps.flatMap((s) => s.batches)) {
        for (const a of batch) applyToTwin(twin, a.action);
        const world = observedFromTwin(twin, plan);
        for (const v of twin.vpcs) {
          for (const n of names) {
            expect(modelAnswer(world, plan, v.id, n), `${v.id} ${n} after ${batch.map((b) => b.description).join('; ')}`).toBe(twinAnswer(twin, v.id, n));
            compared++;
          }
        }
      }
      expect(compared).toBeGreaterThan(100);
    });
  }

  it('drift the plan never makes: a spoke off the Profile, a zone on a VPC outside the plan, Private DNS off — the model still answers as the twin does', () => {
    const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 5, endpoints: 2, accounts: 2 });
    const run = ok(planRun(observedFromTwin(twin, plan), plan));
    for (const s of run.steps.filter((x) => x.number <= 5)) for (const a of s.batches.flat()) applyToTwin(twin, a.action);
    const spoke = plan.spokes[0]!.id;
    const perturbations: ((t: TwinWorld) => void)[] = [
      (t) => (t.profileAssociations = t.profileAssociations.filter((a) => a.resourceId !== spoke)),
      (t) => t.zones.forEach((z) => (z.vpcs = z.vpcs.filter((v) => v.vpcId !== spoke))),
      (t) => (t.endpoints[0]!.privateDnsEnabled = false),
      (t) => (t.zones[0]!.records = t.zones[0]!.records.filter((r) => r.type === 'SOA' || r.type === 'NS')),
    ];
    for (const p of perturbations) {
      p(twin);
      const world = observedFromTwin(twin, plan);
      for (const v of twin.vpcs) for (const n of twin.endpoints.flatMap((e) => e.privateDnsNames)) expect(modelAnswer(world, plan, v.id, n), `${v.id} ${n}`).toBe(twinAnswer(twin, v.id, n));
    }
  });
});

describe('VPCs outside the plan', () => {
  it('path A: a spoke associated with the zone but left out of the plan is refused before any change, with its id, its account and what to do', () => {
    const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 4, endpoints: 1, accounts: 2 });
    const left = plan.spokes[0]!;
    const partial = planWithout(plan, [left.id]);
    const r = planRun(observedFromTwin(twin, partial), partial);
    expect(r.ok).toBe(false);
    const problems = (r as { problems: string[] }).problems.join('\n');
    expect(problems).toContain(`${left.id} (account ${left.account} `);
    expect(problems).toMatch(/not in the plan\) is associated with zone Z[0-9A-Z]+, so the migration changes what it resolves: add it to spokes.*excludedVpcs/);
  });

  it('path B: a VPC on the Profile but not in the plan is refused (it would fall through between steps 4 and 5)', () => {
    const { twin, plan } = twinEstate({ scenario: 'via-profile', vpcs: 4, endpoints: 1, accounts: 2 });
    const left = plan.spokes[1]!;
    const partial = planWithout(plan, [left.id]);
    const r = planRun(observedFromTwin(twin, partial), partial);
    expect(r.ok).toBe(false);
    expect((r as { problems: string[] }).problems.join('\n')).toContain(`${left.id} (account ${left.account} ${twin.vpcs.find((v) => v.id === left.id)!.ownerId}, not in the plan) is associated with Profile ${plan.profile.id}`);
  });

  it('path B: excluded with accept: gap, the plan goes ahead (it resolves again once step 5 is done)', () => {
    const { twin, plan } = twinEstate({ scenario: 'via-profile', vpcs: 4, endpoints: 1, accounts: 2 });
    const left = plan.spokes[1]!.id;
    const partial = planWithout(plan, [left], { excludedVpcs: [{ id: left, accept: 'gap' }] } as Partial<Plan>);
    const run = ok(planRun(observedFromTwin(twin, partial), partial));
    // The reviewers are told what it goes through: no answer once step 4 takes the zone off the Profile, until step 5.
    expect(run.warnings).toContain(`${left} is excluded (accept: gap): it is without its answer after step 4`);
  });

  it('path A: excluded with accept: gap is refused when it would lose its answer for good (not on the Profile); accept: loss goes ahead', () => {
    const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 4, endpoints: 1, accounts: 2 });
    const left = plan.spokes[0]!.id;
    const gap = planWithout(plan, [left], { excludedVpcs: [{ id: left, accept: 'gap' }] } as Partial<Plan>);
    const r = planRun(observedFromTwin(twin, gap), gap);
    expect(r.ok).toBe(false);
    expect((r as { problems: string[] }).problems.join('\n')).toMatch(new RegExp(`${left} .*excluded with accept: gap, but once the migration is complete it would resolve lambda\\.us-east-1\\.amazonaws\\.com to public DNS`));
    const loss = planWithout(plan, [left], { excludedVpcs: [{ id: left, accept: 'loss' }] } as Partial<Plan>);
    expect(planRun(observedFromTwin(twin, loss), loss).ok).toBe(true);
  });

  it('path A: a VPC outside the plan joins the zone mid-run (a colleague): the next batch is refused, naming it', () => {
    const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 4, endpoints: 1, accounts: 1 });
    const outsider = plan.spokes[0]!.id;
    const partial = planWithout(plan, [outsider]);
    // Start without it, then it appears on the zone at step 6.
    for (const z of twin.zones) z.vpcs = z.vpcs.filter((v) => v.vpcId !== outsider);
    const run = ok(planRun(observedFromTwin(twin, partial), partial));
    for (const s of run.steps.filter((x) => x.number <= 5)) for (const a of s.batches.flat()) applyToTwin(twin, a.action);
    twin.zones[0]!.vpcs.push({ vpcId: outsider, region: twin.region });
    const world = observedFromTwin(twin, partial);
    const ctx = { plan: partial, endpoints: partial.endpoints, path: 'A' as const };
    const refusals = batchRefusals(world, ctx, STEPS[5]!, STEPS[5]!.actions(world, ctx));
    expect(refusals.join('\n')).toMatch(new RegExp(`the estate changed under the run: ${outsider} .*is associated with zone`));
  });
});

describe('the guard before each batch', () => {
  function at(scenario: 'direct' | 'via-profile', uptoStep: number) {
    const { twin, plan } = twinEstate({ scenario, vpcs: 4, endpoints: 1, accounts: 2 });
    const run = ok(planRun(observedFromTwin(twin, plan), plan));
    for (const s of run.steps.filter((x) => x.number <= uptoStep)) for (const a of s.batches.flat()) applyToTwin(twin, a.action);
    return { twin, plan, ctx: run.path === 'A' ? { plan, endpoints: plan.endpoints, path: 'A' as const } : { plan, endpoints: plan.endpoints, path: run.path } };
  }

  it("step 6 refuses to detach a spoke whose Profile association was removed out of band: it would fall through to public DNS", () => {
    const { twin, plan, ctx } = at('direct', 5);
    const spoke = plan.spokes[0]!.id;
    twin.profileAssociations = twin.profileAssociations.filter((a) => a.resourceId !== spoke);
    const world = observedFromTwin(twin, plan);
    const actions = STEPS[5]!.actions(world, ctx);
    expect(actions.map((a) => (a as { vpcId: string }).vpcId)).toEqual([spoke]);
    const refusals = batchRefusals(world, ctx, STEPS[5]!, actions);
    expect(refusals.join('\n')).toContain(spoke);
    expect(refusals.join('\n')).toMatch(/public DNS/);
  });

  it('the keeper may lose its answer while step 7 empties its zone, because deleting the zone gives it back (through the Profile); another VPC may not', () => {
    const { twin, plan, ctx } = at('direct', 6);
    const world = observedFromTwin(twin, plan);
    const actions = STEPS[6]!.actions(world, ctx);
    expect(actions.map((a) => a.kind)).toEqual(['backup-zone', 'delete-records']);
    expect(unsafeBatch(world, ctx, STEPS[6]!, actions)).toEqual([]);
    // The keeper off the Profile: deleting the zone would not give the answer back.
    const keeper = plan.spokes[plan.spokes.length - 1]!.id;
    twin.profileAssociations = twin.profileAssociations.filter((a) => a.resourceId !== keeper);
    const drifted = observedFromTwin(twin, plan);
    expect(unsafeBatch(drifted, ctx, STEPS[6]!, STEPS[6]!.actions(drifted, ctx)).map((b) => b.vpcId)).toEqual([keeper]);
  });

  it('an earlier step undone outside the run (the zone re-associated with the shared-services VPC after step 2) halts before step 3 instead of sending a doomed ModifyVpcEndpoint', () => {
    const { twin, plan, ctx } = at('direct', 2);
    const S = plan.sharedServicesVpc.id;
    twin.zones[0]!.vpcs.push({ vpcId: S, region: twin.region });
    const world = observedFromTwin(twin, plan);
    const refusals = batchRefusals(world, ctx, STEPS[2]!, STEPS[2]!.actions(world, ctx));
    expect(refusals.join('\n')).toMatch(new RegExp(`moved back under the run.*zone ${twin.zones[0]!.id} is associated with ${S}: is true, expected false`));
  });

  it('records added to a zone mid-run halt the run with their names, before anything is deleted', () => {
    const { twin, plan, ctx } = at('via-profile', 6);
    twin.zones[0]!.records.push({ name: `extra.${twin.zones[0]!.name}`, type: 'TXT', ttl: 60, values: ['"added by a colleague"'] });
    const world = observedFromTwin(twin, plan);
    const refusals = batchRefusals(world, ctx, STEPS[6]!, STEPS[6]!.actions(world, ctx));
    expect(refusals.join('\n')).toMatch(/holds records the migration would delete with the zone: extra\.lambda\.us-east-1\.amazonaws\.com\. TXT/);
  });

  it('a clean estate: no refusal at any batch of either path, and the dry run simulates to a migrated world', () => {
    for (const scenario of ['direct', 'via-profile'] as const) {
      const { twin, plan } = twinEstate({ scenario, vpcs: 6, endpoints: 3, accounts: 3 });
      const run = ok(planRun(observedFromTwin(twin, plan), plan));
      for (const s of run.steps) {
        for (const batch of s.batches) {
          const world = observedFromTwin(twin, plan);
          const ctx = { plan, endpoints: plan.endpoints, path: run.path };
          expect(batchRefusals(world, ctx, STEPS[s.number - 1]!, batch.map((b) => b.action)), `${scenario} step ${s.number}`).toEqual([]);
          for (const a of batch) applyToTwin(twin, a.action);
        }
      }
      expect(simulate(observedFromTwin(twin, plan), [] as Action[]).zones).toEqual(Object.fromEntries(plan.endpoints.flatMap((e) => e.zones).map((z) => [z, { id: z, exists: false }])));
    }
  });
});
