// Deterministic starting estates for the twin: the two architectures the migration starts from
// (DESIGN §1), with N VPCs, M interface endpoints and K accounts, ids derived from a seed; and
// direct-no-profile, path A before any Route 53 Profile exists (the plan must create one).
import { RESOURCE_TYPE_HOSTED_ZONE } from './ops/profiles.js';
import { TWIN_AGENT_VERSION } from './ops/ssm.js';
import {
  canonicalName,
  derive,
  emptyWorld,
  nextId,
  scaleDelays,
  type HostedZone,
  type RecordSet,
  type VpcEndpoint,
  type World,
} from './world.js';

/**
 * direct: every zone associated directly with every VPC, and a Profile (empty, shared) ready to
 * use; via-profile: the zones on that Profile, associated with every VPC; direct-no-profile: as
 * direct, but the world has no Route 53 Profile at all.
 */
export type ScenarioName = 'direct' | 'via-profile' | 'direct-no-profile';
export const SCENARIO_NAMES: readonly ScenarioName[] = ['direct', 'via-profile', 'direct-no-profile'];

export type OrganizationMode = NonNullable<ScenarioOptions['organization']>;
export const ORGANIZATION_MODES: readonly OrganizationMode[] = ['sharing-enabled', 'sharing-disabled'];

export interface ScenarioOptions {
  scenario: ScenarioName;
  /** VPCs in all: the shared-services VPC plus N-1 spokes. */
  vpcs: number;
  /** Interface endpoints in the shared-services VPC, taken in catalogue order. */
  endpoints: number;
  /** Accounts: the first is shared services; spokes are spread over the others. */
  accounts: number;
  seed: string;
  region: string;
  /** Multiplier on the lifecycle delays (0.01 makes a 6 s association take 60 ms). */
  delayScale: number;
  /** Add a parking VPC (no workloads, in the zones' account) for the plan to hold the zones with. */
  parking?: boolean;
  /**
   * Put every account in one AWS Organization (the first account is its management account),
   * with RAM sharing with AWS Organizations enabled or not. Absent: no organization (RAM shares
   * are invitations each account accepts), as before RAM was modelled.
   */
  organization?: 'sharing-enabled' | 'sharing-disabled';
}

/** The parking VPC's name tag in a scenario. */
export const PARKING_VPC_NAME = 'parking';

/**
 * The bucket every scenario gives the first (shared-services) account for the run's shared state
 * (`--state s3://…`): bucket names are global, so the account id makes it unique.
 */
export const stateBucketName = (accountId: string) => `r53migrate-state-${accountId}`;

export const DEFAULT_SCENARIO: ScenarioOptions = {
  scenario: 'direct',
  vpcs: 3,
  endpoints: 1,
  accounts: 1,
  seed: 'r53migrate',
  region: 'us-east-1',
  delayScale: 0.05,
};

interface CatalogueEntry {
  /** The suffix of com.amazonaws.<region>.<suffix>. */
  suffix: string;
  /** Private DNS names, {r} = region. Wildcards are real (S3, ECR dkr). */
  names: string[];
}

/** Real service names and the Private DNS names their endpoints serve. */
export const ENDPOINT_CATALOGUE: CatalogueEntry[] = [
  { suffix: 'lambda', names: ['lambda.{r}.amazonaws.com'] },
  { suffix: 's3', names: ['s3.{r}.amazonaws.com', '*.s3.{r}.amazonaws.com'] },
  { suffix: 'ecr.api', names: ['api.ecr.{r}.amazonaws.com'] },
  { suffix: 'ecr.dkr', names: ['dkr.ecr.{r}.amazonaws.com', '*.dkr.ecr.{r}.amazonaws.com'] },
  { suffix: 'sts', names: ['sts.{r}.amazonaws.com'] },
  { suffix: 'logs', names: ['logs.{r}.amazonaws.com'] },
  { suffix: 'ssm', names: ['ssm.{r}.amazonaws.com'] },
  { suffix: 'kms', names: ['kms.{r}.amazonaws.com'] },
  { suffix: 'sqs', names: ['sqs.{r}.amazonaws.com'] },
  { suffix: 'secretsmanager', names: ['secretsmanager.{r}.amazonaws.com'] },
  { suffix: 'monitoring', names: ['monitoring.{r}.amazonaws.com'] },
  { suffix: 'events', names: ['events.{r}.amazonaws.com'] },
];

