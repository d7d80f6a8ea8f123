// The steps and the dry run are pure: plain Worlds in, plans out. These read like the runbook.
import { describe, expect, it } from 'vitest';
import type { World } from '../../src/aws/world.js';
import { simulate, type Action } from '../../src/aws/actions.js';
import { assess } from '../../src/steps/assess.js';
import { STEPS } from '../../src/steps/index.js';
import { planRun, type RunPlan } from '../../src/steps/plan-run.js';
import { observedFromTwin, twinEstate } from '../support/world.js';

type Ok = Extract<RunPlan, { ok: true }>;
const ok = (r: RunPlan): Ok => {
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r;
};
const kinds = (actions: { action: Action }[]) => actions.map((a) => `${a.action.kind} ${a.action.account}`);

/** The world after running steps from..to of the dry run (as if each batch succeeded). */
function after(world: World, plan: Parameters<typeof planRun>[1], uptoStep: number): World {
  const r = ok(planRun(world, plan));
  return simulate(world, r.steps.filter((s) => s.number <= uptoStep).flatMap((s) => s.batches.flat().map((b) => b.action)));
}

describe('path A (direct): the seven steps as a dry run', () => {
  const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 4, endpoints: 2, accounts: 2 });
  const world = observedFromTwin(twin, plan);
  const run = ok(planRun(world, plan));
  const S = plan.sharedServicesVpc.id;
  const [spoke1, spoke2, keeper] = plan.spokes.map((s) => s.id) as [string, string, string];

  it('is detected as path A at step 1, nothing done yet', () => {
    expect(run).toMatchObject({ path: 'A', position: 1, nothingToDo: false });
    expect(run.steps.map((s) => s.status)).toEqual(['to do', 'to do', 'to do', 'to do', 'to do', 'to do', 'to do']);
  });

  it('step 1 associates every VPC with the Profile (from its own account) and every zone with the Profile', () => {
    const [batch] = run.steps[0]!.batches;
    expect(kinds(batch!)).toEqual([
      'associate-profile shared-services',
      'associate-profile spokes-1',
      'associate-profile spokes-1',
      'associate-profile spokes-1',
      'associate-resource shared-services',
      'associate-resource shared-services',
    ]);
    expect(batch![0]!.call).toEqual({ service: 'route53profiles', operation: 'AssociateProfile', params: { ProfileId: plan.profile.id, ResourceId: S, Name: `r53migrate-${S}` } });
  });

  it('steps 2-5: detach S, enable Private DNS, zones off the Profile, endpoints on', () => {
    expect(run.steps[1]!.batches.flat().map((b) => b.description)).toEqual(twin.zones.map((z) => `disassociate ${S} from zone ${z.id}`));
    expect(run.steps[2]!.batches.flat().map((b) => b.call?.operation)).toEqual(['ModifyVpcEndpoint', 'ModifyVpcEndpoint']);
    expect(run.steps[3]!.batches.flat().map((b) => b.call?.operation)).toEqual(['DisassociateResourceFromProfile', 'DisassociateResourceFromProfile']);
    expect(run.steps[4]!.batches.flat().map((b) => b.action.kind === 'associate-resource' && b.action.resource)).toEqual(plan.endpoints.map((e) => e.id));
  });

  it('step 6 moves the spokes in waves (a canary of one, then doubling), in plan order, and never the keeper', () => {
    const batches = run.steps[5]!.batches;
    expect(batches.map((b) => [...new Set(b.map((x) => (x.action as { vpcId: string }).vpcId))])).toEqual([[spoke1], [spoke2]]);
    expect(batches.flat().some((x) => (x.action as { vpcId?: string }).vpcId === keeper)).toBe(false);
  });

  it('step 7 backs up and empties each zone, then deletes it in a later batch', () => {
    const [first, second] = run.steps[6]!.batches;
    expect(first!.map((b) => b.action.kind)).toEqual(['backup-zone', 'delete-records', 'backup-zone', 'delete-records']);
    expect(second!.map((b) => b.action.kind)).toEqual(['delete-zone', 'delete-zone']);
    const del = first!.find((b) => b.action.kind === 'delete-records')!;
    expect((del.call!.params as { ChangeBatch: { Changes: { ResourceRecordSet: { Type: string } }[] } }).ChangeBatch.Changes.every((c) => c.ResourceRecordSet.Type === 'A')).toBe(true);
  });

  it('who resolves through what, step by step (DESIGN §2 right-hand column)', () => {
    const via = (step: number, vpc: string) => [...new Set(run.steps[step - 1]!.after.filter((e) => e.vpcId === vpc).map((e) => e.via))];
    expect(via(1, S)).toEqual(['zone-direct']);
    expect(via(2, S)).toEqual(['zone-via-profile']);
    expect(via(3, S)).toEqual(['endpoint-own-vpc']);
    expect(via(4, spoke1)).toEqual(['zone-direct']);
    expect(via(5, spoke1)).toEqual(['zone-direct']);
    expect(via(6, spoke1)).toEqual(['endpoint-via-profile']);
    expect(via(6, keeper)).toEqual(['zone-direct']);
    expect(via(7, keeper)).toEqual(['endpoint-via-profile']);
    // nobody is ever without a source once a step completes
    for (const s of run.steps) expect(s.after.every((e) => e.via !== 'none')).toBe(true);
  });

  it('only the keeper may lose its answer, and only during step 7', () => {
    for (const s of run.steps) {
      const gaps = s.after.filter((e) => e.during === 'may-gap').map((e) => e.vpcId);
      expect([...new Set(gaps)]).toEqual(s.number === 7 ? [keeper] : []);
    }
  });

  it('two dry runs of one world are identical', () => {
    expect(planRun(world, plan)).toEqual(run);
  });

  it('after all the steps the estate is complete: nothing to do', () => {
    const done = after(world, plan, 7);
    expect(ok(planRun(done, plan))).toMatchObject({ position: 8, nothingToDo: true, mutatingCalls: 0 });
  });

  it('an estate where steps 1-3 were done by hand picks up at step 4', () => {
    const r = ok(planRun(after(world, plan, 3), plan));
    expect(r.position).toBe(4);
    expect(r.steps.slice(0, 3).map((s) => s.status)).toEqual(['done', 'done', 'done']);
  });

  it('a run killed half-way through step 1 resumes step 1 with only what is missing', () => {
    const half = simulate(world, run.steps[0]!.batches[0]!.slice(0, 2).map((b) => b.action));
    const r = ok(planRun(half, plan));
    expect(r).toMatchObject({ position: 1 });
    expect(r.steps[0]!.status).toBe('partly done');
    expect(r.steps[0]!.batches[0]!.length).toBe(run.steps[0]!.batches[0]!.length - 2);
  });
});

