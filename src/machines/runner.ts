// Runs (or resumes) a migration, as the runbook reads: open the run's session (state file and
// lock), observe the estate, make sure no other run is changing it, clear what this run left
// FAILED, assess where it stands, mark it as this run's, check every VPC resolves, then let the
// machine walk the steps — and, if it stops in the middle of step 7, give the emptied zones their
// records back before saying so.
import { createRequire } from 'node:module';
import { hostname, userInfo } from 'node:os';
import { createActor } from 'xstate';
import type { Logger } from 'pino';
import type { AwsAccess } from '../aws/access.js';
import { realSleep } from '../aws/budget.js';
import { describeMark, placeMark, readMarks, readProfileMark, removeMark, type EstateMark } from '../aws/estate-mark.js';
import { observe, observeSettling } from '../aws/observe.js';
import { findProbeInstances } from '../aws/probe-instances.js';
import { SsmRunCommand } from '../aws/ssm-run-command.js';
import type { World } from '../aws/world.js';
import type { LoadedPlan } from '../plan/load.js';
import { newProfileId, planVpcs, profileToCreate, type Plan } from '../plan/schema.js';
import { monotonicNow, type PairRef } from '../probes/index.js';
import { backupDirFor, type EstateIdentity, type FirstObservation, type RunState } from '../state/index.js';
import { assess } from '../steps/assess.js';
import { zoneOnProfile } from '../steps/facts.js';
import { STEPS } from '../steps/index.js';
import { rollbackFrom, rollbackRefusals } from '../steps/rollback.js';
import { applyZoneReplacements } from '../plan/zone-ids.js';
import { addedToShare, hasPrepare } from '../steps/prepare.js';
import { observePrepare } from '../aws/observe-prepare.js';
import { runPrepare, undoPrepare, type PreparePhaseOptions } from './prepare-phase.js';
import { probeSetupProblems, usesSsm } from '../steps/probe-setup.js';
import { createRunActors, type ProgressEvent } from './actors.js';
import { restoreEmptiedZones } from './compensate.js';
import { startDnsWatch, type ProbeCounts } from './dns-watch.js';
import { clearFailedAssociations } from './repair.js';
import { buildRunMachine, MACHINE_DEFINITION_VERSION, STEPS_OF, type Direction, type Halt, type RunContext, type StopRequest } from './run-machine.js';
import { remainingBatches, windowBoundary, windowRefusal, type RunControl } from './window-control.js';
import { estimateStart, estimateStep, formatDuration, hasDnsGates, timingModel } from '../steps/timing.js';
import { prepareRollback, RollbackRefusedError } from './rollback-prep.js';
import { RunSession } from './session.js';

export { RollbackRefusedError };

const { version: TOOL_VERSION } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** The estate is not one the migration can start from: nothing was changed. */
export class EstateRefusedError extends Error {
  readonly code = 'ESTATE_REFUSED';
  readonly exitCode = 2;
  constructor(readonly problems: string[]) {
    super(`the estate can't be migrated as it is (nothing was changed):\n  - ${problems.join('\n  - ')}`);
    this.name = 'EstateRefusedError';
  }
}

