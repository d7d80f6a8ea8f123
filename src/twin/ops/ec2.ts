// EC2 behaviour for the slice the migration touches: DescribeVpcs, DescribeVpcEndpoints,
// DescribeNetworkInterfaces, ModifyVpcEndpoint. Pure functions of (ctx, input); every refusal is
// an AwsApiError carrying EC2's own code. Views use the model's locationNames so the wire layer
// only has to render them. Facts and their sources: shared/reference/aws-api.md §3.
import { AwsApiError } from '../errors.js';
import type { CallContext } from '../protocol.js';
import type { Instance, NetworkInterface, Vpc, VpcEndpoint, World } from '../world.js';
import { advance, derive, stripDot } from '../world.js';
import { directZonesOfVpc, endpointZoneNames, findVpc } from './lookup.js';
import { ENDPOINT_CATALOGUE } from '../scenario.js';

export interface Filter {
  name: string;
  values: string[];
}

export interface DescribeInput {
  filters?: Filter[];
  maxResults?: number;
  nextToken?: string;
  dryRun?: boolean;
}

export interface DescribeVpcsInput extends DescribeInput {
  vpcIds?: string[];
}
export interface DescribeVpcEndpointsInput extends DescribeInput {
  vpcEndpointIds?: string[];
}
export interface DescribeNetworkInterfacesInput extends DescribeInput {
  networkInterfaceIds?: string[];
}

export interface ModifyVpcEndpointInput {
  vpcEndpointId?: string;
  privateDnsEnabled?: boolean;
  dryRun?: boolean;
}

export interface Tag {
  key: string;
  value: string;
}

export interface VpcView {
  vpcId: string;
  ownerId: string;
  state: 'available';
  cidrBlock: string;
  cidrBlockAssociationSet: { associationId: string; cidrBlock: string; cidrBlockState: { state: 'associated' } }[];
  dhcpOptionsId: string;
  instanceTenancy: 'default';
  isDefault: boolean;
  tagSet: Tag[];
}

export interface VpcEndpointView {
  vpcEndpointId: string;
  vpcEndpointType: string;
  vpcId: string;
  serviceName: string;
  /** Lower-case on the wire although the model's enum is capitalised [aws-api.md §3]. */
  state: string;
  policyDocument: string;
  routeTableIdSet: string[];
  subnetIdSet: string[];
  groupSet: { groupId: string; groupName: string }[];
  ipAddressType: 'ipv4';
  dnsOptions: { dnsRecordIpType: 'ipv4' };
  privateDnsEnabled: boolean;
  requesterManaged: boolean;
  networkInterfaceIdSet: string[];
  dnsEntrySet: { dnsName: string; hostedZoneId: string }[];
  /** ISO 8601 with milliseconds, as EC2 writes it. */
  creationTimestamp: string;
  tagSet: Tag[];
  ownerId: string;
}

