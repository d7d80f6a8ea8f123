// AWS Organizations, the one operation the migration needs: DescribeOrganization (is this
// account in an organization, which one, who manages it). A pure function of (ctx, input) over
// world.organization; the wire front end (wire/organizations.ts) parses and renders.
// docs/aws-facts.md "Organizations: DescribeOrganization" lists the facts with their sources:
//   [model]  botocore organizations-2016-11-28 service-2.json (shapes, errors, documentation)
//   [API]    Organizations API reference, DescribeOrganization / Organization
//   [peer]   a public issue thread quoting AWS's answer, named
import { AwsApiError } from '../errors.js';
import type { CallContext } from '../protocol.js';
import type { Organization, World } from '../world.js';

/** "Your account is not a member of an organization." [peer: cloud-custodian#8106, duo-labs/cloudmapper#733; HTTP 400: nozaq/terraform-aws-secure-baseline#70]. */
export const NOT_IN_USE_MESSAGE = 'Your account is not a member of an organization.';

export interface DescribeOrganizationOutput {
  Organization: {
    Id: string;
    Arn: string;
    FeatureSet: 'ALL' | 'CONSOLIDATED_BILLING';
    MasterAccountArn: string;
    MasterAccountId: string;
    MasterAccountEmail: string;
    AvailablePolicyTypes: { Type: string; Status: string }[];
  };
}

/** The organization the account belongs to, if any (the management account is a member too). */
export function organizationOf(world: World, accountId: string): Organization | undefined {
  const org = world.organization;
  return org && (org.accountIds.includes(accountId) || org.managementAccountId === accountId) ? org : undefined;
}

/** The management account's email: the world's, else one derived from the account's name [unconfirmed: any address does]. */
function managementEmail(world: World, org: Organization): string {
  if (org.managementAccountEmail) return org.managementAccountEmail;
  const name = world.accounts.find((a) => a.id === org.managementAccountId)?.name ?? org.managementAccountId;
  return `aws+${name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}@example.com`;
}

/**
 * "Retrieves information about the organization that the user's account belongs to. You can
 * call this operation from any account in a organization." [model/API DescribeOrganization].
 * A caller outside every organization: AWSOrganizationsNotInUseException [model errors].
 * FeatureSet is ALL (RAM sharing with AWS Organizations needs all features); the deprecated
 * AvailablePolicyTypes is empty (no SCPs enabled in the twin's organizations) [API: "deprecated,
 * and you shouldn't use it"].
 */
export function describeOrganization(ctx: CallContext, _input: Record<string, unknown> = {}): DescribeOrganizationOutput {
  const org = organizationOf(ctx.world, ctx.accountId);
  if (!org) throw new AwsApiError('AWSOrganizationsNotInUseException', NOT_IN_USE_MESSAGE, 400);
  const mgmt = org.managementAccountId;
  return {
    Organization: {
      Id: org.id,
      // arn:aws:organizations::MGMT:organization/o-... and ...:account/o-.../MGMT [model OrganizationArn, AccountArn patterns].
      Arn: `arn:aws:organizations::${mgmt}:organization/${org.id}`,
      FeatureSet: 'ALL',
      MasterAccountArn: `arn:aws:organizations::${mgmt}:account/${org.id}/${mgmt}`,
      MasterAccountId: mgmt,
      MasterAccountEmail: managementEmail(ctx.world, org),
      AvailablePolicyTypes: [],
    },
  };
}