/** A VPC the plan probes through SSM has no instance that can, or the probe channel hangs on the migrated names (exit 2). */
export class ProbeSetupError extends Error {
  readonly code = 'PROBE_SETUP';
  readonly exitCode = 2;
  constructor(readonly problems: string[]) {
    super(`the DNS probes can't work as the plan says (nothing was changed):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ProbeSetupError';
  }
}

/** Some VPC doesn't resolve a name correctly before anything is changed. */
export class PreflightDnsError extends Error {
  readonly code = 'PREFLIGHT_DNS';
  readonly exitCode = 3;
  constructor(readonly reason: string) {
    super(`before changing anything, every VPC must resolve every name to its endpoint; it doesn't (nothing was changed): ${reason}`);
    this.name = 'PreflightDnsError';
  }
}

/** Another run's mark is on the estate (the estate lock): nothing was changed (exit 4). */
export class EstateLockedError extends Error {
  readonly code = 'ESTATE_LOCKED';
  readonly exitCode = 4;
  constructor(
    readonly mark: EstateMark,
    readonly where: string[],
  ) {
    super(
      `another r53migrate run is changing this estate: ${describeMark(mark)} (its mark, tag r53migrate:run, is on ${where.join(', ')}). Nothing was changed. ` +
        `Wait for it to finish (or resume it where it was started). If that run is gone for good — its machine lost, its state file with it — take the estate over with --force-unlock ${mark.runId}`,
    );
    this.name = 'EstateLockedError';
  }
}

/** apply while a rollback of the same state file is unfinished: nothing was changed (exit 2). */
export class RollbackInProgressError extends Error {
  readonly code = 'ROLLBACK_IN_PROGRESS';
  readonly exitCode = 2;
  constructor(statePath: string, step: number | undefined) {
    super(
      `a rollback recorded in ${statePath} is unfinished${step ? ` (at undo step ${step})` : ''}: finish it first with r53migrate resume (or r53migrate rollback), then apply again. Nothing was changed`,
    );
    this.name = 'RollbackInProgressError';
  }
}

/** --window-end leaves less time than the first step needs, or is past: nothing was changed (exit 2). */
export class WindowTooShortError extends Error {
  readonly code = 'WINDOW_TOO_SHORT';
  readonly exitCode = 2;
  constructor(reason: string) {
    super(`${reason}. Nothing was changed: run in a longer window (or later), or with --through-step to do part of it now`);
    this.name = 'WindowTooShortError';
  }
}

/** A window control that can't apply where the run stands (--through-step behind it, --approve-step of another step): nothing was changed (exit 2). */
export class ControlRefusedError extends Error {
  readonly code = 'CONTROL_REFUSED';
  readonly exitCode = 2;
  constructor(message: string) {
    super(`${message}. Nothing was changed`);
    this.name = 'ControlRefusedError';
  }
}

export interface RunOptions {
  loaded: LoadedPlan;
  access: AwsAccess;
  statePath: string;
  command: string;
  /** apply: forward; rollback: back to the start; resume: whichever way the state file's run goes. */
  mode: 'apply' | 'resume' | 'rollback';
  acceptPlanChange?: boolean;
  /** Overrides of the plan's budgets for this invocation (they leave the plan's hash alone). */
  budgets?: Partial<Pick<Plan['budgets'], 'stepTimeoutMs' | 'dnsGateTimeoutMs' | 'rateShare'>>;
  /** Take the estate over from a run that left its mark and is gone (its run id). */
  forceUnlock?: string;
  /** A full observation the caller just made (apply shows the plan from it); else one is made. */
  observed?: World;
  /**
   * Checks, before the run's first observation, that the identities may make the run's calls
   * (cli/permission-check.ts); throws to refuse with nothing changed. Called once the state file
   * and the lock are taken, with the earlier run of this state file (its direction and path).
   */
  permissionCheck?: (previous: RunState | undefined, signal: AbortSignal) => Promise<void>;
  /** The hash of the dry run this invocation runs (apply, rollback), and whether the operator gave it (--plan-hash): for the record. */
  runHash?: { hash: string; reviewed: boolean };
  progress?: (e: ProgressEvent) => void;
  logger?: Logger;
  /** Stops the run at once (the second Ctrl-C): in-flight calls are abandoned, the state saved. */
  signal?: AbortSignal;
  /** Stops the run at its next safe point (the first Ctrl-C): see RunDeps.stopRequested. */
  stop?: AbortSignal;
  /** Told, when `stop` fires, where the run will stop (for the operator). */
  onStopRequested?(where: string): void;
  /** The window controls of this invocation (through-step, window end, approvals). */
  control?: RunControl & { approveStep?: number };
  /** The environment the timing model reads (R53M_DELAY_SCALE); process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** For durations, deadlines and budgets: monotonic by default (a wall-clock jump moves nothing). */
  now?: () => number;
  /** For the timestamps people read (journal, updatedAt): the wall clock by default. */
  wallNow?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type Outcome = 'done' | 'halted' | 'failed' | 'interrupted' | 'stopped' | 'nothing-to-do';

export interface RunResult {
  outcome: Outcome;
  direction: Direction;
  /** Zones a rollback re-created: deleted id → new id (this invocation and earlier ones). */
  replacedZones: Record<string, string>;
  /** The architecture a rollback returned to. */
  path?: 'A' | 'B';
  halt?: Halt;
  /** Stopped at a safe point on request: before which step, and why. */
  stop?: { kind: StopRequest['kind']; step: number; reason: string };
  failure?: RunContext['failure'];
  /** Each step's estimate against its actual duration (this run, all invocations). */
  timings: NonNullable<RunState['timings']>;
  statePath: string;
  probeLog: string;
  backups: RunState['backups'];
  warnings: string[];
  /** When the run stopped in step 7: what was restored, or who has no answer now. */
  compensation: string[];
  startedAtStep: number;
  /** What this invocation did (a resumed run's earlier invocations not included). */
  counters: RunContext['counters'];
  probes: ProbeCounts;
  elapsedMs: number;
}

/** Where a finished rollback leaves the state file. */
const ROLLED_BACK = { step: 0, stepId: 'rolled-back', phase: 'done' };

function estateOf(plan: Plan): EstateIdentity {
  return {
    region: plan.region,
    // A Profile prepare creates is named by the plan (its id is known only once it exists).
    profileId: plan.profile.create ? newProfileId(plan.profile.create.name) : plan.profile.id,
    sharedServicesVpcId: plan.sharedServicesVpc.id,
    zoneIds: plan.endpoints.flatMap((e) => e.zones),
    vpcIds: planVpcs(plan).map((v) => v.id),
  };
}

function firstObservation(world: World, plan: Plan, path: 'A' | 'B', position: number, at: string): FirstObservation {
  const zones: FirstObservation['zones'] = {};
  for (const z of Object.values(world.zones)) {
    if (z.exists) zones[z.id] = { name: z.name, vpcs: z.vpcs.map((v) => ({ ...v })), onProfile: zoneOnProfile(world, z.id) };
  }
  return { at, path, position: Math.min(position, 8), zones };
}

function holder(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): the host still says where
  }
  return `${user}@${hostname()}`;
}

/** The first stop request came before any step started: discovery and the preflight stop at once. */
class StopBeforeStart extends Error {
  constructor(readonly sig: string) {
    super(`${sig} before any step changed anything`);
    this.name = 'StopBeforeStart';
  }
}

const isAbort = (e: unknown, signal?: AbortSignal) => !!signal?.aborted && (e === signal.reason || (e as Error)?.name === 'AbortError');