export interface NetworkInterfaceView {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  description: string;
  ownerId: string;
  requesterId: string;
  requesterManaged: boolean;
  status: 'in-use';
  macAddress: string;
  privateIpAddress: string;
  privateDnsName: string;
  sourceDestCheck: boolean;
  groupSet: { groupId: string; groupName: string }[];
  interfaceType: 'vpc_endpoint';
  privateIpAddressesSet: { privateIpAddress: string; privateDnsName: string; primary: boolean }[];
  ipv6AddressesSet: never[];
  tagSet: Tag[];
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** The default policy AWS reports for an interface endpoint created without one. */
export const DEFAULT_ENDPOINT_POLICY =
  '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

/**
 * requesterId of endpoint ENIs: EC2 reports an AWS-internal principal there (the service that
 * created the interface). Callers treat it as opaque; this value is arbitrary, not AWS's.
 */
const ENDPOINT_ENI_REQUESTER = '727180483921';

// ---------- validation helpers ----------

const ID_PATTERNS = {
  vpc: /^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
  vpce: /^vpce-[0-9a-f]{8,17}$/,
  eni: /^eni-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
};

function dryRun(flag: boolean | undefined): void {
  // EC2 answers a permitted DryRun with this error and HTTP 412 [doc: EC2 API common errors].
  if (flag) throw new AwsApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
}

function checkVpcIds(ids: string[]): void {
  for (const id of ids) {
    if (!ID_PATTERNS.vpc.test(id)) {
      throw new AwsApiError('InvalidVpcID.Malformed', `Invalid id: "${id}" (expecting "vpc-...")`);
    }
  }
}

function checkEndpointId(id: string): void {
  if (!ID_PATTERNS.vpce.test(id)) {
    throw new AwsApiError(
      'InvalidVpcEndpointId.Malformed',
      `Invalid Id: '${id}' (expecting 'vpce-...; the Id may only contain lowercase alphanumeric characters and a single dash')`,
    );
  }
}

function checkEniIds(ids: string[]): void {
  for (const id of ids) {
    if (!ID_PATTERNS.eni.test(id)) {
      throw new AwsApiError('InvalidNetworkInterfaceID.Malformed', `Invalid id: "${id}" (expecting "eni-...")`);
    }
  }
}

/**
 * MaxResults bounds: DescribeVpcs and DescribeNetworkInterfaces take 5..1000 [doc: model
 * DescribeVpcsMaxResults / DescribeNetworkInterfacesMaxResults]; DescribeVpcEndpoints has no
 * modelled minimum and answers at most 1,000 items for larger values [doc: model MaxResults].
 */
function pageSize(maxResults: number | undefined, bounds: { min: number; max: number; clamp: boolean }): number {
  if (maxResults === undefined) return bounds.max;
  if (maxResults < bounds.min) {
    throw new AwsApiError(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value greater than ${bounds.min}.`,
    );
  }
  if (maxResults > bounds.max) {
    if (bounds.clamp) return bounds.max;
    throw new AwsApiError(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value smaller than or equal to ${bounds.max}.`,
    );
  }
  return maxResults;
}

interface TokenBody {
  /** Which listing the token belongs to, so a token can't be replayed on another operation. */
  op: string;
  offset: number;
}

function encodeToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

function decodeToken(token: string, op: string): number {
  const invalid = new AwsApiError('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const b = body as Partial<TokenBody> | null;
  if (!b || b.op !== op || !Number.isInteger(b.offset) || (b.offset as number) < 0) throw invalid;
  return b.offset as number;
}

export function paginate<T>(items: T[], op: string, size: number, nextToken: string | undefined): Page<T> {
  const offset = nextToken === undefined || nextToken === '' ? 0 : decodeToken(nextToken, op);
  const slice = items.slice(offset, offset + size);
  const end = offset + slice.length;
  return end < items.length ? { items: slice, nextToken: encodeToken({ op, offset: end }) } : { items: slice };
}

// ---------- filters ----------

/** EC2 filter values accept `*` (any run) and `?` (one character) wildcards [doc: EC2 filtering]. */
function wildcardMatch(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    's',
  );
  return re.test(value);
}

/** A filter's accessor: every value of the resource the filter can match (a set, e.g. several IPs). */
type Accessor<T> = (item: T) => (string | undefined)[];

function tagAccessors<T>(tags: (item: T) => Tag[], name: string): Accessor<T> | undefined {
  if (name === 'tag-key') return (item) => tags(item).map((t) => t.key);
  if (name === 'tag-value') return (item) => tags(item).map((t) => t.value);
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return (item) => tags(item).filter((t) => t.key === key).map((t) => t.value);
  }
  return undefined;
}

function applyFilters<T>(
  items: T[],
  filters: Filter[] | undefined,
  accessors: Record<string, Accessor<T>>,
  tags: (item: T) => Tag[],
): T[] {
  if (!filters || filters.length === 0) return items;
  const compiled = filters.map((f) => {
    const acc = accessors[f.name] ?? tagAccessors(tags, f.name);
    // Unknown filter names are refused, not ignored [peer: aws-cli#4013 response body].
    if (!acc) throw new AwsApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    if (f.values.length === 0) {
      throw new AwsApiError('InvalidParameterValue', `The filter '${f.name}' requires at least one value`);
    }
    return { acc, values: f.values };
  });
  // Values of one filter are OR'ed, filters are AND'ed [doc: EC2 API filtering].
  return items.filter((item) =>
    compiled.every(({ acc, values }) => {
      const have = acc(item).filter((v): v is string => v !== undefined);
      return values.some((pattern) => have.some((v) => wildcardMatch(pattern, v)));
    }),
  );
}

// ---------- views ----------

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function vpcRegion(world: World, vpcId: string): string {
  return findVpc(world, vpcId)?.region ?? world.region;
}

function defaultGroupOf(vpcId: string): { groupId: string; groupName: string } {
  return { groupId: `sg-${derive(`default-sg:${vpcId}`, 17, 'abcdef0123456789')}`, groupName: 'default' };
}

export function vpcView(vpc: Vpc): VpcView {
  return {
    vpcId: vpc.id,
    ownerId: vpc.ownerId,
    state: 'available',
    cidrBlock: vpc.cidr,
    cidrBlockAssociationSet: [
      {
        associationId: `vpc-cidr-assoc-${derive(`cidr:${vpc.id}`, 17, 'abcdef0123456789')}`,
        cidrBlock: vpc.cidr,
        cidrBlockState: { state: 'associated' },
      },
    ],
    dhcpOptionsId: `dopt-${derive(`dopt:${vpc.ownerId}:${vpc.region}`, 17, 'abcdef0123456789')}`,
    instanceTenancy: 'default',
    isDefault: false,
    tagSet: vpc.name ? [{ key: 'Name', value: vpc.name }] : [],
  };
}

