// Plain observed Worlds for unit tests of the pure steps: built from a twin scenario (so they
// look like what observe() returns) without any HTTP.
import { buildScenario, type ScenarioOptions } from '../../src/twin/scenario.js';
import { endpointArn, type World as TwinWorld } from '../../src/twin/world.js';
import type { World } from '../../src/aws/world.js';
import { Plan } from '../../src/plan/schema.js';
import { endpointZoneNames } from '../../src/twin/ops/lookup.js';

export function twinEstate(opts: Partial<ScenarioOptions> = {}): { twin: TwinWorld; plan: Plan } {
  const twin = buildScenario({ seed: 'unit', delayScale: 0, ...opts });
  const name = (id: string) => twin.accounts.find((a) => a.id === id)!.name;
  const [shared, ...spokes] = twin.vpcs;
  const plan = Plan.parse({
    name: 'unit',
    region: twin.region,
    accounts: Object.fromEntries(twin.accounts.map((a) => [a.name, { accountId: a.id, profile: `p-${a.name}` }])),
    profile: { id: twin.profiles[0]!.id, account: twin.accounts[0]!.name },
    sharedServicesVpc: { id: shared!.id, account: name(shared!.ownerId) },
    spokes: spokes.map((v) => ({ id: v.id, account: name(v.ownerId) })),
    endpoints: twin.endpoints.map((ep) => ({ id: ep.id, zones: twin.zones.filter((z) => endpointZoneNames(ep).includes(z.name)).map((z) => z.id) })),
  });
  return { twin, plan };
}

/** What observe() would return for this twin world (statuses as they are, no lifecycles run). */
export function observedFromTwin(twin: TwinWorld, plan: Plan): World {
  const accountName = (id: string) => twin.accounts.find((a) => a.id === id)!.name;
  const profile = twin.profiles.find((p) => p.id === plan.profile.id);
  const vpcIds = [plan.sharedServicesVpc.id, ...plan.spokes.map((s) => s.id)];
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

