// Prepare, before step 1: the Route 53 Profile exists and every account of the plan sees it. Pure
// data and pure functions of an observed PrepareWorld, like the steps: what is refused before
// anything changes, the next batch, what is still settling, and what a rollback takes back.
//
// The order is chosen so that what AWS may refuse comes first: the RAM share is made before the
// Profile (a share can be created empty of resources), so an organization without RAM sharing or a
// share closed to external accounts stops the run with nothing created. A Profile on no VPC
// changes no DNS answer: prepare's gate is the control plane's (each account sees the Profile).
import { createHash } from 'node:crypto';
import { action, type Action } from '../aws/actions.js';
import type { World } from '../aws/world.js';
import { planVpcs, profileToCreate, type Plan } from '../plan/schema.js';
import type { InFlight } from './types.js';

export interface ObservedShare {
  arn: string;
  name: string;
  /** PENDING | ACTIVE | FAILED | DELETING | DELETED */
  status: string;
  allowExternalPrincipals: boolean;
  /** The plan whose prepare created it (its r53migrate:prepared-by tag). */
  preparedBy?: string;
  /** ASSOCIATING | ASSOCIATED | FAILED | DISASSOCIATING | DISASSOCIATED */
  principals: { id: string; status: string; external: boolean }[];
  resources: { arn: string; status: string }[];
}

export interface PrepareWorld {
  /** Plan account name → AWS account id. */
  accounts: Record<string, string>;
  /** The plan's Profile in its account: by id, or (create) the one of its name this plan made. */
  profile?: { id: string; arn: string; name: string; status: string; preparedBy?: string };
  /** Profiles of the name `create` asks for that this plan did not make. */
  sameName: { id: string; preparedBy?: string }[];
  /** The RAM share of the plan's share name in the Profile's account. */
  share?: ObservedShare;
  /** Per plan account: its latest invitation to the share. */
  invitations: Record<string, { arn: string; status: string }>;
  /** Per account that must see the Profile: whether GetProfile, as that account, finds it. */
  visible: Record<string, boolean>;
  /** Per account: its organization ('' for none); read only when the sharing depends on it. */
  organizations?: Record<string, string>;
  /** The ARN of the Profile owner's organization (RAM's principal for "the whole organization"). */
  organizationArn?: string;
}

export type ResolvedShare = { name: string; with: 'accounts' | 'organization' | { ous: string[] }; allowExternalPrincipals: boolean };

/** The accounts other than the Profile's that own a VPC of the plan: each must see the Profile. */
export function profileAccounts(plan: Plan): string[] {
  return [...new Set(planVpcs(plan).map((v) => v.account))].filter((a) => a !== plan.profile.account);
}

export const shareNameOf = (plan: Plan) => plan.profile.share?.name ?? `r53migrate-${plan.name}`;

/**
 * How the Profile is shared: as the plan says, or (a Profile r53migrate creates, with VPCs in
 * other accounts) with those accounts. Undefined: prepare shares nothing.
 */
export function shareOf(plan: Plan): ResolvedShare | undefined {
  const s = plan.profile.share;
  if (s) return { name: shareNameOf(plan), with: s.with, allowExternalPrincipals: s.allowExternalPrincipals };
  if (plan.profile.create && profileAccounts(plan).length) return { name: shareNameOf(plan), with: 'accounts', allowExternalPrincipals: true };
  return undefined;
}

/** Whether the plan has anything for prepare to do (a Profile to create, or a share to keep). */
export function hasPrepare(plan: Plan): boolean {
  return !!plan.profile.create || !!shareOf(plan);
}

/** The share's principals: account ids, the organization's ARN, or OU ARNs. */
export function sharePrincipals(plan: Plan, pw: Pick<PrepareWorld, 'accounts' | 'organizationArn'>): string[] {
  const share = shareOf(plan);
  if (!share) return [];
  if (share.with === 'accounts') return profileAccounts(plan).map((a) => pw.accounts[a]!).filter((id) => id !== pw.accounts[plan.profile.account]);
  if (share.with === 'organization') return pw.organizationArn ? [pw.organizationArn] : [];
  return share.with.ous;
}


/** A client token for one call, derived from the plan and the run, so a retry after a crash is the same request. */
export function clientToken(plan: Plan, accountId: string, what: string, runId: string): string {
  return `r53migrate-${createHash('sha256').update(`${plan.name}|${plan.region}|${accountId}|${what}|${runId}`).digest('hex').slice(0, 40)}`;
}

