// The SSM probe monitor against a scripted Run Command channel: how a round batches instances,
// turns the probe program's output into results, and tells a probe that did not run (probe-error,
// nothing about DNS) from a wrong DNS answer. The real channel against the twin is in
// test/e2e/ssm-probes.test.ts.
import { describe, expect, it } from 'vitest';
import type { Invocation, RunCommandChannel, SendOptions } from '../../src/aws/ssm-run-command.js';
import { awaitGate } from '../../src/probes/gate.js';
import type { PairResult } from '../../src/probes/health.js';
import { MemoryLog } from '../../src/probes/ndjson-log.js';
import { SsmMonitor, type SsmProbeInstance, type SsmProbeTarget } from '../../src/probes/ssm-monitor.js';

const NAMES = ['lambda.us-east-1.amazonaws.com', 'r53migrate-probe.s3.us-east-1.amazonaws.com'];
const ENDPOINT_IPS = ['10.0.1.5', '10.0.2.5'];

/** What the probe program prints when every query got `answers` (R53M1 format). */
function output(answers: (name: string) => { rcode: string; ips: string[] }, count = 2): string {
  const lines = [`R53M1 begin mode=python3 resolver=169.254.169.253:53 t=${Date.now()}`];
  for (let pass = 0; pass < count; pass++) {
    NAMES.forEach((n, i) => {
      const a = answers(n);
      lines.push(`${i} ${pass * 10} ${a.rcode} 2 ${a.ips.length ? a.ips.join(',') : '-'}`);
    });
  }
  lines.push(`R53M1 end n=${count * NAMES.length}`, '');
  return lines.join('\n');
}

const privateAnswer = () => ({ rcode: 'NOERROR', ips: ENDPOINT_IPS });

type Behaviour = (instanceId: string, poll: number) => Partial<Invocation> | 'not-yet';

/** A channel whose invocations follow a script per instance; records every call. */
class ScriptedChannel implements RunCommandChannel {
  sends: { account: string; instanceIds: string[]; opts: SendOptions }[] = [];
  lists = 0;
  gets: string[] = [];
  cancels: { commandId: string; instanceIds: string[] }[] = [];
  private polls = new Map<string, number>();
  full = new Map<string, string>();
  constructor(private readonly behaviour: Behaviour) {}

  async send(account: string, instanceIds: string[], opts: SendOptions): Promise<string> {
    this.sends.push({ account, instanceIds, opts });
    return `cmd-${this.sends.length}`;
  }
  async invocations(_account: string, commandId: string): Promise<Invocation[]> {
    this.lists++;
    const send = this.sends[Number(commandId.slice(4)) - 1]!;
    const n = (this.polls.get(commandId) ?? 0) + 1;
    this.polls.set(commandId, n);
    return send.instanceIds.flatMap((instanceId): Invocation[] => {
      const b = this.behaviour(instanceId, n);
      if (b === 'not-yet') return [{ instanceId, status: 'InProgress', statusDetails: 'InProgress', final: false, output: '' }];
      return [{ instanceId, status: 'Success', statusDetails: 'Success', final: true, output: '', responseCode: 0, ...b }];
    });
  }
  async fullOutput(_account: string, _commandId: string, instanceId: string): Promise<string | undefined> {
    this.gets.push(instanceId);
    return this.full.get(instanceId);
  }
  async cancel(_account: string, commandId: string, instanceIds: string[]): Promise<void> {
    this.cancels.push({ commandId, instanceIds });
  }
  inspectCommand(account: string, commandId: string, instanceId: string): string {
    return `aws ssm get-command-invocation --command-id ${commandId} --instance-id ${instanceId} (as ${account})`;
  }
}

function estate(n: number, accounts = ['shared']): { instances: SsmProbeInstance[]; targets: SsmProbeTarget[] } {
  const instances = Array.from({ length: n }, (_, i) => ({ vpcId: `vpc-${String(i).padStart(8, '0')}`, account: accounts[i % accounts.length]!, instanceId: `i-${String(i).padStart(17, '0')}` }));
  const targets = instances.flatMap((i) => NAMES.map((name) => ({ vpcId: i.vpcId, name, probeName: name, expected: ENDPOINT_IPS })));
  return { instances, targets };
}