export async function runMigration(opts: RunOptions): Promise<RunResult> {
  const now = opts.now ?? monotonicNow;
  const wall = opts.wallNow ?? opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const started = now();
  // One signal for every wait and call of this run: the caller's (stop at once), or the first
  // stop request before the machine started (discovery and the preflight change nothing: stop now).
  const hard = new AbortController();
  const onHard = () => hard.abort(opts.signal!.reason);
  if (opts.signal?.aborted) onHard();
  else opts.signal?.addEventListener('abort', onHard, { once: true });
  let stopRequest: StopRequest | undefined;
  let machineStarted = false;
  let phase = '';
  const onStop = () => {
    const sig = (opts.stop!.reason as Error)?.message ?? 'stop';
    stopRequest = { kind: 'signal', reason: `${sig}: stopped at the next safe point` };
    if (!machineStarted) {
      opts.onStopRequested?.('now: no step has changed anything yet');
      hard.abort(new StopBeforeStart(sig));
      return;
    }
    opts.onStopRequested?.(
      phase === 'plan'
        ? 'before the next batch: nothing more is sent'
        : phase === 'act'
          ? `once the calls in flight return (no new one starts), after this batch's gates: the control-plane wait (up to ${formatDuration(budgets.stepTimeoutMs)}) and the DNS gate (up to ${formatDuration(budgets.dnsGateTimeoutMs)})`
          : phase === 'converge'
            ? `after this batch's gates: the control-plane wait (up to ${formatDuration(budgets.stepTimeoutMs)}) and the DNS gate (up to ${formatDuration(budgets.dnsGateTimeoutMs)})`
            : `after this batch's DNS gate (up to ${formatDuration(budgets.dnsGateTimeoutMs)})`,
    );
  };
  if (opts.stop?.aborted) queueMicrotask(onStop);
  else opts.stop?.addEventListener('abort', onStop, { once: true });
  const signal = hard.signal;
  const { plan, hash, file } = opts.loaded;
  const budgets = { ...plan.budgets, ...opts.budgets };
  const backupDir = backupDirFor(opts.statePath, plan.name);
  const session = await RunSession.open({
    statePath: opts.statePath,
    command: opts.command,
    plan: { name: plan.name, file, hash },
    estate: estateOf(plan),
    toolVersion: TOOL_VERSION,
    definitionVersion: MACHINE_DEFINITION_VERSION,
    // A rollback belongs to the run it undoes: same plan (unless accepted), its first observation kept.
    ...(opts.mode !== 'apply' ? { resume: { acceptPlanChange: opts.acceptPlanChange } } : {}),
    ...(opts.mode === 'rollback' ? { continueFinished: true } : {}),
    wallNow: wall,
    ...(opts.forceUnlock ? { forceUnlock: opts.forceUnlock } : {}),
    ...(plan.state ? { lockLeaseMs: plan.state.lockLeaseMs } : {}),
    backupDir,
  });
  let watch: ReturnType<typeof startDnsWatch> | undefined;
  const { previous } = session;
  const direction: Direction = opts.mode === 'rollback' ? 'rollback' : opts.mode === 'resume' ? (previous?.direction ?? 'forward') : 'forward';
  const steps = STEPS_OF[direction];
  // Each invocation's start and outcome in the log: the run report's sessions and halts come from them.
  opts.logger?.info({ event: { type: 'session', command: opts.command, mode: opts.mode, direction, by: holder(), ...(opts.runHash ? { runHash: opts.runHash.hash, reviewed: opts.runHash.reviewed } : {}) } }, 'progress');
  // A rollback re-created zones: the plan's zone ids name the new ones (a no-op when the CLI did it).
  applyZoneReplacements(plan, session.state.replacedZones ?? {});
  const warnings = [...session.warnings];
  let startStep = 0;
  const result = (
    r: Omit<RunResult, 'statePath' | 'probeLog' | 'warnings' | 'startedAtStep' | 'elapsedMs' | 'probes' | 'backups' | 'compensation' | 'direction' | 'replacedZones' | 'timings'> & { compensation?: string[] },
  ): RunResult => {
    const out: RunResult = {
      compensation: [],
      direction,
      replacedZones: session.state.replacedZones ?? {},
      ...(direction === 'rollback' && (session.state.firstObservation ?? previous?.firstObservation) ? { path: (session.state.firstObservation ?? previous!.firstObservation)!.path } : {}),
      ...r,
      counters: { batches: r.counters.batches + prepareCounters.batches, applied: r.counters.applied + prepareCounters.applied, alreadyDone: r.counters.alreadyDone + prepareCounters.alreadyDone },
      statePath: opts.statePath,
      probeLog: session.state.probeLog,
      backups: session.state.backups,
      timings: session.state.timings ?? [],
      warnings,
      startedAtStep: startStep,
      probes: watch?.counts() ?? { results: 0, nonOk: 0, unanswered: 0, keeperGap: 0 },
      elapsedMs: now() - started,
    };
    const { outcome, halt, stop, failure } = out;
    const step = halt?.step ?? stop?.step ?? failure?.step ?? session.state.position?.step;
    opts.logger?.info({ event: { type: 'outcome', outcome, direction, ...(step !== undefined ? { step } : {}), ...(halt ? { halt } : {}), ...(stop ? { stop } : {}), ...(failure ? { failure } : {}) } }, 'progress');
    return out;
  };
  /** What prepare and its undo run with: this session's journal, budgets, clock and progress. */
  const phaseOptions = (): PreparePhaseOptions => ({
    plan,
    access: opts.access,
    runId: session.runId,
    journal: (r) => session.journal(r),
    journaled: (id) => session.journaled(id),
    stepTimeoutMs: budgets.stepTimeoutMs,
    pollIntervalMs: budgets.pollIntervalMs,
    now,
    sleep,
    signal: hard.signal,
    progress: (e) => {
      opts.logger?.info({ event: e }, 'progress');
      opts.progress?.(e);
    },
  });
  /** Prepare's own calls, counted into the run's. */
  let prepareCounters = { batches: 0, applied: 0, alreadyDone: 0 };
  /** A rollback's last part: what prepare made taken back; a result only when that did not finish. */
  const unprepare = async (): Promise<RunResult | undefined> => {
    const undone = await undoPrepare(phaseOptions(), addedToShare(session.state.journal));
    prepareCounters = { batches: undone.batches, applied: undone.applied, alreadyDone: undone.alreadyDone };
    if (undone.outcome === 'done') return undefined;
    const failure = { step: 0, phase: 'undo', message: undone.outcome === 'failed' ? undone.message : undone.reason };
    await session.save({ status: 'failed', direction, position: { step: 0, stepId: 'prepare', phase: 'undo' } });
    return result({ outcome: 'failed', failure, counters: { batches: 0, applied: 0, alreadyDone: 0 } });
  };
  const finishRollback = async (): Promise<RunResult> => {
    await session.save({ status: 'done', direction, position: ROLLED_BACK });
    return result({ outcome: 'done', counters: { batches: 0, applied: 0, alreadyDone: 0 } });
  };
  try {
    if (direction === 'forward' && previous?.direction === 'rollback' && previous.status !== 'done') throw new RollbackInProgressError(opts.statePath, previous.position?.step);
    // resume after a finished rollback: nothing is left to go on with (a new migration is apply's).
    if (opts.mode === 'resume' && previous?.direction === 'rollback' && previous.status === 'done') {
      return result({ outcome: 'nothing-to-do', counters: { batches: 0, applied: 0, alreadyDone: 0 } });
    }
    await opts.permissionCheck?.(previous, signal);

    // A rollback of a run that made its Profile finds it by name; with no first observation (the
    // run stopped in prepare) or no Profile left, what prepare made is all there is to take back.
    if (direction === 'rollback' && hasPrepare(plan)) {
      const pw = await observePrepare(plan, opts.access, signal);
      if (pw.profile) plan.profile.id = pw.profile.id;
      if (!session.state.firstObservation || (profileToCreate(plan) && !pw.profile)) {
        await session.save({ direction, status: 'running', position: { step: 0, stepId: 'prepare', phase: 'undo' } });
        return (await unprepare()) ?? finishRollback();
      }
    }

    if (direction === 'rollback' && !session.state.firstObservation) {
      throw new RollbackRefusedError([
        previous
          ? `${opts.statePath} does not record how the estate looked when its run started (its first observation): there is no starting point to go back to`
          : `no run of ${plan.name} is recorded in ${opts.statePath}: there is nothing to roll back (give the state file of the run with --state)`,
      ]);
    }
    // Prepare, before step 1: the Profile made and shared, every account of the plan seeing it.
    if (opts.control?.throughStep === 0 && !(direction === 'forward' && hasPrepare(plan))) {
      throw new ControlRefusedError(`--through-step 0 stops once prepare is done, and this ${direction === 'rollback' ? 'rollback' : 'plan'} has no prepare (no profile.create or profile.share): give a step from 1 to 7`);
    }
    if (direction === 'forward' && hasPrepare(plan)) {
      const prepared = await runPrepare(announced(phaseOptions(), opts, session));
      prepareCounters = { batches: prepared.batches, applied: prepared.applied, alreadyDone: prepared.alreadyDone };
      if (prepared.outcome !== 'done') {
        const counters = { batches: 0, applied: 0, alreadyDone: 0 };
        const at = new Date(wall()).toISOString();
        if (prepared.outcome === 'halted') {
          await session.save({ status: 'halted', halt: { reason: prepared.reason, step: 0, at }, stats: prepareCounters });
          return result({ outcome: 'halted', halt: { step: 0, phase: 'converge', reason: prepared.reason, at: now() }, counters });
        }
        const failure = { step: 0, phase: 'act', message: prepared.message, ...(prepared.code ? { code: prepared.code } : {}) };
        await session.save({ status: 'failed', stats: prepareCounters });
        return result({ outcome: 'failed', failure, counters });
      }
      plan.profile.id = prepared.world.profile!.id;
      if (opts.control?.throughStep === 0) {
        const stop = { kind: 'through-step' as const, step: 0, reason: '--through-step 0: prepare is done (the Profile exists and every account of the plan sees it); stopped before step 1 sends anything' };
        await session.save({ status: 'stopped', position: { step: 0, stepId: 'prepare', phase: 'done' }, stop: { ...stop, at: new Date(wall()).toISOString() } });
        return result({ outcome: 'stopped', stop, counters: { batches: 0, applied: 0, alreadyDone: 0 } });
      }
    }
    // (A world observed before prepare knows no Profile it made: observe again.)
    let world = (hasPrepare(plan) ? undefined : opts.observed) ?? (await observe(plan, opts.access, { signal, now }));

    // The estate lock: no other run's mark may be on it. This state file's earlier run is not
    // another run: killed after it finished but before it took its mark off, its mark is still there.
    const ownRuns = [session.runId, ...(previous?.runId && previous.runId !== session.runId ? [previous.runId] : [])];
    const marks = await readMarks(opts.access, plan, world, signal);
    const foreign = marks.filter((m) => m.mark && !ownRuns.includes(m.mark.runId));
    if (foreign.length && foreign.some((m) => m.mark!.runId !== opts.forceUnlock)) {
      const other = foreign.find((m) => m.mark!.runId !== opts.forceUnlock)!.mark!;
      throw new EstateLockedError(other, foreign.filter((m) => m.mark!.runId === other.runId).map((m) => (m.kind === 'profile' ? `Profile ${plan.profile.id}` : `zone ${m.id}`)));
    }
    if (foreign.length) warnings.push(`Took the estate over from run ${opts.forceUnlock} (--force-unlock).`);
    const releasable = foreign.length ? [...ownRuns, opts.forceUnlock!] : ownRuns;

    if (opts.mode !== 'apply' && previous) {
      // The operator resumed after a halt on a FAILED association this run made: clear it, so the
      // step that made it can make it again (see repair.ts).
      const { cleared, world: after } = await clearFailedAssociations({
        plan,
        access: opts.access,
        world,
        madeByThisRun: (suffix) => previous.journal.some((j) => j.actionId.endsWith(suffix) && (j.phase === 'intent' || j.phase === 'applied')),
        observe: (signal) => observe(plan, opts.access, { signal, now }),
        journal: (e) => session.journal({ step: e.action.step, ...e }),
        backupDir,
        now,
        sleep,
        pollIntervalMs: budgets.pollIntervalMs,
        timeoutMs: budgets.stepTimeoutMs,
        signal,
      });
      for (const f of cleared) {
        const line = `Disassociated the ${f.what}, which was ${f.status}, so its step can associate it again.`;
        warnings.push(line);
        opts.logger?.info({ cleared: f.what }, line);
      }
      world = after;
    }
    // A rollback reads the backups of the zones it must make again (all verified before any change)
    // and takes back the zones an earlier, killed attempt made.
    const rollbackCtx = direction === 'rollback' ? await prepareRollback({ plan, access: opts.access, world, state: session.state, signal }) : undefined;
    if (rollbackCtx?.adopted.length) {
      await session.save({ replacedZones: { ...(session.state.replacedZones ?? {}), ...Object.fromEntries(rollbackCtx.adopted) } });
      applyZoneReplacements(plan, session.state.replacedZones ?? {});
      world = await observe(plan, opts.access, { signal, now });
    }
    // A run part-way through goes on with resume once the estate is put right; a new one is planned again.
    const assessment = assess(world, plan, {
      ...(previous && previous.status !== 'done' ? { then: 'resume' } : {}),
      ...(direction === 'rollback' ? { then: 'resume', path: session.state.firstObservation!.path } : {}),
    });
    if (!assessment.ok) throw new EstateRefusedError(assessment.problems);
    warnings.push(...assessment.warnings);
    if (rollbackCtx) assessment.ctx.backups = rollbackCtx.backups;
    // A run that stopped part-way (halted, failed, killed) starts again at the step it stopped
    // in, and that step's gates (converge, then DNS) pass before anything changes: the assessment,
    // which reads only the world, may count the step as done while its changes still settle, or
    // while the fault that stopped it is still there. The batch is planned afresh from the world
    // and the plan as they are now: a batch planned before a kill or a plan change is never replayed.
    const unfinished = !!previous && previous.status !== 'done';
    const stoppedAt = unfinished && (previous.direction ?? 'forward') === direction ? previous.position?.step : undefined;
    // A rollback of a run that stopped part-way passes the gates of its first undo step before it
    // changes anything, as a resume does (what the stopped run sent may still be settling).
    const regateFirstStep = (stoppedAt !== undefined && stoppedAt >= 1 && stoppedAt <= STEPS.length) || (direction === 'rollback' && unfinished);
    // An estate that moved back behind that step meanwhile (a colleague undid a change) is not
    // silently redone: the step's guard halts on it. Unless the plan changed (accepted): a VPC
    // added to the plan starts where its own steps begin.
    const planChanged = !!previous && previous.plan.hash !== hash;
    if (direction === 'rollback') {
      const from = rollbackFrom(world, assessment.ctx, assessment);
      startStep = stoppedAt !== undefined && stoppedAt >= 1 ? Math.max(stoppedAt, from) : from;
    } else {
      startStep = stoppedAt !== undefined && stoppedAt >= 1 && stoppedAt <= STEPS.length ? (planChanged ? Math.min(assessment.position, stoppedAt) : stoppedAt) : assessment.position;
    }
    const startIndex = direction === 'rollback' ? (startStep < 1 ? steps.length : steps.findIndex((s) => s.number === startStep)) : startStep - 1;
    if (startIndex >= steps.length) {
      await session.save({ status: 'done', direction, position: direction === 'rollback' ? ROLLED_BACK : { step: STEPS.length, stepId: 'complete', phase: 'done' } });
      await removeMark(opts.access, plan, world, releasable, signal);
      if (direction === 'rollback' && hasPrepare(plan)) {
        const stopped = await unprepare();
        if (stopped) return stopped;
        await session.save({ status: 'done', direction, position: ROLLED_BACK });
      }
      return result({ outcome: 'nothing-to-do', counters: { batches: 0, applied: 0, alreadyDone: 0 } });
    }
    // The window controls, checked before anything changes.
    const control = opts.control ?? {};
    // The estimates count calls at the share of AWS's rates this invocation sends at (--rate-share).
    const model = timingModel({ ...plan, budgets }, opts.env);
    const gates = hasDnsGates(plan);
    if (control.throughStep !== undefined && direction === 'rollback') {
      throw new ControlRefusedError(`--through-step counts the migration's steps, and this state file's run is a rollback: leave it out (a rollback's undo steps can be taken one by one with --approve-each-step)`);
    }
    if (control.throughStep !== undefined && control.throughStep < startStep) {
      throw new ControlRefusedError(`--through-step ${control.throughStep}: step ${control.throughStep} is behind the run already (it stands before step ${startStep}); give a step from ${startStep} to 7, or leave the option out to finish`);
    }
    if (control.approveStep !== undefined && control.approveStep !== startStep) {
      const waiting = previous?.status === 'stopped' && previous.stop?.kind === 'approval' ? ` and waits for the approval of step ${previous.stop.step}` : '';
      throw new ControlRefusedError(`--approve-step ${control.approveStep}: the run stands before ${direction === 'rollback' ? 'undo ' : ''}step ${startStep}${waiting}; approve that step (--approve-step ${startStep}) — one step at a time, the one about to start`);
    }
    // A run starting afresh whose first step can't fit is a mistake in the window (exit 2); a run
    // resumed where it stopped meets the guard at its next step and stops there (exit 5).
    if (control.windowEnd !== undefined && !unfinished) {
      const first = steps[startIndex]!;
      const firstMs = estimateStart(plan, model, { preflight: gates }) + estimateStep(plan, first.number, remainingBatches(world, first, assessment.ctx), model, { gates }).totalMs;
      const refusal = windowRefusal(`${direction === 'rollback' ? 'undo ' : ''}step ${first.number}`, firstMs, control.windowEnd, wall());
      if (refusal) throw new WindowTooShortError(`--window-end: ${refusal.replace(/: stopped before it, with every VPC resolving$/, '')}`);
    }
    const approvedBy = holder();
    if (control.approveStep !== undefined) {
      await session.save({ approvals: [...(session.state.approvals ?? []), { step: control.approveStep, direction, by: approvedBy, at: new Date(wall()).toISOString() }] });
    }
    if (control.approveEachStep && !session.state.control?.approveEachStep) await session.save({ control: { approveEachStep: true } });
    const approveEachStep = !!session.state.control?.approveEachStep;
    // Pairs already failing when the rollback began (the halt that made the operator roll back):
    // undoing the run can't mend them, so they are reported, not gated.
    const rollbackInfo =
      direction === 'rollback'
        ? previous?.direction === 'rollback' && previous.rollback
          ? previous.rollback
          : {
              startedAt: new Date(wall()).toISOString(),
              from: { status: previous?.status ?? 'running', step: previous?.position?.step ?? 0 },
              ungated: previous?.status === 'halted' ? (previous.halt?.pairs ?? []).map((p) => ({ vpcId: String((p as { vpcId?: unknown }).vpcId), name: String((p as { name?: unknown }).name) })) : [],
            }
        : undefined;
    // From here a rollback is under way: a kill before its first change leaves it for resume to finish.
    await session.save({ direction, ...(rollbackInfo ? { rollback: rollbackInfo, status: 'running' as const } : {}) });
    const ungated = new Set((rollbackInfo?.ungated ?? []).map((p) => `${p.vpcId}|${p.name}`));
    for (const p of rollbackInfo?.ungated ?? []) warnings.push(`${p.vpcId} ${p.name} was failing when the rollback started (the forward run halted on it): the rollback's gates do not wait for it; find its cause`);
    if (!session.state.firstObservation) {
      await session.save({ firstObservation: firstObservation(world, plan, assessment.path, assessment.position, new Date(wall()).toISOString()) });
    }

    // The probes: every SSM-probed VPC has an instance that can probe it, and the channel does not
    // hang on the names being migrated — or nothing changes.
    const probeInstances = usesSsm(plan) ? await findProbeInstances(plan, opts.access, signal) : { instances: [], problems: [] };
    const probeProblems = probeSetupProblems(world, plan, probeInstances);
    if (probeProblems.length) throw new ProbeSetupError(probeProblems);

    // Mark the estate as this run's; read back, since a run starting this very moment may have won.
    const since = new Date(wall()).toISOString();
    const placed = await placeMark(opts.access, plan, world, { runId: session.runId, holder: holder(), since, plan: plan.name }, marks, signal);
    const lost = placed.find((m) => m.mark && m.mark.runId !== session.runId);
    if (lost) throw new EstateLockedError(lost.mark!, [lost.kind === 'profile' ? `Profile ${plan.profile.id}` : `zone ${lost.id}`]);

    // The DNS evidence, and the preflight: nothing changes unless every probed pair resolves now.
    const ssm = probeInstances.instances.length ? { channel: new SsmRunCommand(opts.access, plan.region, plan.accounts), instances: probeInstances.instances } : undefined;
    watch = startDnsWatch(world, plan, assessment.ctx, session.state.probeLog, ssm);
    if (watch.unprobed.length) warnings.push(`no resolver under probes.resolvers and no SSM probe instance for ${watch.unprobed.join(', ')}: their resolution is not verified by probes (the resolution model still guards them)`);
    // (A run part-way needs none: the step it starts at passes its own DNS gate before any change.)
    if (direction === 'forward' && assessment.position === 1 && !assessment.partial && !regateFirstStep) {
      const pre = await watch.preflight(budgets.dnsGateTimeoutMs, now, signal);
      if (pre && pre.verdict !== 'pass') throw new PreflightDnsError(pre.reason);
    }

    const dns = watch;
    // The run's observations between batches: lean (scope 'progress'), each zone asked of the
    // account that held it last time first.
    const zoneOwners: Record<string, string> = {};
    const rememberOwners = (w: World) => {
      for (const z of Object.values(w.zones)) if (z.exists) zoneOwners[z.id] = z.account;
      return w;
    };
    rememberOwners(world);
    const observeProgress = async (signal?: AbortSignal) => rememberOwners(await observe(plan, opts.access, { signal, now, scope: 'progress', zoneOwners }));
    const ctx = assessment.ctx;
    const actors = createRunActors({
      plan,
      ctx,
      steps,
      ...(direction === 'rollback'
        ? {
            refusals: rollbackRefusals,
            ungated: (p: PairRef) => ungated.has(`${p.vpcId}|${p.name}`),
            zoneRecreated: async (previousId: string, newId: string) => {
              await session.save({ replacedZones: { ...(session.state.replacedZones ?? {}), [previousId]: newId } });
              applyZoneReplacements(plan, { [previousId]: newId });
              if (ctx.backups?.[previousId]) ctx.backups[newId] = ctx.backups[previousId]!;
              opts.logger?.info({ previousId, newId }, 'zone re-created');
            },
          }
        : {}),
      access: opts.access,
      observe: (signal) => observeProgress(signal),
      observeSettling: (base, scope, signal) => observeSettling(plan, opts.access, base, scope, { signal, now }),
      ...(dns.monitor ? { monitor: dns.monitor } : {}),
      probed: (p: PairRef) => dns.probed(p),
      now,
      sleep,
      pollIntervalMs: budgets.pollIntervalMs,
      okStreak: plan.probes.okStreak,
      failStreak: plan.probes.failStreak,
      ...(plan.probes.ssm ? { probeErrorStreak: plan.probes.ssm.errorRounds } : {}),
      backupDir,
      journal: (r) => session.journal(r),
      journaled: (id) => session.journaled(id),
      regateFirstStep,
      stopRequested: () => stopRequest,
      boundary: windowBoundary({
        plan,
        ctx,
        direction,
        steps,
        control: { ...control, approveEachStep },
        model,
        gates,
        wallNow: wall,
        approvals: () => session.state.approvals ?? [],
        recordApproval: (step) => session.save({ approvals: [...(session.state.approvals ?? []), { step, direction, by: approvedBy, at: new Date(wall()).toISOString() }] }),
        stepStarted: (step, estimateMs) =>
          session.save({
            timings: [...(session.state.timings ?? []).filter((t) => !(t.step === step && t.direction === direction)), { step, direction, estimateMs: Math.round(estimateMs), startedAt: new Date(wall()).toISOString() }],
          }),
        progress: (e) => {
          opts.logger?.info({ event: e }, 'progress');
          opts.progress?.(e);
        },
      }),
      foreignMark: async (signal) => {
        const mark = await readProfileMark(opts.access, plan, world, signal);
        return mark && mark.runId !== session.runId ? `another run's mark is on Profile ${plan.profile.id} now (${describeMark(mark)}): two runs must not change one estate; stop one of them` : undefined;
      },
      recordBackup: async (b) => {
        // A backup counts only once it is where the state is (S3: uploaded and read back).
        await session.keepFiles([b.json, b.bind, b.restoreBatch]);
        await session.save({ backups: [...session.state.backups.filter((x) => x.zoneId !== b.zoneId), { zoneId: b.zoneId, json: b.json, bind: b.bind, verifiedAt: b.verifiedAt }] });
      },
      verifiedBackup: (zoneId) => session.state.backups.some((b) => b.zoneId === zoneId),
      planFile: file,
      vpcsAtStart: (zoneId) => session.state.firstObservation?.zones[zoneId]?.vpcs,
      progress: (e) => {
        opts.logger?.info({ event: e }, 'progress');
        opts.progress?.(e);
      },
    });

    const machine = buildRunMachine(direction).provide({ actors });
    const actor = createActor(machine, { input: { startIndex, budgets: { stepTimeoutMs: budgets.stepTimeoutMs, dnsGateTimeoutMs: budgets.dnsGateTimeoutMs } } });
    const finished = new Promise<void>((resolve) => {
      actor.subscribe({ complete: () => resolve(), error: () => resolve() });
    });
    let lastValue = '';
    let currentStep = startStep;
    actor.subscribe((snap) => {
      const value = JSON.stringify(snap.value);
      if (value === lastValue) return;
      lastValue = value;
      const step = steps[snap.context.stepIndex]!;
      // The step the machine left (for the next one, or done) ended now: its actual against its estimate.
      const ended = snap.value === 'done' ? currentStep : step.number !== currentStep ? currentStep : undefined;
      const timings = ended !== undefined ? endTiming(session.state.timings, ended, direction, new Date(wall()).toISOString()) : undefined;
      currentStep = step.number;
      dns.setStep(step.number);
      phase = typeof snap.value === 'string' ? snap.value : Object.values(snap.value as Record<string, string>)[0] ?? '';
      const status: RunState['status'] =
        snap.value === 'done' ? 'done' : snap.value === 'halted' ? 'halted' : snap.value === 'failed' ? 'failed' : snap.value === 'stopped' ? 'stopped' : 'running';
      const stop = snap.context.stop;
      session
        .save({
          status,
          ...(timings ? { timings } : {}),
          ...(stop ? { stop: { kind: stop.kind, step: stop.step, reason: stop.reason, at: new Date(wall()).toISOString() } } : {}),
          position: status === 'done' ? (direction === 'rollback' ? ROLLED_BACK : { step: STEPS.length, stepId: 'complete', phase }) : { step: step.number, stepId: step.id, phase },
          snapshot: actor.getPersistedSnapshot(),
          stats: { ...snap.context.counters },
          ...(snap.context.halt ? { halt: { reason: snap.context.halt.reason, step: snap.context.halt.step, at: new Date(wall()).toISOString(), ...(snap.context.halt.pairs ? { pairs: snap.context.halt.pairs } : {}) } } : {}),
        })
        .catch(() => undefined); // a failed checkpoint stops the run (onCheckpointFailure)
    });
    session.onCheckpointFailure = () => actor.stop();
    if (session.checkpointError) throw session.checkpointError;
    const onAbort = () => actor.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    machineStarted = true;
    actor.start();
    await finished;
    signal?.removeEventListener('abort', onAbort);
    const snap = actor.getSnapshot();
    await session.flushed();
    // (Set from the save callbacks: TypeScript cannot see that, hence the explicit type.)
    const checkpointFailed = session.checkpointError as Error | undefined;
    const outcome: Outcome = checkpointFailed
      ? 'failed'
      : signal?.aborted && snap.status !== 'done'
        ? 'interrupted'
        : snap.value === 'done'
          ? 'done'
          : snap.value === 'halted'
            ? 'halted'
            : snap.value === 'stopped'
              ? 'stopped'
              : 'failed';
    if (outcome === 'interrupted') await session.save({ status: 'running' }).catch(() => undefined);
    await session.flushed();

    // Stopped between emptying a zone and deleting it: its VPCs have no answer. Put it back.
    let compensation: string[] = [];
    if (direction === 'forward' && outcome !== 'done' && currentStep === STEPS.length && !checkpointFailed) {
      try {
        const after = await observe(plan, opts.access, { now, scope: 'progress' });
        const report = await restoreEmptiedZones({
          access: opts.access,
          plan,
          world: after,
          ctx: assessment.ctx,
          backups: session.state.backups,
          maxWaitMs: budgets.stepTimeoutMs,
          pollIntervalMs: budgets.pollIntervalMs,
          log: (line) => opts.logger?.warn({ compensation: line }, 'step 7 compensation'),
        });
        compensation = report.lines;
      } catch (e) {
        compensation = [`Could not check whether step 7 left an emptied zone behind (${(e as Error).message}): look at the zones with r53migrate probe, and restore any emptied one with r53migrate restore-zone <its backup>.`];
      }
    }
    if (outcome === 'done') await removeMark(opts.access, plan, world, releasable, signal).catch((e) => warnings.push(`the run's mark (tag r53migrate:run) could not be removed: ${(e as Error).message}; remove it by hand`));
    // The rollback is through: what prepare made goes last (the Profile holds nothing any more).
    if (outcome === 'done' && direction === 'rollback' && hasPrepare(plan)) {
      const stopped = await unprepare();
      if (stopped) return stopped;
      await session.save({ status: 'done', direction, position: ROLLED_BACK });
    }

    // A checkpoint that could not be written is the failure to report, whatever the machine did next.
    const failure: RunContext['failure'] | undefined = checkpointFailed
      ? { step: currentStep, phase: 'checkpoint', message: checkpointFailed.message, ...((checkpointFailed as { code?: string }).code ? { code: (checkpointFailed as { code?: string }).code } : {}) }
      : outcome === 'interrupted'
        ? { step: currentStep, phase: 'interrupt', message: `${(signal?.reason as Error)?.message ?? 'interrupted'} during step ${currentStep}` }
        : snap.context.failure;
    return result({
      outcome,
      ...(snap.context.halt && !checkpointFailed ? { halt: snap.context.halt } : {}),
      ...(outcome === 'stopped' && snap.context.stop ? { stop: { kind: snap.context.stop.kind, step: snap.context.stop.step, reason: snap.context.stop.reason } } : {}),
      ...(failure ? { failure } : {}),
      counters: snap.context.counters,
      compensation,
    });
  } catch (e) {
    // Ctrl-C before the machine started (discovery, the estate lock, the preflight): a stop, not a failure.
    if (!machineStarted && isAbort(e, signal)) {
      const reason = signal.reason;
      if (reason instanceof StopBeforeStart) {
        // The first Ctrl-C before any step: a stop at the safe point the run stands at.
        const stop = { kind: 'signal' as const, step: startStep || previous?.position?.step || 1, reason: reason.message };
        const keep = previous?.status === 'halted' || previous?.status === 'failed';
        await session.save({ status: keep ? previous!.status : 'stopped', ...(keep ? {} : { stop: { ...stop, at: new Date(wall()).toISOString() } }) }).catch(() => undefined);
        return result({ outcome: 'stopped', stop, counters: { batches: 0, applied: 0, alreadyDone: 0 } });
      }
      // Saved, so `status` and `resume` find the run (nothing of a step was sent).
      await session.save({ status: previous && previous.status !== 'done' ? previous.status : 'running' }).catch(() => undefined);
      return result({ outcome: 'interrupted', failure: { step: startStep, phase: 'interrupt', message: `${(signal?.reason as Error)?.message ?? 'interrupted'} before any step changed anything` }, counters: { batches: 0, applied: 0, alreadyDone: 0 } });
    }
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onHard);
    opts.stop?.removeEventListener('abort', onStop);
    await watch?.stop();
    const unsent = await session.close();
    if (unsent) warnings.push(unsent);
  }
}