const live = (status: string) => status === 'ASSOCIATED' || status === 'ASSOCIATING';

/**
 * What must be put right before prepare may change anything, each with what to do: a Profile of
 * that name that r53migrate did not create, accounts the chosen sharing can't reach.
 */
export function prepareProblems(pw: PrepareWorld, plan: Plan): string[] {
  const problems: string[] = [];
  const owner = plan.profile.account;
  if (plan.profile.create && !pw.profile && pw.sameName.length) {
    const other = pw.sameName[0]!;
    problems.push(
      `account ${owner} (${pw.accounts[owner]}) already has a Profile named "${plan.profile.create.name}" (${other.id}) that this plan did not create${other.preparedBy ? ` (plan ${other.preparedBy} did)` : ''}: ` +
        `use it (profile.id: ${other.id} instead of profile.create), or choose another name under profile.create.name`,
    );
  }
  if (!profileToCreate(plan) && !pw.profile) {
    problems.push(`Profile ${plan.profile.id} was not found in account ${owner} (${pw.accounts[owner]}): check profile.id and profile.account, or let r53migrate create one (profile.create: { name })`);
  }
  const share = shareOf(plan);
  const orgs = pw.organizations;
  if (share && orgs) {
    const ownerOrg = orgs[owner] ?? '';
    const outside = profileAccounts(plan).filter((a) => !ownerOrg || orgs[a] !== ownerOrg);
    const who = (a: string) => `${a} (${pw.accounts[a]}${orgs[a] ? `, in ${orgs[a]}` : ', in no organization'})`;
    if (share.with !== 'accounts') {
      if (!ownerOrg) problems.push(`profile.share.with shares with an organization, but account ${owner} (${pw.accounts[owner]}), which owns the Profile, is in no organization: share with accounts (profile.share.with: accounts)`);
      else if (outside.length) {
        problems.push(
          `profile.share.with shares with organization ${ownerOrg}${typeof share.with === 'object' ? "'s units" : ''}, which account${outside.length > 1 ? 's' : ''} ${outside.map(who).join(', ')} ${outside.length > 1 ? 'are' : 'is'} not in: ` +
            `share with accounts (profile.share.with: accounts: each accepts an invitation), or move the account into the organization`,
        );
      }
    } else {
      const closed = pw.share ? !pw.share.allowExternalPrincipals : !share.allowExternalPrincipals;
      if (closed && outside.length) {
        problems.push(
          `RAM resource share ${share.name} does not allow external principals${pw.share ? ` (the existing share ${pw.share.arn})` : ' (profile.share.allowExternalPrincipals: false)'}, and account${outside.length > 1 ? 's' : ''} ${outside.map(who).join(', ')} ${outside.length > 1 ? 'are' : 'is'} outside ${ownerOrg ? `organization ${ownerOrg}` : 'any organization'}: ` +
            `${pw.share ? 'allow external principals on that share (aws ram update-resource-share --allow-external-principals), or name another share under profile.share.name' : 'set profile.share.allowExternalPrincipals: true'}, or move the account into the organization`,
        );
      }
    }
  }
  if (pw.share && pw.share.status !== 'ACTIVE' && pw.share.status !== 'PENDING') {
    problems.push(`RAM resource share ${pw.share.name} (${pw.share.arn}) is ${pw.share.status}: name another share under profile.share.name`);
  }
  return problems;
}

export interface PrepareOptions {
  /** The run's id: client tokens are derived from it, so a retry after a kill is the same request (absent: a dry run). */
  runId?: string;
}

/** The dry run's client token: the real one is derived from the run's id, unknown before it starts. */
const RUN_TOKEN = '(derived from the run id)';

