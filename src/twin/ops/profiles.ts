// Route 53 Profiles behaviour: one pure function per API operation, (ctx, input) → the API's
// output shape (member names as in the botocore model, timestamps as epoch seconds), throwing
// AwsApiError for every refusal. The wire front end (wire/profiles.ts) parses and renders; the
// facts encoded here are in reference/aws-api.md §1 and the notes beside each rule.
import { AwsApiError } from '../errors.js';
import type { CallContext } from '../protocol.js';
import type { HostedZone, Lifecycle, Profile, ProfileAssociation, ProfileResourceAssociation, VpcEndpoint, World } from '../world.js';
import { endpointArn, hostedZoneArn, nextId, stripDot } from '../world.js';
import { endpointZoneNames, findVpc, profileEndpointsServing, profileZonesNamed } from './lookup.js';
import { profileIsShared, profileSharedWith } from './ram.js';

// ---------------------------------------------------------------------------------------------
// Wire-visible constants

/**
 * ResourceType strings. FIREWALL_RULE_GROUP is AWS's (CLI examples); the PHZ string follows the
 * same style and a peer emulator (floci) uses it; the endpoint string is our reading [unconfirmed].
 */
export const RESOURCE_TYPE_HOSTED_ZONE = 'PRIVATE_HOSTED_ZONE';
export const RESOURCE_TYPE_VPC_ENDPOINT = 'VPC_ENDPOINT';

/** A Profile takes 1,000 VPCs by default [doc: AssociateProfile API reference]. */
export const MAX_VPCS_PER_PROFILE = 1000;
/** MaxResults bounds and default [doc: model MaxResults 1..100; "up to 100 objects are returned"]. */
export const MAX_RESULTS_LIMIT = 100;

// Ids: `rp-` + 16 hex (seen in public ARNs, e.g. rp-2c619646259d48f0); the association prefixes
// are AWS's (CLI examples), their lengths our reading (examples are partly redacted).
const PROFILE_ID_HEX = 16;
const ASSOCIATION_ID_HEX = 17;

// ---------------------------------------------------------------------------------------------
// Inputs (already shape-checked by the wire against the model)

export interface TagInput {
  Key: string;
  Value: string;
}
export interface CreateProfileInput {
  ClientToken: string;
  Name: string;
  Tags?: TagInput[];
}
export interface ProfileIdInput {
  ProfileId: string;
}
export interface PageInput {
  MaxResults?: number;
  NextToken?: string;
}
export interface AssociateProfileInput {
  ProfileId: string;
  ResourceId: string;
  Name: string;
  Tags?: TagInput[];
}
export interface DisassociateProfileInput {
  ProfileId: string;
  ResourceId: string;
}
export interface GetProfileAssociationInput {
  ProfileAssociationId: string;
}
export interface ListProfileAssociationsInput extends PageInput {
  ProfileId?: string;
  ResourceId?: string;
}
export interface AssociateResourceToProfileInput {
  ProfileId: string;
  ResourceArn: string;
  Name: string;
  ResourceProperties?: string;
}
export interface DisassociateResourceFromProfileInput {
  ProfileId: string;
  ResourceArn: string;
}
export interface ProfileResourceAssociationIdInput {
  ProfileResourceAssociationId: string;
}
export interface ListProfileResourceAssociationsInput extends PageInput {
  ProfileId: string;
  ResourceType?: string;
}
export interface UpdateProfileResourceAssociationInput {
  ProfileResourceAssociationId: string;
  Name?: string;
  ResourceProperties?: string;
}
export interface ResourceArnInput {
  ResourceArn: string;
}
export interface TagResourceInput {
  ResourceArn: string;
  Tags: Record<string, string>;
}
export interface UntagResourceInput {
  ResourceArn: string;
  TagKeys: string[];
}

