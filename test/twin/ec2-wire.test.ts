// The EC2 query-protocol front end, called with raw requests (no HTTP, no SigV4): input
// flattening, XML shapes and the error envelope. Wire contract: models/ec2.service-2.json.
import { describe, expect, it } from 'vitest';
import { AwsApiError, isAwsApiError } from '../../src/twin/errors.js';
import type { RawRequest, RawResponse } from '../../src/twin/protocol.js';
import { EC2_NAMESPACE, ec2FrontEnd } from '../../src/twin/wire/ec2.js';
import { parseXml } from '../../src/twin/wire/xml.js';
import { ACCOUNT_A, IDS, T0, ctxFor, ec2World } from './ec2-fixtures.js';

function post(params: Record<string, string>, withVersion = true): RawRequest {
  const body = new URLSearchParams({ ...(withVersion ? { Version: '2016-11-15' } : {}), ...params });
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: Buffer.from(body.toString()),
  };
}

/** What the core does: route, run, render errors in EC2's envelope. */
function call(req: RawRequest, world = ec2World()): RawResponse {
  const op = ec2FrontEnd.operationOf(req);
  const ctx = ctxFor(world, ACCOUNT_A, T0);
  if (!op) return ec2FrontEnd.renderError(new AwsApiError('InvalidAction', 'unknown'), ctx.requestId);
  try {
    return ec2FrontEnd.handle(op, req, ctx);
  } catch (e) {
    if (!isAwsApiError(e)) throw e;
    return ec2FrontEnd.renderError(e, ctx.requestId);
  }
}

function errorOf(res: RawResponse): { code: string; message: string; requestId: string } {
  const doc = parseXml(res.body) as { Response: { Errors: { Error: { Code: string; Message: string } }; RequestID: string } };
  return { code: doc.Response.Errors.Error.Code, message: doc.Response.Errors.Error.Message, requestId: doc.Response.RequestID };
}

