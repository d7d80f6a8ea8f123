// The maintenance window (issue 12): --through-step, --approve-each-step / --approve-step,
// --window-end and the signals, each driven through the real CLI against its own sandbox with the
// independent probe loop watching every VPC. A stop on request is exit 5 at a safe point: every
// VPC resolving, nothing of the next step (or batch) sent; resume goes on from there with nothing
// applied twice.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, type CliRun, type LongRunning } from '../support/cli.js';
import { readStateWithJournalSync } from '../support/state-file.js';
import { estatePool, excusedKeeperGap, type Estate, type ProbeFailure } from '../support/estate.js';

const LONG = 600_000;
const statePath = (e: Estate) => join(e.dir, 'state', 'run.state.json');
const out = (r: CliRun) => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const withEstate = estatePool(3);

interface Journal {
  step: number;
  actionId: string;
  phase: string;
}
interface State {
  status: string;
  position?: { step: number };
  stop?: { kind: string; step: number; reason: string };
  approvals?: { step: number; by: string; at: string }[];
  timings?: { step: number; estimateMs: number; startedAt: string; endedAt?: string }[];
  journal: Journal[];
}
const state = (e: Estate) => readStateWithJournalSync<State>(statePath(e));

/** Each change is made once: no action applied (or found done) twice across all invocations. */
function appliedOnce(st: State): void {
  const seen = new Map<string, number>();
  for (const j of st.journal) if (j.phase === 'applied') seen.set(j.actionId, (seen.get(j.actionId) ?? 0) + 1);
  expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
}

