// Read-only questions about the world that more than one service's rules ask.
import type { HostedZone, ProfileAssociation, VpcEndpoint, World } from '../world.js';
import { canonicalName } from '../world.js';

export { zoneNameOfDnsName } from '../../aws/resolver-rules.js';
import { zoneNameOfDnsName } from '../../aws/resolver-rules.js';

export function directZonesOfVpc(world: World, vpcId: string): HostedZone[] {
  return world.zones.filter((z) => z.privateZone && z.vpcs.some((v) => v.vpcId === vpcId));
}

/** The VPC's Profile association, whatever its status (a VPC has at most one). */
export function profileAssociationOfVpc(world: World, vpcId: string): ProfileAssociation | undefined {
  return world.profileAssociations.find((a) => a.resourceId === vpcId);
}

/** Zone names an endpoint's Private DNS serves (one per distinct zone, wildcards folded). */
export function endpointZoneNames(ep: VpcEndpoint): string[] {
  return [...new Set(ep.privateDnsNames.map(zoneNameOfDnsName))];
}

/** Endpoints in this VPC whose Private DNS is on and serves the zone name. */
export function privateDnsEndpointsInVpcFor(world: World, vpcId: string, zoneName: string): VpcEndpoint[] {
  const zn = canonicalName(zoneName);
  return world.endpoints.filter(
    (ep) => ep.vpcId === vpcId && ep.privateDnsEnabled && ep.state !== 'deleted' && endpointZoneNames(ep).includes(zn),
  );
}

/** Zones this Profile holds (any status but gone) with this name. */
export function profileZonesNamed(world: World, profileId: string, zoneName: string): HostedZone[] {
  const zn = canonicalName(zoneName);
  const ids = new Set(
    world.resourceAssociations
      .filter((r) => r.profileId === profileId && r.resourceArn.startsWith('arn:aws:route53:::hostedzone/'))
      .map((r) => r.resourceArn.slice('arn:aws:route53:::hostedzone/'.length)),
  );
  return world.zones.filter((z) => ids.has(z.id) && z.name === zn);
}

/** Endpoints this Profile holds (any status but gone) serving this zone name. */
export function profileEndpointsServing(world: World, profileId: string, zoneName: string): VpcEndpoint[] {
  const zn = canonicalName(zoneName);
  const ids = new Set(
    world.resourceAssociations
      .filter((r) => r.profileId === profileId && r.resourceArn.includes(':vpc-endpoint/'))
      .map((r) => r.resourceArn.slice(r.resourceArn.lastIndexOf('/') + 1)),
  );
  return world.endpoints.filter((ep) => ids.has(ep.id) && endpointZoneNames(ep).includes(zn));
}

export function findVpc(world: World, vpcId: string) {
  return world.vpcs.find((v) => v.id === vpcId);
}
