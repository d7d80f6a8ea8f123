// The fault table (issue 6, part 2): what AWS, DNS, the disk, the lock and the clock can do
// wrong during a migration, each driven through the real CLI (a child process) against its own
// sandbox. Every fault must end in recovery (exit 0, "Migration complete") or a clean halt (exit
// 1 or 3, a message that names what went wrong and what to do next, no stack trace), with the
// state file intact and no step skipped; after a halt, the fault is cleared and `resume` must
// finish with the world migrated.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { World as TwinWorld } from '../../src/twin/world.js';
import { runCli, type CliRun } from '../support/cli.js';
import { appliedMutations, estatePool, type Estate } from '../support/estate.js';
import { settleUnfinishedRows, trackRow } from '../support/reliability.js';
import { readStateWithJournalSync } from '../support/state-file.js';

const PRELOAD = (name: string) => fileURLToPath(new URL(`../support/preload/${name}.mjs`, import.meta.url));
const SMALL = ['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '2'];
const SMALL_B = ['--scenario', 'via-profile', '--vpcs', '3', '--endpoints', '1', '--accounts', '2'];
const LONG = 600_000;

// ---- the table
type Group = 'AWS API' | 'DNS' | 'disk' | 'lock' | 'clock' | 'estate changed mid-run';
/** Counts the fault as failed unless the returned function is called with how it ended. */
function track(group: Group, name: string): (outcome: string) => void {
  const row = trackRow('faults', group, name);
  return (outcome) => row.pass(outcome);
}
afterAll(settleUnfinishedRows);

// ---- at most three sandboxes at once: the DNS probes' timeouts must not be a busy CPU's doing
const withEstate = estatePool(3);

// ---- helpers
const statePath = (e: Estate) => join(e.dir, 'state', 'run.state.json');
const out = (r: CliRun) => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The CLI with the estate's AWS config, plus extra env (a preload). */
function cliWith(e: Estate, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCli(args, { env: { ...e.env, ...env }, cwd: e.dir, timeoutMs: LONG });
}

function preloaded(name: string, env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD(name)}`.trim() };
}

const apply = (e: Estate, env?: NodeJS.ProcessEnv, plan = e.info.planFile) => cliWith(e, ['apply', plan, '--yes', '--state', statePath(e)], env);
const resume = (e: Estate, extra: string[] = []) => cliWith(e, ['resume', e.info.planFile, '--state', statePath(e), ...extra]);

function noStack(r: CliRun): void {
  expect(r.stdout + r.stderr, 'a stack trace').not.toMatch(/\n\s+at /);
  expect(r.stderr, 'a bug report').not.toMatch(/unexpected failure/);
}

function expectRecovered(r: CliRun, from = 1): void {
  expect(r.code, out(r)).toBe(0);
  expect(r.stdout, out(r)).toMatch(new RegExp(`Migration complete \\(from step ${from}\\)`));
  noStack(r);
}

interface StateFile {
  status: string;
  position?: { step: number };
  journal: { seq: number; step: number; operation: string; phase: string; actionId: string }[];
}

/** The state file (and `.prev`, when there is one) parse; returns the state. */
function readState(e: Estate): StateFile {
  const st = readStateWithJournalSync<StateFile>(statePath(e));
  expect(['running', 'halted', 'done', 'failed']).toContain(st.status);
  const prev = `${statePath(e)}.prev`;
  if (existsSync(prev)) expect(() => JSON.parse(readFileSync(prev, 'utf8'))).not.toThrow();
  return st;
}

/** No step skipped: the journal runs through the steps in order, and every step from `from` to 7 did something. */
function expectNoStepSkipped(st: StateFile, from = 1): void {
  const steps = st.journal.map((j) => j.step);
  expect(steps, 'journal steps in order').toEqual([...steps].sort((a, b) => a - b));
  expect(st.journal.map((j) => j.seq)).toEqual(st.journal.map((_, i) => i + 1));
  const done = new Set(st.journal.filter((j) => j.phase === 'applied' || j.phase === 'already-done').map((j) => j.step));
  expect([...done].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7].filter((s) => s >= from));
}

/** The migrated estate: zones gone, endpoints on the Profile with Private DNS, every VPC on it. */
function expectMigrated(world: TwinWorld, e: Estate, zoneIds: string[]): void {
  expect(world.zones.filter((z) => zoneIds.includes(z.id))).toEqual([]);
  for (const ep of world.endpoints) {
    expect(ep.privateDnsEnabled, ep.id).toBe(true);
    expect(world.resourceAssociations.find((r) => r.resourceArn.endsWith(`/${ep.id}`))?.status, ep.id).toBe('COMPLETE');
  }
  expect(world.profileAssociations.filter((a) => a.status === 'COMPLETE').map((a) => a.resourceId).sort()).toEqual(e.info.vpcs.map((v) => v.id).sort());
}

/**
 * The end state every row shares: done, state file intact, journal whole, world migrated, nothing
 * applied twice (but `again`: a call deliberately made a second time, e.g. an association
 * re-made after the first ended FAILED).
 */
async function expectDone(e: Estate, zoneIds: string[], from = 1, again: RegExp[] = []): Promise<void> {
  const st = readState(e);
  expect(st.status).toBe('done');
  expectNoStepSkipped(st, from);
  expectMigrated(await e.state(), e, zoneIds);
  const twice = [...appliedMutations(await e.requests())].filter(([, n]) => n > 1);
  expect(twice.filter(([k, n]) => !(n === 2 && again.some((re) => re.test(k))))).toEqual([]);
}

const MARK_OPERATIONS = new Set(['TagResource', 'UntagResource', 'ChangeTagsForResource']);

const zonesOf = async (e: Estate) => (await e.state()).zones.map((z) => z.id);

describe.concurrent('the fault table', () => {
  // ---------------------------------------------------------------- AWS API
  it('1. throttling storm: 40 calls throttled across every service, reads and writes → recovery', async () => {
    const pass = track('AWS API', 'throttling storm (40 throttled calls, 4 services)');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      // Bursts of 4 in a row (a call gets through on its 5th attempt), at the start and mid-run,
      // reads and mutations never in the same burst.
      const storm = [
        { service: 'sts', mutating: false, count: 4 },
        { service: 'route53', mutating: false, count: 4 },
        { service: 'route53', mutating: false, skip: 12, count: 4 },
        { service: 'route53', mutating: false, skip: 26, count: 4 },
        { service: 'ec2', mutating: false, count: 4 },
        { service: 'ec2', mutating: false, skip: 10, count: 4 },
        { service: 'route53profiles', mutating: false, count: 4 },
        { service: 'route53profiles', mutating: false, skip: 15, count: 4 },
        { operation: 'ModifyVpcEndpoint', count: 4 },
        { operation: 'DisassociateVPCFromHostedZone', count: 4 },
      ];
      await e.fault(storm.map((f) => ({ kind: 'throttle', ...f })));
      const r = await apply(e);
      expectRecovered(r);
      const throttled = (await e.requests()).filter((l) => l.outcome === 'throttled').length;
      expect(throttled).toBeGreaterThanOrEqual(40);
      await expectDone(e, zoneIds);
      pass(`recovery (${throttled} throttled answers ridden out)`);
    });
  }, LONG);

  it('2. 5xx bursts on reads and on mutating calls → recovery, no mutation applied twice', async () => {
    const pass = track('AWS API', '5xx bursts (500/503, 3 in a row, reads and mutations)');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      await e.fault([
        { kind: 'error', status: 500, service: 'route53profiles', mutating: false, count: 3 },
        { kind: 'error', status: 503, service: 'route53', mutating: false, skip: 10, count: 3 },
        { kind: 'error', status: 500, service: 'ec2', mutating: false, skip: 5, count: 3 },
        { kind: 'error', status: 500, operation: 'AssociateResourceToProfile', count: 3 },
        { kind: 'error', status: 503, operation: 'AssociateProfile', count: 2 },
        { kind: 'error', status: 503, operation: 'DisassociateVPCFromHostedZone', count: 3 },
        { kind: 'error', status: 500, operation: 'ModifyVpcEndpoint', count: 3 },
      ]);
      const r = await apply(e);
      expectRecovered(r);
      const log = await e.requests();
      const injected = log.filter((l) => l.outcome === 'fault');
      expect(injected.filter((l) => l.mutating).length).toBeGreaterThanOrEqual(10);
      expect([...appliedMutations(log)].filter(([, n]) => n > 1)).toEqual([]);
      await expectDone(e, zoneIds);
      pass(`recovery (${injected.length} 5xx answers, none applied twice)`);
    });
  }, LONG);

  it('3. an association that ends FAILED (the endpoint at step 5) → halt naming it; resume clears it and finishes', async () => {
    const pass = track('AWS API', 'association ends FAILED (AssociateResourceToProfile, step 5)');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      const endpointId = e.info.names[0]!.endpointId;
      await e.fault({ kind: 'fail-association', operation: 'AssociateResourceToProfile', match: 'vpc-endpoint', count: 1 });
      const halted = await apply(e);
      expect(halted.code, out(halted)).toBe(3);
      expect(halted.stdout).toMatch(new RegExp(`HALTED at step 5 \\((plan|converge)\\): Profile resource association \\S+ \\(arn:aws:ec2:[^)]*${esc(endpointId)}\\) is FAILED`));
      // what to do next: resume, or the one call by hand
      expect(halted.stdout).toMatch(/r53migrate resume` disassociates it and associates it again/);
      expect(halted.stdout).toMatch(/aws route53profiles disassociate-resource-from-profile --profile-id rp-\S+ --resource-arn arn:aws:ec2:\S+/);
      noStack(halted);
      expect(readState(e).status).toBe('halted');

      await e.clearFaults();
      const resumed = await resume(e);
      expectRecovered(resumed, 5);
      expect(resumed.stdout).toMatch(/Disassociated the Profile resource association .* which was FAILED/);
      // the one association made twice: the FAILED one, then again after it was cleared
      await expectDone(e, zoneIds, 1, [new RegExp(`^AssociateResourceToProfile .*${esc(endpointId)}`)]);
      pass('halt at step 5 naming the association; resume disassociated it and finished');
    });
  }, LONG);

  it('3b. a VPC whose Profile association ends FAILED (step 1) → halt naming it; resume finishes', async () => {
    const pass = track('AWS API', 'association ends FAILED (AssociateProfile, step 1)');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      const spoke = e.info.vpcs[1]!.id;
      await e.fault({ kind: 'fail-association', operation: 'AssociateProfile', match: spoke, count: 1 });
      const halted = await apply(e);
      expect(halted.code, out(halted)).toBe(3);
      expect(halted.stdout).toMatch(new RegExp(`HALTED at step 1 \\((plan|converge)\\): Profile association \\S+ of ${spoke} is FAILED`));
      expect(halted.stdout).toMatch(new RegExp(`aws route53profiles disassociate-profile --profile-id rp-\\S+ --resource-id ${spoke}`));
      noStack(halted);
      await e.clearFaults();
      const resumed = await resume(e);
      expectRecovered(resumed, 1);
      expect(resumed.stdout).toMatch(new RegExp(`Disassociated the Profile association \\S+ of ${spoke}, which was FAILED`));
      await expectDone(e, zoneIds, 1, [new RegExp(`^AssociateProfile .*${spoke}`)]);
      pass('halt at step 1 naming the VPC; resume disassociated it and finished');
    });
  }, LONG);

  it('4. propagation slower than the wait budget → halt saying which wait ran out and how to wait longer; that advice, followed literally, finishes', async () => {
    const pass = track('AWS API', 'propagation slower than the budget (ModifyVpcEndpoint ×75)');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      // A copy of the plan with the smallest step budget the schema allows.
      const tight = e.planVariant('plan-tight', (plan) => (plan.budgets.stepTimeoutMs = 1000));
      await e.fault({ kind: 'slow', operation: 'ModifyVpcEndpoint', factor: 75 });
      const halted = await apply(e, {}, tight);
      expect(halted.code, out(halted)).toBe(3);
      expect(halted.stdout).toMatch(
        /HALTED at step 3 \(converge\): Step 3 enable-private-dns \(converge\): the wait budget ran out with 1 pending \(endpoint vpce-\S+: pending\); resume to keep waiting \(the budget starts again\), or give it longer without touching the reviewed plan: r53migrate resume --step-timeout 30m/,
      );
      noStack(halted);
      expect(readState(e).status).toBe('halted');

      // The advice, word for word (plus the state file this test keeps apart); the endpoint is still slow.
      const resumed = await cliWith(e, ['resume', '--state', statePath(e), '--step-timeout', '30m']);
      expectRecovered(resumed, 3);
      await expectDone(e, zoneIds);
      pass('halt at step 3 (converge budget); resume --step-timeout 30m finished, the reviewed plan untouched');
    });
  }, LONG);

  // ---------------------------------------------------------------- DNS
  it('5. a resolver that drops half its queries → no wrong-answer report; recovery (or a halt naming the silent resolver)', async () => {
    const pass = track('DNS', 'resolver drops half its queries (one spoke)');
    await withEstate(SMALL_B, async (e) => {
      const zoneIds = await zonesOf(e);
      const lossy = e.info.vpcs[1]!;
      await e.fault({ kind: 'dns', vpcId: lossy.id, dropRatio: 0.5 });
      const r = await apply(e);
      noStack(r);
      if (r.code === 0) {
        expectRecovered(r);
        // the lost datagrams were resent; none was taken for a wrong answer
        expect(r.stdout).toMatch(/DNS probes \(0 not ok/);
        await expectDone(e, zoneIds);
        return pass('recovery (lost queries resent, 0 wrong answers)');
      }
      // A halt may only be about silence, and only on that VPC.
      expect(r.code, out(r)).toBe(3);
      expect(r.stdout).toMatch(new RegExp(`HALTED at step \\d \\(\\w+\\): .*${lossy.id}`));
      const pairs = r.stdout.split('\n').filter((l) => /^ {2}vpc-\S+ \S+: /.test(l));
      for (const p of pairs) expect(p).toMatch(new RegExp(`^ {2}${lossy.id} \\S+: timeout`));
      await e.clearFaults();
      const st = readState(e);
      const resumed = await resume(e);
      expectRecovered(resumed, st.position!.step);
      await expectDone(e, zoneIds);
      pass('halt naming the silent resolver; resumed');
    });
  }, LONG);

  // ---------------------------------------------------------------- disk
  it('6. state folder read-only from the start → refused before any AWS change; with a writable folder it finishes', async () => {
    const pass = track('disk', 'state folder read-only (EROFS)');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      const dir = join(e.dir, 'state');
      mkdirSync(dir, { recursive: true });
      const r = await apply(e, preloaded('fs-faults', { R53M_FS_FAULT: 'erofs', R53M_FS_FAULT_DIR: dir }));
      expect(r.code, out(r)).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`The state folder ${esc(dir)} is not writable \\(EROFS`));
      expect(r.stderr).toMatch(/Nothing was changed: no AWS change was made\. It is on a read-only file system: run the same command again with --state pointing into a writable folder/);
      noStack(r);
      expect((await e.requests()).filter((l) => l.mutating)).toEqual([]);
      expect(existsSync(statePath(e))).toBe(false);

      const again = await apply(e);
      expectRecovered(again);
      await expectDone(e, zoneIds);
      pass('refused before any AWS change (exit 1); finished once writable');
    });
  }, LONG);

  it('7. disk full mid-run (ENOSPC from the 30th checkpoint) → stops before the next change, last checkpoint intact; resume finishes', async () => {
    const pass = track('disk', 'disk full mid-run (ENOSPC)');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      const dir = join(e.dir, 'state');
      const r = await apply(e, preloaded('fs-faults', { R53M_FS_FAULT: 'enospc', R53M_FS_FAULT_DIR: dir, R53M_FS_FAULT_AFTER: '30' }));
      expect(r.code, out(r)).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`FAILED at step \\d: Could not write the state file ${esc(statePath(e))} \\(ENOSPC while writing the temp file`));
      expect(r.stdout).toMatch(/The previous checkpoint in \S+ is intact\. The disk is full: free some space and resume\./);
      expect(r.stdout).toMatch(/no AWS request was sent after the last checkpoint that could be written/);
      noStack(r);
      // The last good checkpoint: parses, and every change AWS applied had its intent in it.
      const st = readState(e);
      expect(st.status).toBe('running');
      const intents = st.journal.filter((j) => j.phase === 'intent');
      for (const [key, n] of appliedMutations(await e.requests())) {
        const op = key.split(' ')[0]!;
        // The estate mark (tag r53migrate:run) is not a step's change: it is logged, not journaled.
        if (MARK_OPERATIONS.has(op)) continue;
        expect(intents.filter((j) => j.operation === op).length, `${key} applied without a checkpointed intent`).toBeGreaterThanOrEqual(n);
      }
      expect(existsSync(`${statePath(e)}.lock`), 'lock released').toBe(false);

      // Space freed (no preload): resume finishes.
      const resumed = await resume(e);
      expect(resumed.code, out(resumed)).toBe(0);
      expect(resumed.stdout).toMatch(/Migration complete/);
      await expectDone(e, zoneIds);
      pass(`stopped at step ${st.position?.step} with the checkpoint intact; resumed`);
    });
  }, LONG);

  // ---------------------------------------------------------------- lock
  it('8. lock held by a live run → exit 4 naming its pid; the live run finishes', async () => {
    const pass = track('lock', 'lock held by a live process');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      await e.fault({ kind: 'hold', operation: 'AssociateProfile', phase: 'before', count: 1 });
      const first = e.start(['apply', e.info.planFile, '--yes', '--state', statePath(e)]);
      await e.waitHeld(120_000);
      const second = await apply(e);
      expect(second.code, out(second)).toBe(4);
      expect(second.stderr).toMatch(new RegExp(`Another r53migrate run holds the lock ${esc(statePath(e))}\\.lock: pid ${first.child.pid} on host \\S+ .*still running\\. Wait for it to finish`));
      noStack(second);
      await e.release();
      const done = await first.exited;
      expect(done.code, first.stdout()).toBe(0);
      await expectDone(e, zoneIds);
      pass(`exit 4 naming pid ${first.child.pid}; the holder finished`);
    });
  }, LONG);

  it('9. stale lock left by a dead process → taken over (and said so); the run finishes', async () => {
    const pass = track('lock', 'stale lock from a dead pid');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      // A pid that existed and is gone: a child that has exited.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      const pid = Number(dead.stdout);
      expect(pid).toBeGreaterThan(0);
      mkdirSync(join(e.dir, 'state'), { recursive: true });
      writeFileSync(`${statePath(e)}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: new Date(Date.now() - 3600_000).toISOString(), command: 'apply plan.yaml' }) + '\n');
      const r = await apply(e);
      expectRecovered(r);
      expect(r.stdout).toMatch(new RegExp(`warning: Took over the lock ${esc(statePath(e))}\\.lock from pid ${pid} on \\S+ .*which is no longer running`));
      expect(existsSync(`${statePath(e)}.lock`)).toBe(false);
      await expectDone(e, zoneIds);
      pass(`took over pid ${pid}'s lock and finished`);
    });
  }, LONG);

  // ---------------------------------------------------------------- clock
  for (const [direction, jumpMs] of [
    ['forward', 2 * 3600_000],
    ['backward', -2 * 3600_000],
  ] as const) {
    it(`10. the wall clock jumps ${direction} by 2 hours mid-run → budgets and rate limits unaffected; recovery`, async () => {
      const pass = track('clock', `wall clock jumps ${direction} 2 h mid-run`);
      await withEstate(SMALL, async (e) => {
        const zoneIds = await zonesOf(e);
        const r = await apply(e, preloaded('clock-jump', { R53M_CLOCK_JUMP_MS: String(jumpMs), R53M_CLOCK_JUMP_AT: 'step 4:' }));
        expectRecovered(r);
        await expectDone(e, zoneIds);
        // The jump happened mid-run: the journal's timestamps (wall clock, for people) show it.
        const at = readState(e).journal.map((j) => Date.parse((j as unknown as { at: string }).at));
        const steps = at.slice(1).map((t, i) => t - at[i]!);
        expect(jumpMs > 0 ? Math.max(...steps) : Math.min(...steps), 'a journal entry on each side of the jump').toSatisfy((d: number) => Math.abs(d) > 3600_000);
        pass('recovery');
      });
    }, LONG);
  }
  // ---------------------------------------------------------------- the estate changed mid-run

  // A colleague's change in the window, made with the AWS CLI: the run must see it through AWS,
  // stop before it makes things worse, and leave every VPC resolving; once put back, resume finishes.

  it('11. a spoke taken off the Profile while step 5 runs → halt before step 6 detaches it (it would fall through to public DNS); every VPC resolving; re-associated, resume finishes', async () => {
    const pass = track('estate changed mid-run', 'spoke taken off the Profile during step 5');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      const spoke = e.info.vpcs[1]!;
      const probes = e.probeLoop();
      await e.fault({ kind: 'hold', operation: 'AssociateResourceToProfile', phase: 'before', match: 'vpc-endpoint', count: 1 });
      const run = e.start(['apply', e.info.planFile, '--yes', '--state', statePath(e)]);
      await e.waitHeld(120_000);
      await e.aws('spokes-1', ['route53profiles', 'disassociate-profile', '--profile-id', e.info.profileId!, '--resource-id', spoke.id]);
      await e.release();
      const exit = await run.exited;
      const { failures } = await probes.stop();
      expect(exit.code, run.stdout() + run.stderr()).toBe(3);
      expect(run.stdout()).toMatch(new RegExp(`HALTED at step [56] \\(plan\\): [\\s\\S]*${spoke.id} is on the Profile: is false, expected true`));
      expect((await e.requests()).some((l) => l.operation === 'DisassociateVPCFromHostedZone' && l.outcome === 'ok' && (l.body ?? '').includes(spoke.id))).toBe(false);
      expect(failures).toEqual([]);

      await e.aws('spokes-1', ['route53profiles', 'associate-profile', '--profile-id', e.info.profileId!, '--resource-id', spoke.id, '--name', 'put-back']);
      const resumed = await resume(e);
      expect(resumed.code, out(resumed)).toBe(0);
      await expectDone(e, zoneIds);
      pass('halt before step 6 naming the spoke, 0 wrong answers; put back, resumed');
    });
  }, LONG);

  it('12. the zone re-associated with the shared-services VPC after step 2 (the laptop died, a colleague "fixed" it) → resume halts before step 3 instead of sending a doomed ModifyVpcEndpoint; put back, resume finishes', async () => {
    const pass = track('estate changed mid-run', 'zone re-associated with the shared-services VPC after step 2');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      const shared = e.info.vpcs[0]!;
      await e.fault({ kind: 'hold', operation: 'ModifyVpcEndpoint', phase: 'before', count: 1 });
      const run = e.start(['apply', e.info.planFile, '--yes', '--state', statePath(e)]);
      await e.waitHeld(120_000);
      run.child.kill('SIGKILL');
      await run.exited;
      // The held request stays held (never applied): released this instant, the twin might not yet see its caller gone.
      const probes = e.probeLoop();
      const vpcArg = `VPCRegion=${e.info.region},VPCId=${shared.id}`;
      await e.aws('shared-services', ['route53', 'associate-vpc-with-hosted-zone', '--hosted-zone-id', zoneIds[0]!, '--vpc', vpcArg]);
      const halted = await resume(e);
      const { failures } = await probes.stop();
      expect(halted.code, out(halted)).toBe(3);
      expect(halted.stdout).toMatch(new RegExp(`HALTED at step 3 \\(plan\\): .*moved back under the run.*zone ${zoneIds[0]} is associated with ${shared.id}: is true, expected false`));
      expect((await e.requests()).filter((l) => l.operation === 'ModifyVpcEndpoint' && l.outcome === 'ok')).toEqual([]);
      expect(failures).toEqual([]);
      noStack(halted);

      await e.aws('shared-services', ['route53', 'disassociate-vpc-from-hosted-zone', '--hosted-zone-id', zoneIds[0]!, '--vpc', vpcArg]);
      const resumed = await resume(e);
      expectRecovered(resumed, 3);
      await expectDone(e, zoneIds);
      pass('halt at step 3 (moved back), 0 wrong answers; put back, resumed');
    });
  }, LONG);

  it('13. a record added to the zone mid-run → halt naming it (exit 3), nothing deleted; moved away, resume finishes', async () => {
    const pass = track('estate changed mid-run', 'record added to the zone during step 6');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      const spoke = e.info.vpcs[1]!;
      const change = (action: string) =>
        JSON.stringify({ Changes: [{ Action: action, ResourceRecordSet: { Name: `added.${e.info.names[0]!.zoneName}`, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"a colleague\'s"' }] } }] });
      const probes = e.probeLoop();
      await e.fault({ kind: 'hold', operation: 'DisassociateVPCFromHostedZone', phase: 'before', match: spoke.id, count: 1 });
      const run = e.start(['apply', e.info.planFile, '--yes', '--state', statePath(e)]);
      await e.waitHeld(120_000);
      await e.aws('shared-services', ['route53', 'change-resource-record-sets', '--hosted-zone-id', zoneIds[0]!, '--change-batch', change('CREATE')]);
      await e.release();
      const exit = await run.exited;
      const { failures } = await probes.stop();
      expect(exit.code, run.stdout() + run.stderr()).toBe(3);
      expect(run.stdout()).toMatch(/HALTED at step 6 \(plan\): .*holds records the migration would delete with the zone: added\.lambda\.us-east-1\.amazonaws\.com\. TXT/);
      const zone = (await e.state()).zones.find((z) => z.id === zoneIds[0])!;
      expect(zone.records.map((r) => r.type).sort()).toEqual(['A', 'NS', 'SOA', 'TXT']);
      expect(failures).toEqual([]);

      await e.aws('shared-services', ['route53', 'change-resource-record-sets', '--hosted-zone-id', zoneIds[0]!, '--change-batch', change('DELETE')]);
      const resumed = await resume(e);
      expectRecovered(resumed, 6);
      await expectDone(e, zoneIds);
      pass('halt at step 6 naming the record, nothing deleted; moved away, resumed');
    });
  }, LONG);

  it("14. Private DNS turned off on the endpoint after step 3 → resume halts before step 4 takes the zone off the Profile (the shared-services VPC would lose its answer); turned back on, resume finishes", async () => {
    const pass = track('estate changed mid-run', 'endpoint Private DNS turned off after step 3');
    await withEstate(SMALL, async (e) => {
      const zoneIds = await zonesOf(e);
      const endpointId = e.info.names[0]!.endpointId;
      const shared = e.info.vpcs[0]!;
      await e.fault({ kind: 'hold', operation: 'DisassociateResourceFromProfile', phase: 'before', count: 1 });
      const run = e.start(['apply', e.info.planFile, '--yes', '--state', statePath(e)]);
      await e.waitHeld(120_000);
      run.child.kill('SIGKILL');
      await run.exited;
      // The held request stays held (never applied): released this instant, the twin might not yet see its caller gone.
      const probes = e.probeLoop();
      await e.aws('shared-services', ['ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', endpointId, '--no-private-dns-enabled']);
      const halted = await resume(e);
      const { failures } = await probes.stop();
      expect(halted.code, out(halted)).toBe(3);
      expect(halted.stdout).toMatch(new RegExp(`HALTED at step 4 \\(plan\\): .*${shared.id} \\(account shared-services \\d+\\) would lose its answer for lambda\\.us-east-1\\.amazonaws\\.com.*public DNS`));
      expect(halted.stdout).toMatch(new RegExp(`${endpointId} has Private DNS on: is false, expected true`));
      expect((await e.requests()).filter((l) => l.operation === 'DisassociateResourceFromProfile' && l.outcome === 'ok')).toEqual([]);
      expect(failures).toEqual([]);
      noStack(halted);

      await e.aws('shared-services', ['ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', endpointId, '--private-dns-enabled']);
      const resumed = await resume(e);
      expectRecovered(resumed, 4);
      // (the colleague's own call to turn it back on is the same request as step 3's)
      await expectDone(e, zoneIds, 1, [/^ModifyVpcEndpoint .*PrivateDnsEnabled=true/]);
      pass('halt at step 4 naming the VPC that would lose its answer; turned back on, resumed');
    });
  }, LONG);
});
