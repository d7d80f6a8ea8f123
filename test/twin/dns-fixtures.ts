// Hand-built worlds for the resolver tests: just enough of each object for resolution to read.
import type { AssociationStatus, EndpointState, HostedZone, RecordSet, VpcEndpoint, World } from '../../src/twin/world.js';
import { canonicalName, emptyWorld, endpointArn, hostedZoneArn } from '../../src/twin/world.js';

export const REGION = 'us-east-1';
export const SHARED_ACCOUNT = '111111111111';
export const LAMBDA = 'lambda.us-east-1.amazonaws.com';
/** Route 53's hosted zone id for us-east-1 vpce names (what an alias to an endpoint carries). */
export const VPCE_ZONE_ID = 'Z7HUB22UULQXV';

export function newWorld(): World {
  return emptyWorld(REGION, 'dns-test');
}

export function addVpc(world: World, id: string, cidr = '10.0.0.0/16', ownerId = SHARED_ACCOUNT): void {
  world.vpcs.push({ id, ownerId, region: REGION, cidr, name: id });
}

export function addZone(world: World, id: string, name: string, vpcIds: string[], records: RecordSet[] = []): HostedZone {
  const zone: HostedZone = {
    id,
    name: canonicalName(name),
    ownerId: SHARED_ACCOUNT,
    callerReference: `ref-${id}`,
    comment: '',
    privateZone: true,
    vpcs: vpcIds.map((vpcId) => ({ vpcId, region: REGION })),
    authorizations: [],
    records: [
      { name: canonicalName(name), type: 'SOA', ttl: 900, values: ['ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'] },
      { name: canonicalName(name), type: 'NS', ttl: 172800, values: ['ns-1536.awsdns-00.co.uk.'] },
      ...records,
    ],
    busyUntil: 0,
  };
  world.zones.push(zone);
  return zone;
}

export function aliasRecord(name: string, targetDnsName: string, type = 'A'): RecordSet {
  return { name: canonicalName(name), type, alias: { hostedZoneId: VPCE_ZONE_ID, dnsName: canonicalName(targetDnsName), evaluateTargetHealth: false } };
}

export function record(name: string, type: string, values: string[], ttl = 300): RecordSet {
  return { name: canonicalName(name), type, ttl, values };
}

export interface EndpointSpec {
  id: string;
  vpcId: string;
  service: string;
  privateDnsNames: string[];
  /** One ENI per entry. */
  enis: { ip: string; az: string }[];
  privateDnsEnabled?: boolean;
  privateDnsActiveAt?: number;
  state?: EndpointState;
}

export function addEndpoint(world: World, spec: EndpointSpec): VpcEndpoint {
  const suffix = `${spec.id.slice('vpce-'.length, 'vpce-'.length + 4)}xyz`;
  const service = spec.service.split('.').pop()!; // com.amazonaws.us-east-1.lambda → lambda
  const regional = `${spec.id}-${suffix}.${service}.${REGION}.vpce.amazonaws.com`;
  const networkInterfaceIds = spec.enis.map((eni, i) => {
    const id = `eni-${spec.id.slice(5)}${i}`;
    world.networkInterfaces.push({
      id,
      vpcId: spec.vpcId,
      ownerId: SHARED_ACCOUNT,
      subnetId: `subnet-${eni.az}`,
      availabilityZone: eni.az,
      privateIp: eni.ip,
      description: `VPC Endpoint Interface ${spec.id}`,
      endpointId: spec.id,
    });
    return id;
  });
  const ep: VpcEndpoint = {
    id: spec.id,
    ownerId: SHARED_ACCOUNT,
    vpcId: spec.vpcId,
    serviceName: spec.service,
    type: 'Interface',
    state: spec.state ?? 'available',
    privateDnsEnabled: spec.privateDnsEnabled ?? false,
    ...(spec.privateDnsActiveAt !== undefined ? { privateDnsActiveAt: spec.privateDnsActiveAt } : {}),
    privateDnsNames: spec.privateDnsNames,
    supportsPrivateDns: true,
    dnsEntries: [
      { dnsName: regional, hostedZoneId: VPCE_ZONE_ID },
      ...[...new Set(spec.enis.map((e) => e.az))].map((az) => ({
        dnsName: `${spec.id}-${suffix}-${az}.${service}.${REGION}.vpce.amazonaws.com`,
        hostedZoneId: VPCE_ZONE_ID,
      })),
    ],
    networkInterfaceIds,
    creationTimestamp: 0,
    tags: {},
  };
  world.endpoints.push(ep);
  return ep;
}

export function regionalDnsName(ep: VpcEndpoint): string {
  return ep.dnsEntries[0]!.dnsName;
}

export function addProfile(world: World, id: string): void {
  world.profiles.push({
    id,
    arn: `arn:aws:route53profiles:${REGION}:${SHARED_ACCOUNT}:profile/${id}`,
    name: id,
    ownerId: SHARED_ACCOUNT,
    sharedWith: [],
    clientToken: id,
    creationTime: 0,
    modificationTime: 0,
    status: 'COMPLETE',
    tags: {},
  });
}

export function associateProfile(world: World, profileId: string, vpcId: string, status: AssociationStatus = 'COMPLETE'): void {
  world.profileAssociations.push({
    id: `rpassoc-${vpcId}`,
    name: `assoc-${vpcId}`,
    ownerId: SHARED_ACCOUNT,
    profileId,
    resourceId: vpcId,
    tags: {},
    status,
    statusMessage: '',
    creationTime: 0,
    modificationTime: 0,
  });
}

export function disassociateProfile(world: World, vpcId: string): void {
  world.profileAssociations = world.profileAssociations.filter((a) => a.resourceId !== vpcId);
}

export function associateZoneWithProfile(world: World, profileId: string, zone: HostedZone, status: AssociationStatus = 'COMPLETE'): void {
  world.resourceAssociations.push({
    id: `rpr-${zone.id}`,
    name: `zone-${zone.id}`,
    ownerId: SHARED_ACCOUNT,
    profileId,
    resourceArn: hostedZoneArn(zone),
    resourceType: 'PRIVATE_HOSTED_ZONE',
    status,
    statusMessage: '',
    creationTime: 0,
    modificationTime: 0,
  });
}

export function associateEndpointWithProfile(world: World, profileId: string, ep: VpcEndpoint, status: AssociationStatus = 'COMPLETE'): void {
  world.resourceAssociations.push({
    id: `rpr-${ep.id}`,
    name: `endpoint-${ep.id}`,
    ownerId: SHARED_ACCOUNT,
    profileId,
    resourceArn: endpointArn(world, ep),
    resourceType: 'VPC_ENDPOINT',
    status,
    statusMessage: '',
    creationTime: 0,
    modificationTime: 0,
  });
}

export function disassociateResource(world: World, arn: string): void {
  world.resourceAssociations = world.resourceAssociations.filter((r) => r.resourceArn !== arn);
}

export function detachZoneFromVpc(zone: HostedZone, vpcId: string): void {
  zone.vpcs = zone.vpcs.filter((v) => v.vpcId !== vpcId);
}

/** The set of addresses in an answer, order-free. */
export function addresses(answers: { type: string; data: string }[], type = 'A'): string[] {
  return answers.filter((a) => a.type === type).map((a) => a.data).sort();
}