/** The next batch of prepare (empty: nothing left to send; the gate then waits for what settles). */
export function prepareActions(pw: PrepareWorld, plan: Plan, o: PrepareOptions): Action[] {
  const owner = plan.profile.account;
  const ownerId = pw.accounts[owner]!;
  const share = shareOf(plan);
  const principals = sharePrincipals(plan, pw);
  if (share && principals.length && !pw.share) {
    return [
      action(0, {
        kind: 'create-share',
        account: owner,
        shareName: share.name,
        principals,
        resourceArns: pw.profile ? [pw.profile.arn] : [],
        allowExternalPrincipals: share.allowExternalPrincipals,
        clientToken: o.runId ? clientToken(plan, ownerId, `share:${share.name}`, o.runId) : RUN_TOKEN,
        planName: plan.name,
      }),
    ];
  }
  if (!pw.profile && plan.profile.create) {
    return [action(0, { kind: 'create-profile', account: owner, profileName: plan.profile.create.name, clientToken: o.runId ? clientToken(plan, ownerId, `profile:${plan.profile.create.name}`, o.runId) : RUN_TOKEN, planName: plan.name })];
  }
  if (!pw.profile || !share || !pw.share) return [];
  const missingPrincipals = principals.filter((p) => !pw.share!.principals.some((x) => x.id === p && live(x.status)));
  const missingResources = pw.share.resources.some((r) => r.arn === pw.profile!.arn && live(r.status)) ? [] : [pw.profile.arn];
  if (missingPrincipals.length || missingResources.length) {
    return [action(0, { kind: 'share-associate', account: owner, shareArn: pw.share.arn, shareName: pw.share.name, principals: missingPrincipals, resourceArns: missingResources })];
  }
  return profileAccounts(plan)
    .filter((a) => pw.invitations[a]?.status === 'PENDING' && !pw.visible[a])
    .map((a) => action(0, { kind: 'accept-invitation', account: a, invitationArn: pw.invitations[a]!.arn, shareArn: pw.share!.arn, shareName: pw.share!.name }));
}

/** What prepare still waits for once every call is sent: the Profile, the share, each account seeing the Profile. */
export function prepareInFlight(pw: PrepareWorld, plan: Plan): InFlight[] {
  const out: InFlight[] = [];
  if (!pw.profile) return [{ what: `Profile ${plan.profile.create?.name ?? plan.profile.id}`, status: 'not created yet' }];
  if (pw.profile.status !== 'COMPLETE') out.push({ what: `Profile ${pw.profile.id}`, status: pw.profile.status });
  if (pw.share && pw.share.status !== 'ACTIVE') out.push({ what: `RAM resource share ${pw.share.name}`, status: pw.share.status });
  for (const a of profileAccounts(plan)) {
    if (!pw.visible[a]) out.push({ what: `account ${a} (${pw.accounts[a]}) seeing Profile ${pw.profile.id}`, ...notSeeing(pw, plan, a) });
  }
  return out;
}

/** Why an account does not see the Profile yet, with what the operator can do where it is stuck. */
function notSeeing(pw: PrepareWorld, plan: Plan, account: string): Pick<InFlight, 'status' | 'advice'> {
  const inv = pw.invitations[account];
  const share = shareOf(plan);
  const again = `remove the account from RAM resource share ${share?.name ?? ''} if it is still there, then resume: prepare invites it again and accepts as the account`;
  if (inv?.status === 'REJECTED') return { status: 'invitation REJECTED', advice: `the account turned it down: ${again}` };
  if (inv?.status === 'EXPIRED') return { status: 'invitation EXPIRED', advice: again };
  if (inv) return { status: `invitation ${inv.status}` };
  if (!share) return { status: 'not shared with it' };
  if (share.with === 'organization') return { status: 'not yet', advice: 'shared with the organization: an account inside it sees the Profile without an invitation; check that this one is in it' };
  if (share.with !== 'accounts') return { status: 'not yet', advice: `shared with ${share.with.ous.join(', ')}: only accounts in these OUs or in OUs below them see it; check where this account sits` };
  return { status: 'no invitation yet' };
}

/**
 * What a rollback takes back of what prepare made: the share it created (deleted) or what it added
 * to a share of the operator's (removed), then the Profile it created (deleted, once it holds no
 * VPC and no resource). `added`: what this run's share-associate calls added (from its journal).
 */
export function prepareUndo(pw: PrepareWorld, plan: Plan, added: { principals: string[]; resourceArns: string[] }): Action[][] {
  const owner = plan.profile.account;
  const batches: Action[][] = [];
  if (pw.share && pw.share.preparedBy === plan.name) {
    batches.push([action(0, { kind: 'delete-share', account: owner, shareArn: pw.share.arn, shareName: pw.share.name })]);
  } else if (pw.share) {
    const principals = added.principals.filter((p) => pw.share!.principals.some((x) => x.id === p && live(x.status)));
    const resourceArns = added.resourceArns.filter((r) => pw.share!.resources.some((x) => x.arn === r && live(x.status)));
    if (principals.length || resourceArns.length) batches.push([action(0, { kind: 'share-disassociate', account: owner, shareArn: pw.share.arn, shareName: pw.share.name, principals, resourceArns })]);
  }
  if (pw.profile && plan.profile.create && pw.profile.preparedBy === plan.name) {
    batches.push([action(0, { kind: 'delete-profile', account: owner, profileId: pw.profile.id, profileName: pw.profile.name })]);
  }
  return batches;
}

