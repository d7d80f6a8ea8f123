// The only door to AWS. Per plan account: credentials (named profile, assumed role, or the
// default chain) and one client per service; every call goes through the shared request budget,
// is retried with jittered backoff when AWS says "later", is logged, and fails as a typed error.
// A mutation is never blindly repeated: after a throttled, failed or timed-out attempt the
// caller's verify() re-observes the world first, and a change that already took effect is done.
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { RAMClient } from '@aws-sdk/client-ram';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Logger } from 'pino';
import type { PlanAccount } from '../plan/schema.js';
import { monotonicClock, realSleep, RequestBudget, type Clock, type Sleep } from './budget.js';
import { AccountSetupError, AwsError, normaliseAwsError, ThrottledError, type AwsService, type CallInfo } from './errors.js';
import { iamRegionFor } from './permissions.js';
import { Route53ProfilesClient, type Route53ProfilesCommand } from './route53profiles/index.js';

export interface AccountClients {
  name: string;
  route53: Route53Client;
  ec2: EC2Client;
  profiles: Route53ProfilesClient;
  sts: STSClient;
  ssm: SSMClient;
  /** The pre-flight's IAM policy simulator (IAM is global: signed for its partition's region). */
  iam: IAMClient;
  /** Sharing the Profile (prepare): resource shares and their invitations. */
  ram: RAMClient;
  /** Which organization an account is in (prepare, before sharing with one). */
  organizations: OrganizationsClient;
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
  /**
   * Attempts in all, the first included, for failures that are not throttling (5xx, timeouts,
   * connection resets): AWS failing to serve is given a few chances, then reported.
   */
  maxAttempts: number;
  baseDelayMs: number;
  /** No single backoff is longer than this. */
  maxDelayMs: number;
  /**
   * Throttling ("later", not "failed") is waited out: a throttled attempt does not count against
   * maxAttempts, and the call keeps backing off until its backoff after throttles has added up to
   * this much. At the defaults that is 30 or more throttles in a row for one call (20-odd at the
   * longest jitter): a burst spread over discovery's parallel reads is absorbed, while an account
   * whose budget someone else holds for minutes still ends in a ThrottledError that says so.
   */
  maxThrottleWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 10_000, maxThrottleWaitMs: 300_000 };

export interface AccessOptions {
  region: string;
  accounts: Record<string, PlanAccount>;
  /**
   * Where every call is logged (pino; give it level 'debug' to see reads): one line when a call
   * ends — 'aws call', debug for reads, info for mutations — and a warn line 'aws retry' for each
   * failed attempt that is tried again. Fields, never a secret or a request body: account,
   * accountId, service, operation, target, mutating, outcome, code, requestId, attempts, retries,
   * throttles, backoffMs, latencyMs.
   */
  logger?: Logger;
  budget?: RequestBudget;
  /** The share of AWS's rates the budget made here allows (budgets.rateShare; ignored with budget). */
  rateShare?: number;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Per request (socket idle) timeout: a call that hangs longer counts as timed out. */
  requestTimeoutMs?: number;
}

export interface CallOptions {
  /**
   * Zone, VPC, endpoint or ARN the call acts on: named in logs and error messages. Logs fall
   * back to the resource id in the request when it is not given.
   */
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
 * Per-call abort signals derived from a caller's signal, with ONE listener on the caller's signal
 * however many calls share it. Discovery sends dozens of requests at once on the run's signal (the
 * budget lets 40 Route 53 reads per account go together), and each request in flight hangs an
 * abort listener on the signal it is given — the SDK's HTTP handler, its retry middleware, our
 * budget waits and backoff sleeps, each removed when its wait ends. Handed the caller's signal,
 * 11 requests in flight were enough for Node's "MaxListenersExceededWarning: Possible
 * EventTarget memory leak detected" on every observation of a large estate. Each call now listens
 * on a signal of its own (a handful of listeners at most, so the default limit of 10 still
 * catches a real leak), and the caller's signal holds a single relay that aborts them all with its
 * reason, removed when the last call sharing it ends.
 */
