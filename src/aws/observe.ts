// Read-only discovery: everything the migration depends on, in one immutable World. Batched and
// paginated List/Describe calls where AWS has them, independent reads in parallel (the request
// budget keeps them under AWS's rates), so cost grows with the plan, not with the accounts.
//
// Where each scope runs. 'full' (what only an assessment needs too: which accounts see the
// Profile, which other Profile a VPC is on, who owns a VPC outside the plan): `plan`, and the start
// of every apply, resume and rollback (machines/runner.ts), and the repair of a failed association
// (machines/repair.ts). 'progress': before each batch (machines/actors.ts observeAndPlan), and in
// the converge gate — at every poll while Profile associations or an endpoint settle, and once at
// the end for a batch of zone changes (those settle through GetChange alone), and for a batch that
// mixes zone changes with Profile ones. observeSettling: at each converge poll of a batch of Profile
// associations and endpoint settings alone — it re-reads only those, onto the batch's world. Per
// call: VPCs on the Profile come from one ListProfileAssociations page per 100 per account, not one
// call per VPC.
import { DescribeNetworkInterfacesCommand, DescribeVpcEndpointServicesCommand, DescribeVpcEndpointsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import {
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  ListVPCAssociationAuthorizationsCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import type { Plan } from '../plan/schema.js';
import { planVpcs, profileToCreate } from '../plan/schema.js';
import type { AwsAccess } from './access.js';
import { AccessDeniedError, NotFoundError } from './errors.js';
import { GetProfileCommand, ListProfileAssociationsCommand, ListProfileResourceAssociationsCommand } from './route53profiles/index.js';
import {
  vpcEndpointArn,
  type AssociationStatus,
  type ObservedEndpoint,
  type ObservedProfile,
  type ObservedProfileAssociation,
  type ObservedRecord,
  type ObservedVpc,
  type ObservedZone,
  type MissingEndpoint,
  type MissingZone,
  type World,
} from './world.js';

/** Above this many unassociated VPCs in one account, one account-wide listing beats per-VPC lookups. */
export const PER_VPC_LOOKUP_LIMIT = 10;

export interface ObserveOptions {
  signal?: AbortSignal;
  now?: () => number;
  /**
   * 'full' (default) also asks what only the assessment needs: whether each account sees the
   * Profile, and which other Profile a VPC is on. 'progress' skips those, for the re-observations
   * of a run already assessed (they poll often, and Profiles calls are the scarce budget).
   */
  scope?: 'full' | 'progress';
  /**
   * The account each zone was read with before (a run's earlier observation): asked first, and
   * its "no such zone" is taken as final — an account always sees its own zones — so a zone
   * deleted by step 7 costs one call, not one per account.
   */
  zoneOwners?: Readonly<Record<string, string>>;
}

/** Follows a token-paginated List call to the end. */
export async function allPages<T>(fetchPage: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await fetchPage(token);
    out.push(...(page.items ?? []));
    token = page.next;
    // A service that hands back the same token would loop forever: stop and say so.
    if (token !== undefined && seen.has(token)) throw new Error(`pagination token repeated (${token}): the service is not advancing`);
    if (token !== undefined) seen.add(token);
  } while (token);
  return out;
}

const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export function recordFromSdk(r: ResourceRecordSet): ObservedRecord {
  const { Name, Type, TTL, ResourceRecords, AliasTarget, ...rest } = r;
  const extra = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return {
    name: (Name ?? '').toLowerCase().replace(/\\052/g, '*'),
    type: Type ?? '',
    ...(TTL !== undefined ? { ttl: TTL } : {}),
    ...(ResourceRecords ? { values: ResourceRecords.map((v) => v.Value ?? '') } : {}),
    ...(AliasTarget
      ? { alias: { hostedZoneId: AliasTarget.HostedZoneId ?? '', dnsName: (AliasTarget.DNSName ?? '').toLowerCase(), evaluateTargetHealth: AliasTarget.EvaluateTargetHealth ?? false } }
      : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

/** Every record set of a zone, as ListResourceRecordSets returns them: paged by name, type and (inside a routing-policy group) SetIdentifier. */
export async function listRecordSets(access: AwsAccess, account: string, zoneId: string, signal?: AbortSignal): Promise<ResourceRecordSet[]> {
  return allPages(async (token) => {
    const [name, type, ident] = token ? (JSON.parse(token) as [string, string, string | undefined]) : [];
    const out = await access.read(
      account,
      'route53',
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: type as never, StartRecordIdentifier: ident, MaxItems: 300 }),
      { signal, target: zoneId },
    );
    return { items: out.ResourceRecordSets, next: out.IsTruncated ? JSON.stringify([out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier]) : undefined };
  });
}

/** Tries the accounts in order until one can read the resource (its owner). */
async function firstReadable<T>(accounts: string[], read: (account: string) => Promise<T>): Promise<{ account: string; value: T } | undefined> {
  for (const account of accounts) {
    try {
      return { account, value: await read(account) };
    } catch (e) {
      if (e instanceof AccessDeniedError || e instanceof NotFoundError) continue;
      throw e;
    }
  }
  return undefined;
}

/** The plan's accounts, the likeliest owners of shared resources (the Profile's, the shared-services VPC's) first. */
function ownerOrderOf(plan: Plan): string[] {
  return [...new Set([plan.profile.account, plan.sharedServicesVpc.account, ...Object.keys(plan.accounts)])];
}

export async function observe(plan: Plan, access: AwsAccess, opts: ObserveOptions = {}): Promise<World> {
  const signal = opts.signal;
  const names = Object.keys(plan.accounts);
  const ids = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await access.accountId(n, signal)] as const)));
  const ownerOrder = ownerOrderOf(plan);

  const [profile, { vpcs, onProfile }, zones, endpoints] = await Promise.all([
    observeProfile(plan, access, signal),
    observeVpcs(plan, access, ids, signal, opts.scope ?? 'full'),
    Promise.all(plan.endpoints.flatMap((e) => e.zones).map((id) => observeZone(id, ownerOrder, ids, access, signal, opts.zoneOwners?.[id]))),
    observeEndpoints(plan, access, ownerOrder, ids, signal),
  ]);
  const others = await observeOthers(plan, access, ids, onProfile, zones, signal, opts.scope ?? 'full');
  const parking = plan.parkingVpc && (opts.scope ?? 'full') === 'full' ? await observeParking(plan, access, ids, signal) : undefined;
  return deepFreeze({
    observedAt: (opts.now ?? Date.now)(),
    region: plan.region,
    accounts: ids,
    profile,
    vpcs: Object.fromEntries(vpcs.map((v) => [v.id, v])),
    others: Object.fromEntries(others.map((v) => [v.id, v])),
    zones: Object.fromEntries(zones.map((z) => [z.id, z])),
    endpoints: Object.fromEntries(endpoints.map((e) => [e.id, e])),
    ...(parking ? { parking } : {}),
  });
}

