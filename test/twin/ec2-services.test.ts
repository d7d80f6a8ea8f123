// EC2 DescribeVpcEndpointServices: the AWS services an account can create endpoints to, and the
// Private DNS names each serves — what discovery reads while an endpoint's Private DNS is off.
// Ops on a hand-built world, then the official SDK, the AWS CLI and a moto differential over HTTP.
// Sources: model = botocore ec2 2016-11-15 (full model installed with botocore);
// [doc: PrivateLink Guide] = AWS PrivateLink Guide "View information about a service";
// [doc: CLI example] = awscli/examples/ec2/describe-vpc-endpoint-services.rst.
import {
  DescribeVpcEndpointServicesCommand,
  EC2Client,
  type DescribeVpcEndpointServicesCommandOutput,
  type ServiceDetail,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeVpcEndpointServices, describeVpcEndpoints, type ServiceDetailView } from '../../src/twin/ops/ec2.js';
import { ENDPOINT_CATALOGUE, buildScenario } from '../../src/twin/scenario.js';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { compareShapes, errorName, startMoto, type MotoServer } from '../support/moto.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { ACCOUNT_A, ACCOUNT_B, T0, codeOf, ctxFor, ec2World } from './ec2-fixtures.js';

const R = 'us-east-1';
const svc = (suffix: string, region = R) => `com.amazonaws.${region}.${suffix}`;

function detailsOf(world = ec2World(), input: Parameters<typeof describeVpcEndpointServices>[1] = {}, account = ACCOUNT_A) {
  return describeVpcEndpointServices(ctxFor(world, account, T0), input);
}

