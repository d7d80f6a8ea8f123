// A maintenance window's worst moments: the CLI killed (SIGKILL) mid-request in every step, a
// DNS failure at step 6, and an estate where someone did the first steps by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AwsAccess } from '../../src/aws/access.js';
import { executeAction } from '../../src/aws/execute.js';
import { observe } from '../../src/aws/observe.js';
import { loadPlan } from '../../src/plan/load.js';
import { planRun } from '../../src/steps/plan-run.js';
import { appliedMutations, excusedKeeperGap, startEstate, type Estate } from '../support/estate.js';
import { readStateWithJournalSync } from '../support/state-file.js';

// The four cases run at once, each on an estate of its own (closed when the file ends).
const estates: Estate[] = [];
afterAll(async () => {
  await Promise.all(estates.map((x) => x.close()));
});
async function estate(args: string[]): Promise<Estate> {
  const x = await startEstate(args);
  estates.push(x);
  return x;
}

const statePath = (est: Estate) => join(est.dir, 'state', 'run.state.json');

/** Every kill point: one mutating request per step, killed before it applies or after (reply lost). */
const KILLS: { step: number; operation: string; phase: 'before' | 'after'; match?: (est: Estate) => string }[] = [
  // path B: step 1 associates the zones with the spokes of the other account
  { step: 1, operation: 'CreateVPCAssociationAuthorization', phase: 'before' },
  { step: 1, operation: 'AssociateVPCWithHostedZone', phase: 'after' },
  { step: 2, operation: 'DisassociateVPCFromHostedZone', phase: 'after', match: (est) => est.info.vpcs[0]!.id },
  { step: 3, operation: 'ModifyVpcEndpoint', phase: 'before' },
  { step: 4, operation: 'DisassociateResourceFromProfile', phase: 'after' },
  { step: 5, operation: 'AssociateResourceToProfile', phase: 'before', match: () => 'vpc-endpoint' },
  { step: 6, operation: 'DisassociateVPCFromHostedZone', phase: 'before', match: (est) => est.info.vpcs[1]!.id },
  { step: 7, operation: 'ChangeResourceRecordSets', phase: 'after' },
  { step: 7, operation: 'DeleteHostedZone', phase: 'before' },
];

describe.concurrent('resume after SIGKILL', () => {
  it('killed once in every step (before the request applies, or after it applied but before the reply), resumed each time: same final world, no mutation twice, DNS never lost', async () => {
    const e = await estate(['--scenario', 'via-profile', '--vpcs', '4', '--endpoints', '2', '--accounts', '2']);
    const est = e;
    const zoneIds = (await est.state()).zones.map((z) => z.id);
    const probes = est.probeLoop();
    let command = ['apply', est.info.planFile, '--yes', '--state', statePath(est)];
    for (const kill of KILLS) {
      await est.fault({ kind: 'hold', operation: kill.operation, phase: kill.phase, count: 1, ...(kill.match ? { match: kill.match(est) } : {}) });
      const run = est.start(command);
      const held = await est.waitHeld(120_000);
      expect(held.map((h) => h.operation), `${kill.operation} in step ${kill.step}; stdout:\n${run.stdout()}`).toEqual([kill.operation]);
      run.child.kill('SIGKILL');
      await run.exited;
      await est.release();
      // The state file parses at every moment we look, and says where the run was.
      const state = JSON.parse(readFileSync(statePath(est), 'utf8')) as { status: string; position?: { step: number } };
      expect(state.status).toBe('running');
      expect(state.position?.step, `killed at ${kill.operation}`).toBe(kill.step);
      command = ['resume', est.info.planFile, '--state', statePath(est)];
    }
    const last = await est.cli(command, 600_000);
    const { failures } = await probes.stop();
    expect(last.code, `${last.stdout}\n${last.stderr}`).toBe(0);
    expect(last.stdout).toMatch(/Migration complete/);

    const world = await est.state();
    expect(world.zones.filter((z) => zoneIds.includes(z.id))).toEqual([]);
    expect(world.endpoints.every((ep) => ep.privateDnsEnabled && world.resourceAssociations.some((r) => r.resourceArn.endsWith(ep.id) && r.status === 'COMPLETE'))).toBe(true);
    expect(world.profileAssociations.map((a) => a.resourceId).sort()).toEqual(est.info.vpcs.map((v) => v.id).sort());
    expect(world.zones.flatMap((z) => z.authorizations)).toEqual([]);

    const log = await est.requests();
    expect([...appliedMutations(log)].filter(([, n]) => n > 1)).toEqual([]);
    // a request held "before" and dropped never applied; one held "after" applied once: either way, none was rejected as a duplicate
    expect(log.filter((l) => l.mutating && l.outcome === 'error').map((l) => `${l.operation} ${l.errorCode}`)).toEqual([]);
    const keeper = est.info.vpcs[est.info.vpcs.length - 1]!.id;
    expect(failures.filter((f) => !excusedKeeperGap(f, est.info, keeper, log))).toEqual([]);
  }, 900_000);
});

/**
 * `apply` with one request held by the twin; while it is held, the VPC's resolver starts to
 * SERVFAIL; then the request goes on. The run must halt (exit 3) at `step`, naming the VPC:
 * caught by the gate's watch while the change settles, or by the DNS gate after it.
 */
