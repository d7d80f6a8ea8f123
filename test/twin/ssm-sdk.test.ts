// SSM Run Command and EC2 DescribeInstances through the official v3 SDK clients against the twin.
// Each test is named after the AWS behaviour it encodes; sources: shared/reference/aws-facts-2.md
// §1 ("facts") and the botocore models ssm.service-2.json / ec2.service-2.json ("model").
import { DescribeInstancesCommand, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  paginateDescribeInstanceInformation,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import { parseFault, ssmFaults } from '../../src/twin/faults.js';
import { EXECUTION_OFF_DETAILS } from '../../src/twin/ops/ssm.js';
import { errorName } from '../support/moto.js';
import { startSsmTwin, type SsmTwin } from './ssm-fixtures.js';

const script = (lines: string[]) => ({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: lines } });

describe('EC2 DescribeInstances on the twin', () => {
  let t: SsmTwin;
  beforeAll(async () => {
    t = await startSsmTwin({ vpcs: 7, accounts: 2 });
  });
  afterAll(async () => t?.close());

  it('every scenario VPC has one running probe instance owned by its account, tagged Name=<vpc>-probe and r53migrate:probe=true', () => {
    expect(t.world.instances).toHaveLength(7);
    for (const vpc of t.world.vpcs) {
      const inst = t.world.instances.filter((i) => i.vpcId === vpc.id);
      expect(inst).toHaveLength(1);
      expect(inst[0]).toMatchObject({ ownerId: vpc.ownerId, state: 'running', tags: { Name: `${vpc.name}-probe`, 'r53migrate:probe': 'true' } });
      expect(inst[0]!.id).toMatch(/^i-[0-9a-f]{17}$/);
    }
  });

  it('Reservations[].Instances[] with State, VpcId, SubnetId, PrivateIpAddress, PlatformDetails "Linux/UNIX", IamInstanceProfile [model Reservation, Instance]', async () => {
    const id = t.instanceOf(0);
    const out = await t.ec2(0).send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(out.Reservations).toHaveLength(1);
    const r = out.Reservations![0]!;
    expect(r.ReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    expect(r.OwnerId).toBe(t.accounts[0]!.id);
    const i = r.Instances![0]!;
    expect(i).toMatchObject({
      InstanceId: id,
      State: { Code: 16, Name: 'running' },
      VpcId: t.world.vpcs[0]!.id,
      PlatformDetails: 'Linux/UNIX',
      IamInstanceProfile: { Arn: `arn:aws:iam::${t.accounts[0]!.id}:instance-profile/r53migrate-probe` },
    });
    expect(i.SubnetId).toMatch(/^subnet-/);
    expect(i.PrivateIpAddress).toMatch(/^10\./);
    expect(i.LaunchTime).toBeInstanceOf(Date);
    expect(i.Tags).toEqual(expect.arrayContaining([{ Key: 'Name', Value: 'shared-services-probe' }, { Key: 'r53migrate:probe', Value: 'true' }]));
  });

  it('filters vpc-id, instance-state-name, tag:<key>, tag-key, instance-id; values OR, filters AND [doc: EC2 filtering; facts §1]', async () => {
    const ec2 = t.ec2(1);
    const mine = t.world.instances.filter((i) => i.ownerId === t.accounts[1]!.id);
    const vpcId = mine[0]!.vpcId;
    const ids = async (Filters: { Name: string; Values: string[] }[]) =>
      (await ec2.send(new DescribeInstancesCommand({ Filters }))).Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId));
    expect(await ids([{ Name: 'vpc-id', Values: [vpcId] }])).toEqual([mine[0]!.id]);
    expect(await ids([{ Name: 'instance-state-name', Values: ['running'] }])).toEqual(mine.map((i) => i.id));
    expect(await ids([{ Name: 'instance-state-name', Values: ['stopped'] }])).toEqual([]);
    expect(await ids([{ Name: 'tag:r53migrate:probe', Values: ['true'] }])).toHaveLength(mine.length);
    expect(await ids([{ Name: 'tag-key', Values: ['r53migrate:probe'] }, { Name: 'vpc-id', Values: [vpcId, 'vpc-00000000000000000'] }])).toEqual([mine[0]!.id]);
    expect(await ids([{ Name: 'instance-id', Values: [mine[1]!.id] }])).toEqual([mine[1]!.id]);
    expect(await ids([{ Name: 'tag:Name', Values: ['spoke-*'] }])).toHaveLength(mine.length);
  });

  it('an account sees only its own instances: another account\'s id is InvalidInstanceID.NotFound [doc: EC2 resource visibility]', async () => {
    const other = t.world.instances.find((i) => i.ownerId === t.accounts[1]!.id)!.id;
    const all = (await t.ec2(0).send(new DescribeInstancesCommand({}))).Reservations!.flatMap((r) => r.Instances!);
    expect(all.every((i) => t.world.instances.find((w) => w.id === i.InstanceId)!.ownerId === t.accounts[0]!.id)).toBe(true);
    await expect(t.ec2(0).send(new DescribeInstancesCommand({ InstanceIds: [other] }))).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound' });
    expect(await errorName(t.ec2(0).send(new DescribeInstancesCommand({ InstanceIds: ['i-nothex'] })))).toBe('InvalidInstanceID.Malformed');
  });

  it('MaxResults pages through NextToken (5..1000) and cannot be combined with InstanceIds [model DescribeInstancesRequest.MaxResults; facts §1]', async () => {
    const world = t.world;
    // Six more instances for account 0, so it has more than one page of 5.
    const base = world.instances[0]!;
    for (let k = 0; k < 6; k++) world.instances.push({ ...base, id: `i-0000000000000000${k}`, tags: { Name: `extra-${k}` } });
    try {
      const pages = [];
      for await (const p of paginateDescribeInstances({ client: t.ec2(0), pageSize: 5 }, {})) pages.push(p);
      const mine = world.instances.filter((i) => i.ownerId === t.accounts[0]!.id).length;
      expect(pages.length).toBe(Math.ceil(mine / 5));
      expect(pages.flatMap((p) => p.Reservations!).length).toBe(mine);
      expect(await errorName(t.ec2(0).send(new DescribeInstancesCommand({ InstanceIds: [base.id], MaxResults: 5 })))).toBe('InvalidParameterCombination');
      expect(await errorName(t.ec2(0).send(new DescribeInstancesCommand({ MaxResults: 4 })))).toBe('InvalidParameterValue');
    } finally {
      world.instances = world.instances.filter((i) => !i.id.startsWith('i-0000000000000000'));
    }
  });
});

