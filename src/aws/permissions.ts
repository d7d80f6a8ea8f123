// What each AWS request r53migrate sends needs from IAM: for every SDK command the code sends (a
// test scans src/ for `new XxxCommand(` and fails when one has no row here, or a row no command),
// the IAM action it is authorized by, the resource type the Service Authorization Reference (SAR)
// lists for it — "*" where it lists none, since a policy can't narrow those by ARN — and the
// condition keys that can narrow it instead. The policy generator (iam-policy.ts) builds every
// statement from these rows, so a command, its action and its resource pattern can't drift apart.
// Sources: docs/aws-facts.md, "IAM: what a run needs" and "IAM: prepare".
import type { AwsService } from './errors.js';

/** The resource types r53migrate's calls touch (SAR names), or '*' when the action has none. */
export type ResourceKind = 'hostedzone' | 'change' | 'vpc-endpoint' | 'profile' | 'resource-share' | 'resource-share-invitation' | 'document+instance' | 'role-or-user' | 'object' | 'bucket' | '*' | 'none';

/** The services the IAM tables cover: AwsAccess's, and S3 (the state backend's own client, aws/s3-object-store.ts). */
export type PermissionService = AwsService | 's3';

export interface CommandPermission {
  /** The client that sends it. */
  service: PermissionService;
  /** The API operation (the SDK command's name without `Command`). */
  operation: string;
  /** The IAM action that authorizes it; null when the call needs no permission. */
  action: string | null;
  /** What the SAR lists as its resource type; '*': none, so `"Resource": "*"`. */
  resource: ResourceKind;
  /** The ARN pattern of that resource type (placeholders in braces). */
  resourcePattern: string;
  /** Condition keys that narrow the action where its resource can't (or further). */
  conditionKeys: string[];
  /** Other actions the service checks for the same request (each on "*"). */
  dependentActions: string[];
  /** Where the facts come from. */
  source: string;
}

const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference';
const R53 = `${SAR}/list_amazonroute53.html`;
const PROFILES = `${SAR}/list_route53profiles.html`;
const EC2 = `${SAR}/list_amazonec2.html`;
const SSM = `${SAR}/list_awssystemsmanager.html`;
const IAM = `${SAR}/list_awsidentityandaccessmanagementiam.html`;
const RAM = `${SAR}/list_awsresourceaccessmanagerram.html`;
const ORGANIZATIONS = `${SAR}/list_awsorganizations.html`;
/**
 * RAM's rows: the resource types and keys as the SAR lists them, read through cdk-iam-floyd's
 * generated ram.ts (the SAR page itself not re-read); CreateResourceShare on resource-share/*
 * because AWS's own denial names that ARN (landing-zone-accelerator-on-aws#230); an invitation's
 * ARN is in the sender's account (RAM UG's get-resource-share-invitations example).
 */
const RAM_NOTE = `${RAM} [unconfirmed: the SAR page itself not re-read; through udondan/iam-floyd lib/generated/policy-statements/ram.ts]`;
const R53_VPC_KEYS = 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-conditions-route53.html';
/** "Required permissions" per API: a private zone's VPC also needs ec2:DescribeVpcs (and a new one ec2:DescribeRegions). */
const R53_REF = 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/r53-api-permissions-ref.html';

const ZONE = 'arn:aws:route53:::hostedzone/{ZoneId}';
const PROFILE = 'arn:aws:route53profiles:{Region}:{Account}:profile/{ProfileId}';
const SHARE = 'arn:aws:ram:{Region}:{Account}:resource-share/{ResourceShareId}';
/** The account is the share owner's (the sender of the invitation), not the receiver's. */
const INVITATION = 'arn:aws:ram:{Region}:{SenderAccount}:resource-share-invitation/{InvitationId}';
const TAG_ON_CREATE = ['aws:RequestTag/${TagKey}', 'aws:TagKeys'];
const VPCS = ['route53:VPCs'];
const PROFILE_RESOURCE_KEYS = ['route53profiles:ResourceTypes', 'route53profiles:ResourceArns', 'route53profiles:HostedZoneDomains'];

