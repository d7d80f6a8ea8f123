// Runs (or resumes) a migration: lock and state file, discovery and assessment, the DNS monitor,
// the machine with its actors, a checkpoint at every transition, and the outcome.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createActor } from 'xstate';
import type { Logger } from 'pino';
import type { AwsAccess } from '../aws/access.js';
import { realSleep } from '../aws/budget.js';
import { observe } from '../aws/observe.js';
import type { World } from '../aws/world.js';
import type { LoadedPlan } from '../plan/load.js';
import { planVpcs } from '../plan/schema.js';
import { awaitGate, buildTargets, Monitor, monotonicNow, NdjsonLog, pairKey, Prober, type PairRef, type ProbeTarget } from '../probes/index.js';
import { appendJournal, newRunState, openStateStore, type RunState } from '../state/index.js';
import { apiCall } from '../steps/actions.js';
import { assess } from '../steps/assess.js';
import { STEPS } from '../steps/index.js';
import type { StepContext } from '../steps/types.js';
import { createRunActors, type JournalRecord, type ProgressEvent } from './actors.js';
import { clearFailedAssociations } from './repair.js';
import { buildRunMachine, MACHINE_DEFINITION_VERSION, type Halt, type RunContext } from './run-machine.js';

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

/** Some VPC doesn't resolve a name correctly before anything is changed. */
export class PreflightDnsError extends Error {
  readonly code = 'PREFLIGHT_DNS';
  readonly exitCode = 3;
  constructor(readonly reason: string) {
    super(`before changing anything, every VPC must resolve every name to its endpoint; it doesn't (nothing was changed): ${reason}`);
    this.name = 'PreflightDnsError';
  }
}

