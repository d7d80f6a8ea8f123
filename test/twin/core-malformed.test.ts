// Malformed requests get an AWS error in the protocol the caller speaks — never a crash (5xx),
// never a hang. Requests are correctly signed so they get past authentication.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '../../src/twin/protocol.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

let t: TestTwin;
beforeAll(async () => {
  t = await startTestTwin({ scenario: 'via-profile', vpcs: 3, accounts: 2 });
});
afterAll(async () => t?.close());

async function signedFetch(service: ServiceName, method: string, path: string, body: string | Buffer, query: Record<string, string> = {}, contentType?: string) {
  const url = new URL(t.url);
  const acct = t.accounts[0]!;
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: acct, sha256: Sha256 });
  const headers: Record<string, string> = { host: url.host };
  if (contentType) headers['content-type'] = contentType;
  const req = new HttpRequest({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query, headers, body });
  const signed = await signer.sign(req);
  const qs = new URLSearchParams(query).toString();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const res = await fetch(`${t.url}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: signed.headers,
      body: method === "GET" || method === "DELETE" ? undefined : typeof body === "string" ? body : new Uint8Array(body),
      signal: controller.signal,
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  } finally {
    clearTimeout(timer);
  }
}

/** The error code as each protocol carries it. */
function errorCode(service: ServiceName, r: { text: string; headers: Headers }): string | undefined {
  if (service === 'route53profiles') {
    const h = r.headers.get('x-amzn-errortype')?.split(':')[0];
    if (h) return h;
    try {
      return (JSON.parse(r.text) as { __type?: string }).__type;
    } catch {
      return undefined;
    }
  }
  return /<Code>([^<]+)<\/Code>/.exec(r.text)?.[1];
}

const zoneId = () => t.world.zones[0]!.id;

const CASES: [string, ServiceName, string, string, string | Buffer, Record<string, string>?, string?][] = [
  ['Route 53: XML that does not parse', 'route53', 'POST', `/2013-04-01/hostedzone/ZONE/associatevpc`, '<AssociateVPCWithHostedZoneRequest><VPC>'],
  ['Route 53: empty body where a VPC is required', 'route53', 'POST', `/2013-04-01/hostedzone/ZONE/associatevpc`, ''],
  ['Route 53: binary garbage', 'route53', 'POST', `/2013-04-01/hostedzone/ZONE/rrset/`, Buffer.from([0, 159, 146, 150, 255, 0, 1])],
  ['Route 53: unknown zone id', 'route53', 'GET', '/2013-04-01/hostedzone/ZNOSUCHZONE00000000', ''],
  ['Route 53: id with path tricks', 'route53', 'GET', '/2013-04-01/hostedzone/..%2F..%2Fetc', ''],
  ['Route 53: MaxItems not a number', 'route53', 'GET', '/2013-04-01/hostedzone', '', { maxitems: 'lots' }],
  ['Route 53: unknown route', 'route53', 'GET', '/2013-04-01/nonsense', ''],
  ['EC2: no Action', 'ec2', 'POST', '/', 'Version=2016-11-15', undefined, 'application/x-www-form-urlencoded'],
  ['EC2: unknown Action', 'ec2', 'POST', '/', 'Action=LaunchRockets&Version=2016-11-15', undefined, 'application/x-www-form-urlencoded'],
  ['EC2: ModifyVpcEndpoint without an id', 'ec2', 'POST', '/', 'Action=ModifyVpcEndpoint&Version=2016-11-15&PrivateDnsEnabled=true', undefined, 'application/x-www-form-urlencoded'],
  ['EC2: malformed endpoint id', 'ec2', 'POST', '/', 'Action=DescribeVpcEndpoints&Version=2016-11-15&VpcEndpointId.1=not-an-id', undefined, 'application/x-www-form-urlencoded'],
  ['EC2: MaxResults not a number', 'ec2', 'POST', '/', 'Action=DescribeVpcEndpoints&Version=2016-11-15&MaxResults=abc', undefined, 'application/x-www-form-urlencoded'],
  ['Profiles: JSON that does not parse', 'route53profiles', 'POST', '/profileassociation', '{"ProfileId": ', undefined, 'application/json'],
  ['Profiles: JSON of the wrong type', 'route53profiles', 'POST', '/profileassociation', '[1,2,3]', undefined, 'application/json'],
  ['Profiles: missing required members', 'route53profiles', 'POST', '/profileresourceassociation', '{}', undefined, 'application/json'],
  ['Profiles: unknown profile', 'route53profiles', 'GET', '/profile/rp-0000000000000000', ''],
  ['Profiles: unknown route', 'route53profiles', 'GET', '/nonsense', ''],
  ['Profiles: maxResults not a number', 'route53profiles', 'GET', '/profileassociations', '', { maxResults: 'x' }],
];

describe('malformed requests get AWS error codes, never a crash or a hang', () => {
  for (const [title, service, method, path, body, query, type] of CASES) {
    it(title, async () => {
      const r = await signedFetch(service, method, path.replace('ZONE', zoneId()), body, query, type);
      expect(r.status, r.text).toBeGreaterThanOrEqual(400);
      expect(r.status, r.text).toBeLessThan(500);
      expect(errorCode(service, r), r.text).toMatch(/^[A-Za-z.]+$/);
    });
  }

  it('200 random requests across the three protocols: every one answered, none with a 5xx', async () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const paths = ['/2013-04-01/hostedzone', `/2013-04-01/hostedzone/${zoneId()}/rrset`, `/2013-04-01/hostedzone/${zoneId()}/associatevpc`, '/2013-04-01/change/C123', '/', '/profiles', '/profileassociation', '/profileresourceassociation/x', '/tags/arn%3Aaws'];
    const bodies = ['', '{}', '<x/>', 'Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id', '{"Name": 5}', '<?xml version="1.0"?><A><B>', 'Action=ModifyVpcEndpoint&Version=2016-11-15&VpcEndpointId=vpce-1'];
    const services: ServiceName[] = ['route53', 'ec2', 'route53profiles'];
    const methods = ['GET', 'POST', 'DELETE', 'PATCH', 'PUT'];
    for (let i = 0; i < 200; i++) {
      const service = services[rand(3)]!;
      const r = await signedFetch(service, methods[rand(5)]!, paths[rand(paths.length)]!, bodies[rand(bodies.length)]!, {}, rand(2) ? 'application/x-www-form-urlencoded' : 'application/json');
      expect(r.status, `${service} ${r.text}`).toBeLessThan(500);
    }
    expect(t.twin.log.filter((e) => e.status >= 500)).toEqual([]);
  });
});
