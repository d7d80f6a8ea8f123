// `apply`, `resume` and `status`: run the migration, continue it, and say where it stands.
import { observeAndPlan } from './dry-run.js';
import { Command, InvalidArgumentError } from 'commander';
import { readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Logger } from 'pino';
import type { AwsAccess } from '../aws/access.js';
import { observe } from '../aws/observe.js';
import type { World } from '../aws/world.js';
import { RollbackInProgressError, runMigration, type RunOptions, type RunResult } from '../machines/runner.js';
import type { LoadedPlan } from '../plan/load.js';
import { BUDGET_LIMITS_MS, DEFAULT_RATE_SHARE, RATE_SHARE_EXPECTED, RATE_SHARE_LIMITS } from '../plan/schema.js';
import { DEFAULT_STATE_DIR, inspectStateLock, isS3Location, journalPathFor, keepBeside, readStateFile, StateDirNotWritableError, UNWRITABLE_ERRNOS, type StateLockInspection } from '../state/index.js';
import { formatDuration } from '../steps/timing.js';
import type { ApprovalRequest, RunControl } from '../machines/window-control.js';
import { accessFor, defaultStatePath, fileLogger, loadPlanForCli, logPathFor, parseDuration, useReplacedZones } from './common.js';
import { EXIT, EXIT_CODES_HELP, UsageError } from './errors.js';
import { confirm, type CliIo } from './io.js';
import { PermissionPreflight } from './permission-check.js';
import { progressPrinter } from './progress.js';
import { renderPlanText, runPlanHash } from './render-plan.js';
import { keepLogSummary, writeRunReport } from '../report/write.js';
import { TOOL_VERSION } from './version.js';

const rel = (p: string) => (isS3Location(p) ? p : relative(process.cwd(), p) || p);