async function applyBreakingDnsAt(est: Estate, hold: { operation: string; phase: 'before' | 'after'; match?: string }, vpcId: string, step: number) {
  await est.fault({ kind: 'hold', count: 1, ...hold });
  const run = est.start(['apply', est.info.planFile, '--yes', '--state', statePath(est)]);
  await est.waitHeld(120_000);
  await est.fault({ kind: 'dns', vpcId, servfail: true });
  await est.release();
  const exit = await run.exited;
  expect(exit.code, run.stdout()).toBe(3);
  expect(run.stdout()).toMatch(new RegExp(`HALTED at step ${step} \\((converge|dns)\\): .*${vpcId}`));
  return run;
}

describe.concurrent('halts', () => {
  it('a DNS failure in step 6\'s second wave halts with exit 3 naming the VPC: wave 1 moved, wave 2 as the gate found it, wave 3 untouched; resume finishes once it is fixed', async () => {
    // 5 spokes and a parking VPC: waves of 1, 2 and 2 (the default schedule).
    const e = await estate(['--scenario', 'direct', '--vpcs', '6', '--endpoints', '1', '--accounts', '1', '--parking']);
    const est = e;
    const [, first, second, third, fourth, fifth] = est.info.vpcs.map((v) => v.id) as [string, string, string, string, string, string];
    const plan = await est.cli(['plan', est.info.planFile]);
    expect(plan.stdout).toMatch(/Step 6 waves \(plan waves: .*\): 1, 2, 2 \(5 VPCs in 3 waves\)/);
    expect(plan.stdout).toContain(`(wave 2 of 3, 2 VPCs: ${second}, ${third} — probed before the next wave)`);
    // Hold wave 2's first disassociation, break that spoke's resolver meanwhile, then let it go.
    const run = await applyBreakingDnsAt(est, { operation: 'DisassociateVPCFromHostedZone', phase: 'before', match: second }, second, 6);
    expect(run.stdout()).toMatch(new RegExp(`${second} lambda\\.us-east-1\\.amazonaws\\.com: (\\d+× )?servfail`));
    const moved = (vpcId: string) => est.requests().then((log) => log.some((l) => l.operation === 'DisassociateVPCFromHostedZone' && l.outcome === 'ok' && (l.body ?? '').includes(vpcId)));
    expect(await Promise.all([first, second, third, fourth, fifth].map(moved))).toEqual([true, true, true, false, false]);
    const status = await est.cli(['status', '--state', statePath(est)]);
    expect(status.stdout).toMatch(/halted at step 6/);

    await est.clearFaults();
    const resumed = await est.cli(['resume', est.info.planFile, '--state', statePath(est)], 600_000);
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    expect(resumed.stdout).toMatch(/Migration complete \(from step 6\)/);
    expect(await Promise.all([fourth, fifth].map(moved))).toEqual([true, true]);
  }, 600_000);
});

describe.concurrent('a halt at the very end', () => {
  it("a DNS failure at step 7's last gate, after the zones are deleted: resume re-runs that gate before it calls the migration complete", async () => {
    const e = await estate(['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '1']);
    const est = e;
    const spoke = est.info.vpcs[1]!;
    // Hold the zone's deletion (after it applied), break a spoke's resolver meanwhile, then let it go.
    await applyBreakingDnsAt(est, { operation: 'DeleteHostedZone', phase: 'after' }, spoke.id, 7);
    expect((await est.state()).zones, 'the zones are gone: the world looks migrated').toEqual([]);

    // Still broken: the world says "done", but resume must not until the gate passes.
    const refused = await est.cli(['resume', est.info.planFile, '--state', statePath(est)], 600_000);
    expect(refused.code, `${refused.stdout}\n${refused.stderr}`).toBe(3);
    expect(refused.stdout).toMatch(new RegExp(`HALTED at step 7 \\((converge|dns)\\): .*${spoke.id}`));

    await est.clearFaults();
    const resumed = await est.cli(['resume', est.info.planFile, '--state', statePath(est)], 600_000);
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    expect(resumed.stdout).toMatch(/Migration complete \(from step 7\)/);
    expect(resumed.stdout).toMatch(/dns pass: all \d+ pair\(s\)/);
  }, 600_000);
});

describe.concurrent('an estate part-way', () => {
  it('steps 1-3 done by hand: plan says step 4 is next and apply picks up there', async () => {
    const e = await estate(['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '2']);
    const est = e;
    // Do steps 1-3 "by hand": the same calls an operator would make, outside the engine.
    const saved = { ...process.env };
    Object.assign(process.env, est.env);
    try {
      const { plan } = await loadPlan(est.info.planFile);
      const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
      const run = planRun(await observe(plan, access), plan);
      if (!run.ok) throw new Error(run.problems.join('\n'));
      for (const a of run.steps.filter((s) => s.number <= 3).flatMap((s) => s.batches.flat())) {
        await executeAction(access, a.action, { backupDir: est.dir, verifiedBackup: () => false });
      }
      access.destroy();
    } finally {
      process.env = saved;
    }
    // Let the lifecycles settle (bounded).
    for (let i = 0; i < 100; i++) {
      const w = await est.state();
      if (w.profileAssociations.every((a) => a.status === 'COMPLETE') && w.endpoints.every((ep) => ep.state === 'available')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const plan = await est.cli(['plan', est.info.planFile]);
    expect(plan.stdout).toMatch(/step 4 is next/);
    expect(plan.stdout).toMatch(/Step 3 — Enable Private DNS on the endpoints \[done\]/);
    const r = await est.cli(['apply', est.info.planFile, '--yes', '--state', statePath(est)], 600_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/Migration complete \(from step 4\)/);
    const journal = readStateWithJournalSync<{ journal: { step: number }[] }>(statePath(est)).journal;
    expect(Math.min(...journal.map((j) => j.step))).toBe(4);
  }, 600_000);
});