/** The hosted zone id AWS uses for vpce DNS names in us-east-1 (other regions: derived). */
function vpceHostedZoneId(region: string): string {
  return region === 'us-east-1' ? 'Z7HUB22UULQXV' : 'Z' + derive(`vpce:${region}`, 12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
}

const HEX = '0123456789abcdef';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const KEYCHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function validateScenario(o: ScenarioOptions): string[] {
  const problems: string[] = [];
  const intIn = (name: 'vpcs' | 'endpoints' | 'accounts', min: number, max: number) => {
    const v = o[name];
    if (!Number.isInteger(v) || v < min || v > max) problems.push(`--${name} must be a whole number from ${min} to ${max} (got ${v})`);
  };
  intIn('vpcs', 2, 1000);
  intIn('endpoints', 1, ENDPOINT_CATALOGUE.length);
  intIn('accounts', 1, 50);
  if (!(SCENARIO_NAMES as readonly string[]).includes(o.scenario)) problems.push(`--scenario must be ${SCENARIO_NAMES.slice(0, -1).join(', ')} or ${SCENARIO_NAMES.at(-1)} (got ${o.scenario})`);
  if (o.organization !== undefined && !(ORGANIZATION_MODES as readonly string[]).includes(o.organization)) {
    problems.push(`--organization must be ${ORGANIZATION_MODES.join(' or ')} (got ${o.organization})`);
  }
  if (!(typeof o.delayScale === 'number' && o.delayScale >= 0 && o.delayScale <= 100)) problems.push(`--delay-scale must be a number from 0 to 100 (got ${o.delayScale})`);
  if (Number.isInteger(o.accounts) && Number.isInteger(o.vpcs) && o.accounts > o.vpcs) {
    problems.push(`--accounts (${o.accounts}) cannot exceed --vpcs (${o.vpcs}): every account holds at least one VPC`);
  }
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(o.region)) problems.push(`region ${o.region} is not an AWS region name`);
  return problems;
}

