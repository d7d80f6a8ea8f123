// AWS RAM (Resource Access Manager), the subset sharing a Route 53 Profile needs: one pure function
// per API operation, (ctx, input) → the API's output shape (member names as in the botocore model
// ram-2018-01-04, timestamps as epoch seconds), throwing AwsApiError for every refusal. The wire
// front end (wire/ram.ts) parses and renders. docs/aws-facts.md "RAM: sharing a Route 53 Profile"
// lists the facts with their sources; the short tags used below:
//   [API]   RAM API reference (the operation's page) / the botocore model's documentation
//   [UG]    RAM User Guide (getting-started-sharing, working-with-shared-invitations)
//   [peer]  a public issue thread or peer emulator, named
//   [unconfirmed] our reading; no source settled it.
import { AwsApiError } from '../errors.js';
import type { CallContext } from '../protocol.js';
import type { Profile, ResourceShare, ShareAssociation, ShareInvitation, World } from '../world.js';
import { derive } from '../world.js';

// ---------------------------------------------------------------------------------------------
// Constants

/** The only resource type the twin shares [UG shareable resources: route53profiles:Profile]. */
export const PROFILE_RESOURCE_TYPE = 'route53profiles:Profile';
/** MaxResults 1..500 [API: model shape MaxResults]. */
export const RAM_MAX_RESULTS = 500;

