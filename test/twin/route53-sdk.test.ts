// Route 53 over HTTP with the official @aws-sdk/client-route-53: every operation, success and
// error paths, parsed by the SDK without complaint; plus signed raw requests for what the SDK
// never sends (malformed XML, prefixed ids in the path).
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  CreateVPCAssociationAuthorizationCommand,
  DeleteHostedZoneCommand,
  DeleteVPCAssociationAuthorizationCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesByVPCCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListVPCAssociationAuthorizationsCommand,
  paginateListHostedZones,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import { AwsApiError } from '../../src/twin/errors.js';
import { route53FrontEnd } from '../../src/twin/wire/route53.js';
import type { World } from '../../src/twin/world.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { ACCOUNT_A, ENDPOINT_NAME, ENDPOINT_VPC, REGION, VPC, ctxFor, route53World } from './route53-fixtures.js';

let t: TestTwin;
let world: World;
let clock: ManualClock;
let a: Route53Client;
let b: Route53Client;
let c: Route53Client;
let seq = 0;

beforeAll(async () => {
  world = route53World();
  // SigV4 allows 15 minutes of skew: the tests only move the clock by seconds.
  clock = new ManualClock(Date.now());
  t = await startTestTwin({ world, clock });
  [a, b, c] = [t.route53(0), t.route53(1), t.route53(2)];
});
afterAll(async () => t?.close());
beforeEach(() => {
  world.rules.priorRequestNotComplete = false;
  world.rules.denyCrossAccountGetChange = true;
});

async function sdkError(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

async function newZone(client = a, vpcId: string = VPC.a1, name = `z${++seq}.corp.internal`) {
  const out = await client.send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: `ref-${++seq}`, VPC: { VPCId: vpcId, VPCRegion: REGION }, HostedZoneConfig: { Comment: 'test' } }),
  );
  return { id: out.HostedZone!.Id!, name: out.HostedZone!.Name!, out };
}

/** A SigV4-signed request the SDK would never send. */
async function raw(method: string, path: string, body = '', account = 0) {
  const acct = t.accounts[account]!;
  const url = new URL(t.url);
  const signer = new SignatureV4({
    service: 'route53',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey },
  });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: {},
    headers: { host: url.host, 'content-type': 'text/xml' },
    body,
  });
  const res = await fetch(t.url + path, { method, headers: signed.headers, body: method === 'GET' ? undefined : body });
  return { status: res.status, text: await res.text(), requestId: res.headers.get('x-amzn-requestid') };
}