describe('path B (via-profile) with spokes in another account', () => {
  const { twin, plan } = twinEstate({ scenario: 'via-profile', vpcs: 3, endpoints: 1, accounts: 2 });
  const world = observedFromTwin(twin, plan);
  const run = ok(planRun(world, plan));

  it('is detected as path B; step 1 associates the zone with each spoke: authorize (zone owner), associate (VPC owner), delete the authorization', () => {
    expect(run.path).toBe('B');
    expect(kinds(run.steps[0]!.batches[0]!)).toEqual([
      'authorize-vpc shared-services',
      'associate-vpc spokes-1',
      'deauthorize-vpc shared-services',
      'authorize-vpc shared-services',
      'associate-vpc spokes-1',
      'deauthorize-vpc shared-services',
    ]);
  });

  it('from step 2 on, path B does what path A does', () => {
    const a = twinEstate({ scenario: 'direct', vpcs: 3, endpoints: 1, accounts: 2 });
    const runA = ok(planRun(observedFromTwin(a.twin, a.plan), a.plan));
    const ops = (r: Ok) => r.steps.slice(1).map((s) => s.batches.map((b) => b.map((x) => x.call?.operation ?? x.action.kind)));
    expect(ops(run)).toEqual(ops(runA));
  });
});

describe('what the migration refuses, with what differs and what to do', () => {
  const fresh = () => {
    const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 3, endpoints: 1, accounts: 2 });
    return { twin, plan, world: observedFromTwin(twin, plan) };
  };
  const problems = (world: World, plan: Parameters<typeof assess>[1]) => {
    const a = assess(world, plan);
    if (a.ok) throw new Error('expected a refusal');
    return a.problems.join('\n');
  };

  it('extra records in a zone', () => {
    const { twin, plan } = fresh();
    twin.zones[0]!.records.push({ name: `db.${twin.zones[0]!.name}`, type: 'A', ttl: 60, values: ['10.9.9.9'] });
    expect(problems(observedFromTwin(twin, plan), plan)).toMatch(/holds records the migration would delete with the zone: db\.lambda\.us-east-1\.amazonaws\.com\. A 10\.9\.9\.9 — move them/);
  });

  it('a VPC on another Profile', () => {
    const { twin, plan } = fresh();
    twin.profileAssociations.push({ id: 'rpassoc-x', name: 'x', ownerId: twin.vpcs[1]!.ownerId, profileId: 'rp-other0000000000', resourceId: twin.vpcs[1]!.id, status: 'COMPLETE', statusMessage: '', creationTime: 0, modificationTime: 0, tags: {} });
    expect(problems(observedFromTwin(twin, plan), plan)).toMatch(/VPC vpc-\w+ is associated with another Profile \(rp-other0000000000\)/);
  });

  it('the Profile not shared with a spoke account', () => {
    const { twin, plan } = fresh();
    twin.profiles[0]!.sharedWith = [];
    expect(problems(observedFromTwin(twin, plan), plan)).toMatch(/is not visible to account spokes-1 .*share the Profile with that account through AWS RAM/);
  });

  it('an endpoint that is not an interface endpoint, and a zone named for another service', () => {
    const { twin, plan } = fresh();
    twin.endpoints[0]!.type = 'Gateway';
    expect(problems(observedFromTwin(twin, plan), plan)).toMatch(/is a Gateway endpoint; only interface endpoints/);
    const b = fresh();
    b.twin.zones[0]!.name = 'sqs.us-east-1.amazonaws.com.';
    expect(problems(observedFromTwin(b.twin, b.plan), b.plan)).toMatch(/is named sqs\.us-east-1\.amazonaws\.com\., but vpce-\w+ \(com\.amazonaws\.us-east-1\.lambda\) serves lambda/);
  });

  it('a mixed state no run produces (zone off the Profile while Private DNS is still off) names every differing fact', () => {
    const { world, plan } = fresh();
    const run = ok(planRun(world, plan));
    // steps 1 and 2, then step 4 by hand without step 3
    const odd = simulate(world, [...run.steps[0]!.batches.flat(), ...run.steps[1]!.batches.flat(), ...run.steps[3]!.batches.flat()].map((b) => b.action));
    const text = problems(odd, plan);
    expect(text).toMatch(/the estate is in a state no run of the steps produces/);
    expect(text).toMatch(/closest: path A with step 5 next/);
    expect(text).toMatch(/vpce-\w+ has Private DNS on: is false, expected true/);
  });

  it('an endpoint that cannot use Private DNS is left out with a warning, its zone untouched', () => {
    const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 3, endpoints: 2, accounts: 1 });
    twin.endpoints[1]!.supportsPrivateDns = false;
    const r = ok(planRun(observedFromTwin(twin, plan), plan));
    expect(r.warnings.join()).toMatch(/can't use Private DNS: it is left out and its zone\(s\) Z\w+ stay as they are/);
    const touched = r.steps.flatMap((s) => s.batches.flat()).map((b) => JSON.stringify(b.action));
    expect(touched.some((t) => t.includes(twin.endpoints[1]!.id) || t.includes(plan.endpoints[1]!.zones[0]!))).toBe(false);
  });

  it('every step is pure data: one file each, numbered in order', () => {
    expect(STEPS.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(STEPS.map((s) => s.id)).size).toBe(7);
  });
});

