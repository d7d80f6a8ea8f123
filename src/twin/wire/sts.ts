// STS (query protocol, 2011-06-15): AssumeRole and GetCallerIdentity, so assume-role profiles
// and the SDK's credential chain work against the twin as they do against AWS.
import { AwsApiError } from '../errors.js';
import { sessionPrincipal, userPrincipal } from '../iam-authz.js';
import type { CallContext, RawRequest, RawResponse, ServiceFrontEnd } from '../protocol.js';
import { derive, nextId } from '../world.js';
import { queryParams } from './query.js';
import { xmlDocument } from './xml.js';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const OPERATIONS = ['AssumeRole', 'GetCallerIdentity'];

function xmlResponse(operation: string, result: Record<string, unknown>, requestId: string): RawResponse {
  const body = xmlDocument(`${operation}Response`, NS, {
    [`${operation}Result`]: result as never,
    ResponseMetadata: { RequestId: requestId },
  });
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

function assumeRole(req: RawRequest, ctx: CallContext): RawResponse {
  const p = queryParams(req);
  const roleArn = p.get('RoleArn');
  const sessionName = p.get('RoleSessionName');
  if (!roleArn) throw new AwsApiError('MissingParameter', 'The request must contain the parameter RoleArn');
  if (!sessionName) throw new AwsApiError('MissingParameter', 'The request must contain the parameter RoleSessionName');
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw new AwsApiError('ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`);
  }
  const duration = Number(p.get('DurationSeconds') ?? 3600);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw new AwsApiError('ValidationError', 'DurationSeconds must be between 900 and 43200');
  }
  const role = ctx.world.roles.find((r) => r.arn === roleArn);
  const denied = () =>
    new AwsApiError(
      'AccessDenied',
      `User: ${(ctx.principal ?? userPrincipal(ctx.accountId)).arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  if (!role || !role.trustedAccountIds.includes(ctx.accountId)) throw denied();
  if (role.externalId !== undefined && role.externalId !== p.get('ExternalId')) throw denied();
  const accessKeyId = nextId(ctx.world, 'ASIA', 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
  const secretAccessKey = derive(`${accessKeyId}:secret`, 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  const sessionToken = derive(`${accessKeyId}:token`, 120, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  const expiresAt = ctx.now + duration * 1000;
  ctx.world.sessions.push({ accessKeyId, secretAccessKey, sessionToken, accountId: role.accountId, roleArn, expiresAt, sessionName });
  const assumed = sessionPrincipal(role.accountId, roleArn, sessionName);
  return xmlResponse(
    'AssumeRole',
    {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: secretAccessKey,
        SessionToken: sessionToken,
        Expiration: new Date(expiresAt).toISOString(),
      },
      AssumedRoleUser: { AssumedRoleId: assumed.userId, Arn: assumed.arn },
    },
    ctx.requestId,
  );
}

export const stsFrontEnd: ServiceFrontEnd = {
  service: 'sts',
  operationOf(req) {
    const action = queryParams(req).get('Action') ?? undefined;
    return action && OPERATIONS.includes(action) ? action : undefined;
  },
  isMutating: () => false,
  handle(operation, req, ctx) {
    if (operation === 'AssumeRole') return assumeRole(req, ctx);
    // A role session is reported as arn:aws:sts::ID:assumed-role/ROLE/SESSION with UserId
    // ROLEID:SESSION [STS API reference GetCallerIdentity examples].
    const who = ctx.principal ?? userPrincipal(ctx.accountId);
    return xmlResponse('GetCallerIdentity', { UserId: who.userId, Account: who.accountId, Arn: who.arn }, ctx.requestId);
  },
  renderError(err, requestId) {
    const body = xmlDocument('ErrorResponse', NS, {
      Error: { Type: err.fault, Code: err.code, Message: err.message },
      RequestId: requestId,
    });
    return { status: err.httpStatus, headers: { 'content-type': 'text/xml' }, body };
  },
};