/** What a batch of Profile associations and endpoint settings waits on, to be read again at each poll. */
export interface SettlingScope {
  /** Accounts whose VPCs' Profile associations the batch changes. */
  vpcAccounts: string[];
  /** The batch associates or disassociates Profile resources (zones, endpoints). */
  resources: boolean;
  /** The batch changes an endpoint (its Private DNS). */
  endpoints: boolean;
}

/**
 * `base` with the facts a batch of Profile associations and endpoint settings moves read again:
 * the Profile associations of the named accounts' VPCs, the Profile's resources, the endpoints.
 * Everything else (zones, VPCs outside the plan) is as `base` saw it: the next batch's observation
 * reads the whole estate again, and its guard judges any drift, as after a batch of zone changes.
 */
export async function observeSettling(plan: Plan, access: AwsAccess, base: World, scope: SettlingScope, opts: Pick<ObserveOptions, 'signal' | 'now'> = {}): Promise<World> {
  const signal = opts.signal;
  const ownerOrder = ownerOrderOf(plan);
  const polled = new Set(scope.vpcAccounts);
  const [associations, profile, endpoints] = await Promise.all([
    Promise.all(
      [...polled].map(async (account) => {
        const listed = profileToCreate(plan) ? [] : await allPages(async (token) => {
          const out = await access.read(account, 'route53profiles', new ListProfileAssociationsCommand({ ProfileId: plan.profile.id, NextToken: token, MaxResults: 100 }), { signal });
          return { items: out.ProfileAssociations, next: out.NextToken };
        });
        return listed.flatMap((a) => (a.ResourceId ? [[a.ResourceId, toAssociation(a)] as const] : []));
      }),
    ).then((lists) => new Map(lists.flat())),
    scope.resources ? observeProfile(plan, access, signal) : Promise.resolve(base.profile),
    scope.endpoints ? observeEndpoints(plan, access, ownerOrder, base.accounts, signal) : Promise.resolve(Object.values(base.endpoints)),
  ]);
  const vpcs = Object.fromEntries(
    Object.values(base.vpcs).map((v) => {
      if (!polled.has(v.account)) return [v.id, v];
      const { profileAssociation: _was, ...rest } = v;
      const now = associations.get(v.id);
      return [v.id, now ? { ...rest, profileAssociation: now } : rest];
    }),
  );
  return deepFreeze({ ...base, observedAt: (opts.now ?? Date.now)(), vpcs, profile, endpoints: Object.fromEntries(endpoints.map((e) => [e.id, e])) });
}

