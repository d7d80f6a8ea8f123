// The official @aws-sdk/client-ec2 against the twin over HTTP (SigV4, query protocol, XML
// parsing): every EC2 operation the twin serves, success and error paths.
import {
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  ModifyVpcEndpointCommand,
  paginateDescribeVpcEndpoints,
  waitUntilVpcAvailable,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import type { World } from '../../src/twin/world.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { ACCOUNT_A, ACCOUNT_B, IDS, T0, ec2World } from './ec2-fixtures.js';

/** The SDK error's code, HTTP status and request id, or a failure if the call succeeded. */
async function sdkError(p: Promise<unknown>): Promise<{ name: string; status?: number; requestId?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, requestId: err.$metadata?.requestId, message: err.message };
  }
  throw new Error('expected the call to fail');
}

/** A SigV4-signed EC2 request the SDK would never send (form body on POST, query string on GET). */
async function rawEc2(twin: TestTwin, method: 'GET' | 'POST', params: Record<string, string>) {
  const acct = twin.accounts[0]!;
  const url = new URL(twin.url);
  const signer = new SignatureV4({
    service: 'ec2',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey },
  });
  const form = new URLSearchParams(params).toString();
  const headers: Record<string, string> = { host: url.host };
  if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: method === 'GET' ? params : {},
    headers,
    body: method === 'POST' ? form : undefined,
  });
  const target = method === 'GET' ? `${twin.url}/?${form}` : `${twin.url}/`;
  const res = await fetch(target, { method, headers: signed.headers, body: method === 'POST' ? form : undefined });
  return { status: res.status, text: await res.text() };
}