// ---------------------------------------------------------------------------------------------
// Errors. Every modelled Route 53 Profiles error is HTTP 400 [doc: API reference "Errors" lists,
// e.g. GetProfileAssociation, UpdateProfileResourceAssociation].

function notFound(id: string, resourceType: string): AwsApiError {
  // Message style seen from the service [peer: cloudformation-coverage-roadmap#2044].
  return new AwsApiError('ResourceNotFoundException', `Can't find the resource with ID "${id}".`, 400, { ResourceType: resourceType });
}
function exists(message: string, resourceType: string): AwsApiError {
  return new AwsApiError('ResourceExistsException', message, 400, { ResourceType: resourceType });
}
function conflict(message: string): AwsApiError {
  return new AwsApiError('ConflictException', message, 400);
}
function accessDenied(message: string): AwsApiError {
  return new AwsApiError('AccessDeniedException', message, 400);
}
function invalidParameter(fieldName: string, message: string): AwsApiError {
  return new AwsApiError('InvalidParameterException', message, 400, { FieldName: fieldName });
}

// ---------------------------------------------------------------------------------------------
// Rendering

const seconds = (ms: number): number => ms / 1000;

export type ShareStatus = 'NOT_SHARED' | 'SHARED_WITH_ME' | 'SHARED_BY_ME';

/** `world` adds the shares made through the twin's RAM API to the scenario's standing ones (profile.sharedWith). */
export function shareStatusFor(profile: Profile, accountId: string, world?: World): ShareStatus {
  if (profile.ownerId !== accountId) return 'SHARED_WITH_ME';
  const shared = world ? profileIsShared(world, profile) : profile.sharedWith.length > 0;
  return shared ? 'SHARED_BY_ME' : 'NOT_SHARED';
}

function profileStatusMessage(profile: Profile): string {
  return profile.status === 'DELETED' ? 'Deleted Profile' : 'Created Profile';
}

function renderProfile(profile: Profile, accountId: string, world?: World) {
  return {
    Arn: profile.arn,
    // The idempotency token is the creator's; a consumer of a shared Profile has no use for it.
    ClientToken: profile.ownerId === accountId ? profile.clientToken : undefined,
    CreationTime: seconds(profile.creationTime),
    Id: profile.id,
    ModificationTime: seconds(profile.modificationTime),
    Name: profile.name,
    OwnerId: profile.ownerId,
    ShareStatus: shareStatusFor(profile, accountId, world),
    Status: profile.status,
    StatusMessage: profileStatusMessage(profile),
  };
}

function renderProfileSummary(profile: Profile, accountId: string, world?: World) {
  return { Arn: profile.arn, Id: profile.id, Name: profile.name, ShareStatus: shareStatusFor(profile, accountId, world) };
}

/** Status messages as the AWS CLI examples show them. */
function profileAssociationMessage(a: ProfileAssociation): string {
  switch (a.status) {
    case 'CREATING':
      return 'Creating Profile Association';
    case 'COMPLETE':
      return 'Created Profile Association';
    case 'DELETING':
      return 'Deleting Profile Association';
    default:
      return a.statusMessage;
  }
}

function renderProfileAssociation(a: ProfileAssociation) {
  return {
    CreationTime: seconds(a.creationTime),
    Id: a.id,
    ModificationTime: seconds(a.modificationTime),
    Name: a.name,
    OwnerId: a.ownerId,
    ProfileId: a.profileId,
    ResourceId: a.resourceId,
    Status: a.status,
    StatusMessage: profileAssociationMessage(a),
  };
}

function resourceLabel(resourceType: string): string {
  if (resourceType === RESOURCE_TYPE_HOSTED_ZONE) return 'private hosted zone';
  if (resourceType === RESOURCE_TYPE_VPC_ENDPOINT) return 'VPC endpoint';
  return 'resource';
}

