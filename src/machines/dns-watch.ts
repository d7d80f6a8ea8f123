// The run's DNS evidence: every (probed VPC, name) pair probed for the whole run — over the network
// for a VPC with a resolver address, from inside through SSM for a VPC with a probe instance — the
// results appended to the probe log, and the counts the summary reports. The machine's gates read
// both as one source; the preflight asks, before any change, that every pair resolves right now.
import type { RunCommandChannel } from '../aws/ssm-run-command.js';
import type { World } from '../aws/world.js';
import type { Plan } from '../plan/schema.js';
import { planVpcs, probeWay } from '../plan/schema.js';
import { awaitGate, buildTargets, EvidenceLog, Monitor, pairKey, probeNameFor, Prober, type GateVerdict, type PairHealth, type PairRef, type ProbeTarget, type ResultSource } from '../probes/index.js';
import { mergeSources } from '../probes/sources.js';
import { SsmMonitor, type SsmMonitorOptions, type SsmProbeInstance, type SsmProbeTarget, type SsmRoundStats } from '../probes/ssm-monitor.js';
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
  /** Probes that did not run (SSM: a command failed, timed out or was not delivered): nothing about DNS. */
  probeErrors?: number;
  /** nonOk per VPC (wrong answers only: not the keeper's gap, timeouts or probe errors). */
  nonOkByVpc?: Record<string, number>;
}

/** Probing from inside VPCs: the instances found for the plan's SSM-probed VPCs, and the channel. */
export interface SsmWatch {
  channel: RunCommandChannel;
  instances: SsmProbeInstance[];
  onRound?(r: SsmRoundStats): void;
}

export interface DnsWatch {
  /** Undefined when no VPC of the plan is probed. */
  monitor: (ResultSource & { health(pair: PairRef): PairHealth | undefined }) | undefined;
  probed(pair: PairRef): boolean;
  /** VPCs of the plan probed neither way: their resolution is not verified by probes. */
  unprobed: string[];
  counts(): ProbeCounts;
  /** The step now running, so the keeper's step-7 gap is counted apart. */
  setStep(step: number): void;
  /** Waits until every pair resolves correctly (pass), or one fails its streak or the budget runs out. */
  preflight(budgetMs: number, now: () => number, signal?: AbortSignal): Promise<GateVerdict | undefined>;
  stop(): Promise<void>;
}

/** The plan's endpoints' names with the answers that mean "resolved privately". */
function namesOf(world: World, plan: Plan, ctx: StepContext): { name: string; ips: string[] }[] {
  return ctx.endpoints.flatMap((e) => {
    const ep = world.endpoints[e.id];
    if (!ep?.exists) return [];
    const ips = plan.probes.expect[e.id] ?? ep.eniIps;
    return ep.privateDnsNames.map((name) => ({ name, ips }));
  });
}

function ssmTargetsFor(instances: SsmProbeInstance[], names: { name: string; ips: string[] }[]): SsmProbeTarget[] {
  return instances.flatMap((i) => names.map((n) => ({ vpcId: i.vpcId, name: n.name, probeName: probeNameFor(n.name), expected: [...n.ips] })));
}

/** The SSM monitor for a plan's probe instances, with the plan's probe settings. */
export function ssmMonitorFor(
  plan: Plan,
  channel: RunCommandChannel,
  instances: SsmProbeInstance[],
  names: { name: string; ips: string[] }[],
  extra: Pick<SsmMonitorOptions, 'log' | 'onRound'> = {},
): SsmMonitor {
  const o = plan.probes.ssm!;
  return new SsmMonitor({
    channel,
    instances,
    targets: ssmTargetsFor(instances, names),
    resolver: o.resolver,
    queriesPerRound: o.queriesPerRound,
    intervalMs: plan.probes.intervalMs,
    queryTimeoutMs: plan.probes.timeoutMs,
    roundTimeoutMs: o.roundTimeoutMs,
    deliveryTimeoutSeconds: o.deliveryTimeoutSeconds,
    ...extra,
  });
}

export function startDnsWatch(world: World, plan: Plan, ctx: StepContext, probeLog: string, ssm?: SsmWatch): DnsWatch {
  const names = namesOf(world, plan, ctx);
  const byResolver = planVpcs(plan).flatMap((v) => {
    const way = probeWay(plan, v.id);
    return way.via === 'resolver' ? [{ id: v.id, resolver: way.address }] : [];
  });
  const targets: ProbeTarget[] = buildTargets(byResolver, names);
  const ssmInstances = ssm?.instances ?? [];
  const ssmTargets = ssmTargetsFor(ssmInstances, names);
  const allPairs: PairRef[] = [...targets, ...ssmTargets].map((t) => ({ vpcId: t.vpcId, name: t.name }));
  const probedKeys = new Set(allPairs.map(pairKey));
  const counts: Required<ProbeCounts> = { results: 0, nonOk: 0, unanswered: 0, keeperGap: 0, probeErrors: 0, nonOkByVpc: {} };
  const keeperId = keeper(plan);
  let step = 0;
  let monitor: Monitor | undefined;
  let ssmMonitor: SsmMonitor | undefined;
  let prober: Prober | undefined;
  let log: EvidenceLog | undefined;
  const count = (r: { class: string; vpcId: string }) => {
    counts.results++;
    if (r.class === 'ok') return;
    if (r.class === 'probe-error') counts.probeErrors++;
    else if (r.class === 'timeout') counts.unanswered++;
    else if (step === STEPS.length && r.vpcId === keeperId) counts.keeperGap++;
    else {
      counts.nonOk++;
      counts.nonOkByVpc[r.vpcId] = (counts.nonOkByVpc[r.vpcId] ?? 0) + 1;
    }
  };
  if (allPairs.length) log = EvidenceLog.open(probeLog);
  if (targets.length) {
    prober = new Prober({ timeoutMs: plan.probes.timeoutMs, retries: plan.probes.retries });
    monitor = new Monitor({ targets, intervalMs: plan.probes.intervalMs, prober, log });
    monitor.subscribe(count);
    monitor.start();
  }
  if (ssm && ssmTargets.length) {
    ssmMonitor = ssmMonitorFor(plan, ssm.channel, ssmInstances, names, { ...(log ? { log } : {}), ...(ssm.onRound ? { onRound: ssm.onRound } : {}) });
    ssmMonitor.subscribe(count);
    ssmMonitor.start();
  }
  const sources = [monitor, ssmMonitor].filter((m): m is Monitor | SsmMonitor => m !== undefined);
  const source = sources.length === 1 ? sources[0] : sources.length ? mergeSources(sources) : undefined;
  const probedVpcs = new Set(allPairs.map((p) => p.vpcId));
  return {
    monitor: source,
    probed: (p) => probedKeys.has(pairKey(p)),
    unprobed: planVpcs(plan).filter((v) => !probedVpcs.has(v.id)).map((v) => v.id),
    counts: () => ({ ...counts }),
    setStep: (n) => (step = n),
    async preflight(budgetMs, now, signal) {
      if (!source) return undefined;
      return awaitGate(
        source,
        {
          pass: { pairs: allPairs, consecutiveOk: plan.probes.okStreak, sinceMs: now() },
          halt: { pairs: allPairs, consecutiveNonOk: plan.probes.failStreak, consecutiveProbeErrors: plan.probes.ssm?.errorRounds ?? plan.probes.failStreak },
          deadlineMs: now() + budgetMs,
        },
        { signal },
      );
    },
    async stop() {
      await Promise.all([monitor?.stop(), ssmMonitor?.stop()]);
      await prober?.close();
      log?.close();
    },
  };
}