export function summary(result: RunResult, access: AwsAccess, loaded: LoadedPlan, logPath: string): string {
  const s = (n: number) => (n === 1 ? '' : 's');
  const lines: string[] = [];
  const c = result.counters;
  const figures = `this invocation: ${c.applied + c.alreadyDone} action${s(c.applied + c.alreadyDone)} (${c.applied} applied, ${c.alreadyDone} found already done) in ${c.batches} batch${c.batches === 1 ? '' : 'es'}, ${access.budget.granted} API calls (at ${Math.round(access.budget.share * 100)} % of AWS's documented request rates), ${result.probes.results} DNS probes (${result.probes.nonOk} not ok${result.probes.unanswered ? `, ${result.probes.unanswered} unanswered (resent and lost)` : ''}${result.probes.probeErrors ? `, ${result.probes.probeErrors} SSM probes that did not run` : ''}${result.probes.keeperGap ? `; ${result.probes.keeperGap} on the keeper while its zones were deleted` : ''}), ${(result.elapsedMs / 1000).toFixed(1)} s`;
  const back = result.direction === 'rollback';
  const start = `path ${result.path ?? '?'}, as the run first found it`;
  switch (result.outcome) {
    case 'done':
      lines.push(back ? `Rollback complete (from undo step ${result.startedAtStep}): the estate is back to ${start}; ${figures}.` : `Migration complete (from step ${result.startedAtStep}): ${figures}.`);
      break;
    case 'nothing-to-do':
      lines.push(
        back
          ? `Nothing to roll back: the estate is as the run first found it (path ${result.path ?? '?'}).`
          : `Nothing to do: ${loaded.plan.name} is already migrated (every endpoint on the Profile with Private DNS, every zone gone).`,
      );
      break;
    case 'halted': {
      const h = result.halt!;
      lines.push(`HALTED at ${back ? 'undo ' : ''}step ${h.step} (${h.phase}): ${h.reason}`);
      for (const p of h.pairs ?? []) lines.push(`  ${p.vpcId} ${p.name}: ${p.class}${p.answers.length ? ` ${p.answers.join(', ')}` : ''} (${p.consecutive} in a row)`);
      lines.push(`Nothing after it ran. Fix the cause, then: r53migrate resume ${loaded.file}`, `So far: ${figures}.`);
      break;
    }
    case 'failed':
      if (result.failure?.phase === 'checkpoint') {
        // The run stopped because it could not checkpoint: nothing was sent after the last good one.
        lines.push(
          `FAILED at step ${result.failure.step}: ${result.failure.message}`,
          `The run stopped there: no AWS request was sent after the last checkpoint that could be written. Once the cause is fixed: r53migrate resume ${loaded.file}`,
          `So far: ${figures}.`,
        );
      } else {
        lines.push(`FAILED: ${result.failure?.message ?? 'unknown failure'}`, `The state is saved; once the cause is fixed: r53migrate resume ${loaded.file}`, `So far: ${figures}.`);
      }
      break;
    case 'interrupted':
      lines.push(`Interrupted${result.failure ? `: ${result.failure.message}` : ''}. The state is saved; continue with: r53migrate resume ${loaded.file}`, `So far: ${figures}.`);
      break;
    case 'stopped': {
      const st = result.stop!;
      const step = `${back ? 'undo ' : ''}step ${st.step}`;
      const inStep = result.timings.some((t) => t.step === st.step && t.direction === result.direction && !t.endedAt);
      lines.push(
        `STOPPED at a safe point ${inStep ? `in ${step}, before its next batch` : `before ${step}`}: ${st.reason}.`,
        inStep
          ? `What ${step} sent so far settled and passed its gates; every VPC resolves. Stopping here is safe for as long as needed.`
          : `Every gate before it passed and nothing of ${step} was sent; every VPC resolves. Stopping here is safe for as long as needed.`,
        `Continue with: r53migrate resume ${loaded.file}${st.kind === 'approval' ? ` --approve-step ${st.step}` : ''}`,
        `So far: ${figures}.`,
      );
      break;
    }
  }
  lines.push(...timingLines(result.timings.filter((t) => t.direction === result.direction)));
  // Step 7 stopped between emptying a zone and deleting it: what was put back, or who has no answer.
  for (const c of result.compensation) lines.push(c);
  if (back) {
    for (const [old, now] of Object.entries(result.replacedZones)) {
      lines.push(`Zone ${old} was re-created from its backup as ${now} (a new id, recorded in the state file: later runs of this plan use it; put it in the plan file when convenient).`);
    }
  }
  if (result.outcome !== 'nothing-to-do') {
    const journal = isS3Location(result.statePath) ? 'its journal inside' : `journal ${rel(journalPathFor(result.statePath))}`;
    lines.push(`State: ${rel(result.statePath)} (${journal})   probe log: ${rel(result.probeLog)}   log: ${rel(logPath)}`);
    for (const b of result.backups) lines.push(`Backup of ${b.zoneId}: ${rel(b.json)} (+ BIND ${rel(b.bind)})`);
  }
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

/** "Steps, estimate against actual: step 1 12 s (estimate 10 s), ...": how the run kept to its estimates. */
export function timingLines(timings: RunResult['timings']): string[] {
  if (!timings.length) return [];
  const parts = timings.map((t) => {
    const took = t.endedAt ? formatDuration(Date.parse(t.endedAt) - Date.parse(t.startedAt)) : `running since ${t.startedAt}, expected to end ~${new Date(Date.parse(t.startedAt) + t.estimateMs).toISOString()}`;
    return `${t.direction === 'rollback' ? 'undo ' : ''}step ${t.step} ${took} (estimate ${formatDuration(t.estimateMs)})`;
  });
  return [`Steps, estimate against actual: ${parts.join(', ')}.`];
}

export const OUTCOME_EXIT: Record<RunResult['outcome'], number> = {
  done: EXIT.done,
  'nothing-to-do': EXIT.done,
  halted: EXIT.halted,
  failed: EXIT.failed,
  interrupted: EXIT.failed,
  stopped: EXIT.stopped,
};

export interface ExecuteRunOptions {
  mode: 'apply' | 'resume' | 'rollback';
  statePath: string;
  acceptPlanChange?: boolean;
  command: string;
  /** The observation the plan shown to the operator was computed from. */
  observed?: World;
  run: RunFlags;
  logger?: Logger;
  /** The run's result, for callers that report more (sandbox run --rollback-after). */
  onResult?: (result: RunResult) => void;
  /** Passed to the runner: the permission check of a run that observes for itself (resume). */
  permissionCheck?: RunOptions['permissionCheck'];
  runHash?: RunOptions['runHash'];
}

/** The run's NDJSON log beside its state file; every AWS call of the run goes there. */
export function openRunLog(statePath: string): { logger: Logger | undefined; path: string } {
  const path = logPathFor(statePath);
  try {
    return { logger: fileLogger(path), path };
  } catch (e) {
    // The log sits beside the state file: a folder that refuses it will refuse the checkpoints.
    if (UNWRITABLE_ERRNOS.has((e as NodeJS.ErrnoException).code ?? '')) throw new StateDirNotWritableError(dirname(path), e);
    throw e;
  }
}

/** Options of apply and resume that shape this invocation only (the reviewed plan stays as it is). */
export interface RunFlags {
  budgets: { stepTimeoutMs?: number; dnsGateTimeoutMs?: number; rateShare?: number };
  forceUnlock?: string;
  control: RunControl & { approveStep?: number };
}

export interface RunFlagOptions {
  stepTimeout?: string;
  dnsGateTimeout?: string;
  rateShare?: string;
  forceUnlock?: string;
  windowEnd?: string;
  approveEachStep?: boolean;
  throughStep?: number;
  approveStep?: number;
}

/** --rate-share: a fraction within budgets.rateShare's bounds (a percentage is refused, not guessed). */
export function parseRateShare(v: string): number {
  const n = Number(v.trim());
  const [min, max] = RATE_SHARE_LIMITS;
  if (!/^\d*\.?\d+$/.test(v.trim()) || !(n >= min && n <= max)) throw new UsageError(`--rate-share ${JSON.stringify(v)}: ${RATE_SHARE_EXPECTED}`, 'BAD_RATE_SHARE');
  return n;
}

/**
 * --window-end: an ISO 8601 time (with an offset, or local without one), or HH:MM in local time
 * (today, or tomorrow when that time has passed today). A time already past is refused.
 */
export function parseWindowEnd(v: string, now = Date.now()): number {
  const hm = /^(\d{1,2}):(\d{2})$/.exec(v.trim());
  if (hm) {
    const [h, m] = [Number(hm[1]), Number(hm[2])];
    if (h > 23 || m > 59) throw new UsageError(`--window-end ${v}: not a time of day (HH:MM, 00:00 to 23:59)`);
    const d = new Date(now);
    d.setHours(h, m, 0, 0);
    if (d.getTime() <= now) d.setDate(d.getDate() + 1);
    return d.getTime();
  }
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v.trim()) ? Date.parse(v.trim()) : NaN;
  if (!Number.isFinite(t)) throw new UsageError(`--window-end takes an ISO 8601 time (2026-12-04T06:00:00Z, 2026-12-04T06:00+01:00) or HH:MM in local time (06:00: today, or tomorrow once past), not "${v}"`);
  if (t <= now) throw new UsageError(`--window-end ${v} is in the past (now ${new Date(now).toISOString()}): nothing was changed`, 'WINDOW_PAST');
  return t;
}