function toAssociation(a: { Id?: string; ProfileId?: string; Name?: string; Status?: string; StatusMessage?: string }): ObservedProfileAssociation {
  return {
    id: a.Id ?? '',
    profileId: a.ProfileId ?? '',
    name: a.Name ?? '',
    status: (a.Status ?? 'COMPLETE') as AssociationStatus,
    ...(a.StatusMessage ? { statusMessage: a.StatusMessage } : {}),
  };
}

/** The parking VPC: that it exists, and whether some Profile holds it (it must take no part). */
async function observeParking(plan: Plan, access: AwsAccess, ids: Record<string, string>, signal?: AbortSignal): Promise<ObservedVpc> {
  const { id, account } = plan.parkingVpc!;
  const found = await access.read(account, 'ec2', new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [id] }] }), { signal, target: id });
  const exists = (found.Vpcs ?? []).some((v) => v.VpcId === id);
  const a = exists ? (await access.read(account, 'route53profiles', new ListProfileAssociationsCommand({ ResourceId: id }), { signal, target: id })).ProfileAssociations?.[0] : undefined;
  return {
    id,
    account,
    accountId: ids[account]!,
    exists,
    profileVisible: true,
    ...(a ? { profileAssociation: { id: a.Id ?? '', profileId: a.ProfileId ?? '', name: a.Name ?? '', status: (a.Status ?? 'COMPLETE') as AssociationStatus } } : {}),
  };
}

/**
 * The VPCs outside the plan that depend on it: on the plan's Profile (seen in the listings the
 * plan's accounts already made) or associated with one of its zones (GetHostedZone lists every
 * VPC, whatever its account). A full observation also asks which plan account owns each of the
 * latter, for the messages; a VPC of an account the plan doesn't name stays without one.
 */
async function observeOthers(
  plan: Plan,
  access: AwsAccess,
  ids: Record<string, string>,
  onProfile: ObservedVpc[],
  zones: (ObservedZone | MissingZone)[],
  signal: AbortSignal | undefined,
  scope: 'full' | 'progress',
): Promise<ObservedVpc[]> {
  const inPlan = new Set(planVpcs(plan).map((v) => v.id));
  const others = new Map(onProfile.map((v) => [v.id, v]));
  const unknown = [
    ...new Set(zones.flatMap((z) => (z.exists ? z.vpcs.map((v) => v.vpcId) : [])).filter((id) => !inPlan.has(id) && !others.has(id))),
  ].sort();
  const owner = new Map<string, string>();
  if (scope === 'full' && unknown.length) {
    await Promise.all(
      Object.keys(plan.accounts).map(async (account) => {
        for (const chunk of chunks(unknown, 200)) {
          const found = await allPages(async (token) => {
            const out = await access.read(account, 'ec2', new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: chunk }], NextToken: token, MaxResults: 1000 }), { signal });
            return { items: out.Vpcs, next: out.NextToken };
          });
          for (const v of found) if (v.VpcId && v.OwnerId === ids[account]) owner.set(v.VpcId, account);
        }
      }),
    );
  }
  for (const id of unknown) {
    const account = owner.get(id) ?? '';
    others.set(id, { id, account, accountId: account ? ids[account]! : '', exists: true, profileVisible: !!account });
  }
  return [...others.values()].sort((a, b) => a.id.localeCompare(b.id));
}