describe('CreateHostedZone / GetHostedZone / DeleteHostedZone', () => {
  it('CreateHostedZone with a VPC answers 201, a Location header and /hostedzone/, /change/ ids [doc: model]', async () => {
    const { out, id } = await newZone();
    expect(id).toMatch(/^\/hostedzone\/Z[A-Z0-9]+$/);
    expect(out.Location).toBe(`https://route53.amazonaws.com/2013-04-01/hostedzone/${id.slice('/hostedzone/'.length)}`);
    expect(out.ChangeInfo).toMatchObject({ Id: expect.stringMatching(/^\/change\/C[A-Z0-9]+$/), Status: 'PENDING' });
    expect(out.ChangeInfo!.SubmittedAt).toBeInstanceOf(Date);
    expect(out.HostedZone).toMatchObject({ Config: { PrivateZone: true, Comment: 'test' }, ResourceRecordSetCount: 2 });
    expect(out.VPC).toEqual({ VPCId: VPC.a1, VPCRegion: REGION });
    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out.$metadata.requestId).toMatch(/.+/);
  });

  it('CreateHostedZone errors: HostedZoneAlreadyExists (409), InvalidVPCId, ConflictingDomainExists, InvalidDomainName', async () => {
    await a.send(new CreateHostedZoneCommand({ Name: 'dupref.internal', CallerReference: 'dupref', VPC: { VPCId: VPC.a1, VPCRegion: REGION } }));
    expect(await sdkError(a.send(new CreateHostedZoneCommand({ Name: 'other.internal', CallerReference: 'dupref', VPC: { VPCId: VPC.a1, VPCRegion: REGION } })))).toMatchObject({
      name: 'HostedZoneAlreadyExists',
      status: 409,
    });
    expect((await sdkError(newZone(a, 'vpc-0ffffffffffffffff'))).name).toBe('InvalidVPCId');
    expect((await sdkError(newZone(a, ENDPOINT_VPC, ENDPOINT_NAME))).name).toBe('ConflictingDomainExists');
    expect((await sdkError(newZone(a, VPC.a1, 'bad..name'))).name).toBe('InvalidDomainName');
  });

  it('GetHostedZone of a private zone returns its VPCs (VPCRegion, VPCId) [doc]', async () => {
    const { id } = await newZone();
    await a.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: id, VPC: { VPCId: VPC.a2, VPCRegion: REGION } }));
    const out = await a.send(new GetHostedZoneCommand({ Id: id }));
    expect(out.HostedZone!.Id).toBe(id);
    expect(out.VPCs).toEqual([
      { VPCId: VPC.a1, VPCRegion: REGION },
      { VPCId: VPC.a2, VPCRegion: REGION },
    ]);
    expect(out.DelegationSet).toBeUndefined();
  });

  it('GetHostedZone errors: NoSuchHostedZone (404); another account gets AccessDenied (403)', async () => {
    expect(await sdkError(a.send(new GetHostedZoneCommand({ Id: 'Z0000000000000000NONE' })))).toMatchObject({ name: 'NoSuchHostedZone', status: 404 });
    const { id } = await newZone();
    expect(await sdkError(b.send(new GetHostedZoneCommand({ Id: id })))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('DeleteHostedZone: HostedZoneNotEmpty with records, then PENDING change; NoSuchHostedZone after', async () => {
    const { id, name } = await newZone();
    await a.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: id,
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: `x.${name}`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.1.1.1' }] } }] },
      }),
    );
    expect(await sdkError(a.send(new DeleteHostedZoneCommand({ Id: id })))).toMatchObject({ name: 'HostedZoneNotEmpty', status: 400 });
    await a.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: id,
        ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: { Name: `x.${name}`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.1.1.1' }] } }] },
      }),
    );
    const out = await a.send(new DeleteHostedZoneCommand({ Id: id }));
    expect(out.ChangeInfo!.Status).toBe('PENDING');
    expect((await sdkError(a.send(new DeleteHostedZoneCommand({ Id: id })))).name).toBe('NoSuchHostedZone');
  });
});

describe('GetChange', () => {
  it('PENDING, then INSYNC once the twin clock passes the propagation delay [doc]', async () => {
    const { out } = await newZone();
    const id = out.ChangeInfo!.Id!;
    expect((await a.send(new GetChangeCommand({ Id: id }))).ChangeInfo!.Status).toBe('PENDING');
    clock.advance(world.delays.changeInsyncMs);
    const done = await a.send(new GetChangeCommand({ Id: id }));
    expect(done.ChangeInfo).toMatchObject({ Id: id, Status: 'INSYNC' });
  });

  it('NoSuchChange (404); a cross-account caller is AccessDenied (403) [peer: zone_association.go]', async () => {
    expect(await sdkError(a.send(new GetChangeCommand({ Id: '/change/C00000000000000NONE' })))).toMatchObject({ name: 'NoSuchChange', status: 404 });
    const { out } = await newZone();
    expect(await sdkError(b.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id! })))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });
});