const ACCOUNT = /^\d{12}$/;
const ORG_ARN = /^arn:aws:organizations::(\d{12}):organization\/(o-[a-z0-9]{10,32})$/;
const OU_ARN = /^arn:aws:organizations::(\d{12}):ou\/(o-[a-z0-9]{10,32})\/(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$/;
const IAM_PRINCIPAL = /^arn:aws:iam::\d{12}:(role|user)\/.+$/;
/** arn:partition:service:region:account:resource [API: MalformedArnException "the format of an ARN is not valid"]. */
const ANY_ARN = /^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/;
const PROFILE_ARN = /^arn:aws:route53profiles:([a-z0-9-]+):(\d{12}):profile\/(rp-[0-9a-f]+)$/;
const SHARE_ARN = /^arn:aws:ram:[a-z0-9-]+:\d{12}:resource-share\/[0-9a-f-]+$/;
const INVITATION_ARN = /^arn:aws:ram:[a-z0-9-]+:\d{12}:resource-share-invitation\/[0-9a-f-]+$/;

// ---------------------------------------------------------------------------------------------
// Inputs (member names as in the model; shape-checked by the wire)

export interface TagInput {
  key: string;
  value?: string;
}
export interface CreateResourceShareInput {
  name: string;
  resourceArns?: string[];
  principals?: string[];
  tags?: TagInput[];
  allowExternalPrincipals?: boolean;
  clientToken?: string;
}
export interface PageInput {
  nextToken?: string;
  maxResults?: number;
}
export interface GetResourceSharesInput extends PageInput {
  resourceOwner: string;
  resourceShareArns?: string[];
  resourceShareStatus?: string;
  name?: string;
}
export interface ShareMembersInput {
  resourceShareArn: string;
  resourceArns?: string[];
  principals?: string[];
  clientToken?: string;
}
export interface DeleteResourceShareInput {
  resourceShareArn: string;
  clientToken?: string;
}
export interface GetResourceShareAssociationsInput extends PageInput {
  associationType: string;
  resourceShareArns?: string[];
  resourceArn?: string;
  principal?: string;
  associationStatus?: string;
}
export interface GetResourceShareInvitationsInput extends PageInput {
  resourceShareInvitationArns?: string[];
  resourceShareArns?: string[];
}
export interface InvitationInput {
  resourceShareInvitationArn: string;
  clientToken?: string;
}
export interface ListResourcesInput extends PageInput {
  resourceOwner: string;
  principal?: string;
  resourceType?: string;
  resourceArns?: string[];
  resourceShareArns?: string[];
}

// ---------------------------------------------------------------------------------------------
// Errors: every modelled RAM client error is HTTP 400 [API: model httpStatusCode of each shape].

const err = (code: string, message: string) => new AwsApiError(code, message, 400);
const invalidParameter = (m: string) => err('InvalidParameterException', m);
const unknownResource = (m: string) => err('UnknownResourceException', m);
const malformedArn = (m: string) => err('MalformedArnException', m);
const notPermitted = (m: string) => err('OperationNotPermittedException', m);

// ---------------------------------------------------------------------------------------------
// The organization model and who a principal covers

function orgOf(world: World, accountId: string) {
  const org = world.organization;
  return org && org.accountIds.includes(accountId) ? org : undefined;
}

/** Principal and owner in one organization (a principal outside it is "external" [API: ResourceShareAssociation.external]). */
function inOwnersOrg(world: World, ownerId: string, accountId: string): boolean {
  const org = orgOf(world, ownerId);
  return !!org && org.accountIds.includes(accountId);
}

/** Whether a principal (account id, organization ARN or OU ARN) includes the account. */
export function principalCovers(world: World, principal: string, accountId: string): boolean {
  if (principal === accountId) return true;
  const org = world.organization;
  if (!org) return false;
  const o = ORG_ARN.exec(principal);
  if (o) return o[2] === org.id && org.accountIds.includes(accountId);
  const u = OU_ARN.exec(principal);
  if (u) return u[2] === org.id && (org.ous ?? []).some((ou) => ou.id === u[3] && ou.accountIds.includes(accountId));
  return false;
}

function shares(world: World): ResourceShare[] {
  world.resourceShares ??= [];
  return world.resourceShares;
}
function invitations(world: World): ShareInvitation[] {
  world.shareInvitations ??= [];
  return world.shareInvitations;
}

/** ACTIVE shares not owned by the account that grant it access: a principal association covering it is ASSOCIATED. */
function sharesGrantedTo(world: World, accountId: string): ResourceShare[] {
  return (world.resourceShares ?? []).filter(
    (s) => s.status === 'ACTIVE' && s.ownerId !== accountId && s.principals.some((p) => p.status === 'ASSOCIATED' && principalCovers(world, p.entity, accountId)),
  );
}

/**
 * Whether a Profile is shared with an account. The rule (the Profiles ops apply it to GetProfile,
 * ListProfiles, AssociateProfile and the rest):
 *   - the owner always sees its Profile;
 *   - `profile.sharedWith` lists accounts of a standing share a scenario declares (made before the
 *     twin started, so no RAM records exist for it): they keep seeing it, as before RAM was modelled;
 *   - otherwise the account needs an ACTIVE RAM share of the owner that holds the Profile
 *     (resource association ASSOCIATED) with a principal association covering the account that is
 *     ASSOCIATED — an invitation still PENDING grants nothing: "after the owner accepts the
 *     invitation, they can access the resources in the resource share" [API: service overview;
 *     UG working-with-shared-invitations].
 */
export function profileSharedWith(world: World, profile: Profile, accountId: string): boolean {
  if (profile.ownerId === accountId) return true;
  if (profile.sharedWith.includes(accountId)) return true;
  return sharesGrantedTo(world, accountId).some((s) => s.ownerId === profile.ownerId && s.resources.some((r) => r.entity === profile.arn && r.status === 'ASSOCIATED'));
}

/** Whether the owner shares the Profile with anyone (ShareStatus SHARED_BY_ME). */
export function profileIsShared(world: World, profile: Profile): boolean {
  if (profile.sharedWith.length > 0) return true;
  return (world.resourceShares ?? []).some(
    (s) =>
      s.status === 'ACTIVE' &&
      s.ownerId === profile.ownerId &&
      s.resources.some((r) => r.entity === profile.arn && r.status === 'ASSOCIATED') &&
      s.principals.some((p) => p.status === 'ASSOCIATED'),
  );
}

// ---------------------------------------------------------------------------------------------
// Ids and ARNs: RAM ids are UUIDs [API: ARN examples resource-share/1234abcd-...].

function uuid(world: World, kind: string): string {
  world.idCounter += 1;
  const h = derive(`${world.seed}:ram:${kind}:${world.idCounter}`, 32, '0123456789abcdef');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------
// Rendering

const seconds = (ms: number): number => ms / 1000;

function renderShare(s: ResourceShare) {
  return {
    resourceShareArn: s.arn,
    name: s.name,
    owningAccountId: s.ownerId,
    allowExternalPrincipals: s.allowExternalPrincipals,
    status: s.status,
    tags: s.tags.map((t) => ({ key: t.key, value: t.value })),
    creationTime: seconds(s.creationTime),
    lastUpdatedTime: seconds(s.lastUpdatedTime),
    featureSet: 'STANDARD',
  };
}

function renderAssociation(s: ResourceShare, a: ShareAssociation, type: 'PRINCIPAL' | 'RESOURCE', statusOverride?: string) {
  return {
    resourceShareArn: s.arn,
    resourceShareName: s.name,
    associatedEntity: a.entity,
    associationType: type,
    status: statusOverride ?? a.status,
    statusMessage: a.statusMessage,
    creationTime: seconds(a.creationTime),
    lastUpdatedTime: seconds(a.lastUpdatedTime),
    external: type === 'PRINCIPAL' ? a.external : false,
  };
}

function renderInvitation(world: World, inv: ShareInvitation) {
  const share = (world.resourceShares ?? []).find((s) => s.arn === inv.resourceShareArn);
  return {
    resourceShareInvitationArn: inv.arn,
    resourceShareName: share?.name,
    resourceShareArn: inv.resourceShareArn,
    senderAccountId: inv.senderAccountId,
    receiverAccountId: inv.receiverAccountId,
    invitationTimestamp: seconds(inv.createdAt),
    status: inv.status,
  };
}

// ---------------------------------------------------------------------------------------------
// Pagination (same opaque-token scheme as the Profiles ops)

function paginate<T>(items: T[], page: PageInput, scope: string): { page: T[]; nextToken?: string } {
  const max = page.maxResults ?? RAM_MAX_RESULTS;
  if (max < 1 || max > RAM_MAX_RESULTS) throw err('InvalidMaxResultsException', `The value ${max} for maxResults is not valid. Specify a value between 1 and ${RAM_MAX_RESULTS}.`);
  let offset = 0;
  if (page.nextToken !== undefined) {
    let decoded: { s?: unknown; o?: unknown } | undefined;
    try {
      decoded = JSON.parse(Buffer.from(page.nextToken, 'base64url').toString('utf8'));
    } catch {
      decoded = undefined;
    }
    if (!decoded || decoded.s !== scope || !Number.isInteger(decoded.o) || (decoded.o as number) < 0 || (decoded.o as number) > items.length) {
      throw err('InvalidNextTokenException', 'The specified value for NextToken is not valid.');
    }
    offset = decoded.o as number;
  }
  const slice = items.slice(offset, offset + max);
  const next = offset + slice.length;
  return { page: slice, nextToken: next < items.length ? Buffer.from(JSON.stringify({ s: scope, o: next })).toString('base64url') : undefined };
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the mutating operations

function checkResourceOwner(v: string): 'SELF' | 'OTHER-ACCOUNTS' {
  // Message as moto (a peer emulator) words it [peer: moto ram/models.py get_resource_shares].
  if (v !== 'SELF' && v !== 'OTHER-ACCOUNTS') throw invalidParameter(`${v} is not a valid resource owner. Specify either SELF or OTHER-ACCOUNTS and try again.`);
  return v;
}

/**
 * A principal as CreateResourceShare/AssociateResourceShare accept it [API: principals — an
 * account id, an organization ARN, an OU ARN, an IAM role or user ARN, a service principal].
 * Returns whether it is external to the owner's organization.
 */
function checkPrincipal(ctx: CallContext, share: { ownerId: string; allowExternalPrincipals: boolean }, principal: string): { external: boolean; orgWide: boolean } {
  const { world } = ctx;
  const o = ORG_ARN.exec(principal);
  const u = OU_ARN.exec(principal);
  if (o || u) {
    // An organization/OU is usable only by a member of it once sharing with AWS Organizations is
    // enabled; otherwise AWS answers "Organization o-... could not be found."
    // [peer: terraform-provider-aws#7769, #28848; Pulumi ram.PrincipalAssociation docs: "When RAM
    // Sharing with AWS Organizations is not enabled: Organization and OU principals cannot be used"].
    const org = orgOf(world, share.ownerId);
    const orgId = (o ?? u)![2]!;
    if (!org || !org.ramSharingEnabled || org.id !== orgId) throw unknownResource(`Organization ${orgId} could not be found.`);
    if (u && !(org.ous ?? []).some((ou) => ou.id === u[3])) throw unknownResource(`OrganizationalUnit ${u[3]} could not be found.`);
    return { external: false, orgWide: true };
  }
  if (IAM_PRINCIPAL.test(principal)) {
    // Only some resource types can be shared with IAM roles and users; the twin treats Profiles as
    // not among them [unconfirmed].
    throw invalidParameter(`The principal ${principal} is not supported for the resource types in this resource share. Specify an AWS account, organization or organizational unit.`);
  }
  if (!ACCOUNT.test(principal)) {
    // [peer: terraform-provider-aws#7769 "Principal ID o-XXXXXXXX is malformed. Verify the ID and try again."]
    throw invalidParameter(`Principal ID ${principal} is malformed. Verify the ID and try again.`);
  }
  if (principal === share.ownerId) throw invalidParameter(`The resource share owner ${principal} can't be a principal of its own resource share.`); // [unconfirmed]
  const external = !inOwnersOrg(world, share.ownerId, principal);
  if (external && !share.allowExternalPrincipals) {
    // allowExternalPrincipals=false: "the resource share can be shared with only accounts in the
    // same organization" [API: ResourceShare.allowExternalPrincipals]; the code is
    // OperationNotPermittedException [peer: terraform-provider-aws#7769 scenario 3; message unconfirmed].
    throw notPermitted(`The resource share does not allow external principals, and ${principal} is not in your organization.`);
  }
  return { external, orgWide: false };
}

/** A resource ARN the caller may share: its own Route 53 Profile in this region. */
function checkResource(ctx: CallContext, arn: string): Profile {
  const any = ANY_ARN.exec(arn);
  // [peer: moto ram/models.py add_resources, same wording]
  if (!any) throw malformedArn(`The specified resource ARN ${arn} is not valid. Verify the ARN and try again.`);
  const m = PROFILE_ARN.exec(arn);
  const profile = m && m[1] === ctx.world.region ? ctx.world.profiles.find((p) => p.arn === arn) : undefined;
  // A well-formed ARN of something the caller doesn't own (or the twin doesn't model) is unknown
  // [API: UnknownResourceException "the specified value ... was not found"; message unconfirmed].
  if (!profile || profile.ownerId !== ctx.accountId) throw unknownResource(`The resource ${arn} could not be found. Verify the ARN and try again.`);
  return profile;
}

function ownShare(ctx: CallContext, arn: string, forChange: boolean): ResourceShare {
  if (!SHARE_ARN.test(arn)) throw malformedArn(`The specified resource share ARN ${arn} is not valid. Verify the ARN and try again.`);
  const share = (ctx.world.resourceShares ?? []).find((s) => s.arn === arn);
  if (!share || share.ownerId !== ctx.accountId) throw unknownResource(`ResourceShare ${arn} could not be found.`); // [peer: moto wording]
  if (forChange && share.status !== 'ACTIVE') {
    // [unconfirmed: the model lists InvalidStateTransitionException for these operations]
    throw err('InvalidStateTransitionException', `The resource share ${arn} is ${share.status} and can't be changed.`);
  }
  return share;
}

function addPrincipal(ctx: CallContext, share: ResourceShare, principal: string): ShareAssociation {
  const { world } = ctx;
  const { external, orgWide } = checkPrincipal(ctx, share, principal);
  let a = share.principals.find((p) => p.entity === principal);
  if (a && (a.status === 'ASSOCIATED' || a.status === 'ASSOCIATING')) return a; // already there: no-op
  // Inside the owner's organization with sharing enabled: no invitation, ASSOCIATED at once.
  // Outside it, or with sharing not enabled: an invitation the receiver must accept; the
  // principal association stays ASSOCIATING until then [Pulumi ram.PrincipalAssociation docs,
  // UG getting-started-sharing "If you enable sharing within your organization ... without using invitations"].
  const org = orgOf(world, share.ownerId);
  const noInvitation = orgWide || (!external && !!org?.ramSharingEnabled);
  const fields = { status: (noInvitation ? 'ASSOCIATED' : 'ASSOCIATING') as ShareAssociation['status'], lastUpdatedTime: ctx.now, external, statusMessage: undefined };
  if (a) Object.assign(a, fields);
  else {
    a = { entity: principal, creationTime: ctx.now, ...fields };
    share.principals.push(a);
  }
  if (!noInvitation) {
    invitations(world).push({
      arn: `arn:aws:ram:${world.region}:${share.ownerId}:resource-share-invitation/${uuid(world, 'invitation')}`,
      resourceShareArn: share.arn,
      senderAccountId: share.ownerId,
      receiverAccountId: principal,
      status: 'PENDING',
      createdAt: ctx.now,
    });
  }
  return a;
}

function addResource(ctx: CallContext, share: ResourceShare, arn: string): ShareAssociation {
  checkResource(ctx, arn);
  let a = share.resources.find((r) => r.entity === arn);
  if (a && a.status === 'ASSOCIATED') return a;
  // Resource associations go straight to ASSOCIATED in the twin (AWS shows ASSOCIATING for a
  // moment [API: CLI examples]; a client must poll either way).
  if (a) Object.assign(a, { status: 'ASSOCIATED', lastUpdatedTime: ctx.now });
  else {
    a = { entity: arn, status: 'ASSOCIATED', creationTime: ctx.now, lastUpdatedTime: ctx.now, external: false };
    share.resources.push(a);
  }
  return a;
}

function digest(input: CreateResourceShareInput): string {
  return JSON.stringify({
    n: input.name,
    r: [...(input.resourceArns ?? [])].sort(),
    p: [...(input.principals ?? [])].sort(),
    x: input.allowExternalPrincipals ?? true,
    t: (input.tags ?? []).map((t) => `${t.key}=${t.value ?? ''}`).sort(),
  });
}

// ---------------------------------------------------------------------------------------------
// Operations

export function createResourceShare(ctx: CallContext, input: CreateResourceShareInput) {
  const { world } = ctx;
  if (input.clientToken !== undefined) {
    // clientToken: a retry with the same token and parameters returns the same share; other
    // parameters → IdempotentParameterMismatchException [API: CreateResourceShare clientToken, errors].
    const again = shares(world).find((s) => s.ownerId === ctx.accountId && s.clientToken === input.clientToken);
    if (again) {
      if (again.requestDigest !== digest(input)) {
        throw err('IdempotentParameterMismatchException', `The client token ${input.clientToken} was already used with different parameters.`);
      }
      return { resourceShare: renderShare(again), clientToken: input.clientToken };
    }
  }
  const share: ResourceShare = {
    arn: `arn:aws:ram:${world.region}:${ctx.accountId}:resource-share/${uuid(world, 'share')}`,
    name: input.name,
    ownerId: ctx.accountId,
    // "The default value is true" [API: CreateResourceShare allowExternalPrincipals].
    allowExternalPrincipals: input.allowExternalPrincipals ?? true,
    status: 'ACTIVE',
    creationTime: ctx.now,
    lastUpdatedTime: ctx.now,
    tags: (input.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
    principals: [],
    resources: [],
  };
  if (input.clientToken !== undefined) {
    share.clientToken = input.clientToken;
    share.requestDigest = digest(input);
  }
  // Validate everything before anything is recorded (a refused create leaves nothing behind).
  for (const arn of input.resourceArns ?? []) checkResource(ctx, arn);
  for (const p of input.principals ?? []) checkPrincipal(ctx, share, p);
  shares(world).push(share);
  for (const arn of input.resourceArns ?? []) addResource(ctx, share, arn);
  for (const p of input.principals ?? []) addPrincipal(ctx, share, p);
  return { resourceShare: renderShare(share), clientToken: input.clientToken };
}

export function getResourceShares(ctx: CallContext, input: GetResourceSharesInput) {
  const owner = checkResourceOwner(input.resourceOwner);
  for (const arn of input.resourceShareArns ?? []) {
    if (!SHARE_ARN.test(arn)) throw malformedArn(`The specified resource share ARN ${arn} is not valid. Verify the ARN and try again.`);
  }
  const all = ctx.world.resourceShares ?? [];
  // SELF: the caller's shares (DELETED ones too, until AWS forgets them); OTHER-ACCOUNTS: shares
  // shared with the caller — accepted, or with an invitation still pending [peer: floci#3266].
  const candidates =
    owner === 'SELF'
      ? all.filter((s) => s.ownerId === ctx.accountId)
      : all.filter(
          (s) =>
            s.status === 'ACTIVE' &&
            s.ownerId !== ctx.accountId &&
            s.principals.some((p) => (p.status === 'ASSOCIATED' || p.status === 'ASSOCIATING') && principalCovers(ctx.world, p.entity, ctx.accountId)),
        );
  const items = candidates.filter(
    (s) =>
      (input.resourceShareArns === undefined || input.resourceShareArns.includes(s.arn)) &&
      (input.resourceShareStatus === undefined || s.status === input.resourceShareStatus) &&
      (input.name === undefined || s.name === input.name),
  );
  const scope = `GetResourceShares:${owner}:${input.name ?? ''}:${input.resourceShareStatus ?? ''}:${(input.resourceShareArns ?? []).join(',')}`;
  const { page, nextToken } = paginate(items, input, scope);
  return { resourceShares: page.map(renderShare), nextToken };
}

export function associateResourceShare(ctx: CallContext, input: ShareMembersInput) {
  const share = ownShare(ctx, input.resourceShareArn, true);
  for (const arn of input.resourceArns ?? []) checkResource(ctx, arn);
  for (const p of input.principals ?? []) checkPrincipal(ctx, share, p);
  const out = [
    ...(input.resourceArns ?? []).map((arn) => renderAssociation(share, addResource(ctx, share, arn), 'RESOURCE')),
    ...(input.principals ?? []).map((p) => renderAssociation(share, addPrincipal(ctx, share, p), 'PRINCIPAL')),
  ];
  share.lastUpdatedTime = ctx.now;
  return { resourceShareAssociations: out, clientToken: input.clientToken };
}

export function disassociateResourceShare(ctx: CallContext, input: ShareMembersInput) {
  const share = ownShare(ctx, input.resourceShareArn, true);
  const pick = (list: ShareAssociation[], entity: string) => {
    const a = list.find((x) => x.entity === entity && x.status !== 'DISASSOCIATED');
    if (!a) throw unknownResource(`${entity} is not associated with the resource share ${share.arn}.`); // [unconfirmed]
    return a;
  };
  const rs = (input.resourceArns ?? []).map((arn) => pick(share.resources, arn));
  const ps = (input.principals ?? []).map((p) => pick(share.principals, p));
  const out: ReturnType<typeof renderAssociation>[] = [];
  for (const [list, type] of [[rs, 'RESOURCE'], [ps, 'PRINCIPAL']] as const) {
    for (const a of list) {
      a.status = 'DISASSOCIATED';
      a.lastUpdatedTime = ctx.now;
      // The response shows the association on its way out [API: CLI example "DISASSOCIATING"].
      out.push(renderAssociation(share, a, type, 'DISASSOCIATING'));
    }
  }
  for (const p of ps) expireInvitations(ctx.world, share, p.entity);
  share.lastUpdatedTime = ctx.now;
  return { resourceShareAssociations: out, clientToken: input.clientToken };
}

function expireInvitations(world: World, share: ResourceShare, receiver?: string): void {
  for (const inv of world.shareInvitations ?? []) {
    if (inv.resourceShareArn === share.arn && inv.status === 'PENDING' && (receiver === undefined || inv.receiverAccountId === receiver)) inv.status = 'EXPIRED'; // [unconfirmed]
  }
}

export function deleteResourceShare(ctx: CallContext, input: DeleteResourceShareInput) {
  const share = ownShare(ctx, input.resourceShareArn, true);
  share.status = 'DELETED';
  share.lastUpdatedTime = ctx.now;
  for (const a of [...share.principals, ...share.resources]) {
    a.status = 'DISASSOCIATED';
    a.lastUpdatedTime = ctx.now;
  }
  expireInvitations(ctx.world, share);
  return { returnValue: true, clientToken: input.clientToken };
}

export function getResourceShareAssociations(ctx: CallContext, input: GetResourceShareAssociationsInput) {
  const type = input.associationType;
  if (type !== 'PRINCIPAL' && type !== 'RESOURCE') throw invalidParameter(`${type} is not a valid association type. Specify either PRINCIPAL or RESOURCE and try again.`);
  // "You cannot specify this parameter if the association type is RESOURCE" (principal) and the
  // converse for resourceArn [API: GetResourceShareAssociations].
  if (type === 'RESOURCE' && input.principal !== undefined) throw invalidParameter('You cannot specify a principal when the association type is RESOURCE.');
  if (type === 'PRINCIPAL' && input.resourceArn !== undefined) throw invalidParameter('You cannot specify a resource ARN when the association type is PRINCIPAL.');
  for (const arn of input.resourceShareArns ?? []) {
    if (!SHARE_ARN.test(arn)) throw malformedArn(`The specified resource share ARN ${arn} is not valid. Verify the ARN and try again.`);
  }
  const rows: ReturnType<typeof renderAssociation>[] = [];
  for (const s of ctx.world.resourceShares ?? []) {
    if (input.resourceShareArns !== undefined && !input.resourceShareArns.includes(s.arn)) continue;
    const own = s.ownerId === ctx.accountId;
    const list = type === 'PRINCIPAL' ? s.principals : s.resources;
    for (const a of list) {
      // A receiver sees its own principal associations; the owner sees all [unconfirmed: receivers' view].
      if (!own && !(type === 'PRINCIPAL' && a.entity === ctx.accountId)) continue;
      if (input.principal !== undefined && a.entity !== input.principal) continue;
      if (input.resourceArn !== undefined && a.entity !== input.resourceArn) continue;
      if (input.associationStatus !== undefined && a.status !== input.associationStatus) continue;
      rows.push(renderAssociation(s, a, type));
    }
  }
  const scope = `GetResourceShareAssociations:${type}:${input.principal ?? ''}:${input.resourceArn ?? ''}:${input.associationStatus ?? ''}:${(input.resourceShareArns ?? []).join(',')}`;
  const { page, nextToken } = paginate(rows, input, scope);
  return { resourceShareAssociations: page, nextToken };
}

export function getResourceShareInvitations(ctx: CallContext, input: GetResourceShareInvitationsInput) {
  const mine = (ctx.world.shareInvitations ?? []).filter((i) => i.receiverAccountId === ctx.accountId);
  for (const arn of input.resourceShareInvitationArns ?? []) {
    if (!INVITATION_ARN.test(arn)) throw malformedArn(`The specified invitation ARN ${arn} is not valid. Verify the ARN and try again.`);
    if (!mine.some((i) => i.arn === arn)) throw err('ResourceShareInvitationArnNotFoundException', `ResourceShareInvitation ${arn} could not be found.`);
  }
  const items = mine.filter(
    (i) =>
      (input.resourceShareInvitationArns === undefined || input.resourceShareInvitationArns.includes(i.arn)) &&
      (input.resourceShareArns === undefined || input.resourceShareArns.includes(i.resourceShareArn)),
  );
  const scope = `GetResourceShareInvitations:${(input.resourceShareInvitationArns ?? []).join(',')}:${(input.resourceShareArns ?? []).join(',')}`;
  const { page, nextToken } = paginate(items, input, scope);
  return { resourceShareInvitations: page.map((i) => renderInvitation(ctx.world, i)), nextToken };
}

function receivedInvitation(ctx: CallContext, arn: string): ShareInvitation {
  if (!INVITATION_ARN.test(arn)) throw malformedArn(`The specified invitation ARN ${arn} is not valid. Verify the ARN and try again.`);
  const inv = (ctx.world.shareInvitations ?? []).find((i) => i.arn === arn && i.receiverAccountId === ctx.accountId);
  if (!inv) throw err('ResourceShareInvitationArnNotFoundException', `ResourceShareInvitation ${arn} could not be found.`);
  return inv;
}

function answerInvitation(ctx: CallContext, input: InvitationInput, answer: 'ACCEPTED' | 'REJECTED') {
  const inv = receivedInvitation(ctx, input.resourceShareInvitationArn);
  // A retry with the same clientToken returns the first answer [API: clientToken idempotency].
  if (input.clientToken !== undefined && inv.clientToken === input.clientToken) {
    if (inv.status !== answer) throw err('IdempotentParameterMismatchException', `The client token ${input.clientToken} was already used with a different request.`);
    return { resourceShareInvitation: renderInvitation(ctx.world, inv), clientToken: input.clientToken };
  }
  if (inv.status === 'ACCEPTED') throw err('ResourceShareInvitationAlreadyAcceptedException', `The invitation ${inv.arn} was already accepted.`);
  if (inv.status === 'REJECTED') throw err('ResourceShareInvitationAlreadyRejectedException', `The invitation ${inv.arn} was already rejected.`);
  if (inv.status === 'EXPIRED') throw err('ResourceShareInvitationExpiredException', `The invitation ${inv.arn} has expired.`);
  inv.status = answer;
  if (input.clientToken !== undefined) inv.clientToken = input.clientToken;
  const share = (ctx.world.resourceShares ?? []).find((s) => s.arn === inv.resourceShareArn);
  const a = share?.principals.find((p) => p.entity === inv.receiverAccountId && p.status === 'ASSOCIATING');
  if (a) {
    // Accepting turns the principal association ASSOCIATED; rejecting ends it (DISASSOCIATED
    // [unconfirmed: AWS may show FAILED or drop the row]).
    a.status = answer === 'ACCEPTED' ? 'ASSOCIATED' : 'DISASSOCIATED';
    a.lastUpdatedTime = ctx.now;
  }
  return { resourceShareInvitation: renderInvitation(ctx.world, inv), clientToken: input.clientToken };
}

export function acceptResourceShareInvitation(ctx: CallContext, input: InvitationInput) {
  return answerInvitation(ctx, input, 'ACCEPTED');
}

export function rejectResourceShareInvitation(ctx: CallContext, input: InvitationInput) {
  return answerInvitation(ctx, input, 'REJECTED');
}

export function listResources(ctx: CallContext, input: ListResourcesInput) {
  const owner = checkResourceOwner(input.resourceOwner);
  if (input.resourceType !== undefined && input.resourceType.toLowerCase() !== PROFILE_RESOURCE_TYPE.toLowerCase()) {
    // [unconfirmed: the twin shares only Profiles; AWS answers InvalidResourceTypeException for a type it doesn't know]
    if (!/^[a-z0-9-]+:[a-z0-9-]+$/i.test(input.resourceType)) throw err('InvalidResourceTypeException', `The specified resource type ${input.resourceType} is not valid.`);
    return { resources: [], nextToken: undefined };
  }
  const { world } = ctx;
  const pool =
    owner === 'SELF'
      ? (world.resourceShares ?? []).filter((s) => s.status === 'ACTIVE' && s.ownerId === ctx.accountId)
      : sharesGrantedTo(world, ctx.accountId);
  const rows = [];
  for (const s of pool) {
    if (input.resourceShareArns !== undefined && !input.resourceShareArns.includes(s.arn)) continue;
    if (input.principal !== undefined && !s.principals.some((p) => p.entity === input.principal && p.status !== 'DISASSOCIATED')) continue;
    for (const r of s.resources) {
      if (r.status !== 'ASSOCIATED') continue;
      if (input.resourceArns !== undefined && !input.resourceArns.includes(r.entity)) continue;
      rows.push({
        arn: r.entity,
        type: PROFILE_RESOURCE_TYPE,
        resourceShareArn: s.arn,
        status: 'AVAILABLE',
        creationTime: seconds(r.creationTime),
        lastUpdatedTime: seconds(r.lastUpdatedTime),
        resourceRegionScope: 'REGIONAL',
      });
    }
  }
  const scope = `ListResources:${owner}:${input.principal ?? ''}:${(input.resourceArns ?? []).join(',')}:${(input.resourceShareArns ?? []).join(',')}`;
  const { page, nextToken } = paginate(rows, input, scope);
  return { resources: page, nextToken };
}

export function enableSharingWithAwsOrganization(ctx: CallContext, _input: object) {
  // "You must call this operation from an IAM role or user in the organization's management
  // account" [API: EnableSharingWithAwsOrganization]; message as moto words it [peer: moto ram/exceptions.py].
  const org = ctx.world.organization;
  if (!org || org.managementAccountId !== ctx.accountId) {
    throw notPermitted(
      'Unable to enable sharing with AWS Organizations. Received AccessDeniedException from AWSOrganizations with the following error message: You don\'t have permissions to access this resource.',
    );
  }
  org.ramSharingEnabled = true;
  return { returnValue: true };
}

/** The ARN of a share's invitation to one account (tests and the sandbox). */
export function pendingInvitationFor(world: World, shareArn: string, accountId: string): ShareInvitation | undefined {
  return (world.shareInvitations ?? []).find((i) => i.resourceShareArn === shareArn && i.receiverAccountId === accountId && i.status === 'PENDING');
}
