// Differential test: the same VPC + interface endpoint created in moto_server through moto's own
// EC2 API, and built by hand in the twin; both read through @aws-sdk/client-ec2. Parsed shapes
// (field presence, types, state casing) and error codes must agree. Where the twin deliberately
// differs from moto, the difference is asserted and the AWS source that the twin follows is cited.
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifyVpcEndpointCommand,
  type NetworkInterface as SdkEni,
  type Vpc as SdkVpc,
  type VpcEndpoint as SdkEndpoint,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyWorld, type World } from '../../src/twin/world.js';
import { referee } from '../support/referees.js';
import { compareShapes, errorName, startMoto, type MotoServer } from '../support/moto.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

const available = referee('moto_server', 'moto differential (EC2)');
const MOTO_ACCOUNT = '123456789012';
const REGION = 'us-east-1';






describe.skipIf(!available)('EC2: twin vs moto_server', () => {
  let moto: MotoServer | undefined;
  let motoEc2: EC2Client;
  let twin: TestTwin;
  let twinEc2: EC2Client;
  const ids = { vpc: '', endpoint: '', subnets: [] as string[], enis: [] as string[] };

  beforeAll(async () => {
    moto = await startMoto();
    const motoUrl = moto.url;
    motoEc2 = new EC2Client({ endpoint: motoUrl, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });

    // The estate, through moto's own EC2 API.
    const vpc = await motoEc2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    ids.vpc = vpc.Vpc!.VpcId!;
    for (const [az, cidr] of [
      [`${REGION}a`, '10.0.1.0/24'],
      [`${REGION}b`, '10.0.2.0/24'],
    ] as const) {
      const s = await motoEc2.send(new CreateSubnetCommand({ VpcId: ids.vpc, CidrBlock: cidr, AvailabilityZone: az }));
      ids.subnets.push(s.Subnet!.SubnetId!);
    }
    const ep = await motoEc2.send(
      new CreateVpcEndpointCommand({
        VpcId: ids.vpc,
        ServiceName: `com.amazonaws.${REGION}.lambda`,
        VpcEndpointType: 'Interface',
        SubnetIds: ids.subnets,
        PrivateDnsEnabled: false,
      }),
    );
    ids.endpoint = ep.VpcEndpoint!.VpcEndpointId!;
    const motoEnis = (await motoEc2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!;
    ids.enis = ep.VpcEndpoint!.NetworkInterfaceIds!;

    // The same estate built by hand in the twin, with moto's ids.
    const world: World = emptyWorld(REGION, 'moto-diff');
    world.accounts.push({ id: MOTO_ACCOUNT, name: 'moto', accessKeyId: 'AKIAMOTODIFF00000001', secretAccessKey: 'm'.repeat(40) });
    world.vpcs.push({ id: ids.vpc, ownerId: MOTO_ACCOUNT, region: REGION, cidr: '10.0.0.0/16', name: '' });
    for (const eniId of ids.enis) {
      const m = motoEnis.find((n) => n.NetworkInterfaceId === eniId)!;
      world.networkInterfaces.push({
        id: eniId,
        vpcId: ids.vpc,
        ownerId: MOTO_ACCOUNT,
        subnetId: m.SubnetId!,
        availabilityZone: m.AvailabilityZone!,
        privateIp: m.PrivateIpAddress!,
        description: `VPC Endpoint Interface ${ids.endpoint}`,
        endpointId: ids.endpoint,
      });
    }
    const zoneId = 'Z7HUB22UULQXV';
    const dnsSuffix = `lambda.${REGION}.vpce.amazonaws.com`;
    world.endpoints.push({
      id: ids.endpoint,
      ownerId: MOTO_ACCOUNT,
      vpcId: ids.vpc,
      serviceName: `com.amazonaws.${REGION}.lambda`,
      type: 'Interface',
      state: 'available',
      privateDnsEnabled: false,
      privateDnsNames: [`lambda.${REGION}.amazonaws.com`],
      supportsPrivateDns: true,
      dnsEntries: [{ dnsName: `${ids.endpoint}-abcd1234.${dnsSuffix}`, hostedZoneId: zoneId }],
      networkInterfaceIds: [...ids.enis],
      creationTimestamp: ep.VpcEndpoint!.CreationTimestamp!.getTime(),
      tags: {},
    });
    twin = await startTestTwin({ world });
    twinEc2 = twin.ec2(0);
  });

  afterAll(async () => {
    motoEc2?.destroy();
    twinEc2?.destroy();
    await twin?.close();
    await moto?.stop();
  });

  it('DescribeVpcEndpoints: same fields and types, same ids, state lower-case in both [doc: model VpcEndpoint]', async () => {
    const [t, m] = await Promise.all([
      twinEc2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ids.endpoint] })),
      motoEc2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ids.endpoint] })),
    ]);
    const te = t.VpcEndpoints![0] as SdkEndpoint;
    const me = m.VpcEndpoints![0] as SdkEndpoint;
    const diff = compareShapes(te, me);
    expect(diff.missingInTwin).toEqual([]);
    // The twin also reports members the AWS API reference lists for VpcEndpoint and moto leaves out
    // [doc: API_VpcEndpoint: dnsOptions, ipAddressType, requesterManaged].
    expect(diff.extraInTwin).toEqual(['DnsOptions', 'IpAddressType', 'RequesterManaged']);
    for (const k of ['VpcEndpointId', 'VpcEndpointType', 'VpcId', 'ServiceName', 'State', 'PrivateDnsEnabled', 'OwnerId', 'RouteTableIds'] as const) {
      expect({ [k]: te[k] }).toEqual({ [k]: me[k] });
    }
    expect(te.State).toBe('available');
    expect(te.NetworkInterfaceIds!.slice().sort()).toEqual(me.NetworkInterfaceIds!.slice().sort());
    expect(te.SubnetIds!.slice().sort()).toEqual(me.SubnetIds!.slice().sort());
    expect(te.CreationTimestamp).toEqual(me.CreationTimestamp);
    expect(JSON.parse(te.PolicyDocument!)).toEqual(JSON.parse(me.PolicyDocument!));
    // Deliberate differences (twin follows AWS): vpce DNS names are
    // <id>-<tag>.<service>.<region>.vpce.amazonaws.com in hosted zone Z7HUB22UULQXV (us-east-1)
    // [doc: AWS CLI describe-vpc-endpoints example]; moto writes `<id>-<tag>.com.amazonaws.<region>.<service>`.
    expect(te.DnsEntries![0]!.DnsName).toMatch(/\.lambda\.us-east-1\.vpce\.amazonaws\.com$/);
    expect(me.DnsEntries![0]!.DnsName).not.toMatch(/vpce\.amazonaws\.com$/);
    // An interface endpoint always has a security group; without one given, the VPC's default
    // [doc: CreateVpcEndpoint SecurityGroupIds; CLI example Groups: default]. moto reports none.
    expect(te.Groups).toEqual([{ GroupId: expect.stringMatching(/^sg-/), GroupName: 'default' }]);
    expect(me.Groups).toEqual([]);
  });

  it('DescribeVpcs: same fields and types; the twin omits an empty Ipv6CidrBlockAssociationSet as AWS does [doc: CLI describe-vpcs example]', async () => {
    const [t, m] = await Promise.all([
      twinEc2.send(new DescribeVpcsCommand({ VpcIds: [ids.vpc] })),
      motoEc2.send(new DescribeVpcsCommand({ VpcIds: [ids.vpc] })),
    ]);
    const tv = t.Vpcs![0] as SdkVpc;
    const mv = m.Vpcs![0] as SdkVpc;
    const diff = compareShapes(tv, mv);
    expect(diff.extraInTwin).toEqual([]);
    expect(diff.missingInTwin).toEqual(['Ipv6CidrBlockAssociationSet']);
    expect(mv.Ipv6CidrBlockAssociationSet).toEqual([]);
    for (const k of ['VpcId', 'OwnerId', 'State', 'CidrBlock', 'IsDefault', 'InstanceTenancy'] as const) {
      expect({ [k]: tv[k] }).toEqual({ [k]: mv[k] });
    }
    expect(compareShapes(tv.CidrBlockAssociationSet![0]!, mv.CidrBlockAssociationSet![0]!)).toEqual({ extraInTwin: [], missingInTwin: [] });
    // AWS DHCP option set ids are dopt-… [doc: CLI describe-vpcs example]; moto says "default".
    expect(tv.DhcpOptionsId).toMatch(/^dopt-[0-9a-f]+$/);
  });

  it('DescribeNetworkInterfaces: same fields and types for the endpoint ENIs; the twin marks them as AWS does [doc: requester-managed ENIs]', async () => {
    const [t, m] = await Promise.all([
      twinEc2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids.enis })),
      motoEc2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids.enis })),
    ]);
    expect(t.NetworkInterfaces!.map((n) => n.NetworkInterfaceId).sort()).toEqual(m.NetworkInterfaces!.map((n) => n.NetworkInterfaceId).sort());
    const te = t.NetworkInterfaces!.find((n) => n.NetworkInterfaceId === ids.enis[0]) as SdkEni;
    const me = m.NetworkInterfaces!.find((n) => n.NetworkInterfaceId === ids.enis[0]) as SdkEni;
    const diff = compareShapes(te, me);
    expect(diff.missingInTwin).toEqual([]);
    expect(diff.extraInTwin).toEqual(['PrivateDnsName']);
    for (const k of ['NetworkInterfaceId', 'SubnetId', 'VpcId', 'AvailabilityZone', 'OwnerId', 'PrivateIpAddress', 'SourceDestCheck'] as const) {
      expect({ [k]: te[k] }).toEqual({ [k]: me[k] });
    }
    expect(compareShapes(te.PrivateIpAddresses![0]!, me.PrivateIpAddresses![0]!).missingInTwin).toEqual([]);
    // An interface endpoint's ENIs are requester-managed, of type vpc_endpoint, in use, described
    // "VPC Endpoint Interface <id>" [doc: EC2 UG requester-managed network interfaces; model
    // NetworkInterfaceType]. moto creates them as plain, available, unmanaged interfaces.
    expect(te).toMatchObject({ InterfaceType: 'vpc_endpoint', RequesterManaged: true, Status: 'in-use', Description: `VPC Endpoint Interface ${ids.endpoint}` });
    expect(me).toMatchObject({ InterfaceType: 'interface', RequesterManaged: false, Status: 'available' });
  });

  it('error codes agree for unknown VPC, endpoint and ENI ids [doc: EC2 error codes]', async () => {
    const calls = (c: EC2Client) => [
      c.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0fffffffffffffff0'] })),
      c.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ['vpce-0fffffffffffffff0'] })),
      c.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0fffffffffffffff0'] })),
      c.send(new ModifyVpcEndpointCommand({ VpcEndpointId: 'vpce-0fffffffffffffff0', PrivateDnsEnabled: true })),
    ];
    const twinCodes = await Promise.all(calls(twinEc2).map(errorName));
    const motoCodes = await Promise.all(calls(motoEc2).map(errorName));
    expect(twinCodes).toEqual(['InvalidVpcID.NotFound', 'InvalidVpcEndpointId.NotFound', 'InvalidNetworkInterfaceID.NotFound', 'InvalidVpcEndpointId.NotFound']);
    expect(twinCodes).toEqual(motoCodes);
  });

  it('a malformed endpoint id: the twin answers InvalidVpcEndpointId.Malformed as EC2 does, moto NotFound [doc: EC2 error codes; peer: terraform-aws-vpc#312]', async () => {
    const bad = 'vpce-XYZ';
    expect(await errorName(twinEc2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [bad] })))).toBe('InvalidVpcEndpointId.Malformed');
    expect(await errorName(motoEc2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [bad] })))).toBe('InvalidVpcEndpointId.NotFound');
  });

  it('ModifyVpcEndpoint: both return true; the twin (following the runbook) shows pending + PrivateDnsEnabled, moto changes nothing [runbook step 3]', async () => {
    const [t, m] = await Promise.all([
      twinEc2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: ids.endpoint, PrivateDnsEnabled: true })),
      motoEc2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: ids.endpoint, PrivateDnsEnabled: true })),
    ]);
    expect(t.Return).toBe(true);
    expect(m.Return).toBe(true);
    const [ta, ma] = await Promise.all([
      twinEc2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ids.endpoint] })),
      motoEc2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ids.endpoint] })),
    ]);
    expect(ta.VpcEndpoints![0]).toMatchObject({ State: 'pending', PrivateDnsEnabled: true });
    expect(ma.VpcEndpoints![0]).toMatchObject({ State: 'available' });
  });
});