function one(details: ServiceDetailView[], name: string, type: 'Interface' | 'Gateway' = 'Interface'): ServiceDetailView {
  const found = details.filter((d) => d.serviceName === name && d.serviceType[0]!.serviceType === type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('DescribeVpcEndpointServices (ops)', () => {
  it('lists the catalogue of the Region plus the service of every endpoint, sorted by name, names parallel to details [doc: CLI example]', () => {
    const page = detailsOf();
    const expected = [
      ...ENDPOINT_CATALOGUE.map((e) => svc(e.suffix)),
      svc('s3'), // listed twice: Gateway and Interface
      svc('noprivatedns'), // only known from the fixture's endpoint
    ].sort();
    expect(page.serviceNames).toEqual(expected);
    expect(page.serviceDetails.map((d) => d.serviceName)).toEqual(page.serviceNames);
    expect(page.nextToken).toBeUndefined();
    // The catalogue is AWS's, not the caller's: another account sees the same list.
    expect(detailsOf(ec2World(), {}, ACCOUNT_B).serviceNames).toEqual(expected);
  });

  it('a service detail carries the fields AWS shows: Owner amazon, base vpce name, PrivateDnsName + PrivateDnsNames, verified [doc: PrivateLink Guide]', () => {
    const lambda = one(detailsOf().serviceDetails, svc('lambda'));
    expect(lambda).toEqual({
      serviceName: svc('lambda'),
      serviceId: expect.stringMatching(/^vpce-svc-[0-9a-f]{17}$/),
      serviceType: [{ serviceType: 'Interface' }],
      serviceRegion: undefined,
      availabilityZoneSet: [`${R}a`, `${R}b`, `${R}c`],
      owner: 'amazon',
      baseEndpointDnsNameSet: [`lambda.${R}.vpce.amazonaws.com`],
      privateDnsName: `lambda.${R}.amazonaws.com`,
      privateDnsNameSet: [{ privateDnsName: `lambda.${R}.amazonaws.com` }],
      vpcEndpointPolicySupported: true,
      acceptanceRequired: false,
      managesVpcEndpoints: false,
      tagSet: [],
      privateDnsNameVerificationState: 'verified',
      supportedIpAddressTypeSet: ['ipv4'],
    });
    // Ids are stable across calls (clients may cache them).
    expect(one(detailsOf().serviceDetails, svc('lambda')).serviceId).toBe(lambda.serviceId);
  });

  it('wildcard services: PrivateDnsName is the wildcard, PrivateDnsNames lists every name [peer: eksctl fixture of real ecr.dkr output; s3 order unconfirmed]', () => {
    const details = detailsOf().serviceDetails;
    const s3 = one(details, svc('s3'));
    expect(s3.privateDnsName).toBe(`*.s3.${R}.amazonaws.com`);
    expect(s3.privateDnsNameSet).toEqual([{ privateDnsName: `*.s3.${R}.amazonaws.com` }, { privateDnsName: `s3.${R}.amazonaws.com` }]);
    const dkr = one(details, svc('ecr.dkr'));
    expect(dkr.privateDnsName).toBe(`*.dkr.ecr.${R}.amazonaws.com`);
    expect(dkr.privateDnsNameSet!.map((n) => n.privateDnsName)).toEqual([`*.dkr.ecr.${R}.amazonaws.com`, `dkr.ecr.${R}.amazonaws.com`]);
  });

  it('S3 is listed twice, Gateway before Interface; the Gateway entry has no private DNS and the public base name [peer: terraform-aws-vpc#579 output; doc: CLI example dynamodb Gateway]', () => {
    const page = detailsOf(ec2World(), { serviceNames: [svc('s3')] });
    expect(page.serviceNames).toEqual([svc('s3'), svc('s3')]);
    expect(page.serviceDetails.map((d) => d.serviceType[0]!.serviceType)).toEqual(['Gateway', 'Interface']);
    const gateway = page.serviceDetails[0]!;
    expect(gateway.baseEndpointDnsNameSet).toEqual([`s3.${R}.amazonaws.com`]);
    expect(gateway.privateDnsName).toBeUndefined();
    expect(gateway.privateDnsNameSet).toBeUndefined();
    expect(gateway.privateDnsNameVerificationState).toBeUndefined();
    expect(gateway.serviceId).not.toBe(page.serviceDetails[1]!.serviceId);
  });

  it('a service whose endpoints cannot use Private DNS reports no PrivateDnsName at all [doc: CLI example 2 (S3 interface before private DNS)]', () => {
    const d = one(detailsOf().serviceDetails, svc('noprivatedns'));
    expect(d.privateDnsName).toBeUndefined();
    expect(d.privateDnsNameSet).toBeUndefined();
    expect(d.privateDnsNameVerificationState).toBeUndefined();
    expect(d.baseEndpointDnsNameSet).toEqual([`noprivatedns.${R}.vpce.amazonaws.com`]);
  });

  it('discovery: for every scenario endpoint, its service names exactly the names its Private DNS would serve, while Private DNS is off [runbook: discovery]', () => {
    const world = buildScenario({ endpoints: ENDPOINT_CATALOGUE.length, region: 'eu-west-1', vpcs: 2, accounts: 1 });
    const ctx = { ...ctxFor(world, world.accounts[0]!.id, T0), region: 'eu-west-1' };
    const endpoints = describeVpcEndpoints(ctx, {}).items;
    expect(endpoints).toHaveLength(ENDPOINT_CATALOGUE.length);
    const page = describeVpcEndpointServices(ctx, { serviceNames: endpoints.map((e) => e.serviceName) });
    for (const ep of endpoints) {
      expect(ep.privateDnsEnabled).toBe(false);
      // With Private DNS off the endpoint itself shows only its vpce names.
      expect(ep.dnsEntrySet.every((e) => e.dnsName.endsWith('.vpce.amazonaws.com'))).toBe(true);
      const detail = one(page.serviceDetails, ep.serviceName);
      const names = detail.privateDnsNameSet!.map((n) => n.privateDnsName).sort();
      const want = world.endpoints.find((e) => e.id === ep.vpcEndpointId)!.privateDnsNames.map((n) => n.replace(/\.$/, '')).sort();
      expect({ service: ep.serviceName, names }).toEqual({ service: ep.serviceName, names: want });
      expect(names.every((n) => n.includes('.eu-west-1.'))).toBe(true);
    }
  });

  it('the catalogue follows the caller\'s Region; endpoints of other Regions are not in it [doc: PrivateLink Guide "for an AWS Region"]', () => {
    const page = describeVpcEndpointServices(ctxFor(ec2World(), ACCOUNT_A, T0, { region: 'eu-west-1' }), {});
    expect(page.serviceNames.every((n) => n.startsWith('com.amazonaws.eu-west-1.'))).toBe(true);
    expect(page.serviceNames).not.toContain(svc('noprivatedns', 'eu-west-1'));
    expect(one(page.serviceDetails, svc('lambda', 'eu-west-1')).privateDnsName).toBe('lambda.eu-west-1.amazonaws.com');
  });

  it('ServiceNames selects; an unknown name is InvalidServiceName "The Vpc Endpoint Service \'x\' does not exist" [peer: terraform-provider-aws#24216, aws-cdk#29524]', () => {
    const page = detailsOf(ec2World(), { serviceNames: [svc('sts'), svc('lambda')] });
    expect(page.serviceNames).toEqual([svc('lambda'), svc('sts')]);
    const bad = svc('organizations');
    const err = codeOf(() => detailsOf(ec2World(), { serviceNames: [svc('lambda'), bad] }));
    expect(err).toEqual({ code: 'InvalidServiceName', message: `The Vpc Endpoint Service '${bad}' does not exist`, status: 400 });
    // A service of another Region is not this Region's service.
    expect(codeOf(() => detailsOf(ec2World(), { serviceNames: [svc('lambda', 'eu-west-1')] })).code).toBe('InvalidServiceName');
  });

  it('filters service-name, service-type, owner, service-region, supported-ip-address-types, with wildcards [doc: model Filters]', () => {
    const names = (filters: { name: string; values: string[] }[]) => detailsOf(ec2World(), { filters }).serviceNames;
    expect(names([{ name: 'service-type', values: ['Gateway'] }])).toEqual([svc('s3')]);
    expect(names([{ name: 'service-name', values: [svc('ecr.*')] }])).toEqual([svc('ecr.api'), svc('ecr.dkr')]);
    expect(names([{ name: 'service-name', values: [svc('s3')] }, { name: 'service-type', values: ['Interface'] }])).toEqual([svc('s3')]);
    const all = detailsOf().serviceNames;
    expect(names([{ name: 'owner', values: ['amazon'] }])).toEqual(all);
    expect(names([{ name: 'owner', values: [ACCOUNT_A] }])).toEqual([]);
    expect(names([{ name: 'service-region', values: [R] }])).toEqual(all);
    expect(names([{ name: 'supported-ip-address-types', values: ['ipv6'] }])).toEqual([]);
    expect(names([{ name: 'tag-key', values: ['Name'] }])).toEqual([]);
  });

  it('an unknown filter is InvalidFilter here (not InvalidParameterValue as DescribeVpcEndpoints) [peer: mondoohq/mql#4454 "InvalidFilter: The filter \'vpc-id\' is invalid"]', () => {
    for (const name of ['vpc-id', 'tag-value', 'private-dns-name']) {
      const err = codeOf(() => detailsOf(ec2World(), { filters: [{ name, values: ['x'] }] }));
      expect(err).toEqual({ code: 'InvalidFilter', message: `The filter '${name}' is invalid`, status: 400 });
    }
  });

  it('MaxResults/NextToken page names and details together; > 1,000 answers at most 1,000 [doc: model MaxResults; paginators-1.json result_key]', () => {
    const world = ec2World();
    const all = detailsOf(world).serviceNames;
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = detailsOf(world, { maxResults: 4, nextToken: token });
      expect(page.serviceDetails.map((d) => d.serviceName)).toEqual(page.serviceNames);
      expect(page.serviceNames.length).toBeLessThanOrEqual(4);
      seen.push(...page.serviceNames);
      token = page.nextToken;
      pages += 1;
    } while (token && pages < 20);
    expect(pages).toBe(Math.ceil(all.length / 4));
    expect(seen).toEqual(all);
    expect(detailsOf(world, { maxResults: 5000 }).serviceNames).toEqual(all);
    // Below 1 is refused as DescribeVpcEndpoints does (AWS's answer unconfirmed: stricter).
    expect(codeOf(() => detailsOf(world, { maxResults: 0 })).code).toBe('InvalidParameterValue');
    const foreign = describeVpcEndpoints(ctxFor(world, ACCOUNT_A, T0), { maxResults: 1 }).nextToken!;
    expect(codeOf(() => detailsOf(world, { nextToken: foreign })).code).toBe('InvalidPaginationToken');
  });

  it('ServiceRegions: cross-Region services of another Region carry ServiceRegion; no Gateway across Regions [doc: PrivateLink Guide "Cross-region enabled AWS services"]', () => {
    const page = detailsOf(ec2World(), { serviceRegions: ['us-west-2'] });
    expect(page.serviceNames).toEqual(['ecr.api', 'ecr.dkr', 'kms', 'lambda', 's3'].map((s) => svc(s, 'us-west-2')));
    expect(page.serviceDetails.every((d) => d.serviceRegion === 'us-west-2' && d.serviceType[0]!.serviceType === 'Interface')).toBe(true);
    expect(detailsOf(ec2World(), { serviceRegions: ['us-west-2'], filters: [{ name: 'service-region', values: ['us-west-2'] }] }).serviceNames).toHaveLength(5);
    // The caller's own Region listed explicitly is the ordinary catalogue.
    expect(detailsOf(ec2World(), { serviceRegions: [R] }).serviceNames).toEqual(detailsOf().serviceNames);
  });

  it('DryRun answers DryRunOperation with HTTP 412 [doc: model DryRun]', () => {
    expect(codeOf(() => detailsOf(ec2World(), { dryRun: true }))).toMatchObject({ code: 'DryRunOperation', status: 412 });
  });
});

async function sdkError(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the call to fail');
}

describe('DescribeVpcEndpointServices over HTTP with @aws-sdk/client-ec2', () => {
  let twin: TestTwin;
  let ec2: EC2Client;
  beforeAll(async () => {
    twin = await startTestTwin({ world: ec2World() });
    ec2 = twin.ec2(0);
  });
  afterAll(async () => {
    ec2?.destroy();
    await twin?.close();
  });

  it('parses ServiceNames (serviceNameSet) and ServiceDetails (serviceDetailSet) into the model types [doc: model locationNames]', async () => {
    const out = await ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [svc('s3'), svc('lambda')] }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.ServiceNames).toEqual([svc('lambda'), svc('s3'), svc('s3')]);
    const s3 = out.ServiceDetails!.find((d) => d.ServiceName === svc('s3') && d.ServiceType![0]!.ServiceType === 'Interface')!;
    expect(s3).toEqual({
      ServiceName: svc('s3'),
      ServiceId: expect.stringMatching(/^vpce-svc-[0-9a-f]{17}$/),
      ServiceType: [{ ServiceType: 'Interface' }],
      AvailabilityZones: [`${R}a`, `${R}b`, `${R}c`],
      Owner: 'amazon',
      BaseEndpointDnsNames: [`s3.${R}.vpce.amazonaws.com`],
      PrivateDnsName: `*.s3.${R}.amazonaws.com`,
      PrivateDnsNames: [{ PrivateDnsName: `*.s3.${R}.amazonaws.com` }, { PrivateDnsName: `s3.${R}.amazonaws.com` }],
      VpcEndpointPolicySupported: true,
      AcceptanceRequired: false,
      ManagesVpcEndpoints: false,
      Tags: [],
      PrivateDnsNameVerificationState: 'verified',
      SupportedIpAddressTypes: ['ipv4'],
    });
    expect(out.NextToken).toBeUndefined();
  });

  it('Filters and MaxResults/NextToken through the SDK serialiser: every service once, names and details in step [doc: model]', async () => {
    const pages: DescribeVpcEndpointServicesCommandOutput[] = [];
    let NextToken: string | undefined;
    do {
      const out = await ec2.send(
        new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: 'service-type', Values: ['Interface'] }], MaxResults: 5, NextToken }),
      );
      pages.push(out);
      NextToken = out.NextToken;
    } while (NextToken && pages.length < 10);
    const names = pages.flatMap((p) => p.ServiceNames!);
    expect(pages.flatMap((p) => p.ServiceDetails!.map((d) => d.ServiceName))).toEqual(names);
    expect(names).toEqual([...ENDPOINT_CATALOGUE.map((e) => svc(e.suffix)), svc('noprivatedns')].sort());
    expect(pages).toHaveLength(Math.ceil(names.length / 5));
  });

  it('errors reach the SDK by name: InvalidServiceName, InvalidFilter (400), DryRunOperation (412) [peer: terraform-provider-aws#24216, mondoohq/mql#4454; doc]', async () => {
    const bad = await sdkError(ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [svc('organizations')] })));
    expect(bad).toEqual({ name: 'InvalidServiceName', status: 400, message: `The Vpc Endpoint Service '${svc('organizations')}' does not exist` });
    const filter = await sdkError(ec2.send(new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] })));
    expect(filter).toMatchObject({ name: 'InvalidFilter', status: 400 });
    const dry = await sdkError(ec2.send(new DescribeVpcEndpointServicesCommand({ DryRun: true })));
    expect(dry).toMatchObject({ name: 'DryRunOperation', status: 412 });
  });
});

