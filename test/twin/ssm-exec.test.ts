// Run Command scripts really run (the sandbox enables it): local `sh` processes with the
// instance's VPC resolver in R53M_RESOLVER / R53M_PORT, killed at executionTimeout, output cut
// where AWS cuts it. Sources: shared/reference/aws-facts-2.md §1 ("facts"), models/ssm.service-2.json.
import { ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';
import { DEFAULT_SCENARIO } from '../../src/twin/scenario.js';
import { CommandRunner } from '../../src/twin/ssm-runner.js';
import { hasTool } from '../support/referees.js';
import { waitForInvocation } from './ssm-fixtures.js';

describe('Run Command scripts run as local processes in the sandbox', () => {
  let sb: Sandbox;
  let dir: string;
  let ssm: SSMClient;
  let spokes: SSMClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'r53m-ssm-exec-'));
    sb = await startSandbox({ ...DEFAULT_SCENARIO, vpcs: 3, accounts: 2, delayScale: 0.01, dir, host: '127.0.0.1', port: 0, rateLimits: 'off', probes: 'ssm' });
    const client = (i: number) =>
      new SSMClient({ endpoint: sb.info.endpointUrl, region: sb.info.region, credentials: { accessKeyId: sb.info.accounts[i]!.accessKeyId, secretAccessKey: sb.info.accounts[i]!.secretAccessKey }, maxAttempts: 1 });
    ssm = client(0);
    spokes = client(1);
  });
  afterAll(async () => {
    ssm?.destroy();
    spokes?.destroy();
    await sb?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const instanceOf = (vpcIndex: number) => sb.info.instances.find((i) => i.vpcId === sb.info.vpcs[vpcIndex]!.id)!;
  const run = async (vpcIndex: number, commands: string[], extra: Record<string, string[]> = {}) => {
    const inst = instanceOf(vpcIndex);
    const client = inst.accountId === sb.info.accounts[0]!.id ? ssm : spokes;
    const { Command } = await client.send(new SendCommandCommand({ InstanceIds: [inst.id], DocumentName: 'AWS-RunShellScript', Parameters: { commands, ...extra } }));
    return { client, inst, commandId: Command!.CommandId!, result: await waitForInvocation(client, Command!.CommandId!, inst.id) };
  };

  it('sandbox.json lists one probe instance per VPC, owned by the VPC\'s account; plan.yaml (--probes ssm) has probes.ssm.vpcs and no resolvers', async () => {
    const info = JSON.parse(await readFile(join(dir, 'sandbox.json'), 'utf8'));
    expect(info.instances).toHaveLength(3);
    for (const v of info.vpcs) expect(info.instances.filter((i: { vpcId: string; accountId: string }) => i.vpcId === v.id && i.accountId === v.accountId)).toHaveLength(1);
    expect(info.probes).toBe('ssm');
    const plan = parse(await readFile(join(dir, 'plan.yaml'), 'utf8'));
    expect(plan.probes.resolvers).toBeUndefined();
    expect(plan.probes.ssm).toEqual({ vpcs: Object.fromEntries(info.vpcs.map((v: { id: string }) => [v.id, info.instances.find((i: { vpcId: string }) => i.vpcId === v.id).id])) });
  });

  it('the commands lines run joined by newlines; R53M_RESOLVER / R53M_PORT are the loopback resolver of the instance\'s VPC; Success with ResponseCode 0', async () => {
    for (const v of [0, 2]) {
      const { result, inst } = await run(v, ['echo hi', 'echo "$R53M_RESOLVER:$R53M_PORT"', 'echo "$AWS_SSM_INSTANCE_ID"']);
      expect(result).toMatchObject({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0 });
      expect(result.StandardOutputContent).toBe(`hi\n${sb.info.vpcs[v]!.resolver}\n${inst.id}\n`);
      expect(result.ExecutionStartDateTime).not.toBe('');
      expect(result.ExecutionEndDateTime).not.toBe('');
    }
  });

  it.skipIf(!hasTool('dig'))('a script that asks its VPC\'s resolver with dig gets the twin\'s answer (the endpoint\'s ENI IPs through the self-managed zone)', async () => {
    const name = sb.info.names[0]!;
    const { result } = await run(1, [`dig +short +time=2 +tries=1 @"$R53M_RESOLVER" -p "$R53M_PORT" ${name.probeName} A | sort`]);
    expect(result.Status).toBe('Success');
    expect(result.StandardOutputContent!.trim().split('\n')).toEqual([...name.ips].sort());
  });

  it('a non-zero exit is Failed with that ResponseCode; stderr is StandardErrorContent [facts §1 "Success means only that the script exited with 0"]', async () => {
    const { result } = await run(0, ['echo oops >&2', 'exit 3']);
    expect(result).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3, StandardErrorContent: 'oops\n' });
  });

  it('executionTimeout kills a sleep: TimedOut "Execution Timed Out" [facts §1 AWS-RunShellScript executionTimeout]', async () => {
    const started = Date.now();
    const { result } = await run(0, ['sleep 30', 'echo never'], { executionTimeout: ['1'] });
    expect(result).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out' });
    expect(result.StandardOutputContent).toBe('');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('output is cut at 24,000 (GetCommandInvocation stdout), 8,000 (stderr) and 2,500 (ListCommandInvocations Details plugin Output) characters [model StandardOutputContent, StandardErrorContent, CommandPluginOutput]', async () => {
    const { result, client, commandId } = await run(0, ["printf '%030000d' 0", "printf '%09000d' 0 >&2"]);
    expect(result.Status).toBe('Success');
    expect(result.StandardOutputContent).toBe('0'.repeat(24_000));
    expect(result.StandardErrorContent).toBe('0'.repeat(8_000));
    const list = await client.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }));
    const plugin = list.CommandInvocations![0]!.CommandPlugins![0]!;
    expect(plugin).toMatchObject({ Name: 'aws:runShellScript', Status: 'Success', ResponseCode: 0 });
    expect(plugin.Output).toBe('0'.repeat(2_500));
  });

  it('SendCommand to an instance of another account is InvalidInstanceId, and nothing runs', async () => {
    const other = sb.info.instances.find((i) => i.accountId !== sb.info.accounts[0]!.id)!;
    const before = sb.server.twin.world.commands.length;
    await expect(ssm.send(new SendCommandCommand({ InstanceIds: [other.id], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['echo x'] } }))).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    expect(sb.server.twin.world.commands.length).toBe(before);
  });
});