async function observeProfile(plan: Plan, access: AwsAccess, signal?: AbortSignal): Promise<ObservedProfile | undefined> {
  if (profileToCreate(plan)) return undefined;
  const account = plan.profile.account;
  let p;
  try {
    p = (await access.read(account, 'route53profiles', new GetProfileCommand({ ProfileId: plan.profile.id }), { signal, target: plan.profile.id })).Profile;
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
  const resources = await allPages(async (token) => {
    const out = await access.read(account, 'route53profiles', new ListProfileResourceAssociationsCommand({ ProfileId: plan.profile.id, NextToken: token, MaxResults: 100 }), { signal });
    return { items: out.ProfileResourceAssociations, next: out.NextToken };
  });
  return {
    id: p?.Id ?? plan.profile.id,
    arn: p?.Arn ?? '',
    name: p?.Name ?? '',
    ownerId: p?.OwnerId ?? '',
    shareStatus: p?.ShareStatus ?? '',
    status: p?.Status ?? '',
    resources: resources.map((r) => ({
      id: r.Id ?? '',
      name: r.Name ?? '',
      resourceArn: r.ResourceArn ?? '',
      resourceType: r.ResourceType ?? '',
      status: (r.Status ?? 'COMPLETE') as AssociationStatus,
      ...(r.StatusMessage ? { statusMessage: r.StatusMessage } : {}),
    })),
  };
}

async function observeVpcs(
  plan: Plan,
  access: AwsAccess,
  ids: Record<string, string>,
  signal: AbortSignal | undefined,
  scope: 'full' | 'progress',
): Promise<{ vpcs: ObservedVpc[]; onProfile: ObservedVpc[] }> {
  const vpcs = planVpcs(plan);
  const inPlan = new Set(vpcs.map((v) => v.id));
  const othersOnProfile: ObservedVpc[] = [];
  const byAccount = new Map<string, string[]>();
  for (const v of vpcs) byAccount.set(v.account, [...(byAccount.get(v.account) ?? []), v.id]);
  const existing = new Set<string>();
  const onProfile = new Map<string, ObservedProfileAssociation>();
  const profileVisible = new Map<string, boolean>();
  const unmade = profileToCreate(plan);
  await Promise.all(
    [...byAccount].map(async ([account, vpcIds]) => {
      // Existence: filters (unlike VpcIds) don't fail the whole call for one unknown id.
      for (const chunk of chunks(vpcIds, 200)) {
        const found = await allPages(async (token) => {
          const out = await access.read(account, 'ec2', new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: chunk }], NextToken: token, MaxResults: 1000 }), { signal });
          return { items: out.Vpcs, next: out.NextToken };
        });
        for (const v of found) if (v.VpcId) existing.add(v.VpcId);
      }
      // Which of this account's VPCs are on the plan's Profile: one paginated list per account.
      // (A Profile still to be created holds nothing.)
      const assocs = unmade
        ? []
        : await allPages(async (token) => {
            const out = await access.read(account, 'route53profiles', new ListProfileAssociationsCommand({ ProfileId: plan.profile.id, NextToken: token, MaxResults: 100 }), { signal });
            return { items: out.ProfileAssociations, next: out.NextToken };
          });
      for (const a of assocs) {
        if (!a.ResourceId) continue;
        if (vpcIds.includes(a.ResourceId)) onProfile.set(a.ResourceId, toAssociation(a));
        // Outside the plan but on its Profile: it resolves whatever the Profile holds.
        else if (!inPlan.has(a.ResourceId)) {
          othersOnProfile.push({ id: a.ResourceId, account, accountId: ids[account]!, exists: true, profileAssociation: toAssociation(a), profileVisible: true });
        }
      }
      // The rest may be on another Profile (a VPC takes one). A few are asked about one by one;
      // many (a path A start: none is on the Profile yet) cost less as one account-wide listing.
      const rest = scope === 'full' ? vpcIds.filter((id) => !onProfile.has(id)) : [];
      if (rest.length > PER_VPC_LOOKUP_LIMIT) {
        const all = await allPages(async (token) => {
          const out = await access.read(account, 'route53profiles', new ListProfileAssociationsCommand({ NextToken: token, MaxResults: 100 }), { signal });
          return { items: out.ProfileAssociations, next: out.NextToken };
        });
        for (const a of all) if (a.ResourceId && rest.includes(a.ResourceId)) onProfile.set(a.ResourceId, toAssociation(a));
      } else {
        await Promise.all(
          rest.map(async (vpcId) => {
            const out = await access.read(account, 'route53profiles', new ListProfileAssociationsCommand({ ResourceId: vpcId }), { signal, target: vpcId });
            const a = out.ProfileAssociations?.[0];
            if (a) onProfile.set(vpcId, toAssociation(a));
          }),
        );
      }
      if (unmade) {
        profileVisible.set(account, false);
      } else if (scope === 'full') {
        const visible = await access
          .read(account, 'route53profiles', new GetProfileCommand({ ProfileId: plan.profile.id }), { signal, target: plan.profile.id })
          .then(() => true, (e) => (e instanceof NotFoundError || e instanceof AccessDeniedError ? false : Promise.reject(e)));
        profileVisible.set(account, visible);
      } else {
        profileVisible.set(account, true);
      }
    }),
  );
  return {
    vpcs: vpcs.map((v) => ({
      id: v.id,
      account: v.account,
      accountId: ids[v.account]!,
      exists: existing.has(v.id),
      ...(onProfile.has(v.id) ? { profileAssociation: onProfile.get(v.id)! } : {}),
      profileVisible: profileVisible.get(v.account) ?? false,
    })),
    onProfile: othersOnProfile,
  };
}

