// Record sets with routing policies (weighted, latency, failover, geolocation, multivalue, IP-based,
// geoproximity): the rules as pure functions, then the official SDK over HTTP, then the AWS CLI.
// Sources (docs/aws-facts.md §Routing policies):
// - Identity (name, type, SetIdentifier) and the policy fields: model ResourceRecordSet (SetIdentifier,
//   Weight 0-255, Region, GeoLocation, Failover, MultiValueAnswer, HealthCheckId, CidrRoutingConfig,
//   GeoProximityLocation); NextRecordIdentifier / StartRecordIdentifier: model ListResourceRecordSets.
// - "Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer,
//   GeoProximityLocation, or CidrRoutingConfig], but found none": a 2025 field log (ministryofjustice
//   cloud-platform script), and an older form in a 2023 blog log.
// - "Missing field 'SetIdentifier'": ansible-collections/community.aws#615.
// - "… cannot be created as other RRSets exist with the same name and type.": chef-boneyard/route53#100,
//   kubernetes-sigs/external-dns#4058. "… SetIdentifier X cannot be created as a non-weighted set
//   exists with the same name and type.": external-dns#3141, #4345. "…, and Region Name=… cannot be
//   created because a non-latency RRSet with the same name and type already exists.": the 2025 log.
// - The label "[name='…', type='A', set-identifier='…']" in "already exists"/"not found": field logs.
// - DELETE needs every value as created: API ChangeResourceRecordSets.
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import { AwsApiError } from '../../src/twin/errors.js';
import * as r53 from '../../src/twin/ops/route53.js';
import type { World } from '../../src/twin/world.js';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { ACCOUNT_A, REGION, VPC, ctxFor, route53World } from './route53-fixtures.js';

function awsError(fn: () => unknown): AwsApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsApiError) return e;
    throw e;
  }
  throw new Error('expected an AwsApiError, but the call succeeded');
}

function expectError(fn: () => unknown, code: string, status = 400): AwsApiError {
  const e = awsError(fn);
  expect({ code: e.code, status: e.httpStatus }).toEqual({ code, status });
  return e;
}

const weighted = (name: string, id: string, weight: number, value: string, extra: Partial<r53.RecordSetInput> = {}): r53.RecordSetInput => ({
  name,
  type: 'A',
  setIdentifier: id,
  routing: { weight },
  ttl: 60,
  values: [value],
  ...extra,
});