function row(service: PermissionService, operation: string, resource: ResourceKind, resourcePattern: string, conditionKeys: string[], source: string, dependentActions: string[] = [], action = `${service}:${operation}`): CommandPermission {
  return { service, operation, action: resource === 'none' ? null : action, resource, resourcePattern, conditionKeys, dependentActions, source };
}

const S3 = `${SAR}/list_amazons3.html`;
const S3_CONDITIONAL = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html';
const OBJECT = 'arn:aws:s3:::{BucketName}/{ObjectName}';

/** Every command r53migrate sends, keyed `service:Operation` (two services share ListTagsForResource). */
export const COMMAND_PERMISSIONS: Readonly<Record<string, CommandPermission>> = Object.fromEntries(
  [
    // Route 53: a private zone's VPC associations are narrowed by route53:VPCs ("VPCId=vpc-x,VPCRegion=r", lowercase).
    row('route53', 'AssociateVPCWithHostedZone', 'hostedzone', ZONE, VPCS, `${R53}; ${R53_VPC_KEYS}; ${R53_REF}`, ['ec2:DescribeVpcs']),
    row('route53', 'DisassociateVPCFromHostedZone', 'hostedzone', ZONE, VPCS, `${R53}; ${R53_VPC_KEYS}; ${R53_REF}`, ['ec2:DescribeVpcs']),
    row('route53', 'CreateVPCAssociationAuthorization', 'hostedzone', ZONE, VPCS, `${R53}; ${R53_VPC_KEYS}`),
    row('route53', 'DeleteVPCAssociationAuthorization', 'hostedzone', ZONE, VPCS, `${R53}; ${R53_VPC_KEYS}`),
    row('route53', 'ListVPCAssociationAuthorizations', 'hostedzone', ZONE, [], R53),
    row('route53', 'ListHostedZonesByVPC', '*', '*', VPCS, `${R53}; ${R53_VPC_KEYS}`),
    row('route53', 'ListHostedZonesByName', '*', '*', [], R53),
    row('route53', 'CreateHostedZone', '*', '*', VPCS, `${R53}; ${R53_VPC_KEYS}; ${R53_REF}`, ['ec2:DescribeVpcs', 'ec2:DescribeRegions']),
    row('route53', 'GetHostedZone', 'hostedzone', ZONE, [], R53),
    row('route53', 'ListResourceRecordSets', 'hostedzone', ZONE, [], R53),
    row(
      'route53',
      'ChangeResourceRecordSets',
      'hostedzone',
      ZONE,
      ['route53:ChangeResourceRecordSetsActions', 'route53:ChangeResourceRecordSetsNormalizedRecordNames', 'route53:ChangeResourceRecordSetsRecordTypes'],
      `${R53}; ${R53_VPC_KEYS}`,
    ),
    row('route53', 'ChangeTagsForResource', 'hostedzone', ZONE, [], R53),
    row('route53', 'ListTagsForResource', 'hostedzone', ZONE, [], R53),
    row('route53', 'DeleteHostedZone', 'hostedzone', ZONE, [], R53),
    row('route53', 'GetChange', 'change', 'arn:aws:route53:::change/{ChangeId}', [], R53),
    // Route 53 Profiles: Associate/Disassociate/Get/List take no resource type (Resource "*");
    // the condition keys of the 2026 fine-grained permissions narrow the writes instead.
    row('route53profiles', 'AssociateProfile', '*', '*', ['route53profiles:ResourceIds'], PROFILES),
    row('route53profiles', 'DisassociateProfile', '*', '*', ['route53profiles:ResourceIds'], PROFILES),
    row('route53profiles', 'AssociateResourceToProfile', '*', '*', PROFILE_RESOURCE_KEYS, PROFILES),
    row('route53profiles', 'DisassociateResourceFromProfile', '*', '*', PROFILE_RESOURCE_KEYS, PROFILES),
    row('route53profiles', 'GetProfile', '*', '*', [], PROFILES),
    row('route53profiles', 'ListProfileAssociations', '*', '*', [], PROFILES),
    row('route53profiles', 'ListProfileResourceAssociations', '*', '*', [], PROFILES),
    row('route53profiles', 'ListTagsForResource', '*', '*', [], PROFILES),
    row('route53profiles', 'TagResource', 'profile', PROFILE, [], PROFILES),
    row('route53profiles', 'UntagResource', 'profile', PROFILE, [], PROFILES),
    // Prepare (steps/prepare.ts): only Tag/Untag (and the Profile policy calls) take an ARN, so
    // List/Create/Delete take "*" (aws-facts-2 §5). CreateProfile with Tags also needs TagResource
    // (the SAR's operations table maps CreateProfile to both): on the new Profile, profile/*.
    row('route53profiles', 'ListProfiles', '*', '*', [], PROFILES),
    row('route53profiles', 'CreateProfile', '*', '*', TAG_ON_CREATE, PROFILES, ['route53profiles:TagResource']),
    row('route53profiles', 'DeleteProfile', '*', '*', [], PROFILES),
    // RAM: the share that carries the Profile to the plan's other accounts. Reads take no resource
    // type; the share's writes take resource-share (a share not made yet: resource-share/*);
    // accepting takes the invitation. CreateResourceShare with tags also needs ram:TagResource
    // (the SAR's operations table maps it to both).
    row('ram', 'GetResourceShares', '*', '*', TAG_ON_CREATE, RAM_NOTE),
    row('ram', 'GetResourceShareAssociations', '*', '*', [], RAM_NOTE),
    row('ram', 'GetResourceShareInvitations', '*', '*', [], RAM_NOTE),
    row(
      'ram',
      'CreateResourceShare',
      'resource-share',
      SHARE,
      ['ram:RequestedAllowsExternalPrincipals', 'ram:Principal', 'ram:RequestedResourceType', 'ram:ResourceArn', ...TAG_ON_CREATE],
      RAM_NOTE,
      ['ram:TagResource'],
    ),
    row('ram', 'AssociateResourceShare', 'resource-share', SHARE, ['ram:Principal', 'ram:RequestedResourceType', 'ram:ResourceArn', 'ram:AllowsExternalPrincipals', 'ram:ResourceShareName', 'aws:ResourceTag/${TagKey}'], RAM_NOTE),
    row('ram', 'DisassociateResourceShare', 'resource-share', SHARE, ['ram:Principal', 'ram:RequestedResourceType', 'ram:ResourceArn', 'ram:AllowsExternalPrincipals', 'ram:ResourceShareName', 'aws:ResourceTag/${TagKey}'], RAM_NOTE),
    row('ram', 'DeleteResourceShare', 'resource-share', SHARE, ['ram:AllowsExternalPrincipals', 'ram:ResourceShareName', 'aws:ResourceTag/${TagKey}'], RAM_NOTE),
    row('ram', 'AcceptResourceShareInvitation', 'resource-share-invitation', INVITATION, ['ram:ShareOwnerAccountId', 'ram:ResourceShareName'], RAM_NOTE),
    // Organizations: whether the plan's accounts share the Profile owner's organization (only when the sharing depends on it).
    row('organizations', 'DescribeOrganization', '*', '*', [], `${ORGANIZATIONS} [unconfirmed: the SAR page itself not re-read; through cdk-iam-floyd's generated statements]`),
    // EC2: Describe* support no resource-level permissions; ModifyVpcEndpoint requires vpc-endpoint.
    row('ec2', 'DescribeVpcs', '*', '*', [], EC2),
    row('ec2', 'DescribeVpcEndpoints', '*', '*', [], EC2),
    row('ec2', 'DescribeVpcEndpointServices', '*', '*', [], EC2),
    row('ec2', 'DescribeNetworkInterfaces', '*', '*', [], EC2),
    row('ec2', 'DescribeInstances', '*', '*', [], EC2),
    row('ec2', 'ModifyVpcEndpoint', 'vpc-endpoint', 'arn:aws:ec2:{Region}:{Account}:vpc-endpoint/{VpcEndpointId}', [], EC2),
    // SSM Run Command: SendCommand requires the document and takes the instances; the rest take none.
    row('ssm', 'SendCommand', 'document+instance', 'arn:aws:ssm:{Region}::document/AWS-RunShellScript, arn:aws:ec2:{Region}:{Account}:instance/{InstanceId}', [], SSM),
    row('ssm', 'ListCommandInvocations', '*', '*', [], SSM),
    row('ssm', 'GetCommandInvocation', '*', '*', [], SSM),
    row('ssm', 'CancelCommand', '*', '*', [], SSM),
    row('ssm', 'DescribeInstanceInformation', '*', '*', [], SSM),
    // STS GetCallerIdentity needs no permission ("No permissions are required to perform this operation").
    row('sts', 'GetCallerIdentity', 'none', '', [], 'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html'),
    // The S3 state backend (aws/s3-object-store.ts): HeadObject is authorized as s3:GetObject and
    // ListObjectsV2 as s3:ListBucket (S3's own action names); a PutObject with If-Match needs
    // s3:GetObject too.
    row('s3', 'GetObject', 'object', OBJECT, [], S3),
    row('s3', 'HeadObject', 'object', OBJECT, [], S3, [], 's3:GetObject'),
    row('s3', 'PutObject', 'object', OBJECT, [], `${S3}; ${S3_CONDITIONAL}`),
    row('s3', 'DeleteObject', 'object', OBJECT, [], S3),
    row('s3', 'ListObjectsV2', 'bucket', 'arn:aws:s3:::{BucketName}', ['s3:prefix'], S3, [], 's3:ListBucket'),
    // The pre-flight check: the caller simulates its own policies.
    row('iam', 'SimulatePrincipalPolicy', 'role-or-user', 'arn:aws:iam::{Account}:role/{RoleName} (or user/{UserName})', [], IAM),
  ].map((r) => [`${r.service}:${r.operation}`, r]),
);

