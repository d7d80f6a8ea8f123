// Probes from inside VPCs through SSM Run Command. A round sends the probe program
// (probe/r53m-probe.sh) to every probe instance (50 per SendCommand, per account), reads what each
// printed, and publishes one result per answer, like the network monitor does: the same classes,
// health, NDJSON evidence (with `via: ssm`, the instance and the command id) and gates. An
// instance whose command did not run — failed, timed out, never delivered, output that does not
// parse — gives `probe-error` results for its VPC's pairs: they say nothing about DNS.
import { setMaxListeners } from 'node:events';
import type { Invocation, RunCommandChannel } from '../aws/ssm-run-command.js';
import { chunks, SEND_COMMAND_MAX_INSTANCES } from '../aws/ssm-run-command.js';
import { classify } from './classify.js';
import { ResultHub } from './result-hub.js';
import type { ResultSource } from './monitor.js';
import type { LineSink } from './ndjson-log.js';
import { parseProbeOutput } from './probe-output.js';
import { probeCommands } from './probe-program.js';
import type { ProbeTarget } from './targets.js';
import { systemTime, type Time } from './time.js';

export interface SsmProbeInstance {
  vpcId: string;
  /** Plan account that owns the VPC and sends its commands. */
  account: string;
  instanceId: string;
}

/** A pair probed from inside its VPC: no resolver address here (the instance asks its VPC's own). */
export type SsmProbeTarget = Omit<ProbeTarget, 'resolver'>;

export interface SsmMonitorOptions {
  channel: RunCommandChannel;
  instances: SsmProbeInstance[];
  /** Every (VPC, name) pair to probe; only pairs of VPCs with an instance are probed. */
  targets: SsmProbeTarget[];
  /** The address the instances ask (the VPC's Route 53 Resolver). */
  resolver: string;
  queriesPerRound: number;
  /** Between the queries of a round on the instance, and between rounds here. */
  intervalMs: number;
  /** One query's timeout on the instance. */
  queryTimeoutMs: number;
  /** How long a round waits for every instance's output. */
  roundTimeoutMs: number;
  deliveryTimeoutSeconds: number;
  /** How often a round reads the invocations while it waits. */
  pollMs?: number;
  time?: Time;
  log?: LineSink;
  /** Called with each round's cost (API calls, elapsed) for the benchmark and the run log. */
  onRound?(r: SsmRoundStats): void;
}

export interface SsmRoundStats {
  round: number;
  calls: { send: number; list: number; get: number; cancel: number };
  elapsedMs: number;
  instances: number;
  probeErrors: number;
}

interface Pending {
  inst: SsmProbeInstance;
  commandId: string;
}

export class SsmMonitor extends ResultHub implements ResultSource {
  private readonly time: Time;
  private readonly byVpc = new Map<string, SsmProbeTarget[]>();
  /** The names every instance asks for, in one order (the output refers to them by index). */
  private readonly probeNames: string[];
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;
  rounds = 0;