describe('ListHostedZones / ListHostedZonesByName', () => {
  it('the SDK paginator walks Marker/NextMarker; only the caller’s zones appear [doc]', async () => {
    const mine = [await newZone(), await newZone(), await newZone()].map((z) => z.id);
    await newZone(b, VPC.b1);
    const seen: string[] = [];
    for await (const page of paginateListHostedZones({ client: a, pageSize: 2 }, {})) {
      expect(page.MaxItems).toBe(2);
      seen.push(...page.HostedZones!.map((z) => z.Id!));
    }
    expect(seen).toEqual(expect.arrayContaining(mine));
    const all = world.zones.filter((z) => z.ownerId === ACCOUNT_A).map((z) => `/hostedzone/${z.id}`);
    expect(seen.sort()).toEqual(all.sort());
    expect((await sdkError(a.send(new ListHostedZonesCommand({ MaxItems: 0 })))).name).toBe('InvalidInput');
  });

  it('ListHostedZonesByName sorts by reversed labels and pages with NextDNSName/NextHostedZoneId [doc]', async () => {
    const names = ['m.byname.test', 'a.byname.test', 'byname.test'];
    for (const n of names) await newZone(a, VPC.a4, n);
    const first = await a.send(new ListHostedZonesByNameCommand({ DNSName: 'byname.test', MaxItems: 2 }));
    expect(first.HostedZones!.map((z) => z.Name)).toEqual(['byname.test.', 'a.byname.test.']);
    expect(first).toMatchObject({ IsTruncated: true, NextDNSName: 'm.byname.test.', DNSName: 'byname.test' });
    const next = await a.send(new ListHostedZonesByNameCommand({ DNSName: first.NextDNSName, HostedZoneId: first.NextHostedZoneId, MaxItems: 1 }));
    expect(next.HostedZones!.map((z) => z.Name)).toEqual(['m.byname.test.']);
    expect((await sdkError(a.send(new ListHostedZonesByNameCommand({ HostedZoneId: 'Z123' })))).name).toBe('InvalidInput');
  });
});