/** Patterned on the CLI examples' "Completed creation of Profile to DNS Firewall rule group association". */
function resourceAssociationMessage(r: ProfileResourceAssociation): string {
  const label = resourceLabel(r.resourceType);
  switch (r.status) {
    case 'CREATING':
      return `Creating the Profile to ${label} association`;
    case 'UPDATING':
      return `Updating the Profile to ${label} association`;
    case 'COMPLETE':
      return `Completed creation of Profile to ${label} association`;
    case 'DELETING':
      return `Deleting the Profile to ${label} association`;
    default:
      return r.statusMessage;
  }
}

function renderResourceAssociation(r: ProfileResourceAssociation) {
  return {
    CreationTime: seconds(r.creationTime),
    Id: r.id,
    ModificationTime: seconds(r.modificationTime),
    Name: r.name,
    OwnerId: r.ownerId,
    ProfileId: r.profileId,
    ResourceArn: r.resourceArn,
    ResourceProperties: r.resourceProperties,
    ResourceType: r.resourceType,
    Status: r.status,
    StatusMessage: resourceAssociationMessage(r),
  };
}

// ---------------------------------------------------------------------------------------------
// Lifecycles

function delay(ctx: CallContext, ms: number): number {
  return Math.round(ms * ctx.delayFactor);
}

function creatingLifecycle(ctx: CallContext, ms: number): Lifecycle {
  const lc: Lifecycle = {
    status: 'CREATING',
    statusMessage: '',
    creationTime: ctx.now,
    modificationTime: ctx.now,
    settleAt: ctx.now + delay(ctx, ms),
  };
  if (ctx.takeFault('fail-association')) lc.failAtCompletion = true;
  return lc;
}

function startDeleting(ctx: CallContext, a: Lifecycle, ms: number): void {
  a.status = 'DELETING';
  a.modificationTime = ctx.now;
  a.goneAt = ctx.now + delay(ctx, ms);
  delete a.settleAt;
  delete a.failAtCompletion;
}

// ---------------------------------------------------------------------------------------------
// Lookups with visibility rules

function profileArnFor(world: World, accountId: string, id: string): string {
  return `arn:aws:route53profiles:${world.region}:${accountId}:profile/${id}`;
}

function profileAssociationArn(world: World, a: ProfileAssociation): string {
  // Resource type `profile-association` [unconfirmed: our reading of the service authorization reference].
  return `arn:aws:route53profiles:${world.region}:${a.ownerId}:profile-association/${a.id}`;
}

/**
 * A Profile is visible to its owner and to the accounts it is shared with through RAM: a standing
 * share the scenario declares (profile.sharedWith) or an accepted/organization share made through
 * the twin's RAM API (ops/ram.ts profileSharedWith states the rule and its sources).
 */
function visibleProfile(ctx: CallContext, profileId: string): Profile {
  const p = ctx.world.profiles.find((x) => x.id === profileId);
  if (!p || !profileSharedWith(ctx.world, p, ctx.accountId)) {
    // An account the Profile isn't shared with can't tell it from a missing one [unconfirmed:
    // AWS could answer AccessDeniedException; either way the call fails].
    throw notFound(profileId, 'PROFILE');
  }
  return p;
}

/**
 * Only the owner changes what a Profile holds: the default RAM managed permission lets a
 * consumer associate the Profile with its own VPCs, nothing more [runbook: "To share a Profile..."].
 */
