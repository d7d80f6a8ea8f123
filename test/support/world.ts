// Plain observed Worlds for unit tests of the pure steps: built from a twin scenario (so they
// look like what observe() returns) without any HTTP.
import { buildScenario, PARKING_VPC_NAME, type ScenarioOptions } from '../../src/twin/scenario.js';
import { endpointArn, type World as TwinWorld } from '../../src/twin/world.js';
import type { World } from '../../src/aws/world.js';
import type { Action } from '../../src/aws/actions.js';
import { Plan } from '../../src/plan/schema.js';
import { endpointZoneNames } from '../../src/twin/ops/lookup.js';

export function twinEstate(opts: Partial<ScenarioOptions> = {}): { twin: TwinWorld; plan: Plan } {
  const twin = buildScenario({ seed: 'unit', delayScale: 0, ...opts });
  const name = (id: string) => twin.accounts.find((a) => a.id === id)!.name;
  const parking = twin.vpcs.find((v) => v.name === PARKING_VPC_NAME);
  const [shared, ...spokes] = twin.vpcs.filter((v) => v !== parking);
  const plan = Plan.parse({
    name: 'unit',
    region: twin.region,
    accounts: Object.fromEntries(twin.accounts.map((a) => [a.name, { accountId: a.id, profile: `p-${a.name}` }])),
    profile: { id: twin.profiles[0]!.id, account: twin.accounts[0]!.name },
    sharedServicesVpc: { id: shared!.id, account: name(shared!.ownerId) },
    spokes: spokes.map((v) => ({ id: v.id, account: name(v.ownerId) })),
    endpoints: twin.endpoints.map((ep) => ({ id: ep.id, zones: twin.zones.filter((z) => endpointZoneNames(ep).includes(z.name)).map((z) => z.id) })),
    ...(parking ? { parkingVpc: { id: parking.id, account: name(parking.ownerId) } } : {}),
  });
  return { twin, plan };
}

/** What observe() would return for this twin world (statuses as they are, no lifecycles run). */
export function observedFromTwin(twin: TwinWorld, plan: Plan): World {
  const accountName = (id: string) => twin.accounts.find((a) => a.id === id)!.name;
  const profile = twin.profiles.find((p) => p.id === plan.profile.id);
  const vpcIds = [plan.sharedServicesVpc.id, ...plan.spokes.map((s) => s.id)];
  const planZones = twin.zones.filter((z) => plan.endpoints.some((e) => e.zones.includes(z.id)));
  return {
    observedAt: 0,
    region: twin.region,
    accounts: Object.fromEntries(twin.accounts.map((a) => [a.name, a.id])),
    profile: profile && {
      id: profile.id,
      arn: profile.arn,
      name: profile.name,
      ownerId: profile.ownerId,
      shareStatus: profile.sharedWith.length ? 'SHARED_BY_ME' : 'NOT_SHARED',
      status: 'COMPLETE',
      resources: twin.resourceAssociations
        .filter((r) => r.profileId === profile.id)
        .map((r) => ({ id: r.id, name: r.name, resourceArn: r.resourceArn, resourceType: r.resourceType, status: r.status })),
    },
    others: Object.fromEntries(
      twin.vpcs
        .filter((v) => !vpcIds.includes(v.id))
        .filter((v) => twin.profileAssociations.some((a) => a.resourceId === v.id && a.profileId === plan.profile.id) || planZones.some((z) => z.vpcs.some((x) => x.vpcId === v.id)))
        .map((v) => {
          const a = twin.profileAssociations.find((x) => x.resourceId === v.id && x.profileId === plan.profile.id);
          return [v.id, { id: v.id, account: accountName(v.ownerId), accountId: v.ownerId, exists: true, ...(a ? { profileAssociation: { id: a.id, profileId: a.profileId, name: a.name, status: a.status } } : {}), profileVisible: true }];
        }),
    ),
    vpcs: Object.fromEntries(
      vpcIds.map((id) => {
        const v = twin.vpcs.find((x) => x.id === id);
        const a = twin.profileAssociations.find((x) => x.resourceId === id);
        return [
          id,
          {
            id,
            account: v ? accountName(v.ownerId) : plan.spokes.find((s) => s.id === id)?.account ?? '',
            accountId: v?.ownerId ?? '',
            exists: !!v,
            ...(a ? { profileAssociation: { id: a.id, profileId: a.profileId, name: a.name, status: a.status } } : {}),
            profileVisible: !!profile && (profile.ownerId === v?.ownerId || profile.sharedWith.includes(v?.ownerId ?? '')),
          },
        ];
      }),
    ),
    zones: Object.fromEntries(
      plan.endpoints.flatMap((e) => e.zones).map((id) => {
        const z = twin.zones.find((x) => x.id === id);
        if (!z) return [id, { id, exists: false as const }];
        return [
          id,
          {
            id,
            exists: true as const,
            name: z.name,
            account: accountName(z.ownerId),
            accountId: z.ownerId,
            privateZone: z.privateZone,
            vpcs: z.vpcs.map((v) => ({ ...v })),
            records: z.records.map((r) => ({ ...r, ...(r.values ? { values: [...r.values] } : {}) })),
            authorizations: z.authorizations.map((v) => ({ ...v })),
          },
        ];
      }),
    ),
    ...(plan.parkingVpc ? { parking: { id: plan.parkingVpc.id, account: plan.parkingVpc.account, accountId: twin.accounts.find((a) => a.name === plan.parkingVpc!.account)!.id, exists: twin.vpcs.some((v) => v.id === plan.parkingVpc!.id), profileVisible: true } } : {}),
    endpoints: Object.fromEntries(
      plan.endpoints.map(({ id }) => {
        const ep = twin.endpoints.find((x) => x.id === id);
        if (!ep) return [id, { id, exists: false as const }];
        return [
          id,
          {
            id,
            exists: true as const,
            account: accountName(ep.ownerId),
            accountId: ep.ownerId,
            vpcId: ep.vpcId,
            type: ep.type,
            serviceName: ep.serviceName,
            state: ep.state,
            privateDnsEnabled: ep.privateDnsEnabled,
            privateDnsNames: ep.supportsPrivateDns ? [...ep.privateDnsNames] : [],
            supportsPrivateDns: ep.supportsPrivateDns,
            dnsEntries: ep.dnsEntries.map((d) => ({ ...d })),
            eniIps: twin.networkInterfaces.filter((n) => ep.networkInterfaceIds.includes(n.id)).map((n) => n.privateIp),
            arn: endpointArn(twin, ep),
          },
        ];
      }),
    ),
  };
}


