// What a VPC's Route 53 Resolver answers, computed purely from hand-built worlds.
// Facts: aws-api.md §4 and DESIGN.md §2 (the seven steps) / §4 (the twin's resolver).
import { describe, expect, it } from 'vitest';
import type { AssociationStatus, World } from '../../src/twin/world.js';
import { endpointArn, hostedZoneArn } from '../../src/twin/world.js';
import { PRIVATE_TTL, resolveInVpc } from '../../src/twin/resolution.js';
import type { ResolutionSource } from '../../src/twin/resolution.js';
import {
  LAMBDA,
  addEndpoint,
  addProfile,
  addVpc,
  addZone,
  addresses,
  aliasRecord,
  associateEndpointWithProfile,
  associateProfile,
  associateZoneWithProfile,
  detachZoneFromVpc,
  disassociateResource,
  newWorld,
  record,
  regionalDnsName,
} from './dns-fixtures.js';

const NOW = 1_700_000_000_000;
const ENI_IPS = ['10.0.1.10', '10.0.2.10'];
const S3 = 's3.us-east-1.amazonaws.com';

/** S (shared services) holds the Lambda endpoint; Dev and Prod are spokes. Private DNS off. */
function baseWorld(opts: { privateDnsEnabled?: boolean; privateDnsActiveAt?: number } = {}) {
  const world = newWorld();
  addVpc(world, 'vpc-shared', '10.0.0.0/16');
  addVpc(world, 'vpc-dev', '10.1.0.0/16');
  addVpc(world, 'vpc-prod', '10.2.0.0/16');
  const ep = addEndpoint(world, {
    id: 'vpce-0a1b2c3d4e5f60718',
    vpcId: 'vpc-shared',
    service: 'com.amazonaws.us-east-1.lambda',
    privateDnsNames: [LAMBDA],
    enis: [
      { ip: ENI_IPS[0]!, az: 'us-east-1a' },
      { ip: ENI_IPS[1]!, az: 'us-east-1b' },
    ],
    ...opts,
  });
  addProfile(world, 'rp-0123456789abcdef');
  return { world, ep };
}

function q(world: World, vpcId: string, name: string, type = 'A', now = NOW) {
  return resolveInVpc(world, vpcId, name, type, now);
}

function isPublicV4(ip: string): boolean {
  return ip.startsWith('198.51.100.');
}

