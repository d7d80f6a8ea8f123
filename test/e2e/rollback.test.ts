// Rollback end to end (issue 11): the real CLI against a sandbox, the test's own probe loop
// running the whole time, and the starting world as the yardstick — zones by name with their
// records and VPCs, Profile associations and resources, Private DNS flags, authorizations — equal
// after the rollback but for the new zone ids. With a parking VPC no VPC may give a single wrong
// answer, in either direction.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settled, statePath, worldByName } from '../support/crash-matrix.js';
import { appliedMutations, startEstate, type Estate } from '../support/estate.js';

const estates: Estate[] = [];
afterAll(async () => {
  await Promise.all(estates.map((e) => e.close()));
});
async function estate(args: string[]): Promise<Estate> {
  const e = await startEstate(args);
  estates.push(e);
  return e;
}

const out = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

describe.concurrent('rollback', () => {
  it.each([
    ['path A', 'direct'],
    ['path B', 'via-profile'],
  ])('%s with a parking VPC: apply to complete, rollback --dry-run, rollback --plan-hash → the starting world but for zone ids; zero wrong answers both ways; nothing applied twice', async (_path, scenario) => {
    const e = await estate(['--scenario', scenario, '--vpcs', '3', '--endpoints', '1', '--accounts', '2', '--parking']);
    const state = statePath(e);
    const start = await settled(e);
    const probes = e.probeLoop();
    const applied = await e.cli(['apply', e.info.planFile, '--yes', '--state', state], 600_000);
    expect(applied.code, out(applied)).toBe(0);

    const forwardLog = await e.requests();
    const before = forwardLog.length;
    const dry = await e.cli(['rollback', e.info.planFile, '--dry-run', '--state', state]);
    expect(dry.code, out(dry)).toBe(0);
    expect(dry.stdout).toMatch(/Back to path [AB]/);
    expect(dry.stdout).toMatch(/route53:CreateHostedZone/);
    expect((await e.requests()).slice(before).filter((c) => c.mutating), 'the dry run changes nothing').toEqual([]);
    const hash = /Rollback hash: ([0-9a-f]{16})/.exec(dry.stdout)?.[1];
    expect(hash, dry.stdout).toBeDefined();

    const stale = await e.cli(['rollback', e.info.planFile, '--plan-hash', '0000000000000000', '--state', state]);
    expect(stale.code, out(stale)).toBe(2);
    expect(stale.stderr).toMatch(new RegExp(`the rollback's hash is ${hash} now, not 0000000000000000`));
    expect((await e.requests()).slice(before).filter((c) => c.mutating), 'a stale hash changes nothing').toEqual([]);
    const unconfirmed = await e.cli(['rollback', e.info.planFile, '--state', state]);
    expect(unconfirmed.code, 'without --yes or --plan-hash, and no terminal: refused').toBe(2);
    expect(unconfirmed.stderr).toMatch(/rollback changes AWS: pass --yes, or --plan-hash/);

    const back = await e.cli(['rollback', e.info.planFile, '--plan-hash', hash!, '--state', state], 600_000);
    const { rounds, failures } = await probes.stop();
    expect(back.code, out(back)).toBe(0);
    expect(back.stdout).toMatch(/Rollback complete \(from undo step 7\): the estate is back to path [AB]/);
    const renamed = [...back.stdout.matchAll(/Zone (Z\w+) was re-created from its backup as (Z\w+)/g)].map((m) => [m[1], m[2]]);
    expect(renamed.length, back.stdout).toBe(start.zones.length);
    const end = await settled(e);
    expect(worldByName(end)).toEqual(worldByName(start));
    expect(end.zones.map((z) => z.id).sort()).toEqual(renamed.map(([, now]) => now).sort());
    // The new ids are in the state file, for the runs that come after.
    expect((JSON.parse(readFileSync(state, 'utf8')) as { replacedZones: Record<string, string> }).replacedZones).toEqual(Object.fromEntries(renamed));
    expect(rounds).toBeGreaterThan(10);
    expect(failures, 'the independent probe loop saw a wrong answer').toEqual([]);
    // Nothing applied twice by either run (the mark's removal is the same request in both: counted per run).
    const twice = (log: typeof forwardLog) => [...appliedMutations(log)].filter(([, n]) => n > 1).map(([key]) => key.slice(0, 160));
    expect(twice(forwardLog)).toEqual([]);
    expect(twice((await e.requests()).slice(before))).toEqual([]);

    // A rolled-back estate can be migrated again with the same plan file (it uses the new zone ids).
    if (scenario === 'direct') {
      const again = await e.cli(['apply', e.info.planFile, '--yes', '--state', state], 600_000);
      expect(again.code, out(again)).toBe(0);
      expect(again.stdout).toMatch(/note: zone Z\w+ of the plan was re-created by a rollback as Z\w+/);
      expect(again.stdout).toMatch(/Migration complete \(from step 1\)/);
      expect((await e.state()).zones).toEqual([]);
    }
  }, 1_200_000);

  it.each([
    ['path A', 'direct'],
    ['path B', 'via-profile'],
  ])('%s: a DNS fault halts step 6 → rollback → the starting world; no wrong answer outside the fault\'s own VPC', async (_path, scenario) => {
    const e = await estate(['--scenario', scenario, '--vpcs', '3', '--endpoints', '1', '--accounts', '1']);
    const state = statePath(e);
    const start = await settled(e);
    const spoke = e.info.vpcs[1]!;
    const probes = e.probeLoop();
    await e.fault({ kind: 'hold', count: 1, operation: 'DisassociateVPCFromHostedZone', phase: 'before', match: spoke.id });
    const run = e.start(['apply', e.info.planFile, '--yes', '--state', state]);
    await e.waitHeld(120_000);
    await e.fault({ kind: 'dns', vpcId: spoke.id, servfail: true });
    await e.release();
    expect((await run.exited).code, run.stdout()).toBe(3);
    expect(run.stdout()).toMatch(/HALTED at step 6/);

    // Rolled back with the fault still there: its pair is reported, not gated.
    const back = await e.cli(['rollback', e.info.planFile, '--yes', '--state', state], 600_000);
    expect(back.code, out(back)).toBe(0);
    expect(back.stdout).toMatch(/Rollback complete \(from undo step 6\)/);
    expect(back.stdout).toMatch(new RegExp(`warning: ${spoke.id} \\S+ was failing when the rollback started`));
    await e.clearFaults();
    const { failures } = await probes.stop();
    expect(worldByName(await settled(e))).toEqual(worldByName(start));
    expect(failures.filter((f) => f.vpcId !== spoke.id)).toEqual([]);
    const status = await e.cli(['status', '--state', state]);
    expect(status.stdout).toMatch(/rollback started .*, from the run halted at step 6; back to path [AB]/);
  }, 1_200_000);

  it('bad input changes nothing (exit 2): no state file, the state file of another plan, a tampered backup — then a rollback killed mid-way blocks apply and resume finishes it', async () => {
    const e = await estate(['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '1']);
    const state = statePath(e);
    const none = await e.cli(['rollback', e.info.planFile, '--yes', '--state', join(e.dir, 'nowhere.state.json')]);
    expect(none.code, out(none)).toBe(2);
    expect(none.stderr).toMatch(/no run of sandbox-direct to roll back: no state file at .*nowhere\.state\.json/);

    const applied = await e.cli(['apply', e.info.planFile, '--yes', '--state', state], 600_000);
    expect(applied.code, out(applied)).toBe(0);
    const mutations = async () => (await e.requests()).filter((c) => c.mutating && c.outcome === 'ok').length;
    const after = await mutations();

    const other = e.planVariant('other', (p) => {
      p.name = 'other-plan';
      p.budgets.pollIntervalMs = 150;
    });
    const wrongPlan = await e.cli(['rollback', other, '--yes', '--state', state]);
    expect(wrongPlan.code, out(wrongPlan)).toBe(2);
    expect(wrongPlan.stderr).toMatch(/records a run of plan .* with hash \w+, but .*other\.yaml has hash \w+/);
    expect(wrongPlan.stderr).not.toMatch(/\n\s+at /);

    const backup = (JSON.parse(readFileSync(state, 'utf8')) as { backups: { json: string }[] }).backups[0]!.json;
    const original = readFileSync(backup, 'utf8');
    writeFileSync(backup, original.replace(/"TTL":\s*(\d+)/, (_, n: string) => `"TTL": ${Number(n) + 1}`));
    const tampered = await e.cli(['rollback', e.info.planFile, '--yes', '--state', state]);
    expect(tampered.code, out(tampered)).toBe(2);
    expect(tampered.stderr).toMatch(/the backup of zone Z\w+ can't be trusted: .*do not match their checksum/);
    expect(await mutations(), 'no AWS change').toBe(after);

    writeFileSync(backup, original);
    // A rollback killed at its first zone creation: apply refuses to go forward meanwhile, resume finishes the rollback.
    await e.fault({ kind: 'hold', operation: 'CreateHostedZone', phase: 'after', count: 1 });
    const killed = e.start(['rollback', e.info.planFile, '--yes', '--state', state]);
    expect((await e.waitHeld(120_000)).map((h) => h.operation)).toEqual(['CreateHostedZone']);
    killed.child.kill('SIGKILL');
    await killed.exited;
    await e.release();
    const forward = await e.cli(['apply', e.info.planFile, '--yes', '--state', state]);
    expect(forward.code, out(forward)).toBe(2);
    expect(forward.stderr).toMatch(/a rollback recorded in .* is unfinished \(at undo step 7\): finish it first with r53migrate resume/);
    const back = await e.cli(['resume', e.info.planFile, '--state', state], 600_000);
    expect(back.code, out(back)).toBe(0);
    expect(back.stdout).toMatch(/Rollback complete/);
    // the zone the killed attempt made is the one kept: one zone of that name, not two
    const zones = (await e.state()).zones;
    expect(new Set(zones.map((z) => z.name)).size).toBe(zones.length);
    const again = await e.cli(['rollback', e.info.planFile, '--yes', '--state', state]);
    expect(again.code, out(again)).toBe(0);
    expect(again.stdout).toMatch(/Nothing to roll back/);
  }, 1_200_000);
});