function tagsOf(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** A deterministic id for the AWS-managed private zone behind an endpoint's Private DNS. */
function managedZoneId(ep: VpcEndpoint, name: string): string {
  return 'Z' + derive(`managed-zone:${ep.id}:${name}`, 20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
}

export function endpointView(world: World, ep: VpcEndpoint): VpcEndpointView {
  const enis = ep.networkInterfaceIds
    .map((id) => world.networkInterfaces.find((n) => n.id === id))
    .filter((n): n is NetworkInterface => n !== undefined);
  const dnsEntrySet = [...ep.dnsEntries];
  // With Private DNS on, AWS lists the service's private names (hosted in an AWS-managed zone)
  // after the vpce names [peer: describe-vpc-endpoints outputs; unconfirmed by AWS docs].
  if (ep.privateDnsEnabled) {
    for (const name of ep.privateDnsNames) dnsEntrySet.push({ dnsName: stripDot(name), hostedZoneId: managedZoneId(ep, name) });
  }
  return {
    vpcEndpointId: ep.id,
    vpcEndpointType: ep.type,
    vpcId: ep.vpcId,
    serviceName: ep.serviceName,
    state: ep.state,
    policyDocument: DEFAULT_ENDPOINT_POLICY,
    routeTableIdSet: [],
    subnetIdSet: [...new Set(enis.map((n) => n.subnetId))],
    groupSet: ep.type === 'Interface' ? [defaultGroupOf(ep.vpcId)] : [],
    ipAddressType: 'ipv4',
    dnsOptions: { dnsRecordIpType: 'ipv4' },
    privateDnsEnabled: ep.privateDnsEnabled,
    requesterManaged: false,
    networkInterfaceIdSet: [...ep.networkInterfaceIds],
    dnsEntrySet,
    creationTimestamp: iso(ep.creationTimestamp),
    tagSet: tagsOf(ep.tags),
    ownerId: ep.ownerId,
  };
}

function privateDnsNameOf(region: string, ip: string): string {
  const host = `ip-${ip.replace(/\./g, '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

function macOf(eniId: string): string {
  const hex = derive(`mac:${eniId}`, 10, '0123456789abcdef');
  return ['02', ...(hex.match(/../g) ?? [])].join(':');
}

export function networkInterfaceView(world: World, eni: NetworkInterface): NetworkInterfaceView {
  const dnsName = privateDnsNameOf(vpcRegion(world, eni.vpcId), eni.privateIp);
  return {
    networkInterfaceId: eni.id,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    availabilityZone: eni.availabilityZone,
    description: eni.description,
    ownerId: eni.ownerId,
    requesterId: ENDPOINT_ENI_REQUESTER,
    requesterManaged: true,
    status: 'in-use',
    macAddress: macOf(eni.id),
    privateIpAddress: eni.privateIp,
    privateDnsName: dnsName,
    sourceDestCheck: true,
    groupSet: [defaultGroupOf(eni.vpcId)],
    interfaceType: 'vpc_endpoint',
    privateIpAddressesSet: [{ privateIpAddress: eni.privateIp, privateDnsName: dnsName, primary: true }],
    ipv6AddressesSet: [],
    tagSet: [],
  };
}

// ---------- visibility ----------

/** EC2 shows an account only its own resources in the Region it calls [doc: Describe* "your"]. */
function visibleVpcs(ctx: CallContext): Vpc[] {
  return ctx.world.vpcs.filter((v) => v.ownerId === ctx.accountId && v.region === ctx.region);
}

function visibleEndpoints(ctx: CallContext): VpcEndpoint[] {
  return ctx.world.endpoints.filter(
    (ep) => ep.ownerId === ctx.accountId && vpcRegion(ctx.world, ep.vpcId) === ctx.region,
  );
}

function visibleEnis(ctx: CallContext): NetworkInterface[] {
  return ctx.world.networkInterfaces.filter(
    (n) => n.ownerId === ctx.accountId && vpcRegion(ctx.world, n.vpcId) === ctx.region,
  );
}

/** Selects by explicit ids (every id must be visible) in the caller's order of the world. */
function selectByIds<T extends { id: string }>(items: T[], ids: string[] | undefined, notFound: (id: string) => AwsApiError): T[] {
  if (!ids || ids.length === 0) return items;
  const wanted = new Set(ids);
  for (const id of wanted) if (!items.some((i) => i.id === id)) throw notFound(id);
  return items.filter((i) => wanted.has(i.id));
}

const endpointNotFound = (id: string) =>
  new AwsApiError('InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${id}' does not exist`);

// ---------- operations ----------

export function describeVpcs(ctx: CallContext, input: DescribeVpcsInput): Page<VpcView> {
  advance(ctx.world, ctx.now);
  dryRun(input.dryRun);
  const size = pageSize(input.maxResults, { min: 5, max: 1000, clamp: false });
  if (input.vpcIds) checkVpcIds(input.vpcIds);
  const byId = selectByIds(
    visibleVpcs(ctx),
    input.vpcIds,
    (id) => new AwsApiError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`),
  );
  const views = byId.map(vpcView);
  const filtered = applyFilters(
    views,
    input.filters,
    {
      'vpc-id': (v) => [v.vpcId],
      'owner-id': (v) => [v.ownerId],
      cidr: (v) => [v.cidrBlock],
      'cidr-block-association.cidr-block': (v) => v.cidrBlockAssociationSet.map((a) => a.cidrBlock),
      'cidr-block-association.association-id': (v) => v.cidrBlockAssociationSet.map((a) => a.associationId),
      'cidr-block-association.state': (v) => v.cidrBlockAssociationSet.map((a) => a.cidrBlockState.state),
      'dhcp-options-id': (v) => [v.dhcpOptionsId],
      'is-default': (v) => [String(v.isDefault)],
      state: (v) => [v.state],
    },
    (v) => v.tagSet,
  );
  return paginate(filtered, 'DescribeVpcs', size, input.nextToken);
}

export function describeVpcEndpoints(ctx: CallContext, input: DescribeVpcEndpointsInput): Page<VpcEndpointView> {
  advance(ctx.world, ctx.now);
  dryRun(input.dryRun);
  const size = pageSize(input.maxResults, { min: 1, max: 1000, clamp: true });
  for (const id of input.vpcEndpointIds ?? []) checkEndpointId(id);
  const byId = selectByIds(visibleEndpoints(ctx), input.vpcEndpointIds, endpointNotFound);
  const views = byId.map((ep) => endpointView(ctx.world, ep));
  const filtered = applyFilters(
    views,
    input.filters,
    {
      'vpc-endpoint-id': (e) => [e.vpcEndpointId],
      'vpc-id': (e) => [e.vpcId],
      'service-name': (e) => [e.serviceName],
      'service-region': () => [ctx.region],
      'vpc-endpoint-state': (e) => [e.state],
      'vpc-endpoint-type': (e) => [e.vpcEndpointType],
      'ip-address-type': (e) => [e.ipAddressType],
    },
    (e) => e.tagSet,
  );
  return paginate(filtered, 'DescribeVpcEndpoints', size, input.nextToken);
}

export function describeNetworkInterfaces(ctx: CallContext, input: DescribeNetworkInterfacesInput): Page<NetworkInterfaceView> {
  advance(ctx.world, ctx.now);
  dryRun(input.dryRun);
  if (input.maxResults !== undefined && input.networkInterfaceIds && input.networkInterfaceIds.length > 0) {
    // "You cannot specify this parameter and the network interface IDs parameter in the same
    // request" [doc: model MaxResults]; code and message [peer: EC2 emulator test suites].
    throw new AwsApiError(
      'InvalidParameterCombination',
      'The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults',
    );
  }
  const size = pageSize(input.maxResults, { min: 5, max: 1000, clamp: false });
  if (input.networkInterfaceIds) checkEniIds(input.networkInterfaceIds);
  const byId = selectByIds(
    visibleEnis(ctx),
    input.networkInterfaceIds,
    (id) => new AwsApiError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`),
  );
  const views = byId.map((n) => networkInterfaceView(ctx.world, n));
  const filtered = applyFilters(
    views,
    input.filters,
    {
      'network-interface-id': (n) => [n.networkInterfaceId],
      'vpc-id': (n) => [n.vpcId],
      'subnet-id': (n) => [n.subnetId],
      description: (n) => [n.description],
      'interface-type': (n) => [n.interfaceType],
      'owner-id': (n) => [n.ownerId],
      'requester-id': (n) => [n.requesterId],
      'requester-managed': (n) => [String(n.requesterManaged)],
      'availability-zone': (n) => [n.availabilityZone],
      status: (n) => [n.status],
      'private-ip-address': (n) => n.privateIpAddressesSet.map((a) => a.privateIpAddress),
      'addresses.private-ip-address': (n) => n.privateIpAddressesSet.map((a) => a.privateIpAddress),
      'addresses.primary': (n) => n.privateIpAddressesSet.map((a) => String(a.primary)),
      'private-dns-name': (n) => [n.privateDnsName],
      'mac-address': (n) => [n.macAddress],
      'group-id': (n) => n.groupSet.map((g) => g.groupId),
      'source-dest-check': (n) => [String(n.sourceDestCheck)],
    },
    (n) => n.tagSet,
  );
  return paginate(filtered, 'DescribeNetworkInterfaces', size, input.nextToken);
}

/**
 * Private DNS can't be turned on while the endpoint's own VPC has a DIRECTLY associated private
 * zone of one of its names; a zone that reaches the VPC only through a Route 53 Profile doesn't
 * block it (runbook step 3: S resolves via Z through P while Private DNS is enabled).
 */
export function conflictingDirectZoneName(world: World, ep: VpcEndpoint): string | undefined {
  const names = new Set(endpointZoneNames(ep));
  return directZonesOfVpc(world, ep.vpcId).find((z) => names.has(z.name))?.name;
}

export function modifyVpcEndpoint(ctx: CallContext, input: ModifyVpcEndpointInput): { return: true } {
  advance(ctx.world, ctx.now);
  if (input.vpcEndpointId === undefined || input.vpcEndpointId === '') {
    throw new AwsApiError('MissingParameter', 'The request must contain the parameter VpcEndpointId');
  }
  checkEndpointId(input.vpcEndpointId);
  // Another account's endpoint is indistinguishable from a missing one [doc: EC2 resource visibility].
  const ep = visibleEndpoints(ctx).find((e) => e.id === input.vpcEndpointId);
  if (!ep) throw endpointNotFound(input.vpcEndpointId);
  dryRun(input.dryRun);

  const wanted = input.privateDnsEnabled;
  if (wanted === true && !ep.privateDnsEnabled) {
    if (ep.type !== 'Interface') {
      // ModifyVpcEndpoint documents PrivateDnsEnabled for interface endpoints only [doc: model];
      // the message is our wording [unconfirmed].
      throw new AwsApiError('InvalidParameter', `PrivateDnsEnabled is only supported for Interface endpoints.`);
    }
    if (!ep.supportsPrivateDns) {
      // [peer: vespa-engine/vespa#33303 quoting the EC2 error]
      throw new AwsApiError(
        'InvalidParameter',
        `Private DNS can't be enabled because the service ${ep.serviceName} does not provide a private DNS name.`,
      );
    }
    const conflict = conflictingDirectZoneName(ctx.world, ep);
    if (conflict !== undefined) {
      // [peer: terraform-provider-aws#17535 quoting the EC2 error]
      throw new AwsApiError(
        'InvalidParameter',
        `private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${stripDot(conflict)} in the VPC ${ep.vpcId}`,
      );
    }
  }

  if (wanted !== undefined && wanted !== ep.privateDnsEnabled) {
    // The endpoint goes pending and comes back available [runbook step 3]. A modify during an
    // earlier pending period is allowed (AWS's behaviour there is unconfirmed): the later deadline wins.
    const availableAt = ctx.now + Math.round(ctx.world.delays.endpointModifyMs * ctx.delayFactor);
    ep.state = 'pending';
    ep.availableAt = Math.max(ep.availableAt ?? 0, availableAt);
    ep.privateDnsEnabled = wanted;
    if (wanted) ep.privateDnsActiveAt = ep.availableAt;
    else delete ep.privateDnsActiveAt;
  }
  return { return: true };
}

// ---------- DescribeVpcEndpointServices ----------
// The AWS services an account can create endpoints to. Facts and sources: the AWS PrivateLink
// Guide "View information about a service" (field set, PrivateDnsName = the primary of
// PrivateDnsNames), AWS CLI describe-vpc-endpoint-services examples, and peer reports quoted
// in test/twin/ec2-services.test.ts.

export interface DescribeVpcEndpointServicesInput extends DescribeInput {
  serviceNames?: string[];
  serviceRegions?: string[];
}

export type ServiceType = 'Interface' | 'Gateway';

export interface ServiceDetailView {
  serviceName: string;
  serviceId: string;
  serviceType: { serviceType: ServiceType }[];
  /** Only for a service of another Region than the caller's (cross-Region PrivateLink) [unconfirmed]. */
  serviceRegion?: string;
  availabilityZoneSet: string[];
  owner: 'amazon';
  baseEndpointDnsNameSet: string[];
  privateDnsName?: string;
  privateDnsNameSet?: { privateDnsName: string }[];
  vpcEndpointPolicySupported: boolean;
  acceptanceRequired: boolean;
  managesVpcEndpoints: boolean;
  tagSet: Tag[];
  privateDnsNameVerificationState?: 'verified';
  supportedIpAddressTypeSet: ('ipv4' | 'ipv6')[];
}

export interface ServicesPage {
  serviceNames: string[];
  serviceDetails: ServiceDetailView[];
  nextToken?: string;
}

/**
 * Catalogue services that can be reached from another Region [doc: PrivateLink Guide
 * "Cross-region enabled AWS services": s3, iam, ecr.api, ecr.dkr, kms, ecs, lambda, …].
 */
const CROSS_REGION_SUFFIXES = new Set(['s3', 'ecr.api', 'ecr.dkr', 'kms', 'lambda']);

const SERVICE_FILTERS = new Set(['service-name', 'service-type', 'service-region', 'owner', 'supported-ip-address-types']);

interface ServiceSource {
  name: string;
  type: ServiceType;
  region: string;
  baseDnsName: string;
  privateDnsNames: string[];
}

/**
 * The primary name AWS reports as PrivateDnsName: the wildcard where the service serves one
 * (ECR dkr reports `*.dkr.ecr.<r>.amazonaws.com` [peer: eksctl vpc_endpoint_test.go fixture of
 * real output]), else the first (the service's regional name).
 */
function primaryFirst(names: string[]): string[] {
  const wildcard = names.find((n) => n.startsWith('*.'));
  return wildcard === undefined ? names : [wildcard, ...names.filter((n) => n !== wildcard)];
}

function availabilityZones(world: World, region: string): string[] {
  const azs = new Set(['a', 'b', 'c'].map((s) => `${region}${s}`));
  for (const n of world.networkInterfaces) if (n.availabilityZone.startsWith(region)) azs.add(n.availabilityZone);
  return [...azs].sort();
}

function serviceDetail(world: World, callerRegion: string, s: ServiceSource): ServiceDetailView {
  const names = primaryFirst(s.privateDnsNames.map(stripDot));
  const hasPrivateDns = s.type === 'Interface' && names.length > 0;
  return {
    serviceName: s.name,
    serviceId: `vpce-svc-${derive(`service:${s.name}:${s.type}`, 17, 'abcdef0123456789')}`,
    serviceType: [{ serviceType: s.type }],
    serviceRegion: s.region === callerRegion ? undefined : s.region,
    availabilityZoneSet: availabilityZones(world, s.region),
    owner: 'amazon',
    baseEndpointDnsNameSet: [s.baseDnsName],
    privateDnsName: hasPrivateDns ? names[0] : undefined,
    privateDnsNameSet: hasPrivateDns ? names.map((privateDnsName) => ({ privateDnsName })) : undefined,
    vpcEndpointPolicySupported: true,
    acceptanceRequired: false,
    managesVpcEndpoints: false,
    tagSet: [],
    privateDnsNameVerificationState: hasPrivateDns ? 'verified' : undefined,
    supportedIpAddressTypeSet: ['ipv4'],
  };
}

/**
 * Every service of the Region: the twin's catalogue plus the service of every endpoint in the
 * world (an endpoint's own Private DNS facts win, as ModifyVpcEndpoint acts on them). S3 is
 * listed twice, Gateway before Interface, as AWS does [peer: terraform-aws-vpc#579 output].
 */
function servicesOfRegion(world: World, region: string, callerRegion: string): ServiceSource[] {
  const byKey = new Map<string, ServiceSource>();
  const crossRegion = region !== callerRegion;
  for (const entry of ENDPOINT_CATALOGUE) {
    if (crossRegion && !CROSS_REGION_SUFFIXES.has(entry.suffix)) continue;
    const name = `com.amazonaws.${region}.${entry.suffix}`;
    byKey.set(`${name}|Interface`, {
      name,
      type: 'Interface',
      region,
      baseDnsName: `${entry.suffix}.${region}.vpce.amazonaws.com`,
      privateDnsNames: entry.names.map((n) => n.replace('{r}', region)),
    });
    // Gateway endpoints are same-Region only; their base name is the public one [doc: CLI example].
    if (entry.suffix === 's3' && !crossRegion) {
      byKey.set(`${name}|Gateway`, { name, type: 'Gateway', region, baseDnsName: `s3.${region}.amazonaws.com`, privateDnsNames: [] });
    }
  }
  const prefix = `com.amazonaws.${region}.`;
  const takenByEndpoint = new Set<string>();
  for (const ep of world.endpoints) {
    if (vpcRegion(world, ep.vpcId) !== callerRegion || !ep.serviceName.startsWith(prefix)) continue;
    const suffix = ep.serviceName.slice(prefix.length);
    const regional = ep.dnsEntries[0]?.dnsName;
    const fromEndpoint: ServiceSource = {
      name: ep.serviceName,
      type: ep.type,
      region,
      // <id>-<tag>.<suffix>.<r>.vpce.amazonaws.com → <suffix>.<r>.vpce.amazonaws.com
      baseDnsName: regional ? regional.slice(regional.indexOf('.') + 1) : `${suffix}.${region}.vpce.amazonaws.com`,
      privateDnsNames: ep.supportsPrivateDns ? ep.privateDnsNames : [],
    };
    const key = `${ep.serviceName}|${ep.type}`;
    // The first endpoint of a service describes it; later ones of the same service agree.
    if (takenByEndpoint.has(key)) continue;
    takenByEndpoint.add(key);
    byKey.set(key, fromEndpoint);
  }
  return [...byKey.values()].sort((a, b) => (a.name === b.name ? (a.type === 'Gateway' ? -1 : 1) : a.name < b.name ? -1 : 1));
}

export function describeVpcEndpointServices(ctx: CallContext, input: DescribeVpcEndpointServicesInput): ServicesPage {
  advance(ctx.world, ctx.now);
  dryRun(input.dryRun);
  const size = pageSize(input.maxResults, { min: 1, max: 1000, clamp: true });
  for (const f of input.filters ?? []) {
    // This operation answers InvalidFilter, not InvalidParameterValue, for a filter it doesn't
    // know [peer: mondoohq/mql#4454 "InvalidFilter: The filter 'vpc-id' is invalid"].
    if (!SERVICE_FILTERS.has(f.name) && f.name !== 'tag-key' && !f.name.startsWith('tag:')) {
      throw new AwsApiError('InvalidFilter', `The filter '${f.name}' is invalid`);
    }
  }
  const regions = input.serviceRegions && input.serviceRegions.length > 0 ? [...new Set(input.serviceRegions)] : [ctx.region];
  const all = regions.flatMap((r) => servicesOfRegion(ctx.world, r, ctx.region)).map((s) => serviceDetail(ctx.world, ctx.region, s));

  let selected = all;
  if (input.serviceNames && input.serviceNames.length > 0) {
    const wanted = new Set(input.serviceNames);
    for (const name of wanted) {
      // [peer: terraform-provider-aws#24216, aws-cdk#29524 quoting EC2]
      if (!all.some((s) => s.serviceName === name)) {
        throw new AwsApiError('InvalidServiceName', `The Vpc Endpoint Service '${name}' does not exist`);
      }
    }
    selected = all.filter((s) => wanted.has(s.serviceName));
  }
  const filtered = applyFilters(
    selected,
    input.filters,
    {
      'service-name': (s) => [s.serviceName],
      'service-type': (s) => s.serviceType.map((t) => t.serviceType),
      'service-region': (s) => [s.serviceRegion ?? ctx.region],
      owner: (s) => [s.owner],
      'supported-ip-address-types': (s) => s.supportedIpAddressTypeSet,
    },
    (s) => s.tagSet,
  );
  // ServiceNames and ServiceDetails page together [doc: paginators-1.json result_key both].
  const page = paginate(filtered, 'DescribeVpcEndpointServices', size, input.nextToken);
  return { serviceNames: page.items.map((s) => s.serviceName), serviceDetails: page.items, nextToken: page.nextToken };
}

// ---------- DescribeInstances ----------
// The instances a probe runs on (one per VPC in the sandbox). Shapes: model Reservation /
// Instance (locationNames below); facts: aws-facts-2.md §1 ("EC2 DescribeInstances filters").

export interface DescribeInstancesInput extends DescribeInput {
  instanceIds?: string[];
}

export interface InstanceView {
  instanceId: string;
  imageId: string;
  instanceState: { code: number; name: string };
  privateDnsName: string;
  dnsName: string;
  reason: string;
  amiLaunchIndex: number;
  productCodes: never[];
  instanceType: string;
  launchTime: string;
  placement: { availabilityZone: string; groupName: string; tenancy: 'default' };
  monitoring: { state: 'disabled' };
  subnetId?: string;
  vpcId?: string;
  privateIpAddress?: string;
  sourceDestCheck: boolean;
  groupSet: { groupId: string; groupName: string }[];
  architecture: 'x86_64';
  rootDeviceType: 'ebs';
  rootDeviceName: string;
  blockDeviceMapping: never[];
  virtualizationType: 'hvm';
  hypervisor: 'xen';
  clientToken: string;
  tagSet: Tag[];
  iamInstanceProfile?: { arn: string; id: string };
  ebsOptimized: boolean;
  enaSupport: boolean;
  platformDetails: string;
  usageOperation: string;
}

export interface ReservationView {
  reservationId: string;
  ownerId: string;
  groupSet: never[];
  instancesSet: InstanceView[];
}

/** [doc: model InstanceState.Code] 16 running, 48 terminated, 80 stopped. */
const STATE_CODES: Record<Instance['state'], number> = { running: 16, terminated: 48, stopped: 80 };
const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

export function instanceView(world: World, inst: Instance): InstanceView {
  const terminated = inst.state === 'terminated';
  return {
    instanceId: inst.id,
    imageId: inst.imageId,
    instanceState: { code: STATE_CODES[inst.state], name: inst.state },
    privateDnsName: terminated ? '' : privateDnsNameOf(vpcRegion(world, inst.vpcId), inst.privateIp),
    dnsName: '',
    reason: inst.state === 'stopped' ? 'User initiated' : terminated ? 'User initiated' : '',
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: inst.instanceType,
    launchTime: iso(inst.launchTime),
    placement: { availabilityZone: inst.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    // A terminated instance has left its subnet [doc: DescribeInstances output of terminated instances].
    subnetId: terminated ? undefined : inst.subnetId,
    vpcId: terminated ? undefined : inst.vpcId,
    privateIpAddress: terminated ? undefined : inst.privateIp,
    sourceDestCheck: true,
    groupSet: terminated ? [] : [defaultGroupOf(inst.vpcId)],
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [],
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    clientToken: '',
    tagSet: tagsOf(inst.tags),
    iamInstanceProfile: inst.iamInstanceProfile ? { ...inst.iamInstanceProfile } : undefined,
    ebsOptimized: false,
    enaSupport: true,
    // [doc: model Instance.PlatformDetails] "Linux/UNIX" for Linux AMIs; usage operation RunInstances.
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
  };
}

function visibleInstances(ctx: CallContext): Instance[] {
  return (ctx.world.instances ?? []).filter((i) => i.ownerId === ctx.accountId && vpcRegion(ctx.world, i.vpcId) === ctx.region);
}

export function describeInstances(ctx: CallContext, input: DescribeInstancesInput): Page<ReservationView> {
  advance(ctx.world, ctx.now);
  dryRun(input.dryRun);
  if (input.maxResults !== undefined && input.instanceIds && input.instanceIds.length > 0) {
    // "You cannot specify this parameter and the instance IDs parameter in the same request"
    // [doc: model DescribeInstancesRequest.MaxResults; facts-2 §1].
    throw new AwsApiError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  // MaxResults 5..1000 [doc: model DescribeInstancesRequest.MaxResults].
  const size = pageSize(input.maxResults, { min: 5, max: 1000, clamp: false });
  for (const id of input.instanceIds ?? []) {
    if (!INSTANCE_ID.test(id)) throw new AwsApiError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  }
  const visible = visibleInstances(ctx);
  if (input.instanceIds && input.instanceIds.length > 0) {
    const missing = [...new Set(input.instanceIds)].filter((id) => !visible.some((i) => i.id === id));
    // Another account's instance is indistinguishable from a missing one [doc: EC2 resource visibility].
    if (missing.length === 1) throw new AwsApiError('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
    if (missing.length > 1) throw new AwsApiError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
  }
  const byId = selectByIds(visible, input.instanceIds, () => new AwsApiError('InvalidInstanceID.NotFound', 'not found'));
  const views = byId.map((i) => instanceView(ctx.world, i));
  const filtered = applyFilters(
    views,
    input.filters,
    {
      'instance-id': (i) => [i.instanceId],
      'vpc-id': (i) => [i.vpcId],
      'network-interface.vpc-id': (i) => [i.vpcId],
      'subnet-id': (i) => [i.subnetId],
      'instance-state-name': (i) => [i.instanceState.name],
      'instance-state-code': (i) => [String(i.instanceState.code)],
      'private-ip-address': (i) => [i.privateIpAddress],
      'private-dns-name': (i) => [i.privateDnsName],
      'availability-zone': (i) => [i.placement.availabilityZone],
      'instance-type': (i) => [i.instanceType],
      'image-id': (i) => [i.imageId],
      'iam-instance-profile.arn': (i) => [i.iamInstanceProfile?.arn],
      'platform-details': (i) => [i.platformDetails],
      'owner-id': () => [ctx.accountId],
    },
    (i) => i.tagSet,
  );
  const page = paginate(filtered, 'DescribeInstances', size, input.nextToken);
  return {
    items: page.items.map((view) => ({
      reservationId: `r-${derive(`reservation:${view.instanceId}`, 17, 'abcdef0123456789')}`,
      ownerId: ctx.accountId,
      groupSet: [],
      instancesSet: [view],
    })),
    nextToken: page.nextToken,
  };
}
