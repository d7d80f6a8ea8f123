// The machine's effects, built from injected dependencies. Every actor is idempotent, because a
// restored machine re-runs the one that was in flight: planning re-observes, acting re-checks any
// action whose intent is already journaled, the gates only wait and look.
import { fromPromise } from 'xstate';
import type { AwsAccess } from '../aws/access.js';
import type { ZoneBackup } from '../aws/backup.js';
import { changeStatus, executeAction } from '../aws/execute.js';
import type { SettlingScope } from '../aws/observe.js';
import type { VpcRef, World } from '../aws/world.js';
import { awaitGate, type GatePair, type PairRef, type ResultSource } from '../probes/index.js';
import type { PairHealth } from '../probes/health.js';
import { planVpcs, type Plan } from '../plan/schema.js';
import { actionChains, apiCall, describeAction, settlesByChange, settlesInProfile, simulate, type Action } from '../aws/actions.js';
import { failed, inFlight } from '../steps/facts.js';
import { batchRefusals } from '../steps/guard.js';
import { STEPS } from '../steps/index.js';
import { ACT_CONCURRENCY } from '../steps/timing.js';
import type { Expectation, Step, StepContext } from '../steps/types.js';
import { ChangeSettler } from './change-settler.js';
import { failedAssociations, failedHaltReason } from './repair.js';
import type { ActInput, ActOutput, ConvergeInput, ConvergeOutput, DnsGateInput, DnsGateOutput, PlanInput, PlanOutput, StopRequest } from './run-machine.js';

export interface JournalRecord {
  step: number;
  batch: number;
  action: Action;
  phase: 'intent' | 'applied' | 'already-done' | 'failed';
  requestId?: string;
  error?: string;
}

/** What the actors need; the runner wires the real ones, tests may wire others. */
export interface RunDeps {
  plan: Plan;
  ctx: StepContext;
  /** The steps the machine walks (the seven, or their undos), indexed as the machine's stepIndex. */
  steps?: readonly Step[];
  /** Why a batch must not be sent now (default: the forward run's guard). */
  refusals?: (world: World, ctx: StepContext, step: Step, actions: Action[]) => string[];
  /** Pairs that were already failing when a rollback started (the forward run's halt): reported, not gated. */
  ungated?: (pair: PairRef) => boolean;
  /** A zone re-created by a rollback: from now on the plan's zone is this one. */
  zoneRecreated?(previousId: string, newId: string): Promise<void>;
  access: AwsAccess;
  observe(signal?: AbortSignal): Promise<World>;
  /** Re-reads only what a batch of Profile associations and endpoint settings moves, onto `base` (default: observe). */
  observeSettling?(base: World, scope: SettlingScope, signal?: AbortSignal): Promise<World>;
  /** The live DNS monitor (absent when no VPC of the plan has a resolver to probe). */
  monitor?: ResultSource & { health(pair: PairRef): PairHealth | undefined };
  /** Pairs the monitor probes (VPCs with a resolver in the plan). */
  probed: (pair: PairRef) => boolean;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  pollIntervalMs: number;
  okStreak: number;
  failStreak: number;
  /** Probe rounds in a row that did not run (SSM) before a gate halts on them; default failStreak. */
  probeErrorStreak?: number;
  backupDir: string;
  /** Appends to the journal and checkpoints, before (intent) and after each API call. */
  journal(entry: JournalRecord): Promise<void>;
  /** Whether an earlier run journaled an intent for this action (it may have reached AWS). */
  journaled(actionId: string): boolean;
  /**
   * A resumed run (after a halt, a failure or a kill): the step it starts at passes its gates
   * (converge, then DNS) before it changes anything, since the gate that stopped the earlier run
   * never passed — with the fault still there, the run halts again having changed nothing.
   */
  regateFirstStep?: boolean;
  /**
   * Another run's mark on the estate, found at a step's start (the estate lock): the reason to
   * halt, or undefined when the estate is still this run's.
   */
  foreignMark?(signal?: AbortSignal): Promise<string | undefined>;
  recordBackup(backup: ZoneBackup): Promise<void>;
  /** The plan file, recorded in zone backups so restore-zone finds the accounts again. */
  planFile?: string;
  /** The VPCs associated with a zone when the run first observed it (recorded in its backup). */
  vpcsAtStart?(zoneId: string): VpcRef[] | undefined;
  verifiedBackup(zoneId: string): boolean;
  /** Progress for the live display and the log. */
  progress(event: ProgressEvent): void;
  /**
   * The operator asked the run to stop (the first Ctrl-C): no batch is planned and no chain of
   * the batch in flight starts after it; what was sent settles and passes its gates first.
   */
  stopRequested?(): StopRequest | undefined;
  /**
   * A safe point: a step (or a step-6 wave) is about to send its first change, every gate before
   * it passed. Returns why to stop here (through-step, an approval pending, the window's end), or
   * undefined to go on.
   */
  boundary?(b: Boundary): Promise<StopRequest | undefined>;
  /** Independent chains of a batch sent at once (default ACT_CONCURRENCY; 1: one call at a time, in order). */
  actConcurrency?: number;
}