const stepNumber = (flag: string, from = 1) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < from || n > 7) throw new InvalidArgumentError(`${flag} takes a step number from ${from} to 7${from === 0 ? ' (0: prepare only)' : ''}, not "${v}"`);
  return n;
};

export function addRunFlags(cmd: Command): Command {
  return cmd
    .option('--step-timeout <duration>', "longest wait for one step's control-plane gate, this time only (overrides budgets.stepTimeoutMs without changing the plan's hash), e.g. 30m")
    .option('--dns-gate-timeout <duration>', "longest wait for one step's DNS gate, this time only (overrides budgets.dnsGateTimeoutMs), e.g. 10m")
    .option(
      '--rate-share <fraction>',
      `the share of AWS's documented request rates to send at, this time only (overrides budgets.rateShare, default ${DEFAULT_RATE_SHARE}), from ${RATE_SHARE_LIMITS[0]} to ${RATE_SHARE_LIMITS[1]}: ${RATE_SHARE_LIMITS[1]} when nothing else calls Route 53, EC2 or Route 53 Profiles in these accounts during the window`,
    )
    .option(
      '--force-unlock <id>',
      "take over from a run that is gone for good: the run id of a mark (tag r53migrate:run) still on the Profile and zones, or the id of a stale S3 state lock (one its holder stopped renewing for longer than its lease; the refusal names it)",
    )
    .option('--window-end <time>', "the change window's end (ISO 8601, or HH:MM local): a step — or a wave of step 6 — starts only if its estimate ends before it; else the run stops at the safe point before it (exit 5)")
    .option('--approve-each-step', 'every step waits for an approval before it sends anything: asked on a terminal; elsewhere the run stops (exit 5) until resume --approve-step N (kept for the rest of the run)');
}