describe('which zones reach a VPC [aws-api.md §4: direct, Profile, endpoint Private DNS]', () => {
  it('a private hosted zone associated directly with the VPC answers in that VPC only [doc]', () => {
    const { world, ep } = baseWorld();
    addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-dev'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);

    const dev = q(world, 'vpc-dev', LAMBDA);
    expect(dev).toMatchObject({ rcode: 'NOERROR', source: 'direct-zone', zoneId: 'ZLAMBDA' });
    expect(addresses(dev.answers)).toEqual(ENI_IPS);

    const prod = q(world, 'vpc-prod', LAMBDA);
    expect(prod.source).toBe('public');
    expect(isPublicV4(prod.answers[0]!.data)).toBe(true);
  });

  it("a zone held by the VPC's Profile answers when both associations are COMPLETE [doc + runbook]", () => {
    const { world, ep } = baseWorld();
    const z = addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-shared'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
    associateZoneWithProfile(world, 'rp-0123456789abcdef', z);
    associateProfile(world, 'rp-0123456789abcdef', 'vpc-dev');

    const dev = q(world, 'vpc-dev', LAMBDA);
    expect(dev).toMatchObject({ rcode: 'NOERROR', source: 'profile-zone', zoneId: 'ZLAMBDA' });
    expect(addresses(dev.answers)).toEqual(ENI_IPS);
    // Prod has no Profile association: the Profile's zone does not reach it.
    expect(q(world, 'vpc-prod', LAMBDA).source).toBe('public');
  });

  const notComplete: AssociationStatus[] = ['CREATING', 'UPDATING', 'DELETING', 'FAILED'];
  it.each(notComplete)(
    "a Profile applies to a VPC only once the VPC's Profile association is COMPLETE, not %s [conservative reading, unconfirmed]",
    (status) => {
      const { world, ep } = baseWorld();
      const z = addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-shared'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
      associateZoneWithProfile(world, 'rp-0123456789abcdef', z);
      associateProfile(world, 'rp-0123456789abcdef', 'vpc-dev', status);
      expect(q(world, 'vpc-dev', LAMBDA).source).toBe('public');
    },
  );

  it.each(notComplete)(
    "a Profile's zone reaches its VPCs only once the zone's resource association is COMPLETE, not %s [conservative reading, unconfirmed]",
    (status) => {
      const { world, ep } = baseWorld();
      const z = addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-shared'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
      associateZoneWithProfile(world, 'rp-0123456789abcdef', z, status);
      associateProfile(world, 'rp-0123456789abcdef', 'vpc-dev');
      expect(q(world, 'vpc-dev', LAMBDA).source).toBe('public');
    },
  );

  it("an endpoint's Private DNS zone answers in its own VPC with the ENI IPs once Private DNS is active [runbook step 3]", () => {
    const { world, ep } = baseWorld({ privateDnsEnabled: true, privateDnsActiveAt: NOW - 1 });
    const r = q(world, 'vpc-shared', LAMBDA);
    expect(r).toMatchObject({ rcode: 'NOERROR', source: 'endpoint-own-vpc', endpointId: ep.id });
    expect(addresses(r.answers)).toEqual(ENI_IPS);
    expect(r.answers.every((a) => a.name === LAMBDA && a.ttl === PRIVATE_TTL)).toBe(true);
  });

  it("an endpoint's Private DNS does not answer before its pending period ends (privateDnsActiveAt in the future) [runbook step 3]", () => {
    const { world } = baseWorld({ privateDnsEnabled: true, privateDnsActiveAt: NOW + 1 });
    expect(q(world, 'vpc-shared', LAMBDA).source).toBe('public');
    expect(q(world, 'vpc-shared', LAMBDA, 'A', NOW + 1).source).toBe('endpoint-own-vpc');
  });

  it("a later pending period (joining a Profile) does not interrupt the endpoint's own Private DNS [runbook step 5]", () => {
    const { world, ep } = baseWorld({ privateDnsEnabled: true, privateDnsActiveAt: NOW - 10_000 });
    ep.state = 'pending';
    ep.availableAt = NOW + 5_000;
    expect(q(world, 'vpc-shared', LAMBDA).source).toBe('endpoint-own-vpc');
  });

  it("an endpoint with Private DNS off has no Private DNS zone, and Private DNS never reaches other VPCs by itself [doc: 'only its own VPC']", () => {
    const off = baseWorld();
    expect(q(off.world, 'vpc-shared', LAMBDA).source).toBe('public');
    const on = baseWorld({ privateDnsEnabled: true });
    expect(q(on.world, 'vpc-shared', LAMBDA).source).toBe('endpoint-own-vpc');
    expect(q(on.world, 'vpc-dev', LAMBDA).source).toBe('public');
  });

  it("a deleted endpoint's Private DNS zone no longer answers", () => {
    const { world, ep } = baseWorld({ privateDnsEnabled: true });
    ep.state = 'deleted';
    expect(q(world, 'vpc-shared', LAMBDA).source).toBe('public');
  });

  it("an endpoint held by the VPC's Profile answers with its ENI IPs when both associations are COMPLETE [doc: profile-associate-vpc-endpoints]", () => {
    const { world, ep } = baseWorld({ privateDnsEnabled: true });
    associateEndpointWithProfile(world, 'rp-0123456789abcdef', ep);
    associateProfile(world, 'rp-0123456789abcdef', 'vpc-dev');
    const r = q(world, 'vpc-dev', LAMBDA);
    expect(r).toMatchObject({ rcode: 'NOERROR', source: 'endpoint-profile', endpointId: ep.id });
    expect(addresses(r.answers)).toEqual(ENI_IPS);
  });

  it.each(notComplete)("an endpoint's resource association in %s does not reach the Profile's VPCs [conservative reading, unconfirmed]", (status) => {
    const { world, ep } = baseWorld({ privateDnsEnabled: true });
    associateEndpointWithProfile(world, 'rp-0123456789abcdef', ep, status);
    associateProfile(world, 'rp-0123456789abcdef', 'vpc-dev');
    expect(q(world, 'vpc-dev', LAMBDA).source).toBe('public');
  });
});