/**
 * Prepare's options, announcing it as step 0 at its first call (a run that has nothing left to
 * prepare prints nothing) and saving its position then, unless the run is past it already (a
 * resume at step 5 keeps its position: prepare only confirms itself).
 */
function announced(o: PreparePhaseOptions, opts: RunOptions, session: RunSession): PreparePhaseOptions {
  const before = session.state.position;
  let positioned = false;
  return {
    ...o,
    journal: async (r) => {
      if (!positioned) {
        positioned = true;
        const title = 'Prepare: create the Route 53 Profile and share it with every account of the plan';
        opts.logger?.info({ event: { type: 'step', step: 0, title } }, 'progress');
        opts.progress?.({ type: 'step', step: 0, title });
        if (!before || before.step === 0) await session.save({ status: 'running', position: { step: 0, stepId: 'prepare', phase: 'act' } });
      }
      await o.journal(r);
    },
  };
}

/** The timings with `step`'s end recorded (when it started in this run and has no end yet). */
function endTiming(timings: RunState['timings'], step: number, direction: Direction, at: string): RunState['timings'] {
  if (!timings?.some((t) => t.step === step && t.direction === direction && !t.endedAt)) return undefined;
  return timings.map((t) => (t.step === step && t.direction === direction && !t.endedAt ? { ...t, endedAt: at } : t));
}