/** --through-step (apply, resume) and --approve-step (resume). */
export function addStepFlags(cmd: Command, approveStep: boolean): Command {
  cmd.option('--through-step <n>', "run until step N's gates pass, then stop at that safe point (exit 5); resume goes on. 0: prepare only (the Profile made and shared)", stepNumber('--through-step', 0));
  if (approveStep) cmd.option('--approve-step <n>', 'let step N start (the one the run stopped before, waiting for an approval); recorded in the state file with your user name', stepNumber('--approve-step'));
  return cmd;
}

export function runFlags(o: RunFlagOptions): RunFlags {
  const [stepMin, stepMax] = BUDGET_LIMITS_MS.stepTimeoutMs;
  const [dnsMin, dnsMax] = BUDGET_LIMITS_MS.dnsGateTimeoutMs;
  return {
    budgets: {
      ...(o.stepTimeout ? { stepTimeoutMs: parseDuration(o.stepTimeout, '--step-timeout', stepMin, stepMax) } : {}),
      ...(o.dnsGateTimeout ? { dnsGateTimeoutMs: parseDuration(o.dnsGateTimeout, '--dns-gate-timeout', dnsMin, dnsMax) } : {}),
      ...(o.rateShare !== undefined ? { rateShare: parseRateShare(o.rateShare) } : {}),
    },
    ...(o.forceUnlock ? { forceUnlock: o.forceUnlock } : {}),
    control: {
      ...(o.windowEnd ? { windowEnd: parseWindowEnd(o.windowEnd) } : {}),
      ...(o.approveEachStep ? { approveEachStep: true } : {}),
      ...(o.throughStep !== undefined ? { throughStep: o.throughStep } : {}),
      ...(o.approveStep !== undefined ? { approveStep: o.approveStep } : {}),
    },
  };
}

/**
 * The run's signals: the first SIGINT/SIGTERM asks for a stop at the next safe point, the second
 * stops at once. Tests pass io.interrupted (a first signal only).
 */
