// The only door to AWS. Per plan account: credentials (named profile, assumed role, or the
// default chain) and one client per service; every call goes through the shared request budget,
// is retried with jittered backoff when AWS says "later", is logged, and fails as a typed error.
// A mutation is never blindly repeated: after a throttled, failed or timed-out attempt the
// caller's verify() re-observes the world first, and a change that already took effect is done.
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Logger } from 'pino';
import type { PlanAccount } from '../plan/schema.js';
import { monotonicClock, realSleep, RequestBudget, type Clock, type Sleep } from './budget.js';
import { AccountSetupError, AwsError, normaliseAwsError, type AwsService, type CallInfo } from './errors.js';
import { Route53ProfilesClient, type Route53ProfilesCommand } from './route53profiles/index.js';

export interface AccountClients {
  name: string;
  route53: Route53Client;
  ec2: EC2Client;
  profiles: Route53ProfilesClient;
  sts: STSClient;
}

/** Anything with the SDK's `send(command, { abortSignal })`. */
interface Sender {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** The output type of a command of any of our clients (the SDK's, or our Profiles client's). */
export type OutputOf<C> =
  C extends Route53ProfilesCommand<object, infer O>
    ? O
    : C extends { resolveMiddleware(...args: never[]): (...a: never[]) => Promise<{ output: infer O }> }
      ? O
      : unknown;

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

export interface AccessOptions {
  region: string;
  accounts: Record<string, PlanAccount>;
  logger?: Logger;
  budget?: RequestBudget;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Per request (socket idle) timeout: a call that hangs longer counts as timed out. */
  requestTimeoutMs?: number;
}

export interface CallOptions {
  /** Zone, VPC, endpoint or ARN the call acts on: named in logs and error messages. */
  target?: string;
  signal?: AbortSignal;
}

export interface MutationOptions extends CallOptions {
  /**
   * Re-observes whether the mutation's effect is already there. Asked after a failed attempt
   * that may have reached AWS (throttled, 5xx, timeout, connection reset) before trying again;
   * without it such a mutation is not retried.
   */
  verify?: () => Promise<boolean>;
}

export type MutationResult<T> = { status: 'applied'; output: T; attempts: number } | { status: 'already-done'; attempts: number };

/**
 * A request refused because this machine's clock is off from AWS's (the clock was set by hand, an
 * NTP step, a VM resumed): the SDK has already corrected its clock offset from the reply's Date
 * header and marked the error, so the same call, signed again, goes through. A few times at most:
 * a clock that keeps moving is a problem for the operator (the message says so).
 */
const MAX_SKEW_RETRIES = 2;

function clockSkewCorrected(err: AwsError): boolean {
  const sdk = err.cause as { $metadata?: { clockSkewCorrected?: boolean } } | undefined;
  return sdk?.$metadata?.clockSkewCorrected === true;
}

const MUTATING = /^(Associate|Disassociate|Change|Create|Delete|Modify|Update|Tag|Untag)/;

export function operationName(command: object): string {
  return command.constructor.name.replace(/Command$/, '');
}

export function isMutating(operation: string): boolean {
  return MUTATING.test(operation);
}

function credentialsFor(account: PlanAccount, region: string): { credentials: AwsCredentialIdentityProvider; profile?: string } {
  if (account.profile) return { credentials: fromIni({ profile: account.profile }), profile: account.profile };
  if (account.assumeRole) {
    const { roleArn, externalId, sessionName, sourceProfile } = account.assumeRole;
    return {
      credentials: fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: sessionName, ...(externalId ? { ExternalId: externalId } : {}) },
        masterCredentials: sourceProfile ? fromIni({ profile: sourceProfile }) : fromNodeProviderChain(),
        clientConfig: { region, ...(sourceProfile ? { profile: sourceProfile } : {}) },
      }),
      profile: sourceProfile,
    };
  }
  return { credentials: fromNodeProviderChain() };
}

export class AwsAccess {
  readonly budget: RequestBudget;
  private clients = new Map<string, AccountClients>();
  private accountIds = new Map<string, string>();
  private retry: RetryPolicy;
  private sleep: Sleep;
  private random: () => number;
  private clock: Clock;

  constructor(private opts: AccessOptions) {
    this.clock = opts.clock ?? monotonicClock;
    this.sleep = opts.sleep ?? realSleep;
    this.budget = opts.budget ?? new RequestBudget(this.clock, this.sleep);
    this.random = opts.random ?? Math.random;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
  }

  accountNames(): string[] {
    return Object.keys(this.opts.accounts);
  }

  /** The clients for a plan account (made once; SDK clients are meant to be shared). */
  clientsFor(name: string): AccountClients {
    let c = this.clients.get(name);
    if (c) return c;
    const account = this.opts.accounts[name];
    if (!account) throw new Error(`no account named ${name} in the plan`);
    const { credentials, profile } = credentialsFor(account, this.opts.region);
    // throwOnRequestTimeout: without it the handler only logs a warning and the call hangs on.
    const requestHandler = new NodeHttpHandler({
      requestTimeout: this.opts.requestTimeoutMs ?? 30_000,
      connectionTimeout: 5_000,
      throwOnRequestTimeout: true,
    });
    // maxAttempts 1: retries are ours, so every attempt passes through the budget and a
    // mutation is re-observed before it is repeated.
    const config = { region: this.opts.region, credentials, maxAttempts: 1, requestHandler, ...(profile ? { profile } : {}) };
    c = {
      name,
      route53: new Route53Client(config),
      ec2: new EC2Client(config),
      profiles: new Route53ProfilesClient(config),
      sts: new STSClient(config),
    };
    this.clients.set(name, c);
    return c;
  }