/**
 * Actions no command of ours is authorized by, but a service checks besides one (its "dependent
 * actions"), with the resource type each takes. ec2:DescribeVpcs and route53profiles:TagResource
 * are commands of ours too (discovery's, the estate mark's).
 */
export const DEPENDENT_ONLY_ACTIONS: Readonly<Record<string, { resource: ResourceKind; resourcePattern: string; source: string }>> = {
  'ec2:DescribeRegions': { resource: '*', resourcePattern: '*', source: R53_REF },
  // CreateResourceShare with tags: on the share it makes (resource-share/*) [unconfirmed: which ARN RAM authorizes it on].
  'ram:TagResource': { resource: 'resource-share', resourcePattern: SHARE, source: `${SAR}/list_ram.html (operations table: CreateResourceShare → ram:CreateResourceShare, ram:TagResource)` },
};

/** The row of the command an IAM action authorizes (`s3:ListBucket` is ListObjectsV2's); undefined when none is ours. */
export function permissionForAction(action: string): CommandPermission | undefined {
  return COMMAND_PERMISSIONS[action] ?? Object.values(COMMAND_PERMISSIONS).find((r) => r.action === action);
}

/** The row of `service:Operation`; a missing row is our bug (the drift test keeps them complete). */
export function permissionOf(service: PermissionService, operation: string): CommandPermission {
  const r = COMMAND_PERMISSIONS[`${service}:${operation}`];
  if (!r) throw new Error(`no IAM permission row for ${service}:${operation} in src/aws/permissions.ts`);
  return r;
}