describe("endpoint Private DNS zones [aws-api.md §4; DESIGN §7: names come from the endpoint]", () => {
  function s3World() {
    const world = newWorld();
    addVpc(world, 'vpc-shared');
    const ep = addEndpoint(world, {
      id: 'vpce-05353535353535353',
      vpcId: 'vpc-shared',
      service: 'com.amazonaws.us-east-1.s3',
      privateDnsNames: [S3, `*.${S3}`],
      enis: [{ ip: '10.0.3.10', az: 'us-east-1a' }],
      privateDnsEnabled: true,
    });
    return { world, ep };
  }

  it('S3: the apex name and the wildcard *.s3.<region>.amazonaws.com both answer with the ENI IPs, from one zone [peer: MoJ PR 13533]', () => {
    const { world } = s3World();
    const apex = q(world, 'vpc-shared', S3);
    expect(apex).toMatchObject({ rcode: 'NOERROR', source: 'endpoint-own-vpc', zoneName: `${S3}.` });
    expect(addresses(apex.answers)).toEqual(['10.0.3.10']);

    const bucket = q(world, 'vpc-shared', `my-bucket.${S3}`);
    expect(bucket).toMatchObject({ rcode: 'NOERROR', source: 'endpoint-own-vpc', zoneName: `${S3}.` });
    expect(bucket.answers).toEqual([{ name: `my-bucket.${S3}`, type: 'A', ttl: PRIVATE_TTL, data: '10.0.3.10' }]);
    // A wildcard covers more than one label too.
    expect(addresses(q(world, 'vpc-shared', `a.b.${S3}`).answers)).toEqual(['10.0.3.10']);
  });

  it("a name under the endpoint's zone that the endpoint doesn't serve is NXDOMAIN, not public (the zone matches) [doc: hosted-zone-private-considerations]", () => {
    const { world } = baseWorld({ privateDnsEnabled: true });
    const r = q(world, 'vpc-shared', `foo.${LAMBDA}`);
    expect(r).toMatchObject({ rcode: 'NXDOMAIN', source: 'endpoint-own-vpc', answers: [] });
  });

  it('an IPv4-only endpoint has no AAAA records: NODATA (NOERROR, no answers), not a public AAAA', () => {
    const { world } = baseWorld({ privateDnsEnabled: true });
    expect(q(world, 'vpc-shared', LAMBDA, 'AAAA')).toMatchObject({ rcode: 'NOERROR', answers: [], source: 'endpoint-own-vpc' });
  });
});