describe('EC2 query protocol front end', () => {
  it('answers <DescribeVpcEndpointsResponse xmlns=…2016-11-15/> with requestId and <vpcEndpointSet><item> [doc: model]', () => {
    const res = call(post({ Action: 'DescribeVpcEndpoints', 'VpcEndpointId.1': IDS.lambda }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toContain(`<DescribeVpcEndpointsResponse xmlns="${EC2_NAMESPACE}">`);
    expect(res.body).toMatch(/<requestId>00000000-0000-4000-8000-000000000000<\/requestId>/);
    expect(res.body).toMatch(/<vpcEndpointSet><item><vpcEndpointId>vpce-0a00000000000aa01<\/vpcEndpointId>/);
    expect(res.body).toContain('<state>available</state>');
    expect(res.body).toMatch(/<dnsEntrySet><item><dnsName>[^<]+<\/dnsName><hostedZoneId>Z7HUB22UULQXV<\/hostedZoneId><\/item>/);
    expect(res.body).toMatch(/<networkInterfaceIdSet><item>eni-[0-9a-f]{17}<\/item><item>eni-/);
    expect(res.body).toContain('<privateDnsEnabled>false</privateDnsEnabled>');
    expect(res.body).toContain('<dnsOptions><dnsRecordIpType>ipv4</dnsRecordIpType></dnsOptions>');
    expect(res.body).not.toContain('<nextToken>');
  });

  it('reads flattened lists in index order: VpcEndpointId.N and Filter.N.Name / Filter.N.Value.M [doc: EC2 query protocol]', () => {
    const res = call(
      post({
        Action: 'DescribeVpcEndpoints',
        'Filter.2.Name': 'service-name',
        'Filter.2.Value.2': 'com.amazonaws.us-east-1.sts',
        'Filter.2.Value.1': 'com.amazonaws.us-east-1.s3',
        'Filter.1.Name': 'vpc-endpoint-type',
        'Filter.1.Value.1': 'Interface',
      }),
    );
    const ids = [...res.body.matchAll(/<vpcEndpointId>([^<]+)<\/vpcEndpointId>/g)].map((m) => m[1]);
    expect(ids).toEqual([IDS.s3, IDS.sts]);
  });

  it('accepts the parameters in the query string of a GET, as EC2 does [doc: EC2 query API]', () => {
    const req: RawRequest = {
      method: 'GET',
      path: '/',
      query: new URLSearchParams({ Action: 'DescribeVpcs', Version: '2016-11-15', 'VpcId.1': IDS.spokeVpc }),
      headers: {},
      body: Buffer.alloc(0),
    };
    const res = call(req);
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<vpcSet><item><vpcId>${IDS.spokeVpc}</vpcId><ownerId>${ACCOUNT_A}</ownerId>`);
    // Derived ids are well-formed (no 'undefined' from a bad hash index).
    expect(res.body).toMatch(/<dhcpOptionsId>dopt-[0-9a-f]{17}<\/dhcpOptionsId>/);
    expect(res.body).toMatch(/<associationId>vpc-cidr-assoc-[0-9a-f]{17}<\/associationId>/);
  });

  it('ModifyVpcEndpoint answers <return>true</return> [doc: model ModifyVpcEndpointResult]', () => {
    const world = ec2World();
    const res = call(post({ Action: 'ModifyVpcEndpoint', VpcEndpointId: IDS.sts, PrivateDnsEnabled: 'true' }), world);
    expect(res.body).toContain('<return>true</return>');
    expect(world.endpoints.find((e) => e.id === IDS.sts)!.state).toBe('pending');
    expect(ec2FrontEnd.isMutating('ModifyVpcEndpoint')).toBe(true);
    expect(ec2FrontEnd.isMutating('DescribeVpcEndpoints')).toBe(false);
  });

  it('DescribeNetworkInterfaces renders networkInterfaceSet, privateIpAddressesSet and interfaceType [doc: model]', () => {
    const res = call(post({ Action: 'DescribeNetworkInterfaces', 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': IDS.spokeVpc }));
    expect(res.body).toContain('<networkInterfaceSet><item>');
    expect(res.body).toContain('<interfaceType>vpc_endpoint</interfaceType>');
    expect(res.body).toMatch(/<privateIpAddressesSet><item><privateIpAddress>10\.0\.\d+\.\d+<\/privateIpAddress>/);
    expect(res.body).toContain('<requesterManaged>true</requesterManaged>');
  });

  it('errors use <Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID> with HTTP 400 [doc: EC2 error responses]', () => {
    const res = call(post({ Action: 'DescribeVpcs', 'VpcId.1': 'vpc-0fffffffffffffff0' }));
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({
      code: 'InvalidVpcID.NotFound',
      message: "The vpc ID 'vpc-0fffffffffffffff0' does not exist",
      requestId: '00000000-0000-4000-8000-000000000000',
    });
  });

  it('an unknown or missing Action is not an operation (the core answers InvalidAction) [doc: EC2 common errors]', () => {
    expect(ec2FrontEnd.operationOf(post({ Action: 'RunInstances' }))).toBeUndefined();
    expect(ec2FrontEnd.operationOf(post({}))).toBeUndefined();
    expect(errorOf(call(post({ Action: 'RunInstances' }))).code).toBe('InvalidAction');
  });

  it('a request without Version is MissingParameter [unconfirmed: SDKs always send it; stricter choice]', () => {
    expect(errorOf(call(post({ Action: 'DescribeVpcs' }, false)))).toMatchObject({
      code: 'MissingParameter',
      message: 'The request must contain the parameter Version',
    });
  });

  it('bad values are InvalidParameterValue, a filter without a name MissingParameter [doc: EC2 common errors]', () => {
    expect(errorOf(call(post({ Action: 'ModifyVpcEndpoint', VpcEndpointId: IDS.sts, PrivateDnsEnabled: 'yes' }))).code).toBe(
      'InvalidParameterValue',
    );
    expect(errorOf(call(post({ Action: 'DescribeVpcEndpoints', MaxResults: 'ten' }))).code).toBe('InvalidParameterValue');
    expect(errorOf(call(post({ Action: 'DescribeVpcEndpoints', 'Filter.1.Value.1': 'x' }))).code).toBe('MissingParameter');
    expect(errorOf(call(post({ Action: 'ModifyVpcEndpoint' }))).code).toBe('MissingParameter');
  });

  it('never crashes: garbage parameters only ever produce AwsApiErrors', () => {
    const junk = ['', ' ', 'x', '-1', '99999999999999999999', '%', 'Filter.1.Name', '\u0000', 'vpce-', 'true'];
    const keys = ['MaxResults', 'NextToken', 'VpcEndpointId', 'VpcEndpointId.1', 'VpcId.0', 'Filter.1.Name', 'Filter.1.Value.1', 'Filter.x.Name', 'DryRun', 'PrivateDnsEnabled', 'NetworkInterfaceId.1'];
    for (const action of ['DescribeVpcs', 'DescribeVpcEndpoints', 'DescribeNetworkInterfaces', 'ModifyVpcEndpoint']) {
      for (const k of keys) {
        for (const v of junk) {
          const res = call(post({ Action: action, [k]: v }));
          expect([200, 400, 412]).toContain(res.status);
        }
      }
    }
  });
});
