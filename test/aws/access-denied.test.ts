// A missing permission is not "later": AccessDenied is sent once, never retried the way throttling
// or a 5xx is, even for a mutation whose verify() would allow a retry. A loopback server answers
// every request with each protocol's AccessDenied shape and counts what reaches it.
import { DescribeVpcsCommand, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import { DisassociateVPCFromHostedZoneCommand, GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccess } from '../../src/aws/access.js';
import { AccessDeniedError } from '../../src/aws/errors.js';

let server: Server;
let hits = 0;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => {
      // Route 53 (REST-XML) and EC2 (query) say "no" each in their own way, with 403.
      if (req.url?.startsWith('/2013-04-01/')) {
        res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': 'r53-req' });
        res.end('<?xml version="1.0"?><ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::111122223333:user/x is not authorized to perform: route53:DisassociateVPCFromHostedZone</Message></Error><RequestId>r53-req</RequestId></ErrorResponse>');
      } else {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end('<?xml version="1.0"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>ec2-req</RequestID></Response>');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  });
  delete process.env.AWS_PROFILE;
});

afterAll(async () => {
  process.env = saved;
  await new Promise((r) => server.close(r));
});

function access(lines: Record<string, unknown>[]) {
  const sink = new Writable({
    write(chunk, _e, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  // A short backoff: were AccessDenied retried, the test would see more hits, not a slow test.
  return new AwsAccess({ region: 'us-east-1', accounts: { 'spoke-1': {} }, logger: pino({ level: 'debug' }, sink), retry: { baseDelayMs: 1, maxDelayMs: 5 } });
}

describe('AccessDenied is never retried', () => {
  it('a mutation refused AccessDenied is sent once, even with a verify() that would allow a retry, and its message names the action to add', async () => {
    const lines: Record<string, unknown>[] = [];
    const a = access(lines);
    hits = 0;
    let verified = 0;
    const err = await a
      .mutate('spoke-1', 'route53', new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: 'Z0AAAAAAAAAAAAAAAAAAA', VPC: { VPCId: 'vpc-1', VPCRegion: 'us-east-1' } }), {
        target: 'Z0AAAAAAAAAAAAAAAAAAA',
        verify: async () => (verified++, false),
      })
      .catch((e) => e);
    a.destroy();
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect(err.message).toMatch(/^account spoke-1 is not allowed route53:DisassociateVPCFromHostedZone on Z0AAAAAAAAAAAAAAAAAAA: add it .*r53migrate iam-policy PLAN.*then run again — a stopped run goes on with `r53migrate resume`/);
    expect(hits).toBe(1);
    expect(verified).toBe(0);
    expect(lines.filter((l) => l.msg === 'aws retry')).toEqual([]);
    expect(lines.filter((l) => l.msg === 'aws call')).toMatchObject([{ operation: 'DisassociateVPCFromHostedZone', outcome: 'access-denied', code: 'AccessDenied', attempts: 1, retries: 0 }]);
  });

  it('reads and EC2\'s UnauthorizedOperation likewise: one attempt each', async () => {
    const lines: Record<string, unknown>[] = [];
    const a = access(lines);
    hits = 0;
    for (const [service, command] of [
      ['route53', new GetHostedZoneCommand({ Id: 'Z0AAAAAAAAAAAAAAAAAAA' })],
      ['ec2', new DescribeVpcsCommand({})],
    ] as const) {
      expect(await a.read('spoke-1', service, command).catch((e) => e)).toBeInstanceOf(AccessDeniedError);
    }
    const ec2 = await a.mutate('spoke-1', 'ec2', new ModifyVpcEndpointCommand({ VpcEndpointId: 'vpce-1', PrivateDnsEnabled: true }), { verify: async () => false }).catch((e) => e);
    a.destroy();
    expect(ec2).toBeInstanceOf(AccessDeniedError);
    expect(ec2.awsCode).toBe('UnauthorizedOperation');
    expect(hits).toBe(3);
    expect(lines.filter((l) => l.msg === 'aws retry')).toEqual([]);
  });
});