/** What this run's share-associate calls asked RAM to add (their journaled intents): a rollback takes back only that. */
export function addedToShare(journal: readonly { step: number; kind: string; phase: string; params: unknown }[]): { principals: string[]; resourceArns: string[] } {
  const principals = new Set<string>();
  const resourceArns = new Set<string>();
  for (const j of journal) {
    if (j.step !== 0 || j.kind !== 'share-associate' || j.phase !== 'intent') continue;
    const p = j.params as { principals?: string[]; resourceArns?: string[] };
    for (const x of p.principals ?? []) principals.add(x);
    for (const x of p.resourceArns ?? []) resourceArns.add(x);
  }
  return { principals: [...principals], resourceArns: [...resourceArns] };
}

/** Whether a run's journal shows prepare sent anything (a rollback then has something of it to take back). */
export function preparedSomething(journal: readonly { step: number; phase: string }[]): boolean {
  return journal.some((j) => j.step === 0 && j.phase === 'intent');
}

/**
 * The dry run of prepare: its batches in order, as if each succeeded, from what is there now.
 * Accounts that will be invited accept (one inside the owner's organization with RAM sharing on
 * gets no invitation: its accept is then skipped at run time).
 */
export function planPrepare(pw: PrepareWorld, plan: Plan, o: PrepareOptions): Action[][] {
  const batches: Action[][] = [];
  let w: PrepareWorld = structuredClone(pw);
  for (let i = 0; i < 6; i++) {
    const batch = prepareActions(w, plan, o);
    if (!batch.length) break;
    batches.push(batch);
    w = simulatePrepare(w, plan, batch);
  }
  return batches;
}

/** The PrepareWorld once the actions succeed (for the dry run). Pure. */
export function simulatePrepare(pw: PrepareWorld, plan: Plan, actions: Action[]): PrepareWorld {
  const w = structuredClone(pw);
  for (const a of actions) {
    switch (a.kind) {
      case 'create-share':
        w.share = {
          arn: `(new share ${a.shareName})`,
          name: a.shareName,
          status: 'ACTIVE',
          allowExternalPrincipals: a.allowExternalPrincipals,
          preparedBy: a.planName,
          principals: a.principals.map((id) => ({ id, status: 'ASSOCIATING', external: false })),
          resources: a.resourceArns.map((arn) => ({ arn, status: 'ASSOCIATED' })),
        };
        for (const acc of profileAccounts(plan)) if (a.principals.includes(w.accounts[acc]!)) w.invitations[acc] = { arn: `(invitation of ${acc})`, status: 'PENDING' };
        break;
      case 'create-profile':
        w.profile = { id: plan.profile.id, arn: `(ARN of ${plan.profile.id})`, name: a.profileName, status: 'COMPLETE', preparedBy: a.planName };
        break;
      case 'share-associate':
        if (w.share) {
          w.share.principals.push(...a.principals.map((id) => ({ id, status: 'ASSOCIATING', external: false })));
          w.share.resources.push(...a.resourceArns.map((arn) => ({ arn, status: 'ASSOCIATED' })));
          for (const acc of profileAccounts(plan)) if (a.principals.includes(w.accounts[acc]!)) w.invitations[acc] = { arn: `(invitation of ${acc})`, status: 'PENDING' };
        }
        break;
      case 'accept-invitation':
        w.invitations[a.account] = { arn: a.invitationArn, status: 'ACCEPTED' };
        w.visible[a.account] = true;
        break;
      default:
        break;
    }
  }
  return w;
}

/**
 * The estate's World as the steps will see it once prepare is done: the plan's Profile there (no
 * VPC or resource on it yet, when prepare creates it) and visible to every account of the plan.
 */
export function withPreparedProfile(world: World, plan: Plan): World {
  if (world.profile && Object.values(world.vpcs).every((v) => v.profileVisible)) return world;
  const w = structuredClone(world) as { -readonly [K in keyof World]: World[K] };
  w.profile = world.profile ?? { id: plan.profile.id, arn: `(ARN of ${plan.profile.id})`, name: plan.profile.create?.name ?? '', ownerId: world.accounts[plan.profile.account] ?? '', shareStatus: 'NOT_SHARED', status: 'COMPLETE', resources: [] };
  w.vpcs = Object.fromEntries(Object.entries(world.vpcs).map(([id, v]) => [id, { ...v, profileVisible: true }]));
  return w as World;
}