  /** The account id behind a plan account (GetCallerIdentity, once), checked against the plan. */
  async accountId(name: string, signal?: AbortSignal): Promise<string> {
    const known = this.accountIds.get(name);
    if (known) return known;
    const who = await this.read(name, 'sts', new GetCallerIdentityCommand({}), { signal });
    const id = who.Account ?? '';
    const planned = this.opts.accounts[name]?.accountId;
    if (planned && planned !== id) {
      throw new AccountSetupError(
        `the credentials for account ${name} belong to AWS account ${id}, but the plan says ${planned}: fix the plan's profile/role for ${name} (nothing was changed)`,
        { service: 'sts', operation: 'GetCallerIdentity', account: name, accountId: id },
        'AccountMismatch',
        undefined,
        undefined,
      );
    }
    this.accountIds.set(name, id);
    return id;
  }

  /** A read: retried while AWS says "later", up to the retry policy. */
  async read<C extends object>(account: string, service: AwsService, command: C, opts: CallOptions = {}): Promise<OutputOf<C>> {
    const operation = operationName(command);
    let attempt = 0;
    let skewRetries = 0;
    for (;;) {
      attempt++;
      try {
        return (await this.attempt(account, service, command, operation, false, attempt, opts)) as OutputOf<C>;
      } catch (e) {
        const err = e as AwsError;
        if (clockSkewCorrected(err) && skewRetries++ < MAX_SKEW_RETRIES && !opts.signal?.aborted) {
          attempt--;
          continue;
        }
        if (!err.retryable || attempt >= this.retry.maxAttempts || opts.signal?.aborted) throw err;
        await this.backoff(attempt, opts.signal);
      }
    }
  }

  /**
   * A mutation. After an attempt that may have reached AWS and failed in a retryable way, it is
   * repeated only if verify() says the effect is not there yet.
   */
  async mutate<C extends object>(account: string, service: AwsService, command: C, opts: MutationOptions = {}): Promise<MutationResult<OutputOf<C>>> {
    const operation = operationName(command);
    let attempt = 0;
    let skewRetries = 0;
    for (;;) {
      attempt++;
      try {
        const output = (await this.attempt(account, service, command, operation, true, attempt, opts)) as OutputOf<C>;
        return { status: 'applied', output, attempts: attempt };
      } catch (e) {
        const err = e as AwsError;
        // Refused at authentication, so it never applied: sent again at once, no verify needed.
        if (clockSkewCorrected(err) && skewRetries++ < MAX_SKEW_RETRIES && !opts.signal?.aborted) {
          attempt--;
          continue;
        }
        if (!err.retryable || !opts.verify || attempt >= this.retry.maxAttempts || opts.signal?.aborted) throw err;
        await this.backoff(attempt, opts.signal);
        if (await opts.verify()) {
          this.opts.logger?.info({ account, service, operation, target: opts.target, attempts: attempt }, 'mutation found already applied after a failed attempt');
          return { status: 'already-done', attempts: attempt };
        }
      }
    }
  }

  private async attempt(account: string, service: AwsService, command: object, operation: string, mutating: boolean, attempt: number, opts: CallOptions): Promise<unknown> {
    const clients = this.clientsFor(account);
    const client: Sender = service === 'route53' ? clients.route53 : service === 'ec2' ? clients.ec2 : service === 'route53profiles' ? clients.profiles : clients.sts;
    const accountId = this.accountIds.get(account);
    const call: CallInfo = { service, operation, account, accountId, target: opts.target };
    await this.budget.acquire(accountId ?? account, service, operation, mutating, opts.signal);
    const started = this.clock.now();
    try {
      const out = (await client.send(command, { abortSignal: opts.signal })) as { $metadata?: { requestId?: string } };
      this.opts.logger?.debug(
        { account, accountId, service, operation, target: opts.target, attempt, latencyMs: this.clock.now() - started, requestId: out?.$metadata?.requestId, outcome: 'ok' },
        'aws call',
      );
      return out;
    } catch (e) {
      const err = normaliseAwsError(e, call);
      this.opts.logger?.debug(
        { account, accountId, service, operation, target: opts.target, attempt, latencyMs: this.clock.now() - started, requestId: err.requestId, outcome: err.kind, code: err.awsCode },
        'aws call',
      );
      throw err;
    }
  }

  /** Full-jitter exponential backoff. */
  private backoff(attempt: number, signal?: AbortSignal): Promise<void> {
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return this.sleep(Math.round(this.random() * cap), signal);
  }

  destroy(): void {
    for (const c of this.clients.values()) {
      c.route53.destroy();
      c.ec2.destroy();
      c.profiles.destroy();
      c.sts.destroy();
    }
    this.clients.clear();
  }
}