export class SignalFanout {
  private relays = new WeakMap<AbortSignal, { children: Set<AbortController>; onAbort: () => void }>();

  /** A signal of the call's own, aborted with the parent's reason when the parent aborts (or by its controller). */
  derive(parent: AbortSignal | undefined): { controller: AbortController; signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    const link = { controller, signal: controller.signal, release: () => {} };
    if (!parent) return link;
    if (parent.aborted) {
      controller.abort(parent.reason);
      return link;
    }
    let relay = this.relays.get(parent);
    if (!relay) {
      const children = new Set<AbortController>();
      const onAbort = () => {
        this.relays.delete(parent);
        for (const c of children) c.abort(parent.reason);
        children.clear();
      };
      relay = { children, onAbort };
      this.relays.set(parent, relay);
      parent.addEventListener('abort', onAbort, { once: true });
    }
    relay.children.add(controller);
    const r = relay;
    link.release = () => {
      if (!r.children.delete(controller) || r.children.size > 0) return;
      parent.removeEventListener('abort', r.onAbort);
      if (this.relays.get(parent) === r) this.relays.delete(parent);
    };
    return link;
  }
}

/** What one read or mutation went through, for its log lines. */
interface CallTrace {
  account: string;
  accountId?: string;
  service: AwsService;
  operation: string;
  /** For the log: the caller's target, or the resource id in the request. */
  target?: string;
  /** For error messages: only what the caller named (their wording is pinned by callers). */
  givenTarget?: string;
  mutating: boolean;
  attempts: number;
  throttles: number;
  backoffMs: number;
  requestId?: string;
  startedAt: number;
  /** The caller's signal had aborted when the call ended. */
  aborted?: boolean;
}

/** Request fields that name the resource a call acts on, most specific first (ids, never bodies). */
const TARGET_FIELDS = ['HostedZoneId', 'VpcEndpointId', 'ProfileAssociationId', 'ProfileResourceAssociationId', 'ResourceArn', 'ResourceId', 'ProfileId', 'Id'];

/** The resource a command acts on, read from its input when the caller did not name one (logs only). */
function targetOf(command: object): string | undefined {
  const input = (command as { input?: Record<string, unknown> }).input;
  if (!input) return undefined;
  for (const field of TARGET_FIELDS) if (typeof input[field] === 'string' && input[field]) return input[field] as string;
  const vpc = (input.VPC as { VPCId?: unknown } | undefined)?.VPCId;
  return typeof vpc === 'string' ? vpc : undefined;
}

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

