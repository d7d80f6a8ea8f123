// `r53migrate probe PLAN [--watch] [--json]`: how every VPC of the plan resolves every endpoint
// name right now — `watch dig` for a whole fleet. Read-only: one discovery for the names and the
// answers that count as private, then DNS only. This file wires; render-probe.ts draws.
import { resolvePreparedProfile } from '../aws/observe-prepare.js';
import { Command, InvalidArgumentError } from 'commander';
import { setMaxListeners } from 'node:events';
import { observe } from '../aws/observe.js';
import { findProbeInstances, PROBE_INSTANCE_ADVICE } from '../aws/probe-instances.js';
import { SsmRunCommand } from '../aws/ssm-run-command.js';
import type { World } from '../aws/world.js';
import { ssmMonitorFor } from '../machines/dns-watch.js';
import { planVpcs, probeWay, type Plan } from '../plan/schema.js';
import { buildTargets, classify, pairKey, probeNameFor, Prober, type PairResult, type ProbeReply, type ProbeTarget } from '../probes/index.js';
import type { SsmMonitor } from '../probes/ssm-monitor.js';
import { usesSsm } from '../steps/probe-setup.js';
import { accessFor, loadPlanForCli } from './common.js';
import { EXIT, UsageError } from './errors.js';
import { processInterrupted, type CliIo } from './io.js';
import { renderProbeJson, renderProbeJsonLine, renderProbeTable, renderWatchFrame, summarise, type ProbeRow, type VpcRole } from './render-probe.js';

/** Queries in flight at once: enough for 300 VPCs × 10 names in a few round trips, few enough for one socket. */
const CONCURRENCY = 64;

/** The pairs to probe and what the operator should know about the ones left out. */
export function probeTargetsFor(plan: Plan, world: World): { targets: ProbeTarget[]; names: { name: string; ips: string[] }[]; warnings: string[] } {
  const warnings: string[] = [];
  const vpcs = planVpcs(plan);
  const unprobed = vpcs.filter((v) => probeWay(plan, v.id).via === 'none').map((v) => v.id);
  if (unprobed.length) warnings.push(`no resolver under probes.resolvers and no probe instance under probes.ssm for ${unprobed.join(', ')}: not probed`);
  const names = plan.endpoints.flatMap((e) => {
    const ep = world.endpoints[e.id];
    if (!ep?.exists) {
      warnings.push(`endpoint ${e.id} was not found: its names are not probed`);
      return [];
    }
    if (ep.privateDnsNames.length === 0) warnings.push(`endpoint ${e.id} (${ep.serviceName}) has no Private DNS names: nothing to probe for it`);
    // A pinned answer set wins over the discovered ENI IPs (e.g. addresses a proxy answers with).
    const ips = plan.probes.expect[e.id] ?? ep.eniIps;
    return ep.privateDnsNames.map((name) => ({ name, ips }));
  });
  const withResolver = vpcs.flatMap((v) => {
    const way = probeWay(plan, v.id);
    return way.via === 'resolver' ? [{ id: v.id, resolver: way.address }] : [];
  });
  try {
    return { targets: buildTargets(withResolver, names), names, warnings };
  } catch (e) {
    // A resolver given as a host name, or the same name served by two endpoints: the plan's fault.
    throw new UsageError(`probes: ${(e as Error).message}`);
  }
}

/**
 * Probes every target once through a bounded pool. Returns undefined when `signal` aborts first
 * (a half round is not shown: it would read as pairs that were never asked).
 */