describe('routing-policy rules (ops)', () => {
  let world: World;
  let zoneId: string;
  const Z = 'rp.internal';
  const as = () => ctxFor(world, ACCOUNT_A, Date.UTC(2026, 0, 1));
  const apply = (...changes: [string, r53.RecordSetInput][]) =>
    r53.changeResourceRecordSets(as(), { zoneId, changes: changes.map(([action, recordSet]) => ({ action, recordSet })) });
  const records = (name: string) => world.zones[0]!.records.filter((r) => r.name === `${name}.`);

  beforeEach(() => {
    world = route53World();
    world.rules.priorRequestNotComplete = false;
    zoneId = r53.createHostedZone(as(), { name: Z, callerReference: 'rp', vpc: { vpcId: VPC.a1, vpcRegion: REGION } }).zone.id;
  });

  it('identity is (name, type, SetIdentifier): weighted record sets of one name and type coexist; CREATE of a taken triple is "already exists" with set-identifier in the label [doc: model SetIdentifier]', () => {
    apply(['CREATE', weighted(`w.${Z}`, 'blue', 200, '10.0.0.1')], ['CREATE', weighted(`w.${Z}`, 'green', 55, '10.0.0.2')]);
    expect(records(`w.${Z}`).map((r) => [r.setIdentifier, r.routing])).toEqual([
      ['blue', { weight: 200 }],
      ['green', { weight: 55 }],
    ]);
    const e = expectError(() => apply(['CREATE', weighted(`w.${Z}`, 'blue', 1, '10.9.9.9')]), 'InvalidChangeBatch');
    expect(e.message).toBe(`[Tried to create resource record set [name='w.${Z}.', type='A', set-identifier='blue'] but it already exists]`);
  });

  it('UPSERT replaces only the record set with the same SetIdentifier', () => {
    apply(['CREATE', weighted(`w.${Z}`, 'blue', 200, '10.0.0.1')], ['CREATE', weighted(`w.${Z}`, 'green', 55, '10.0.0.2')]);
    apply(['UPSERT', weighted(`w.${Z}`, 'green', 0, '10.0.0.3')]);
    expect(records(`w.${Z}`).map((r) => [r.setIdentifier, r.routing!.weight, r.values])).toEqual([
      ['blue', 200, ['10.0.0.1']],
      ['green', 0, ['10.0.0.3']],
    ]);
  });

  it('DELETE must match every field (weight, TTL, values, HealthCheckId) and a known SetIdentifier [doc: ChangeResourceRecordSets]', () => {
    apply(['CREATE', weighted(`w.${Z}`, 'blue', 200, '10.0.0.1', { healthCheckId: 'hc-1' })]);
    const label = `[name='w.${Z}.', type='A', set-identifier='blue']`;
    for (const wrong of [
      weighted(`w.${Z}`, 'blue', 199, '10.0.0.1', { healthCheckId: 'hc-1' }),
      weighted(`w.${Z}`, 'blue', 200, '10.0.0.1'),
      weighted(`w.${Z}`, 'blue', 200, '10.0.0.1', { healthCheckId: 'hc-1', ttl: 61 }),
      weighted(`w.${Z}`, 'blue', 200, '10.0.0.9', { healthCheckId: 'hc-1' }),
    ]) {
      const e = expectError(() => apply(['DELETE', wrong]), 'InvalidChangeBatch');
      expect(e.message).toBe(`[Tried to delete resource record set ${label} but the values provided do not match the current values]`);
    }
    const missing = expectError(() => apply(['DELETE', weighted(`w.${Z}`, 'red', 200, '10.0.0.1', { healthCheckId: 'hc-1' })]), 'InvalidChangeBatch');
    expect(missing.message).toBe(`[Tried to delete resource record set [name='w.${Z}.', type='A', set-identifier='red'] but it was not found]`);
    // A simple DELETE of the same name and type does not match a weighted record set either.
    expectError(() => apply(['DELETE', { name: `w.${Z}`, type: 'A', ttl: 60, values: ['10.0.0.1'] }]), 'InvalidChangeBatch');
    apply(['DELETE', weighted(`w.${Z}`, 'blue', 200, '10.0.0.1', { healthCheckId: 'hc-1' })]);
    expect(records(`w.${Z}`)).toEqual([]);
  });

  it('a SetIdentifier without a routing policy is InvalidInput "Expected exactly one of [Weight, …], but found none" [peer: field log 2025]', () => {
    const e = expectError(() => apply(['CREATE', { name: `s.${Z}`, type: 'TXT', setIdentifier: 'x', ttl: 60, values: ['"v"'] }]), 'InvalidInput');
    expect(e.message).toBe(
      `Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found none in Change with [Action=CREATE, Name=s.${Z}, Type=TXT, SetIdentifier=x]`,
    );
  });

  it('a routing policy without a SetIdentifier is InvalidInput "Missing field \'SetIdentifier\'" [peer: ansible-collections/community.aws#615]', () => {
    const e = expectError(() => apply(['UPSERT', { name: `p.${Z}`, type: 'A', routing: { weight: 1 }, ttl: 60, values: ['10.0.0.1'] }]), 'InvalidInput');
    expect(e.message).toBe(`Invalid request: Missing field 'SetIdentifier' in Change with [Action=UPSERT, Name=p.${Z}, Type=A, SetIdentifier=null]`);
  });

  it('two routing policies on one record set are InvalidInput "… but found more than one" [unconfirmed text, as for AliasTarget]', () => {
    const e = expectError(() => apply(['CREATE', weighted(`p.${Z}`, 'x', 1, '10.0.0.1', { routing: { weight: 1, failover: 'PRIMARY' } })]), 'InvalidInput');
    expect(e.message).toContain('but found more than one in Change with');
  });

  it('a simple record set among weighted ones: InvalidChangeBatch "… cannot be created as other RRSets exist with the same name and type." [peer: chef-boneyard/route53#100, external-dns#4058]', () => {
    apply(['CREATE', weighted(`w.${Z}`, 'blue', 200, '10.0.0.1')]);
    for (const action of ['CREATE', 'UPSERT']) {
      const e = expectError(() => apply([action, { name: `w.${Z}`, type: 'A', ttl: 60, values: ['10.0.0.9'] }]), 'InvalidChangeBatch');
      expect(e.message).toBe(`[RRSet with DNS name w.${Z}., type A cannot be created as other RRSets exist with the same name and type.]`);
    }
  });

  it('a weighted record set beside a simple one: "… SetIdentifier X cannot be created as a non-weighted set exists …" [peer: external-dns#3141]; latency beside weighted names the Region [peer: field log 2025]', () => {
    apply(['CREATE', { name: `m.${Z}`, type: 'A', ttl: 60, values: ['10.0.0.1'] }]);
    const e = expectError(() => apply(['UPSERT', weighted(`m.${Z}`, 'bananas', 255, '10.0.0.2')]), 'InvalidChangeBatch');
    expect(e.message).toBe(`[RRSet with DNS name m.${Z}., type A, SetIdentifier bananas cannot be created as a non-weighted set exists with the same name and type.]`);
    apply(['CREATE', weighted(`l.${Z}`, 'blue', 1, '10.0.0.1')]);
    const latency = expectError(
      () => apply(['CREATE', { name: `l.${Z}`, type: 'A', setIdentifier: 'east', routing: { region: 'us-east-1' }, ttl: 60, values: ['10.0.0.2'] }]),
      'InvalidChangeBatch',
    );
    expect(latency.message).toBe(
      `[RRSet with DNS name l.${Z}., type A, SetIdentifier east, and Region Name=us-east-1 cannot be created because a non-latency RRSet with the same name and type already exists.]`,
    );
    const failover = expectError(
      () => apply(['CREATE', { name: `l.${Z}`, type: 'A', setIdentifier: 'p', routing: { failover: 'PRIMARY' }, ttl: 60, values: ['10.0.0.2'] }]),
      'InvalidChangeBatch',
    );
    expect(failover.message).toContain('cannot be created because a non-failover RRSet with the same name and type already exists.');
  });

  it('converting a simple record set to weighted works as DELETE + CREATE in one batch, applied in order; the reverse order fails [doc: transactional changes]', () => {
    const simple = { name: `c.${Z}`, type: 'A', ttl: 60, values: ['10.0.0.1'] };
    apply(['CREATE', simple]);
    expectError(() => apply(['CREATE', weighted(`c.${Z}`, 'one', 1, '10.0.0.1')], ['DELETE', simple]), 'InvalidChangeBatch');
    apply(['DELETE', simple], ['CREATE', weighted(`c.${Z}`, 'one', 1, '10.0.0.1')], ['CREATE', weighted(`c.${Z}`, 'two', 1, '10.0.0.2')]);
    expect(records(`c.${Z}`).map((r) => r.setIdentifier)).toEqual(['one', 'two']);
    // Replacing the last weighted record set of a group by another policy is fine (no other member left).
    apply(['DELETE', weighted(`c.${Z}`, 'two', 1, '10.0.0.2')]);
    apply(['UPSERT', { name: `c.${Z}`, type: 'A', setIdentifier: 'one', routing: { failover: 'PRIMARY' }, ttl: 60, values: ['10.0.0.1'] }]);
    expect(records(`c.${Z}`)[0]!.routing).toEqual({ failover: 'PRIMARY' });
  });

  it('the model’s ranges and enumerations: Weight 0-255, SetIdentifier 1-128 characters, Failover PRIMARY|SECONDARY, Region from the list [doc: model]', () => {
    expect(expectError(() => apply(['CREATE', weighted(`r.${Z}`, 'x', 256, '10.0.0.1')]), 'InvalidInput').message).toBe(
      "1 validation error detected: Value '256' at 'changeBatch.changes.1.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255",
    );
    expectError(() => apply(['CREATE', weighted(`r.${Z}`, 'x', -1, '10.0.0.1')]), 'InvalidInput');
    expectError(() => apply(['CREATE', weighted(`r.${Z}`, 'x'.repeat(129), 1, '10.0.0.1')]), 'InvalidInput');
    expect(
      expectError(() => apply(['CREATE', { name: `r.${Z}`, type: 'A', setIdentifier: 'x', routing: { failover: 'TERTIARY' }, ttl: 60, values: ['10.0.0.1'] }]), 'InvalidInput')
        .message,
    ).toBe("Invalid XML ; cvc-enumeration-valid: Value 'TERTIARY' is not facet-valid with respect to enumeration '[PRIMARY, SECONDARY]'. It must be a value from the enumeration.");
    expectError(() => apply(['CREATE', { name: `r.${Z}`, type: 'A', setIdentifier: 'x', routing: { region: 'mars-1' }, ttl: 60, values: ['10.0.0.1'] }]), 'InvalidInput');
    apply(['CREATE', weighted(`r.${Z}`, 'zero', 0, '10.0.0.1')], ['CREATE', weighted(`r.${Z}`, 'max', 255, '10.0.0.2')]);
  });

  it('one PRIMARY and one SECONDARY, one latency record set per region, one geolocation record set per location [doc: model Failover, Region, GeoLocation; texts unconfirmed]', () => {
    const f = (id: string, failover: string) => ({ name: `f.${Z}`, type: 'A', setIdentifier: id, routing: { failover }, ttl: 60, values: ['10.0.0.1'] });
    apply(['CREATE', f('p', 'PRIMARY')], ['CREATE', f('s', 'SECONDARY')]);
    expect(expectError(() => apply(['CREATE', f('p2', 'PRIMARY')]), 'InvalidChangeBatch').message).toContain('PRIMARY failover RRSet with the same name and type already exists');
    const l = (id: string, region: string) => ({ name: `l.${Z}`, type: 'A', setIdentifier: id, routing: { region }, ttl: 60, values: ['10.0.0.1'] });
    apply(['CREATE', l('east', 'us-east-1')], ['CREATE', l('west', 'us-west-2')]);
    expectError(() => apply(['CREATE', l('east2', 'us-east-1')]), 'InvalidChangeBatch');
    const g = (id: string, geoLocation: object) => ({ name: `g.${Z}`, type: 'A', setIdentifier: id, routing: { geoLocation }, ttl: 60, values: ['10.0.0.1'] });
    apply(['CREATE', g('eu', { continentCode: 'EU' })], ['CREATE', g('default', { countryCode: '*' })], ['CREATE', g('va', { countryCode: 'US', subdivisionCode: 'VA' })]);
    expectError(() => apply(['CREATE', g('eu2', { continentCode: 'EU' })]), 'InvalidChangeBatch');
    expectError(() => apply(['CREATE', g('both', { continentCode: 'EU', countryCode: 'FR' })]), 'InvalidInput');
    expectError(() => apply(['CREATE', g('none', {})]), 'InvalidInput');
  });

  it('NS, SOA and DS take no routing policy; multivalue answer can be neither CNAME nor alias [doc: model Type, MultiValueAnswer]', () => {
    expectError(() => apply(['CREATE', { name: `d.${Z}`, type: 'NS', setIdentifier: 'x', routing: { weight: 1 }, ttl: 60, values: ['ns.example.'] }]), 'InvalidInput');
    expectError(() => apply(['CREATE', { name: `d.${Z}`, type: 'CNAME', setIdentifier: 'x', routing: { multiValueAnswer: true }, ttl: 60, values: ['x.example.'] }]), 'InvalidInput');
    expectError(
      () =>
        apply([
          'CREATE',
          { name: `d.${Z}`, type: 'A', setIdentifier: 'x', routing: { multiValueAnswer: true }, alias: { hostedZoneId: 'Z7HUB22UULQXV', dnsName: 'x.vpce.amazonaws.com', evaluateTargetHealth: true } },
        ]),
      'InvalidInput',
    );
    // Weighted alias record sets are fine [doc: model AliasTarget "weighted alias"].
    apply(['CREATE', { name: `d.${Z}`, type: 'A', setIdentifier: 'x', routing: { weight: 1 }, alias: { hostedZoneId: 'Z7HUB22UULQXV', dnsName: 'x.vpce.amazonaws.com', evaluateTargetHealth: true } }]);
  });

  it('every policy is kept verbatim: weighted, latency, failover with HealthCheckId, geolocation, multivalue, IP-based, geoproximity [doc: model ResourceRecordSet]', () => {
    const one = (name: string, id: string, routing: r53.RoutingInput, extra: Partial<r53.RecordSetInput> = {}) =>
      ['CREATE', { name: `${name}.${Z}`, type: 'A', setIdentifier: id, routing, ttl: 60, values: ['10.0.0.1'], ...extra }] as [string, r53.RecordSetInput];
    apply(
      one('wt', 'a', { weight: 7 }),
      one('lt', 'a', { region: 'eu-west-1' }),
      one('fo', 'a', { failover: 'SECONDARY' }, { healthCheckId: 'abcdef01-2345-6789-abcd-ef0123456789' }),
      one('geo', 'a', { geoLocation: { countryCode: 'US', subdivisionCode: 'VA' } }),
      one('mv', 'a', { multiValueAnswer: true }),
      one('ip', 'a', { cidrRoutingConfig: { collectionId: 'c8c02a84-aaaa-4a6b-9c55-000000000001', locationName: '*' } }),
      one('gp', 'a', { geoProximityLocation: { coordinates: { latitude: '49.22', longitude: '-74.01' }, bias: -10 } }),
    );
    const routing = Object.fromEntries(world.zones[0]!.records.filter((r) => r.setIdentifier).map((r) => [r.name.split('.')[0], r.routing]));
    expect(routing).toEqual({
      wt: { weight: 7 },
      lt: { region: 'eu-west-1' },
      fo: { failover: 'SECONDARY' },
      geo: { geoLocation: { countryCode: 'US', subdivisionCode: 'VA' } },
      mv: { multiValueAnswer: true },
      ip: { cidrRoutingConfig: { collectionId: 'c8c02a84-aaaa-4a6b-9c55-000000000001', locationName: '*' } },
      gp: { geoProximityLocation: { coordinates: { latitude: '49.22', longitude: '-74.01' }, bias: -10 } },
    });
    expect(records(`fo.${Z}`)[0]!.healthCheckId).toBe('abcdef01-2345-6789-abcd-ef0123456789');
  });

  it('ListResourceRecordSets orders a group by SetIdentifier; a page break inside it gives NextRecordIdentifier and resumes exactly there [doc: model NextRecordIdentifier]', () => {
    apply(
      ['CREATE', weighted(`w.${Z}`, 'c', 1, '10.0.0.3')],
      ['CREATE', weighted(`w.${Z}`, 'a', 1, '10.0.0.1')],
      ['CREATE', weighted(`w.${Z}`, 'b', 1, '10.0.0.2')],
      ['CREATE', { name: `x.${Z}`, type: 'A', ttl: 60, values: ['10.0.0.9'] }],
    );
    const list = (input: { startRecordName?: string; startRecordType?: string; startRecordIdentifier?: string; maxItems?: string }) =>
      r53.listResourceRecordSets(as(), { zoneId, ...input });
    const all = list({});
    expect(all.records.map((r) => `${r.name} ${r.type} ${r.setIdentifier ?? '-'}`)).toEqual([
      `${Z}. NS -`,
      `${Z}. SOA -`,
      `w.${Z}. A a`,
      `w.${Z}. A b`,
      `w.${Z}. A c`,
      `x.${Z}. A -`,
    ]);
    const first = list({ startRecordName: `w.${Z}`, startRecordType: 'A', maxItems: '1' });
    expect(first).toMatchObject({ isTruncated: true, nextRecordName: `w.${Z}.`, nextRecordType: 'A', nextRecordIdentifier: 'b' });
    const second = list({ startRecordName: first.nextRecordName, startRecordType: first.nextRecordType, startRecordIdentifier: first.nextRecordIdentifier, maxItems: '2' });
    expect(second.records.map((r) => r.setIdentifier)).toEqual(['b', 'c']);
    expect(second).toMatchObject({ isTruncated: true, nextRecordName: `x.${Z}.`, nextRecordType: 'A' });
    expect(second.nextRecordIdentifier).toBeUndefined();
    expectError(() => list({ startRecordName: `w.${Z}`, startRecordIdentifier: 'b' }), 'InvalidInput');
  });
});

