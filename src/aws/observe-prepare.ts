// What prepare depends on, as AWS reports it now: the plan's Profile (by id, or found by its name
// in its account), the RAM resource share that carries it to the other accounts, each account's
// invitation to that share, whether each account sees the Profile, and (only when the sharing
// depends on it) which organization each account is in. Read-only.
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetResourceShareAssociationsCommand, GetResourceShareInvitationsCommand, GetResourceSharesCommand } from '@aws-sdk/client-ram';
import type { Plan } from '../plan/schema.js';
import type { AwsAccess } from './access.js';
import { PREPARED_BY_TAG } from './actions.js';
import { AccessDeniedError, NotFoundError } from './errors.js';
import { allPages } from './observe.js';
import { GetProfileCommand, ListProfilesCommand, ListTagsForResourceCommand } from './route53profiles/index.js';
import { profileAccounts, shareNameOf, shareOf, type ObservedShare, type PrepareWorld } from '../steps/prepare.js';

const LIVE_SHARE = (status: string | undefined) => status !== 'DELETED' && status !== 'DELETING' && status !== 'FAILED';

/** The Profile with this id as `account` sees it; undefined when it can't (not found, not shared with it). */
export async function readProfile(access: AwsAccess, account: string, profileId: string, signal?: AbortSignal) {
  try {
    return (await access.read(account, 'route53profiles', new GetProfileCommand({ ProfileId: profileId }), { signal, target: profileId })).Profile;
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof AccessDeniedError) return undefined;
    throw e;
  }
}

/** The Profiles of `account` with this name (owned by it: ListProfiles also lists those shared with it). */
export async function profilesNamed(access: AwsAccess, account: string, name: string, signal?: AbortSignal) {
  const ownerId = await access.accountId(account, signal);
  const all = await allPages(async (token) => {
    const out = await access.read(account, 'route53profiles', new ListProfilesCommand({ NextToken: token, MaxResults: 100 }), { signal });
    return { items: out.ProfileSummaries, next: out.NextToken };
  });
  const named = all.filter((p) => p.Name === name && p.Id);
  const out = await Promise.all(
    named.map(async (s) => {
      const p = await readProfile(access, account, s.Id!, signal);
      if (!p || p.OwnerId !== ownerId || p.Status === 'DELETING' || p.Status === 'DELETED') return undefined;
      const tags = (await access.read(account, 'route53profiles', new ListTagsForResourceCommand({ ResourceArn: p.Arn! }), { signal, target: p.Arn })).Tags ?? {};
      return { id: p.Id!, arn: p.Arn ?? '', name: p.Name ?? '', status: p.Status ?? '', ...(tags[PREPARED_BY_TAG] ? { preparedBy: tags[PREPARED_BY_TAG] } : {}) };
    }),
  );
  return out.filter((p): p is NonNullable<typeof p> => !!p);
}

/** The live share of `account` with this name (the newest, if a colleague made two). */
export async function shareNamed(access: AwsAccess, account: string, name: string, signal?: AbortSignal): Promise<ObservedShare | undefined> {
  const shares = await allPages(async (token) => {
    const out = await access.read(account, 'ram', new GetResourceSharesCommand({ resourceOwner: 'SELF', name, nextToken: token, maxResults: 100 }), { signal, target: name });
    return { items: out.resourceShares, next: out.nextToken };
  });
  const live = shares.filter((s) => s.name === name && LIVE_SHARE(s.status)).sort((a, b) => (b.creationTime?.getTime() ?? 0) - (a.creationTime?.getTime() ?? 0));
  const s = live[0];
  if (!s?.resourceShareArn) return undefined;
  return readShare(access, account, s.resourceShareArn, signal, { name: s.name ?? name, status: s.status ?? '', allowExternalPrincipals: s.allowExternalPrincipals ?? true, tags: s.tags ?? [] });
}

async function readShare(
  access: AwsAccess,
  account: string,
  arn: string,
  signal: AbortSignal | undefined,
  s: { name: string; status: string; allowExternalPrincipals: boolean; tags: { key?: string; value?: string }[] },
): Promise<ObservedShare> {
  const associations = (type: 'PRINCIPAL' | 'RESOURCE') =>
    allPages(async (token) => {
      const out = await access.read(account, 'ram', new GetResourceShareAssociationsCommand({ associationType: type, resourceShareArns: [arn], nextToken: token, maxResults: 100 }), { signal, target: arn });
      return { items: out.resourceShareAssociations, next: out.nextToken };
    });
  const [principals, resources] = await Promise.all([associations('PRINCIPAL'), associations('RESOURCE')]);
  const preparedBy = s.tags.find((t) => t.key === PREPARED_BY_TAG)?.value;
  return {
    arn,
    name: s.name,
    status: s.status,
    allowExternalPrincipals: s.allowExternalPrincipals,
    ...(preparedBy ? { preparedBy } : {}),
    principals: principals.map((a) => ({ id: a.associatedEntity ?? '', status: a.status ?? '', external: !!a.external })),
    resources: resources.map((a) => ({ arn: a.associatedEntity ?? '', status: a.status ?? '' })),
  };
}