async function observeZone(id: string, owners: string[], ids: Record<string, string>, access: AwsAccess, signal?: AbortSignal, knownOwner?: string): Promise<ObservedZone | MissingZone> {
  const get = (account: string) => access.read(account, 'route53', new GetHostedZoneCommand({ Id: id }), { signal, target: id });
  let got: { account: string; value: Awaited<ReturnType<typeof get>> } | undefined;
  if (knownOwner) {
    try {
      got = { account: knownOwner, value: await get(knownOwner) };
    } catch (e) {
      if (e instanceof NotFoundError) return { id, exists: false };
      if (!(e instanceof AccessDeniedError)) throw e;
    }
  }
  got ??= await firstReadable(owners.filter((a) => a !== knownOwner), get);
  if (!got) return { id, exists: false };
  const { account, value } = got;
  const [records, authorizations] = await Promise.all([
    listRecordSets(access, account, id, signal),
    allPages(async (token) => {
      const out = await access.read(account, 'route53', new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: id, NextToken: token }), { signal, target: id });
      return { items: out.VPCs, next: out.NextToken };
    }),
  ]);
  return {
    id,
    exists: true,
    name: (value.HostedZone?.Name ?? '').toLowerCase(),
    account,
    accountId: ids[account]!,
    privateZone: value.HostedZone?.Config?.PrivateZone ?? false,
    vpcs: (value.VPCs ?? []).map((v) => ({ vpcId: v.VPCId ?? '', region: v.VPCRegion ?? '' })),
    records: records.map(recordFromSdk),
    authorizations: authorizations.map((v) => ({ vpcId: v.VPCId ?? '', region: v.VPCRegion ?? '' })),
  };
}