export async function probeRound(prober: Prober, targets: readonly ProbeTarget[], roles: ReadonlyMap<string, VpcRole>, signal: AbortSignal): Promise<ProbeRow[] | undefined> {
  // Every query in flight listens to this one signal: hundreds of listeners are expected, not a leak.
  setMaxListeners(0, signal);
  const rows: ProbeRow[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!signal.aborted && next < targets.length) {
      const t = targets[next++]!;
      let reply: ProbeReply;
      try {
        reply = await prober.query(t.resolver, t.probeName, t.qtype ?? 'A', { signal });
      } catch (err) {
        if (signal.aborted) return;
        reply = { outcome: 'error', error: `prober: ${(err as Error).message}`, latencyMs: 0, attempts: 0, transport: 'udp' };
      }
      const c = classify(reply, t.expected);
      const role = roles.get(t.vpcId);
      rows.push({
        vpcId: t.vpcId,
        ...(role ? { role } : {}),
        name: t.name,
        probeName: t.probeName,
        class: c.class,
        answers: c.answers,
        expected: [...t.expected].sort(),
        latencyMs: c.latencyMs,
        ...(c.rcode !== undefined ? { rcode: c.rcode } : {}),
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker));
  return signal.aborted ? undefined : rows;
}

/** One SSM round over the probe instances: each pair's last answer of the round. */
async function ssmRound(monitor: SsmMonitor, roles: ReadonlyMap<string, VpcRole>, signal: AbortSignal): Promise<ProbeRow[] | undefined> {
  const last = new Map<string, PairResult>();
  const off = monitor.subscribe((r) => last.set(pairKey(r), r));
  try {
    await monitor.round(signal);
  } catch {
    return undefined; // stopped
  } finally {
    off();
  }
  return [...last.values()].map((r) => {
    const role = roles.get(r.vpcId);
    return {
      vpcId: r.vpcId,
      ...(role ? { role } : {}),
      name: r.name,
      probeName: r.probeName,
      class: r.class,
      answers: r.answers,
      expected: monitor.expected(r).sort(),
      latencyMs: r.latencyMs,
      ...(r.rcode !== undefined ? { rcode: r.rcode } : {}),
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
    };
  });
}

/** Waits ms, or less if `signal` aborts; leaves no timer behind either way. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function parseInterval(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100 || ms > 3_600_000) throw new InvalidArgumentError('expected whole milliseconds from 100 to 3600000');
  return ms;
}

interface ProbeFlags {
  watch?: boolean;
  json?: boolean;
  interval?: number;
}

export function probeCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('probe')
    .description('Ask every VPC of the plan for every endpoint name, through that VPC\'s resolver or from inside it through SSM, and print VPC × name → class, answers, latency.')
    .argument('<plan>', 'plan file (YAML or JSON)')
    .option('--watch', 'probe again every interval until Ctrl-C (redrawn in place on a terminal)')
    .option('--interval <ms>', 'time between rounds with --watch (default: probes.intervalMs of the plan)', parseInterval)
    .option('--json', 'print JSON: an array of results; with --watch, one line per round (NDJSON)')
    .addHelpText(
      'after',
      `
Read-only: AWS is read once (List/Describe calls) for each endpoint's Private DNS names and
network-interface IPs; the rest is DNS. A VPC is probed through its resolver under
probes.resolvers, or from inside through SSM Run Command on its instance under probes.ssm (found
first, as apply does; a round through SSM takes seconds: it runs the probe program on every
instance); VPCs probed neither way are listed on stderr and skipped. An answer is ok when every
address is one of the endpoint's IPs (or probes.expect), public when it resolved elsewhere.
Classes: ok, public, nxdomain, servfail, timeout, error, and probe-error (the SSM command did not
run: nothing is known about that VPC's DNS). Timeouts and retries: probes.timeoutMs and
probes.retries.

Exit codes: 0 every pair is ok, 3 some pair is not ok (a script can gate on it), 2 the plan file
is not acceptable, 1 AWS could not be read. With --watch: 0 when stopped with Ctrl-C.

--json prints [{vpcId, role, name, probeName, class, answers, expected, latencyMs, rcode,
reason}, ...]; with --watch, one line per round: {round, time, pairs, ok, notOk, results}.

Examples:
  r53migrate probe plan.yaml                     one round, a table and a summary line
  r53migrate probe plan.yaml --watch             a live table, every probes.intervalMs
  r53migrate probe plan.yaml --watch --json --interval 5000 >> probes.ndjson`,
    )
    .action(async (file: string, o: ProbeFlags) => {
      const loaded = await loadPlanForCli(file);
      const { plan } = loaded;
      const access = accessFor(loaded);
      const prober = new Prober({ timeoutMs: plan.probes.timeoutMs, retries: plan.probes.retries });
      try {
        // Only the endpoints matter here: skip the reads that only the assessment needs.
        await resolvePreparedProfile(plan, access);
        const world = await observe(plan, access, { scope: 'progress' });
        const { targets, names, warnings } = probeTargetsFor(plan, world);
        const found = usesSsm(plan) ? await findProbeInstances(plan, access) : { instances: [], problems: [] };
        // A VPC whose instance can't probe now is shown as such (probe-error), the rest are probed.
        if (found.problems.length) warnings.push(...found.problems.map((p) => `${p.vpcId} (account ${p.account}): ${p.problem}; ${PROBE_INSTANCE_ADVICE}`));
        for (const w of warnings) io.stderr.write(`r53migrate: warning: ${w}\n`);
        const roles = new Map(planVpcs(plan).map((v) => [v.id, v.role]));
        const unprobeable: ProbeRow[] = found.problems.flatMap((p) =>
          names.map((n) => ({ vpcId: p.vpcId, ...(roles.get(p.vpcId) ? { role: roles.get(p.vpcId)! } : {}), name: n.name, probeName: probeNameFor(n.name), class: 'probe-error' as const, answers: [], expected: [...n.ips].sort(), latencyMs: 0, reason: p.problem })),
        );
        const ssm = found.instances.length && names.length ? ssmMonitorFor(plan, new SsmRunCommand(access, plan.region, plan.accounts), found.instances, names) : undefined;
        if (targets.length === 0 && !ssm && !unprobeable.length) throw new UsageError('nothing to probe: no VPC of the plan has a resolver under probes.resolvers or an instance under probes.ssm, or no endpoint has Private DNS names');
        const round = async (signal: AbortSignal): Promise<ProbeRow[] | undefined> => {
          const [byResolver, bySsm] = await Promise.all([probeRound(prober, targets, roles, signal), ssm ? ssmRound(ssm, roles, signal) : []]);
          return byResolver && bySsm ? [...byResolver, ...bySsm, ...unprobeable] : undefined;
        };
        if (!o.watch) {
          // One round needs no Ctrl-C handling: the default (the process ends) loses nothing.
          const rows = (await round(new AbortController().signal))!;
          io.stdout.write(o.json ? renderProbeJson(rows) : renderProbeTable(rows));
          setExit(summarise(rows).notOk > 0 ? EXIT.halted : EXIT.done);
          return;
        }
        await watch(io, round, { intervalMs: o.interval ?? plan.probes.intervalMs, json: o.json === true, planName: plan.name });
        setExit(EXIT.done);
      } finally {
        await prober.close();
        access.destroy();
      }
    });
}

async function watch(
  io: CliIo,
  probeOnce: (signal: AbortSignal) => Promise<ProbeRow[] | undefined>,
  o: { intervalMs: number; json: boolean; planName: string },
): Promise<void> {
  const stop = new AbortController();
  void (io.interrupted ?? processInterrupted()).then(() => stop.abort(new Error('interrupted')));
  const tty = io.stdout.isTTY === true && !o.json;
  for (let round = 1; !stop.signal.aborted; round++) {
    const startedMs = Date.now();
    const rows = await probeOnce(stop.signal);
    if (!rows) break;
    const atMs = Date.now();
    io.stdout.write(o.json ? renderProbeJsonLine(rows, round, atMs) : renderWatchFrame(rows, { round, atMs, intervalMs: o.intervalMs, tty, planName: o.planName }));
    // Rounds start every interval (like the monitor); a round that overran is followed at once.
    await pause(Math.max(0, startedMs + o.intervalMs - Date.now()), stop.signal);
  }
}