/** `account`'s invitation to the share (the latest), as that account sees it. */
async function invitationOf(access: AwsAccess, account: string, shareArn: string, signal?: AbortSignal) {
  const all = await allPages(async (token) => {
    const out = await access.read(account, 'ram', new GetResourceShareInvitationsCommand({ resourceShareArns: [shareArn], nextToken: token, maxResults: 100 }), { signal, target: shareArn });
    return { items: out.resourceShareInvitations, next: out.nextToken };
  });
  const latest = all.sort((a, b) => (b.invitationTimestamp?.getTime() ?? 0) - (a.invitationTimestamp?.getTime() ?? 0))[0];
  return latest?.resourceShareInvitationArn ? { arn: latest.resourceShareInvitationArn, status: latest.status ?? '' } : undefined;
}

/** The organization `account` is in ('' for none): DescribeOrganization works from any member account. */
export async function organizationOf(access: AwsAccess, account: string, signal?: AbortSignal): Promise<{ id: string; arn: string }> {
  try {
    const o = (await access.read(account, 'organizations', new DescribeOrganizationCommand({}), { signal })).Organization;
    return { id: o?.Id ?? '', arn: o?.Arn ?? '' };
  } catch (e) {
    if ((e as { awsCode?: string }).awsCode === 'AWSOrganizationsNotInUseException') return { id: '', arn: '' };
    throw e;
  }
}

export async function observePrepare(plan: Plan, access: AwsAccess, signal?: AbortSignal): Promise<PrepareWorld> {
  const owner = plan.profile.account;
  const others = profileAccounts(plan);
  const names = [...new Set([owner, ...others, ...Object.keys(plan.accounts)])];
  const accounts = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await access.accountId(n, signal)] as const)));
  const share = shareOf(plan);

  // The Profile: by its id, or (to be created) the Profiles of its name in its account.
  let profile: PrepareWorld['profile'];
  const sameName: PrepareWorld['sameName'] = [];
  // A Profile the plan creates is known by its name and tag (its id, once known, is not the plan's).
  if (!plan.profile.create) {
    const p = await readProfile(access, owner, plan.profile.id, signal);
    if (p?.Id) profile = { id: p.Id, arn: p.Arn ?? '', name: p.Name ?? '', status: p.Status ?? '' };
  } else {
    for (const p of await profilesNamed(access, owner, plan.profile.create!.name, signal)) {
      if (p.preparedBy === plan.name && !profile) profile = p;
      else sameName.push(p);
    }
  }
  const observedShare = share ? await shareNamed(access, owner, shareNameOf(plan), signal) : undefined;
  const [invitations, visible, organizations] = await Promise.all([
    Promise.all(others.map(async (a) => [a, observedShare ? await invitationOf(access, a, observedShare.arn, signal) : undefined] as const)),
    Promise.all(others.map(async (a) => [a, !!profile && !!(await readProfile(access, a, profile.id, signal))] as const)),
    // Only sharing with an organization, or a share closed to external accounts, depends on it.
    share && (share.with !== 'accounts' || !share.allowExternalPrincipals || observedShare?.allowExternalPrincipals === false)
      ? Promise.all([owner, ...others].map(async (a) => [a, await organizationOf(access, a, signal)] as const))
      : Promise.resolve(undefined),
  ]);
  return {
    accounts,
    ...(profile ? { profile } : {}),
    sameName,
    ...(observedShare ? { share: observedShare } : {}),
    invitations: Object.fromEntries(invitations.filter(([, i]) => i)) as PrepareWorld['invitations'],
    visible: Object.fromEntries(visible),
    ...(organizations ? { organizations: Object.fromEntries(organizations.map(([a, o]) => [a, o.id])) } : {}),
    ...(organizations?.[0]?.[1].arn ? { organizationArn: organizations[0][1].arn } : {}),
  };
}

/**
 * A plan whose Profile prepare creates names it by the id it got, once it exists (found by its
 * name and tag in its account); until then the plan keeps the placeholder. Returns the id found.
 */
export async function resolvePreparedProfile(plan: Plan, access: AwsAccess, signal?: AbortSignal): Promise<string | undefined> {
  if (!plan.profile.create) return undefined;
  const ours = (await profilesNamed(access, plan.profile.account, plan.profile.create.name, signal)).find((p) => p.preparedBy === plan.name);
  if (ours) plan.profile.id = ours.id;
  return ours?.id;
}