export function credentialsFor(account: PlanAccount, region: string): { credentials: AwsCredentialIdentityProvider; profile?: string } {
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
  /** GetCallerIdentity's Arn per plan account: the principal the pre-flight simulates. */
  private callerArns = new Map<string, string>();
  private retry: RetryPolicy;
  private sleep: Sleep;
  private random: () => number;
  private clock: Clock;
  private fanout = new SignalFanout();
  /** Every call under way (its own controller), so destroy() can end their waits. */
  private inFlight = new Set<AbortController>();

  constructor(private opts: AccessOptions) {
    this.clock = opts.clock ?? monotonicClock;
    this.sleep = opts.sleep ?? realSleep;
    this.budget = opts.budget ?? new RequestBudget(this.clock, this.sleep, opts.rateShare);
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
      ssm: new SSMClient(config),
      // IAM has one endpoint per partition, signed for its home region whatever the plan's region
      // is; AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_IAM) still points it elsewhere, as for the others.
      iam: new IAMClient({ ...config, region: iamRegionFor(this.opts.region) }),
      ram: new RAMClient(config),
      // Organizations has one endpoint per partition, signed for its home region, like IAM.
      organizations: new OrganizationsClient({ ...config, region: iamRegionFor(this.opts.region) }),
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
    if (who.Arn) this.callerArns.set(name, who.Arn);
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

  /** The ARN GetCallerIdentity names for a plan account (an assumed-role session, a user, root). */
  async callerArn(name: string, signal?: AbortSignal): Promise<string | undefined> {
    if (!this.callerArns.has(name)) {
      this.accountIds.delete(name);
      await this.accountId(name, signal);
    }
    return this.callerArns.get(name);
  }

  /** A read: retried while AWS says "later" (throttling, 5xx, timeouts), within the retry policy. */
  async read<C extends object>(account: string, service: AwsService, command: C, opts: CallOptions = {}): Promise<OutputOf<C>> {
    const result = await this.call(account, service, command, false, opts);
    return (result as { output: OutputOf<C> }).output;
  }

  /**
   * A mutation. After an attempt that may have reached AWS and failed in a retryable way, it is
   * repeated only if verify() says the effect is not there yet.
   */
  async mutate<C extends object>(account: string, service: AwsService, command: C, opts: MutationOptions = {}): Promise<MutationResult<OutputOf<C>>> {
    return this.call(account, service, command, true, opts) as Promise<MutationResult<OutputOf<C>>>;
  }

  /** The one retry loop of reads and mutations; logs the call once when it ends. */
  private async call(account: string, service: AwsService, command: object, mutating: boolean, opts: MutationOptions): Promise<MutationResult<unknown>> {
    const trace: CallTrace = {
      account,
      service,
      operation: operationName(command),
      target: opts.target ?? targetOf(command),
      givenTarget: opts.target,
      mutating,
      attempts: 0,
      throttles: 0,
      backoffMs: 0,
      startedAt: this.clock.now(),
    };
    const link = this.fanout.derive(opts.signal);
    const signal = link.signal;
    this.inFlight.add(link.controller);
    let skewRetries = 0;
    let failures = 0;
    let throttleWaitMs = 0;
    try {
      for (;;) {
        trace.attempts++;
        let err: AwsError;
        try {
          const output = await this.attempt(trace, command, signal);
          this.logEnd(trace, mutating ? 'applied' : 'ok');
          return { status: 'applied', output, attempts: trace.attempts };
        } catch (e) {
          if (!(e instanceof AwsError)) throw e; // aborted while waiting for the budget, or a bug
          err = e;
        }
        if (signal.aborted) throw err;
        // Refused at authentication, so it never applied: sent again at once, no verify needed
        // (the SDK has already corrected its clock from the reply's Date header).
        if (clockSkewCorrected(err) && skewRetries++ < MAX_SKEW_RETRIES) {
          this.logRetry(trace, err, 0);
          continue;
        }
        const throttled = err instanceof ThrottledError;
        if (throttled) {
          trace.throttles++;
          // AWS's bucket for this account is empty: every caller of ours that draws from it waits.
          this.budget.throttled(trace.accountId ?? account, service, trace.operation, mutating);
        }
        if (!err.retryable || (mutating && !opts.verify)) throw err;
        let delayMs = this.backoffMs(trace.attempts);
        if (throttled) {
          const leftMs = this.retry.maxThrottleWaitMs - throttleWaitMs;
          if (leftMs <= 0) throw err;
          delayMs = Math.min(delayMs, leftMs);
          throttleWaitMs += delayMs;
        } else if (++failures >= this.retry.maxAttempts) {
          throw err;
        }
        this.logRetry(trace, err, delayMs);
        trace.backoffMs += delayMs;
        await this.sleep(delayMs, signal);
        if (mutating && (await opts.verify!())) {
          this.logEnd(trace, 'already-done');
          return { status: 'already-done', attempts: trace.attempts };
        }
      }
    } catch (e) {
      trace.aborted = signal.aborted;
      this.logEnd(trace, { error: e });
      // Ended by the caller's signal (or destroy()), wherever it was — budget wait, backoff, a
      // request in flight that the SDK reports as a network AbortError: rejects with the signal's
      // reason, as every wait of ours does, so callers tell an interruption from AWS failing.
      if (signal.aborted) throw signal.reason;
      throw e;
    } finally {
      this.inFlight.delete(link.controller);
      link.release();
    }
  }

  private async attempt(trace: CallTrace, command: object, signal: AbortSignal): Promise<unknown> {
    const { account, service, operation, mutating } = trace;
    const clients = this.clientsFor(account);
    const client: Sender = { route53: clients.route53, ec2: clients.ec2, route53profiles: clients.profiles, sts: clients.sts, ssm: clients.ssm, iam: clients.iam, ram: clients.ram, organizations: clients.organizations }[service];
    trace.accountId = this.accountIds.get(account);
    const call: CallInfo = { service, operation, account, accountId: trace.accountId, target: trace.givenTarget };
    await this.budget.acquire(trace.accountId ?? account, service, operation, mutating, signal);
    try {
      const out = (await client.send(command, { abortSignal: signal })) as { $metadata?: { requestId?: string } };
      trace.requestId = out?.$metadata?.requestId;
      return out;
    } catch (e) {
      const err = normaliseAwsError(e, call);
      trace.requestId = err.requestId;
      throw err;
    }
  }

  /** Full-jitter exponential backoff. */
  private backoffMs(attempt: number): number {
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.random() * cap);
  }

  private fields(trace: CallTrace) {
    const { account, accountId, service, operation, target, mutating } = trace;
    return { account, ...(accountId ? { accountId } : {}), service, operation, ...(target ? { target } : {}), mutating };
  }

  /** A failed attempt that is tried again: what failed, and how long we wait first. */
  private logRetry(trace: CallTrace, err: AwsError, delayMs: number): void {
    this.opts.logger?.warn(
      {
        ...this.fields(trace),
        attempt: trace.attempts,
        outcome: err.kind,
        code: err.awsCode,
        ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
        ...(err.requestId ? { requestId: err.requestId } : {}),
        throttled: err instanceof ThrottledError,
        ...(clockSkewCorrected(err) ? { clockSkewCorrected: true } : {}),
        delayMs,
      },
      'aws retry',
    );
  }

  /** The call's one line, when it ends: debug for reads, info for mutations. */
  private logEnd(trace: CallTrace, outcome: 'ok' | 'applied' | 'already-done' | { error: unknown }): void {
    const logger = this.opts.logger;
    if (!logger) return;
    const err = typeof outcome === 'string' ? undefined : outcome.error;
    const line = {
      ...this.fields(trace),
      // A failure is named by its kind (not-found, throttled, ...); an abort or our own bug apart.
      outcome: typeof outcome === 'string' ? outcome : trace.aborted ? 'aborted' : err instanceof AwsError ? err.kind : 'error',
      ...(err instanceof AwsError ? { code: err.awsCode } : {}),
      ...(trace.requestId ? { requestId: trace.requestId } : {}),
      attempts: trace.attempts,
      retries: Math.max(0, trace.attempts - 1),
      throttles: trace.throttles,
      backoffMs: trace.backoffMs,
      latencyMs: Math.round(this.clock.now() - trace.startedAt),
    };
    if (trace.mutating) logger.info(line, 'aws call');
    else logger.debug(line, 'aws call');
  }

  /**
   * Ends every call under way (each rejects with an error saying so: no backoff or budget wait
   * outlives its AwsAccess, so a command that failed on one branch of a parallel discovery exits
   * at once) and closes idle sockets. Calls made afterwards get new clients.
   */
  destroy(): void {
    const closed = new Error('the AWS access was closed (destroy()) while this call was under way');
    for (const c of this.inFlight) c.abort(closed);
    this.inFlight.clear();
    for (const c of this.clients.values()) {
      c.route53.destroy();
      c.ec2.destroy();
      c.profiles.destroy();
      c.sts.destroy();
      c.ssm.destroy();
      c.iam.destroy();
      c.ram.destroy();
      c.organizations.destroy();
    }
    this.clients.clear();
  }
}