describe("Route 53's quota of VPCs per private hosted zone (300 by default): the plan is refused before step 1 would run into it", () => {
  const refusal = (r: RunPlan) => (r.ok ? [] : r.problems.filter((p) => p.includes('VPCs per private hosted zone')));

  it('path A: 299 spokes and the shared-services VPC (300 on each zone now) migrate; a parking VPC would make 301 → refused, naming each zone and the counts', () => {
    const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 300, endpoints: 1, accounts: 2 });
    expect(refusal(planRun(observedFromTwin(twin, plan), plan))).toEqual([]);
    const parked = twinEstate({ scenario: 'direct', vpcs: 300, endpoints: 1, accounts: 2, parking: true });
    const problems = refusal(planRun(observedFromTwin(parked.twin, parked.plan), parked.plan));
    expect(problems).toHaveLength(parked.twin.zones.length);
    expect(problems[0]).toMatch(/^zone Z\S+ \(\S+\) would be associated with 301 VPCs at once \(it has 300 now; step 1 associates it directly with the shared-services VPC, every spoke and the parking VPC before step 6 takes them off\), and Route 53 allows 300 VPCs per private hosted zone by default: ask AWS to raise that quota/);
  });

  it('path B: the zones are on the Profile, and step 1 associates them directly with every VPC: 300 spokes and the shared-services VPC → refused', () => {
    const { twin, plan } = twinEstate({ scenario: 'via-profile', vpcs: 301, endpoints: 1, accounts: 2 });
    expect(refusal(planRun(observedFromTwin(twin, plan), plan))[0]).toMatch(/would be associated with 301 VPCs at once/);
    const fits = twinEstate({ scenario: 'via-profile', vpcs: 300, endpoints: 1, accounts: 2 });
    expect(refusal(planRun(observedFromTwin(fits.twin, fits.plan), fits.plan))).toEqual([]);
  });

  it('a zone already associated with more than 300 VPCs (the quota was raised) is not refused for what it has, only for more', () => {
    const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 3, endpoints: 1, accounts: 1 });
    const world = observedFromTwin(twin, plan);
    const [zoneId, zone] = Object.entries(world.zones)[0]!;
    if (!zone.exists) throw new Error('the scenario has its zone');
    const extra = Array.from({ length: 310 }, (_, i) => ({ vpcId: `vpc-0e${String(i).padStart(15, '0')}`, region: plan.region }));
    const crowded: World = { ...world, zones: { ...world.zones, [zoneId]: { ...zone, vpcs: [...zone.vpcs, ...extra] } } };
    expect(refusal(planRun(crowded, plan))).toEqual([]);
    // Resumed after step 6 took the spokes off (313 → 311 on the zone): step 1 is long done, nothing to refuse.
    const resumed = planRun(after(crowded, plan, 6), plan);
    expect(refusal(resumed)).toEqual([]);
    expect(resumed).toMatchObject({ ok: true, position: 7 });
  });
});