export function buildScenario(opts: Partial<ScenarioOptions> = {}): World {
  const o = { ...DEFAULT_SCENARIO, ...opts };
  const problems = validateScenario(o);
  if (problems.length) throw new Error(`invalid scenario: ${problems.join('; ')}`);
  const world = emptyWorld(o.region, o.seed, scaleDelays(o.delayScale));
  const t0 = Date.UTC(2026, 0, 1);

  for (let i = 0; i < o.accounts; i++) {
    const id = String(100000000000 + (parseInt(derive(`${o.seed}:account:${i}`, 8, HEX), 16) % 899999999999));
    world.accounts.push({
      id,
      name: i === 0 ? 'shared-services' : `spokes-${i}`,
      accessKeyId: 'AKIA' + derive(`${o.seed}:ak:${i}`, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
      secretAccessKey: derive(`${o.seed}:sk:${i}`, 40, KEYCHARS),
    });
  }
  const accountIds = world.accounts.map((a) => a.id);
  const shared = accountIds[0]!;
  for (const id of accountIds) {
    world.roles.push({ arn: `arn:aws:iam::${id}:role/r53migrate`, accountId: id, trustedAccountIds: [...accountIds] });
  }

  // VPC 0 is shared services; spokes go round-robin over the other accounts (or all in one).
  for (let i = 0; i < o.vpcs; i++) {
    const owner = i === 0 || o.accounts === 1 ? shared : accountIds[1 + ((i - 1) % (o.accounts - 1))]!;
    world.vpcs.push({
      id: nextId(world, 'vpc-', 17, HEX),
      ownerId: owner,
      region: o.region,
      cidr: `10.${i % 256}.${Math.floor(i / 256) * 16}.0/20`,
      name: i === 0 ? 'shared-services' : `spoke-${i}`,
    });
  }
  const sharedVpc = world.vpcs[0]!;

  // Taken even when no Profile is made (direct-no-profile), so every other id is the same as in
  // the direct scenario with the same seed.
  const profileId = nextId(world, 'rp-', 16, HEX);
  if (o.scenario !== 'direct-no-profile') {
    world.profiles.push({
      id: profileId,
      arn: `arn:aws:route53profiles:${o.region}:${shared}:profile/${profileId}`,
      name: 'shared-dns',
      ownerId: shared,
      sharedWith: accountIds.slice(1),
      clientToken: `${o.seed}-profile`,
      creationTime: t0,
      modificationTime: t0,
      status: 'COMPLETE',
      tags: {},
    });
  }

  for (let e = 0; e < o.endpoints; e++) {
    const entry = ENDPOINT_CATALOGUE[e]!;
    const ep = addEndpoint(world, entry, sharedVpc.id, shared, e, t0);
    addSelfManagedZones(world, ep, shared, t0);
  }

  for (const zone of world.zones) {
    if (o.scenario === 'direct' || o.scenario === 'direct-no-profile') {
      zone.vpcs = world.vpcs.map((v) => ({ vpcId: v.id, region: o.region }));
    } else {
      zone.vpcs = [{ vpcId: sharedVpc.id, region: o.region }];
      world.resourceAssociations.push({
        id: nextId(world, 'rpr-', 17, HEX),
        name: `phz-${zone.name.slice(0, -1).replace(/[^a-zA-Z0-9-]/g, '-')}`.slice(0, 64),
        ownerId: shared,
        profileId,
        resourceArn: `arn:aws:route53:::hostedzone/${zone.id}`,
        resourceType: RESOURCE_TYPE_HOSTED_ZONE,
        resourceProperties: undefined,
        status: 'COMPLETE',
        statusMessage: 'Created Profile Resource Association',
        creationTime: t0,
        modificationTime: t0,
      });
    }
  }
  addProbeInstances(world, o.seed, t0);
  if (o.scenario === 'via-profile') {
    for (const vpc of world.vpcs) {
      world.profileAssociations.push({
        id: nextId(world, 'rpassoc-', 17, HEX),
        name: `assoc-${vpc.name}`,
        ownerId: vpc.ownerId,
        profileId,
        resourceId: vpc.id,
        status: 'COMPLETE',
        statusMessage: 'Created Profile Association',
        creationTime: t0,
        modificationTime: t0,
        tags: {},
      });
    }
  }
  // Last (no probe instance: nothing runs in it; on no Profile) and with a derived id, so the
  // scenario's other ids are the same with or without it.
  if (o.parking) {
    world.vpcs.push({ id: 'vpc-' + derive(`${o.seed}:parking`, 17, HEX), ownerId: shared, region: o.region, cidr: '10.255.240.0/28', name: PARKING_VPC_NAME });
  }
  // The state bucket, empty; no id is taken from the counter.
  world.buckets = [{ name: stateBucketName(shared), ownerAccountId: shared, region: o.region, creationDate: t0, objects: {} }];
  if (o.organization) {
    // Ids derived without the world's counter, so adding an organization shifts no other id.
    world.organization = {
      id: `o-${derive(`${o.seed}:organization`, 10, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
      managementAccountId: shared,
      accountIds: [...accountIds],
      ramSharingEnabled: o.organization === 'sharing-enabled',
    };
  }
  return world;
}

/**
 * One running instance per VPC with an online SSM Agent, for probing DNS from inside the VPC
 * through Run Command. Ids come from the seed through derive() (not nextId), so adding them
 * changes no other id of the scenario.
 */
function addProbeInstances(world: World, seed: string, t0: number): void {
  world.vpcs.forEach((vpc, i) => {
    const [a, b, c] = vpc.cidr.split('/')[0]!.split('.');
    const id = 'i-' + derive(`${seed}:instance:${vpc.id}`, 17, HEX);
    world.instances.push({
      id,
      ownerId: vpc.ownerId,
      vpcId: vpc.id,
      subnetId: 'subnet-' + derive(`${seed}:probe-subnet:${vpc.id}`, 17, HEX),
      availabilityZone: `${world.region}a`,
      // The upper half of the VPC's /20, clear of the endpoint ENIs (10.0.<4k+1>.x).
      privateIp: `${a}.${b}.${Number(c) + 8}.${10 + (i % 200)}`,
      state: 'running',
      imageId: 'ami-' + derive(`${seed}:ami:${world.region}`, 17, HEX),
      instanceType: 't3.micro',
      launchTime: t0,
      tags: { Name: `${vpc.name}-probe`, 'r53migrate:probe': 'true' },
      iamInstanceProfile: {
        arn: `arn:aws:iam::${vpc.ownerId}:instance-profile/r53migrate-probe`,
        id: 'AIPA' + derive(`${seed}:instance-profile:${vpc.ownerId}`, 17, UPPER),
      },
      ssmAgent: { agentVersion: TWIN_AGENT_VERSION, platformName: 'Amazon Linux', platformVersion: '2023', registeredAt: t0 },
    });
  });
}

function addEndpoint(world: World, entry: CatalogueEntry, vpcId: string, owner: string, index: number, t0: number): VpcEndpoint {
  const region = world.region;
  const id = nextId(world, 'vpce-', 17, HEX);
  const dnsSuffix = `${entry.suffix}.${region}.vpce.amazonaws.com`;
  const tag = derive(`${world.seed}:${id}`, 8, 'abcdefghijklmnopqrstuvwxyz0123456789');
  const zoneId = vpceHostedZoneId(region);
  const azs = [`${region}a`, `${region}b`];
  const eniIds: string[] = [];
  azs.forEach((az, k) => {
    const eniId = nextId(world, 'eni-', 17, HEX);
    eniIds.push(eniId);
    world.networkInterfaces.push({
      id: eniId,
      vpcId,
      ownerId: owner,
      subnetId: nextId(world, 'subnet-', 17, HEX),
      availabilityZone: az,
      privateIp: `10.0.${k * 4 + 1}.${10 + index}`,
      description: `VPC Endpoint Interface ${id}`,
      endpointId: id,
    });
  });
  const ep: VpcEndpoint = {
    id,
    ownerId: owner,
    vpcId,
    serviceName: `com.amazonaws.${region}.${entry.suffix}`,
    type: 'Interface',
    state: 'available',
    privateDnsEnabled: false,
    privateDnsNames: entry.names.map((n) => n.replace('{r}', region)),
    supportsPrivateDns: true,
    dnsEntries: [
      { dnsName: `${id}-${tag}.${dnsSuffix}`, hostedZoneId: zoneId },
      ...azs.map((az) => ({ dnsName: `${id}-${tag}-${az}.${dnsSuffix}`, hostedZoneId: zoneId })),
    ],
    networkInterfaceIds: eniIds,
    creationTimestamp: t0,
    tags: {},
  };
  world.endpoints.push(ep);
  return ep;
}

/** One self-managed PHZ per zone the endpoint serves, each name an alias to the regional vpce name. */
function addSelfManagedZones(world: World, ep: VpcEndpoint, owner: string, t0: number): void {
  const regional = ep.dnsEntries[0]!;
  const byZone = new Map<string, string[]>();
  for (const n of ep.privateDnsNames) {
    const zoneName = canonicalName(n.replace(/^\*\./, ''));
    byZone.set(zoneName, [...(byZone.get(zoneName) ?? []), canonicalName(n)]);
  }
  for (const [zoneName, names] of byZone) {
    const id = nextId(world, 'Z', 20, UPPER);
    const records: RecordSet[] = [
      {
        name: zoneName,
        type: 'SOA',
        ttl: 900,
        values: ['ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'],
      },
      {
        name: zoneName,
        type: 'NS',
        ttl: 172800,
        values: ['ns-1536.awsdns-00.co.uk.', 'ns-0.awsdns-00.com.', 'ns-1024.awsdns-00.org.', 'ns-512.awsdns-00.net.'],
      },
      ...names.map((name) => ({
        name,
        type: 'A',
        alias: { hostedZoneId: regional.hostedZoneId, dnsName: canonicalName(regional.dnsName), evaluateTargetHealth: true },
      })),
    ];
    const zone: HostedZone = {
      id,
      name: zoneName,
      ownerId: owner,
      callerReference: `r53migrate-${world.seed}-${id}`,
      comment: `self-managed zone for ${ep.serviceName} (${ep.id})`,
      privateZone: true,
      vpcs: [],
      authorizations: [],
      records,
      busyUntil: t0,
    };
    world.zones.push(zone);
  }
}