function ownedProfile(ctx: CallContext, profileId: string, action: string): Profile {
  const p = visibleProfile(ctx, profileId);
  if (p.ownerId !== ctx.accountId) {
    throw accessDenied(
      `Account ${ctx.accountId} is not authorized to perform ${action} on Profile ${profileId}: the Profile is owned by ${p.ownerId} and shared without that permission.`,
    );
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Pagination: opaque tokens that remember which listing (and filters) they belong to.

interface PageToken {
  s: string;
  o: number;
}

function paginate<T>(items: T[], page: PageInput, scope: string): { page: T[]; nextToken?: string } {
  const max = page.MaxResults ?? MAX_RESULTS_LIMIT;
  let offset = 0;
  if (page.NextToken !== undefined) {
    const decoded = decodeToken(page.NextToken);
    if (!decoded || decoded.s !== scope || decoded.o > items.length) {
      throw new AwsApiError('InvalidNextTokenException', 'The NextToken you provided is not valid.', 400);
    }
    offset = decoded.o;
  }
  const slice = items.slice(offset, offset + max);
  const next = offset + slice.length;
  return { page: slice, nextToken: next < items.length ? encodeToken({ s: scope, o: next }) : undefined };
}

function encodeToken(t: PageToken): string {
  return Buffer.from(JSON.stringify(t), 'utf8').toString('base64url');
}

function decodeToken(token: string): PageToken | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (v && typeof v === 'object' && typeof (v as PageToken).s === 'string' && Number.isInteger((v as PageToken).o) && (v as PageToken).o >= 0) {
      return v as PageToken;
    }
  } catch {
    // fall through: any undecodable token is invalid
  }
  return undefined;
}