/** What a safe point knows: the step, whether this is its first batch, the world and the batch planned on it. */
export interface Boundary {
  step: Step;
  stepIndex: number;
  /** The step's first batch in this invocation (later ones: step 6's next waves). */
  firstBatch: boolean;
  world: World;
  actions: Action[];
  signal: AbortSignal;
}

export type ProgressEvent =
  | { type: 'step'; step: number; title: string }
  | { type: 'action'; step: number; batch?: number; action: Action; description: string; status: 'start' | 'applied' | 'already-done' | 'failed' | 'interrupted'; error?: string }
  | { type: 'waiting'; step: number; inFlight: { what: string; status: string }[] }
  | { type: 'dns'; step: number; verdict: string; reason: string; cause?: 'dns' | 'probe' }
  | { type: 'gate'; step: number; pairs: number; okStreak: number }
  | { type: 'estimate'; step: number; stepMs: number; runEndsAt: number; windowEndsAt?: number }
  | { type: 'approval'; direction: 'forward' | 'rollback'; step: number; title: string; changes: string[]; after: Expectation[] };

/** Chains of a batch in flight at once: the request budget, not this, keeps calls under AWS's rates. */
export { ACT_CONCURRENCY };

/**
 * Runs each chain's actions in order, up to `concurrency` chains at a time. After the first
 * failure no chain starts another action; the calls already in flight finish (each is journaled
 * as applied or failed, so a resume knows where it stands), then the first error is thrown.
 */
export async function inChains<T>(chains: T[][], concurrency: number, run: (item: T) => Promise<void>, stopping: () => boolean = () => false): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    // A stop on request lets the chains under way finish (a chain is one change made whole: step
    // 7 empties a zone and deletes it) and starts no other.
    while (!failure && next < chains.length && !stopping()) {
      for (const item of chains[next++]!) {
        if (failure) return;
        try {
          await run(item);
        } catch (error) {
          failure ??= { error };
          return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, chains.length)) }, worker));
  if (failure) throw failure.error;
}

/** What a batch made only of Profile associations and endpoint settings waits on; undefined for any other batch. */
export function settlingScope(plan: Plan, actions: readonly Action[] | undefined): SettlingScope | undefined {
  if (!actions?.length || !actions.every(settlesInProfile)) return undefined;
  const owner = new Map(planVpcs(plan).map((v) => [v.id, v.account]));
  const vpcAccounts = new Set(actions.flatMap((a) => (a.kind === 'associate-profile' || a.kind === 'disassociate-profile' ? [owner.get(a.vpcId) ?? a.account] : [])));
  return {
    vpcAccounts: [...vpcAccounts].sort(),
    resources: actions.some((a) => a.kind === 'associate-resource' || a.kind === 'disassociate-resource'),
    endpoints: actions.some((a) => a.kind === 'set-private-dns'),
  };
}