export interface RunOptions {
  loaded: LoadedPlan;
  access: AwsAccess;
  statePath: string;
  command: string;
  mode: 'apply' | 'resume';
  acceptPlanChange?: boolean;
  /** A full observation the caller just made (apply shows the plan from it); else one is made. */
  observed?: World;
  progress?: (e: ProgressEvent) => void;
  logger?: Logger;
  signal?: AbortSignal;
  /** For durations, deadlines and budgets: monotonic by default (a wall-clock jump moves nothing). */
  now?: () => number;
  /** For the timestamps people read (journal, updatedAt): the wall clock by default. */
  wallNow?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type Outcome = 'done' | 'halted' | 'failed' | 'interrupted' | 'nothing-to-do';

export interface RunResult {
  outcome: Outcome;
  halt?: Halt;
  failure?: RunContext['failure'];
  statePath: string;
  probeLog: string;
  backups: RunState['backups'];
  warnings: string[];
  startedAtStep: number;
  counters: RunContext['counters'];
  /**
   * nonOk: wrong answers (and errors) from pairs that had to resolve. unanswered: probes that got
   * no reply at all after their resends (a lossy or silent resolver says nothing about what the
   * VPC resolves to, so it is not counted as a wrong answer). keeperGap: the keeper's while step
   * 7 emptied and deleted its zones (the one gap the runbook allows; see README "The keeper").
   */
  probes: { results: number; nonOk: number; unanswered: number; keeperGap: number };
  elapsedMs: number;
}

function targetsFor(world: World, opts: RunOptions, ctx: StepContext): ProbeTarget[] {
  const { plan } = opts.loaded;
  const vpcs = planVpcs(plan)
    .filter((v) => plan.probes.resolvers[v.id])
    .map((v) => ({ id: v.id, resolver: plan.probes.resolvers[v.id]! }));
  const names = ctx.endpoints.flatMap((e) => {
    const ep = world.endpoints[e.id];
    if (!ep?.exists) return [];
    const ips = plan.probes.expect[e.id] ?? ep.eniIps;
    return ep.privateDnsNames.map((name) => ({ name, ips }));
  });
  return buildTargets(vpcs, names);
}

export async function runMigration(opts: RunOptions): Promise<RunResult> {
  const now = opts.now ?? monotonicNow;
  const wall = opts.wallNow ?? opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const started = now();
  const { plan, hash, file } = opts.loaded;
  const { store, warnings } = await openStateStore(opts.statePath, {
    command: opts.command,
    ...(opts.mode === 'resume' ? { expect: { planHash: hash, planName: plan.name, definitionVersion: MACHINE_DEFINITION_VERSION, acceptPlanChange: opts.acceptPlanChange } } : {}),
  });
  let monitor: Monitor | undefined;
  let prober: Prober | undefined;
  let log: NdjsonLog | undefined;
  try {
    const previous = await store.read();
    let state: RunState = previous
      ? { ...previous, plan: { name: plan.name, file, hash } }
      : newRunState({ toolVersion: TOOL_VERSION, plan: { name: plan.name, file, hash }, definitionVersion: MACHINE_DEFINITION_VERSION, statePath: opts.statePath, now: wall() });
    const previousIntents = new Set((previous?.journal ?? []).filter((j) => j.phase === 'intent' || j.phase === 'applied').map((j) => j.actionId));

    // Checkpoints are written one after another. The first that fails (a full disk, a file
    // system gone read-only) stops the run: no later checkpoint is attempted (the file keeps the
    // last good one), the journal's next intent fails, so no further request is sent, and the
    // machine is stopped. `saving` itself never rejects; each caller gets its own write's outcome.
    let saving: Promise<void> = Promise.resolve();
    let checkpointError: Error | undefined;
    let onCheckpointFailure = (): void => undefined;
    const save = (patch: Partial<RunState>): Promise<void> => {
      state = { ...state, ...patch, updatedAt: new Date(wall()).toISOString() };
      const snapshot = state;
      const write = saving.then(async () => {
        if (checkpointError) throw checkpointError;
        try {
          await store.write(snapshot);
        } catch (e) {
          checkpointError = e as Error;
          onCheckpointFailure();
          throw e;
        }
      });
      saving = write.catch(() => undefined);
      return write;
    };

    let world = opts.observed ?? (await observe(plan, opts.access, { signal: opts.signal, now }));
    const backupDir = join(dirname(opts.statePath), `${plan.name}.backups`);
    const journalEntry = (r: Omit<JournalRecord, 'batch'>) => {
      const call = apiCall(r.action);
      return {
        at: new Date(wall()).toISOString(),
        step: r.step,
        actionId: r.action.id,
        kind: r.action.kind,
        account: r.action.account,
        operation: call?.operation ?? r.action.kind,
        target: 'zoneId' in r.action ? r.action.zoneId : 'vpcId' in r.action ? r.action.vpcId : 'endpointId' in r.action ? r.action.endpointId : '',
        params: JSON.parse(JSON.stringify(call?.params ?? { zoneId: (r.action as { zoneId?: string }).zoneId ?? null })),
        phase: r.phase,
        ...(r.requestId ? { requestId: r.requestId } : {}),
        ...(r.error ? { error: { message: r.error } } : {}),
      };
    };
    const journal = async (r: Omit<JournalRecord, 'batch'>): Promise<void> => {
      state = appendJournal(state, journalEntry(r));
      if (r.phase === 'intent') previousIntents.add(r.action.id);
      await save({});
    };
    if (opts.mode === 'resume' && previous) {
      // The operator resumed after a halt on a FAILED association this run made: clear it, so the
      // step that made it can make it again (see repair.ts).
      const { cleared, world: after } = await clearFailedAssociations({
        plan,
        access: opts.access,
        world,
        madeByThisRun: (suffix) => previous.journal.some((j) => j.actionId.endsWith(suffix) && (j.phase === 'intent' || j.phase === 'applied')),
        observe: (signal) => observe(plan, opts.access, { signal, now }),
        journal: (e) => journal({ step: e.action.step, ...e }),
        backupDir,
        now,
        sleep,
        pollIntervalMs: plan.budgets.pollIntervalMs,
        timeoutMs: plan.budgets.stepTimeoutMs,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      for (const f of cleared) {
        const line = `Disassociated the ${f.what}, which was ${f.status}, so its step can associate it again.`;
        warnings.push(line);
        opts.logger?.info({ cleared: f.what }, line);
      }
      world = after;
    }
    const assessment = assess(world, plan);
    if (!assessment.ok) throw new EstateRefusedError(assessment.problems);
    // After a halt or failure in step k, nothing after k ran, but k's own changes may still be
    // settling (an endpoint `pending` after its budget ran out): the assessment, which reads only
    // what the world says, may already count k as done. Start at k again, so its gates (converge,
    // then DNS) pass before step k+1 changes anything. (A killed run restores its snapshot instead.)
    const stoppedAt = previous && (previous.status === 'halted' || previous.status === 'failed') ? previous.position?.step : undefined;
    // That holds when the world already looks fully migrated, too (a halt at step 7's last gate).
    const regateFirstStep = stoppedAt !== undefined && stoppedAt >= 1 && stoppedAt <= STEPS.length;
    const startStep = regateFirstStep ? Math.min(assessment.position, stoppedAt) : assessment.position;
    warnings.push(...assessment.warnings);
    const base: Omit<RunResult, 'outcome'> = {
      statePath: opts.statePath,
      probeLog: state.probeLog,
      backups: state.backups,
      warnings,
      startedAtStep: startStep,
      counters: { batches: 0, applied: 0, alreadyDone: 0 },
      probes: { results: 0, nonOk: 0, unanswered: 0, keeperGap: 0 },
      elapsedMs: 0,
    };
    if (startStep > STEPS.length) {
      await save({ status: 'done', position: { step: STEPS.length, stepId: 'complete', phase: 'done' } });
      return { ...base, outcome: 'nothing-to-do', elapsedMs: now() - started };
    }

    // The DNS evidence: every (VPC with a resolver, name) pair, probed for the whole run.
    const targets = targetsFor(world, opts, assessment.ctx);
    const probedKeys = new Set(targets.map(pairKey));
    const unprobed = planVpcs(plan).filter((v) => !plan.probes.resolvers[v.id]).map((v) => v.id);
    if (unprobed.length) warnings.push(`no resolver under probes.resolvers for ${unprobed.join(', ')}: their resolution is not verified`);
    let nonOk = 0;
    let unanswered = 0;
    let keeperGap = 0;
    let currentStep = startStep;
    const keeperId = plan.spokes[plan.spokes.length - 1]!.id;
    if (targets.length) {
      log = NdjsonLog.open(state.probeLog);
      prober = new Prober({ timeoutMs: plan.probes.timeoutMs, retries: plan.probes.retries });
      monitor = new Monitor({ targets, intervalMs: plan.probes.intervalMs, prober, log });
      monitor.subscribe((r) => {
        if (r.class === 'ok') return;
        if (r.class === 'timeout') unanswered++;
        else if (currentStep === STEPS.length && r.vpcId === keeperId) keeperGap++;
        else nonOk++;
      });
      monitor.start();
      // Preflight: nothing changes unless every pair resolves right now.
      const pre = await awaitGate(
        monitor,
        { pass: { pairs: targets, consecutiveOk: plan.probes.okStreak, sinceMs: now() }, halt: { pairs: targets, consecutiveNonOk: plan.probes.failStreak }, deadlineMs: now() + plan.budgets.dnsGateTimeoutMs },
        { signal: opts.signal },
      );
      if (pre.verdict !== 'pass' && assessment.position === 1 && !assessment.partial) throw new PreflightDnsError(pre.reason);
    }

    const actors = createRunActors({
      plan,
      ctx: assessment.ctx,
      access: opts.access,
      observe: (signal) => observe(plan, opts.access, { signal, now, scope: 'progress' }),
      ...(monitor ? { monitor } : {}),
      probed: (p: PairRef) => probedKeys.has(pairKey(p)),
      now,
      sleep,
      pollIntervalMs: plan.budgets.pollIntervalMs,
      okStreak: plan.probes.okStreak,
      failStreak: plan.probes.failStreak,
      backupDir,
      journal,
      journaled: (id) => previousIntents.has(id),
      regateFirstStep,
      recordBackup: async (b) => {
        await save({ backups: [...state.backups.filter((x) => x.zoneId !== b.zoneId), { zoneId: b.zoneId, json: b.json, bind: b.bind, verifiedAt: b.verifiedAt }] });
      },
      verifiedBackup: (zoneId) => state.backups.some((b) => b.zoneId === zoneId),
      progress: (e) => {
        opts.logger?.info({ event: e }, 'progress');
        opts.progress?.(e);
      },
    });

    const machine = buildRunMachine().provide({ actors });
    const input = { startStep, budgets: { stepTimeoutMs: plan.budgets.stepTimeoutMs, dnsGateTimeoutMs: plan.budgets.dnsGateTimeoutMs } };
    // A killed run's snapshot is restored; after a halt or failure a fresh machine starts where
    // the world stands (the actor that was in flight re-runs, idempotently, on restore).
    const restore = opts.mode === 'resume' && previous?.status === 'running' && previous.snapshot !== undefined;
    const actor = createActor(machine, restore ? { snapshot: previous!.snapshot as never, input } : { input });

    const finished = new Promise<void>((resolve) => {
      actor.subscribe({ complete: () => resolve(), error: () => resolve() });
    });
    let lastValue = '';
    actor.subscribe((snap) => {
      const value = JSON.stringify(snap.value);
      if (value === lastValue) return;
      lastValue = value;
      const stepIndex = snap.context.stepIndex;
      const step = STEPS[stepIndex]!;
      currentStep = step.number;
      const phase = typeof snap.value === 'string' ? snap.value : Object.values(snap.value as Record<string, string>)[0] ?? '';
      const status: RunState['status'] = snap.value === 'done' ? 'done' : snap.value === 'halted' ? 'halted' : snap.value === 'failed' ? 'failed' : 'running';
      save({
        status,
        position: { step: status === 'done' ? STEPS.length : step.number, stepId: status === 'done' ? 'complete' : step.id, phase },
        snapshot: actor.getPersistedSnapshot(),
        stats: { ...snap.context.counters },
        ...(snap.context.halt ? { halt: { reason: snap.context.halt.reason, step: snap.context.halt.step, at: new Date(wall()).toISOString(), ...(snap.context.halt.pairs ? { pairs: snap.context.halt.pairs } : {}) } } : {}),
      }).catch(() => undefined); // a failed checkpoint stops the run (onCheckpointFailure)
    });
    onCheckpointFailure = () => actor.stop();
    if (checkpointError) throw checkpointError;
    const onAbort = () => actor.stop();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    actor.start();
    await finished;
    opts.signal?.removeEventListener('abort', onAbort);
    const snap = actor.getSnapshot();
    await saving;
    // (Set from the save callbacks: TypeScript can't see that, hence the explicit type.)
    const checkpointFailed = checkpointError as Error | undefined;
    const outcome: Outcome = checkpointFailed
      ? 'failed'
      : opts.signal?.aborted && snap.status !== 'done'
        ? 'interrupted'
        : snap.value === 'done'
          ? 'done'
          : snap.value === 'halted'
            ? 'halted'
            : 'failed';
    if (outcome === 'interrupted') await save({ status: 'running' }).catch(() => undefined);
    await saving;
    // A checkpoint that could not be written is the failure to report, whatever the machine did next.
    const failure: RunContext['failure'] | undefined = checkpointFailed
      ? { step: currentStep, phase: 'checkpoint', message: checkpointFailed.message, ...((checkpointFailed as { code?: string }).code ? { code: (checkpointFailed as { code?: string }).code } : {}) }
      : snap.context.failure;
    return {
      ...base,
      outcome,
      backups: state.backups,
      ...(snap.context.halt && !checkpointFailed ? { halt: snap.context.halt } : {}),
      ...(failure ? { failure } : {}),
      counters: snap.context.counters,
      probes: { results: monitor?.results ?? 0, nonOk, unanswered, keeperGap },
      elapsedMs: now() - started,
    };
  } finally {
    await monitor?.stop();
    await prober?.close();
    log?.close();
    await store.close();
  }
}