  constructor(private readonly opts: SsmMonitorOptions) {
    super(opts.log);
    this.time = opts.time ?? systemTime;
    const withInstance = new Set(opts.instances.map((i) => i.vpcId));
    for (const t of opts.targets) if (withInstance.has(t.vpcId)) this.byVpc.set(t.vpcId, [...(this.byVpc.get(t.vpcId) ?? []), t]);
    this.probeNames = [...new Set(opts.targets.map((t) => t.probeName))];
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  /** The answers that count as private for a pair. */
  expected(pair: { vpcId: string; name: string }): string[] {
    return [...(this.byVpc.get(pair.vpcId)?.find((t) => t.name === pair.name)?.expected ?? [])];
  }

  start(): void {
    if (this.loop) throw new Error('SSM monitor already started');
    if (!this.opts.instances.length || !this.probeNames.length) return;
    this.controller = new AbortController();
    setMaxListeners(0, this.controller.signal);
    this.loop = this.run(this.controller.signal);
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.controller!.abort(new Error('monitor stopped'));
    await this.loop;
    this.loop = undefined;
    this.opts.log?.flush();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.round(signal);
      } catch {
        break; // a round throws only when the monitor stops
      }
      try {
        await this.time.sleep(this.opts.intervalMs, signal);
      } catch {
        break;
      }
    }
  }

  /** One round: send, wait for every invocation (or the budget), publish. */
  async round(signal: AbortSignal): Promise<SsmRoundStats> {
    const o = this.opts;
    const started = this.time.now();
    const calls = { send: 0, list: 0, get: 0, cancel: 0 };
    let probeErrors = 0;
    const commands = probeCommands({ names: this.probeNames, count: o.queriesPerRound, intervalMs: o.intervalMs, timeoutMs: o.queryTimeoutMs, resolver: o.resolver });
    const names = this.probeNames;
    // The instance stops the shell after this long; the round waits a little longer for its report.
    const executionTimeoutSeconds = Math.max(30, Math.ceil(o.roundTimeoutMs / 1000));
    const fail = (inst: SsmProbeInstance, reason: string, commandId?: string): void => {
      probeErrors++;
      this.publishProbeError(inst, reason, started, commandId);
    };

    // Send: per account, 50 instances a command.
    const byAccount = new Map<string, SsmProbeInstance[]>();
    for (const i of o.instances) byAccount.set(i.account, [...(byAccount.get(i.account) ?? []), i]);
    const pending: Pending[] = [];
    await Promise.all(
      [...byAccount].flatMap(([account, insts]) =>
        chunks(insts, SEND_COMMAND_MAX_INSTANCES).map(async (batch) => {
          try {
            calls.send++;
            const commandId = await o.channel.send(account, batch.map((b) => b.instanceId), {
              commands,
              deliveryTimeoutSeconds: o.deliveryTimeoutSeconds,
              executionTimeoutSeconds,
              comment: 'r53migrate DNS probe',
              signal,
            });
            for (const inst of batch) pending.push({ inst, commandId });
          } catch (e) {
            if (signal.aborted) throw e;
            for (const inst of batch) fail(inst, `SendCommand failed: ${(e as Error).message}`);
          }
        }),
      ),
    );

    // Read until every invocation is final or the round's budget is spent.
    const deadline = started + o.roundTimeoutMs;
    const pollMs = o.pollMs ?? 1000;
    let open = pending;
    while (open.length && !signal.aborted) {
      await this.time.sleep(Math.max(0, Math.min(pollMs, deadline - this.time.now())), signal);
      const byCommand = groupBy(open, (p) => p.commandId);
      const still: Pending[] = [];
      await Promise.all(
        [...byCommand].map(async ([commandId, ps]) => {
          let invs: Invocation[];
          try {
            calls.list++;
            invs = await o.channel.invocations(ps[0]!.inst.account, commandId, signal);
          } catch (e) {
            if (signal.aborted) throw e;
            // Not readable now: try again next poll (the deadline still bounds the wait).
            still.push(...ps);
            return;
          }
          const byInstance = new Map(invs.map((i) => [i.instanceId, i]));
          for (const p of ps) {
            const inv = byInstance.get(p.inst.instanceId);
            if (!inv || !inv.final) {
              still.push(p);
              continue;
            }
            const problem = await this.publishInvocation(p, inv, names, started, calls, signal);
            if (problem) fail(p.inst, problem, p.commandId);
          }
        }),
      );
      open = still;
      if (this.time.now() >= deadline) break;
    }
    if (signal.aborted) throw signal.reason;

    // What did not finish in time is a probe error, and its command is cancelled (it would only pile up).
    if (open.length) {
      for (const p of open) fail(p.inst, `no result within ${Math.round(o.roundTimeoutMs / 1000)} s (the command was not delivered or did not finish; the SSM agent may be offline)`, p.commandId);
      await Promise.all(
        [...groupBy(open, (p) => p.commandId)].map(async ([commandId, ps]) => {
          calls.cancel++;
          await o.channel.cancel(ps[0]!.inst.account, commandId, ps.map((p) => p.inst.instanceId), signal).catch(() => undefined);
        }),
      );
    }
    this.rounds++;
    const stats: SsmRoundStats = { round: this.rounds, calls, elapsedMs: this.time.now() - started, instances: o.instances.length, probeErrors };
    o.onRound?.(stats);
    return stats;
  }

  /** Publishes an instance's answers; returns why its probe did not run, if it did not. */
  private async publishInvocation(p: Pending, inv: Invocation, names: string[], startedMs: number, calls: SsmRoundStats['calls'], signal: AbortSignal): Promise<string | undefined> {
    if (inv.status !== 'Success') {
      const details = inv.statusDetails && inv.statusDetails !== inv.status ? ` (${inv.statusDetails})` : '';
      const code = inv.responseCode !== undefined && inv.responseCode >= 0 ? `, exit code ${inv.responseCode}` : '';
      const said = inv.output.trim() ? `: ${firstLine(inv.output)}` : '';
      return `the command ended ${inv.status}${details}${code}${said}`;
    }
    let parsed = parseProbeOutput(inv.output, names);
    if (parsed.ok && !parsed.complete) {
      // Cut at 2,500 characters by ListCommandInvocations: the whole output, once.
      calls.get++;
      try {
        const full = await this.opts.channel.fullOutput(p.inst.account, p.commandId, p.inst.instanceId, signal);
        if (full !== undefined) parsed = parseProbeOutput(full, names);
      } catch (e) {
        if (signal.aborted) throw e;
        return `its whole output could not be read (GetCommandInvocation: ${(e as Error).message})`;
      }
    }
    if (!parsed.ok) return `its output did not parse: ${parsed.reason}`;
    if (!parsed.complete) return 'its output was cut short (more than GetCommandInvocation\'s 24,000 characters, or the shell was stopped): probe fewer names per round';
    const targets = this.byVpc.get(p.inst.vpcId) ?? [];
    const atMs = this.time.now();
    const via = { kind: 'ssm' as const, instanceId: p.inst.instanceId, commandId: p.commandId };
    for (const t of targets) {
      const answers = parsed.answers.filter((a) => a.name === t.probeName);
      if (!answers.length) {
        this.publish({ vpcId: t.vpcId, name: t.name, probeName: t.probeName, class: 'probe-error', answers: [], reason: 'the probe printed no answer for this name', latencyMs: 0, startedMs, atMs, via });
        continue;
      }
      for (const a of answers) {
        const c = classify(a.reply, t.expected);
        const reason = parsed.degraded && c.class !== 'ok' ? `${c.reason ?? c.class} (getent: no response code)` : c.reason;
        this.publish({
          vpcId: t.vpcId,
          name: t.name,
          probeName: t.probeName,
          class: c.class,
          answers: c.answers,
          ...(c.rcode !== undefined ? { rcode: c.rcode } : {}),
          ...(reason !== undefined ? { reason } : {}),
          latencyMs: c.latencyMs,
          startedMs,
          atMs,
          via,
        });
      }
    }
    return undefined;
  }

  private publishProbeError(inst: SsmProbeInstance, reason: string, startedMs: number, commandId: string | undefined): void {
    const see = commandId ? `; see why: ${this.opts.channel.inspectCommand(inst.account, commandId, inst.instanceId)}` : '';
    const atMs = this.time.now();
    for (const t of this.byVpc.get(inst.vpcId) ?? []) {
      this.publish({
        vpcId: t.vpcId,
        name: t.name,
        probeName: t.probeName,
        class: 'probe-error',
        answers: [],
        reason: `instance ${inst.instanceId}${commandId ? `, command ${commandId}` : ''}: ${reason}${see}`,
        latencyMs: 0,
        startedMs,
        atMs,
        ...(commandId ? { via: { kind: 'ssm' as const, instanceId: inst.instanceId, commandId } } : {}),
      });
    }
  }

}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) out.set(key(i), [...(out.get(key(i)) ?? []), i]);
  return out;
}

function firstLine(s: string): string {
  const line = s.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}