function countsByStatus(items: { status: string }[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}

function nonOkStreaks(deps: RunDeps, pairs: PairRef[]): { pair: PairRef; health: PairHealth }[] {
  if (!deps.monitor) return [];
  return pairs
    .map((pair) => ({ pair, health: deps.monitor!.health(pair) }))
    .filter((x): x is { pair: PairRef; health: PairHealth } => !!x.health && x.health.consecutiveNonOk >= deps.failStreak);
}

function mustResolve(deps: RunDeps, world: World, stepIndex: number): PairRef[] {
  return stepsOf(deps)[stepIndex]!.expect(world, deps.ctx)
    .filter((e) => e.during === 'must-resolve')
    .map((e) => ({ vpcId: e.vpcId, name: e.name }))
    .filter((p) => deps.probed(p) && !deps.ungated?.(p));
}

const stepsOf = (deps: RunDeps): readonly Step[] => deps.steps ?? STEPS;

/** Why a FAILED association stops the run, and what gets it going again. */
function failedReason(world: World, deps: RunDeps, broken: { what: string; status: string }[]): string {
  const ours = failedAssociations(world, deps.plan);
  const others = broken.filter((b) => !ours.some((o) => b.what.startsWith(o.what)));
  const parts = [...(ours.length ? [failedHaltReason(ours)] : []), ...(others.length ? [`${others.map((f) => `${f.what} is ${f.status}`).join('; ')}: disassociate it, then resume`] : [])];
  return parts.join('; ');
}

function describeHealth(h: PairHealth): string {
  return `${h.consecutiveNonOk}× ${h.lastClass}${h.lastAnswers.length ? ` (${h.lastAnswers.join(', ')})` : ''}${h.lastReason ? ` — ${h.lastReason}` : ''}`;
}

export function createRunActors(deps: RunDeps) {
  let lastWorld: World | undefined;
  let handedOver: World | undefined;
  let regate = deps.regateFirstStep === true;
  let markCheckedAt = -1;
  let boundaryPassed = -1;
  /** The last batch stopped part-sent (a stop on request): its gates read the world, not the plan. */
  let partlySent = false;
  return {
    observeAndPlan: fromPromise<PlanOutput, PlanInput>(async ({ input, signal }) => {
      const step = stepsOf(deps)[input.stepIndex]!;
      // Every gate before this point passed: the safe point to stop at when asked.
      const requested = deps.stopRequested?.();
      if (requested) return { kind: 'stop', stop: requested, at: deps.now() };
      deps.progress({ type: 'step', step: step.number, title: step.title });
      if (deps.foreignMark && markCheckedAt !== input.stepIndex) {
        const foreign = await deps.foreignMark(signal);
        if (foreign) return { kind: 'halt', reason: `Step ${step.number} ${step.id} (plan): nothing was sent: ${foreign}`, at: deps.now() };
        markCheckedAt = input.stepIndex;
      }
      // A step found complete hands its observation, made a moment ago, to the next step's first
      // batch: nothing happened in between, so reading the estate again would say the same.
      const world = (lastWorld = handedOver ?? (await deps.observe(signal)));
      handedOver = undefined;
      const broken = failed(world, deps.ctx);
      if (broken.length) return { kind: 'halt', reason: failedReason(world, deps, broken), at: deps.now() };
      // Resumed: the step's gates pass before anything is sent (nothing settles a fault but a fix).
      if (regate) {
        regate = false;
        return { kind: 'act', actions: [], at: deps.now() };
      }
      const actions = step.actions(world, deps.ctx);
      const refusals = (deps.refusals ?? batchRefusals)(world, deps.ctx, step, actions);
      if (refusals.length) return { kind: 'halt', reason: `Step ${step.number} ${step.id} (plan): nothing was sent: ${refusals.join('; ')}`, at: deps.now() };
      if (actions.length && deps.boundary) {
        const firstBatch = boundaryPassed !== input.stepIndex;
        const stop = await deps.boundary({ step, stepIndex: input.stepIndex, firstBatch, world, actions, signal });
        if (stop) return { kind: 'stop', stop, at: deps.now() };
        boundaryPassed = input.stepIndex;
      }
      // (A stop asked for while this batch was being planned or approved: nothing of it is sent.)
      const late = actions.length ? deps.stopRequested?.() : undefined;
      if (late) return { kind: 'stop', stop: late, at: deps.now() };
      if (actions.length) return { kind: 'act', actions, at: deps.now() };
      // Nothing left to send, but something may still be settling: wait for it.
      if (inFlight(world, deps.ctx).length || !step.converged(world, deps.ctx)) return { kind: 'act', actions: [], at: deps.now() };
      handedOver = world;
      return { kind: 'step-done', at: deps.now() };
    }),

    act: fromPromise<ActOutput, ActInput>(async ({ input, signal }) => {
      const step = stepsOf(deps)[input.stepIndex]!;
      const changes: ActOutput['changes'] = [];
      let applied = 0;
      let alreadyDone = 0;
      let sent = 0;
      const settler = new ChangeSettler(deps, signal);
      const one = async (action: Action) => {
        sent++;
        const description = describeAction(action);
        const checkFirst = deps.journaled(action.id);
        deps.progress({ type: 'action', step: step.number, batch: input.batch, action, description, status: 'start' });
        await deps.journal({ step: step.number, batch: input.batch, action, phase: 'intent' });
        try {
          const result = await executeAction(deps.access, action, {
            signal,
            backupDir: deps.backupDir,
            verifiedBackup: deps.verifiedBackup,
            checkFirst,
            backupContext: { ...(deps.planFile ? { planFile: deps.planFile } : {}), ...(deps.vpcsAtStart ? { vpcsAtStart: deps.vpcsAtStart } : {}) },
          });
          if (result.backup) await deps.recordBackup(result.backup);
          if (result.createdZoneId && action.kind === 'recreate-zone') await deps.zoneRecreated?.(action.zoneId, result.createdZoneId);
          for (const changeId of result.changeIds ?? (result.changeId ? [result.changeId] : [])) {
            changes.push({ account: action.account, changeId });
            settler.add({ account: action.account, changeId });
          }
          if (result.status === 'applied') applied++;
          else alreadyDone++;
          await deps.journal({ step: step.number, batch: input.batch, action, phase: result.status, ...(result.requestId ? { requestId: result.requestId } : {}) });
          deps.progress({ type: 'action', step: step.number, batch: input.batch, action, description, status: result.status });
        } catch (e) {
          // Stopped by the operator mid-call: an interrupt, not AWS's failure (it may have applied; resume re-checks).
          const interrupted = signal.aborted;
          const message = interrupted ? `interrupted by the operator while the call was in flight (resume checks whether it took effect)` : (e as Error).message;
          await deps.journal({ step: step.number, batch: input.batch, action, phase: 'failed', error: message });
          deps.progress({ type: 'action', step: step.number, batch: input.batch, action, description, status: interrupted ? 'interrupted' : 'failed', error: message });
          const call = apiCall(action);
          const err = new Error(
            `Step ${step.number} ${step.id} (act) failed for ${description}${call ? ` [${call.service}:${call.operation} as ${action.account}]` : ''}: ${message}`,
            { cause: e },
          ) as Error & { code?: string };
          err.code = (e as { awsCode?: string; code?: string }).awsCode ?? (e as { code?: string }).code;
          throw err;
        }
      };
      let unsettled: typeof changes;
      try {
        await inChains(actionChains(input.actions), deps.actConcurrency ?? ACT_CONCURRENCY, one, () => !!deps.stopRequested?.());
      } finally {
        unsettled = await settler.finish(changes);
      }
      partlySent = sent < input.actions.length;
      // The changes found INSYNC while the batch was being sent are not asked about again.
      return { changes: unsettled, applied, alreadyDone, at: deps.now() };
    }),

    converge: fromPromise<ConvergeOutput, ConvergeInput>(async ({ input, signal }) => {
      const step = stepsOf(deps)[input.stepIndex]!;
      // In the order they were made: a poll asks about the oldest still PENDING and stops at the
      // first that is, so a wave of 500 changes costs about one GetChange each, not one per poll.
      const pending = [...input.changes];
      // A batch of zone changes only settles through its Route 53 changes: GetChange alone is
      // polled, and the DNS gate works from the world the batch was planned on with the batch
      // applied (the next batch reads the estate again, and its guard judges that, not this).
      // A batch of Profile associations and endpoint settings re-reads just those at each poll
      // (observeSettling), onto the world it was planned on, with the same understanding. Anything
      // else (a mix, an empty batch waiting on what is in flight) reads the estate at every poll.
      const observeEachPoll = !input.actions?.length || input.actions.some((a) => !settlesByChange(a)) || !lastWorld || partlySent;
      const settling = lastWorld && deps.observeSettling && !partlySent ? settlingScope(deps.plan, input.actions) : undefined;
      const poll = (signal: AbortSignal) => (settling ? deps.observeSettling!(lastWorld!, settling, signal) : deps.observe(signal));
      const planned = lastWorld;
      for (;;) {
        while (pending.length) {
          const c = pending[0]!;
          if ((await changeStatus(deps.access, c.account, c.changeId, signal)) === 'PENDING') break;
          pending.shift();
        }
        const observed = observeEachPoll ? (lastWorld = await poll(signal)) : undefined;
        if (observed) {
          const broken = failed(observed, deps.ctx);
          if (broken.length) return { ok: false, reason: failedReason(observed, deps, broken), at: deps.now() };
        }
        const world = observed ?? planned!;
        const dnsDown = nonOkStreaks(deps, mustResolve(deps, world, input.stepIndex));
        if (dnsDown.length) {
          return {
            ok: false,
            reason: `DNS: ${dnsDown.map(({ pair, health }) => `${pair.vpcId} ${pair.name}: ${describeHealth(health)}`).join('; ')} — stopped before anything else changes`,
            pairs: dnsDown.map(({ pair, health }) => ({ vpcId: pair.vpcId, name: pair.name, class: health.lastClass, answers: health.lastAnswers, consecutive: health.consecutiveNonOk })),
            at: deps.now(),
          };
        }
        const moving = observed ? inFlight(observed, deps.ctx) : [];
        if (!moving.length && !pending.length) {
          if (!observed) lastWorld = simulate(planned!, input.actions ?? []);
          return { ok: true, at: deps.now() };
        }
        // Only the oldest was asked this time; the ones after it are reported as not known yet.
        const changesPending = pending.map((c, i) => ({ what: `Route 53 change ${c.changeId}`, status: i === 0 ? 'PENDING' : 'not yet INSYNC' }));
        deps.progress({ type: 'waiting', step: step.number, inFlight: [...moving, ...changesPending] });
        if (deps.now() >= input.deadlineMs) {
          const all = [...moving, ...changesPending];
          return {
            ok: false,
            reason: `Step ${step.number} ${step.id} (converge): the wait budget ran out with ${countsByStatus(all)} (${all.slice(0, 5).map((x) => `${x.what}: ${x.status}`).join('; ')}${all.length > 5 ? '; ...' : ''}); resume to keep waiting (the budget starts again), or give it longer without touching the reviewed plan: r53migrate resume --step-timeout 30m`,
            at: deps.now(),
          };
        }
        await deps.sleep(Math.min(deps.pollIntervalMs, Math.max(0, input.deadlineMs - deps.now())), signal);
      }
    }),

    dnsGate: fromPromise<DnsGateOutput, DnsGateInput>(async ({ input, signal }) => {
      const step = stepsOf(deps)[input.stepIndex]!;
      if (!deps.monitor) return { verdict: 'pass', reason: 'no resolver to probe in the plan', pairs: [], at: deps.now() };
      const world = lastWorld ?? (await deps.observe(signal));
      const converged = step.converged(world, deps.ctx);
      const gated = (p: PairRef) => deps.probed(p) && !deps.ungated?.(p);
      const touched = new Set((input.actions ?? []).flatMap((a) => ('vpcId' in a ? [a.vpcId] : [])));
      const expectations = [...step.expect(world, deps.ctx)].sort((a, b) => Number(touched.has(b.vpcId)) - Number(touched.has(a.vpcId)));
      const pass = expectations.filter((e) => e.during === 'must-resolve' || converged).map((e) => ({ vpcId: e.vpcId, name: e.name })).filter(gated);
      const halt = expectations.filter((e) => e.during === 'must-resolve').map((e) => ({ vpcId: e.vpcId, name: e.name })).filter(gated);
      deps.progress({ type: 'gate', step: step.number, pairs: pass.length, okStreak: deps.okStreak });
      const verdict = await awaitGate(
        deps.monitor,
        {
          pass: { pairs: pass, consecutiveOk: deps.okStreak, sinceMs: input.sinceMs },
          halt: { pairs: halt, consecutiveNonOk: deps.failStreak, sinceMs: input.sinceMs, consecutiveProbeErrors: deps.probeErrorStreak ?? deps.failStreak },
          deadlineMs: input.deadlineMs,
        },
        { signal },
      );
      deps.progress({ type: 'dns', step: step.number, verdict: verdict.verdict, reason: verdict.reason, ...(verdict.cause ? { cause: verdict.cause } : {}) });
      const pairs = (verdict.verdict === 'pass' ? [] : verdict.pairs).map((p: GatePair) => ({
        vpcId: p.vpcId,
        name: p.name,
        class: p.class,
        answers: p.answers,
        consecutive: p.consecutive,
      }));
      const advice =
        verdict.verdict === 'timeout'
          ? ' — resume once they resolve (the gate starts again), or give it longer without touching the reviewed plan: r53migrate resume --dns-gate-timeout 10m'
          : verdict.cause === 'probe'
            ? ' — the probe instance must be running with its SSM agent online (or name another under probes.ssm.vpcs), then resume: the gate starts again'
            : '';
      const what = verdict.cause === 'probe' ? 'probes' : 'dns';
      return { verdict: verdict.verdict, ...(verdict.cause ? { cause: verdict.cause } : {}), reason: `Step ${step.number} ${step.id} (${what}): ${verdict.reason}${advice}`, pairs, at: verdict.atMs };
    }),
  };
}
