// Every AWS failure the engine can meet, normalised into a few kinds, each with the AWS code and
// request id and a message that tells the operator what to do next.

export type AwsService = 'route53' | 'ec2' | 'route53profiles' | 'sts' | 'ssm' | 'iam' | 'ram' | 'organizations';

export interface CallInfo {
  service: AwsService;
  operation: string;
  /** Plan name of the account the call was made as. */
  account: string;
  accountId?: string;
  /** The main resource the call acts on (zone, VPC, endpoint, ARN), for the message. */
  target?: string;
}

export type AwsErrorKind =
  | 'not-found'
  | 'already-exists'
  | 'conflict'
  | 'last-association'
  | 'not-authorized'
  | 'access-denied'
  | 'throttled'
  | 'quota'
  | 'invalid-input'
  | 'service-failure';

const IAM_PREFIX: Record<AwsService, string> = {
  route53: 'route53',
  ec2: 'ec2',
  route53profiles: 'route53profiles',
  sts: 'sts',
  ssm: 'ssm',
  iam: 'iam',
  ram: 'ram',
  organizations: 'organizations',
};

export abstract class AwsError extends Error {
  abstract readonly kind: AwsErrorKind;
  /** Whether calling again later can succeed without anyone changing anything. */
  readonly retryable: boolean = false;
  constructor(
    message: string,
    readonly call: CallInfo,
    /** The AWS error code as the service sent it (or the network error's code). */
    readonly awsCode: string,
    readonly requestId: string | undefined,
    readonly httpStatus: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** "route53:AssociateVPCWithHostedZone as shared (111122223333)" */
  get where(): string {
    return `${IAM_PREFIX[this.call.service]}:${this.call.operation} as ${this.call.account}${this.call.accountId ? ` (${this.call.accountId})` : ''}`;
  }
}

export class NotFoundError extends AwsError {
  readonly kind = 'not-found';
}
/** The thing the call would create is already there: for an idempotent step, "done". */
export class AlreadyExistsError extends AwsError {
  readonly kind = 'already-exists';
}
export class ConflictError extends AwsError {
  readonly kind = 'conflict';
}
export class LastAssociationError extends AwsError {
  readonly kind = 'last-association';
}
export class NotAuthorizedError extends AwsError {
  readonly kind = 'not-authorized';
}
export class AccessDeniedError extends AwsError {
  readonly kind = 'access-denied';
}
/**
 * The plan's way into an account leads nowhere or elsewhere: its profile is not in the AWS
 * config files, no credentials resolve, or they belong to another account than the plan says.
 * Found before anything is changed, and fixed in the plan or the machine's AWS config: bad input.
 */
export class AccountSetupError extends AccessDeniedError {
  readonly exitCode = 2;
}
export class ThrottledError extends AwsError {
  readonly kind = 'throttled';
  override readonly retryable = true;
}
export class QuotaExceededError extends AwsError {
  readonly kind = 'quota';
}
export class InvalidInputError extends AwsError {
  readonly kind = 'invalid-input';
}
export class ServiceFailureError extends AwsError {
  readonly kind = 'service-failure';
  override readonly retryable = true;
}

type Ctor = new (message: string, call: CallInfo, code: string, requestId: string | undefined, status: number | undefined, options?: { cause?: unknown }) => AwsError;

const BY_CODE: Record<string, Ctor> = {
  // not found
  NoSuchHostedZone: NotFoundError,
  NoSuchChange: NotFoundError,
  VPCAssociationNotFound: NotFoundError,
  VPCAssociationAuthorizationNotFound: NotFoundError,
  ResourceNotFoundException: NotFoundError,
  'InvalidVpcEndpointId.NotFound': NotFoundError,
  'InvalidVpcID.NotFound': NotFoundError,
  'InvalidNetworkInterfaceID.NotFound': NotFoundError,
  InvalidServiceName: NotFoundError,
  // SSM: an instance that is not a managed node of this account, or not online; a command id it does not know.
  InvalidInstanceId: NotFoundError,
  InvocationDoesNotExist: NotFoundError,
  // IAM: the principal the simulator was asked about does not exist (a role's path, a deleted user).
  NoSuchEntity: NotFoundError,
  InvalidCommandId: NotFoundError,
  // RAM: a share, invitation or principal it doesn't know (also: an organization with RAM sharing not enabled).
  UnknownResourceException: NotFoundError,
  ResourceShareInvitationArnNotFoundException: NotFoundError,
  // already there
  ResourceExistsException: AlreadyExistsError,
  HostedZoneAlreadyExists: AlreadyExistsError,
  ResourceShareInvitationAlreadyAcceptedException: AlreadyExistsError,
  // conflicts with the current state
  ConflictException: ConflictError,
  ConflictingDomainExists: ConflictError,
  PriorRequestNotComplete: ConflictError,
  ConcurrentModification: ConflictError,
  HostedZoneNotEmpty: ConflictError,
  InvalidStateTransitionException: ConflictError,
  ResourceShareInvitationAlreadyRejectedException: ConflictError,
  ResourceShareInvitationExpiredException: ConflictError,
  IdempotentParameterMismatchException: ConflictError,
  // RAM refuses what the organization's settings don't allow (external principals, org sharing off).
  OperationNotPermittedException: ConflictError,
  PublicZoneVPCAssociation: ConflictError,
  LastVPCAssociation: LastAssociationError,
  NotAuthorizedException: NotAuthorizedError,
  // identity and permissions
  AccessDenied: AccessDeniedError,
  AccessDeniedException: AccessDeniedError,
  UnauthorizedOperation: AccessDeniedError,
  AuthFailure: AccessDeniedError,
  InvalidClientTokenId: AccessDeniedError,
  UnrecognizedClientException: AccessDeniedError,
  SignatureDoesNotMatch: AccessDeniedError,
  InvalidSignatureException: AccessDeniedError,
  ExpiredToken: AccessDeniedError,
  ExpiredTokenException: AccessDeniedError,
  MissingAuthenticationToken: AccessDeniedError,
  // thrown by the SDK's credential providers before any request is sent
  CredentialsProviderError: AccountSetupError,
  // slow down
  Throttling: ThrottledError,
  ThrottlingException: ThrottledError,
  RequestLimitExceeded: ThrottledError,
  TooManyRequestsException: ThrottledError,
  // quotas
  LimitExceededException: QuotaExceededError,
  LimitsExceeded: QuotaExceededError,
  TooManyVPCAssociationAuthorizations: QuotaExceededError,
  TooManyHostedZones: QuotaExceededError,
  // our mistake or the plan's
  InvalidInput: InvalidInputError,
  MalformedInput: InvalidInputError,
  InvalidChangeBatch: InvalidInputError,
  InvalidVPCId: InvalidInputError,
  InvalidDomainName: InvalidInputError,
  InvalidParameter: InvalidInputError,
  InvalidParameterValue: InvalidInputError,
  InvalidParameterCombination: InvalidInputError,
  InvalidParameterException: InvalidInputError,
  ValidationException: InvalidInputError,
  ValidationError: InvalidInputError,
  MissingParameter: InvalidInputError,
  SerializationException: InvalidInputError,
  InvalidNextTokenException: InvalidInputError,
  InvalidPaginationToken: InvalidInputError,
  MalformedArnException: InvalidInputError,
  // theirs
  InternalError: ServiceFailureError,
  InternalFailure: ServiceFailureError,
  InternalServiceErrorException: ServiceFailureError,
  ServiceUnavailable: ServiceFailureError,
  ServiceUnavailableException: ServiceFailureError,
  ServerInternalException: ServiceFailureError,
  Unavailable: ServiceFailureError,
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout', 'AbortError']);

interface SdkLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { headers?: Record<string, string> };
}

/** What the operator should do, by kind (the AWS message is kept after it). */
function advice(kind: Ctor, call: CallInfo, code: string, awsMessage: string): string {
  const iam = `${IAM_PREFIX[call.service]}:${call.operation}`;
  const who = `account ${call.account}${call.accountId ? ` (${call.accountId})` : ''}`;
  const on = call.target ? ` on ${call.target}` : '';
  switch (kind) {
    case AccountSetupError:
      return `no credentials could be found for ${who}: the plan's profile (or assumeRole.sourceProfile) for this account must name a profile of the AWS config/credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE) with current keys or session (nothing was changed)`;
    case AccessDeniedError:
      if (/token|signature|credential|AuthFailure|MissingAuthentication/i.test(code)) {
        return `the credentials for ${who} were rejected (${code}): check the plan's profile or role for this account, that the keys are current, and that this machine's clock is right`;
      }
      // Named so the operator can add exactly this; a run that stopped on it goes on with resume.
      return `${who} is not allowed ${iam}${on}: add it to the policy of the identity r53migrate uses for this account (\`r53migrate iam-policy PLAN\` prints everything each account needs), then run again — a stopped run goes on with \`r53migrate resume\``;
    case NotAuthorizedError:
      return `${who} may not associate ${call.target ?? 'this VPC'} with a zone owned by another account until the zone's owner authorizes it (CreateVPCAssociationAuthorization); r53migrate does this itself on cross-account steps — if you see this, the authorization was removed while the step ran`;
    case ThrottledError:
      return `AWS throttled ${iam} for ${who}; r53migrate backs off and retries by itself — if this persists, another tool is using the same account's API budget`;
    case QuotaExceededError:
      return `a quota was reached calling ${iam}${on} for ${who}: raise it in Service Quotas (or split the plan) and resume`;
    case LastAssociationError:
      return `${call.target ?? 'the zone'} would lose its last VPC association; a private zone keeps at least one VPC until it is deleted (the keeper VPC holds it)`;
    case ServiceFailureError:
      return `AWS failed to serve ${iam} for ${who} (${code}); this is on AWS's side — r53migrate retries, and \`r53migrate resume\` continues safely later`;
    case InvalidInputError:
      return `AWS refused the parameters of ${iam}${on} as invalid (${code}); check the plan's ids for this step`;
    case NotFoundError:
      return `${call.target ?? 'the resource'} was not found calling ${iam} as ${who}: check the id in the plan and that the account owns or can see it`;
    case ConflictError:
      if (code === 'ConflictingDomainExists') return `a VPC already has a private zone for this name${on}: ${awsMessage}`;
      if (code === 'PriorRequestNotComplete') return `a previous change${on} is still being applied; r53migrate waits and retries`;
      return `${iam}${on} conflicts with the current state (${code})`;
    default:
      return `${iam}${on} failed for ${who} (${code})`;
  }
}

/** Turns whatever an SDK call threw into one of our typed errors (AwsError passes through). */
export function normaliseAwsError(err: unknown, call: CallInfo): AwsError {
  if (err instanceof AwsError) return err;
  const e = (err ?? {}) as SdkLikeError;
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  let code = e.name && e.name !== 'Error' ? e.name : (e.code ?? e.Code ?? 'Unknown');
  if (e.code && NETWORK_CODES.has(e.code)) code = e.code;
  let Kind: Ctor | undefined = BY_CODE[code];
  if (!Kind && /\.Malformed$/.test(code)) Kind = InvalidInputError;
  if (!Kind && /\.NotFound$/.test(code)) Kind = NotFoundError;
  if (!Kind && (NETWORK_CODES.has(code) || (status !== undefined && status >= 500))) Kind = ServiceFailureError;
  if (!Kind && status === 429) Kind = ThrottledError;
  if (!Kind && (status === 403 || status === 401)) Kind = AccessDeniedError;
  if (!Kind) Kind = status === undefined ? ServiceFailureError : InvalidInputError;
  const awsMessage = (e.message ?? String(err)).trim();
  const text = `${advice(Kind, call, code, awsMessage)}. AWS said: ${code}: ${awsMessage}${requestId ? ` (request id ${requestId})` : ''}`;
  return new Kind(text, call, code, requestId, status, { cause: err });
}
