// IAM as a stage of the twin's request pipeline (after SigV4 and routing, before faults, rate
// limits and the operation): the caller's account policy must allow every request the operation
// makes (iam-actions.ts), else the call is answered with the protocol's access-denied error and
// never reaches the world. An account without a policy (world.iamPolicies[id] undefined) is not
// evaluated at all: everything is allowed, as before policies existed.
import { AwsApiError } from './errors.js';
import { authorizationRequests } from './iam-actions.js';
import { evaluatePolicies, type AuthorizationRequest, type Evaluation, type PolicyDocument, type PolicySource } from './iam.js';
import type { Principal, RawRequest, ServiceFrontEnd, ServiceName } from './protocol.js';
import { derive, type World } from './world.js';

/** The user every account's static access key belongs to (GetCallerIdentity's Arn). */
export const TWIN_USER_NAME = 'twin';
/** The name the simulator reports for the policy attached to an account's user and role. */
export const POLICY_NAME = 'r53migrate';

export function userPrincipal(accountId: string): Principal {
  const arn = `arn:aws:iam::${accountId}:user/${TWIN_USER_NAME}`;
  return { accountId, kind: 'user', arn, userId: `AIDA${accountId}`, entityArn: arn };
}

/** A role's unique id (AROA + 17 characters), stable for its ARN. */
export function roleIdOf(roleArn: string): string {
  return `AROA${derive(roleArn, 17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
}

export function sessionPrincipal(accountId: string, roleArn: string, sessionName: string, roleId = roleIdOf(roleArn)): Principal {
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return {
    accountId,
    kind: 'assumed-role',
    arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    userId: `${roleId}:${sessionName}`,
    entityArn: roleArn,
  };
}

/** The identity policies attached to an entity of the account; undefined: the account has none (allow all). */
export function policySourcesFor(world: World, accountId: string, entityArn: string): PolicySource[] | undefined {
  const doc: PolicyDocument | undefined = world.iamPolicies?.[accountId];
  if (!doc) return undefined;
  // One inline policy per account, on its user and on its role alike.
  return [{ id: POLICY_NAME, type: entityArn.includes(':role/') ? 'role' : 'user', document: doc }];
}

export interface Denial {
  request: AuthorizationRequest;
  evaluation: Evaluation;
  error: AwsApiError;
}

/**
 * Authorizes one API call. Returns the first denial (an explicit deny before an implicit one), or
 * undefined when every request is allowed or the call is not evaluated.
 */
export function authorize(
  world: World,
  principal: Principal,
  fe: ServiceFrontEnd,
  operation: string,
  req: RawRequest,
  region: string,
): Denial | undefined {
  const sources = policySourcesFor(world, principal.accountId, principal.entityArn);
  if (!sources || !fe.members) return undefined;
  const requests = authorizationRequests(fe.service, operation, fe.members(operation, req), { world, principal, region });
  if (!requests) return undefined;
  let first: Denial | undefined;
  for (const request of requests) {
    const evaluation = evaluatePolicies(sources, request);
    if (evaluation.decision === 'allowed') continue;
    const denial = { request, evaluation, error: accessDenied(fe.service, principal, request, evaluation, fe.isMutating(operation)) };
    if (evaluation.decision === 'explicitDeny') return denial;
    first ??= denial;
  }
  return first;
}

/**
 * AWS's wording [peer: mattclay/aws-terminator#261, hashicorp/terraform-provider-aws#34234,
 * aws/karpenter-provider-aws#7370, terraform-aws-modules/terraform-aws-iam#347]:
 * "User: ARN is not authorized to perform: ACTION on resource: RESOURCE because no identity-based
 * policy allows the ACTION action" / "... with an explicit deny in an identity-based policy".
 * Route 53 and EC2 leave out "on resource: *" for actions without a resource
 * [peer: ministryofjustice/modernisation-platform#1837, hashicorp/terraform-provider-aws#34234];
 * SSM says "on resource: *" [peer: terraform-aws-modules/terraform-aws-iam#347]; S3 quotes the
 * ARN: 'on "resource-arn"' [UG troubleshoot-403-errors, access denied message examples].
 */
export function deniedMessage(service: ServiceName, principal: Principal, request: AuthorizationRequest, explicit: boolean): string {
  const omitStar = request.resource === '*' && (service === 'route53' || service === 'ec2');
  const resource = service === 's3' ? `"${request.resource}"` : request.resource;
  const onResource = omitStar ? '' : ` on resource: ${resource}`;
  const why = explicit ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${request.action} action`;
  return `User: ${principal.arn} is not authorized to perform: ${request.action}${onResource} ${why}`;
}

/** The protocol's access-denied error (code, HTTP status) for a denied request. */
export function accessDenied(service: ServiceName, principal: Principal, request: AuthorizationRequest, evaluation: Evaluation, mutating: boolean): AwsApiError {
  const explicit = evaluation.decision === 'explicitDeny';
  const message = deniedMessage(service, principal, request, explicit);
  switch (service) {
    case 'ec2': {
      // EC2: UnauthorizedOperation 403, the sentence prefixed; mutating actions add an encoded
      // authorization failure message [peer: aws/karpenter-provider-aws#7370, describe calls without one: #34234].
      const encoded = mutating ? `. Encoded authorization failure message: ${encodeFailure(principal, request, evaluation)}` : '';
      return new AwsApiError('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}${encoded}`, 403);
    }
    case 'route53profiles':
    case 'ram':
      // RAM: AccessDeniedException, 403 [peer: awslabs/landing-zone-accelerator-on-aws#230 "Service: AWSRAM; Status Code: 403"].
      // REST-JSON AccessDeniedException; the model gives no status, the twin answers 403 as AWS's front door does [unconfirmed].
      return new AwsApiError('AccessDeniedException', message, 403);
    case 'organizations':
      // Organizations (JSON 1.1): AccessDeniedException with its own sentence, not the IAM one
      // [peer: awslabs/aws-innovation-sandbox#6, prowler-cloud/prowler#2133, #10215 "You don't have
      // permissions to access this resource."]; HTTP 400 as JSON 1.1 client errors are [unconfirmed].
      return new AwsApiError('AccessDeniedException', "You don't have permissions to access this resource.", 400);
    case 'ssm':
      // JSON 1.1: AccessDeniedException with HTTP 400 [peer: terraform-aws-modules/terraform-aws-iam#347 "status code: 400"].
      return new AwsApiError('AccessDeniedException', message, 400);
    default:
      // Route 53 (rest-xml), S3 (rest-xml), STS and IAM (query): AccessDenied, 403, Sender.
      return new AwsApiError('AccessDenied', message, 403);
  }
}

/**
 * What sts:DecodeAuthorizationMessage would reveal, base64url-encoded (the twin does not serve
 * DecodeAuthorizationMessage; the shape follows its documented DecodedMessage: allowed,
 * explicitDeny, matchedStatements, context).
 */
function encodeFailure(principal: Principal, request: AuthorizationRequest, evaluation: Evaluation): string {
  const decoded = {
    allowed: false,
    explicitDeny: evaluation.decision === 'explicitDeny',
    matchedStatements: { items: evaluation.matched.map((m) => ({ statementId: m.sid ?? `${m.statement}` })) },
    context: { principal: { arn: principal.arn }, action: request.action, resource: request.resource },
  };
  return Buffer.from(JSON.stringify(decoded)).toString('base64url');
}