async function observeEndpoints(
  plan: Plan,
  access: AwsAccess,
  owners: string[],
  ids: Record<string, string>,
  signal?: AbortSignal,
): Promise<(ObservedEndpoint | MissingEndpoint)[]> {
  const wanted = plan.endpoints.map((e) => e.id);
  const found = new Map<string, { account: string; ep: NonNullable<Awaited<ReturnType<typeof describe>>>[number] }>();
  async function describe(account: string, idsToFind: string[]) {
    return allPages(async (token) => {
      const out = await access.read(
        account,
        'ec2',
        new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-id', Values: idsToFind }], NextToken: token, MaxResults: 1000 }),
        { signal },
      );
      return { items: out.VpcEndpoints, next: out.NextToken };
    });
  }
  for (const account of owners) {
    const missing = wanted.filter((id) => !found.has(id));
    if (!missing.length) break;
    for (const ep of await describe(account, missing)) if (ep.VpcEndpointId) found.set(ep.VpcEndpointId, { account, ep });
  }
  // ENI addresses and each service's Private DNS names, batched per account.
  const eniIps = new Map<string, string>();
  const serviceNames = new Map<string, { names: string[]; supported: boolean }>();
  const perAccount = new Map<string, { enis: string[]; services: Set<string> }>();
  for (const { account, ep } of found.values()) {
    const entry = perAccount.get(account) ?? { enis: [], services: new Set<string>() };
    entry.enis.push(...(ep.NetworkInterfaceIds ?? []));
    if (ep.ServiceName) entry.services.add(ep.ServiceName);
    perAccount.set(account, entry);
  }
  await Promise.all(
    [...perAccount].map(async ([account, { enis, services }]) => {
      for (const chunk of chunks(enis, 200)) {
        const list = await allPages(async (token) => {
          const out = await access.read(
            account,
            'ec2',
            new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: chunk }], NextToken: token, MaxResults: 1000 }),
            { signal },
          );
          return { items: out.NetworkInterfaces, next: out.NextToken };
        });
        for (const n of list) if (n.NetworkInterfaceId && n.PrivateIpAddress) eniIps.set(n.NetworkInterfaceId, n.PrivateIpAddress);
      }
      const details = await allPages(async (token) => {
        const out = await access.read(account, 'ec2', new DescribeVpcEndpointServicesCommand({ ServiceNames: [...services], NextToken: token }), { signal });
        return { items: out.ServiceDetails, next: out.NextToken };
      });
      for (const d of details) {
        // S3 is listed twice (Gateway and Interface): only the Interface entry has Private DNS.
        if (!d.ServiceName || !d.ServiceType?.some((t) => t.ServiceType === 'Interface')) continue;
        const names = (d.PrivateDnsNames ?? []).map((n) => n.PrivateDnsName ?? '').filter(Boolean);
        if (!names.length && d.PrivateDnsName) names.push(d.PrivateDnsName);
        serviceNames.set(d.ServiceName, { names: names.map((n) => n.toLowerCase()), supported: names.length > 0 });
      }
    }),
  );
  return wanted.map((id): ObservedEndpoint | MissingEndpoint => {
    const hit = found.get(id);
    if (!hit) return { id, exists: false };
    const { account, ep } = hit;
    const service = serviceNames.get(ep.ServiceName ?? '');
    return {
      id,
      exists: true,
      account,
      accountId: ids[account]!,
      vpcId: ep.VpcId ?? '',
      type: ep.VpcEndpointType ?? '',
      serviceName: ep.ServiceName ?? '',
      state: (ep.State ?? '').toLowerCase(),
      privateDnsEnabled: ep.PrivateDnsEnabled ?? false,
      privateDnsNames: service?.names ?? [],
      supportsPrivateDns: service?.supported ?? false,
      dnsEntries: (ep.DnsEntries ?? []).map((d) => ({ dnsName: (d.DnsName ?? '').toLowerCase(), hostedZoneId: d.HostedZoneId ?? '' })),
      eniIps: (ep.NetworkInterfaceIds ?? []).map((n) => eniIps.get(n)).filter((ip): ip is string => Boolean(ip)),
      arn: vpcEndpointArn(plan.region, ids[account]!, id),
    };
  });
}