/**
 * Applies a step action to a twin world as if AWS had made it and it had settled (COMPLETE,
 * INSYNC): a dry run's batches walked on the twin, so its resolvers can be compared with the
 * product's resolution model. Test-only; the real twin changes only through its API.
 */
export function applyToTwin(twin: TwinWorld, a: Action): void {
  const t0 = Date.UTC(2026, 0, 1);
  switch (a.kind) {
    case 'associate-profile': {
      const vpc = twin.vpcs.find((v) => v.id === a.vpcId)!;
      twin.profileAssociations.push({ id: `rpassoc-${a.vpcId}`, name: a.name, ownerId: vpc.ownerId, profileId: a.profileId, resourceId: a.vpcId, status: 'COMPLETE', statusMessage: '', creationTime: t0, modificationTime: t0, tags: {} });
      break;
    }
    case 'disassociate-profile':
      twin.profileAssociations = twin.profileAssociations.filter((x) => x.resourceId !== a.vpcId);
      break;
    case 'associate-resource': {
      const profile = twin.profiles.find((p) => p.id === a.profileId)!;
      twin.resourceAssociations.push({
        id: `rpr-${a.resource}`,
        name: a.name,
        ownerId: profile.ownerId,
        profileId: a.profileId,
        resourceArn: a.resourceArn,
        resourceType: a.resourceArn.includes(':vpc-endpoint/') ? 'VPC_ENDPOINT' : 'PRIVATE_HOSTED_ZONE',
        resourceProperties: undefined,
        status: 'COMPLETE',
        statusMessage: '',
        creationTime: t0,
        modificationTime: t0,
      });
      break;
    }
    case 'disassociate-resource':
      twin.resourceAssociations = twin.resourceAssociations.filter((r) => r.resourceArn !== a.resourceArn);
      break;
    case 'authorize-vpc':
    case 'deauthorize-vpc':
      break;
    case 'associate-vpc':
      twin.zones.find((z) => z.id === a.zoneId)!.vpcs.push({ vpcId: a.vpcId, region: a.region });
      break;
    case 'disassociate-vpc': {
      const z = twin.zones.find((x) => x.id === a.zoneId)!;
      z.vpcs = z.vpcs.filter((v) => v.vpcId !== a.vpcId);
      break;
    }
    case 'set-private-dns':
      twin.endpoints.find((e) => e.id === a.endpointId)!.privateDnsEnabled = a.enabled;
      break;
    case 'backup-zone':
      break;
    case 'delete-records': {
      const z = twin.zones.find((x) => x.id === a.zoneId)!;
      z.records = z.records.filter((r) => !a.records.some((d) => d.name === r.name && d.type === r.type));
      break;
    }
    case 'delete-zone':
      twin.zones = twin.zones.filter((z) => z.id !== a.zoneId);
      break;
    case 'recreate-zone':
    case 'restore-records':
      throw new Error(`applyToTwin: ${a.kind} is not modelled here`);
  }
}