function monitor(channel: RunCommandChannel, n: number, extra: { accounts?: string[]; roundTimeoutMs?: number; log?: MemoryLog } = {}) {
  const { instances, targets } = estate(n, extra.accounts);
  const m = new SsmMonitor({
    channel,
    instances,
    targets,
    resolver: '169.254.169.253',
    queriesPerRound: 2,
    intervalMs: 10,
    queryTimeoutMs: 1000,
    roundTimeoutMs: extra.roundTimeoutMs ?? 2_000,
    deliveryTimeoutSeconds: 30,
    pollMs: 5,
    ...(extra.log ? { log: extra.log } : {}),
  });
  const results: PairResult[] = [];
  m.subscribe((r) => results.push(r));
  return { m, results, instances };
}

describe('SSM probe rounds', () => {
  it('sends at most 50 instances per SendCommand (the API limit), per account, and publishes one result per answer', async () => {
    const channel = new ScriptedChannel(() => ({ output: output(privateAnswer) }));
    const { m, results } = monitor(channel, 120, { accounts: ['a', 'b'] });
    const stats = await m.round(new AbortController().signal);
    expect(channel.sends.every((s) => s.instanceIds.length <= 50)).toBe(true);
    expect(channel.sends.map((s) => [s.account, s.instanceIds.length]).sort()).toEqual([['a', 10], ['a', 50], ['b', 10], ['b', 50]]);
    expect(new Set(channel.sends.flatMap((s) => s.instanceIds)).size).toBe(120);
    // AWS-RunShellScript's parameters carry the probe program, the names and a delivery timeout.
    expect(channel.sends[0]!.opts.commands.join('\n')).toContain(`R53M_NAMES='${NAMES.join(' ')}'`);
    expect(channel.sends[0]!.opts.deliveryTimeoutSeconds).toBe(30);
    expect(results).toHaveLength(120 * NAMES.length * 2);
    expect(results.every((r) => r.class === 'ok' && r.via?.kind === 'ssm')).toBe(true);
    expect(stats.calls.send).toBe(4);
    expect(stats.probeErrors).toBe(0);
  });

  it('a public answer is a wrong DNS answer (not a probe error), with the instance and command in the evidence', async () => {
    const log = new MemoryLog();
    const channel = new ScriptedChannel((id) => ({ output: output(() => (id.endsWith('1') ? { rcode: 'NOERROR', ips: ['52.1.2.3'] } : privateAnswer())) }));
    const { m, results } = monitor(channel, 2, { log });
    await m.round(new AbortController().signal);
    const bad = results.filter((r) => r.vpcId === 'vpc-00000001');
    expect(bad.every((r) => r.class === 'public')).toBe(true);
    expect(m.health({ vpcId: 'vpc-00000001', name: NAMES[0]! })!.consecutiveNonOk).toBe(2);
    const line = (log.records as Record<string, unknown>[]).find((l) => l.vpc === 'vpc-00000001');
    expect(line).toMatchObject({ via: 'ssm', instance: 'i-00000000000000001', commandId: 'cmd-1', class: 'public' });
  });

  it('a command that did not run (Failed, DeliveryTimedOut, Undeliverable) is a probe error for its VPC only, naming the instance, the command and how to see why', async () => {
    const channel = new ScriptedChannel((id) =>
      id.endsWith('1') ? { status: 'TimedOut', statusDetails: 'DeliveryTimedOut', output: '', responseCode: -1 } : id.endsWith('2') ? { status: 'Failed', statusDetails: 'Undeliverable', output: '' } : { output: output(privateAnswer) },
    );
    const { m, results } = monitor(channel, 3);
    const stats = await m.round(new AbortController().signal);
    const errors = results.filter((r) => r.class === 'probe-error');
    expect(new Set(errors.map((r) => r.vpcId))).toEqual(new Set(['vpc-00000001', 'vpc-00000002']));
    expect(stats.probeErrors).toBe(2);
    const reason = errors.find((r) => r.vpcId === 'vpc-00000001')!.reason!;
    expect(reason).toContain('i-00000000000000001');
    expect(reason).toContain('DeliveryTimedOut');
    expect(reason).toContain('aws ssm get-command-invocation --command-id cmd-1 --instance-id i-00000000000000001');
    // A probe error is not a DNS failure: the DNS streak does not move.
    const h = m.health({ vpcId: 'vpc-00000001', name: NAMES[0]! })!;
    expect(h).toMatchObject({ consecutiveNonOk: 0, consecutiveProbeErrors: 1, consecutiveOk: 0 });
    expect(results.filter((r) => r.vpcId === 'vpc-00000000').every((r) => r.class === 'ok')).toBe(true);
  });

  it('an output cut at 2,500 characters by ListCommandInvocations is read whole with GetCommandInvocation', async () => {
    const whole = output(privateAnswer, 40);
    expect(whole.length).toBeGreaterThan(2500);
    const cut = `${whole.slice(0, 2500)}\n---Output truncated---`;
    const channel = new ScriptedChannel(() => ({ output: cut }));
    channel.full.set('i-00000000000000000', whole);
    const { m, results } = monitor(channel, 1);
    await m.round(new AbortController().signal);
    expect(channel.gets).toEqual(['i-00000000000000000']);
    expect(results).toHaveLength(40 * NAMES.length);
    expect(results.every((r) => r.class === 'ok')).toBe(true);
  });

  it('output that does not parse is a probe error, not an answer', async () => {
    const channel = new ScriptedChannel(() => ({ output: 'R53M1 begin mode=dig resolver=169.254.169.253:53 t=1\nsegmentation fault\nR53M1 end n=0\n' }));
    const { m, results } = monitor(channel, 1);
    await m.round(new AbortController().signal);
    expect(results.map((r) => r.class)).toEqual(['probe-error', 'probe-error']);
    expect(results[0]!.reason).toContain('did not parse');
  });

  it('an instance whose command never finishes is a probe error at the round budget, and the command is cancelled', async () => {
    const channel = new ScriptedChannel((id) => (id.endsWith('1') ? 'not-yet' : { output: output(privateAnswer) }));
    const { m, results } = monitor(channel, 2, { roundTimeoutMs: 200 });
    await m.round(new AbortController().signal);
    const stuck = results.filter((r) => r.vpcId === 'vpc-00000001');
    expect(stuck.map((r) => r.class)).toEqual(['probe-error', 'probe-error']);
    expect(stuck[0]!.reason).toContain('no result within');
    expect(channel.cancels).toEqual([{ commandId: 'cmd-1', instanceIds: ['i-00000000000000001'] }]);
  });

  it('a gate halts on probes that did not run as a probe failure (cause probe), and on wrong answers as a DNS failure (cause dns)', async () => {
    let broken: 'probe' | 'dns' = 'probe';
    const channel = new ScriptedChannel((id) =>
      id.endsWith('1') ? (broken === 'probe' ? { status: 'Failed', statusDetails: 'Failed', output: '', responseCode: 1 } : { output: output(() => ({ rcode: 'NXDOMAIN', ips: [] })) }) : { output: output(privateAnswer) },
    );
    for (const kind of ['probe', 'dns'] as const) {
      broken = kind;
      const { m, instances } = monitor(channel, 2);
      const pairs = instances.flatMap((i) => NAMES.map((name) => ({ vpcId: i.vpcId, name })));
      const gate = awaitGate(m, { pass: { pairs, consecutiveOk: 2, sinceMs: 0 }, halt: { pairs, consecutiveNonOk: 2, consecutiveProbeErrors: 3 }, deadlineMs: Date.now() + 20_000 });
      m.start();
      const verdict = await gate;
      await m.stop();
      expect(verdict.verdict).toBe('halt');
      expect(verdict.cause).toBe(kind);
      expect(verdict.pairs.every((p) => p.vpcId === 'vpc-00000001')).toBe(true);
      if (kind === 'probe') {
        expect(m.rounds).toBeGreaterThanOrEqual(2); // three failed rounds, not one
        expect(verdict.reason).toContain('not a DNS answer');
      }
    }
  });
});
