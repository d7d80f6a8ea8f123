// The observed World: one immutable snapshot of everything the migration depends on, as AWS
// reports it. Types only (no SDK): steps are pure functions of it.

export type AssociationStatus = 'CREATING' | 'UPDATING' | 'COMPLETE' | 'DELETING' | 'DELETED' | 'FAILED';

export interface VpcRef {
  vpcId: string;
  region: string;
}

export interface ObservedRecord {
  /** Absolute, lower-case, `*` for a wildcard label. */
  name: string;
  type: string;
  ttl?: number;
  values?: string[];
  alias?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean };
  /** Routing-policy fields we do not interpret but must back up and restore. */
  extra?: Record<string, unknown>;
}

export interface ObservedZone {
  id: string;
  exists: true;
  /** Absolute, lower-case. */
  name: string;
  /** Plan account that could read it (its owner). */
  account: string;
  accountId: string;
  privateZone: boolean;
  vpcs: VpcRef[];
  records: ObservedRecord[];
  /** Cross-account association authorizations not yet deleted. */
  authorizations: VpcRef[];
}

export interface MissingZone {
  id: string;
  exists: false;
}

export interface ObservedProfileAssociation {
  id: string;
  profileId: string;
  name: string;
  status: AssociationStatus;
  statusMessage?: string;
}

export interface ObservedVpc {
  id: string;
  /** Plan account name; for a VPC outside the plan, '' when no account of the plan owns it. */
  account: string;
  /** '' when unknown (a VPC outside the plan, in an account the plan doesn't name). */
  accountId: string;
  exists: boolean;
  /** The VPC's Profile association, whichever Profile it is (a VPC has at most one). */
  profileAssociation?: ObservedProfileAssociation;
  /** Whether the plan's Profile is visible to the VPC's account (owned, or shared with it). */
  profileVisible: boolean;
}

export interface ObservedResourceAssociation {
  id: string;
  name: string;
  resourceArn: string;
  resourceType: string;
  status: AssociationStatus;
  statusMessage?: string;
}

export interface ObservedProfile {
  id: string;
  arn: string;
  name: string;
  ownerId: string;
  shareStatus: string;
  status: string;
  resources: ObservedResourceAssociation[];
}

export interface ObservedEndpoint {
  id: string;
  exists: true;
  account: string;
  accountId: string;
  vpcId: string;
  type: string;
  serviceName: string;
  /** Lower-case as EC2 sends it: available, pending, ... */
  state: string;
  privateDnsEnabled: boolean;
  /** The names the service's Private DNS serves (from the service, not built from strings). */
  privateDnsNames: string[];
  supportsPrivateDns: boolean;
  dnsEntries: { dnsName: string; hostedZoneId: string }[];
  /** Private IPv4 addresses of its network interfaces: what a correct answer contains. */
  eniIps: string[];
  arn: string;
}

export interface MissingEndpoint {
  id: string;
  exists: false;
}

export interface World {
  observedAt: number;
  region: string;
  /** Plan account name → AWS account id. */
  accounts: Record<string, string>;
  /** The plan's Profile as its owner sees it; undefined when it is not visible there. */
  profile?: ObservedProfile;
  /** The plan's VPCs (shared services and spokes). */
  vpcs: Record<string, ObservedVpc>;
  /**
   * VPCs outside the plan that depend on what the migration changes: associated with one of its
   * zones, or with its Profile (as far as the plan's accounts can see: each account lists its
   * own VPCs' Profile associations).
   */
  others: Record<string, ObservedVpc>;
  zones: Record<string, ObservedZone | MissingZone>;
  endpoints: Record<string, ObservedEndpoint | MissingEndpoint>;
  /** The plan's parking VPC, when it names one (seen by a full observation only). */
  parking?: ObservedVpc;
}

/** What names one record set in a zone: name, type and (in a routing-policy group) SetIdentifier. */
export function recordSetKey(r: Pick<ObservedRecord, 'name' | 'type' | 'extra'>): string {
  return `${r.name}|${r.type}|${(r.extra?.SetIdentifier as string | undefined) ?? ''}`;
}

/** The plan account whose AWS account id this is, if the plan names one. */
export function planAccountOf(world: Pick<World, 'accounts'>, accountId: string): string | undefined {
  return Object.entries(world.accounts).find(([, id]) => id === accountId)?.[0];
}

export function hostedZoneArn(zoneId: string): string {
  return `arn:aws:route53:::hostedzone/${zoneId}`;
}

export function vpcEndpointArn(region: string, accountId: string, endpointId: string): string {
  return `arn:aws:ec2:${region}:${accountId}:vpc-endpoint/${endpointId}`;
}