/** IAM's global region per partition (IAM has one endpoint per partition; requests are signed for it). */
export function iamRegionFor(region: string): string {
  if (region.startsWith('cn-')) return 'cn-north-1';
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}

// ARNs, as the code builds them (world.ts hostedZoneArn / vpcEndpointArn use the `aws` partition).
export const arn = {
  zone: (zoneId: string) => `arn:aws:route53:::hostedzone/${zoneId}`,
  /** Any zone: a rollback re-creates deleted zones under ids nobody knows before. */
  anyZone: 'arn:aws:route53:::hostedzone/*',
  /** Change ids are made by each call. */
  anyChange: 'arn:aws:route53:::change/*',
  endpoint: (region: string, accountId: string | undefined, id: string) => `arn:aws:ec2:${region}:${accountId ?? '*'}:vpc-endpoint/${id}`,
  profile: (region: string, accountId: string | undefined, id: string) => `arn:aws:route53profiles:${region}:${accountId ?? '*'}:profile/${id}`,
  /** Any Profile of the account: one prepare creates has no id before it exists. */
  anyProfile: (region: string, accountId: string | undefined) => `arn:aws:route53profiles:${region}:${accountId ?? '*'}:profile/*`,
  /** Any RAM resource share of the account: ids are made by CreateResourceShare (and an existing one is found by name). */
  anyShare: (region: string, accountId: string | undefined) => `arn:aws:ram:${region}:${accountId ?? '*'}:resource-share/*`,
  /** Any invitation the account sent (an invitation's ARN carries its sender's account). */
  invitationsFrom: (region: string, senderAccountId: string | undefined) => `arn:aws:ram:${region}:${senderAccountId ?? '*'}:resource-share-invitation/*`,
  instance: (region: string, accountId: string | undefined, id: string) => `arn:aws:ec2:${region}:${accountId ?? '*'}:instance/${id}`,
  /** AWS-owned documents carry no account in their ARN. */
  shellDocument: (region: string) => `arn:aws:ssm:${region}::document/AWS-RunShellScript`,
  /** Every object under a key prefix ('' for the whole bucket). */
  objects: (bucket: string, prefix: string) => `arn:aws:s3:::${bucket}/${prefix}*`,
  bucket: (bucket: string) => `arn:aws:s3:::${bucket}`,
};