function tagsOf(list: TagInput[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) out[t.Key] = t.Value;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Profiles

export function createProfile(ctx: CallContext, input: CreateProfileInput) {
  const { world } = ctx;
  // ClientToken makes CreateProfile idempotent: a retry with the same token returns the same
  // Profile instead of creating a second one [doc: model idempotencyToken].
  const again = world.profiles.find((p) => p.ownerId === ctx.accountId && p.clientToken === input.ClientToken);
  if (again) return { Profile: renderProfile(again, ctx.accountId, ctx.world) };
  const id = nextId(world, 'rp-', PROFILE_ID_HEX);
  const profile: Profile = {
    id,
    arn: profileArnFor(world, ctx.accountId, id),
    name: input.Name,
    ownerId: ctx.accountId,
    sharedWith: [],
    clientToken: input.ClientToken,
    creationTime: ctx.now,
    modificationTime: ctx.now,
    status: 'COMPLETE',
    tags: tagsOf(input.Tags),
  };
  world.profiles.push(profile);
  return { Profile: renderProfile(profile, ctx.accountId, ctx.world) };
}

export function getProfile(ctx: CallContext, input: ProfileIdInput) {
  return { Profile: renderProfile(visibleProfile(ctx, input.ProfileId), ctx.accountId, ctx.world) };
}

export function deleteProfile(ctx: CallContext, input: ProfileIdInput) {
  const { world } = ctx;
  const profile = ownedProfile(ctx, input.ProfileId, 'route53profiles:DeleteProfile');
  // "Before you can delete a profile, you must first disassociate it from all VPCs" [doc:
  // DeleteProfile]; resources too [unconfirmed: a peer emulator refuses both; stricter default].
  const vpcCount = world.profileAssociations.filter((a) => a.profileId === profile.id).length;
  if (vpcCount > 0) {
    throw conflict(`Profile ${profile.id} is associated with ${vpcCount} VPC(s). Disassociate it from all VPCs before deleting it.`);
  }
  const resourceCount = world.resourceAssociations.filter((r) => r.profileId === profile.id).length;
  if (resourceCount > 0) {
    throw conflict(`Profile ${profile.id} still has ${resourceCount} resource association(s). Disassociate them before deleting it.`);
  }
  world.profiles = world.profiles.filter((p) => p !== profile);
  const deleted: Profile = { ...profile, status: 'DELETED', modificationTime: ctx.now };
  return { Profile: renderProfile(deleted, ctx.accountId, ctx.world) };
}

export function listProfiles(ctx: CallContext, input: PageInput) {
  const visible = ctx.world.profiles.filter((p) => profileSharedWith(ctx.world, p, ctx.accountId));
  const { page, nextToken } = paginate(visible, input, 'ListProfiles');
  return { ProfileSummaries: page.map((p) => renderProfileSummary(p, ctx.accountId, ctx.world)), NextToken: nextToken };
}

// ---------------------------------------------------------------------------------------------
// Profile ↔ VPC associations

export function associateProfile(ctx: CallContext, input: AssociateProfileInput) {
  const { world } = ctx;
  const profile = visibleProfile(ctx, input.ProfileId);
  // The VPC must be the caller's own (a consumer associates a shared Profile with ITS VPCs; the
  // service checks with ec2:DescribeVpcs [peer: MoJ PR 13500], which sees only the caller's VPCs).
  const vpc = findVpc(world, input.ResourceId);
  if (!vpc || vpc.ownerId !== ctx.accountId || vpc.region !== ctx.region) throw notFound(input.ResourceId, 'VPC');
  // One Profile per VPC [doc: AssociateProfile]. Same pair again → ResourceExistsException
  // [peer: aws-api.md]; another Profile → also ResourceExistsException [peer: floci emulator;
  // unconfirmed, AWS could answer ConflictException].
  const current = world.profileAssociations.find((a) => a.resourceId === vpc.id);
  if (current) {
    const message =
      current.profileId === profile.id
        ? `The VPC ${vpc.id} is already associated with the Profile ${profile.id} (association ${current.id}).`
        : `The VPC ${vpc.id} is already associated with another Profile (${current.profileId}). A VPC can have only one Profile associated with it.`;
    throw exists(message, 'PROFILE_ASSOCIATION');
  }
  const count = world.profileAssociations.filter((a) => a.profileId === profile.id).length;
  if (count >= MAX_VPCS_PER_PROFILE) {
    throw new AwsApiError('LimitExceededException', `The Profile ${profile.id} is already associated with ${count} VPCs, the maximum.`, 400, {
      ResourceType: 'PROFILE_ASSOCIATION',
    });
  }
  const association: ProfileAssociation = {
    ...creatingLifecycle(ctx, world.delays.profileAssociationMs),
    id: nextId(world, 'rpassoc-', ASSOCIATION_ID_HEX),
    name: input.Name,
    ownerId: ctx.accountId,
    profileId: profile.id,
    resourceId: vpc.id,
    tags: tagsOf(input.Tags),
  };
  association.statusMessage = profileAssociationMessage(association);
  world.profileAssociations.push(association);
  return { ProfileAssociation: renderProfileAssociation(association) };
}

export function disassociateProfile(ctx: CallContext, input: DisassociateProfileInput) {
  const { world } = ctx;
  // Only the VPC owner's own association is reachable; one already DELETING counts as gone
  // (so a re-run reads "not found", which tools treat as done).
  const a = world.profileAssociations.find(
    (x) => x.profileId === input.ProfileId && x.resourceId === input.ResourceId && x.ownerId === ctx.accountId && x.status !== 'DELETING',
  );
  if (!a) throw notFound(`${input.ProfileId}/${input.ResourceId}`, 'PROFILE_ASSOCIATION');
  startDeleting(ctx, a, world.delays.profileDisassociationMs);
  a.statusMessage = profileAssociationMessage(a);
  return { ProfileAssociation: renderProfileAssociation(a) };
}

export function getProfileAssociation(ctx: CallContext, input: GetProfileAssociationInput) {
  const a = ctx.world.profileAssociations.find((x) => x.id === input.ProfileAssociationId && x.ownerId === ctx.accountId);
  if (!a) throw notFound(input.ProfileAssociationId, 'PROFILE_ASSOCIATION');
  return { ProfileAssociation: renderProfileAssociation(a) };
}

/**
 * Each account lists the associations it owns (its VPCs), including those with Profiles shared
 * with it; the Profile owner does not see consumers' VPC associations. Public notes on Profiles
 * call this the "owner-side visibility gap" [peer: aws agent-toolkit Route 53 Profiles skill;
 * unconfirmed in the API reference].
 */
export function listProfileAssociations(ctx: CallContext, input: ListProfileAssociationsInput) {
  const items = ctx.world.profileAssociations.filter(
    (a) =>
      a.ownerId === ctx.accountId &&
      (input.ProfileId === undefined || a.profileId === input.ProfileId) &&
      (input.ResourceId === undefined || a.resourceId === input.ResourceId),
  );
  const scope = `ListProfileAssociations:${input.ProfileId ?? ''}:${input.ResourceId ?? ''}`;
  const { page, nextToken } = paginate(items, input, scope);
  return { ProfileAssociations: page.map(renderProfileAssociation), NextToken: nextToken };
}

// ---------------------------------------------------------------------------------------------
// Profile ↔ resource (PHZ, interface endpoint) associations

type ResolvedResource = { kind: 'zone'; zone: HostedZone } | { kind: 'endpoint'; endpoint: VpcEndpoint };

const HOSTED_ZONE_ARN = /^arn:aws:route53:::hostedzone\/([A-Z0-9]+)$/;
const ENDPOINT_ARN = /^arn:aws:ec2:([a-z0-9-]+):(\d{12}):vpc-endpoint\/(vpce-[0-9a-f]+)$/;

function resolveResource(ctx: CallContext, arn: string): ResolvedResource {
  const { world } = ctx;
  const zoneMatch = HOSTED_ZONE_ARN.exec(arn);
  if (zoneMatch) {
    const zone = world.zones.find((z) => z.id === zoneMatch[1] && z.ownerId === ctx.accountId);
    if (!zone) throw notFound(arn, RESOURCE_TYPE_HOSTED_ZONE);
    if (!zone.privateZone) {
      throw invalidParameter('ResourceArn', `The hosted zone ${zone.id} is a public hosted zone. Only private hosted zones can be associated with a Profile.`);
    }
    return { kind: 'zone', zone };
  }
  const epMatch = ENDPOINT_ARN.exec(arn);
  if (epMatch) {
    const endpoint = world.endpoints.find(
      (e) => e.id === epMatch[3] && e.ownerId === ctx.accountId && epMatch[2] === e.ownerId && epMatch[1] === world.region && e.state !== 'deleted',
    );
    if (!endpoint) throw notFound(arn, RESOURCE_TYPE_VPC_ENDPOINT);
    if (endpoint.type !== 'Interface') {
      throw invalidParameter('ResourceArn', `The VPC endpoint ${endpoint.id} is not an interface endpoint. Only interface endpoints can be associated with a Profile.`);
    }
    // Private DNS must be on, "otherwise it won't let you associate" [runbook + doc:
    // profile-associate-vpc-endpoints]; the exact code is [unconfirmed].
    if (!endpoint.privateDnsEnabled) {
      throw invalidParameter(
        'ResourceArn',
        `The VPC endpoint ${endpoint.id} does not have private DNS enabled. Enable private DNS on the endpoint before associating it with a Profile.`,
      );
    }
    return { kind: 'endpoint', endpoint };
  }
  // The twin models only the resources the migration uses.
  throw invalidParameter('ResourceArn', `The resource ARN ${arn} is not valid or its resource type is not supported.`);
}

/**
 * A Profile must not hold a PHZ and an interface endpoint for the same name at once; the
 * runbook always removes the PHZ first [runbook steps 4-5]. Whether AWS rejects it is
 * [unconfirmed]: switchable rule world.rules.rejectProfileZoneEndpointOverlap, default on.
 */
function checkZoneEndpointOverlap(ctx: CallContext, profile: Profile, resource: ResolvedResource): void {
  const { world } = ctx;
  if (!world.rules.rejectProfileZoneEndpointOverlap) return;
  if (resource.kind === 'endpoint') {
    for (const zoneName of endpointZoneNames(resource.endpoint)) {
      const zone = profileZonesNamed(world, profile.id, zoneName)[0];
      if (zone) {
        throw conflict(
          `The Profile ${profile.id} holds the private hosted zone ${zone.id} (${stripDot(zone.name)}), which conflicts with the private DNS name of the VPC endpoint ${resource.endpoint.id}. Disassociate the hosted zone from the Profile first.`,
        );
      }
    }
  } else {
    const endpoint = profileEndpointsServing(world, profile.id, resource.zone.name)[0];
    if (endpoint) {
      throw conflict(
        `The Profile ${profile.id} holds the VPC endpoint ${endpoint.id}, whose private DNS serves ${stripDot(resource.zone.name)}, which conflicts with the private hosted zone ${resource.zone.id}. Disassociate the VPC endpoint from the Profile first.`,
      );
    }
  }
}

export function associateResourceToProfile(ctx: CallContext, input: AssociateResourceToProfileInput) {
  const { world } = ctx;
  const profile = ownedProfile(ctx, input.ProfileId, 'route53profiles:AssociateResourceToProfile');
  const resource = resolveResource(ctx, input.ResourceArn);
  // AssociateResourceToProfile has no ResourceExistsException in the model: a second
  // association of one resource is a ConflictException [doc: model error list; code unconfirmed].
  const existing = world.resourceAssociations.find((r) => r.profileId === profile.id && r.resourceArn === input.ResourceArn);
  if (existing) {
    throw conflict(`The resource ${input.ResourceArn} is already associated with the Profile ${profile.id} (association ${existing.id}, ${existing.status}).`);
  }
  checkZoneEndpointOverlap(ctx, profile, resource);
  const association: ProfileResourceAssociation = {
    ...creatingLifecycle(ctx, world.delays.resourceAssociationMs),
    id: nextId(world, 'rpr-', ASSOCIATION_ID_HEX),
    name: input.Name,
    ownerId: ctx.accountId,
    profileId: profile.id,
    resourceArn: resource.kind === 'zone' ? hostedZoneArn(resource.zone) : endpointArn(world, resource.endpoint),
    resourceType: resource.kind === 'zone' ? RESOURCE_TYPE_HOSTED_ZONE : RESOURCE_TYPE_VPC_ENDPOINT,
  };
  if (input.ResourceProperties !== undefined) association.resourceProperties = input.ResourceProperties;
  association.statusMessage = resourceAssociationMessage(association);
  world.resourceAssociations.push(association);
  if (resource.kind === 'endpoint') {
    // Joining a Profile puts the endpoint briefly in `pending`, then `available` [runbook step 5];
    // its own Private DNS keeps answering meanwhile (privateDnsActiveAt is left alone).
    resource.endpoint.state = 'pending';
    resource.endpoint.availableAt = ctx.now + delay(ctx, world.delays.endpointModifyMs);
  }
  return { ProfileResourceAssociation: renderResourceAssociation(association) };
}

export function disassociateResourceFromProfile(ctx: CallContext, input: DisassociateResourceFromProfileInput) {
  const { world } = ctx;
  const profile = ownedProfile(ctx, input.ProfileId, 'route53profiles:DisassociateResourceFromProfile');
  const r = world.resourceAssociations.find((x) => x.profileId === profile.id && x.resourceArn === input.ResourceArn && x.status !== 'DELETING');
  if (!r) throw notFound(input.ResourceArn, 'PROFILE_RESOURCE_ASSOCIATION');
  if (r.status === 'CREATING' || r.status === 'UPDATING') {
    // [unconfirmed: the model allows ConflictException here; stricter than queueing the delete]
    throw conflict(`The resource association ${r.id} is ${r.status}. Wait until it completes before disassociating the resource.`);
  }
  startDeleting(ctx, r, world.delays.resourceDisassociationMs);
  r.statusMessage = resourceAssociationMessage(r);
  return { ProfileResourceAssociation: renderResourceAssociation(r) };
}

function visibleResourceAssociation(ctx: CallContext, id: string): ProfileResourceAssociation {
  const r = ctx.world.resourceAssociations.find((x) => x.id === id);
  const profile = r && ctx.world.profiles.find((p) => p.id === r.profileId);
  if (!r || !profile || !profileSharedWith(ctx.world, profile, ctx.accountId)) {
    throw notFound(id, 'PROFILE_RESOURCE_ASSOCIATION');
  }
  return r;
}

export function getProfileResourceAssociation(ctx: CallContext, input: ProfileResourceAssociationIdInput) {
  return { ProfileResourceAssociation: renderResourceAssociation(visibleResourceAssociation(ctx, input.ProfileResourceAssociationId)) };
}

export function updateProfileResourceAssociation(ctx: CallContext, input: UpdateProfileResourceAssociationInput) {
  const { world } = ctx;
  const r = visibleResourceAssociation(ctx, input.ProfileResourceAssociationId);
  ownedProfile(ctx, r.profileId, 'route53profiles:UpdateProfileResourceAssociation');
  if (r.status !== 'COMPLETE') {
    throw conflict(`The resource association ${r.id} is ${r.status}. It can be updated only when COMPLETE.`);
  }
  if (input.Name !== undefined) r.name = input.Name;
  if (input.ResourceProperties !== undefined) r.resourceProperties = input.ResourceProperties;
  // An update runs UPDATING → COMPLETE, as the CLI example shows.
  r.status = 'UPDATING';
  r.modificationTime = ctx.now;
  r.settleAt = ctx.now + delay(ctx, world.delays.resourceAssociationMs);
  r.statusMessage = resourceAssociationMessage(r);
  return { ProfileResourceAssociation: renderResourceAssociation(r) };
}

export function listProfileResourceAssociations(ctx: CallContext, input: ListProfileResourceAssociationsInput) {
  const profile = visibleProfile(ctx, input.ProfileId);
  const items = ctx.world.resourceAssociations.filter(
    (r) => r.profileId === profile.id && (input.ResourceType === undefined || r.resourceType === input.ResourceType),
  );
  const { page, nextToken } = paginate(items, input, `ListProfileResourceAssociations:${profile.id}:${input.ResourceType ?? ''}`);
  return { ProfileResourceAssociations: page.map(renderResourceAssociation), NextToken: nextToken };
}

// ---------------------------------------------------------------------------------------------
// Tags (Profiles and Profile associations)

interface Taggable {
  tags: Record<string, string>;
  ownerId: string;
}

function taggable(ctx: CallContext, arn: string, forWrite: boolean): Taggable {
  const { world } = ctx;
  const profile = world.profiles.find((p) => p.arn === arn);
  if (profile) {
    if (!profileSharedWith(world, profile, ctx.accountId)) throw notFound(arn, 'PROFILE');
    if (forWrite && profile.ownerId !== ctx.accountId) throw accessDenied(`Account ${ctx.accountId} can't change the tags of ${arn}: only the owner can.`);
    return profile;
  }
  const association = world.profileAssociations.find((a) => profileAssociationArn(world, a) === arn && a.ownerId === ctx.accountId);
  if (association) return association;
  throw notFound(arn, 'RESOURCE');
}

export function listTagsForResource(ctx: CallContext, input: ResourceArnInput) {
  return { Tags: { ...taggable(ctx, input.ResourceArn, false).tags } };
}

export function tagResource(ctx: CallContext, input: TagResourceInput) {
  const target = taggable(ctx, input.ResourceArn, true);
  Object.assign(target.tags, input.Tags);
  return {};
}

export function untagResource(ctx: CallContext, input: UntagResourceInput) {
  const target = taggable(ctx, input.ResourceArn, true);
  for (const key of input.TagKeys) delete target.tags[key];
  return {};
}

/** The ARN the Profiles API gives a Profile association (for ListTagsForResource and friends). */
export function arnOfProfileAssociation(world: World, a: ProfileAssociation): string {
  return profileAssociationArn(world, a);
}
