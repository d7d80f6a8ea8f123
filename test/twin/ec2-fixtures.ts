// A small hand-built world for the EC2 tests: two accounts, three VPCs, endpoints with and
// without a conflicting directly-associated PHZ, one reaching its VPC only through a Profile.
import type { CallContext } from '../../src/twin/protocol.js';
import { emptyWorld, type NetworkInterface, type VpcEndpoint, type World } from '../../src/twin/world.js';

export const REGION = 'us-east-1';
export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export const IDS = {
  sharedVpc: 'vpc-0a0000000000000a1',
  spokeVpc: 'vpc-0a0000000000000a2',
  otherVpc: 'vpc-0b0000000000000b1',
  lambda: 'vpce-0a00000000000aa01', // PHZ lambda.us-east-1.amazonaws.com associated DIRECTLY with sharedVpc
  s3: 'vpce-0a00000000000aa02', // PHZ s3.us-east-1.amazonaws.com reaches sharedVpc only via the Profile
  noPrivateDns: 'vpce-0a00000000000aa03', // a service without Private DNS
  sts: 'vpce-0a00000000000aa04', // no PHZ at all
  otherAccount: 'vpce-0b00000000000bb01',
  lambdaZone: 'Z0000000000000000LMBD',
  s3Zone: 'Z00000000000000000S3Z',
  profile: 'rp-0000000000000001',
};

let eniCounter = 0;

function addEndpoint(
  world: World,
  e: { id: string; ownerId: string; vpcId: string; suffix: string; names: string[]; supportsPrivateDns?: boolean },
): VpcEndpoint {
  const enis: NetworkInterface[] = ['a', 'b'].map((az, k) => {
    eniCounter += 1;
    return {
      id: `eni-${String(eniCounter).padStart(17, '0')}`,
      vpcId: e.vpcId,
      ownerId: e.ownerId,
      subnetId: `subnet-0${k}${'0'.repeat(15)}`,
      availabilityZone: `${REGION}${az}`,
      privateIp: `10.0.${k * 16 + 1}.${10 + eniCounter}`,
      description: `VPC Endpoint Interface ${e.id}`,
      endpointId: e.id,
    };
  });
  world.networkInterfaces.push(...enis);
  const dnsSuffix = `${e.suffix}.${REGION}.vpce.amazonaws.com`;
  const ep: VpcEndpoint = {
    id: e.id,
    ownerId: e.ownerId,
    vpcId: e.vpcId,
    serviceName: `com.amazonaws.${REGION}.${e.suffix}`,
    type: 'Interface',
    state: 'available',
    privateDnsEnabled: false,
    privateDnsNames: e.names,
    supportsPrivateDns: e.supportsPrivateDns ?? true,
    dnsEntries: [
      { dnsName: `${e.id}-abcd1234.${dnsSuffix}`, hostedZoneId: 'Z7HUB22UULQXV' },
      { dnsName: `${e.id}-abcd1234-${REGION}a.${dnsSuffix}`, hostedZoneId: 'Z7HUB22UULQXV' },
    ],
    networkInterfaceIds: enis.map((n) => n.id),
    creationTimestamp: T0 - 86_400_000,
    tags: { Name: `${e.suffix}-endpoint` },
  };
  world.endpoints.push(ep);
  return ep;
}

