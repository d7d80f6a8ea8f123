// The AWS CLI (botocore) against the twin: an independent client parses the same wire and must
// not be able to tell the twin from EC2, on success and error paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import type { World } from '../../src/twin/world.js';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { ACCOUNT_A, IDS, ec2World } from './ec2-fixtures.js';

const available = referee('aws', 'AWS CLI fidelity (EC2)');

describe.skipIf(!available)('EC2 through the AWS CLI', () => {
  let twin: TestTwin;
  let world: World;
  const clock = new ManualClock(Date.now());
  const aws = (args: string[], account = 0): Promise<AwsCliResult> => awsCli(['ec2', ...args], twin.cli(account));

  beforeAll(async () => {
    world = ec2World();
    twin = await startTestTwin({ world, clock });
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('describe-vpc-endpoints prints the endpoint with lower-case State, booleans and DnsEntries [doc: model; aws-api.md §3]', async () => {
    const r = await aws(['describe-vpc-endpoints', '--vpc-endpoint-ids', IDS.lambda]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ep = r.json.VpcEndpoints[0];
    expect(ep).toMatchObject({
      VpcEndpointId: IDS.lambda,
      VpcEndpointType: 'Interface',
      VpcId: IDS.sharedVpc,
      State: 'available',
      PrivateDnsEnabled: false,
      RequesterManaged: false,
      OwnerId: ACCOUNT_A,
      DnsOptions: { DnsRecordIpType: 'ipv4' },
    });
    expect(ep.DnsEntries[0].HostedZoneId).toBe('Z7HUB22UULQXV');
    expect(ep.NetworkInterfaceIds).toHaveLength(2);
    expect(typeof ep.CreationTimestamp).toBe('string');
  });

  it('describe-vpc-endpoints --filters and --page-size: the CLI follows NextToken across pages [doc: ec2.paginators-1.json]', async () => {
    const [filtered, paged] = await Promise.all([
      aws(['describe-vpc-endpoints', '--filters', `Name=vpc-id,Values=${IDS.spokeVpc}`]),
      aws(['describe-vpc-endpoints', '--page-size', '1']),
    ]);
    expect(filtered.json.VpcEndpoints.map((e: { VpcEndpointId: string }) => e.VpcEndpointId)).toEqual([IDS.sts]);
    expect(paged.code).toBe(0);
    expect(paged.json.VpcEndpoints.map((e: { VpcEndpointId: string }) => e.VpcEndpointId)).toEqual([
      IDS.lambda,
      IDS.s3,
      IDS.noPrivateDns,
      IDS.sts,
    ]);
    // The twin saw one request per page.
    const pages = twin.twin.log.filter((l) => l.operation === 'DescribeVpcEndpoints' && l.body?.includes('MaxResults=1'));
    expect(pages).toHaveLength(4);
  });

  it('describe-vpcs and describe-network-interfaces parse; unknown ids fail with the NotFound codes [doc: EC2 error codes]', async () => {
    const [vpcs, enis, noVpc, noEni, noEp] = await Promise.all([
      aws(['describe-vpcs', '--filters', `Name=owner-id,Values=${ACCOUNT_A}`]),
      aws(['describe-network-interfaces', '--filters', `Name=vpc-id,Values=${IDS.spokeVpc}`]),
      aws(['describe-vpcs', '--vpc-ids', 'vpc-0fffffffffffffff0']),
      aws(['describe-network-interfaces', '--network-interface-ids', 'eni-0fffffffffffffff0']),
      aws(['describe-vpc-endpoints', '--vpc-endpoint-ids', 'vpce-0fffffffffffffff0']),
    ]);
    expect(vpcs.json.Vpcs.map((v: { VpcId: string }) => v.VpcId)).toEqual([IDS.sharedVpc, IDS.spokeVpc]);
    expect(enis.json.NetworkInterfaces).toHaveLength(2);
    expect(enis.json.NetworkInterfaces[0]).toMatchObject({ InterfaceType: 'vpc_endpoint', RequesterManaged: true });
    for (const [r, code] of [
      [noVpc, 'InvalidVpcID.NotFound'],
      [noEni, 'InvalidNetworkInterfaceID.NotFound'],
      [noEp, 'InvalidVpcEndpointId.NotFound'],
    ] as const) {
      expect(r.code).not.toBe(0);
      expect(cliErrorCode(r.stderr)).toBe(code);
    }
    expect(noVpc.stderr).toContain("The vpc ID 'vpc-0fffffffffffffff0' does not exist");
  });

  it('modify-vpc-endpoint --private-dns-enabled prints Return true; the endpoint is pending until the delay passes [runbook step 3]', async () => {
    const r = await aws(['modify-vpc-endpoint', '--vpc-endpoint-id', IDS.sts, '--private-dns-enabled']);
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ Return: true });
    const pending = await aws(['describe-vpc-endpoints', '--vpc-endpoint-ids', IDS.sts]);
    expect(pending.json.VpcEndpoints[0]).toMatchObject({ State: 'pending', PrivateDnsEnabled: true });
    clock.advance(world.delays.endpointModifyMs);
    const done = await aws(['describe-vpc-endpoints', '--vpc-endpoint-ids', IDS.sts]);
    expect(done.json.VpcEndpoints[0].State).toBe('available');
  });

  it('modify-vpc-endpoint errors: conflicting DNS domain (InvalidParameter), foreign and malformed ids, --dry-run [peer #17535; doc]', async () => {
    const [conflict, foreign, malformed, dry] = await Promise.all([
      aws(['modify-vpc-endpoint', '--vpc-endpoint-id', IDS.lambda, '--private-dns-enabled']),
      aws(['modify-vpc-endpoint', '--vpc-endpoint-id', IDS.otherAccount, '--private-dns-enabled']),
      aws(['modify-vpc-endpoint', '--vpc-endpoint-id', 'vpce-XYZ', '--no-private-dns-enabled']),
      aws(['modify-vpc-endpoint', '--vpc-endpoint-id', IDS.s3, '--private-dns-enabled', '--dry-run']),
    ]);
    expect(cliErrorCode(conflict.stderr)).toBe('InvalidParameter');
    expect(conflict.stderr).toContain('conflicting DNS domain for lambda.us-east-1.amazonaws.com');
    expect(cliErrorCode(foreign.stderr)).toBe('InvalidVpcEndpointId.NotFound');
    expect(cliErrorCode(malformed.stderr)).toBe('InvalidVpcEndpointId.Malformed');
    expect(cliErrorCode(dry.stderr)).toBe('DryRunOperation');
    expect(world.endpoints.find((e) => e.id === IDS.s3)!.privateDnsEnabled).toBe(false);
  });
});
