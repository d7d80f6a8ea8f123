// The twin's world: plain JSON-able data for the slice of AWS the migration touches.
// Behaviour (what an API call may do to it) lives in ops/; how a VPC resolves lives in
// resolution.ts. Status lifecycles are driven by deadlines (epoch ms) that advance() applies
// lazily, so the world needs no timers and a test clock can drive it.
import type { PolicyDocument } from './iam.js';

export type AssociationStatus = 'CREATING' | 'UPDATING' | 'COMPLETE' | 'DELETING' | 'DELETED' | 'FAILED';
export type EndpointState = 'pendingAcceptance' | 'pending' | 'available' | 'deleting' | 'deleted' | 'rejected' | 'failed';

export interface Account {
  id: string;
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Temporary credentials handed out by the twin's STS AssumeRole. */
export interface SessionCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleArn: string;
  expiresAt: number;
  /** RoleSessionName (GetCallerIdentity: arn:aws:sts::ID:assumed-role/ROLE/SESSION). */
  sessionName?: string;
}

/** An IAM role other accounts may assume through the twin's STS (assume-role profiles). */
export interface Role {
  arn: string;
  accountId: string;
  trustedAccountIds: string[];
  externalId?: string;
}

export interface Vpc {
  id: string;
  ownerId: string;
  region: string;
  cidr: string;
  name: string;
}

export interface VpcRef {
  vpcId: string;
  region: string;
}