describe('which zone wins [aws-api.md §4: most specific match; own before Profile]', () => {
  it('the most specific (longest) matching zone answers, even when it comes through the Profile [doc: overlapping namespaces]', () => {
    const { world, ep } = baseWorld();
    addZone(world, 'ZBROAD', 'us-east-1.amazonaws.com', ['vpc-dev'], [record(LAMBDA, 'A', ['10.99.0.1'])]);
    const narrow = addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-shared'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
    associateZoneWithProfile(world, 'rp-0123456789abcdef', narrow);
    associateProfile(world, 'rp-0123456789abcdef', 'vpc-dev');

    const r = q(world, 'vpc-dev', LAMBDA);
    expect(r).toMatchObject({ source: 'profile-zone', zoneId: 'ZLAMBDA' });
    expect(addresses(r.answers)).toEqual(ENI_IPS);
    // Other names under the broad zone still come from it.
    expect(q(world, 'vpc-dev', 'sqs.us-east-1.amazonaws.com')).toMatchObject({ rcode: 'NXDOMAIN', zoneId: 'ZBROAD' });
  });

  it("for one zone name, a directly associated zone answers before the Profile's zone [runbook; precedence quote unconfirmed]", () => {
    const { world } = baseWorld();
    addZone(world, 'ZDIRECT', LAMBDA, ['vpc-dev'], [record(LAMBDA, 'A', ['10.1.9.9'])]);
    const held = addZone(world, 'ZHELD', LAMBDA, ['vpc-shared'], [record(LAMBDA, 'A', ['10.0.9.9'])]);
    associateZoneWithProfile(world, 'rp-0123456789abcdef', held);
    associateProfile(world, 'rp-0123456789abcdef', 'vpc-dev');
    expect(q(world, 'vpc-dev', LAMBDA)).toMatchObject({ source: 'direct-zone', zoneId: 'ZDIRECT', answers: [{ data: '10.1.9.9' }] });
  });

  it("after step 3 the shared VPC resolves through its endpoint's own zone though the Profile still holds the PHZ [runbook step 3]", () => {
    const { world, ep } = baseWorld({ privateDnsEnabled: true });
    const z = addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-dev'], [record(LAMBDA, 'A', ['10.0.9.9'])]);
    associateZoneWithProfile(world, 'rp-0123456789abcdef', z);
    associateProfile(world, 'rp-0123456789abcdef', 'vpc-shared');
    expect(q(world, 'vpc-shared', LAMBDA)).toMatchObject({ source: 'endpoint-own-vpc', endpointId: ep.id });
  });

  it('after step 5 the spokes keep resolving through their direct PHZ though the Profile holds the endpoint [runbook step 5]', () => {
    const { world, ep } = baseWorld({ privateDnsEnabled: true });
    addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-dev'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
    associateEndpointWithProfile(world, 'rp-0123456789abcdef', ep);
    associateProfile(world, 'rp-0123456789abcdef', 'vpc-dev');
    expect(q(world, 'vpc-dev', LAMBDA)).toMatchObject({ source: 'direct-zone', zoneId: 'ZLAMBDA' });
  });
});

