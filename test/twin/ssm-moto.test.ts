// Differential test: the same instance and Run Command calls against moto_server (moto 5.2) and
// the twin, read through @aws-sdk/client-ssm and client-ec2. Parsed shapes (field presence and
// types) must agree; every deliberate difference is asserted here with the reason.
import { CreateSubnetCommand, CreateVpcCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyWorld, type World } from '../../src/twin/world.js';
import { compareShapes, errorName, startMoto, type MotoServer } from '../support/moto.js';
import { referee } from '../support/referees.js';
import { startSsmTwin, waitForInvocation, type SsmTwin } from './ssm-fixtures.js';

const available = referee('moto_server', 'moto differential (SSM Run Command, EC2 instances)');
const MOTO_ACCOUNT = '123456789012';
const REGION = 'us-east-1';

describe.skipIf(!available)('SSM Run Command and EC2 instances: twin vs moto_server', () => {
  let moto: MotoServer | undefined;
  let twin: SsmTwin;
  let motoEc2: EC2Client;
  let motoSsm: SSMClient;
  let twinEc2: EC2Client;
  let twinSsm: SSMClient;
  let instanceId = '';

  beforeAll(async () => {
    moto = await startMoto();
    const conf = { endpoint: moto.url, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 };
    motoEc2 = new EC2Client(conf);
    motoSsm = new SSMClient(conf);
    const vpc = await motoEc2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const subnet = await motoEc2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: '10.0.1.0/24', AvailabilityZone: `${REGION}a` }));
    const run = await motoEc2.send(
      new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1, SubnetId: subnet.Subnet!.SubnetId!, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'probe' }] }] }),
    );
    const m = run.Instances![0]!;
    instanceId = m.InstanceId!;

    // The same instance built by hand in the twin, with moto's ids, as a managed node.
    const world: World = emptyWorld(REGION, 'moto-ssm-diff', { ...emptyWorld(REGION, 'x').delays, ssmDeliveryMs: 20, ssmConsistencyMs: 0 });
    world.accounts.push({ id: MOTO_ACCOUNT, name: 'moto', accessKeyId: 'AKIAMOTODIFF00000002', secretAccessKey: 'm'.repeat(40) });
    world.vpcs.push({ id: vpc.Vpc!.VpcId!, ownerId: MOTO_ACCOUNT, region: REGION, cidr: '10.0.0.0/16', name: 'moto' });
    world.instances.push({
      id: instanceId,
      ownerId: MOTO_ACCOUNT,
      vpcId: vpc.Vpc!.VpcId!,
      subnetId: subnet.Subnet!.SubnetId!,
      availabilityZone: `${REGION}a`,
      privateIp: m.PrivateIpAddress!,
      state: 'running',
      imageId: 'ami-12345678',
      instanceType: m.InstanceType!,
      launchTime: m.LaunchTime!.getTime(),
      tags: { Name: 'probe' },
      ssmAgent: { agentVersion: '3.3.1142.0', platformName: 'Amazon Linux', platformVersion: '2023', registeredAt: m.LaunchTime!.getTime() },
    });
    twin = await startSsmTwin({ world, commandExecution: { resolverFor: () => undefined } });
    twinEc2 = twin.ec2(0);
    twinSsm = twin.ssm(0);
  });

  afterAll(async () => {
    motoEc2?.destroy();
    motoSsm?.destroy();
    await twin?.close();
    await moto?.stop();
  });

  it('DescribeInstances: same Instance fields and types where both have them [model Instance]', async () => {
    const [t, m] = await Promise.all([
      twinEc2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })),
      motoEc2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })),
    ]);
    const ti = t.Reservations![0]!.Instances![0]!;
    const mi = m.Reservations![0]!.Instances![0]!;
    const diff = compareShapes(ti, mi);
    expect({ InstanceId: ti.InstanceId, State: ti.State, VpcId: ti.VpcId, SubnetId: ti.SubnetId, PrivateIpAddress: ti.PrivateIpAddress }).toEqual({
      InstanceId: mi.InstanceId,
      State: mi.State,
      VpcId: mi.VpcId,
      SubnetId: mi.SubnetId,
      PrivateIpAddress: mi.PrivateIpAddress,
    });
    // Deliberate: the twin reports PlatformDetails / UsageOperation (the model has them and AWS
    // fills them for every instance); moto leaves them out. The twin models no ENIs, kernels,
    // metadata or hibernation options of instances (nothing in r53migrate reads them).
    expect(diff.extraInTwin).toEqual(expect.arrayContaining(['PlatformDetails', 'UsageOperation']));
    for (const k of diff.missingInTwin) expect(['NetworkInterfaces', 'KernelId', 'MetadataOptions', 'HibernationOptions', 'SriovNetSupport', 'StateReason', 'SecurityGroups', 'StateTransitionReason']).toContain(k);
  });

  it('DescribeInstances errors agree: unknown id NotFound, MaxResults with InstanceIds refused [facts §1]', async () => {
    for (const input of [{ InstanceIds: ['i-0fffffffffffffff0'] }, { InstanceIds: [instanceId], MaxResults: 5 }]) {
      const [t, m] = await Promise.all([errorName(twinEc2.send(new DescribeInstancesCommand(input))), errorName(motoEc2.send(new DescribeInstancesCommand(input)))]);
      expect(t).toBe(m);
    }
  });

  it('SendCommand: same Command fields and types; moto reports Success at once, the twin Pending (it really runs the script) [model Command]', async () => {
    const input = { InstanceIds: [instanceId], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['echo hi'] } };
    const [t, m] = await Promise.all([twinSsm.send(new SendCommandCommand(input)), motoSsm.send(new SendCommandCommand(input))]);
    const diff = compareShapes(t.Command!, m.Command!);
    expect(diff.missingInTwin).toEqual([]);
    // Deliberate: the twin also writes CloudWatchOutputConfig (AWS returns it, moto doesn't).
    expect(diff.extraInTwin).toContain('CloudWatchOutputConfig');
    expect(t.Command!.Status).toBe('Pending');
    expect(m.Command!.Status).toBe('Success'); // moto doesn't run commands
    // moto counts a target twice (TargetCount 2 for one instance); the twin one per instance.
    expect(t.Command!.TargetCount).toBe(1);
    expect(t.Command!.Parameters).toEqual(m.Command!.Parameters);
  });

  it('GetCommandInvocation: same fields and types once finished; the twin has real output, moto none [model GetCommandInvocationResult]', async () => {
    const input = { InstanceIds: [instanceId], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['echo hi'] } };
    const [ts, ms] = await Promise.all([twinSsm.send(new SendCommandCommand(input)), motoSsm.send(new SendCommandCommand(input))]);
    const t = await waitForInvocation(twinSsm, ts.Command!.CommandId!, instanceId);
    const m = await motoSsm.send(new GetCommandInvocationCommand({ CommandId: ms.Command!.CommandId!, InstanceId: instanceId }));
    const diff = compareShapes(t, m);
    expect(diff.missingInTwin).toEqual([]);
    expect(diff.extraInTwin).toEqual(expect.arrayContaining(['CloudWatchOutputConfig']));
    expect({ Status: t.Status, StatusDetails: t.StatusDetails, ResponseCode: t.ResponseCode, PluginName: t.PluginName }).toEqual({
      Status: m.Status,
      StatusDetails: m.StatusDetails,
      ResponseCode: m.ResponseCode,
      PluginName: m.PluginName,
    });
    expect(t.StandardOutputContent).toBe('hi\n');
    expect(m.StandardOutputContent).toBe(''); // moto doesn't run commands
  });

  it('ListCommandInvocations: moto 5.2 answers HTTP 500 (its own bug); the twin answers the model\'s CommandInvocation fields [model CommandInvocation]', async () => {
    const input = { InstanceIds: [instanceId], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['echo hi'] } };
    const [ts, ms] = await Promise.all([twinSsm.send(new SendCommandCommand(input)), motoSsm.send(new SendCommandCommand(input))]);
    const t = await twinSsm.send(new ListCommandInvocationsCommand({ CommandId: ts.Command!.CommandId! }));
    const m = await motoSsm.send(new ListCommandInvocationsCommand({ CommandId: ms.Command!.CommandId! })).catch((e: { $metadata?: { httpStatusCode?: number } }) => e);
    expect((m as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(500);
    const ti = t.CommandInvocations![0]!;
    expect(Object.keys(ti).filter((k) => k !== '$metadata').sort()).toEqual(
      ['CloudWatchOutputConfig', 'CommandId', 'CommandPlugins', 'Comment', 'DocumentName', 'DocumentVersion', 'InstanceId', 'InstanceName', 'NotificationConfig', 'RequestedDateTime', 'ServiceRole', 'StandardErrorUrl', 'StandardOutputUrl', 'Status', 'StatusDetails', 'TraceOutput'].sort(),
    );
    expect(ti.RequestedDateTime).toBeInstanceOf(Date);
  });

  it('GetCommandInvocation of an unknown command: the twin InvocationDoesNotExist ("didn\'t match any invocations"), moto InvalidCommandId [model InvocationDoesNotExist doc]', async () => {
    const input = { CommandId: '00000000-0000-4000-a000-000000000000', InstanceId: instanceId };
    const [t, m] = await Promise.all([errorName(twinSsm.send(new GetCommandInvocationCommand(input))), errorName(motoSsm.send(new GetCommandInvocationCommand(input)))]);
    expect(t).toBe('InvocationDoesNotExist');
    // Deliberate: a well-formed id that matches no invocation is InvocationDoesNotExist by the
    // model's own doc (and what the CommandExecuted waiter retries on, facts §1); moto says InvalidCommandId.
    expect(m).toBe('InvalidCommandId');
  });

  it('SendCommand to an unknown instance: the twin says InvalidInstanceId (AWS\'s documented error), moto accepts it', async () => {
    const input = { InstanceIds: ['i-0fffffffffffffff0'], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['x'] } };
    const [t, m] = await Promise.all([errorName(twinSsm.send(new SendCommandCommand(input))), errorName(motoSsm.send(new SendCommandCommand(input)))]);
    expect(t).toBe('InvalidInstanceId');
    expect(m).toBe('no error'); // moto doesn't check that the target is a managed node
  });
});
