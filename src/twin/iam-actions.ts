// What IAM authorizes for each operation the twin serves: the action, the resource ARN(s) and the
// condition keys the Service Authorization Reference (SAR) documents for it, plus the dependent
// actions the service also checks. One row per operation, each with its source; docs/aws-facts.md
// "IAM: how the twin evaluates policies" lists the same facts.
//
// Sources, short names:
//   SAR       Service Authorization Reference, read through iann0036/iam-dataset aws/iam_definition.json
//             (commit 08eff2d) and, for route53profiles, its rendered page (list_route53profiles.md).
//   R53 DG    Route 53 Developer Guide: specifying-conditions-route53 (condition key formats) and
//             r53-api-permissions-ref (awsdocs/amazon-route53-docs b398002, 2022: required permissions).
//   EC2 UG    "ec2:Describe* API actions do not support resource-level permissions ... the Resource
//             element requires *" (EC2 User Guide, IAM policies for Amazon EC2).
//   facts-2   /work/shared/reference/aws-facts-2.md (sourced there).
//   IAM UG    IAM User Guide, reference_policies_condition-keys (global keys).
// [unconfirmed] marks a row no source settled; the twin then takes the documented behaviour of
// the nearest action and says so.
import type { AuthorizationRequest } from './iam.js';
import type { Principal, ServiceName } from './protocol.js';
import type { World } from './world.js';

/** What a row sees besides the request's members. */
export interface AuthzEnv {
  world: World;
  principal: Principal;
  /** The SigV4 credential scope's region. */
  region: string;
}

type Members = Record<string, unknown>;

export interface ActionRow {
  /** service:Action. */
  action: string;
  /** The ARNs the action is authorized on, each on its own; ['*'] for an action with no resource type. */
  resources(m: Members, env: AuthzEnv): string[];
  /** Service condition keys (name → values) the request carries. */
  context?(m: Members, env: AuthzEnv): Record<string, string[]>;
  /** Other actions the service checks for this request (all must be allowed too). */
  dependent?(m: Members, env: AuthzEnv): { action: string; resources: string[] }[];
  source: string;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const STAR = (): string[] => ['*'];

/** A zone id as sent: bare, or with the /hostedzone/ prefix the API also accepts. */
const zoneId = (m: Members): string => (str(m.Id) ?? '').replace(/^\/?hostedzone\//, '');
const zoneArn = (id: string) => `arn:aws:route53:::hostedzone/${id}`;

/**
 * route53:VPCs: "VPCId=<vpc-id>,VPCRegion=<region>", both lowercase [R53 DG specifying-conditions-route53:
 * "The value must be in the format of VPCId=<vpc-id>,VPCRegion=<region> ... must be in lowercase"].
 */
function route53Vpcs(m: Members): Record<string, string[]> {
  const vpc = m.VPC as { VPCId?: string; VPCRegion?: string } | undefined;
  if (!vpc?.VPCId) return {};
  return { 'route53:VPCs': [`VPCId=${vpc.VPCId.toLowerCase()},VPCRegion=${(vpc.VPCRegion ?? '').toLowerCase()}`] };
}

/**
 * ChangeResourceRecordSets keys [R53 DG specifying-conditions-route53]: record names lowercase,
 * without the trailing dot, characters other than a-z 0-9 - _ . as \ooo octal escapes;
 * record types and change actions uppercase.
 */
function rrsetKeys(m: Members): Record<string, string[]> {
  const changes = (Array.isArray(m.Changes) ? m.Changes : []) as { Action?: unknown; Name?: unknown; Type?: unknown }[];
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => x !== undefined))];
  return {
    'route53:ChangeResourceRecordSetsActions': uniq(changes.map((c) => str(c.Action)?.toUpperCase())),
    'route53:ChangeResourceRecordSetsNormalizedRecordNames': uniq(changes.map((c) => (str(c.Name) === undefined ? undefined : normalizeRecordName(str(c.Name)!)))),
    'route53:ChangeResourceRecordSetsRecordTypes': uniq(changes.map((c) => str(c.Type)?.toUpperCase())),
  };
}

