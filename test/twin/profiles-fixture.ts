// A hand-built world for the Route 53 Profiles tests: three accounts (A owns the shared VPC, the
// interface endpoint and its self-managed PHZ; B and C are spokes), driven by a ManualClock.
import { ManualClock } from '../../src/twin/clock.js';
import type { CallContext } from '../../src/twin/protocol.js';
import { advance, emptyWorld, scaleDelays, type VpcEndpoint, type World } from '../../src/twin/world.js';

export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const REGION = 'us-east-1';
export const LAMBDA = `lambda.${REGION}.amazonaws.com`;

export interface Fixture {
  world: World;
  clock: ManualClock;
  /** A CallContext for `account` at the clock's time, with lifecycles applied first (as the twin core does). */
  ctx(account: string, opts?: { delayFactor?: number; faults?: string[] }): CallContext;
  endpoint: VpcEndpoint;
  zoneId: string;
}

export function buildFixture(delayScale = 1): Fixture {
  const world = emptyWorld(REGION, 'profiles-test', scaleDelays(delayScale));
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const key = (id: string, n: number) => ({ id, name: `acct-${n}`, accessKeyId: `AKIATEST${n}${n}${n}${n}${n}${n}${n}${n}${n}${n}${n}${n}`, secretAccessKey: `secret-${n}` });
  world.accounts.push(key(A, 1), key(B, 2), key(C, 3));
  world.vpcs.push(
    { id: 'vpc-0aaaaaaaaaaaaaaa1', ownerId: A, region: REGION, cidr: '10.0.0.0/16', name: 'shared' },
    { id: 'vpc-0bbbbbbbbbbbbbbb1', ownerId: B, region: REGION, cidr: '10.1.0.0/16', name: 'spoke-b' },
    { id: 'vpc-0ccccccccccccccc1', ownerId: C, region: REGION, cidr: '10.2.0.0/16', name: 'spoke-c' },
    { id: 'vpc-0aaaaaaaaaaaaaaa2', ownerId: A, region: REGION, cidr: '10.3.0.0/16', name: 'other-a' },
  );
  const zoneId = 'Z0123456789LAMBDAPHZ';
  world.zones.push({
    id: zoneId,
    name: `${LAMBDA}.`,
    ownerId: A,
    callerReference: 'ref-1',
    comment: '',
    privateZone: true,
    vpcs: [{ vpcId: 'vpc-0aaaaaaaaaaaaaaa1', region: REGION }],
    authorizations: [],
    records: [],
    busyUntil: 0,
  });
  world.zones.push({
    id: 'Z0PUBLICZONE00000001',
    name: 'example.com.',
    ownerId: A,
    callerReference: 'ref-2',
    comment: '',
    privateZone: false,
    vpcs: [],
    authorizations: [],
    records: [],
    busyUntil: 0,
  });
  const endpoint: VpcEndpoint = {
    id: 'vpce-0123456789abcdef0',
    ownerId: A,
    vpcId: 'vpc-0aaaaaaaaaaaaaaa1',
    serviceName: `com.amazonaws.${REGION}.lambda`,
    type: 'Interface',
    state: 'available',
    privateDnsEnabled: true,
    privateDnsActiveAt: clock.now() - 1000,
    privateDnsNames: [LAMBDA],
    supportsPrivateDns: true,
    dnsEntries: [],
    networkInterfaceIds: [],
    creationTimestamp: clock.now() - 10_000,
    tags: {},
  };
  world.endpoints.push(endpoint);
  let reqSeq = 0;
  return {
    world,
    clock,
    endpoint,
    zoneId,
    ctx(account, opts = {}) {
      const faults = [...(opts.faults ?? [])];
      advance(world, clock.now());
      return {
        world,
        now: clock.now(),
        accountId: account,
        region: REGION,
        requestId: `req-${++reqSeq}`,
        delayFactor: opts.delayFactor ?? 1,
        takeFault(kind) {
          const i = faults.indexOf(kind);
          if (i < 0) return false;
          faults.splice(i, 1);
          return true;
        },
      };
    },
  };
}

export const zoneArn = (id: string) => `arn:aws:route53:::hostedzone/${id}`;
export const vpceArn = (ep: VpcEndpoint) => `arn:aws:ec2:${REGION}:${ep.ownerId}:vpc-endpoint/${ep.id}`;