async function wrongAnswers(e: Estate, failures: ProbeFailure[]): Promise<ProbeFailure[]> {
  const log = await e.requests();
  return failures.filter((f) => !excusedKeeperGap(f, e.info, e.info.vpcs.at(-1)!.id, log));
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const hasPython = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;
if (!hasPython) {
  if (process.env.CI === 'true') throw new Error('python3 (with its pty module) is needed for the terminal tests in CI');
  console.warn('SKIPPED: the terminal (pty) approval test needs python3');
}

/** The CLI on a pseudo-terminal (test/support/pty-drive.py), answering its [y/N] prompts in order. */
function onTerminal(e: Estate, answers: string[], args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [join(ROOT, 'test', 'support', 'pty-drive.py'), ...answers, '--', process.execPath, join(ROOT, 'bin', 'r53migrate.js'), ...args], { env: { ...process.env, ...e.env }, cwd: e.dir });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const mutations = async (e: Estate) => (await e.requests()).filter((l) => l.mutating && l.outcome === 'ok' && !/Tag/.test(l.operation ?? '')).length;

describe.concurrent('the maintenance window', () => {
  it('--through-step N for every N on path A, each a stop at the safe point after step N (exit 5), then resume to the end: nothing applied twice, nobody without an answer', async () => {
    await withEstate(['--scenario', 'direct', '--vpcs', '4', '--endpoints', '1', '--accounts', '2', '--parking'], async (e) => {
      const probes = e.probeLoop();
      for (let n = 1; n <= 6; n++) {
        const r = await e.cli([n === 1 ? 'apply' : 'resume', e.info.planFile, ...(n === 1 ? ['--yes'] : []), '--through-step', String(n), '--state', statePath(e)], LONG);
        expect(r.code, out(r)).toBe(5);
        expect(r.stdout).toMatch(new RegExp(`STOPPED at a safe point before step ${n + 1}: --through-step ${n}: step ${n}'s gates passed`));
        expect(r.stdout).toContain(`Continue with: r53migrate resume ${e.info.planFile}`);
        const st = state(e);
        expect(st.status).toBe('stopped');
        expect(st.stop).toMatchObject({ kind: 'through-step', step: n + 1 });
        // Steps 1..n are done and timed; nothing of a later step was even intended.
        expect(Math.max(...st.journal.map((j) => j.step))).toBe(n);
        expect(st.timings!.filter((t) => t.endedAt).map((t) => t.step)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
        const status = await e.cli(['status', '--state', statePath(e)]);
        expect(status.stdout).toMatch(/stopped on request \(through-step\)/);
        expect(status.stdout).toMatch(/Steps, estimate against actual: step 1 \d+ s \(estimate \d+ s\)/);
      }
      // A through-step behind the run: refused, nothing changes.
      const before = await mutations(e);
      const behind = await e.cli(['resume', e.info.planFile, '--through-step', '3', '--state', statePath(e)]);
      expect(behind.code, out(behind)).toBe(2);
      expect(behind.stderr).toMatch(/--through-step 3: step 3 is behind the run already \(it stands before step 7\)/);
      expect(await mutations(e)).toBe(before);
      const done = await e.cli(['resume', e.info.planFile, '--state', statePath(e)], LONG);
      expect(done.code, out(done)).toBe(0);
      expect(done.stdout).toMatch(/Migration complete \(from step 7\)/);
      const { failures } = await probes.stop();
      expect(await wrongAnswers(e, failures)).toEqual([]);
      const st = state(e);
      appliedOnce(st);
      expect(st.status).toBe('done');
      expect((await e.state()).zones).toEqual([]);
    });
  }, LONG);

  it('--approve-each-step without a terminal: the run stops before each step (exit 5) until resume --approve-step N lets exactly step N start; approvals recorded with who and when', async () => {
    await withEstate(['--scenario', 'via-profile', '--vpcs', '3', '--endpoints', '1', '--accounts', '2', '--parking'], async (e) => {
      const probes = e.probeLoop();
      const first = await e.cli(['apply', e.info.planFile, '--yes', '--approve-each-step', '--state', statePath(e)], LONG);
      expect(first.code, out(first)).toBe(5);
      // What the step will change and what every VPC resolves through afterwards, then the stop.
      expect(first.stdout).toMatch(/^Step 1 \(.+\) will make \d+ changes?:/m);
      expect(first.stdout).toMatch(/then every VPC resolves through:/);
      expect(first.stdout).toMatch(/step 1 waits for an approval \(--approve-each-step\): r53migrate resume --approve-step 1 lets exactly it start/);
      expect(await mutations(e)).toBe(0);
      // Resuming without the approval stops again, changing nothing; approving another step is refused.
      const again = await e.cli(['resume', e.info.planFile, '--state', statePath(e)], LONG);
      expect(again.code, out(again)).toBe(5);
      const wrong = await e.cli(['resume', e.info.planFile, '--approve-step', '2', '--state', statePath(e)]);
      expect(wrong.code, out(wrong)).toBe(2);
      expect(wrong.stderr).toMatch(/--approve-step 2: the run stands before step 1 and waits for the approval of step 1; approve that step \(--approve-step 1\)/);
      expect(await mutations(e)).toBe(0);
      const approved: number[] = [];
      for (let guard = 0; guard < 8; guard++) {
        const st = state(e);
        if (st.status === 'done') break;
        expect(st.stop?.kind).toBe('approval');
        const k = st.stop!.step;
        const r = await e.cli(['resume', e.info.planFile, '--approve-step', String(k), '--state', statePath(e)], LONG);
        approved.push(k);
        const after = state(e);
        // Exactly step k ran: every journal entry of this invocation belongs to step k.
        const steps = new Set(after.journal.slice(st.journal.length).map((j) => j.step));
        expect([...steps]).toEqual([k]);
        if (r.code === 0) break;
        expect(r.code, out(r)).toBe(5);
        expect(after.stop!.step).toBeGreaterThan(k);
      }
      const st = state(e);
      expect(st.status).toBe('done');
      expect(st.approvals!.map((a) => a.step)).toEqual(approved);
      for (const a of st.approvals!) expect(a.by).toMatch(/^\S+@\S+$/);
      const status = await e.cli(['status', '--state', statePath(e)]);
      expect(status.stdout).toMatch(new RegExp(`approved: step ${approved[0]} by \\S+ at `));
      const { failures } = await probes.stop();
      expect(await wrongAnswers(e, failures)).toEqual([]);
      appliedOnce(st);
    });
  }, LONG);

  it.skipIf(!hasPython)('--approve-each-step on a terminal: it shows the step and asks; y lets it start (recorded), n stops at that safe point (exit 5)', async () => {
    await withEstate(['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '2', '--parking'], async (e) => {
      const r = await onTerminal(e, ['y', 'n'], ['apply', e.info.planFile, '--yes', '--approve-each-step', '--state', statePath(e)]);
      expect(r.code, r.output).toBe(5);
      expect(r.output).toMatch(/Step 1 \(.+\) will make \d+ changes?:/);
      expect(r.output).toMatch(/Start step 1 \(.+\)\? \[y\/N\] (\x1b\[\d+G)?y/);
      expect(r.output).toMatch(/Start step 2 \(.+\)\? \[y\/N\] (\x1b\[\d+G)?n/);
      expect(r.output).toMatch(/STOPPED at a safe point before step 2: step 2 was not approved at the prompt/);
      const st = state(e);
      expect(st.approvals!.map((a) => a.step)).toEqual([1]);
      expect(Math.max(...st.journal.map((j) => j.step))).toBe(1);
      // The next session approves step 2 at the prompt and declines step 3.
      const next = await onTerminal(e, ['y', 'n'], ['resume', e.info.planFile, '--state', statePath(e)]);
      expect(next.code, next.output).toBe(5);
      expect(state(e).approvals!.map((a) => a.step)).toEqual([1, 2]);
      expect(state(e).stop).toMatchObject({ kind: 'approval', step: 3 });
    });
  }, LONG);

  it('a window end that falls inside step 6 stops before step 6 (exit 5, nothing of it sent) and the next night finishes; a window already past or too short for step 1 is refused (exit 2)', async () => {
    // Delays at half AWS's: step 6 (four waves) takes seconds, so a window can end inside it.
    await withEstate(['--scenario', 'direct', '--vpcs', '5', '--endpoints', '1', '--accounts', '2', '--parking', '--waves', 'one-at-a-time', '--delay-scale', '0.5'], async (e) => {
      // Refused before anything: a time in the past, a bad time, and a window that can't hold step 1
      // at AWS's delays (R53M_DELAY_SCALE=1: step 1 alone takes seconds).
      const past = await e.cli(['apply', e.info.planFile, '--yes', '--window-end', new Date(Date.now() - 60_000).toISOString(), '--state', statePath(e)]);
      expect(past.code, out(past)).toBe(2);
      expect(past.stderr).toMatch(/--window-end \S+ is in the past/);
      const garbled = await e.cli(['apply', e.info.planFile, '--yes', '--window-end', 'tonight', '--state', statePath(e)]);
      expect(garbled.code, out(garbled)).toBe(2);
      expect(garbled.stderr).toMatch(/--window-end takes an ISO 8601 time .* or HH:MM in local time/);
      const short = await runCli(['apply', e.info.planFile, '--yes', '--window-end', new Date(Date.now() + 5_000).toISOString(), '--state', statePath(e)], { env: { ...e.env, R53M_DELAY_SCALE: '1' }, cwd: e.dir, timeoutMs: 60_000 });
      expect(short.code, out(short)).toBe(2);
      expect(short.stderr).toMatch(/--window-end: the window ends at .*; step 1 needs ~\d+ s \(estimate\)\. Nothing was changed/);
      expect(await mutations(e)).toBe(0);

      const probes = e.probeLoop();
      const tonight = await e.cli(['apply', e.info.planFile, '--yes', '--through-step', '5', '--state', statePath(e)], LONG);
      expect(tonight.code, out(tonight)).toBe(5);
      // Step 6's estimate from where the estate stands now, and a window that ends inside it: the
      // guard compares at step 6's start, later than now, so it finds even less time left.
      const plan = await e.cli(['plan', e.info.planFile, '--json']);
      const step6 = (JSON.parse(plan.stdout) as { estimate: { steps: { step: number; ms: number }[] } }).estimate.steps.find((s) => s.step === 6)!;
      expect(step6.ms).toBeGreaterThan(4_000);
      const windowEnd = new Date(Date.now() + step6.ms * 0.8).toISOString();
      const r = await e.cli(['resume', e.info.planFile, '--window-end', windowEnd, '--state', statePath(e)], LONG);
      expect(r.code, out(r)).toBe(5);
      expect(r.stdout).toMatch(/STOPPED at a safe point before step 6: the window ends at .*; step 6 needs ~\d+ s \(estimate\): stopped before it, with every VPC resolving/);
      let st = state(e);
      expect(st.stop).toMatchObject({ kind: 'window-end', step: 6 });
      expect(st.journal.filter((j) => j.step === 6)).toEqual([]);
      // The next night: a window long enough.
      const next = await e.cli(['resume', e.info.planFile, '--window-end', new Date(Date.now() + 3_600_000).toISOString(), '--state', statePath(e)], LONG);
      expect(next.code, out(next)).toBe(0);
      expect(next.stdout).toMatch(/Migration complete \(from step 6\)/);
      const { failures } = await probes.stop();
      expect(await wrongAnswers(e, failures)).toEqual([]);
      st = state(e);
      appliedOnce(st);
    });
  }, LONG);
});

/** After a stop: resume finishes (exit 0), nobody lost an answer, no change was made twice. */
async function resumesCleanly(e: Estate, plan: string, probes: ReturnType<Estate['probeLoop']>): Promise<void> {
  const done = await e.cli(['resume', plan, '--state', statePath(e)], LONG);
  expect(done.code, out(done)).toBe(0);
  const { failures } = await probes.stop();
  expect(await wrongAnswers(e, failures)).toEqual([]);
  appliedOnce(state(e));
}

/** Sends SIGINT once the run prints `marker`, and expects a stop at the next safe point. */
async function interruptAt(run: LongRunning, marker: RegExp, where: RegExp): Promise<void> {
  await run.waitFor(marker, 120_000);
  run.child.kill('SIGINT');
  await run.waitFor(where, 30_000);
}

describe.concurrent('signals: the first Ctrl-C stops at the next safe point (exit 5), resume finishes with nothing applied twice', () => {
  const estate = ['--scenario', 'direct', '--vpcs', '4', '--endpoints', '1', '--accounts', '2', '--parking', '--delay-scale', '0.3'];

  it('during a batch: the call in flight returns, no other starts, the batch settles and passes its gates, then the stop', async () => {
    await withEstate(estate, async (e) => {
      const probes = e.probeLoop();
      await e.fault({ kind: 'hold', operation: 'DisassociateVPCFromHostedZone', phase: 'before', match: e.info.vpcs[1]!.id, count: 1 });
      const run = e.start(['apply', e.info.planFile, '--yes', '--state', statePath(e)]);
      await e.waitHeld(120_000);
      run.child.kill('SIGINT');
      await run.waitFor(/^SIGINT: stopping at a safe point once the calls in flight return \(no new one starts\), after this batch's gates/, 30_000);
      await e.release();
      const exit = await run.exited;
      expect(exit.code, run.stdout() + run.stderr()).toBe(5);
      expect(run.stdout()).toMatch(/STOPPED at a safe point (in step \d, before its next batch|before step \d): SIGINT: stopped at the next safe point/);
      const st = state(e);
      expect(st.status).toBe('stopped');
      // The held call was let through and recorded: nothing in flight is lost.
      expect(st.journal.filter((j) => j.phase === 'intent').every((i) => st.journal.some((j) => j.actionId === i.actionId && j.phase !== 'intent'))).toBe(true);
      await resumesCleanly(e, e.info.planFile, probes);
    });
  }, LONG);

  it('during a converge wait: the wait goes on to its end and the DNS gate passes, then the stop', async () => {
    await withEstate(estate, async (e) => {
      const probes = e.probeLoop();
      const run = e.start(['apply', e.info.planFile, '--yes', '--state', statePath(e)]);
      await interruptAt(run, /^ {2}waiting: /, /^SIGINT: stopping at a safe point (after this batch's gates: the control-plane wait|after this batch's DNS gate|before the next batch)/);
      const exit = await run.exited;
      expect(exit.code, run.stdout() + run.stderr()).toBe(5);
      // The batch that was waiting passed its DNS gate before the stop.
      const tail = run.stdout().slice(run.stdout().indexOf('SIGINT: stopping'));
      expect(tail).toMatch(/dns pass:/);
      expect(state(e).status).toBe('stopped');
      await resumesCleanly(e, e.info.planFile, probes);
    });
  }, LONG);

  it('during a DNS gate: the gate goes on to its verdict, then the stop (SIGTERM does the same)', async () => {
    await withEstate(estate, async (e) => {
      // A long gate (10 good rounds in a row) so the signal lands inside it.
      const plan = e.planVariant('long-gate', (p) => (p.probes.okStreak = 10));
      const probes = e.probeLoop();
      const run = e.start(['apply', plan, '--yes', '--state', statePath(e)]);
      await run.waitFor(/^ {2}dns gate: waiting for 10 ok rounds/, 120_000);
      run.child.kill('SIGTERM');
      await run.waitFor(/^SIGTERM: stopping at a safe point after this batch's DNS gate/, 30_000);
      const exit = await run.exited;
      expect(exit.code, run.stdout() + run.stderr()).toBe(5);
      const tail = run.stdout().slice(run.stdout().indexOf('SIGTERM: stopping'));
      expect(tail).toMatch(/dns pass:/);
      expect(state(e).stop).toMatchObject({ kind: 'signal' });
      await resumesCleanly(e, plan, probes);
    });
  }, LONG);
});