export function normalizeRecordName(name: string): string {
  const bare = name.replace(/\\052/g, '*').toLowerCase().replace(/\.$/, '');
  return bare.replace(/[^a-z0-9\-_.]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

const DESCRIBE_VPCS = [{ action: 'ec2:DescribeVpcs', resources: ['*'] }];

/** The Profiles resource type a resource ARN names, as route53profiles:ResourceTypes spells it [R53 DG specifying-conditions-route53]. */
export function profileResourceType(arn: string): string | undefined {
  if (/^arn:[^:]+:route53:::hostedzone\//.test(arn)) return 'HostedZone';
  if (/^arn:[^:]+:ec2:[^:]*:[^:]*:vpc-endpoint\//.test(arn)) return 'VPCEndpoint';
  if (/:resolver-rule\//.test(arn)) return 'ResolverRule';
  if (/:firewall-rule-group\//.test(arn)) return 'FirewallRuleGroup';
  if (/:resolver-query-log-config\//.test(arn)) return 'ResolverQueryLoggingConfig';
  return undefined;
}

/** route53profiles:ResourceTypes / ResourceArns / HostedZoneDomains for a resource ARN. */
function profileResourceKeys(arn: string | undefined, env: AuthzEnv, withArn: boolean): Record<string, string[]> {
  if (!arn) return {};
  const out: Record<string, string[]> = {};
  const type = profileResourceType(arn);
  if (type) out['route53profiles:ResourceTypes'] = [type];
  if (withArn) out['route53profiles:ResourceArns'] = [arn];
  if (type === 'HostedZone') {
    const zone = env.world.zones.find((z) => zoneArn(z.id) === arn);
    // Domain names without the trailing dot, case-sensitive [R53 DG specifying-conditions-route53].
    if (zone) out['route53profiles:HostedZoneDomains'] = [zone.name.replace(/\.$/, '')];
  }
  return out;
}

function endpointArn(id: string, env: AuthzEnv): string {
  const ep = env.world.endpoints.find((e) => e.id === id);
  return `arn:aws:ec2:${env.region}:${ep?.ownerId ?? env.principal.accountId}:vpc-endpoint/${id}`;
}

/** aws:ResourceTag/<key> for each tag of the resource [IAM UG condition-keys: aws:ResourceTag]. */
function resourceTags(tags: Record<string, string> | undefined): Record<string, string[]> {
  return Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, [v]]));
}

/** SendCommand's document ARN: AWS-owned documents (AWS-*) have no account in their ARN [unconfirmed: SSM UG examples]. */
function documentArn(name: string, env: AuthzEnv): string {
  if (name.startsWith('arn:')) return name;
  const account = name.startsWith('AWS-') ? '' : env.principal.accountId;
  return `arn:aws:ssm:${env.region}:${account}:document/${name}`;
}

function listMembers(m: Members, key: string): string[] {
  const v = m[key];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  // EC2/IAM query lists: Key.1, Key.2, ... (or Key.member.N)
  return Object.entries(m)
    .filter(([k]) => new RegExp(`^${key}(\\.member)?\\.\\d+$`).test(k))
    .sort(([a], [b]) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
    .map(([, v]) => String(v));
}

// ---------------------------------------------------------------------------------------------
// The table

const route53Row = (action: string, resources: ActionRow['resources'], source: string, extra: Partial<ActionRow> = {}): ActionRow => ({
  action: `route53:${action}`,
  resources,
  source,
  ...extra,
});
const ZONE = (m: Members) => [zoneArn(zoneId(m))];

const ROUTE53: Record<string, ActionRow> = {
  CreateHostedZone: route53Row('CreateHostedZone', STAR, 'SAR: no resource type, condition key route53:VPCs; R53 DG r53-api-permissions-ref: a private zone also needs ec2:DescribeVpcs and ec2:DescribeRegions', {
    context: route53Vpcs,
    dependent: (m) => ((m.VPC as { VPCId?: string } | undefined)?.VPCId ? [...DESCRIBE_VPCS, { action: 'ec2:DescribeRegions', resources: ['*'] }] : []),
  }),
  GetHostedZone: route53Row('GetHostedZone', ZONE, 'SAR: hostedzone*'),
  DeleteHostedZone: route53Row('DeleteHostedZone', ZONE, 'SAR: hostedzone*'),
  ListHostedZones: route53Row('ListHostedZones', STAR, 'SAR: no resource type'),
  ListHostedZonesByName: route53Row('ListHostedZonesByName', STAR, 'SAR: no resource type'),
  ListHostedZonesByVPC: route53Row('ListHostedZonesByVPC', STAR, 'SAR: no resource type, condition key route53:VPCs', { context: route53Vpcs }),
  GetChange: route53Row('GetChange', (m) => [`arn:aws:route53:::change/${(str(m.Id) ?? '').replace(/^\/?change\//, '')}`], 'SAR: change* (arn:aws:route53:::change/ID)'),
  AssociateVPCWithHostedZone: route53Row('AssociateVPCWithHostedZone', ZONE, 'SAR: hostedzone, condition key route53:VPCs; R53 DG r53-api-permissions-ref: also ec2:DescribeVpcs', {
    context: route53Vpcs,
    dependent: () => DESCRIBE_VPCS,
  }),
  DisassociateVPCFromHostedZone: route53Row('DisassociateVPCFromHostedZone', ZONE, 'SAR: hostedzone, condition key route53:VPCs; R53 DG r53-api-permissions-ref: also ec2:DescribeVpcs', {
    context: route53Vpcs,
    dependent: () => DESCRIBE_VPCS,
  }),
  ChangeResourceRecordSets: route53Row('ChangeResourceRecordSets', ZONE, 'SAR: hostedzone*, condition keys route53:ChangeResourceRecordSets{Actions,NormalizedRecordNames,RecordTypes}', { context: rrsetKeys }),
  ListResourceRecordSets: route53Row('ListResourceRecordSets', ZONE, 'SAR: hostedzone*'),
  CreateVPCAssociationAuthorization: route53Row('CreateVPCAssociationAuthorization', ZONE, 'SAR: hostedzone*, condition key route53:VPCs', { context: route53Vpcs }),
  DeleteVPCAssociationAuthorization: route53Row('DeleteVPCAssociationAuthorization', ZONE, 'SAR: hostedzone*, condition key route53:VPCs', { context: route53Vpcs }),
  ListVPCAssociationAuthorizations: route53Row('ListVPCAssociationAuthorizations', ZONE, 'R53 DG r53-api-permissions-ref: arn:aws:route53:::hostedzone/ID'),
  ChangeTagsForResource: route53Row(
    'ChangeTagsForResource',
    (m) => [`arn:aws:route53:::${str(m.ResourceType) === 'healthcheck' ? 'healthcheck' : 'hostedzone'}/${str(m.ResourceId) ?? ''}`],
    'SAR: healthcheck* or hostedzone*',
  ),
  ListTagsForResource: route53Row(
    'ListTagsForResource',
    (m) => [`arn:aws:route53:::${str(m.ResourceType) === 'healthcheck' ? 'healthcheck' : 'hostedzone'}/${str(m.ResourceId) ?? ''}`],
    'SAR: healthcheck or hostedzone',
  ),
};

const ec2Describe = (op: string): ActionRow => ({ action: `ec2:${op}`, resources: STAR, source: 'EC2 UG: ec2:Describe* take no resource-level permissions (Resource "*")' });

const EC2: Record<string, ActionRow> = {
  DescribeVpcs: ec2Describe('DescribeVpcs'),
  DescribeVpcEndpoints: ec2Describe('DescribeVpcEndpoints'),
  DescribeNetworkInterfaces: ec2Describe('DescribeNetworkInterfaces'),
  DescribeVpcEndpointServices: ec2Describe('DescribeVpcEndpointServices'),
  DescribeInstances: ec2Describe('DescribeInstances'),
  ModifyVpcEndpoint: {
    action: 'ec2:ModifyVpcEndpoint',
    resources: (m, env) => [endpointArn(str(m.VpcEndpointId) ?? '', env)],
    // Of the SAR's keys for vpc-endpoint the twin models aws:ResourceTag/* (not ec2:Attribute*, ec2:Vpce*).
    context: (m, env) => resourceTags(env.world.endpoints.find((e) => e.id === str(m.VpcEndpointId))?.tags),
    source: 'SAR (facts-2 §5): vpc-endpoint* (arn:aws:ec2:REGION:ACCOUNT:vpc-endpoint/ID); optional route-table, security-group, subnet are not sent by the migration',
  },
};

const profilesRow = (action: string, source: string, extra: Partial<ActionRow> = {}): ActionRow => ({
  action: `route53profiles:${action}`,
  resources: STAR,
  source,
  ...extra,
});
const PROFILES_STAR = 'SAR list_route53profiles: no resource type (Resource "*")';
/** route53profiles:ResourceIds: the VPC id, case-sensitive [R53 DG specifying-conditions-route53]. */
const profileVpc = (m: Members): Record<string, string[]> => {
  const vpc = str(m.ResourceId);
  return vpc ? { 'route53profiles:ResourceIds': [vpc] } : {};
};

const PROFILES: Record<string, ActionRow> = {
  CreateProfile: profilesRow('CreateProfile', `${PROFILES_STAR}; dependent TagResource (with tags) not modelled`),
  GetProfile: profilesRow('GetProfile', PROFILES_STAR),
  DeleteProfile: profilesRow('DeleteProfile', PROFILES_STAR),
  ListProfiles: profilesRow('ListProfiles', PROFILES_STAR),
  AssociateProfile: profilesRow('AssociateProfile', `${PROFILES_STAR}, condition key route53profiles:ResourceIds (the VPC id); dependent TagResource (with tags) not modelled`, {
    context: profileVpc,
  }),
  GetProfileAssociation: profilesRow('GetProfileAssociation', PROFILES_STAR),
  DisassociateProfile: profilesRow('DisassociateProfile', `${PROFILES_STAR}, condition key route53profiles:ResourceIds`, {
    context: profileVpc,
  }),
  ListProfileAssociations: profilesRow('ListProfileAssociations', PROFILES_STAR),
  AssociateResourceToProfile: profilesRow(
    'AssociateResourceToProfile',
    `${PROFILES_STAR}, condition keys route53profiles:ResourceTypes, ResourceArns, HostedZoneDomains (FirewallRuleGroupPriority, ResolverRuleDomains: no such resources in the twin)`,
    { context: (m, env) => profileResourceKeys(str(m.ResourceArn), env, true) },
  ),
  GetProfileResourceAssociation: profilesRow('GetProfileResourceAssociation', PROFILES_STAR),
  UpdateProfileResourceAssociation: profilesRow('UpdateProfileResourceAssociation', `${PROFILES_STAR}, condition keys as AssociateResourceToProfile minus ResourceArns`, {
    context: (m, env) => profileResourceKeys(env.world.resourceAssociations.find((a) => a.id === str(m.ProfileResourceAssociationId))?.resourceArn, env, false),
  }),
  DisassociateResourceFromProfile: profilesRow('DisassociateResourceFromProfile', `${PROFILES_STAR}, condition keys as AssociateResourceToProfile`, {
    context: (m, env) => profileResourceKeys(str(m.ResourceArn), env, true),
  }),
  ListProfileResourceAssociations: profilesRow('ListProfileResourceAssociations', PROFILES_STAR),
  ListTagsForResource: profilesRow('ListTagsForResource', PROFILES_STAR),
  TagResource: profilesRow('TagResource', 'SAR list_route53profiles: profile or profile-association (the ARN in the path)', { resources: (m) => [str(m.ResourceArn) ?? ''] }),
  UntagResource: profilesRow('UntagResource', 'SAR list_route53profiles: profile or profile-association (the ARN in the path)', { resources: (m) => [str(m.ResourceArn) ?? ''] }),
};

const ssmStar = (op: string): ActionRow => ({ action: `ssm:${op}`, resources: STAR, source: '[unconfirmed] SAR not re-read for this action: taken as no resource type (Resource "*")' });

const SSM: Record<string, ActionRow> = {
  DescribeInstanceInformation: ssmStar('DescribeInstanceInformation'),
  ListCommandInvocations: ssmStar('ListCommandInvocations'),
  GetCommandInvocation: ssmStar('GetCommandInvocation'),
  ListCommands: ssmStar('ListCommands'),
  CancelCommand: ssmStar('CancelCommand'),
  SendCommand: {
    action: 'ssm:SendCommand',
    // Each resource on its own: the document and every instance targeted.
    resources: (m, env) => [
      documentArn(str(m.DocumentName) ?? '', env),
      ...listMembers(m, 'InstanceIds').map((id) => {
        const inst = env.world.instances.find((i) => i.id === id);
        return `arn:aws:ec2:${env.region}:${inst?.ownerId ?? env.principal.accountId}:instance/${id}`;
      }),
    ],
    source: 'SAR (facts-2 §1): document* required, instance optional (arn:aws:ec2:REGION:ACCOUNT:instance/ID)',
  },
};

const IAM: Record<string, ActionRow> = {
  SimulatePrincipalPolicy: {
    action: 'iam:SimulatePrincipalPolicy',
    resources: (m) => [str(m.PolicySourceArn) ?? ''],
    source: '[unconfirmed] SAR (not re-read): user, group or role — the PolicySourceArn',
  },
};


// RAM [SAR list_awsresourceaccessmanagerram, not re-read here: resource types resource-share
// (arn:aws:ram:REGION:ACCOUNT:resource-share/ID) and resource-share-invitation
// (arn:aws:ram:REGION:ACCOUNT:resource-share-invitation/ID); a share that does not exist yet is
// authorized as resource-share/* — AWS's own denial message shows that ARN for CreateResourceShare
// [peer: awslabs/landing-zone-accelerator-on-aws#230]]. Condition keys: ram:RequestedAllowsExternalPrincipals
// (default true), ram:Principal, ram:RequestedResourceType, ram:ResourceArn [RAM UG
// control-access examples]. "AWS RAM authorizes APIs separately for each principal and resource
// listed in the call" [RAM UG scp examples]; the twin puts them all in one request [unconfirmed simplification].
const shareArn = (m: Members, env: AuthzEnv): string => str(m.resourceShareArn) ?? `arn:aws:ram:${env.region}:${env.principal.accountId}:resource-share/*`;
const ramMembers = (m: Members): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  const principals = listMembers(m, 'principals');
  const resources = listMembers(m, 'resourceArns');
  if (principals.length) out['ram:Principal'] = principals;
  if (resources.length) {
    out['ram:ResourceArn'] = resources;
    out['ram:RequestedResourceType'] = [...new Set(resources.map((r) => (/^arn:aws:route53profiles:[^:]*:\d*:profile\//.test(r) ? 'route53profiles:Profile' : r.split(':')[2] ?? '')))];
  }
  return out;
};
const ramRow = (action: string, resources: ActionRow['resources'], source: string, extra: Partial<ActionRow> = {}): ActionRow => ({ action: `ram:${action}`, resources, source, ...extra });
const RAM_SHARE = 'SAR: resource-share* [unconfirmed: SAR page not re-read]';
const RAM_STAR = 'SAR: no resource type (Resource "*") [unconfirmed: SAR page not re-read]';

const RAM: Record<string, ActionRow> = {
  CreateResourceShare: ramRow('CreateResourceShare', (_m, env) => [shareArn({}, env)], `${RAM_SHARE}, condition keys ram:RequestedAllowsExternalPrincipals, ram:Principal, ram:RequestedResourceType, ram:ResourceArn`, {
    context: (m) => ({ ...ramMembers(m), 'ram:RequestedAllowsExternalPrincipals': [String(m.allowExternalPrincipals !== false)] }),
  }),
  GetResourceShares: ramRow('GetResourceShares', STAR, RAM_STAR),
  AssociateResourceShare: ramRow('AssociateResourceShare', (m, env) => [shareArn(m, env)], `${RAM_SHARE}, condition keys ram:Principal, ram:RequestedResourceType, ram:ResourceArn`, { context: ramMembers }),
  DisassociateResourceShare: ramRow('DisassociateResourceShare', (m, env) => [shareArn(m, env)], `${RAM_SHARE}, condition keys ram:Principal, ram:RequestedResourceType, ram:ResourceArn`, { context: ramMembers }),
  DeleteResourceShare: ramRow('DeleteResourceShare', (m, env) => [shareArn(m, env)], RAM_SHARE),
  GetResourceShareAssociations: ramRow('GetResourceShareAssociations', STAR, RAM_STAR),
  GetResourceShareInvitations: ramRow('GetResourceShareInvitations', STAR, RAM_STAR),
  AcceptResourceShareInvitation: ramRow('AcceptResourceShareInvitation', (m) => [str(m.resourceShareInvitationArn) ?? ''], 'SAR: resource-share-invitation* [unconfirmed: SAR page not re-read]'),
  RejectResourceShareInvitation: ramRow('RejectResourceShareInvitation', (m) => [str(m.resourceShareInvitationArn) ?? ''], 'SAR: resource-share-invitation* [unconfirmed: SAR page not re-read]'),
  ListResources: ramRow('ListResources', STAR, RAM_STAR),
  EnableSharingWithAwsOrganization: ramRow('EnableSharingWithAwsOrganization', STAR, `${RAM_STAR}; dependent iam:CreateServiceLinkedRole and organizations:* actions not modelled`),
};

// Organizations [SAR list_awsorganizations, read through cdk-iam-floyd's generated statements:
// DescribeOrganization is Access Level Read with no resource type and no condition keys, so the
// policy's Resource must be "*" [unconfirmed: the SAR page itself not re-read]].
const ORGANIZATIONS: Record<string, ActionRow> = {
  DescribeOrganization: {
    action: 'organizations:DescribeOrganization',
    resources: STAR,
    source: 'SAR: no resource type (Resource "*") [unconfirmed: SAR page not re-read]',
  },
};

// S3 [UG using-with-s3-policy-actions "Required permissions for Amazon S3 API operations"; SAR
// list_amazons3 (not re-read here): resource types bucket (arn:aws:s3:::NAME) and object
// (arn:aws:s3:::NAME/KEY)]. The conditional headers are the condition keys s3:if-match and
// s3:if-none-match (present only when sent: bucket policies enforce them with Null [UG
// conditional-writes-enforce]). An If-Match write or delete also needs s3:GetObject [UG
// conditional-writes; conditional-deletes: "you must have the s3:DeleteObject and s3:GetObject
// permissions"] — for a delete the UG says so of an ETag; the twin asks it for `*` too [unconfirmed].
const s3Bucket = (m: Members): string => `arn:aws:s3:::${str(m.Bucket) ?? ''}`;
const s3Object = (m: Members): string => `${s3Bucket(m)}/${str(m.Key) ?? ''}`;
const s3Conditions = (m: Members): Record<string, string[]> => ({
  ...(str(m.IfMatch) !== undefined ? { 's3:if-match': [str(m.IfMatch)!] } : {}),
  ...(str(m.IfNoneMatch) !== undefined ? { 's3:if-none-match': [str(m.IfNoneMatch)!] } : {}),
});
const s3GetForIfMatch = (m: Members) => (str(m.IfMatch) !== undefined ? [{ action: 's3:GetObject', resources: [s3Object(m)] }] : []);
const s3Row = (action: string, resources: ActionRow['resources'], source: string, extra: Partial<ActionRow> = {}): ActionRow => ({ action: `s3:${action}`, resources, source, ...extra });
const S3_UG = 'UG using-with-s3-policy-actions';

const S3: Record<string, ActionRow> = {
  CreateBucket: s3Row('CreateBucket', (m) => [s3Bucket(m)], `${S3_UG}: s3:CreateBucket on the bucket`),
  HeadBucket: s3Row('ListBucket', (m) => [s3Bucket(m)], 'API HeadBucket: "you must have permissions to perform the s3:ListBucket action"'),
  DeleteBucket: s3Row('DeleteBucket', (m) => [s3Bucket(m)], `${S3_UG}: s3:DeleteBucket on the bucket`),
  ListBuckets: s3Row('ListAllMyBuckets', STAR, `${S3_UG}: s3:ListAllMyBuckets, no resource type`),
  ListObjectsV2: s3Row('ListBucket', (m) => [s3Bucket(m)], 'API ListObjectsV2: s3:ListBucket on the bucket'),
  GetObject: s3Row('GetObject', (m) => [s3Object(m)], `${S3_UG}: s3:GetObject on the object`),
  HeadObject: s3Row('GetObject', (m) => [s3Object(m)], 'API HeadObject: "you must have the s3:GetObject permission"'),
  PutObject: s3Row('PutObject', (m) => [s3Object(m)], 'UG conditional-writes: s3:PutObject; with If-Match also s3:GetObject; condition keys s3:if-match, s3:if-none-match', {
    context: s3Conditions,
    dependent: s3GetForIfMatch,
  }),
  DeleteObject: s3Row('DeleteObject', (m) => [s3Object(m)], 'UG conditional-deletes: s3:DeleteObject; with If-Match also s3:GetObject; condition key s3:if-match', {
    context: s3Conditions,
    dependent: s3GetForIfMatch,
  }),
};

/** Per service, per operation. STS is absent on purpose (see NOT_EVALUATED). */
export const IAM_ACTIONS: Partial<Record<ServiceName, Record<string, ActionRow>>> = {
  route53: ROUTE53,
  ec2: EC2,
  route53profiles: PROFILES,
  ssm: SSM,
  iam: IAM,
  ram: RAM,
  organizations: ORGANIZATIONS,
  s3: S3,
};

/** Operations IAM identity policies do not govern, and why. */
export const NOT_EVALUATED: Record<string, string> = {
  'sts:GetCallerIdentity': 'no permission is required to call GetCallerIdentity (an explicit deny does not stop it) [STS API reference GetCallerIdentity]',
  'sts:AssumeRole': "governed by the role's trust policy (world.roles), which STS itself checks",
};

/**
 * The requests IAM authorizes for one API call: the action on each resource, then each dependent
 * action; every one must be allowed. undefined: the operation is not evaluated (STS, or unknown).
 */
export function authorizationRequests(service: ServiceName, operation: string, members: Members, env: AuthzEnv): AuthorizationRequest[] | undefined {
  const row = IAM_ACTIONS[service]?.[operation];
  if (!row) return undefined;
  const global = globalKeys(env);
  const context = { ...global, ...(row.context?.(members, env) ?? {}) };
  const out: AuthorizationRequest[] = row.resources(members, env).map((resource) => ({ action: row.action, resource, context }));
  for (const d of row.dependent?.(members, env) ?? []) {
    for (const resource of d.resources) out.push({ action: d.action, resource, context: global });
  }
  return out;
}

/**
 * Global keys every request carries [IAM UG reference_policies_condition-keys]: aws:RequestedRegion
 * (the region the request was signed for), aws:PrincipalAccount, aws:PrincipalArn (for a role
 * session the role's ARN, not the session's).
 */
function globalKeys(env: AuthzEnv): Record<string, string[]> {
  return {
    'aws:RequestedRegion': [env.region],
    'aws:PrincipalAccount': [env.principal.accountId],
    'aws:PrincipalArn': [env.principal.entityArn],
  };
}