const cliAvailable = referee('aws', 'AWS CLI fidelity (EC2 endpoint services)');

describe.skipIf(!cliAvailable)('describe-vpc-endpoint-services through the AWS CLI', () => {
  let twin: TestTwin;
  const aws = (args: string[]): Promise<AwsCliResult> => awsCli(['ec2', ...args], twin.cli(0));
  beforeAll(async () => {
    twin = await startTestTwin({ world: ec2World() });
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('--service-names prints both S3 entries with their Private DNS fields as AWS does [doc: CLI example; peer: terraform-aws-vpc#579]', async () => {
    const r = await aws(['describe-vpc-endpoint-services', '--service-names', svc('s3')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.ServiceNames).toEqual([svc('s3'), svc('s3')]);
    const [gateway, iface] = r.json.ServiceDetails as ServiceDetail[];
    expect(gateway).toMatchObject({ ServiceType: [{ ServiceType: 'Gateway' }], Owner: 'amazon', BaseEndpointDnsNames: [`s3.${R}.amazonaws.com`] });
    expect(gateway).not.toHaveProperty('PrivateDnsName');
    expect(iface).toMatchObject({
      ServiceType: [{ ServiceType: 'Interface' }],
      PrivateDnsName: `*.s3.${R}.amazonaws.com`,
      PrivateDnsNames: [{ PrivateDnsName: `*.s3.${R}.amazonaws.com` }, { PrivateDnsName: `s3.${R}.amazonaws.com` }],
      PrivateDnsNameVerificationState: 'verified',
      VpcEndpointPolicySupported: true,
    });
  });

  it('--filters with --page-size: the CLI follows NextToken (botocore paginator) and merges names and details [doc: paginators-1.json]', async () => {
    const r = await aws(['describe-vpc-endpoint-services', '--filters', 'Name=service-type,Values=Interface', '--page-size', '4']);
    expect(r.code).toBe(0);
    const expected = [...ENDPOINT_CATALOGUE.map((e) => svc(e.suffix)), svc('noprivatedns')].sort();
    expect(r.json.ServiceNames).toEqual(expected);
    expect(r.json.ServiceDetails.map((d: ServiceDetail) => d.ServiceName)).toEqual(expected);
    const requests = twin.twin.log.filter((l) => l.operation === 'DescribeVpcEndpointServices' && l.body?.includes('MaxResults=4'));
    expect(requests).toHaveLength(Math.ceil(expected.length / 4));
  });

  it('an unknown service name and an unknown filter fail with EC2\'s codes [peer: aws-cdk#29524 CLI transcript]', async () => {
    const [name, filter] = await Promise.all([
      aws(['describe-vpc-endpoint-services', '--service-names', svc('migrationhub-strategy')]),
      aws(['describe-vpc-endpoint-services', '--filters', 'Name=vpc-id,Values=vpc-1']),
    ]);
    expect(name.code).not.toBe(0);
    expect(cliErrorCode(name.stderr)).toBe('InvalidServiceName');
    expect(name.stderr).toContain(`The Vpc Endpoint Service '${svc('migrationhub-strategy')}' does not exist`);
    expect(cliErrorCode(filter.stderr)).toBe('InvalidFilter');
  });
});

// ---------- moto differential ----------

const motoAvailable = referee('moto_server', 'moto differential (EC2 endpoint services)');






describe.skipIf(!motoAvailable)('DescribeVpcEndpointServices: twin vs moto_server', () => {
  let moto: MotoServer | undefined;
  let motoEc2: EC2Client;
  let twin: TestTwin;
  let twinEc2: EC2Client;
  const ask = (c: EC2Client) => c.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [svc('lambda'), svc('s3')] }));
  const pick = (out: DescribeVpcEndpointServicesCommandOutput, name: string, type: string) =>
    out.ServiceDetails!.find((d) => d.ServiceName === name && d.ServiceType![0]!.ServiceType === type)!;

  beforeAll(async () => {
    moto = await startMoto();
    const motoUrl = moto.url;
    motoEc2 = new EC2Client({ endpoint: motoUrl, region: R, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
    twin = await startTestTwin({ world: ec2World() });
    twinEc2 = twin.ec2(0);
  });

  afterAll(async () => {
    motoEc2?.destroy();
    twinEc2?.destroy();
    await twin?.close();
    await moto?.stop();
  });

  it('both answer lambda once and s3 twice (Gateway + Interface) in ServiceNames [peer: terraform-aws-vpc#579]', async () => {
    const [t, m] = await Promise.all([ask(twinEc2), ask(motoEc2)]);
    expect(t.ServiceNames).toEqual([svc('lambda'), svc('s3'), svc('s3')]);
    expect(m.ServiceNames).toEqual(t.ServiceNames);
    // Deliberate difference: AWS lists the S3 Gateway before the Interface entry [peer:
    // terraform-aws-vpc#579 output, eksctl fixture]; moto lists the Interface first.
    expect(t.ServiceDetails!.map((d) => d.ServiceType![0]!.ServiceType)).toEqual(['Interface', 'Gateway', 'Interface']);
    expect(m.ServiceDetails!.map((d) => d.ServiceType![0]!.ServiceType)).toEqual(['Interface', 'Interface', 'Gateway']);
  });

  it('lambda: same fields, types and values; the twin adds SupportedIpAddressTypes as AWS shows it [doc: PrivateLink Guide]', async () => {
    const [t, m] = await Promise.all([ask(twinEc2), ask(motoEc2)]);
    const tl = pick(t, svc('lambda'), 'Interface');
    const ml = pick(m, svc('lambda'), 'Interface');
    expect(compareShapes(tl, ml)).toEqual({ extraInTwin: ['SupportedIpAddressTypes'], missingInTwin: [] });
    for (const k of [
      'ServiceName',
      'ServiceType',
      'Owner',
      'BaseEndpointDnsNames',
      'PrivateDnsName',
      'PrivateDnsNames',
      'VpcEndpointPolicySupported',
      'AcceptanceRequired',
      'ManagesVpcEndpoints',
      'Tags',
      'PrivateDnsNameVerificationState',
    ] as const) {
      expect({ [k]: tl[k] }).toEqual({ [k]: ml[k] });
    }
    expect(tl.ServiceId).toMatch(/^vpce-svc-[0-9a-f]{17}$/);
    expect(ml.ServiceId).toMatch(/^vpce-svc-[0-9a-f]+$/);
    // Both offer the Region's first zones; how many zones a Region has is not modelled by the twin.
    expect(ml.AvailabilityZones).toEqual(expect.arrayContaining(tl.AvailabilityZones!));
  });

  it('s3 Interface: same shape; the twin reports the wildcard name too, moto only the regional one [peer: eksctl ecr.dkr fixture; unconfirmed for s3]', async () => {
    const [t, m] = await Promise.all([ask(twinEc2), ask(motoEc2)]);
    const ti = pick(t, svc('s3'), 'Interface');
    const mi = pick(m, svc('s3'), 'Interface');
    expect(compareShapes(ti, mi)).toEqual({ extraInTwin: ['SupportedIpAddressTypes'], missingInTwin: [] });
    expect(ti.BaseEndpointDnsNames).toEqual(mi.BaseEndpointDnsNames);
    // moto's factory gives every service one name ("Don't know how private DNS names are
    // different"); S3's Private DNS serves the bucket wildcard as well [aws-api.md §4].
    expect(mi.PrivateDnsNames).toEqual([{ PrivateDnsName: `s3.${R}.amazonaws.com` }]);
    expect(ti.PrivateDnsNames!.map((n) => n.PrivateDnsName).sort()).toEqual([`*.s3.${R}.amazonaws.com`, `s3.${R}.amazonaws.com`]);
  });

  it('s3 Gateway: the twin omits Private DNS and reports the public base name as AWS does; moto reports both as for an interface [doc: CLI example (dynamodb Gateway); peer: terraform-aws-vpc#579]', async () => {
    const [t, m] = await Promise.all([ask(twinEc2), ask(motoEc2)]);
    const tg = pick(t, svc('s3'), 'Gateway');
    const mg = pick(m, svc('s3'), 'Gateway');
    expect(compareShapes(tg, mg)).toEqual({
      extraInTwin: ['SupportedIpAddressTypes'],
      missingInTwin: ['PrivateDnsName', 'PrivateDnsNameVerificationState', 'PrivateDnsNames'],
    });
    expect(tg.BaseEndpointDnsNames).toEqual([`s3.${R}.amazonaws.com`]);
    expect(mg.BaseEndpointDnsNames).toEqual([`s3.${R}.vpce.amazonaws.com`]);
  });

  it('error codes agree: InvalidServiceName for an unknown service, InvalidFilter for an unknown filter [peer: terraform-provider-aws#24216, mondoohq/mql#4454]', async () => {
    // (moto's catalogue is far larger than the twin's, so the name must be one neither knows.)
    const calls = (c: EC2Client) => [
      c.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [svc('no-such-service')] })),
      c.send(new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] })),
    ];
    const twinCodes = await Promise.all(calls(twinEc2).map(errorName));
    expect(twinCodes).toEqual(['InvalidServiceName', 'InvalidFilter']);
    expect(await Promise.all(calls(motoEc2).map(errorName))).toEqual(twinCodes);
  });
});