describe('EC2 over HTTP with @aws-sdk/client-ec2', () => {
  let twin: TestTwin;
  let world: World;
  // SigV4 rejects a skewed clock, so the manual clock starts at real time and only moves seconds.
  const clock = new ManualClock(Date.now());
  let a: EC2Client;
  let b: EC2Client;

  beforeAll(async () => {
    world = ec2World();
    twin = await startTestTwin({ world, clock });
    a = twin.ec2(0);
    b = twin.ec2(1);
  });
  afterAll(async () => {
    a?.destroy();
    b?.destroy();
    await twin?.close();
  });

  it('DescribeVpcEndpoints parses into the model types: state lower-case, booleans, Date, DnsEntries [doc: model]', async () => {
    const out = await a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [IDS.lambda] }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const ep = out.VpcEndpoints![0]!;
    expect(ep).toMatchObject({
      VpcEndpointId: IDS.lambda,
      VpcEndpointType: 'Interface',
      VpcId: IDS.sharedVpc,
      ServiceName: 'com.amazonaws.us-east-1.lambda',
      State: 'available',
      PrivateDnsEnabled: false,
      RequesterManaged: false,
      OwnerId: ACCOUNT_A,
      IpAddressType: 'ipv4',
      DnsOptions: { DnsRecordIpType: 'ipv4' },
      Tags: [{ Key: 'Name', Value: 'lambda-endpoint' }],
    });
    expect(ep.CreationTimestamp).toEqual(new Date(T0 - 86_400_000));
    expect(ep.NetworkInterfaceIds).toHaveLength(2);
    expect(ep.SubnetIds).toHaveLength(2);
    expect(ep.DnsEntries![0]).toEqual({ DnsName: expect.stringContaining('.lambda.us-east-1.vpce.amazonaws.com'), HostedZoneId: 'Z7HUB22UULQXV' });
    expect(ep.Groups![0]!.GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(JSON.parse(ep.PolicyDocument!)).toMatchObject({ Statement: [{ Effect: 'Allow' }] });
    expect(out.NextToken).toBeUndefined();
  });

  it('DescribeVpcEndpoints filters by vpc-id and service-name through the SDK serialiser [doc: model Filters]', async () => {
    const out = await a.send(
      new DescribeVpcEndpointsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [IDS.sharedVpc] },
          { Name: 'service-name', Values: ['com.amazonaws.us-east-1.s3', 'com.amazonaws.us-east-1.sts'] },
        ],
      }),
    );
    expect(out.VpcEndpoints!.map((e) => e.VpcEndpointId)).toEqual([IDS.s3]);
  });

  it('paginateDescribeVpcEndpoints walks more than one page and sees every endpoint once [doc: ec2.paginators-1.json]', async () => {
    const pages: string[][] = [];
    for await (const page of paginateDescribeVpcEndpoints({ client: a, pageSize: 2 }, {})) {
      pages.push(page.VpcEndpoints!.map((e) => e.VpcEndpointId!));
      if (pages.length > 10) break;
    }
    expect(pages).toEqual([
      [IDS.lambda, IDS.s3],
      [IDS.noPrivateDns, IDS.sts],
    ]);
  });

  it('an account sees only its own endpoints, VPCs and ENIs [doc: Describe* "your"]', async () => {
    const eps = await b.send(new DescribeVpcEndpointsCommand({}));
    expect(eps.VpcEndpoints!.map((e) => e.VpcEndpointId)).toEqual([IDS.otherAccount]);
    const vpcs = await b.send(new DescribeVpcsCommand({}));
    expect(vpcs.Vpcs!.map((v) => v.VpcId)).toEqual([IDS.otherVpc]);
    const enis = await b.send(new DescribeNetworkInterfacesCommand({}));
    expect(enis.NetworkInterfaces!.every((n) => n.OwnerId === ACCOUNT_B)).toBe(true);
  });

  it('InvalidVpcEndpointId.NotFound / .Malformed reach the SDK as named errors with HTTP 400 [doc: EC2 error codes]', async () => {
    const nf = await sdkError(a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ['vpce-0fffffffffffffff0'] })));
    expect(nf).toMatchObject({ name: 'InvalidVpcEndpointId.NotFound', status: 400 });
    expect(nf.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const foreign = await sdkError(a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [IDS.otherAccount] })));
    expect(foreign.name).toBe('InvalidVpcEndpointId.NotFound');
    const bad = await sdkError(a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ['vpce-nope'] })));
    expect(bad).toMatchObject({ name: 'InvalidVpcEndpointId.Malformed', status: 400 });
  });

  it('DescribeVpcs: VpcIds, filters and the VpcAvailable waiter succeed; unknown id is InvalidVpcID.NotFound [doc: model, waiters]', async () => {
    const out = await a.send(new DescribeVpcsCommand({ VpcIds: [IDS.sharedVpc] }));
    expect(out.Vpcs![0]).toMatchObject({
      VpcId: IDS.sharedVpc,
      OwnerId: ACCOUNT_A,
      State: 'available',
      CidrBlock: '10.0.0.0/20',
      IsDefault: false,
      InstanceTenancy: 'default',
      Tags: [{ Key: 'Name', Value: 'shared-services' }],
    });
    expect(out.Vpcs![0]!.CidrBlockAssociationSet![0]!.CidrBlockState!.State).toBe('associated');
    const filtered = await a.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.1.0.0/20'] }] }));
    expect(filtered.Vpcs!.map((v) => v.VpcId)).toEqual([IDS.spokeVpc]);
    const waited = await waitUntilVpcAvailable({ client: a, maxWaitTime: 5, minDelay: 1, maxDelay: 1 }, { VpcIds: [IDS.spokeVpc] });
    expect(waited.state).toBe('SUCCESS');
    const nf = await sdkError(a.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0fffffffffffffff0'] })));
    expect(nf).toMatchObject({ name: 'InvalidVpcID.NotFound', status: 400, message: "The vpc ID 'vpc-0fffffffffffffff0' does not exist" });
    const small = await sdkError(a.send(new DescribeVpcsCommand({ MaxResults: 1 })));
    expect(small.name).toBe('InvalidParameterValue');
  });

  it('DescribeNetworkInterfaces: endpoint ENIs with private IPs; unknown id and MaxResults+ids errors [doc: model]', async () => {
    const ep = world.endpoints.find((e) => e.id === IDS.sts)!;
    const out = await a.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`VPC Endpoint Interface ${IDS.sts}`] }] }),
    );
    expect(out.NetworkInterfaces!.map((n) => n.NetworkInterfaceId)).toEqual(ep.networkInterfaceIds);
    const eni = out.NetworkInterfaces![0]!;
    expect(eni).toMatchObject({ InterfaceType: 'vpc_endpoint', RequesterManaged: true, Status: 'in-use', VpcId: IDS.spokeVpc, SourceDestCheck: true });
    expect(eni.PrivateIpAddress).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(eni.PrivateIpAddresses![0]).toMatchObject({ PrivateIpAddress: eni.PrivateIpAddress, Primary: true });
    const byId = await a.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ep.networkInterfaceIds[1]!] }));
    expect(byId.NetworkInterfaces).toHaveLength(1);
    const nf = await sdkError(a.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0fffffffffffffff0'] })));
    expect(nf).toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound', status: 400 });
    const combo = await sdkError(
      a.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ep.networkInterfaceIds[0]!], MaxResults: 5 })),
    );
    expect(combo.name).toBe('InvalidParameterCombination');
  });

  it('ModifyVpcEndpoint enables Private DNS: Return true, pending, then available after the modify delay [runbook step 3]', async () => {
    const out = await a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: IDS.sts, PrivateDnsEnabled: true }));
    expect(out.Return).toBe(true);
    const during = await a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [IDS.sts] }));
    expect(during.VpcEndpoints![0]).toMatchObject({ State: 'pending', PrivateDnsEnabled: true });
    clock.advance(world.delays.endpointModifyMs);
    const after = await a.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-state', Values: ['available'] }] }));
    expect(after.VpcEndpoints!.map((e) => e.VpcEndpointId)).toContain(IDS.sts);
  });

  it('ModifyVpcEndpoint is refused with InvalidParameter while its VPC has a direct PHZ of the name [peer: terraform-provider-aws#17535]', async () => {
    const err = await sdkError(a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: IDS.lambda, PrivateDnsEnabled: true })));
    expect(err).toMatchObject({ name: 'InvalidParameter', status: 400 });
    expect(err.message).toContain('conflicting DNS domain for lambda.us-east-1.amazonaws.com');
  });

  it("ModifyVpcEndpoint on another account's endpoint is InvalidVpcEndpointId.NotFound; DryRun is DryRunOperation 412 [doc]", async () => {
    const foreign = await sdkError(a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: IDS.otherAccount, PrivateDnsEnabled: true })));
    expect(foreign.name).toBe('InvalidVpcEndpointId.NotFound');
    const dry = await sdkError(a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: IDS.s3, PrivateDnsEnabled: true, DryRun: true })));
    expect(dry).toMatchObject({ name: 'DryRunOperation', status: 412 });
    const noDns = await sdkError(a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: IDS.noPrivateDns, PrivateDnsEnabled: true })));
    expect(noDns.name).toBe('InvalidParameter');
  });

  it('raw requests: GET with the query string works; unknown Action is InvalidAction, missing Version MissingParameter, in the EC2 envelope [doc: EC2 common errors]', async () => {
    const get = await rawEc2(twin, 'GET', { Action: 'DescribeVpcs', Version: '2016-11-15', 'VpcId.1': IDS.spokeVpc });
    expect(get.status).toBe(200);
    expect(get.text).toContain(`<vpcId>${IDS.spokeVpc}</vpcId>`);
    const unknown = await rawEc2(twin, 'POST', { Action: 'RunInstances', Version: '2016-11-15' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/^<\?xml[^>]*>\s*<Response><Errors><Error><Code>InvalidAction<\/Code>/);
    expect(unknown.text).toMatch(/<RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/);
    const noVersion = await rawEc2(twin, 'POST', { Action: 'DescribeVpcs' });
    expect(noVersion.status).toBe(400);
    expect(noVersion.text).toContain('<Code>MissingParameter</Code>');
  });
});
