// Step 7's compensation finds the zones a stopped run left emptied but not deleted (their VPCs
// have no answer), and only those. Pure: plain Worlds in.
import { describe, expect, it } from 'vitest';
import { emptiedZones } from '../../src/machines/compensate.js';
import { planRun } from '../../src/steps/plan-run.js';
import { applyToTwin, observedFromTwin, twinEstate } from '../support/world.js';

describe('emptied zones (step 7 stopped between emptying a zone and deleting it)', () => {
  const setup = () => {
    const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 3, endpoints: 2, accounts: 1 });
    const run = planRun(observedFromTwin(twin, plan), plan);
    if (!run.ok) throw new Error(run.problems.join('\n'));
    const ctx = { plan, endpoints: plan.endpoints, path: run.path };
    for (const s of run.steps.filter((x) => x.number <= 6)) for (const a of s.batches.flat()) applyToTwin(twin, a.action);
    return { twin, plan, ctx, step7: run.steps[6]! };
  };
  const backups = [{ zoneId: 'ZX', json: '/b/ZX.json', bind: '/b/ZX.zone', verifiedAt: new Date(0).toISOString() }];

  it('before step 7 nothing is emptied; after its first batch every zone is, named with the VPCs that have no answer and its backup', () => {
    const { twin, plan, ctx, step7 } = setup();
    expect(emptiedZones(observedFromTwin(twin, plan), ctx, [])).toEqual([]);
    for (const a of step7.batches[0]!) applyToTwin(twin, a.action);
    const keeper = plan.spokes.at(-1)!.id;
    const zones = twin.zones.map((z) => z.id);
    const found = emptiedZones(observedFromTwin(twin, plan), ctx, zones.map((zoneId) => ({ ...backups[0]!, zoneId, json: `/b/${zoneId}.json` })));
    expect(found.map((z) => z.zoneId).sort()).toEqual([...zones].sort());
    for (const z of found) {
      expect(z.vpcs).toEqual([keeper]);
      expect(z.backup).toBe(`/b/${z.zoneId}.json`);
    }
  });

  it('a zone whose apex is the endpoint name (lambda.<region>.amazonaws.com) counts as emptied though its SOA and NS are at that name', () => {
    const { twin, plan, ctx, step7 } = setup();
    for (const a of step7.batches[0]!) applyToTwin(twin, a.action);
    const lambda = twin.zones.find((z) => z.name === 'lambda.us-east-1.amazonaws.com.')!;
    expect(lambda.records.map((r) => `${r.name} ${r.type}`)).toEqual(['lambda.us-east-1.amazonaws.com. SOA', 'lambda.us-east-1.amazonaws.com. NS']);
    expect(emptiedZones(observedFromTwin(twin, plan), ctx, []).map((z) => z.zoneId)).toContain(lambda.id);
  });

  it('deleted zones are not emptied zones (the run finished them)', () => {
    const { twin, plan, ctx, step7 } = setup();
    for (const a of step7.batches.flat()) applyToTwin(twin, a.action);
    expect(emptiedZones(observedFromTwin(twin, plan), ctx, [])).toEqual([]);
  });
});