describe('SSM Run Command on the twin (no command execution)', () => {
  let t: SsmTwin;
  let ssm: SSMClient;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    t = await startSsmTwin({ vpcs: 4, accounts: 2, clock, delayScale: 1 });
    ssm = t.ssm(0);
  });
  afterEach(async () => {
    await fetch(`${t.url}/_twin/faults`, { method: 'DELETE' });
  });
  afterAll(async () => t?.close());

  const send = (instanceIds: string[], extra: Record<string, unknown> = {}, c: SSMClient = ssm) =>
    c.send(new SendCommandCommand({ InstanceIds: instanceIds, ...script(['echo hi']), ...extra }));
  const invocation = (commandId: string, instanceId: string) => ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
  const addFault = async (spec: object) => (await (await fetch(`${t.url}/_twin/faults`, { method: 'POST', body: JSON.stringify(spec) })).json()) as { id: string }[];

  it('DescribeInstanceInformation: the caller\'s managed nodes, PingStatus Online, PlatformType Linux, ResourceType EC2Instance [model InstanceInformation; facts §1]', async () => {
    const out = await ssm.send(new DescribeInstanceInformationCommand({}));
    const mine = t.world.instances.filter((i) => i.ownerId === t.accounts[0]!.id).map((i) => i.id);
    expect(out.InstanceInformationList!.map((i) => i.InstanceId).sort()).toEqual([...mine].sort());
    expect(out.InstanceInformationList![0]).toMatchObject({ PingStatus: 'Online', PlatformType: 'Linux', ResourceType: 'EC2Instance', AgentVersion: expect.any(String) });
    expect(out.InstanceInformationList![0]!.LastPingDateTime).toBeInstanceOf(Date);
  });

  it('DescribeInstanceInformation filters: InstanceIds (both forms), PingStatus, tag:<key>; tag filters do not combine with others [facts §1]', async () => {
    const id = t.instanceOf(0);
    const a = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
    const b = await ssm.send(new DescribeInstanceInformationCommand({ InstanceInformationFilterList: [{ key: 'InstanceIds', valueSet: [id] }] }));
    expect(a.InstanceInformationList!.map((i) => i.InstanceId)).toEqual([id]);
    expect(b.InstanceInformationList!.map((i) => i.InstanceId)).toEqual([id]);
    const tagged = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'tag:Name', Values: ['shared-services-probe'] }] }));
    expect(tagged.InstanceInformationList!.map((i) => i.InstanceId)).toEqual([id]);
    const lost = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'PingStatus', Values: ['ConnectionLost'] }] }));
    expect(lost.InstanceInformationList).toEqual([]);
    expect(await errorName(ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'tag:Name', Values: ['x'] }, { Key: 'PingStatus', Values: ['Online'] }] })))).toBe('InvalidFilter');
    expect(await errorName(ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'Colour', Values: ['x'] }] })))).toBe('InvalidFilterKey');
    expect(await errorName(ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 4 })))).toBe('ValidationException');
  });

  it('DescribeInstanceInformation pages with MaxResults 5..50 and NextToken [facts §1 MaxResultsEC2Compatible; ssm.paginators-1.json]', async () => {
    const base = t.world.instances[0]!;
    for (let k = 0; k < 7; k++) t.world.instances.push({ ...base, id: `i-0000000000000001${k}` });
    try {
      const pages = [];
      for await (const p of paginateDescribeInstanceInformation({ client: ssm, pageSize: 5 }, {})) pages.push(p);
      const mine = t.world.instances.filter((i) => i.ownerId === t.accounts[0]!.id).length;
      expect(pages.flatMap((p) => p.InstanceInformationList!)).toHaveLength(mine);
      expect(pages[0]!.InstanceInformationList).toHaveLength(5);
      expect(await errorName(ssm.send(new DescribeInstanceInformationCommand({ NextToken: 'garbage' })))).toBe('InvalidNextToken');
    } finally {
      t.world.instances = t.world.instances.filter((i) => !i.id.startsWith('i-0000000000000001'));
    }
  });

  it('SendCommand: Pending, then GetCommandInvocation says InvocationDoesNotExist for a short window (eventual consistency) [facts §1; model GetCommandInvocation errors]', async () => {
    const id = t.instanceOf(0);
    const out = await send([id], { Comment: 'probe', TimeoutSeconds: 60 });
    expect(out.Command).toMatchObject({ DocumentName: 'AWS-RunShellScript', Status: 'Pending', InstanceIds: [id], Comment: 'probe', TimeoutSeconds: 60, MaxConcurrency: '50', MaxErrors: '0', TargetCount: 1 });
    expect(out.Command!.CommandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Command!.Parameters).toEqual({ commands: ['echo hi'] });
    await expect(invocation(out.Command!.CommandId!, id)).rejects.toMatchObject({ name: 'InvocationDoesNotExist' });
    clock.advance(t.world.delays.ssmConsistencyMs);
    const pending = await invocation(out.Command!.CommandId!, id);
    expect(pending).toMatchObject({ Status: 'Pending', StatusDetails: 'Pending', ResponseCode: -1, StandardOutputContent: '', ExecutionStartDateTime: '' });
  });

  it('a twin started without command execution spawns nothing: the invocation ends Failed with StatusDetails saying so', async () => {
    const id = t.instanceOf(0);
    const { Command } = await send([id]);
    clock.advance(t.world.delays.ssmDeliveryMs);
    const inv = await invocation(Command!.CommandId!, id);
    expect(t.twin.commandExecutionEnabled).toBe(false);
    expect(inv).toMatchObject({ Status: 'Failed', StatusDetails: EXECUTION_OFF_DETAILS, StandardOutputContent: '' });
    expect(inv.StandardErrorContent).toMatch(/without command execution/);
  });

  it('SendCommand refuses: more than 50 InstanceIds, TimeoutSeconds below 30, an unknown document, missing commands [model InstanceIdList max 50, TimeoutSeconds 30..2592000; facts §1]', async () => {
    const id = t.instanceOf(0);
    const many = Array.from({ length: 51 }, (_, k) => `i-${k.toString(16).padStart(17, '0')}`);
    expect(await errorName(send(many))).toBe('ValidationException');
    expect(await errorName(send([id], { TimeoutSeconds: 29 }))).toBe('ValidationException');
    expect(await errorName(send([id], { TimeoutSeconds: 2_592_001 }))).toBe('ValidationException');
    expect(await errorName(ssm.send(new SendCommandCommand({ InstanceIds: [id], DocumentName: 'AWS-RunPowerShellScript', Parameters: { commands: ['x'] } })))).toBe('InvalidDocument');
    expect(await errorName(ssm.send(new SendCommandCommand({ InstanceIds: [id], DocumentName: 'AWS-RunShellScript', Parameters: {} })))).toBe('InvalidParameters');
    expect(await errorName(send([id], { Parameters: { commands: ['x'], executionTimeout: ['172801'] } }))).toBe('InvalidParameters');
    expect(await errorName(send([id, id]))).toBe('DuplicateInstanceId');
  });

  it('SendCommand to another account\'s instance, a stopped one or an unmanaged one is InvalidInstanceId "not in a valid state for account" [model InvalidInstanceId doc]', async () => {
    const other = t.world.instances.find((i) => i.ownerId === t.accounts[1]!.id)!;
    const err = await send([other.id]).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'InvalidInstanceId', message: `Instances [[${other.id}]] not in a valid state for account ${t.accounts[0]!.id}` });
    const own = t.world.instances.find((i) => i.id === t.instanceOf(0))!;
    own.state = 'stopped';
    try {
      expect(await errorName(send([own.id]))).toBe('InvalidInstanceId');
      const info = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [own.id] }] }));
      expect(info.InstanceInformationList).toEqual([]); // stopped nodes are never returned [facts §1]
    } finally {
      own.state = 'running';
    }
    const agent = own.ssmAgent;
    delete own.ssmAgent;
    try {
      expect(await errorName(send([own.id]))).toBe('InvalidInstanceId');
    } finally {
      own.ssmAgent = agent;
    }
  });

  it('ssm-agent-offline: PingStatus ConnectionLost; a command stays Pending, then TimedOut "Delivery Timed Out" at TimeoutSeconds; cleared, the agent is Online again [facts §1 TimeoutSeconds, StatusDetails]', async () => {
    const id = t.instanceOf(0);
    const [fault] = await addFault(ssmFaults.agentOffline(id));
    const info = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
    expect(info.InstanceInformationList![0]!.PingStatus).toBe('ConnectionLost');
    const { Command } = await send([id], { TimeoutSeconds: 30 });
    clock.advance(29_000);
    expect(await invocation(Command!.CommandId!, id)).toMatchObject({ Status: 'Pending', StatusDetails: 'Pending' });
    clock.advance(1_000);
    expect(await invocation(Command!.CommandId!, id)).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', ResponseCode: -1 });
    const listed = await ssm.send(new ListCommandsCommand({ CommandId: Command!.CommandId! }));
    expect(listed.Commands![0]).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', DeliveryTimedOutCount: 1, CompletedCount: 1 });
    await fetch(`${t.url}/_twin/faults/${fault!.id}`, { method: 'DELETE' });
    const back = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
    expect(back.InstanceInformationList![0]!.PingStatus).toBe('Online');
  });

  it('an agent that comes back before TimeoutSeconds picks the Pending command up', async () => {
    const id = t.instanceOf(0);
    const [fault] = await addFault(ssmFaults.agentOffline(id));
    const { Command } = await send([id], { TimeoutSeconds: 30 });
    clock.advance(10_000);
    expect((await invocation(Command!.CommandId!, id)).Status).toBe('Pending');
    await fetch(`${t.url}/_twin/faults/${fault!.id}`, { method: 'DELETE' });
    // Picked up; this twin runs nothing, so it ends Failed at once (not Delivery Timed Out).
    expect(await invocation(Command!.CommandId!, id)).toMatchObject({ Status: 'Failed', StatusDetails: EXECUTION_OFF_DETAILS });
  });

  it('an instance terminated before delivery: the invocation is Failed "Undeliverable" [facts §1 StatusDetails]', async () => {
    const id = t.instanceOf(2);
    const owner = t.world.instances.find((i) => i.id === id)!;
    const client = owner.ownerId === t.accounts[0]!.id ? ssm : t.ssm(1);
    const { Command } = await send([id], {}, client);
    owner.state = 'terminated';
    try {
      clock.advance(t.world.delays.ssmDeliveryMs);
      const inv = await client.send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId!, InstanceId: id }));
      expect(inv).toMatchObject({ Status: 'Failed', StatusDetails: 'Undeliverable' });
    } finally {
      owner.state = 'running';
    }
  });

  it('GetCommandInvocation: a malformed CommandId is a ValidationException, a non-UUID one InvalidCommandId, an unknown plugin InvalidPluginName, another account\'s command InvocationDoesNotExist [model GetCommandInvocation errors]', async () => {
    const id = t.instanceOf(0);
    const { Command } = await send([id]);
    clock.advance(t.world.delays.ssmConsistencyMs);
    expect(await errorName(invocation('short', id))).toBe('ValidationException');
    expect(await errorName(invocation('zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', id))).toBe('InvalidCommandId');
    expect(await errorName(ssm.send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId!, InstanceId: id, PluginName: 'aws:runPowerShellScript' })))).toBe('InvalidPluginName');
    expect((await ssm.send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId!, InstanceId: id, PluginName: 'aws:runShellScript' }))).PluginName).toBe('aws:runShellScript');
    expect(await errorName(t.ssm(1).send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId!, InstanceId: id })))).toBe('InvocationDoesNotExist');
  });

  it('ssm-command-fail: the invocation ends Failed with ResponseCode 1 and no output', async () => {
    const id = t.instanceOf(0);
    await addFault(ssmFaults.commandFails(id, 1));
    const { Command } = await send([id]);
    clock.advance(t.world.delays.ssmDeliveryMs);
    expect(await invocation(Command!.CommandId!, id)).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 1, StandardOutputContent: '', StandardErrorContent: '' });
    const faults = (await (await fetch(`${t.url}/_twin/faults`)).json()) as unknown[];
    expect(faults).toEqual([]); // count 1: used up
  });

  it('throttling of SSM like other services: ThrottlingException (a throttle fault, or the rate limits) [facts §1 "Treat ThrottlingException as expected"]', async () => {
    await addFault(ssmFaults.throttle('SendCommand', 1));
    const err = await send([t.instanceOf(0)]).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect(err).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(t.twin.log.at(-1)).toMatchObject({ service: 'ssm', operation: 'SendCommand', outcome: 'throttled' });
  });

  it('CancelCommand: a Pending invocation is Cancelled; ListCommandInvocations without Details has empty CommandPlugins [model CancelCommand, ListCommandInvocationsRequest.Details]', async () => {
    const id = t.instanceOf(0);
    const { Command } = await send([id]);
    await ssm.send(new CancelCommandCommand({ CommandId: Command!.CommandId! }));
    const list = await ssm.send(new ListCommandInvocationsCommand({ CommandId: Command!.CommandId! }));
    expect(list.CommandInvocations).toHaveLength(1);
    expect(list.CommandInvocations![0]).toMatchObject({ Status: 'Cancelled', InstanceId: id, InstanceName: 'shared-services-probe', CommandPlugins: [] });
    expect(await errorName(ssm.send(new CancelCommandCommand({ CommandId: '00000000-0000-4000-a000-000000000000' })))).toBe('InvalidCommandId');
  });

  it('ListCommandInvocations pages with MaxResults 1..50 [facts §1 CommandMaxResults]', async () => {
    // Account 1 holds every spoke (three instances).
    const spokes = t.ssm(1);
    const ids = t.world.instances.filter((i) => i.ownerId === t.accounts[1]!.id).map((i) => i.id);
    expect(ids.length).toBeGreaterThan(1);
    const { Command } = await send(ids, {}, spokes);
    const first = await spokes.send(new ListCommandInvocationsCommand({ CommandId: Command!.CommandId!, MaxResults: 1 }));
    expect(first.CommandInvocations).toHaveLength(1);
    expect(first.NextToken).toBeDefined();
    const second = await spokes.send(new ListCommandInvocationsCommand({ CommandId: Command!.CommandId!, MaxResults: 50, NextToken: first.NextToken }));
    expect(second.CommandInvocations).toHaveLength(ids.length - 1);
    expect(await errorName(ssm.send(new ListCommandInvocationsCommand({ MaxResults: 51 })))).toBe('ValidationException');
  });

  it('the request log records SSM calls with service ssm and SendCommand as mutating', () => {
    const sends = t.twin.log.filter((e) => e.operation === 'SendCommand' && e.outcome === 'ok');
    expect(sends.length).toBeGreaterThan(0);
    expect(sends.every((e) => e.service === 'ssm' && e.mutating)).toBe(true);
  });
});

describe('SSM faults: the /_twin/faults parser', () => {
  it('takes ssm-agent-offline with an instance id and no count, ssm-command-fail with optional instanceId/count, throttle on service ssm', () => {
    expect(parseFault({ kind: 'ssm-agent-offline', instanceId: 'i-0123456789abcdef0' })).toEqual({ kind: 'ssm-agent-offline', instanceId: 'i-0123456789abcdef0' });
    expect(parseFault({ kind: 'ssm-agent-offline' })).toMatch(/needs instanceId/);
    expect(parseFault({ kind: 'ssm-agent-offline', instanceId: 'i-0123456789abcdef0', count: 1 })).toMatch(/takes no count/);
    expect(parseFault({ kind: 'ssm-command-fail' })).toEqual({ kind: 'ssm-command-fail' });
    expect(parseFault({ kind: 'ssm-command-fail', instanceId: 'bad' })).toMatch(/instanceId/);
    expect(parseFault({ kind: 'ssm-command-fail', instanceId: 'i-0123456789abcdef0', count: 0 })).toMatch(/count/);
    expect(parseFault(ssmFaults.throttle('SendCommand', 2))).toEqual({ kind: 'throttle', service: 'ssm', operation: 'SendCommand', count: 2 });
  });
});
