// A small hand-built estate for the Route 53 tests: three accounts, VPCs in two of them, and one
// interface endpoint with Private DNS on (for the ConflictingDomainExists rule).
import type { CallContext } from '../../src/twin/protocol.js';
import { emptyWorld, type TwinDelays, type World } from '../../src/twin/world.js';

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';
export const ACCOUNT_C = '333333333333';
export const REGION = 'us-east-1';

export const VPC = {
  a1: 'vpc-0a100000000000001',
  a2: 'vpc-0a200000000000002',
  a3: 'vpc-0a300000000000003',
  a4: 'vpc-0a400000000000004',
  b1: 'vpc-0b100000000000001',
  b2: 'vpc-0b200000000000002',
} as const;

export const ENDPOINT_VPC = VPC.a3;
export const ENDPOINT_NAME = 'lambda.us-east-1.amazonaws.com';

export function route53World(delays?: Partial<TwinDelays>): World {
  const world = emptyWorld(REGION, 'route53-tests');
  Object.assign(world.delays, { changeInsyncMs: 4_000 }, delays);
  const account = (id: string, n: number) => ({
    id,
    name: `acct-${n}`,
    accessKeyId: `AKIAR53TEST${String(n).repeat(9)}`,
    secretAccessKey: `secret${String(n).repeat(34)}`,
  });
  world.accounts.push(account(ACCOUNT_A, 1), account(ACCOUNT_B, 2), account(ACCOUNT_C, 3));
  const vpc = (id: string, ownerId: string, i: number) => ({ id, ownerId, region: REGION, cidr: `10.${i}.0.0/16`, name: id });
  world.vpcs.push(
    vpc(VPC.a1, ACCOUNT_A, 1),
    vpc(VPC.a2, ACCOUNT_A, 2),
    vpc(VPC.a3, ACCOUNT_A, 3),
    vpc(VPC.a4, ACCOUNT_A, 4),
    vpc(VPC.b1, ACCOUNT_B, 5),
    vpc(VPC.b2, ACCOUNT_B, 6),
  );
  world.endpoints.push({
    id: 'vpce-0e100000000000001',
    ownerId: ACCOUNT_A,
    vpcId: ENDPOINT_VPC,
    serviceName: 'com.amazonaws.us-east-1.lambda',
    type: 'Interface',
    state: 'available',
    privateDnsEnabled: true,
    privateDnsNames: [ENDPOINT_NAME],
    supportsPrivateDns: true,
    dnsEntries: [{ dnsName: 'vpce-0e100000000000001-abcd.lambda.us-east-1.vpce.amazonaws.com', hostedZoneId: 'Z7HUB22UULQXV' }],
    networkInterfaceIds: [],
    creationTimestamp: 0,
    tags: {},
  });
  return world;
}

export function ctxFor(world: World, accountId: string, now: number, delayFactor = 1): CallContext {
  return {
    world,
    now,
    accountId,
    region: REGION,
    requestId: 'req-' + now,
    delayFactor,
    takeFault: () => false,
  };
}
