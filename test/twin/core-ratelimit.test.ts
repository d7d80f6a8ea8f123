// Rate limits as AWS documents them (reference/aws-api.md §2; EC2 "Request throttling" doc):
// token buckets per account and operation, refilled over time. The ManualClock stands still, so
// bursts are exact and the test never sleeps.
import { DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { DisassociateVPCFromHostedZoneCommand, ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import { AWS_RATE_LIMITS } from '../../src/twin/ratelimit.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

let t: TestTwin | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function outcomes(n: number, call: () => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      await call();
      out.push('ok');
    } catch (e) {
      out.push((e as Error).name);
    }
  }
  return out;
}

const count = (xs: string[], x: string) => xs.filter((v) => v === x).length;

describe('rate limits return each service\'s throttling error at AWS\'s documented rates', () => {
  it('Route 53 account-wide bucket: 50 burst, then Throttling; one second later 10 more [doc]', async () => {
    const clock = new ManualClock();
    t = await startTestTwin({ clock, rateLimits: AWS_RATE_LIMITS, accounts: 2 });
    const first = await outcomes(55, () => t!.route53(0).send(new ListHostedZonesCommand({})));
    expect(count(first, 'ok')).toBe(50);
    expect(count(first, 'Throttling')).toBe(5);
    // the other account has its own bucket
    expect(await outcomes(3, () => t!.route53(1).send(new ListHostedZonesCommand({})))).toEqual(['ok', 'ok', 'ok']);
    clock.advance(1000);
    const second = await outcomes(12, () => t!.route53(0).send(new ListHostedZonesCommand({})));
    expect(count(second, 'ok')).toBe(10);
    expect(t.twin.log.filter((e) => e.outcome === 'throttled').every((e) => e.status === 400)).toBe(true);
  });

  it('Route 53 DisassociateVPCFromHostedZone has its own bucket of 10 [doc]', async () => {
    const clock = new ManualClock();
    t = await startTestTwin({ clock, rateLimits: AWS_RATE_LIMITS });
    const zoneId = t.world.zones[0]!.id;
    const call = () =>
      t!.route53(0).send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: zoneId, VPC: { VPCId: 'vpc-00000000000000000', VPCRegion: 'us-east-1' } }));
    const results = await outcomes(12, call);
    expect(count(results, 'Throttling')).toBe(2);
    expect(results.slice(0, 10).every((r) => r !== 'Throttling')).toBe(true);
    // the account-wide bucket still has room for other operations
    await expect(t.route53(0).send(new ListHostedZonesCommand({}))).resolves.toBeDefined();
  });

  it('EC2 non-mutating actions: 100 burst per API, then RequestLimitExceeded (503) [doc: ec2-api-throttling]', async () => {
    const clock = new ManualClock();
    t = await startTestTwin({ clock, rateLimits: AWS_RATE_LIMITS });
    const results = await outcomes(103, () => t!.ec2(0).send(new DescribeVpcEndpointsCommand({})));
    expect(count(results, 'ok')).toBe(100);
    expect(count(results, 'RequestLimitExceeded')).toBe(3);
    expect(t.twin.log.filter((e) => e.outcome === 'throttled').map((e) => e.status)).toEqual([503, 503, 503]);
  });
});