function runSignals(io: CliIo): { stop: AbortController; hard: AbortController; dispose(): void } {
  const stop = new AbortController();
  const hard = new AbortController();
  let count = 0;
  const on = (sig: string) => {
    count++;
    if (count === 1) return stop.abort(new Error(sig));
    io.stdout.write(`${sig} again: stopping at once (the calls in flight are abandoned; the state is saved, resume checks what they did).\n`);
    hard.abort(new Error(`stopped at once by a second ${sig}`));
  };
  if (io.interrupted) {
    void io.interrupted.then(on);
    return { stop, hard, dispose: () => undefined };
  }
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    stop,
    hard,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/**
 * Every run rewrites its report beside the state file. A report that cannot be written is a
 * warning: the run's outcome and exit code stand, and `r53migrate report` can make it later.
 */
async function reportLine(statePath: string): Promise<string> {
  try {
    // This machine's sessions, for a report made on another (an S3 state).
    await keepLogSummary(statePath);
    const { path, bytes } = await writeRunReport({ statePath, toolVersion: TOOL_VERSION });
    // Beside an S3 state, where a teammate (or the change board) finds it.
    await keepBeside(statePath, [path]);
    return `Report: ${rel(path)} (${(bytes / 1024).toFixed(0)} KiB, self-contained HTML: open it in a browser)\n`;
  } catch (e) {
    return `warning: the run report could not be written (${(e as Error).message}); make it later with r53migrate report --state ${rel(statePath)}\n`;
  }
}

/** Runs the migration with live progress and a summary; returns the exit code. */
export async function executeRun(io: CliIo, loaded: LoadedPlan, access: AwsAccess, o: ExecuteRunOptions): Promise<number> {
  const logPath = logPathFor(o.statePath);
  const signals = runSignals(io);
  const tty = !!io.stdin && !!(io.stdin as { isTTY?: boolean }).isTTY;
  const result = await runMigration({
    loaded,
    access,
    statePath: o.statePath,
    command: o.command,
    mode: o.mode,
    acceptPlanChange: o.acceptPlanChange,
    budgets: o.run.budgets,
    ...(o.run.forceUnlock ? { forceUnlock: o.run.forceUnlock } : {}),
    ...(o.observed ? { observed: o.observed } : {}),
    ...(o.permissionCheck ? { permissionCheck: o.permissionCheck } : {}),
    ...(o.runHash ? { runHash: o.runHash } : {}),
    progress: progressPrinter(io, loaded.plan),
    ...(o.logger ? { logger: o.logger } : {}),
    signal: signals.hard.signal,
    stop: signals.stop.signal,
    onStopRequested: (where) =>
      io.stdout.write(`${(signals.stop.signal.reason as Error).message}: stopping at a safe point ${where}. Press Ctrl-C again to stop at once (the state is saved either way; resume goes on).\n`),
    control: {
      ...o.run.control,
      ...(tty ? { ask: (r: ApprovalRequest) => confirm(io, `Start ${r.direction === 'rollback' ? 'undo ' : ''}step ${r.step} (${r.title})? [y/N] `, signals.stop.signal) } : {}),
    },
    env: io.env,
  }).finally(() => signals.dispose());
  o.logger?.flush();
  o.onResult?.(result);
  io.stdout.write(summary(result, access, loaded, logPath));
  if (result.outcome !== 'nothing-to-do') io.stdout.write(await reportLine(o.statePath));
  return OUTCOME_EXIT[result.outcome];
}

export function applyCommand(io: CliIo, setExit: (code: number) => void): Command {
  return addStepFlags(addRunFlags(new Command('apply')), false)
    .description('Run the migration: show the plan, then execute it step by step with control-plane and DNS gates, checkpointing as it goes.')
    .argument('<plan>', 'plan file (YAML or JSON)')
    .option('--yes', 'do not ask for confirmation')
    .option('--plan-hash <hash>', 'apply only if the plan still has this hash (from `r53migrate plan`)')
    .option('--state <location>', `state file, or s3://bucket/prefix/name.state.json for a state shared by a team (default: the plan's state.location, else ${DEFAULT_STATE_DIR}/<plan name>.state.json)`)
    .addHelpText(
      'after',
      `
On a terminal it asks before changing anything, unless --yes or --plan-hash is given; elsewhere
one of them is required. An estate that is part-way (an interrupted run, steps done by hand) is
picked up where it stands; an already migrated one is a no-op.
Before every batch it checks, from what AWS says now, that no VPC — in the plan or not — would
lose its answer; VPCs outside the plan that depend on the zones or the Profile are refused unless
listed under excludedVpcs. The estate is marked as this run's (tag r53migrate:run on the Profile
and the zones) until it is done; another run finding the mark refuses to start.
A plan with profile.create (or profile.share) runs prepare first, as step 0: the RAM share, the
Profile, each account's invitation accepted with its own credentials, until every account sees
the Profile. --through-step 0 runs prepare alone; rollback takes it back last.

In a change window: \`plan\` prints each step's estimate. --through-step N stops once step N's
gates pass; --approve-each-step waits for a yes before each step (without a terminal the run stops
and \`resume --approve-step N\` lets step N start); --window-end 06:00 starts no step (and no wave
of step 6) that its estimate says would end after 06:00. Every such stop is at a safe point:
every VPC resolves, for as long as it takes. Ctrl-C once stops at the next safe point (the batch
in flight settles and passes its gates first); twice stops at once.
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, o: { yes?: boolean; planHash?: string; state?: string } & RunFlagOptions) => {
      const loaded = await loadPlanForCli(file);
      const flags = runFlags(o);
      const statePath = o.state ?? defaultStatePath(loaded.plan);
      // Going forward while a rollback of this state file is part-way would fight it.
      const recorded = await readStateFile(statePath).catch(() => undefined);
      if (recorded?.direction === 'rollback' && recorded.status !== 'done') throw new RollbackInProgressError(statePath, recorded.position?.step);
      for (const line of await useReplacedZones(loaded, statePath)) io.stdout.write(`note: ${line}\n`);
      const { logger } = openRunLog(statePath);
      const access = accessFor(loaded, logger, flags.budgets.rateShare);
      try {
        // Every account may make the calls the run needs (IAM policy simulator), or nothing is changed (exit 2).
        const permissions = new PermissionPreflight(loaded, (line) => io.stdout.write(`${line}\n`));
        await permissions.discovery(access);
        const { world, run } = await observeAndPlan(loaded.plan, access);
        if (!run.ok) {
          io.stderr.write(renderPlanText(loaded, run));
          return setExit(EXIT.badInput);
        }
        if (run.nothingToDo) {
          io.stdout.write(`Nothing to do: ${loaded.plan.name} is already migrated (every endpoint on the Profile with Private DNS, every zone gone). Nothing was changed.\n`);
          return setExit(EXIT.done);
        }
        await permissions.run(access, { path: run.path, direction: 'forward', world });
        const hash = runPlanHash(loaded, run);
        if (o.planHash && o.planHash !== hash) {
          throw new UsageError(`the plan hash is ${hash} now, not ${o.planHash}: the plan file or the estate changed since it was reviewed. Review it again with: r53migrate plan ${file}`, 'PLAN_HASH_MISMATCH');
        }
        // After a prompt (minutes, maybe) the run observes afresh rather than trust this world.
        const prompted = !o.yes && !o.planHash;
        if (prompted) {
          if (!io.stdin || !(io.stdin as { isTTY?: boolean }).isTTY) {
            throw new UsageError(`apply changes AWS: pass --yes, or --plan-hash ${hash} to apply exactly the plan you reviewed (r53migrate plan ${file})`, 'CONFIRMATION_REQUIRED');
          }
          io.stdout.write(renderPlanText(loaded, run));
          if (!(await confirm(io, `Apply these ${run.mutatingCalls} changes? [y/N] `))) {
            io.stdout.write('Nothing was changed.\n');
            return setExit(EXIT.done);
          }
        } else {
          io.stdout.write(`Applying plan ${loaded.plan.name} (hash ${hash}): path ${run.path}, from ${run.steps[0]?.number === 0 ? 'prepare, then step' : 'step'} ${run.position}, ${run.mutatingCalls} changes.\n`);
        }
        setExit(
          await executeRun(io, loaded, access, { mode: 'apply', statePath, command: `apply ${file}`, runHash: { hash, reviewed: o.planHash === hash }, run: flags, ...(logger ? { logger } : {}), ...(prompted ? {} : { observed: world }) }),
        );
      } finally {
        access.destroy();
      }
    });
}

/**
 * The plan and state file of a run to go on with (resume) or back from (rollback): the plan given,
 * or the one the state file names; the state file given, or the plan's default.
 */
export async function locateRun(file: string | undefined, state: string | undefined): Promise<{ loaded: LoadedPlan; planFile: string; statePath: string }> {
  let statePath = state;
  let planFile = file;
  if (!planFile) {
    statePath = await findStateFile(state);
    const st = await readStateFile(statePath);
    if (!st) throw new UsageError(`no state file at ${statePath}`, 'NO_STATE');
    planFile = st.plan.file;
  }
  const loaded = await loadPlanForCli(planFile);
  return { loaded, planFile, statePath: statePath ?? defaultStatePath(loaded.plan) };
}

export async function findStateFile(explicit: string | undefined): Promise<string> {
  if (explicit) return explicit;
  const files = (await readdir(DEFAULT_STATE_DIR).catch(() => [] as string[])).filter((f) => f.endsWith('.state.json'));
  if (files.length === 1) return join(DEFAULT_STATE_DIR, files[0]!);
  if (!files.length) throw new UsageError(`no run to resume: no state file in ${DEFAULT_STATE_DIR}/ (give the plan, or --state FILE)`, 'NO_STATE');
  throw new UsageError(`several runs in ${DEFAULT_STATE_DIR}/ (${files.join(', ')}): say which with the plan or --state FILE`, 'AMBIGUOUS_STATE');
}

export function resumeCommand(io: CliIo, setExit: (code: number) => void): Command {
  return addStepFlags(addRunFlags(new Command('resume')), true)
    .description('Continue an interrupted or halted run — a migration or a rollback, as the state file says: re-observe AWS and carry on from where the world stands (never repeating a change already made).')
    .argument('[plan]', 'plan file (default: the one the state file names)')
    .option('--state <location>', `state file, or s3://bucket/prefix/name.state.json for a state shared by a team (default: the plan's state.location, else ${DEFAULT_STATE_DIR}/<plan name>.state.json)`)
    .option('--accept-plan-change', 'resume although the plan file changed since the run started (the next batch is planned afresh from AWS and the new plan)')
    .addHelpText(
      'after',
      `
Resume never replays: it observes AWS again, starts at the step the run stopped in, passes that
step's gates (control plane, then DNS) before it changes anything — with the fault still there
it halts again having changed nothing — and plans the next batch afresh from the world and the
plan as they are now. A budget that ran out can be given more time without changing the
reviewed plan: --step-timeout 30m, --dns-gate-timeout 10m.
After a stop on request (exit 5): resume goes on to the end, or to --through-step M; a run that
waits for an approval goes on with --approve-step N (N the step it stopped before).
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string | undefined, o: { state?: string; acceptPlanChange?: boolean } & RunFlagOptions) => {
      const flags = runFlags(o);
      const { loaded, planFile, statePath } = await locateRun(file, o.state);
      if (!(await readStateFile(statePath))) throw new UsageError(`no run of ${loaded.plan.name} to resume (no ${statePath}); start one with: r53migrate apply ${planFile}`, 'NO_STATE');
      for (const line of await useReplacedZones(loaded, statePath)) io.stdout.write(`note: ${line}\n`);
      const { logger } = openRunLog(statePath);
      const access = accessFor(loaded, logger, flags.budgets.rateShare);
      try {
        // The permissions of the way the run goes (its first observation's path), checked by the
        // runner once the state file is taken (a refusal of the state file comes first), unless it is over.
        const permissionCheck: RunOptions['permissionCheck'] = async (previous, signal) => {
          const direction = previous?.direction ?? 'forward';
          if (!previous || (direction === 'rollback' && previous.status === 'done')) return;
          const permissions = new PermissionPreflight(loaded, (line) => io.stdout.write(`${line}\n`));
          await permissions.run(access, { ...(previous.firstObservation ? { path: previous.firstObservation.path } : {}), direction, state: previous }, signal);
        };
        setExit(await executeRun(io, loaded, access, { mode: 'resume', statePath, acceptPlanChange: o.acceptPlanChange, command: `resume ${planFile}`, run: flags, ...(logger ? { logger } : {}), permissionCheck }));
      } finally {
        access.destroy();
      }
    });
}

/** A run the state says is running, as its lock tells: alive, elsewhere, or interrupted. */
function runningStatus(lock: StateLockInspection): string {
  switch (lock.state) {
    case 'live':
      return `running (pid ${lock.owner.pid} since ${lock.owner.startedAt})`;
    case 'other-host':
      return `running on ${lock.owner.host} (pid ${lock.owner.pid}; it can't be checked from here)`;
    case 'renewed':
      return `running: ${lock.owner.user}@${lock.owner.host} pid ${lock.owner.pid} since ${lock.owner.startedAt}, lock ${lock.owner.id} renewed ${Math.round(lock.ageMs / 1000)} s ago`;
    case 'stale':
      return (
        `interrupted, it seems: the lock of ${lock.owner.user}@${lock.owner.host} pid ${lock.owner.pid} (id ${lock.owner.id}) has not been renewed for ${Math.round(lock.ageMs / 1000)} s (lease ${Math.round(lock.leaseMs / 1000)} s); ` +
        `if that run is gone for good, resume with --force-unlock ${lock.owner.id}`
      );
    case 'unreadable':
      return 'running, or interrupted: its lock cannot be read';
    default:
      return `interrupted (no process runs it any more${lock.state === 'dead' ? `: pid ${lock.owner.pid} is gone` : ''}; continue with r53migrate resume)`;
  }
}

export function statusCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('status')
    .description('Where a run stands, from its state file (no AWS call, no lock taken).')
    .argument('[plan]', 'plan file: its default state file (or --state)')
    .option('--state <location>', 'state file or s3:// location (wins over the plan\'s default)')
    .option('--json', 'print the state as JSON')
    .action(async (file: string | undefined, o: { state?: string; json?: boolean }) => {
      const statePath = o.state ?? (file ? defaultStatePath((await loadPlanForCli(file)).plan) : await findStateFile(undefined));
      const st = await readStateFile(statePath);
      if (!st) throw new UsageError(`no state file at ${statePath}: no run has started for this plan`, 'NO_STATE');
      if (o.json) {
        const { snapshot: _s, ...rest } = st;
        io.stdout.write(JSON.stringify(rest, null, 2) + '\n');
        return setExit(EXIT.done);
      }
      // "running" is what the file says; whether a process still runs it is what the lock says.
      const status = st.status === 'running' ? runningStatus(await inspectStateLock(statePath)) : st.status;
      const lines = [
        `${st.plan.name}: ${status}${st.position ? ` at step ${st.position.step} ${st.position.stepId} (${st.position.phase})` : ''}, updated ${st.updatedAt}`,
        `plan ${st.plan.file} (sha256 ${st.plan.hash.slice(0, 12)}), state ${statePath}, probe log ${st.probeLog}`,
        ...(st.runId ? [`run ${st.runId}${st.estate ? ` on Profile ${st.estate.profileId} (${st.estate.region}), zones ${st.estate.zoneIds.join(', ')}` : ''}`] : []),
      ];
      if (st.direction === 'rollback') {
        lines.push(`rollback${st.rollback ? ` started ${st.rollback.startedAt}, from the run ${st.rollback.from.status} at step ${st.rollback.from.step}` : ''}; back to path ${st.firstObservation?.path ?? '?'} as first observed ${st.firstObservation?.at ?? ''}`);
      }
      for (const [old, now] of Object.entries(st.replacedZones ?? {})) lines.push(`zone ${old} was re-created by a rollback as ${now}`);
      if (st.halt && st.status === 'halted') lines.push(`halted at ${st.direction === 'rollback' ? 'undo ' : ''}step ${st.halt.step}: ${st.halt.reason}`);
      if (st.stop && st.status === 'stopped') {
        lines.push(`stopped on request (${st.stop.kind}) at ${st.stop.at}, before ${st.direction === 'rollback' ? 'undo ' : ''}step ${st.stop.step} or its next batch: ${st.stop.reason}`);
        lines.push(`continue with: r53migrate resume ${st.plan.file}${st.stop.kind === 'approval' ? ` --approve-step ${st.stop.step}` : ''}`);
      }
      if (st.control?.approveEachStep) lines.push('every step waits for an approval (--approve-each-step)');
      for (const a of st.approvals ?? []) lines.push(`approved: ${a.direction === 'rollback' ? 'undo ' : ''}step ${a.step} by ${a.by} at ${a.at}`);
      lines.push(...timingLines(st.timings ?? []));
      const done = st.journal.filter((j) => j.phase === 'applied' || j.phase === 'already-done').length;
      const failed = st.journal.filter((j) => j.phase === 'failed').length;
      lines.push(`journal: ${st.journal.length} entries, ${done} changes made or found done, ${failed} failed`);
      for (const j of st.journal.slice(-5)) lines.push(`  #${j.seq} ${j.at} step ${j.step} ${j.operation} ${j.target} as ${j.account}: ${j.phase}${j.error ? ` (${j.error.message})` : ''}`);
      for (const b of st.backups) lines.push(`backup of ${b.zoneId}: ${b.json} (verified ${b.verifiedAt})`);
      io.stdout.write(lines.join('\n') + '\n');
      setExit(EXIT.done);
    });
}
