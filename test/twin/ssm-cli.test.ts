// The AWS CLI (botocore) as referee for the twin's SSM (JSON 1.1) and EC2 DescribeInstances: an
// independent client must parse the same wire, on success and error paths.
// Sources: shared/reference/aws-facts-2.md §1 ("facts"), models/ssm.service-2.json, ec2.service-2.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { startSsmTwin, type SsmTwin } from './ssm-fixtures.js';

const available = referee('aws', 'AWS CLI fidelity (SSM Run Command, EC2 instances)');

describe.skipIf(!available)('SSM and EC2 instances through the AWS CLI', () => {
  let t: SsmTwin;
  const aws = (args: string[], account = 0): Promise<AwsCliResult> => awsCli(args, t.cli(account));

  beforeAll(async () => {
    t = await startSsmTwin({ vpcs: 3, accounts: 2, commandExecution: { resolverFor: () => ({ host: '127.0.0.1', port: 5353 }) } });
  });
  afterAll(async () => t?.close());

  it('describe-instance-information prints the managed node Online with PlatformType Linux [model InstanceInformation]', async () => {
    const r = await aws(['ssm', 'describe-instance-information']);
    expect(r.stderr).toBe('');
    expect(r.json.InstanceInformationList).toEqual([expect.objectContaining({ InstanceId: t.instanceOf(0), PingStatus: 'Online', PlatformType: 'Linux', ResourceType: 'EC2Instance' })]);
    const filtered = await aws(['ssm', 'describe-instance-information', '--filters', 'Key=PingStatus,Values=ConnectionLost']);
    expect(filtered.json.InstanceInformationList).toEqual([]);
  });

  it('send-command --parameters commands=..., list-command-invocations --details, get-command-invocation: the script ran with the resolver env [facts §1]', async () => {
    const id = t.instanceOf(0);
    const sent = await aws(['ssm', 'send-command', '--instance-ids', id, '--document-name', 'AWS-RunShellScript', '--comment', 'cli referee', '--parameters', 'commands=["echo hi","echo $R53M_RESOLVER $R53M_PORT"]']);
    expect(sent.stderr).toBe('');
    expect(sent.json.Command).toMatchObject({ Status: 'Pending', DocumentName: 'AWS-RunShellScript', InstanceIds: [id], Comment: 'cli referee' });
    const commandId = sent.json.Command.CommandId as string;
    let got: AwsCliResult | undefined;
    for (let i = 0; i < 50; i++) {
      got = await aws(['ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', id]);
      if (got.code === 0 && got.json.Status === 'Success') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(got!.json).toMatchObject({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, PluginName: 'aws:runShellScript', StandardOutputContent: 'hi\n127.0.0.1 5353\n' });
    const list = await aws(['ssm', 'list-command-invocations', '--command-id', commandId, '--details']);
    expect(list.json.CommandInvocations[0]).toMatchObject({ InstanceId: id, Status: 'Success', InstanceName: 'shared-services-probe' });
    expect(list.json.CommandInvocations[0].CommandPlugins[0]).toMatchObject({ Name: 'aws:runShellScript', Output: 'hi\n127.0.0.1 5353\n', ResponseCode: 0 });
    const cmds = await aws(['ssm', 'list-commands', '--command-id', commandId]);
    expect(cmds.json.Commands[0]).toMatchObject({ CommandId: commandId, Status: 'Success', CompletedCount: 1 });
  });

  it('errors parse as the CLI expects: InvalidInstanceId across accounts, InvocationDoesNotExist, TimeoutSeconds 29 refused [model errors, TimeoutSeconds min 30]', async () => {
    const other = t.world.instances.find((i) => i.ownerId === t.accounts[1]!.id)!.id;
    const cross = await aws(['ssm', 'send-command', '--instance-ids', other, '--document-name', 'AWS-RunShellScript', '--parameters', 'commands=["echo x"]']);
    expect(cross.code).not.toBe(0);
    expect(cliErrorCode(cross.stderr)).toBe('InvalidInstanceId');
    expect(cross.stderr).toContain(`Instances [[${other}]] not in a valid state for account ${t.accounts[0]!.id}`);
    const none = await aws(['ssm', 'get-command-invocation', '--command-id', '00000000-0000-4000-a000-000000000000', '--instance-id', t.instanceOf(0)]);
    expect(cliErrorCode(none.stderr)).toBe('InvocationDoesNotExist');
    const shortTimeout = await aws(['ssm', 'send-command', '--instance-ids', t.instanceOf(0), '--document-name', 'AWS-RunShellScript', '--timeout-seconds', '29', '--parameters', 'commands=["echo x"]']);
    // botocore validates the model's min itself before sending (ParamValidation); either way it is refused.
    expect(shortTimeout.code).not.toBe(0);
  });

  it('ec2 describe-instances --filters Name=vpc-id,Values=... prints Reservations[].Instances[] [model Reservation]', async () => {
    const vpcId = t.world.vpcs[1]!.id;
    const spokeAccount = t.world.vpcs[1]!.ownerId === t.accounts[1]!.id ? 1 : 0;
    const r = await aws(['ec2', 'describe-instances', '--filters', `Name=vpc-id,Values=${vpcId}`], spokeAccount);
    expect(r.stderr).toBe('');
    expect(r.json.Reservations).toHaveLength(1);
    expect(r.json.Reservations[0].Instances[0]).toMatchObject({ VpcId: vpcId, State: { Code: 16, Name: 'running' }, PlatformDetails: 'Linux/UNIX' });
    const paged = await aws(['ec2', 'describe-instances', '--page-size', '5'], spokeAccount);
    expect(paged.code).toBe(0);
    const missing = await aws(['ec2', 'describe-instances', '--instance-ids', 'i-0fffffffffffffff0']);
    expect(cliErrorCode(missing.stderr)).toBe('InvalidInstanceID.NotFound');
  });
});
