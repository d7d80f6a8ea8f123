// The run's DNS evidence: every (VPC with a resolver, name) pair probed for the whole run, the
// results appended to the probe log, and the counts the summary reports. The machine's gates read
// the monitor; the preflight asks, before any change, that every pair resolves right now.
import type { World } from '../aws/world.js';
import type { Plan } from '../plan/schema.js';
import { planVpcs } from '../plan/schema.js';
import { awaitGate, buildTargets, Monitor, NdjsonLog, pairKey, Prober, type GateVerdict, type PairRef, type ProbeTarget } from '../probes/index.js';
import { keeper } from '../steps/facts.js';
import { STEPS } from '../steps/index.js';
import type { StepContext } from '../steps/types.js';

export interface ProbeCounts {
  results: number;
  /** Wrong answers (and errors) from pairs that had to resolve. */
  nonOk: number;
  /** Probes that got no reply at all after their resends: they say nothing about what the VPC resolves. */
  unanswered: number;
  /** The keeper's while step 7 emptied and deleted its zones (the one gap the runbook allows). */
  keeperGap: number;
}

export interface DnsWatch {
  /** Undefined when no VPC of the plan has a resolver to probe. */
  monitor: Monitor | undefined;
  probed(pair: PairRef): boolean;
  /** VPCs of the plan without a resolver: their resolution is not verified by probes. */
  unprobed: string[];
  counts(): ProbeCounts;
  /** The step now running, so the keeper's step-7 gap is counted apart. */
  setStep(step: number): void;
  /** Waits until every pair resolves correctly (pass), or one fails its streak or the budget runs out. */
  preflight(budgetMs: number, now: () => number, signal?: AbortSignal): Promise<GateVerdict | undefined>;
  stop(): Promise<void>;
}

function targetsFor(world: World, plan: Plan, ctx: StepContext): ProbeTarget[] {
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

export function startDnsWatch(world: World, plan: Plan, ctx: StepContext, probeLog: string): DnsWatch {
  const targets = targetsFor(world, plan, ctx);
  const probedKeys = new Set(targets.map(pairKey));
  const counts: ProbeCounts = { results: 0, nonOk: 0, unanswered: 0, keeperGap: 0 };
  const keeperId = keeper(plan);
  let step = 0;
  let monitor: Monitor | undefined;
  let prober: Prober | undefined;
  let log: NdjsonLog | undefined;
  if (targets.length) {
    log = NdjsonLog.open(probeLog);
    prober = new Prober({ timeoutMs: plan.probes.timeoutMs, retries: plan.probes.retries });
    monitor = new Monitor({ targets, intervalMs: plan.probes.intervalMs, prober, log });
    monitor.subscribe((r) => {
      if (r.class === 'ok') return;
      if (r.class === 'timeout') counts.unanswered++;
      else if (step === STEPS.length && r.vpcId === keeperId) counts.keeperGap++;
      else counts.nonOk++;
    });
    monitor.start();
  }
  return {
    monitor,
    probed: (p) => probedKeys.has(pairKey(p)),
    unprobed: planVpcs(plan).filter((v) => !plan.probes.resolvers[v.id]).map((v) => v.id),
    counts: () => ({ ...counts, results: monitor?.results ?? 0 }),
    setStep: (n) => (step = n),
    async preflight(budgetMs, now, signal) {
      if (!monitor) return undefined;
      return awaitGate(
        monitor,
        { pass: { pairs: targets, consecutiveOk: plan.probes.okStreak, sinceMs: now() }, halt: { pairs: targets, consecutiveNonOk: plan.probes.failStreak }, deadlineMs: now() + budgetMs },
        { signal },
      );
    },
    async stop() {
      await monitor?.stop();
      await prober?.close();
      log?.close();
    },
  };
}