describe('the command runner', () => {
  it('runs at most maxParallel scripts at once and queues the rest', async () => {
    const runner = new CommandRunner({ maxParallel: 2 });
    let peak = 0;
    const done: Promise<number | null>[] = [];
    for (let k = 0; k < 6; k++) {
      done.push(
        new Promise((resolve) => {
          runner.submit({ key: `k${k}`, script: 'sleep 0.2\necho ok\n', env: { PATH: process.env.PATH ?? '' }, timeoutMs: 10_000, done: (r) => resolve(r.exitCode) });
          peak = Math.max(peak, runner.active);
        }),
      );
    }
    const poll = setInterval(() => (peak = Math.max(peak, runner.active)), 20);
    const codes = await Promise.all(done);
    clearInterval(poll);
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    expect(peak).toBe(2);
    await runner.close();
  });

  it('close() kills running scripts (the whole process group) and reports them cancelled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r53m-runner-'));
    const runner = new CommandRunner({ maxParallel: 4 });
    const pidFile = join(dir, 'pid');
    const result = new Promise<{ cancelled: boolean }>((resolve) =>
      runner.submit({ key: 'long', script: `sleep 30 &\necho $! > ${pidFile}\nwait\n`, env: { PATH: process.env.PATH ?? '' }, timeoutMs: 60_000, done: resolve }),
    );
    let pid = 0;
    for (let i = 0; i < 100 && !pid; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()) || 0;
    }
    expect(pid).toBeGreaterThan(0);
    await runner.close();
    expect((await result).cancelled).toBe(true);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 40 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });
});