describe('VPC associations over the wire', () => {
  it('Associate / Disassociate return PENDING ChangeInfo; repeats are ConflictingDomainExists / VPCAssociationNotFound', async () => {
    const { id } = await newZone();
    const assoc = await a.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: id, VPC: { VPCId: VPC.a2, VPCRegion: REGION }, Comment: 'hi' }));
    expect(assoc.ChangeInfo).toMatchObject({ Status: 'PENDING', Comment: 'hi' });
    const again = await sdkError(a.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: id, VPC: { VPCId: VPC.a2, VPCRegion: REGION } })));
    expect(again).toMatchObject({ name: 'ConflictingDomainExists', status: 400 });
    expect(again.message).toContain(VPC.a2);
    const dis = await a.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: id, VPC: { VPCId: VPC.a2, VPCRegion: REGION } }));
    expect(dis.ChangeInfo!.Status).toBe('PENDING');
    expect(await sdkError(a.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: id, VPC: { VPCId: VPC.a2, VPCRegion: REGION } })))).toMatchObject({
      name: 'VPCAssociationNotFound',
      status: 404,
    });
    expect((await sdkError(a.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: id, VPC: { VPCId: VPC.a1, VPCRegion: REGION } })))).name).toBe(
      'LastVPCAssociation',
    );
    expect((await sdkError(a.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: id, VPC: { VPCId: 'vpc-nope', VPCRegion: REGION } })))).name).toBe(
      'InvalidVPCId',
    );
    expect((await sdkError(a.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: 'ZNONE', VPC: { VPCId: VPC.a2, VPCRegion: REGION } })))).name).toBe(
      'NoSuchHostedZone',
    );
  });

  it('cross-account: NotAuthorizedException (401) without authorization; authorize, associate, list, deauthorize [doc]', async () => {
    const { id } = await newZone();
    const vpcB = { VPCId: VPC.b2, VPCRegion: REGION as 'us-east-1' };
    expect(await sdkError(b.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: id, VPC: vpcB })))).toMatchObject({
      name: 'NotAuthorizedException',
      status: 401,
    });
    expect((await sdkError(a.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: id, VPC: vpcB })))).name).toBe('NotAuthorizedException');
    const auth = await a.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: id, VPC: vpcB }));
    expect(auth).toMatchObject({ HostedZoneId: id.slice('/hostedzone/'.length), VPC: vpcB });
    const listed = await a.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: id }));
    expect(listed.VPCs).toEqual([vpcB]);
    const change = await b.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: id, VPC: vpcB }));
    expect((await sdkError(b.send(new GetChangeCommand({ Id: change.ChangeInfo!.Id! })))).name).toBe('AccessDenied');
    await a.send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: id, VPC: vpcB }));
    expect((await a.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: id }))).VPCs).toEqual([]);
    expect((await a.send(new GetHostedZoneCommand({ Id: id }))).VPCs!.map((v) => v.VPCId)).toContain(VPC.b2);
    expect(await sdkError(a.send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: id, VPC: vpcB })))).toMatchObject({
      name: 'VPCAssociationAuthorizationNotFound',
      status: 404,
    });
    expect((await sdkError(b.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: id })))).name).toBe('AccessDenied');
    expect((await sdkError(b.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: id, VPC: vpcB })))).name).toBe('AccessDenied');

    const byVpc = await b.send(new ListHostedZonesByVPCCommand({ VPCId: VPC.b2, VPCRegion: REGION }));
    expect(byVpc.HostedZoneSummaries).toContainEqual({ HostedZoneId: id.slice('/hostedzone/'.length), Name: expect.any(String), Owner: { OwningAccount: ACCOUNT_A } });
    await b.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: id, VPC: vpcB }));
    expect((await b.send(new ListHostedZonesByVPCCommand({ VPCId: VPC.b2, VPCRegion: REGION }))).HostedZoneSummaries).toEqual([]);
    expect(await sdkError(c.send(new ListHostedZonesByVPCCommand({ VPCId: VPC.b2, VPCRegion: REGION })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect((await sdkError(b.send(new ListHostedZonesByVPCCommand({ VPCId: VPC.b2, VPCRegion: REGION, NextToken: 'bad' })))).name).toBe(
      'InvalidPaginationToken',
    );
  });

  it('ListVPCAssociationAuthorizations pages with MaxResults/NextToken [doc]', async () => {
    const { id } = await newZone();
    for (const v of [VPC.b1, VPC.b2]) await a.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: id, VPC: { VPCId: v, VPCRegion: REGION } }));
    const first = await a.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: id, MaxResults: 1 }));
    expect(first.VPCs).toHaveLength(1);
    expect(first.NextToken).toBeTruthy();
    const second = await a.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: id, MaxResults: 1, NextToken: first.NextToken }));
    expect(second.VPCs).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    expect([...first.VPCs!, ...second.VPCs!].map((v) => v.VPCId).sort()).toEqual([VPC.b1, VPC.b2]);
  });

  it('PriorRequestNotComplete reaches the SDK as its modelled error (400)', async () => {
    world.rules.priorRequestNotComplete = true;
    const { id, name } = await newZone();
    const change = (n: string) =>
      a.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: id,
          ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: `${n}.${name}`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }] },
        }),
      );
    await change('one');
    expect(await sdkError(change('two'))).toMatchObject({ name: 'PriorRequestNotComplete', status: 400 });
    clock.advance(world.delays.changeInsyncMs);
    await change('two');
  });
});

