// Route 53 (API 2013-04-01) behaviour: pure functions of (CallContext, input) that read and change
// the world and throw AwsApiError with the code, HTTP status and message AWS uses for the same
// misuse. The wire layer (wire/route53.ts) only parses XML into these inputs and renders outputs.
// Facts cited as [doc]/[peer]/[unconfirmed] come from reference/aws-api.md §2, the search notes
// in test/twin/route53-ops.test.ts, or docs/aws-facts.md (tags, routing policies).
import { AwsApiError } from '../errors.js';
import type { CallContext } from '../protocol.js';
import { policyKind, type PolicyKind } from '../routing-policy.js';
import {
  canonicalName,
  nextId,
  type Change,
  type CidrRoutingConfig,
  type GeoLocation,
  type GeoProximityLocation,
  type HostedZone,
  type RecordSet,
  type RoutingPolicy,
  type Vpc,
  type World,
} from '../world.js';
import { directZonesOfVpc, findVpc, privateDnsEndpointsInVpcFor } from './lookup.js';

// ---------------------------------------------------------------------------------------------
// Inputs (already parsed from XML / query; strings stay strings until validated here)

export interface VpcInput {
  vpcId?: string;
  vpcRegion?: string;
}

export interface AliasInput {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** The routing-policy elements of a ResourceRecordSet, as parsed (enumerations not yet checked). */
export interface RoutingInput {
  weight?: number;
  region?: string;
  failover?: string;
  geoLocation?: GeoLocation;
  multiValueAnswer?: boolean;
  cidrRoutingConfig?: CidrRoutingConfig;
  geoProximityLocation?: GeoProximityLocation;
}

export interface RecordSetInput {
  name: string;
  type: string;
  setIdentifier?: string;
  ttl?: number;
  values?: string[];
  alias?: AliasInput;
  routing?: RoutingInput;
  healthCheckId?: string;
}

export interface ChangeInput {
  action: string;
  recordSet: RecordSetInput;
}

export interface CreateHostedZoneInput {
  name: string;
  callerReference: string;
  vpc?: VpcInput;
  comment?: string;
  privateZone?: boolean;
  delegationSetId?: string;
}

// ---------------------------------------------------------------------------------------------
// Constants AWS shows for private zones (the apex records every new zone gets)

export const NAME_SERVERS = ['ns-1536.awsdns-00.co.uk.', 'ns-0.awsdns-00.com.', 'ns-1024.awsdns-00.org.', 'ns-512.awsdns-00.net.'];
const SOA_VALUE = 'ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400';
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const RR_TYPES = ['SOA', 'A', 'TXT', 'NS', 'CNAME', 'MX', 'NAPTR', 'PTR', 'SRV', 'SPF', 'AAAA', 'CAA', 'DS', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS'];
/** The VPCRegion enum of the model (regions a VPC can be in). */
const VPC_REGIONS = new Set([
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2',
  'ap-east-1', 'me-south-1', 'us-gov-west-1', 'us-gov-east-1', 'us-iso-east-1', 'us-iso-west-1', 'us-isob-east-1',
  'me-central-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-south-1', 'ap-south-2', 'ap-northeast-1',
  'ap-northeast-2', 'ap-northeast-3', 'eu-north-1', 'sa-east-1', 'ca-central-1', 'cn-north-1', 'cn-northwest-1',
  'af-south-1', 'eu-south-1', 'eu-south-2', 'ap-southeast-4', 'il-central-1', 'ca-west-1', 'ap-southeast-5',
  'mx-central-1', 'us-isof-south-1', 'us-isof-east-1', 'ap-southeast-7', 'ap-east-2', 'eu-isoe-west-1', 'ap-southeast-6',
  'us-isob-west-1', 'eusc-de-east-1',
]);

// ---------------------------------------------------------------------------------------------
// Errors, with the messages AWS sends (sources in the tests)

const err = {
  noSuchHostedZone: (id: string) => new AwsApiError('NoSuchHostedZone', `No hosted zone found with ID: ${id}`, 404),
  noSuchChange: (id: string) => new AwsApiError('NoSuchChange', `Could not find resource with ID: ${id}`, 404),
  invalidInput: (message: string) => new AwsApiError('InvalidInput', message, 400),
  // Route 53 answers 403 AccessDenied for another account's zone [peer: aws-sdk-php#2141].
  accessDenied: (accountId: string) =>
    new AwsApiError('AccessDenied', `User: arn:aws:iam::${accountId}:root is not authorized to access this resource`, 403),
  invalidVpcId: (vpcId: string) =>
    new AwsApiError(
      'InvalidVPCId',
      `The VPC ID '${vpcId}' that you specified either isn't a valid ID or the current account is not authorized to access this VPC.`,
      400,
    ),
  // Observed text [peer: terraform#12804].
  notAuthorized: (vpcId: string) =>
    new AwsApiError('NotAuthorizedException', `The VPC: ${vpcId} has not authorized to associate with your hosted zone.`, 401),
  // Observed text, the same for "already associated with this zone" [peer: infrablocks/terraform-aws-base-networking#4].
  conflictingDomain: (vpc: Vpc, zoneName: string) =>
    new AwsApiError(
      'ConflictingDomainExists',
      `The VPC that you chose, ${vpc.id} in region ${vpc.region}, is already associated with another private hosted zone that has an overlapping name space, ${zoneName}.`,
      400,
    ),
  priorRequestNotComplete: () =>
    new AwsApiError('PriorRequestNotComplete', 'The request was rejected because Route 53 was still processing a prior request.', 400),
  invalidPaginationToken: () =>
    new AwsApiError('InvalidPaginationToken', 'The value that you specified to get the second or subsequent page of results is invalid.', 400),
  invalidChangeBatch: (messages: string[]) => new AwsApiError('InvalidChangeBatch', `[${messages.join(', ')}]`, 400),
};

// ---------------------------------------------------------------------------------------------
// Ids

/** Accepts `Z123`, `/hostedzone/Z123` or `hostedzone/Z123`; anything but letters and digits is malformed. */
export function bareZoneId(raw: string): string {
  const id = raw.replace(/^\/?hostedzone\//, '');
  validateId(id, 'Id', 32);
  return id;
}

export function bareChangeId(raw: string): string {
  const id = raw.replace(/^\/?change\//, '');
  validateId(id, 'Id', 6500);
  return id;
}

function validateId(id: string, field: string, max: number): void {
  if (id.length > max) {
    throw err.invalidInput(
      `1 validation error detected: Value '${id}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  if (!/^[A-Za-z0-9]+$/.test(id)) throw err.invalidInput(`Invalid resource ID: ${JSON.stringify(id)}`);
}

function newChange(ctx: CallContext, ownerId: string, comment?: string): Change {
  const change: Change = {
    id: nextId(ctx.world, 'C', 20, ID_ALPHABET),
    ownerId,
    submittedAt: ctx.now,
    insyncAt: ctx.now + Math.round(ctx.world.delays.changeInsyncMs * ctx.delayFactor),
  };
  if (comment !== undefined && comment !== '') change.comment = comment;
  ctx.world.changes.push(change);
  return change;
}

export function changeStatusAt(change: Change, now: number): 'PENDING' | 'INSYNC' {
  return now >= change.insyncAt ? 'INSYNC' : 'PENDING';
}

// ---------------------------------------------------------------------------------------------
// Access

function zoneById(world: World, rawId: string): HostedZone {
  const id = bareZoneId(rawId);
  const zone = world.zones.find((z) => z.id === id);
  if (!zone) throw err.noSuchHostedZone(id);
  return zone;
}

/** A zone only its owner may use (everything except VPC association calls). */
function ownedZone(ctx: CallContext, rawId: string): HostedZone {
  const zone = zoneById(ctx.world, rawId);
  if (zone.ownerId !== ctx.accountId) throw err.accessDenied(ctx.accountId);
  return zone;
}

function requireVpcFields(vpc: VpcInput | undefined): { vpcId: string; vpcRegion: string } {
  if (!vpc?.vpcId) throw new AwsApiError('InvalidVPCId', 'Invalid or missing VPC Id.', 400);
  if (!vpc.vpcRegion) throw err.invalidInput('Invalid request: Missing field VPCRegion');
  if (!VPC_REGIONS.has(vpc.vpcRegion)) {
    throw err.invalidInput(
      `1 validation error detected: Value '${vpc.vpcRegion}' at 'vPC.vPCRegion' failed to satisfy constraint: Member must satisfy enum value set`,
    );
  }
  return { vpcId: vpc.vpcId, vpcRegion: vpc.vpcRegion };
}

/** The VPC the request names, when it exists in that region. */
function existingVpc(world: World, vpc: VpcInput | undefined): Vpc {
  const { vpcId, vpcRegion } = requireVpcFields(vpc);
  const found = findVpc(world, vpcId);
  if (!found || found.region !== vpcRegion) throw err.invalidVpcId(vpcId);
  return found;
}

/**
 * A VPC can't hold two directly associated private zones of one name, nor a private zone whose
 * name an endpoint in the VPC serves with Private DNS on [doc: ConflictingDomainExists; aws-api.md §3/§4].
 */
function assertNoConflictingDomain(world: World, vpc: Vpc, zoneName: string): void {
  const sameName = directZonesOfVpc(world, vpc.id).find((z) => z.name === zoneName);
  if (sameName) throw err.conflictingDomain(vpc, sameName.name);
  const endpoint = privateDnsEndpointsInVpcFor(world, vpc.id, zoneName)[0];
  if (endpoint) throw err.conflictingDomain(vpc, zoneName);
}

/** Switchable stricter rule: a zone with a change still PENDING refuses the next one. */
function assertNotBusy(ctx: CallContext, zone: HostedZone): void {
  if (ctx.world.rules.priorRequestNotComplete && ctx.now < zone.busyUntil) throw err.priorRequestNotComplete();
}

// ---------------------------------------------------------------------------------------------
// Pagination helpers

function parseMaxItems(raw: string | undefined, fallback: number, cap: number, field = 'maxitems'): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw err.invalidInput(`Invalid value for parameter ${field}: ${raw}`);
  const n = Number(raw);
  if (n < 1) throw err.invalidInput(`1 validation error detected: Value '${raw}' at '${field}' failed to satisfy constraint: Member must be positive`);
  return Math.min(n, cap);
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after !== 'string') throw new Error('no key');
    return parsed.after;
  } catch {
    throw err.invalidPaginationToken();
  }
}

/** Route 53's sort key for names: labels reversed, trailing dot kept ("com.example.www.") [doc: ListResourceRecordSets]. */
export function reversedNameKey(name: string): string {
  const labels = wireName(name).replace(/\.$/, '').split('.');
  return labels.reverse().join('.') + '.';
}

/** How Route 53 writes a stored name: absolute, `*` escaped as `\052` [doc: DomainNameFormat]. */
export function wireName(canonical: string): string {
  return canonical.replace(/\*/g, '\\052');
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// Hosted zones

function validateDomainName(name: string): string {
  const canonical = canonicalName(name);
  const labels = canonical.slice(0, -1).split('.');
  const badLabel = labels.some((l) => l === '' || l.length > 63 || !/^[a-z0-9_*\\-]+$/.test(l));
  if (canonical.length > 255 || badLabel) {
    throw new AwsApiError('InvalidDomainName', `${name} is not a valid domain name.`, 400);
  }
  // You can't create a hosted zone for a top-level domain [doc: CreateHostedZone].
  if (labels.length < 2) throw new AwsApiError('InvalidDomainName', `${name} is reserved by AWS!`, 400);
  return canonical;
}

export function createHostedZone(ctx: CallContext, input: CreateHostedZoneInput): { zone: HostedZone; change: Change } {
  const { world } = ctx;
  if (!input.callerReference) throw err.invalidInput('Invalid request: Missing field CallerReference');
  const name = validateDomainName(input.name);
  if (world.zones.some((z) => z.ownerId === ctx.accountId && z.callerReference === input.callerReference)) {
    throw new AwsApiError(
      'HostedZoneAlreadyExists',
      `A hosted zone has already been created with the specified caller reference.`,
      409,
    );
  }
  if (input.delegationSetId) {
    throw new AwsApiError('NoSuchDelegationSet', `A reusable delegation set with the ID ${input.delegationSetId} does not exist.`, 400);
  }
  let vpc: Vpc | undefined;
  if (input.vpc) {
    vpc = existingVpc(world, input.vpc);
    // A private zone is created with one of the caller's own VPCs; other accounts' VPCs come later
    // through an authorization [doc: AssociateVPCWithHostedZone].
    if (vpc.ownerId !== ctx.accountId) throw err.invalidVpcId(vpc.id);
    assertNoConflictingDomain(world, vpc, name);
  } else if (input.privateZone) {
    throw err.invalidInput('When you create a private hosted zone, you must specify a VPC.');
  }
  const zone: HostedZone = {
    id: nextId(world, 'Z', 20, ID_ALPHABET),
    name,
    ownerId: ctx.accountId,
    callerReference: input.callerReference,
    comment: input.comment ?? '',
    privateZone: vpc !== undefined,
    vpcs: vpc ? [{ vpcId: vpc.id, region: vpc.region }] : [],
    authorizations: [],
    records: [
      { name, type: 'SOA', ttl: 900, values: [SOA_VALUE] },
      { name, type: 'NS', ttl: 172800, values: [...NAME_SERVERS] },
    ],
    busyUntil: 0,
  };
  world.zones.push(zone);
  return { zone, change: newChange(ctx, ctx.accountId) };
}

export function getHostedZone(ctx: CallContext, input: { id: string }): HostedZone {
  return ownedZone(ctx, input.id);
}

export function deleteHostedZone(ctx: CallContext, input: { id: string }): Change {
  const zone = ownedZone(ctx, input.id);
  assertNotBusy(ctx, zone);
  const extra = zone.records.some((r) => !isApexSoaOrNs(zone, r));
  if (extra) {
    throw new AwsApiError(
      'HostedZoneNotEmpty',
      'The specified hosted zone contains non-required resource record sets and so cannot be deleted.',
      400,
    );
  }
  ctx.world.zones = ctx.world.zones.filter((z) => z !== zone);
  return newChange(ctx, zone.ownerId);
}

function isApexSoaOrNs(zone: HostedZone, r: RecordSet): boolean {
  return r.name === zone.name && (r.type === 'SOA' || r.type === 'NS');
}

export interface ListHostedZonesOutput {
  zones: HostedZone[];
  marker: string;
  isTruncated: boolean;
  nextMarker?: string;
  maxItems: number;
}

/** The account only sees its own zones [doc: ListHostedZones]; ordered by id so a marker is stable. */
export function listHostedZones(
  ctx: CallContext,
  input: { marker?: string; maxItems?: string; hostedZoneType?: string; delegationSetId?: string },
): ListHostedZonesOutput {
  const maxItems = parseMaxItems(input.maxItems, 100, 100);
  if (input.hostedZoneType !== undefined && input.hostedZoneType !== 'PrivateHostedZone') {
    throw err.invalidInput(
      `1 validation error detected: Value '${input.hostedZoneType}' at 'hostedZoneType' failed to satisfy constraint: Member must satisfy enum value set: [PrivateHostedZone]`,
    );
  }
  if (input.delegationSetId) {
    throw new AwsApiError('NoSuchDelegationSet', `A reusable delegation set with the ID ${input.delegationSetId} does not exist.`, 400);
  }
  const marker = input.marker ? bareZoneId(input.marker) : '';
  const all = ctx.world.zones
    .filter((z) => z.ownerId === ctx.accountId && (input.hostedZoneType === undefined || z.privateZone))
    .sort((a, b) => compare(a.id, b.id));
  const from = marker ? all.filter((z) => z.id >= marker) : all;
  const page = from.slice(0, maxItems);
  const next = from[maxItems];
  return { zones: page, marker, isTruncated: next !== undefined, nextMarker: next?.id, maxItems };
}

export interface ListHostedZonesByNameOutput {
  zones: HostedZone[];
  dnsName?: string;
  hostedZoneId?: string;
  isTruncated: boolean;
  nextDnsName?: string;
  nextHostedZoneId?: string;
  maxItems: number;
}

/** Sorted by name with labels reversed, then id [doc: ListHostedZonesByName]. */
export function listHostedZonesByName(
  ctx: CallContext,
  input: { dnsName?: string; hostedZoneId?: string; maxItems?: string },
): ListHostedZonesByNameOutput {
  const maxItems = parseMaxItems(input.maxItems, 100, 100);
  if (input.hostedZoneId && !input.dnsName) {
    throw err.invalidInput('Invalid request: hostedzoneid requires dnsname');
  }
  const startId = input.hostedZoneId ? bareZoneId(input.hostedZoneId) : undefined;
  const startKey = input.dnsName ? reversedNameKey(validateListName(input.dnsName)) : undefined;
  const all = ctx.world.zones
    .filter((z) => z.ownerId === ctx.accountId)
    .map((z) => ({ z, key: reversedNameKey(z.name) }))
    .sort((a, b) => compare(a.key, b.key) || compare(a.z.id, b.z.id));
  const from =
    startKey === undefined
      ? all
      : all.filter((e) => e.key > startKey || (e.key === startKey && (startId === undefined || e.z.id >= startId)));
  const page = from.slice(0, maxItems).map((e) => e.z);
  const next = from[maxItems]?.z;
  return {
    zones: page,
    dnsName: input.dnsName,
    hostedZoneId: startId,
    isTruncated: next !== undefined,
    nextDnsName: next ? wireName(next.name) : undefined,
    nextHostedZoneId: next?.id,
    maxItems,
  };
}

function validateListName(name: string): string {
  const canonical = canonicalName(name);
  if (canonical.length > 1024 || canonical.slice(0, -1).split('.').some((l) => l === '')) {
    throw new AwsApiError('InvalidDomainName', `${name} is not a valid domain name.`, 400);
  }
  return canonical;
}

export interface ZoneSummary {
  zone: HostedZone;
  owningAccount: string;
}

/**
 * Zones a VPC is directly associated with, whoever owns them [doc: ListHostedZonesByVPC]; Profile
 * associations don't count [doc]. The caller must own the VPC: Terraform treats
 * "AccessDenied … is not owned by you" as a gone association [peer: zone_association.go; unconfirmed text].
 */
export function listHostedZonesByVpc(
  ctx: CallContext,
  input: { vpcId?: string; vpcRegion?: string; maxItems?: string; nextToken?: string },
): { summaries: ZoneSummary[]; nextToken?: string; maxItems: number } {
  if (!input.vpcId) throw err.invalidInput('Invalid request: Missing field vpcid');
  if (!input.vpcRegion) throw err.invalidInput('Invalid request: Missing field vpcregion');
  const { vpcId, vpcRegion } = requireVpcFields({ vpcId: input.vpcId, vpcRegion: input.vpcRegion });
  const maxItems = parseMaxItems(input.maxItems, 100, 100);
  const vpc = findVpc(ctx.world, vpcId);
  if (!vpc || vpc.region !== vpcRegion || vpc.ownerId !== ctx.accountId) {
    throw new AwsApiError(
      'AccessDenied',
      `User: arn:aws:iam::${ctx.accountId}:root is not authorized to access this resource. The VPC ${vpcId} in region ${vpcRegion} is not owned by you.`,
      403,
    );
  }
  const after = input.nextToken ? decodeToken(input.nextToken) : undefined;
  const all = ctx.world.zones
    .filter((z) => z.privateZone && z.vpcs.some((v) => v.vpcId === vpcId))
    .map((z) => ({ z, key: `${reversedNameKey(z.name)} ${z.id}` }))
    .sort((a, b) => compare(a.key, b.key));
  const from = after === undefined ? all : all.filter((e) => e.key >= after);
  const page = from.slice(0, maxItems);
  const next = from[maxItems];
  return {
    summaries: page.map((e) => ({ zone: e.z, owningAccount: e.z.ownerId })),
    nextToken: next ? encodeToken(next.key) : undefined,
    maxItems,
  };
}

// ---------------------------------------------------------------------------------------------
// VPC associations

/**
 * Same-account: the zone owner associates its own VPC. Cross-account: only the VPC's owner may,
 * and only after the zone owner's CreateVPCAssociationAuthorization [doc: AssociateVPCWithHostedZone].
 */
export function associateVpcWithHostedZone(
  ctx: CallContext,
  input: { zoneId: string; vpc?: VpcInput; comment?: string },
): Change {
  const { world } = ctx;
  const zone = zoneById(world, input.zoneId);
  const vpc = existingVpc(world, input.vpc);
  const callerOwnsZone = zone.ownerId === ctx.accountId;
  const callerOwnsVpc = vpc.ownerId === ctx.accountId;
  if (!callerOwnsZone && !callerOwnsVpc) throw err.accessDenied(ctx.accountId);
  if (!zone.privateZone) {
    throw new AwsApiError(
      'PublicZoneVPCAssociation',
      "You're trying to associate a VPC with a public hosted zone. Amazon Route 53 doesn't support associating a VPC with a public hosted zone.",
      400,
    );
  }
  if (!callerOwnsVpc) throw err.notAuthorized(vpc.id);
  if (!callerOwnsZone && !zone.authorizations.some((a) => a.vpcId === vpc.id && a.region === vpc.region)) {
    throw err.notAuthorized(vpc.id);
  }
  // The model lists PriorRequestNotComplete for this call; the twin refuses only while a record
  // change is pending and never blocks association after association [unconfirmed, switchable].
  assertNotBusy(ctx, zone);
  if (zone.vpcs.some((v) => v.vpcId === vpc.id)) throw err.conflictingDomain(vpc, zone.name);
  assertNoConflictingDomain(world, vpc, zone.name);
  if (zone.vpcs.length >= 300) {
    throw new AwsApiError('LimitsExceeded', 'The limit of 300 VPC associations for this hosted zone has been reached.', 400);
  }
  zone.vpcs.push({ vpcId: vpc.id, region: vpc.region });
  // The change lives in the zone owner's account: a VPC owner's GetChange may be denied [peer: zone_association.go].
  return newChange(ctx, zone.ownerId, input.comment);
}

/** Either the zone's owner or the VPC's owner may disassociate [doc: DisassociateVPCFromHostedZone]. */
export function disassociateVpcFromHostedZone(
  ctx: CallContext,
  input: { zoneId: string; vpc?: VpcInput; comment?: string },
): Change {
  const { world } = ctx;
  const zone = zoneById(world, input.zoneId);
  const { vpcId, vpcRegion } = requireVpcFields(input.vpc);
  const vpc = findVpc(world, vpcId);
  const callerOwnsVpc = vpc?.ownerId === ctx.accountId;
  if (zone.ownerId !== ctx.accountId && !callerOwnsVpc) throw err.accessDenied(ctx.accountId);
  if (!vpc || vpc.region !== vpcRegion) throw err.invalidVpcId(vpcId);
  if (!zone.vpcs.some((v) => v.vpcId === vpcId)) {
    throw new AwsApiError('VPCAssociationNotFound', 'The specified VPC and hosted zone are not currently associated.', 404);
  }
  if (zone.vpcs.length === 1) {
    throw new AwsApiError(
      'LastVPCAssociation',
      "The VPC that you're trying to disassociate from the private hosted zone is the last VPC that is associated with the hosted zone. Amazon Route 53 doesn't support disassociating the last VPC from a hosted zone.",
      400,
    );
  }
  zone.vpcs = zone.vpcs.filter((v) => v.vpcId !== vpcId);
  return newChange(ctx, zone.ownerId, input.comment);
}

/** Only the zone's owner may authorize, for another account's VPC [doc: CreateVPCAssociationAuthorization]. */
export function createVpcAssociationAuthorization(
  ctx: CallContext,
  input: { zoneId: string; vpc?: VpcInput },
): { zoneId: string; vpc: { vpcId: string; region: string } } {
  const zone = ownedZone(ctx, input.zoneId);
  const vpc = existingVpc(ctx.world, input.vpc);
  if (!zone.authorizations.some((a) => a.vpcId === vpc.id)) zone.authorizations.push({ vpcId: vpc.id, region: vpc.region });
  return { zoneId: zone.id, vpc: { vpcId: vpc.id, region: vpc.region } };
}

/** Removing an authorization keeps an association made with it [doc: DeleteVPCAssociationAuthorization]. */
export function deleteVpcAssociationAuthorization(ctx: CallContext, input: { zoneId: string; vpc?: VpcInput }): void {
  const zone = ownedZone(ctx, input.zoneId);
  const { vpcId, vpcRegion } = requireVpcFields(input.vpc);
  const vpc = findVpc(ctx.world, vpcId);
  if (!vpc || vpc.region !== vpcRegion) throw err.invalidVpcId(vpcId);
  const before = zone.authorizations.length;
  zone.authorizations = zone.authorizations.filter((a) => a.vpcId !== vpcId);
  if (zone.authorizations.length === before) {
    throw new AwsApiError(
      'VPCAssociationAuthorizationNotFound',
      'The VPC that you specified is not authorized to be associated with the hosted zone.',
      404,
    );
  }
}

export function listVpcAssociationAuthorizations(
  ctx: CallContext,
  input: { zoneId: string; nextToken?: string; maxResults?: string },
): { zoneId: string; vpcs: { vpcId: string; region: string }[]; nextToken?: string } {
  const zone = ownedZone(ctx, input.zoneId);
  const max = parseMaxItems(input.maxResults, 50, 50, 'maxresults');
  const after = input.nextToken ? decodeToken(input.nextToken) : undefined;
  const all = [...zone.authorizations].sort((a, b) => compare(a.vpcId, b.vpcId));
  const from = after === undefined ? all : all.filter((a) => a.vpcId >= after);
  const next = from[max];
  return {
    zoneId: zone.id,
    vpcs: from.slice(0, max).map((a) => ({ vpcId: a.vpcId, region: a.region })),
    nextToken: next ? encodeToken(next.vpcId) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Records
//
// A record set's identity is (name, type, SetIdentifier) [doc: model ResourceRecordSet.SetIdentifier:
// "In a group of resource record sets that have the same name and type, the value of
// SetIdentifier must be unique"]: CREATE, UPSERT and DELETE match on that triple.

function describeChange(c: ChangeInput): string {
  const r = c.recordSet;
  return `[Action=${c.action}, Name=${r.name}, Type=${r.type}, SetIdentifier=${r.setIdentifier ?? 'null'}]`;
}

const enumerationError = (value: string, allowed: readonly string[]) =>
  err.invalidInput(
    `Invalid XML ; cvc-enumeration-valid: Value '${value}' is not facet-valid with respect to enumeration '[${allowed.join(', ')}]'. It must be a value from the enumeration.`,
  );

/** Route 53's constraint-validation answer (the form AWS sends for resourceId [peer: crossplane-contrib/provider-aws#1826]). */
const constraintError = (value: string | number, path: string, constraint: string) =>
  err.invalidInput(`1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`);

/** The ResourceRecordSetRegion enum of the model (latency records). */
const RECORD_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1',
  'eu-central-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'eu-north-1', 'sa-east-1', 'cn-north-1', 'cn-northwest-1', 'ap-east-1', 'me-south-1', 'me-central-1', 'ap-south-1', 'ap-south-2',
  'af-south-1', 'eu-south-1', 'eu-south-2', 'ap-southeast-4', 'il-central-1', 'ca-west-1', 'ap-southeast-5', 'mx-central-1',
  'ap-southeast-7', 'us-gov-east-1', 'us-gov-west-1', 'ap-east-2', 'ap-southeast-6', 'eusc-de-east-1',
];
const FAILOVER_VALUES = ['PRIMARY', 'SECONDARY'];

/**
 * The routing-policy elements, in the order of AWS's own "Expected exactly one of [Weight, Region,
 * Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig]" message
 * [peer: ministryofjustice cloud-platform script log, 2025; an older form without the last two
 * appears in a 2023 blog log].
 */
const POLICY_ELEMENTS: (keyof RoutingInput)[] = [
  'weight',
  'region',
  'failover',
  'geoLocation',
  'multiValueAnswer',
  'geoProximityLocation',
  'cidrRoutingConfig',
];
const POLICY_LIST = 'Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig';

/** Words AWS (or, where unconfirmed, the twin) uses for each policy in conflict messages. */
const POLICY_WORD: Record<PolicyKind, string> = {
  simple: 'simple',
  weighted: 'weighted',
  latency: 'latency',
  failover: 'failover',
  geolocation: 'geolocation',
  multivalue: 'multivalue answer',
  cidr: 'IP-based',
  geoproximity: 'geoproximity',
};

/** "Values for weighted, latency, geolocation, and failover resource record sets" exclude these [doc: model ResourceRecordSet.Type]. */
const NO_POLICY_TYPES = ['SOA', 'NS', 'DS'];

/** Weighted record sets of one name and type: "a maximum of 100" [doc: model ResourceRecordSet.Weight]. */
export const MAX_WEIGHTED_PER_NAME_TYPE = 100;

/** Shape checks AWS makes before looking at the zone's contents (InvalidInput, not InvalidChangeBatch). */
function validateChangeShape(c: ChangeInput, index: number): void {
  if (!['CREATE', 'DELETE', 'UPSERT'].includes(c.action)) throw enumerationError(c.action, ['CREATE', 'DELETE', 'UPSERT']);
  const r = c.recordSet;
  if (!RR_TYPES.includes(r.type)) throw enumerationError(r.type, RR_TYPES);
  const routing = r.routing ?? {};
  // Enumerations are schema checks, as for Type [doc: model ResourceRecordSetFailover, ResourceRecordSetRegion].
  if (routing.failover !== undefined && !FAILOVER_VALUES.includes(routing.failover)) throw enumerationError(routing.failover, FAILOVER_VALUES);
  if (routing.region !== undefined && !RECORD_REGIONS.includes(routing.region)) throw enumerationError(routing.region, RECORD_REGIONS);
  const hasAlias = r.alias !== undefined;
  const hasPlain = r.ttl !== undefined || r.values !== undefined;
  const completePlain = r.ttl !== undefined && r.values !== undefined && r.values.length > 0;
  if (hasAlias && hasPlain) {
    throw err.invalidInput(
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with ${describeChange(c)}`,
    );
  }
  if (!hasAlias && !completePlain) {
    throw err.invalidInput(
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with ${describeChange(c)}`,
    );
  }
  if (r.ttl !== undefined && (!Number.isInteger(r.ttl) || r.ttl < 0 || r.ttl > 2147483647)) {
    throw err.invalidInput(`Invalid TTL value: ${r.ttl}`);
  }
  validateRoutingShape(c, index);
}

/**
 * A SetIdentifier needs exactly one routing policy and a routing policy needs a SetIdentifier
 * [doc: model SetIdentifier; peer: ansible-collections/community.aws#615 for the missing-field
 * text]. Ranges are the model's (Weight 0-255, SetIdentifier 1-128 characters).
 */
function validateRoutingShape(c: ChangeInput, index: number): void {
  const r = c.recordSet;
  const routing = r.routing ?? {};
  const at = (field: string) => `changeBatch.changes.${index}.member.resourceRecordSet.${field}`;
  if (r.setIdentifier !== undefined && r.setIdentifier.length > 128) {
    throw constraintError(r.setIdentifier, at('setIdentifier'), 'Member must have length less than or equal to 128');
  }
  if (r.setIdentifier !== undefined && r.setIdentifier.length < 1) {
    throw constraintError(r.setIdentifier, at('setIdentifier'), 'Member must have length greater than or equal to 1');
  }
  if (routing.weight !== undefined && routing.weight > 255) {
    throw constraintError(routing.weight, at('weight'), 'Member must have value less than or equal to 255');
  }
  if (routing.weight !== undefined && routing.weight < 0) {
    throw constraintError(routing.weight, at('weight'), 'Member must have value greater than or equal to 0');
  }
  const present = POLICY_ELEMENTS.filter((k) => routing[k] !== undefined);
  if (r.setIdentifier !== undefined && present.length === 0) {
    throw err.invalidInput(`Invalid request: Expected exactly one of [${POLICY_LIST}], but found none in Change with ${describeChange(c)}`);
  }
  if (present.length > 1) {
    throw err.invalidInput(`Invalid request: Expected exactly one of [${POLICY_LIST}], but found more than one in Change with ${describeChange(c)}`);
  }
  if (present.length === 0) return;
  if (r.setIdentifier === undefined) throw err.invalidInput(`Invalid request: Missing field 'SetIdentifier' in Change with ${describeChange(c)}`);
  const kind = policyKind({ routing: routing as RoutingPolicy });
  // [doc: model ResourceRecordSet.Type] lists the types each policy may use; the texts are the twin's [unconfirmed].
  if (NO_POLICY_TYPES.includes(r.type) || (kind === 'multivalue' && r.type === 'CNAME')) {
    throw err.invalidInput(`Invalid request: ${POLICY_WORD[kind]} resource record sets can't have type ${r.type} in Change with ${describeChange(c)}`);
  }
  // "You can't create multivalue answer alias records." [doc: model ResourceRecordSet.MultiValueAnswer]
  if (kind === 'multivalue' && r.alias !== undefined) {
    throw err.invalidInput(`Invalid request: multivalue answer resource record sets can't be alias records in Change with ${describeChange(c)}`);
  }
  const geo = routing.geoLocation;
  if (geo) {
    const places = [geo.continentCode, geo.countryCode].filter((v) => v !== undefined).length;
    // A location is a continent or a country (optionally with a subdivision) [doc: GeoLocation]; texts [unconfirmed].
    if (places !== 1) {
      throw err.invalidInput(
        `Invalid request: Expected exactly one of [ContinentCode, CountryCode], but found ${places === 0 ? 'none' : 'more than one'} in GeoLocation in Change with ${describeChange(c)}`,
      );
    }
    if (geo.subdivisionCode !== undefined && geo.countryCode === undefined) {
      throw err.invalidInput(`Invalid request: SubdivisionCode requires CountryCode in GeoLocation in Change with ${describeChange(c)}`);
    }
  }
}

function toRecordSet(input: RecordSetInput): RecordSet {
  const rs: RecordSet = { name: canonicalName(input.name), type: input.type };
  if (input.setIdentifier !== undefined) rs.setIdentifier = input.setIdentifier;
  if (input.routing) {
    // Verbatim: only the elements the request carried, so ListResourceRecordSets returns them as sent.
    const routing: RoutingPolicy = {};
    for (const [key, value] of Object.entries(input.routing)) {
      if (value !== undefined) (routing as Record<string, unknown>)[key] = structuredClone(value);
    }
    if (Object.keys(routing).length > 0) rs.routing = routing;
  }
  if (input.alias) {
    rs.alias = {
      hostedZoneId: input.alias.hostedZoneId.replace(/^\/?hostedzone\//, ''),
      dnsName: canonicalName(input.alias.dnsName),
      evaluateTargetHealth: input.alias.evaluateTargetHealth,
    };
  } else {
    rs.ttl = input.ttl;
    rs.values = [...(input.values ?? [])];
  }
  if (input.healthCheckId !== undefined) rs.healthCheckId = input.healthCheckId;
  return rs;
}

function sameIdentity(a: RecordSet, b: RecordSet): boolean {
  return a.name === b.name && a.type === b.type && (a.setIdentifier ?? null) === (b.setIdentifier ?? null);
}

function sameValues(a: RecordSet, b: RecordSet): boolean {
  if (a.alias || b.alias) {
    return (
      !!a.alias &&
      !!b.alias &&
      a.alias.hostedZoneId === b.alias.hostedZoneId &&
      a.alias.dnsName === b.alias.dnsName &&
      a.alias.evaluateTargetHealth === b.alias.evaluateTargetHealth
    );
  }
  const av = [...(a.values ?? [])].sort();
  const bv = [...(b.values ?? [])].sort();
  return a.ttl === b.ttl && av.length === bv.length && av.every((v, i) => v === bv[i]);
}

/** JSON with object keys sorted, so two routing objects compare by content. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([x], [y]) => compare(x, y));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** "To delete a resource record set, you must specify all the same values that you specified when you created it" [doc: ChangeResourceRecordSets]. */
function sameContent(a: RecordSet, b: RecordSet): boolean {
  return sameValues(a, b) && canonicalJson(a.routing ?? {}) === canonicalJson(b.routing ?? {}) && (a.healthCheckId ?? null) === (b.healthCheckId ?? null);
}

/** How AWS names a record set in InvalidChangeBatch messages, with `set-identifier` when it has one [peer: field logs]. */
const recordLabel = (r: RecordSet) =>
  r.setIdentifier === undefined
    ? `[name='${wireName(r.name)}', type='${r.type}']`
    : `[name='${wireName(r.name)}', type='${r.type}', set-identifier='${r.setIdentifier}']`;

/**
 * Record sets of one name and type use one routing policy: "You can't create non-weighted
 * resource record sets that have the same values for the Name and Type elements as weighted
 * resource record sets" (likewise latency, failover, geolocation) [doc: model ResourceRecordSet].
 * Texts: simple among others [peer: chef-boneyard/route53#100, kubernetes-sigs/external-dns#4058];
 * weighted among others [peer: external-dns#3141, #4345]; latency among others [peer: cloud-platform
 * log]; the other policies and the uniqueness rules below are the twin's [unconfirmed].
 */
function routingConflict(records: RecordSet[], existing: RecordSet | undefined, rs: RecordSet): string | undefined {
  const group = records.filter((r) => r !== existing && r.name === rs.name && r.type === rs.type);
  if (group.length === 0) return undefined;
  const kind = policyKind(rs);
  const name = wireName(rs.name);
  if (kind === 'simple') return `RRSet with DNS name ${name}, type ${rs.type} cannot be created as other RRSets exist with the same name and type.`;
  const who = `RRSet with DNS name ${name}, type ${rs.type}, SetIdentifier ${rs.setIdentifier}`;
  const routing = rs.routing!;
  if (group.some((r) => policyKind(r) !== kind)) {
    if (kind === 'weighted') return `${who} cannot be created as a non-weighted set exists with the same name and type.`;
    if (kind === 'latency') {
      return `${who}, and Region Name=${routing.region} cannot be created because a non-latency RRSet with the same name and type already exists.`;
    }
    return `${who} cannot be created because a non-${POLICY_WORD[kind]} RRSet with the same name and type already exists.`;
  }
  // One latency record per region, one record per geographic location, one PRIMARY and one
  // SECONDARY [doc: model Region, GeoLocation, Failover]; at most 100 weighted [doc: model Weight].
  if (kind === 'latency' && group.some((r) => r.routing!.region === routing.region)) {
    return `${who}, and Region Name=${routing.region} cannot be created because a latency RRSet with the same name, type and region already exists.`;
  }
  if (kind === 'geolocation' && group.some((r) => canonicalJson(r.routing!.geoLocation) === canonicalJson(routing.geoLocation))) {
    return `${who} cannot be created because a geolocation RRSet with the same name, type and location already exists.`;
  }
  if (kind === 'failover' && group.some((r) => r.routing!.failover === routing.failover)) {
    return `${who} cannot be created because a ${routing.failover} failover RRSet with the same name and type already exists.`;
  }
  if (kind === 'weighted' && group.length >= MAX_WEIGHTED_PER_NAME_TYPE) {
    return `${who} cannot be created because ${MAX_WEIGHTED_PER_NAME_TYPE} weighted RRSets with the same name and type already exist.`;
  }
  return undefined;
}

/**
 * All-or-nothing: the batch is applied in order to a copy, every problem is collected, and the
 * zone changes only when none was found [doc: ChangeResourceRecordSets "transactional changes"].
 * Messages are AWS's as seen in the field [peer: terraform/external-dns logs].
 */
export function changeResourceRecordSets(
  ctx: CallContext,
  input: { zoneId: string; comment?: string; changes: ChangeInput[] },
): Change {
  const zone = ownedZone(ctx, input.zoneId);
  if (input.changes.length === 0) {
    throw err.invalidInput(
      "Invalid XML ; cvc-complex-type.2.4.b: The content of element 'Changes' is not complete. One of '{\"https://route53.amazonaws.com/doc/2013-04-01/\":Change}' is expected.",
    );
  }
  input.changes.forEach((c, i) => validateChangeShape(c, i + 1));
  assertNotBusy(ctx, zone);

  let records = zone.records.map((r) => ({ ...r }));
  const problems: string[] = [];
  for (const c of input.changes) {
    const rs = toRecordSet(c.recordSet);
    const label = recordLabel(rs);
    if (rs.name !== zone.name && !rs.name.endsWith('.' + zone.name)) {
      problems.push(`RRSet with DNS name ${wireName(rs.name)} is not permitted in zone ${wireName(zone.name)}`);
      continue;
    }
    if (rs.type === 'CNAME' && rs.name === zone.name && c.action !== 'DELETE') {
      problems.push(`RRSet of type CNAME with DNS name ${wireName(rs.name)} is not permitted at apex in zone ${wireName(zone.name)}`);
      continue;
    }
    const existing = records.find((r) => sameIdentity(r, rs));
    if (c.action === 'DELETE') {
      if (!existing) {
        problems.push(`Tried to delete resource record set ${label} but it was not found`);
      } else if (!sameContent(existing, rs)) {
        problems.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`);
      } else if (rs.name === zone.name && rs.type === 'SOA') {
        problems.push('A HostedZone must contain exactly one SOA record.');
      } else if (rs.name === zone.name && rs.type === 'NS') {
        problems.push('A HostedZone must contain at least one NS record for the zone itself.');
      } else {
        records = records.filter((r) => r !== existing);
      }
      continue;
    }
    if (c.action === 'CREATE' && existing) {
      problems.push(`Tried to create resource record set ${label} but it already exists`);
      continue;
    }
    // A CNAME can't share its name with any other record type (RFC 1034 §3.6.2).
    const clash = records.find((r) => r.name === rs.name && r.type !== rs.type && (r.type === 'CNAME' || rs.type === 'CNAME'));
    if (clash) {
      problems.push(
        `RRSet of type ${rs.type} with DNS name ${wireName(rs.name)} is not permitted because a conflicting RRSet of type ${clash.type} with the same DNS name already exists in zone ${wireName(zone.name)}`,
      );
      continue;
    }
    const conflict = routingConflict(records, existing, rs);
    if (conflict) {
      problems.push(conflict);
      continue;
    }
    records = existing ? records.map((r) => (r === existing ? rs : r)) : [...records, rs];
  }
  if (problems.length) throw err.invalidChangeBatch(problems);

  zone.records = records;
  const change = newChange(ctx, zone.ownerId, input.comment);
  zone.busyUntil = change.insyncAt;
  return change;
}

export interface ListRecordsOutput {
  records: RecordSet[];
  isTruncated: boolean;
  nextRecordName?: string;
  nextRecordType?: string;
  nextRecordIdentifier?: string;
  maxItems: number;
}

/**
 * Sorted by reversed-label name, then type [doc: ListResourceRecordSets], then SetIdentifier
 * (ASCII; the twin's order within a group, AWS documents none); starts at the first record set
 * ≥ (name, type, identifier). NextRecordIdentifier is the next record set's SetIdentifier when it
 * has one, so a page break inside a group of weighted (etc.) record sets resumes exactly there
 * [doc: model NextRecordIdentifier, StartRecordIdentifier].
 */
export function listResourceRecordSets(
  ctx: CallContext,
  input: { zoneId: string; startRecordName?: string; startRecordType?: string; startRecordIdentifier?: string; maxItems?: string },
): ListRecordsOutput {
  const zone = ownedZone(ctx, input.zoneId);
  const maxItems = parseMaxItems(input.maxItems, 300, 300);
  if (input.startRecordType !== undefined && input.startRecordName === undefined) {
    throw err.invalidInput('The input is not valid: you specified type without name.');
  }
  if (input.startRecordType !== undefined && !RR_TYPES.includes(input.startRecordType)) {
    throw err.invalidInput(
      `1 validation error detected: Value '${input.startRecordType}' at 'startRecordType' failed to satisfy constraint: Member must satisfy enum value set: [${RR_TYPES.join(', ')}]`,
    );
  }
  // An identifier only says where to resume inside one name and type [doc: model StartRecordIdentifier]; text [unconfirmed].
  if (input.startRecordIdentifier !== undefined && (input.startRecordName === undefined || input.startRecordType === undefined)) {
    throw err.invalidInput('The input is not valid: you specified identifier without name and type.');
  }
  const sorted = zone.records
    .map((r) => ({ r, key: reversedNameKey(r.name), id: r.setIdentifier ?? '' }))
    .sort((a, b) => compare(a.key, b.key) || compare(a.r.type, b.r.type) || compare(a.id, b.id));
  let from = sorted;
  if (input.startRecordName !== undefined) {
    const startKey = reversedNameKey(validateListName(input.startRecordName));
    const startType = input.startRecordType ?? '';
    const startId = input.startRecordIdentifier;
    from = sorted.filter((e) => {
      if (e.key !== startKey) return e.key > startKey;
      if (e.r.type !== startType) return e.r.type > startType;
      return startId === undefined || e.id >= startId;
    });
  }
  const next = from[maxItems]?.r;
  return {
    records: from.slice(0, maxItems).map((e) => e.r),
    isTruncated: next !== undefined,
    nextRecordName: next ? wireName(next.name) : undefined,
    nextRecordType: next?.type,
    nextRecordIdentifier: next?.setIdentifier,
    maxItems,
  };
}

// ---------------------------------------------------------------------------------------------
// Tags (hosted zones; the twin has no health checks)
//
// Only the zone's owner may tag or read its tags (another account: AccessDenied, as for every
// other owner-only call; Route 53 zones have no resource policies, so a cross-account caller is
// never authorised [doc: access-control-overview "Tags for hosted zones" can't be granted on their
// own]) [unconfirmed for tags]. ChangeTagsForResource returns no ChangeInfo (the model's response is
// empty): it neither waits for nor starts the zone's PENDING window, so it never sees the twin's
// PriorRequestNotComplete rule and never causes it. The model lists PriorRequestNotComplete for
// the read-only ListTagsForResource too, so that error can't mean "a record change on this zone
// is pending" there [doc: model; inference].

export const TAGS_PER_RESOURCE = 50;
const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;
/** Letters, numbers, spaces and `_ . : / = + - @` [doc: Route 53 Developer Guide, health-checks-tagging "Tag restrictions"]. */
const TAG_CHARACTERS = /^[\p{L}\p{N}\p{Zs}_.:/=+\-@]*$/u;
const TAG_RESOURCE_TYPES = ['healthcheck', 'hostedzone'];

export interface TagInput {
  key?: string;
  value?: string;
}

export interface TagSet {
  resourceType: string;
  resourceId: string;
  tags: { key: string; value: string }[];
}

/**
 * The resource a tag call names. The id is taken as sent: unlike the other zone calls, the
 * `/hostedzone/` prefix is not stripped, so a prefixed id is over 32 characters (InvalidInput) or
 * names no zone (NoSuchHostedZone) [peer: getmoto/moto tests/test_route53/test_route53_hosted_zone_ids.py,
 * verified against AWS; crossplane-contrib/provider-aws#1826].
 */
function taggableZone(ctx: CallContext, resourceType: string, resourceId: string, tagValidation: () => void): HostedZone {
  if (!TAG_RESOURCE_TYPES.includes(resourceType)) {
    throw constraintError(resourceType, 'resourceType', `Member must satisfy enum value set: [${TAG_RESOURCE_TYPES.join(', ')}]`);
  }
  if (resourceType === 'healthcheck') {
    if (resourceId.length > 64) throw constraintError(resourceId, 'resourceId', 'Member must have length less than or equal to 64');
    tagValidation();
    // The twin models no health checks; text as moto sends it [unconfirmed].
    throw new AwsApiError('NoSuchHealthCheck', `A health check with id ${resourceId} does not exist.`, 404);
  }
  if (resourceId.length > 32) throw constraintError(resourceId, 'resourceId', 'Member must have length less than or equal to 32');
  tagValidation();
  const zone = ctx.world.zones.find((z) => z.id === resourceId);
  if (!zone) throw err.noSuchHostedZone(resourceId);
  if (zone.ownerId !== ctx.accountId) throw err.accessDenied(ctx.accountId);
  return zone;
}

/**
 * Adds or overwrites AddTags, deletes RemoveTagKeys (a key that isn't there is no error); the
 * twin applies the removals first [unconfirmed]. Limits: 50 tags per resource, keys up to 128 and
 * values up to 256 characters, the allowed characters, no `aws:` prefix [doc: health-checks-tagging
 * "Tag restrictions"; model TagKey, TagValue]. 10 of each per request is enforced by the XML schema
 * (wire/route53.ts).
 */
export function changeTagsForResource(
  ctx: CallContext,
  input: { resourceType: string; resourceId: string; addTags?: TagInput[]; removeTagKeys?: string[] },
): void {
  const add = input.addTags ?? [];
  const remove = input.removeTagKeys ?? [];
  const zone = taggableZone(ctx, input.resourceType, input.resourceId, () => {
    add.forEach((t, i) => {
      if (t.key !== undefined && t.key.length > TAG_KEY_MAX) {
        throw constraintError(t.key, `addTags.${i + 1}.member.key`, `Member must have length less than or equal to ${TAG_KEY_MAX}`);
      }
      if (t.value !== undefined && t.value.length > TAG_VALUE_MAX) {
        throw constraintError(t.value, `addTags.${i + 1}.member.value`, `Member must have length less than or equal to ${TAG_VALUE_MAX}`);
      }
    });
    remove.forEach((k, i) => {
      if (k.length > TAG_KEY_MAX) throw constraintError(k, `removeTagKeys.${i + 1}.member`, `Member must have length less than or equal to ${TAG_KEY_MAX}`);
    });
  });
  for (const t of add) {
    // Texts of these three: the twin's [unconfirmed].
    if (t.key === undefined || t.key === '') throw err.invalidInput('Invalid parameter : A tag key must be specified.');
    if (!TAG_CHARACTERS.test(t.key) || !TAG_CHARACTERS.test(t.value ?? '')) {
      // Observed text [peer: octodns/octodns-route53#136].
      throw err.invalidInput('Invalid parameter : Tags can only contain letters, numbers, spaces, and the following special characters: _ . : / = + - @');
    }
    if (t.key.toLowerCase().startsWith('aws:')) throw err.invalidInput(`Invalid parameter : The tag key ${t.key} uses the aws: prefix, which is reserved for AWS use.`);
  }
  const tags: Record<string, string> = { ...(zone.tags ?? {}) };
  for (const k of remove) delete tags[k];
  for (const t of add) tags[t.key!] = t.value ?? '';
  if (Object.keys(tags).length > TAGS_PER_RESOURCE) {
    throw err.invalidInput(`Invalid parameter : A resource can have at most ${TAGS_PER_RESOURCE} tags; this change would leave ${Object.keys(tags).length}.`);
  }
  zone.tags = tags;
}

export function listTagsForResource(ctx: CallContext, input: { resourceType: string; resourceId: string }): TagSet {
  const zone = taggableZone(ctx, input.resourceType, input.resourceId, () => {});
  return {
    resourceType: input.resourceType,
    resourceId: zone.id,
    tags: Object.entries(zone.tags ?? {}).map(([key, value]) => ({ key, value })),
  };
}

// ---------------------------------------------------------------------------------------------
// Changes

/**
 * PENDING until insyncAt, then INSYNC; no failure state [peer: aws-cli#1106]. With
 * denyCrossAccountGetChange, an account other than the zone owner's gets AccessDenied, as
 * Terraform sees after a cross-account association [peer: zone_association.go].
 */
export function getChange(ctx: CallContext, input: { id: string }): { change: Change; status: 'PENDING' | 'INSYNC' } {
  const id = bareChangeId(input.id);
  const change = ctx.world.changes.find((c) => c.id === id);
  if (!change) throw err.noSuchChange(id);
  if (ctx.world.rules.denyCrossAccountGetChange && change.ownerId !== ctx.accountId) throw err.accessDenied(ctx.accountId);
  return { change, status: changeStatusAt(change, ctx.now) };
}