/** route53:VPCs's value for one VPC: lowercase, exactly this format (Route 53 DG, "Normalizing the condition key values"). */
export function vpcConditionValue(vpcId: string, region: string): string {
  return `VPCId=${vpcId.toLowerCase()},VPCRegion=${region.toLowerCase()}`;
}

/**
 * The principal whose policies the simulator evaluates, from GetCallerIdentity's ARN: an assumed
 * role's session names the role (its path is not in the session ARN: the plan's roleArn, which
 * has it, is used when it names that role), a user is itself. Root and federated users can't be
 * simulated: undefined, with why.
 */
export function principalOf(callerArn: string, planRoleArn?: string): { arn: string } | { arn?: undefined; why: string } {
  const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (assumed) {
    const [, partition, account, role] = assumed;
    if (planRoleArn && planRoleArn.startsWith(`arn:${partition}:iam::${account}:role/`) && planRoleArn.endsWith(`/${role}`)) return { arn: planRoleArn };
    return { arn: `arn:${partition}:iam::${account}:role/${role}` };
  }
  if (/^arn:aws[a-z-]*:iam::\d{12}:user\/.+$/.test(callerArn)) return { arn: callerArn };
  if (/^arn:aws[a-z-]*:iam::\d{12}:root$/.test(callerArn)) return { why: 'these are the account\'s root credentials, which the IAM policy simulator does not take (root may do everything the organization allows)' };
  return { why: `the caller ${callerArn} is neither an IAM role session nor an IAM user, which the IAM policy simulator needs` };
}