// ---------------------------------------------------------------------------------------------

let t: TestTwin;
let a: Route53Client;

async function sdkError(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('routing policies over the wire (official SDK)', () => {
  let zoneId: string;
  const Z = 'sdk-rp.internal';
  beforeAll(async () => {
    const world = route53World();
    world.rules.priorRequestNotComplete = false;
    t = await startTestTwin({ world, clock: new ManualClock(Date.now()) });
    a = t.route53(0);
    const out = await a.send(new CreateHostedZoneCommand({ Name: Z, CallerReference: 'sdk-rp', VPC: { VPCId: VPC.a1, VPCRegion: REGION } }));
    zoneId = out.HostedZone!.Id!;
  });
  afterAll(async () => t?.close());

  const create = (...sets: ResourceRecordSet[]) =>
    a.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: sets.map((s): Change => ({ Action: 'CREATE', ResourceRecordSet: s })) } }));

  it('every routing element round-trips exactly as the model shapes it [doc: model ResourceRecordSet]', async () => {
    const base = { Type: 'A' as const, TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] };
    const sets: ResourceRecordSet[] = [
      { Name: `wt.${Z}.`, SetIdentifier: 'a', Weight: 7, ...base },
      { Name: `lt.${Z}.`, SetIdentifier: 'a', Region: 'eu-west-1', ...base },
      { Name: `fo.${Z}.`, SetIdentifier: 'a', Failover: 'PRIMARY', ...base, HealthCheckId: 'abcdef01-2345-6789-abcd-ef0123456789' },
      { Name: `geo.${Z}.`, SetIdentifier: 'a', GeoLocation: { CountryCode: 'US', SubdivisionCode: 'VA' }, ...base },
      { Name: `mv.${Z}.`, SetIdentifier: 'a', MultiValueAnswer: true, ...base },
      { Name: `ip.${Z}.`, SetIdentifier: 'a', ...base, CidrRoutingConfig: { CollectionId: 'c8c02a84-aaaa-4a6b-9c55-000000000001', LocationName: '*' } },
      { Name: `gp.${Z}.`, SetIdentifier: 'a', ...base, GeoProximityLocation: { Coordinates: { Latitude: '49.22', Longitude: '-74.01' }, Bias: -10 } },
      {
        Name: `wa.${Z}.`,
        Type: 'A',
        SetIdentifier: 'alias',
        Weight: 0,
        AliasTarget: { HostedZoneId: 'Z7HUB22UULQXV', DNSName: 'vpce-1.lambda.us-east-1.vpce.amazonaws.com.', EvaluateTargetHealth: true },
      },
    ];
    await create(...sets);
    const listed = (await a.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!.filter((r) => r.SetIdentifier);
    const byName = (l: ResourceRecordSet[]) => [...l].sort((x, y) => (x.Name! < y.Name! ? -1 : 1));
    expect(byName(listed)).toEqual(byName(sets));
  });

  it('a weighted group pages one at a time through NextRecordIdentifier, as botocore’s paginator does [doc: model]', async () => {
    await create(...['c', 'a', 'b'].map((id, i): ResourceRecordSet => ({ Name: `pg.${Z}`, Type: 'A', SetIdentifier: id, Weight: i, TTL: 60, ResourceRecords: [{ Value: `10.1.0.${i}` }] })));
    let start: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = { StartRecordName: `pg.${Z}`, StartRecordType: 'A' };
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await a.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 1, ...start }));
      seen.push(`${page.ResourceRecordSets![0]!.Name} ${page.ResourceRecordSets![0]!.SetIdentifier}`);
      start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier };
    }
    expect(seen).toEqual([`pg.${Z}. a`, `pg.${Z}. b`, `pg.${Z}. c`]);
  });

  it('validation errors reach the SDK as modelled: InvalidInput (400) and InvalidChangeBatch (400) with AWS’s text', async () => {
    const noPolicy = await sdkError(create({ Name: `e.${Z}`, Type: 'A', SetIdentifier: 'x', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] }));
    expect(noPolicy).toMatchObject({ name: 'InvalidInput', status: 400, message: expect.stringContaining('but found none in Change with') });
    const noId = await sdkError(create({ Name: `e.${Z}`, Type: 'A', Weight: 3, TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] }));
    expect(noId).toMatchObject({ name: 'InvalidInput', message: expect.stringContaining("Missing field 'SetIdentifier'") });
    await create({ Name: `e.${Z}`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] });
    const mixed = await sdkError(create({ Name: `e.${Z}`, Type: 'A', SetIdentifier: 'x', Weight: 3, TTL: 60, ResourceRecords: [{ Value: '10.0.0.2' }] }));
    expect(mixed).toMatchObject({ name: 'InvalidChangeBatch', status: 400 });
    expect(mixed.message).toBe(`[RRSet with DNS name e.${Z}., type A, SetIdentifier x cannot be created as a non-weighted set exists with the same name and type.]`);
  });
});