export interface AliasTarget {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** GeoLocation of a geolocation record set, verbatim from the request (model shape GeoLocation). */
export interface GeoLocation {
  continentCode?: string;
  countryCode?: string;
  subdivisionCode?: string;
}

/** CidrRoutingConfig of an IP-based record set (model shape CidrRoutingConfig). */
export interface CidrRoutingConfig {
  collectionId: string;
  locationName: string;
}

/** GeoProximityLocation of a geoproximity record set (model shape GeoProximityLocation). */
export interface GeoProximityLocation {
  awsRegion?: string;
  localZoneGroup?: string;
  coordinates?: { latitude: string; longitude: string };
  bias?: number;
}

/**
 * The routing-policy fields of a record set that has a SetIdentifier, carried verbatim so they
 * round-trip through ListResourceRecordSets. Exactly one of them is set (ops/route53.ts checks).
 */
export interface RoutingPolicy {
  weight?: number;
  /** Latency records: the AWS Region of the resource. */
  region?: string;
  failover?: 'PRIMARY' | 'SECONDARY';
  geoLocation?: GeoLocation;
  multiValueAnswer?: boolean;
  cidrRoutingConfig?: CidrRoutingConfig;
  geoProximityLocation?: GeoProximityLocation;
}

export interface RecordSet {
  /** Absolute, lower-case, with trailing dot; a leading `*` label is a wildcard. */
  name: string;
  type: string;
  ttl?: number;
  values?: string[];
  alias?: AliasTarget;
  /** Set for record sets with a routing policy other than simple: (name, type, setIdentifier) is the identity. */
  setIdentifier?: string;
  routing?: RoutingPolicy;
  /** Stored verbatim; the twin does not model health checks (every record counts as healthy). */
  healthCheckId?: string;
}

export interface HostedZone {
  /** Bare id, e.g. Z0123456789ABCDEFGHIJ (the wire adds `/hostedzone/`). */
  id: string;
  /** Absolute, lower-case, trailing dot. */
  name: string;
  ownerId: string;
  callerReference: string;
  comment: string;
  privateZone: boolean;
  vpcs: VpcRef[];
  /** Cross-account association authorizations created by the owner and not yet deleted. */
  authorizations: VpcRef[];
  records: RecordSet[];
  /** A change on this zone is still PENDING until then (PriorRequestNotComplete window). */
  busyUntil: number;
  /** Cost-allocation tags (ChangeTagsForResource), in the order they were first added; gone with the zone. */
  tags?: Record<string, string>;
}

export interface Change {
  id: string;
  /** The account that made the change (GetChange from another account may be denied). */
  ownerId: string;
  submittedAt: number;
  insyncAt: number;
  comment?: string;
}

export interface Profile {
  id: string;
  arn: string;
  name: string;
  ownerId: string;
  /**
   * Accounts the Profile is shared with by a standing share the scenario declares (made outside
   * the twin). Shares made through the twin's RAM API live in world.resourceShares and count too
   * (ops/ram.ts profileSharedWith).
   */
  sharedWith: string[];
  clientToken: string;
  creationTime: number;
  modificationTime: number;
  status: AssociationStatus;
  tags: Record<string, string>;
}

/**
 * An AWS Organization the twin's accounts may belong to (RAM needs it: inside an organization
 * with sharing enabled, shares need no invitation). Absent from a world: no organization, every
 * share is an invitation to accept (as before RAM was modelled).
 */
export interface Organization {
  /** `o-` + 10 lower-case alphanumerics. */
  id: string;
  managementAccountId: string;
  /** Every member account, the management account included. */
  accountIds: string[];
  /** Organizational units: id (`ou-root-xxxxxxxx`) and the accounts under it. */
  ous?: { id: string; accountIds: string[] }[];
  /** RAM EnableSharingWithAwsOrganization has been called ("auto-accept" inside the organization). */
  ramSharingEnabled: boolean;
  /** The management account's root email, as DescribeOrganization reports it; absent: derived (ops/organizations.ts). */
  managementAccountEmail?: string;
}

export type ShareAssociationStatus = 'ASSOCIATING' | 'ASSOCIATED' | 'FAILED' | 'DISASSOCIATING' | 'DISASSOCIATED';

/** A principal or a resource of a RAM resource share. */
export interface ShareAssociation {
  /** Account id, organization/OU ARN (principals) or resource ARN. */
  entity: string;
  status: ShareAssociationStatus;
  statusMessage?: string;
  creationTime: number;
  lastUpdatedTime: number;
  /** Principals only: outside the owner's organization. */
  external: boolean;
}

/** A RAM resource share (ops/ram.ts). */
export interface ResourceShare {
  /** arn:aws:ram:REGION:OWNER:resource-share/UUID */
  arn: string;
  name: string;
  ownerId: string;
  allowExternalPrincipals: boolean;
  status: 'ACTIVE' | 'DELETED';
  clientToken?: string;
  /** What the create request asked for, to answer IdempotentParameterMismatchException. */
  requestDigest?: string;
  creationTime: number;
  lastUpdatedTime: number;
  tags: { key: string; value: string }[];
  principals: ShareAssociation[];
  resources: ShareAssociation[];
}

/** A RAM invitation to an account outside the owner's organization (or with sharing not enabled). */
export interface ShareInvitation {
  /** arn:aws:ram:REGION:OWNER:resource-share-invitation/UUID */
  arn: string;
  resourceShareArn: string;
  senderAccountId: string;
  receiverAccountId: string;
  status: 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'EXPIRED';
  createdAt: number;
  clientToken?: string;
}

/** The deadlines that move an association through its lifecycle. */
export interface Lifecycle {
  status: AssociationStatus;
  statusMessage: string;
  creationTime: number;
  modificationTime: number;
  /** CREATING/UPDATING becomes COMPLETE (or FAILED when failAtCompletion) at this time. */
  settleAt?: number;
  failAtCompletion?: boolean;
  /** DELETING disappears at this time. */
  goneAt?: number;
}

export interface ProfileAssociation extends Lifecycle {
  id: string;
  name: string;
  ownerId: string;
  profileId: string;
  /** The VPC id. */
  resourceId: string;
  tags: Record<string, string>;
}

export interface ProfileResourceAssociation extends Lifecycle {
  id: string;
  name: string;
  ownerId: string;
  profileId: string;
  resourceArn: string;
  resourceType: string;
  resourceProperties?: string;
}

export interface NetworkInterface {
  id: string;
  vpcId: string;
  ownerId: string;
  subnetId: string;
  availabilityZone: string;
  privateIp: string;
  description: string;
  endpointId: string;
}

export interface VpcEndpoint {
  id: string;
  ownerId: string;
  vpcId: string;
  serviceName: string;
  type: 'Interface' | 'Gateway';
  state: EndpointState;
  /** pending becomes available at this time. */
  availableAt?: number;
  privateDnsEnabled: boolean;
  /**
   * When the endpoint's own Private DNS zone starts answering (set when ModifyVpcEndpoint turns it
   * on, at the end of the pending period). Later pending periods (e.g. joining a Profile) don't
   * interrupt it.
   */
  privateDnsActiveAt?: number;
  /** The names the service's Private DNS serves, e.g. lambda.us-east-1.amazonaws.com, *.s3.... */
  privateDnsNames: string[];
  /** False for services whose endpoints can't use Private DNS: they must stay on a PHZ. */
  supportsPrivateDns: boolean;
  /** Regional and zonal vpce DNS names (publicly resolvable to the ENI IPs). */
  dnsEntries: { dnsName: string; hostedZoneId: string }[];
  networkInterfaceIds: string[];
  creationTimestamp: number;
  tags: Record<string, string>;
}

export type InstanceStateName = 'running' | 'stopped' | 'terminated';

/** The SSM Agent on an instance (a managed node); absent: the instance is not managed by SSM. */
export interface SsmAgent {
  agentVersion: string;
  platformName: string;
  platformVersion: string;
  /** When the node first registered with Systems Manager. */
  registeredAt: number;
}

/** An EC2 instance (only what probing through SSM Run Command needs). */
export interface Instance {
  /** `i-` + 17 hex. */
  id: string;
  ownerId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  privateIp: string;
  state: InstanceStateName;
  imageId: string;
  instanceType: string;
  launchTime: number;
  tags: Record<string, string>;
  iamInstanceProfile?: { arn: string; id: string };
  ssmAgent?: SsmAgent;
}

export type CommandInvocationStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';

/** One instance's part of a Run Command command (lifecycle: ops/ssm.ts advanceSsm). */
export interface CommandInvocation {
  instanceId: string;
  /** The instance's Name tag when the command was sent (CommandInvocation.InstanceName). */
  instanceName: string;
  status: CommandInvocationStatus;
  statusDetails: string;
  /** Earliest time the agent picks it up (world.delays.ssmDeliveryMs after the request). */
  deliverAt: number;
  startedAt?: number;
  endedAt?: number;
  /** -1 until the plugin ran. */
  responseCode: number;
  stdout: string;
  stderr: string;
  /** An injected `ssm-command-fail` fault: ends Failed, exit code 1, no output. */
  failInjected?: boolean;
}

/** A SendCommand request (AWS-RunShellScript only). */
export interface SsmCommand {
  commandId: string;
  ownerId: string;
  region: string;
  documentName: string;
  documentVersion: string;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  requestedAt: number;
  /** GetCommandInvocation answers InvocationDoesNotExist before this (eventual consistency). */
  visibleAt: number;
  /** Delivery timeout (TimeoutSeconds). */
  timeoutSeconds: number;
  /** The document's executionTimeout, seconds. */
  executionTimeoutSeconds: number;
  maxConcurrency: string;
  maxErrors: string;
  invocations: CommandInvocation[];
}

/**
 * An S3 object (ops/s3.ts): the current version only (the twin's buckets are unversioned). Keys
 * are own properties of S3Bucket.objects, read and written through ops/s3.ts so a key such as
 * `__proto__` stays an ordinary key.
 */
export interface S3Object {
  body: Buffer;
  /** MD5 of the body in hex, in double quotes, as S3 sends it (single-part, not SSE-KMS/SSE-C). */
  etag: string;
  /** Epoch ms. */
  lastModified: number;
  contentType: string;
  /** The flexible checksum the writer sent (x-amz-checksum-<algorithm>), kept as sent. */
  checksum?: { algorithm: string; value: string };
}

/** A general purpose S3 bucket; only its owner account may use it (no bucket policies). */
export interface S3Bucket {
  name: string;
  ownerAccountId: string;
  region: string;
  /** Epoch ms. */
  creationDate: number;
  objects: Record<string, S3Object>;
}

/** Switchable rules for behaviour AWS does not document precisely (aws-api.md [unconfirmed]). */
export interface TwinRules {
  /** A Profile may not hold a PHZ and an interface endpoint serving the same name (stricter default). */
  rejectProfileZoneEndpointOverlap: boolean;
  /** Route 53 refuses a second change on a zone while one is PENDING (PriorRequestNotComplete). */
  priorRequestNotComplete: boolean;
  /** GetChange from an account other than the change's maker is denied (Terraform treats it as done). */
  denyCrossAccountGetChange: boolean;
}

/** How long each lifecycle takes, in ms (already multiplied by the sandbox's delay scale). */
export interface TwinDelays {
  changeInsyncMs: number;
  profileAssociationMs: number;
  profileDisassociationMs: number;
  resourceAssociationMs: number;
  resourceDisassociationMs: number;
  endpointModifyMs: number;
  /** SendCommand → the agent picks the command up (Pending → InProgress). */
  ssmDeliveryMs: number;
  /** SendCommand → GetCommandInvocation finds the invocation (InvocationDoesNotExist before). */
  ssmConsistencyMs: number;
}

export interface World {
  region: string;
  accounts: Account[];
  sessions: SessionCredential[];
  roles: Role[];
  vpcs: Vpc[];
  zones: HostedZone[];
  changes: Change[];
  profiles: Profile[];
  profileAssociations: ProfileAssociation[];
  resourceAssociations: ProfileResourceAssociation[];
  endpoints: VpcEndpoint[];
  networkInterfaces: NetworkInterface[];
  instances: Instance[];
  /** Run Command commands sent through SSM SendCommand. */
  commands: SsmCommand[];
  rules: TwinRules;
  delays: TwinDelays;
  /**
   * The identity policy attached to each account's user and to its role (one per account, by
   * account id). An account without one is not evaluated: everything is allowed (iam-authz.ts).
   */
  iamPolicies?: Record<string, PolicyDocument>;
  /** The organization the accounts belong to; absent: none (RAM shares need invitations). */
  organization?: Organization;
  /** RAM resource shares (absent until the first CreateResourceShare). */
  resourceShares?: ResourceShare[];
  /** RAM invitations (absent until the first one). */
  shareInvitations?: ShareInvitation[];
  /** S3 buckets (the state backend's, ops/s3.ts); absent: none. */
  buckets?: S3Bucket[];
  /** Monotonic counter behind generated ids, so ids are deterministic for a seed. */
  idCounter: number;
  seed: string;
}

export const DEFAULT_RULES: TwinRules = {
  rejectProfileZoneEndpointOverlap: true,
  priorRequestNotComplete: true,
  denyCrossAccountGetChange: true,
};

/**
 * Delays at scale 1: of the order AWS shows (seconds), scaled down for tests and rehearsals. The
 * estimates expect the same (src/steps/timing.ts EXPECTED_DELAYS; a test holds the two together).
 */
export const BASE_DELAYS: TwinDelays = {
  changeInsyncMs: 4_000,
  profileAssociationMs: 6_000,
  profileDisassociationMs: 5_000,
  resourceAssociationMs: 8_000,
  resourceDisassociationMs: 6_000,
  endpointModifyMs: 10_000,
  // [unconfirmed] AWS publishes no delivery latency; a second or two is what consoles show.
  ssmDeliveryMs: 2_000,
  ssmConsistencyMs: 1_000,
};

export function scaleDelays(scale: number, base: TwinDelays = BASE_DELAYS): TwinDelays {
  const out = { ...base };
  for (const key of Object.keys(out) as (keyof TwinDelays)[]) out[key] = Math.round(base[key] * scale);
  return out;
}

export function emptyWorld(region: string, seed: string, delays: TwinDelays = BASE_DELAYS): World {
  return {
    region,
    accounts: [],
    sessions: [],
    roles: [],
    vpcs: [],
    zones: [],
    changes: [],
    profiles: [],
    profileAssociations: [],
    resourceAssociations: [],
    endpoints: [],
    networkInterfaces: [],
    instances: [],
    commands: [],
    rules: { ...DEFAULT_RULES },
    delays: { ...delays },
    idCounter: 0,
    seed,
  };
}

/** Lower-case, absolute (trailing dot) DNS name; `\052` (Route 53's escape for `*`) becomes `*`. */
// One canonical form for names, shared with the resolution rules the product's model uses.
export { canonicalName } from '../aws/resolver-rules.js';

export function stripDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Applies every deadline that has passed. Idempotent; call before reading or mutating. */
export function advance(world: World, now: number): void {
  settle(world.profileAssociations, now);
  world.profileAssociations = world.profileAssociations.filter((a) => a.goneAt === undefined || a.goneAt > now);
  settle(world.resourceAssociations, now);
  world.resourceAssociations = world.resourceAssociations.filter((a) => a.goneAt === undefined || a.goneAt > now);
  for (const ep of world.endpoints) {
    if (ep.state === 'pending' && ep.availableAt !== undefined && ep.availableAt <= now) {
      ep.state = 'available';
      delete ep.availableAt;
    }
  }
  world.sessions = world.sessions.filter((s) => s.expiresAt > now);
}

function settle(items: Lifecycle[], now: number): void {
  for (const a of items) {
    if ((a.status === 'CREATING' || a.status === 'UPDATING') && a.settleAt !== undefined && a.settleAt <= now) {
      a.status = a.failAtCompletion ? 'FAILED' : 'COMPLETE';
      a.statusMessage = a.failAtCompletion ? 'Association failed (injected fault)' : 'Created Profile Association';
      a.modificationTime = a.settleAt;
      delete a.settleAt;
      delete a.failAtCompletion;
    }
  }
}

export function changeStatus(change: Change, now: number): 'PENDING' | 'INSYNC' {
  return change.insyncAt <= now ? 'INSYNC' : 'PENDING';
}

/** Deterministic id: a prefix plus `length` characters derived from the seed and a counter. */
export function nextId(world: World, prefix: string, length: number, alphabet = 'abcdef0123456789'): string {
  world.idCounter += 1;
  return prefix + derive(`${world.seed}:${prefix}:${world.idCounter}`, length, alphabet);
}

export function derive(input: string, length: number, alphabet: string): string {
  // FNV-1a based stream: stable across Node versions, good enough to spread ids.
  let out = '';
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) h = Math.imul(h ^ input.charCodeAt(i), 0x01000193);
  while (out.length < length) {
    h = Math.imul(h ^ (out.length + 0x9e37), 0x01000193) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0; // keep it unsigned: a negative h would index past the alphabet
    out += alphabet[h % alphabet.length];
  }
  return out;
}

export function endpointArn(world: World, ep: VpcEndpoint): string {
  return `arn:aws:ec2:${world.region}:${ep.ownerId}:vpc-endpoint/${ep.id}`;
}

export function hostedZoneArn(zone: HostedZone): string {
  return `arn:aws:route53:::hostedzone/${zone.id}`;
}