describe('answers inside the chosen zone [doc: hosted-zone-private-considerations; RFC 1034/4592]', () => {
  function zoneWorld(records: ReturnType<typeof record>[]) {
    const world = newWorld();
    addVpc(world, 'vpc-a');
    addZone(world, 'ZCORP', 'corp.example', ['vpc-a'], records);
    return world;
  }

  it('an exact record answers with its values and TTL', () => {
    const world = zoneWorld([record('db.corp.example', 'A', ['10.5.0.1', '10.5.0.2'], 30)]);
    const r = q(world, 'vpc-a', 'db.corp.example');
    expect(r).toMatchObject({ rcode: 'NOERROR', source: 'direct-zone', zoneId: 'ZCORP' });
    expect(r.answers).toEqual([
      { name: 'db.corp.example', type: 'A', ttl: 30, data: '10.5.0.1' },
      { name: 'db.corp.example', type: 'A', ttl: 30, data: '10.5.0.2' },
    ]);
  });

  it('a name the matching private zone lacks is NXDOMAIN: Resolver does not forward it to public DNS [doc: hosted-zone-private-considerations]', () => {
    const world = zoneWorld([record('db.corp.example', 'A', ['10.5.0.1'])]);
    expect(q(world, 'vpc-a', 'www.corp.example')).toMatchObject({ rcode: 'NXDOMAIN', answers: [], source: 'direct-zone' });
  });

  it('a name with records of other types only is NODATA (NOERROR, no answers)', () => {
    const world = zoneWorld([record('db.corp.example', 'TXT', ['"hello"'])]);
    expect(q(world, 'vpc-a', 'db.corp.example', 'A')).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(q(world, 'vpc-a', 'db.corp.example', 'TXT').answers).toEqual([{ name: 'db.corp.example', type: 'TXT', ttl: 300, data: '"hello"' }]);
  });

  it('the most specific wildcard answers a missing name, under the query name; an existing name is not covered by a wildcard [RFC 4592]', () => {
    const world = zoneWorld([
      record('*.corp.example', 'A', ['10.5.1.1']),
      record('*.apps.corp.example', 'A', ['10.5.2.2']),
      record('db.corp.example', 'TXT', ['"x"']),
    ]);
    expect(q(world, 'vpc-a', 'web.corp.example').answers).toEqual([{ name: 'web.corp.example', type: 'A', ttl: 300, data: '10.5.1.1' }]);
    expect(q(world, 'vpc-a', 'x.apps.corp.example').answers).toEqual([{ name: 'x.apps.corp.example', type: 'A', ttl: 300, data: '10.5.2.2' }]);
    expect(q(world, 'vpc-a', 'db.corp.example', 'A')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('a CNAME is returned and followed within the answer (chain first, then the target records)', () => {
    const world = zoneWorld([record('api.corp.example', 'CNAME', ['db.corp.example.']), record('db.corp.example', 'A', ['10.5.0.1'])]);
    const r = q(world, 'vpc-a', 'api.corp.example');
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([
      { name: 'api.corp.example', type: 'CNAME', ttl: 300, data: 'db.corp.example' },
      { name: 'db.corp.example', type: 'A', ttl: 300, data: '10.5.0.1' },
    ]);
    // A CNAME query gets the CNAME alone.
    expect(q(world, 'vpc-a', 'api.corp.example', 'CNAME').answers).toEqual([r.answers[0]]);
  });

  it('a CNAME to a name outside private zones is followed to its public answer', () => {
    const world = zoneWorld([record('ext.corp.example', 'CNAME', ['www.example.org'])]);
    const r = q(world, 'vpc-a', 'ext.corp.example');
    expect(r.answers[0]).toMatchObject({ type: 'CNAME', data: 'www.example.org' });
    expect(isPublicV4(r.answers[1]!.data)).toBe(true);
  });

  it('a CNAME loop is SERVFAIL, not an endless chase', () => {
    const world = zoneWorld([record('a.corp.example', 'CNAME', ['b.corp.example']), record('b.corp.example', 'CNAME', ['a.corp.example'])]);
    expect(q(world, 'vpc-a', 'a.corp.example')).toMatchObject({ rcode: 'SERVFAIL', answers: [] });
  });

  it("an alias record is invisible to clients: the target's A records come back under the alias's own name [doc: alias records]", () => {
    const { world, ep } = baseWorld();
    addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-dev'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
    const r = q(world, 'vpc-dev', LAMBDA);
    expect(r.answers.map((a) => [a.name, a.type])).toEqual([
      [LAMBDA, 'A'],
      [LAMBDA, 'A'],
    ]);
    expect(addresses(r.answers)).toEqual(ENI_IPS);
    // An A alias answers only A queries.
    expect(q(world, 'vpc-dev', LAMBDA, 'AAAA')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('an alias to a deleted endpoint answers no addresses (and never a public one)', () => {
    const { world, ep } = baseWorld();
    addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-dev'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
    ep.state = 'deleted';
    expect(q(world, 'vpc-dev', LAMBDA)).toMatchObject({ source: 'direct-zone', answers: [] });
  });
});

describe('vpce names and public fallback [DESIGN §4]', () => {
  it("an endpoint's regional vpce DNS name resolves in any VPC to all its ENI IPs", () => {
    const { world, ep } = baseWorld();
    for (const vpc of ['vpc-shared', 'vpc-dev', 'vpc-prod']) {
      const r = q(world, vpc, regionalDnsName(ep));
      expect(r).toMatchObject({ rcode: 'NOERROR', source: 'vpce-public', endpointId: ep.id });
      expect(addresses(r.answers)).toEqual(ENI_IPS);
    }
  });

  it("a zonal vpce DNS name resolves to that Availability Zone's ENI only", () => {
    const { world, ep } = baseWorld();
    const zonal = ep.dnsEntries.find((e) => e.dnsName.includes('-us-east-1b.'))!;
    expect(addresses(q(world, 'vpc-dev', zonal.dnsName).answers)).toEqual(['10.0.2.10']);
  });

  it('a vpce name of no existing endpoint is NXDOMAIN (AWS owns that namespace)', () => {
    const { world } = baseWorld();
    expect(q(world, 'vpc-dev', 'vpce-0000-dead.lambda.us-east-1.vpce.amazonaws.com')).toMatchObject({ rcode: 'NXDOMAIN', answers: [] });
  });

  it('with no private match the answer is a deterministic public one from 198.51.100.0/24 (AAAA from 2001:db8::/32)', () => {
    const world = newWorld();
    addVpc(world, 'vpc-a');
    const a1 = q(world, 'vpc-a', LAMBDA);
    expect(a1).toMatchObject({ rcode: 'NOERROR', source: 'public' });
    expect(a1.answers).toHaveLength(1);
    expect(a1.answers[0]!.data).toMatch(/^198\.51\.100\.(\d+)$/);
    const last = Number(a1.answers[0]!.data.split('.')[3]);
    expect(last).toBeGreaterThanOrEqual(1);
    expect(last).toBeLessThanOrEqual(254);
    expect(q(world, 'vpc-a', LAMBDA)).toEqual(a1);
    const six = q(world, 'vpc-a', LAMBDA, 'AAAA');
    expect(six.answers[0]!.data).toMatch(/^2001:db8:[0-9a-f]{1,4}:[0-9a-f]{1,4}::1$/);
    // Different names spread over the range (deterministic, not constant).
    const spread = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => q(world, 'vpc-a', `${n}.example.com`).answers[0]!.data));
    expect(spread.size).toBeGreaterThan(1);
  });

  it('names are case-insensitive and the trailing dot is optional', () => {
    const { world } = baseWorld({ privateDnsEnabled: true });
    const plain = q(world, 'vpc-shared', LAMBDA);
    expect(q(world, 'vpc-shared', 'LAMBDA.US-East-1.AmazonAWS.com.')).toEqual(plain);
    expect(q(world, 'vpc-shared', `${LAMBDA}.`)).toEqual(plain);
    expect(resolveInVpc(world, 'vpc-shared', LAMBDA, 'a', NOW)).toEqual(plain);
  });
});

/**
 * DESIGN §2, path A for S + two spokes (Dev, Prod = the keeper): the world after each step, built
 * by hand. Every VPC must resolve the service name to the ENI IPs at every step (no resolution
 * gap), and what answers moves as the runbook says.
 */
describe('the seven steps of path A keep every VPC on the endpoint [DESIGN §2; aws-api.md §4 runbook]', () => {
  const P = 'rp-0123456789abcdef';
  const VPCS = ['vpc-shared', 'vpc-dev', 'vpc-prod'] as const;

  function expectAll(world: World, sources: Record<(typeof VPCS)[number], ResolutionSource>, now = NOW): void {
    for (const vpc of VPCS) {
      const r = q(world, vpc, LAMBDA, 'A', now);
      expect({ vpc, rcode: r.rcode, source: r.source, ips: addresses(r.answers) }).toEqual({
        vpc,
        rcode: 'NOERROR',
        source: sources[vpc],
        ips: ENI_IPS,
      });
    }
  }

  it('before, and after each of steps 1–7, all VPCs resolve the service name to the endpoint; the answering source moves as the runbook says', () => {
    const { world, ep } = baseWorld();
    const z = addZone(world, 'ZLAMBDA', LAMBDA, [...VPCS], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
    expectAll(world, { 'vpc-shared': 'direct-zone', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' });

    // Step 1: S and spokes on P; Z on P. While the associations are CREATING nothing changes.
    for (const vpc of VPCS) associateProfile(world, P, vpc, 'CREATING');
    associateZoneWithProfile(world, P, z, 'CREATING');
    expectAll(world, { 'vpc-shared': 'direct-zone', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' });
    for (const a of [...world.profileAssociations, ...world.resourceAssociations]) a.status = 'COMPLETE';
    expectAll(world, { 'vpc-shared': 'direct-zone', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' });

    // Step 2: S leaves Z; it now resolves through Z held by P.
    detachZoneFromVpc(z, 'vpc-shared');
    expectAll(world, { 'vpc-shared': 'profile-zone', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' });

    // Step 3: Private DNS on. During the pending period S still resolves through P's Z...
    ep.privateDnsEnabled = true;
    ep.privateDnsActiveAt = NOW + 10_000;
    ep.state = 'pending';
    expectAll(world, { 'vpc-shared': 'profile-zone', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' });
    // ...and once it is active, through E's own zone, though P still holds Z.
    ep.state = 'available';
    const t3 = NOW + 10_000;
    expectAll(world, { 'vpc-shared': 'endpoint-own-vpc', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' }, t3);

    // Step 4: Z leaves P (DELETING first, then gone): spokes stay on their direct Z.
    world.resourceAssociations.find((r) => r.resourceArn === hostedZoneArn(z))!.status = 'DELETING';
    expectAll(world, { 'vpc-shared': 'endpoint-own-vpc', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' }, t3);
    disassociateResource(world, hostedZoneArn(z));
    expectAll(world, { 'vpc-shared': 'endpoint-own-vpc', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' }, t3);

    // Step 5: E joins P (E pending meanwhile): own configuration still answers everywhere.
    associateEndpointWithProfile(world, P, ep, 'CREATING');
    ep.state = 'pending';
    expectAll(world, { 'vpc-shared': 'endpoint-own-vpc', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' }, t3);
    world.resourceAssociations.find((r) => r.resourceArn === endpointArn(world, ep))!.status = 'COMPLETE';
    ep.state = 'available';
    expectAll(world, { 'vpc-shared': 'endpoint-own-vpc', 'vpc-dev': 'direct-zone', 'vpc-prod': 'direct-zone' }, t3);

    // Step 6: Dev leaves Z; Prod (the keeper) stays.
    detachZoneFromVpc(z, 'vpc-dev');
    expectAll(world, { 'vpc-shared': 'endpoint-own-vpc', 'vpc-dev': 'endpoint-profile', 'vpc-prod': 'direct-zone' }, t3);

    // Step 7: Z's records go, then Z itself (and with it the keeper's association).
    z.records = z.records.filter((r) => r.type === 'SOA' || r.type === 'NS');
    world.zones = world.zones.filter((x) => x.id !== z.id);
    expectAll(world, { 'vpc-shared': 'endpoint-own-vpc', 'vpc-dev': 'endpoint-profile', 'vpc-prod': 'endpoint-profile' }, t3);
  });

  it('a wrong order shows as a gap: Z leaving P before Private DNS is active leaves S on public DNS (what the gates prevent)', () => {
    const { world, ep } = baseWorld();
    const z = addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-dev', 'vpc-prod'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
    for (const vpc of VPCS) associateProfile(world, P, vpc);
    associateZoneWithProfile(world, P, z);
    expect(q(world, 'vpc-shared', LAMBDA).source).toBe('profile-zone');
    disassociateResource(world, hostedZoneArn(z)); // step 4 run before step 3
    const r = q(world, 'vpc-shared', LAMBDA);
    expect(r.source).toBe('public');
    expect(addresses(r.answers).some((ip) => ENI_IPS.includes(ip))).toBe(false);
  });
});

describe('record sets with a routing policy answer one choice, not every member [doc: model ResourceRecordSet.Weight, Failover; twin choice: routing-policy.ts]', () => {
  it('a weighted group answers with its highest-weight member; a failover pair with PRIMARY', () => {
    const { world } = baseWorld();
    addZone(world, 'ZAPP', 'app.example.internal', ['vpc-dev'], [
      { ...record('api.app.example.internal', 'A', ['10.9.0.1']), setIdentifier: 'blue', routing: { weight: 10 } },
      { ...record('api.app.example.internal', 'A', ['10.9.0.2']), setIdentifier: 'green', routing: { weight: 90 } },
      { ...record('db.app.example.internal', 'A', ['10.9.1.1']), setIdentifier: 'a', routing: { failover: 'SECONDARY' } },
      { ...record('db.app.example.internal', 'A', ['10.9.1.2']), setIdentifier: 'b', routing: { failover: 'PRIMARY' } },
    ]);
    expect(addresses(q(world, 'vpc-dev', 'api.app.example.internal').answers)).toEqual(['10.9.0.2']);
    expect(addresses(q(world, 'vpc-dev', 'db.app.example.internal').answers)).toEqual(['10.9.1.2']);
  });
});