describe('records over the wire', () => {
  it('ChangeResourceRecordSets: alias records round-trip; wildcards come back as \\052; the SDK paginator walks the zone [doc]', async () => {
    const { id } = await newZone(a, VPC.a4, 's3.us-east-1.amazonaws.com');
    const alias = { HostedZoneId: 'Z7HUB22UULQXV', DNSName: 'vpce-0e1-abcd.s3.us-east-1.vpce.amazonaws.com', EvaluateTargetHealth: true };
    const out = await a.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: id,
        ChangeBatch: {
          Comment: 'aliases',
          Changes: [
            { Action: 'CREATE', ResourceRecordSet: { Name: 's3.us-east-1.amazonaws.com', Type: 'A', AliasTarget: alias } },
            { Action: 'CREATE', ResourceRecordSet: { Name: '*.s3.us-east-1.amazonaws.com', Type: 'A', AliasTarget: alias } },
            { Action: 'UPSERT', ResourceRecordSet: { Name: 'txt.s3.us-east-1.amazonaws.com', Type: 'TXT', TTL: 30, ResourceRecords: [{ Value: '"hello"' }] } },
          ],
        },
      }),
    );
    expect(out.ChangeInfo).toMatchObject({ Status: 'PENDING', Comment: 'aliases' });
    const list = await a.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    expect(list.ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`)).toEqual([
      's3.us-east-1.amazonaws.com. A',
      's3.us-east-1.amazonaws.com. NS',
      's3.us-east-1.amazonaws.com. SOA',
      '\\052.s3.us-east-1.amazonaws.com. A',
      'txt.s3.us-east-1.amazonaws.com. TXT',
    ]);
    expect(list.ResourceRecordSets![0]!.AliasTarget).toEqual({ ...alias, DNSName: alias.DNSName + '.' });
    expect(list.ResourceRecordSets![4]).toMatchObject({ TTL: 30, ResourceRecords: [{ Value: '"hello"' }] });
    // The JS SDK has no paginator for this composite token: page the way botocore's paginator does.
    const pages: string[][] = [];
    let start: { StartRecordName?: string; StartRecordType?: RRType } = {};
    for (let i = 0; i < 10; i++) {
      const page = await a.send(new ListResourceRecordSetsCommand({ HostedZoneId: id, MaxItems: 2, ...start }));
      pages.push(page.ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`));
      if (!page.IsTruncated) break;
      start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
    }
    expect(pages.flat()).toEqual(list.ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`));
    expect(pages).toHaveLength(3);
  });

  it('ChangeResourceRecordSets errors: InvalidChangeBatch with AWS’s message, InvalidInput, NoSuchHostedZone, AccessDenied', async () => {
    const { id, name } = await newZone();
    const rrs = { Name: `a.${name}`, Type: 'A' as const, TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] };
    await a.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: rrs }] } }));
    const dup = await sdkError(a.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: rrs }] } })));
    expect(dup).toMatchObject({ name: 'InvalidChangeBatch', status: 400 });
    expect(dup.message).toBe(`[Tried to create resource record set [name='a.${name}', type='A'] but it already exists]`);
    const shape = await sdkError(
      a.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: `b.${name}`, Type: 'A' } }] } })),
    );
    expect(shape.name).toBe('InvalidInput');
    expect((await sdkError(a.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: [] } })))).name).toBe('InvalidInput');
    expect(
      (await sdkError(a.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'ZNONE', ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: rrs }] } })))).name,
    ).toBe('NoSuchHostedZone');
    expect(
      (await sdkError(b.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: rrs }] } })))).name,
    ).toBe('AccessDenied');
    expect((await sdkError(a.send(new ListResourceRecordSetsCommand({ HostedZoneId: id, StartRecordType: 'A' })))).name).toBe('InvalidInput');
    expect((await sdkError(a.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'ZNONE' })))).name).toBe('NoSuchHostedZone');
  });
});

describe('requests the SDK never sends', () => {
  it('a prefixed, percent-encoded id in the path is accepted like a bare one', async () => {
    const { id } = await newZone();
    const res = await raw('GET', `/2013-04-01/hostedzone/${encodeURIComponent(id)}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<Id>${id}</Id>`);
  });

  it('unparseable XML is MalformedInput "Could not parse XML" (400), never a crash [peer: erlcloud#592]', async () => {
    const res = await raw('POST', '/2013-04-01/hostedzone', '<CreateHostedZoneRequest><Name>x');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>MalformedInput</Code>');
    expect(res.text).toContain('<Message>Could not parse XML</Message>');
    expect(res.text).toMatch(/<ErrorResponse xmlns="https:\/\/route53\.amazonaws\.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type>/);
    expect(res.text).toContain(`<RequestId>${res.requestId}</RequestId>`);
  });

  it('the wrong root element is MalformedInput "X is not valid, expected YRequest" [peer: aws-sdk-perl#204]', async () => {
    const res = await raw('POST', '/2013-04-01/hostedzone', '<ChangeBatch xmlns="https://route53.amazonaws.com/doc/2013-04-01/"/>');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Message>ChangeBatch is not valid, expected CreateHostedZoneRequest</Message>');
  });

  it('a root without the 2013-04-01 namespace, or a missing required element, is InvalidInput "Invalid XML ; …" [peer: boto#384, aws-sdk-js#71]', async () => {
    const noNs = await raw('POST', '/2013-04-01/hostedzone', '<CreateHostedZoneRequest><Name>a.b</Name></CreateHostedZoneRequest>');
    expect(noNs.status).toBe(400);
    expect(noNs.text).toContain('<Code>InvalidInput</Code>');
    expect(noNs.text).toContain('<Message>Invalid XML ; cvc-elt.1: Cannot find the declaration of element &apos;CreateHostedZoneRequest&apos;.</Message>');
    const { id } = await newZone();
    const missing = await raw(
      'POST',
      `/2013-04-01/hostedzone/${id.slice('/hostedzone/'.length)}/associatevpc`,
      '<AssociateVPCWithHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Comment>x</Comment></AssociateVPCWithHostedZoneRequest>',
    );
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('<Code>InvalidInput</Code>');
    expect(missing.text).toContain('The content of element &apos;AssociateVPCWithHostedZoneRequest&apos; is not complete');
    const badTtl = await raw(
      'POST',
      `/2013-04-01/hostedzone/${id.slice('/hostedzone/'.length)}/rrset/`,
      `<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet><Name>q.example</Name><Type>A</Type><TTL>soon</TTL></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`,
    );
    expect(badTtl.text).toContain('<Code>InvalidInput</Code>');
  });

  it('an empty body on a POST is MalformedInput', async () => {
    const res = await raw('POST', '/2013-04-01/hostedzone', '');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>MalformedInput</Code>');
  });
});

describe('the wire never crashes on odd input', () => {
  it('every operation answers garbage bodies, paths and queries with an AwsApiError, never another exception', () => {
    const bodies = [
      '',
      'not xml',
      '<?xml version="1.0"?>',
      '<a><b></a>',
      '<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name><x/></Name></CreateHostedZoneRequest>',
      '<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change>x</Change><Change/></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>',
      '<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch>text</ChangeBatch></ChangeResourceRecordSetsRequest>',
      '<AssociateVPCWithHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><VPC><VPCId>a</VPCId><VPCId>b</VPCId></VPC></AssociateVPCWithHostedZoneRequest>',
      '<AssociateVPCWithHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><VPC/></AssociateVPCWithHostedZoneRequest>',
    ];
    const paths = ['/2013-04-01/hostedzone/%E0%A4%A', '/2013-04-01/hostedzone/Z1', '/2013-04-01/hostedzone/%2Fhostedzone%2F', '/2013-04-01/change/%00'];
    const suffixes = ['', '/associatevpc', '/disassociatevpc', '/rrset/', '/rrset', '/authorizevpcassociation', '/deauthorizevpcassociation'];
    const queries = ['', 'maxitems=-1', 'maxitems=abc&marker=%2F%2F', 'name=..&type=BOGUS', 'vpcid=&vpcregion=x', 'nexttoken=%FF', 'dnsname=a..b&hostedzoneid=Z'];
    const ctx = ctxFor(world, ACCOUNT_A, clock.now());
    let answered = 0;
    for (const method of ['GET', 'POST', 'DELETE']) {
      for (const base of [...paths, '/2013-04-01/hostedzone', '/2013-04-01/hostedzonesbyname', '/2013-04-01/hostedzonesbyvpc']) {
        for (const suffix of suffixes) {
          for (const q of queries) {
            for (const body of method === 'POST' ? bodies : ['']) {
              const req = { method, path: base + suffix, query: new URLSearchParams(q), headers: {}, body: Buffer.from(body) };
              const op = route53FrontEnd.operationOf(req);
              if (!op) continue;
              try {
                route53FrontEnd.handle(op, req, ctx);
              } catch (e) {
                if (!(e instanceof AwsApiError)) throw new Error(`${op} ${method} ${req.path}?${q} crashed on ${JSON.stringify(body)}: ${e}`);
                expect(route53FrontEnd.renderError(e, 'r').body).toContain(`<Code>${e.code}</Code>`);
              }
              answered++;
            }
          }
        }
      }
    }
    expect(answered).toBeGreaterThan(500);
  });
});
