// The contract between the twin's HTTP core (auth, faults, rate limits, request log) and each
// service's wire front end (parse request → call ops → render response or error).
import type { AwsApiError } from './errors.js';
import type { World } from './world.js';

export type ServiceName = 'route53' | 'ec2' | 'route53profiles' | 'sts' | 'ssm' | 'iam' | 'ram' | 'organizations' | 's3';

/** Who signed a request: an account's static-key user, or a session of a role assumed through STS. */
export interface Principal {
  accountId: string;
  kind: 'user' | 'assumed-role';
  /** As GetCallerIdentity reports it: arn:aws:iam::ID:user/NAME or arn:aws:sts::ID:assumed-role/ROLE/SESSION. */
  arn: string;
  /** GetCallerIdentity's UserId: AIDA... for a user, AROA...:SESSION for a session. */
  userId: string;
  /** The IAM entity whose policies apply: the user ARN, or the role ARN (arn:aws:iam::ID:role/NAME) for a session. */
  entityArn: string;
}

export interface RawRequest {
  method: string;
  /** The path exactly as received (still percent-encoded), without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A binary payload (S3 GetObject's object), sent instead of body. */
  bytes?: Buffer;
}

/** What an operation sees about its caller and the moment it runs. */
export interface CallContext {
  world: World;
  /** Twin clock, epoch ms. */
  now: number;
  /** The calling account (from the access key, or the role assumed). */
  accountId: string;
  region: string;
  requestId: string;
  /** Multiplier on world.delays for this call (the "slower propagation" fault), normally 1. */
  delayFactor: number;
  /**
   * Consumes one injected fault of this kind aimed at this call, if any; e.g. an op that creates
   * an association asks takeFault('fail-association') and, when true, makes it end FAILED.
   */
  takeFault(kind: 'fail-association'): boolean;
  /** What SSM Run Command needs from the twin around the world (agents, faults, execution); absent: no agent answers. */
  ssm?: SsmEnv;
  /** Who signed the request (STS GetCallerIdentity, the IAM policy simulator); absent in unit tests of ops. */
  principal?: Principal;
}

/** The twin's side of Run Command: standing faults, command execution, the lifecycle ticker. */
export interface SsmEnv {
  /** Whether an `ssm-agent-offline` fault holds this instance's agent offline, and since when. */
  agentOffline(instanceId: string): { since: number } | undefined;
  /** Consumes one `ssm-command-fail` fault aimed at this instance, if any. */
  takeCommandFail(instanceId: string, accountId: string): boolean;
  /** Runs an invocation that just went InProgress; undefined: this twin runs no commands. */
  execute?(commandId: string, instanceId: string): void;
  /** Asks for the lifecycle to be advanced again soon (a command is waiting for its agent). */
  wake(): void;
  /** Kills a running invocation (CancelCommand). */
  cancel?(commandId: string, instanceId: string): void;
}

export interface ServiceFrontEnd {
  readonly service: ServiceName;
  /** The operation name a request asks for (undefined: unknown route/action). Must not throw. */
  operationOf(req: RawRequest): string | undefined;
  /** Whether the operation changes the world (for the request log and crash tests). */
  isMutating(operation: string): boolean;
  /** Parses, applies and renders. Throws AwsApiError for every API error. */
  handle(operation: string, req: RawRequest, ctx: CallContext): RawResponse;
  /** Renders an error in this protocol's format (req, when known: a HEAD's error has no body). */
  renderError(err: AwsApiError, requestId: string, req?: RawRequest): RawResponse;
  /**
   * The request's members by their model names, best effort and never throwing: what IAM's
   * request context is built from (iam-actions.ts) before the operation runs. Absent: the
   * service's operations are not authorized by IAM (STS).
   */
  members?(operation: string, req: RawRequest): Record<string, unknown>;
  /**
   * The key AWS rate-limits a call by instead of the calling account, when it limits by resource
   * (S3: per partitioned prefix; the twin uses the bucket). Absent or undefined: the account.
   */
  partition?(req: RawRequest): string | undefined;
}