/** A fresh world per call (tests mutate it). Delays are BASE_DELAYS (endpointModifyMs 10 s). */
export function ec2World(): World {
  eniCounter = 0;
  const world = emptyWorld(REGION, 'ec2-test');
  world.accounts.push(
    { id: ACCOUNT_A, name: 'shared-services', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'a'.repeat(40) },
    { id: ACCOUNT_B, name: 'other', accessKeyId: 'AKIABBBBBBBBBBBBBBBB', secretAccessKey: 'b'.repeat(40) },
  );
  world.vpcs.push(
    { id: IDS.sharedVpc, ownerId: ACCOUNT_A, region: REGION, cidr: '10.0.0.0/20', name: 'shared-services' },
    { id: IDS.spokeVpc, ownerId: ACCOUNT_A, region: REGION, cidr: '10.1.0.0/20', name: 'spoke-1' },
    { id: IDS.otherVpc, ownerId: ACCOUNT_B, region: REGION, cidr: '10.2.0.0/20', name: 'other' },
  );
  addEndpoint(world, { id: IDS.lambda, ownerId: ACCOUNT_A, vpcId: IDS.sharedVpc, suffix: 'lambda', names: [`lambda.${REGION}.amazonaws.com`] });
  addEndpoint(world, {
    id: IDS.s3,
    ownerId: ACCOUNT_A,
    vpcId: IDS.sharedVpc,
    suffix: 's3',
    names: [`s3.${REGION}.amazonaws.com`, `*.s3.${REGION}.amazonaws.com`],
  });
  addEndpoint(world, { id: IDS.noPrivateDns, ownerId: ACCOUNT_A, vpcId: IDS.sharedVpc, suffix: 'noprivatedns', names: [], supportsPrivateDns: false });
  addEndpoint(world, { id: IDS.sts, ownerId: ACCOUNT_A, vpcId: IDS.spokeVpc, suffix: 'sts', names: [`sts.${REGION}.amazonaws.com`] });
  addEndpoint(world, { id: IDS.otherAccount, ownerId: ACCOUNT_B, vpcId: IDS.otherVpc, suffix: 'lambda', names: [`lambda.${REGION}.amazonaws.com`] });

  const zone = (id: string, name: string, vpcIds: string[]) => ({
    id,
    name,
    ownerId: ACCOUNT_A,
    callerReference: id,
    comment: '',
    privateZone: true,
    vpcs: vpcIds.map((vpcId) => ({ vpcId, region: REGION })),
    authorizations: [],
    records: [],
    busyUntil: 0,
  });
  world.zones.push(zone(IDS.lambdaZone, `lambda.${REGION}.amazonaws.com.`, [IDS.sharedVpc, IDS.spokeVpc]));
  // Associated with the spoke directly and with the shared VPC only through the Profile.
  world.zones.push(zone(IDS.s3Zone, `s3.${REGION}.amazonaws.com.`, [IDS.spokeVpc]));
  world.profiles.push({
    id: IDS.profile,
    arn: `arn:aws:route53profiles:${REGION}:${ACCOUNT_A}:profile/${IDS.profile}`,
    name: 'shared-dns',
    ownerId: ACCOUNT_A,
    sharedWith: [],
    clientToken: 'p',
    creationTime: T0,
    modificationTime: T0,
    status: 'COMPLETE',
    tags: {},
  });
  const life = { status: 'COMPLETE' as const, statusMessage: '', creationTime: T0, modificationTime: T0 };
  world.profileAssociations.push({ id: 'rpassoc-01', name: 'a', ownerId: ACCOUNT_A, profileId: IDS.profile, resourceId: IDS.sharedVpc, tags: {}, ...life });
  world.resourceAssociations.push({
    id: 'rpr-01',
    name: 'z',
    ownerId: ACCOUNT_A,
    profileId: IDS.profile,
    resourceArn: `arn:aws:route53:::hostedzone/${IDS.s3Zone}`,
    resourceType: 'AWS::Route53::HostedZone',
    ...life,
  });
  return world;
}

export function ctxFor(world: World, accountId: string, now: number, extra: Partial<CallContext> = {}): CallContext {
  return {
    world,
    now,
    accountId,
    region: REGION,
    requestId: '00000000-0000-4000-8000-000000000000',
    delayFactor: 1,
    takeFault: () => false,
    ...extra,
  };
}

/** Runs fn and returns the AwsApiError code it threw (fails the test if it didn't throw one). */
export function codeOf(fn: () => unknown): { code: string; message: string; status: number } {
  try {
    fn();
  } catch (e) {
    const err = e as { name?: string; code?: string; message: string; httpStatus?: number };
    if (err.name !== 'AwsApiError') throw e;
    return { code: err.code!, message: err.message, status: err.httpStatus! };
  }
  throw new Error('expected an AwsApiError, but the call succeeded');
}