// ---------------------------------------------------------------------------------------------

const cliAvailable = referee('aws', 'AWS CLI fidelity (Route 53 routing policies)');

describe.skipIf(!cliAvailable)('routing policies through the AWS CLI', () => {
  let twin: TestTwin;
  let zoneId: string;
  const Z = 'cli-rp.internal';
  const cli = (...args: string[]): Promise<AwsCliResult> => awsCli(['route53', ...args], twin.cli(0));
  const ok = (r: AwsCliResult): any => {
    if (r.code !== 0) throw new Error(`aws exited ${r.code}: ${r.stderr}`);
    return r.json;
  };
  const batch = (...changes: object[]) => ['change-resource-record-sets', '--hosted-zone-id', zoneId, '--change-batch', JSON.stringify({ Changes: changes })];

  beforeAll(async () => {
    const world = route53World();
    world.rules.priorRequestNotComplete = false;
    twin = await startTestTwin({ world, clock: new ManualClock(Date.now()) });
    zoneId = ok(await cli('create-hosted-zone', '--name', Z, '--caller-reference', 'cli-rp', '--vpc', `VPCRegion=${REGION},VPCId=${VPC.a1}`)).HostedZone.Id;
  });
  afterAll(async () => twin?.close());

  it('a weighted group and a failover pair round-trip; the CLI’s own pagination (--page-size 1) walks the group with NextRecordIdentifier', async () => {
    const w = (id: string, weight: number, ip: string) => ({
      Action: 'CREATE',
      ResourceRecordSet: { Name: `w.${Z}`, Type: 'A', SetIdentifier: id, Weight: weight, TTL: 60, ResourceRecords: [{ Value: ip }] },
    });
    const f = (id: string, role: string) => ({
      Action: 'CREATE',
      ResourceRecordSet: { Name: `f.${Z}`, Type: 'CNAME', SetIdentifier: id, Failover: role, TTL: 60, ResourceRecords: [{ Value: `${id}.example.` }] },
    });
    ok(await cli(...batch(w('blue', 200, '10.0.0.1'), w('green', 55, '10.0.0.2'), w('red', 0, '10.0.0.3'), f('primary', 'PRIMARY'), f('secondary', 'SECONDARY'))));
    const all = ok(await cli('list-resource-record-sets', '--hosted-zone-id', zoneId, '--page-size', '1')).ResourceRecordSets;
    expect(all.filter((r: ResourceRecordSet) => r.SetIdentifier).map((r: ResourceRecordSet) => [r.Name, r.SetIdentifier, r.Weight ?? r.Failover])).toEqual([
      [`f.${Z}.`, 'primary', 'PRIMARY'],
      [`f.${Z}.`, 'secondary', 'SECONDARY'],
      [`w.${Z}.`, 'blue', 200],
      [`w.${Z}.`, 'green', 55],
      [`w.${Z}.`, 'red', 0],
    ]);
    expect(all).toHaveLength(7);
    ok(await cli(...batch({ ...w('green', 55, '10.0.0.2'), Action: 'DELETE' })));
    const after = ok(await cli('list-resource-record-sets', '--hosted-zone-id', zoneId, '--start-record-name', `w.${Z}`, '--start-record-type', 'A', '--start-record-identifier', 'green'));
    expect(after.ResourceRecordSets.map((r: ResourceRecordSet) => r.SetIdentifier)).toEqual(['red']);
  });

  it('error paths: InvalidInput for a SetIdentifier without a policy, InvalidChangeBatch for a simple record among weighted ones', async () => {
    const r1 = await cli(...batch({ Action: 'CREATE', ResourceRecordSet: { Name: `x.${Z}`, Type: 'A', SetIdentifier: 'x', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }));
    expect(cliErrorCode(r1.stderr), r1.stderr).toBe('InvalidInput');
    const r2 = await cli(...batch({ Action: 'UPSERT', ResourceRecordSet: { Name: `w.${Z}`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }));
    expect(cliErrorCode(r2.stderr), r2.stderr).toBe('InvalidChangeBatch');
    expect(r2.stderr).toContain('cannot be created as other RRSets exist with the same name and type.');
  });
});
