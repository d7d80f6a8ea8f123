// The twin's request pipeline: authenticate (SigV4 → account and principal), route by the
// credential scope's service, authorize with the account's IAM policy (iam-authz.ts), apply
// injected faults and AWS's rate limits, run the operation on the world, and record every call in
// the request log.
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from './clock.js';
import { AwsApiError, isAwsApiError } from './errors.js';
import { FaultStore, type Fault } from './faults.js';
import { parsePolicyDocument, type PolicyDocument } from './iam.js';
import { authorize, sessionPrincipal, userPrincipal } from './iam-authz.js';
import type { CallContext, Principal, RawRequest, RawResponse, ServiceFrontEnd, ServiceName } from './protocol.js';
import { AWS_RATE_LIMITS, RateLimiter, THROTTLE_ERRORS, type ServiceLimits } from './ratelimit.js';
import { isFailure, parseAuthorization, s3PayloadProblem, verifySignature, type SigV4Failure } from './sigv4.js';
import { ec2FrontEnd } from './wire/ec2.js';
import { iamFrontEnd } from './wire/iam.js';
import { ORGANIZATIONS_TARGET_PREFIX, organizationsFrontEnd } from './wire/organizations.js';
import { profilesFrontEnd } from './wire/profiles.js';
import { ramFrontEnd } from './wire/ram.js';
import { route53FrontEnd } from './wire/route53.js';
import { s3FrontEnd } from './wire/s3.js';
import { queryParams } from './wire/query.js';
import { ssmFrontEnd } from './wire/ssm.js';
import { stsFrontEnd } from './wire/sts.js';
import { advanceSsm, completeInvocation, MAX_EXECUTION_TIMEOUT_S, ssmHasPending } from './ops/ssm.js';
import { CommandRunner } from './ssm-runner.js';
import type { SsmEnv } from './protocol.js';
import { advance, type World } from './world.js';

const FRONT_ENDS: Record<ServiceName, ServiceFrontEnd> = {
  route53: route53FrontEnd,
  ec2: ec2FrontEnd,
  route53profiles: profilesFrontEnd,
  sts: stsFrontEnd,
  ssm: ssmFrontEnd,
  iam: iamFrontEnd,
  ram: ramFrontEnd,
  organizations: organizationsFrontEnd,
  s3: s3FrontEnd,
};

/** denied: the caller's IAM policy refused the call (it never reached the operation). */
export type Outcome = 'ok' | 'error' | 'throttled' | 'fault' | 'auth-failed' | 'denied' | 'dropped';

export interface RequestLogEntry {
  seq: number;
  /** Twin clock when the request arrived, epoch ms and ISO. */
  at: number;
  time: string;
  requestId: string;
  service?: ServiceName;
  operation?: string;
  accountId?: string;
  accessKeyId?: string;
  mutating: boolean;
  status: number;
  outcome: Outcome;
  errorCode?: string;
  method: string;
  path: string;
  /** The request body (first 4 KiB), to tell which mutation a log line is. */
  body?: string;
  /** Milliseconds from arrival to reply, on the twin's clock. */
  latencyMs: number;
  /** Who signed it (GetCallerIdentity's Arn), once authenticated. */
  principal?: string;
  /** Why IAM refused the call (outcome 'denied'): the request that was not allowed. */
  denied?: { action: string; resource: string; decision: 'implicitDeny' | 'explicitDeny' };
}

export interface HeldRequest {
  id: string;
  phase: 'before' | 'after';
  service: ServiceName;
  operation: string;
  accountId: string;
  requestId: string;
  since: number;
}

export interface TwinOptions {
  world: World;
  clock?: Clock;
  /** AWS's documented rates (default), custom limits, or 'off'. */
  rateLimits?: Record<ServiceName, ServiceLimits> | 'off';
}

/** Tells the pipeline whether the client is still there (a held request whose caller died is dropped). */
export interface ClientLiveness {
  gone(): boolean;
}

// Errors each protocol sends for authentication failures (codes as AWS sends them per service).
type AuthErrors = Record<SigV4Failure['kind'] | 'unknown-key', [string, number]>;
/** The query-protocol (and Route 53 REST-XML) codes: Route 53, STS, and IAM with them. */
const QUERY_AUTH_ERRORS: AuthErrors = {
  missing: ['MissingAuthenticationToken', 403],
  malformed: ['IncompleteSignature', 403],
  expired: ['SignatureDoesNotMatch', 403],
  mismatch: ['SignatureDoesNotMatch', 403],
  'unknown-key': ['InvalidClientTokenId', 403],
};
/** The JSON protocols' `__type` codes, with the HTTP status each service family answers them with. */
const jsonAuthErrors = (status: number): AuthErrors => ({
  missing: ['MissingAuthenticationTokenException', status],
  malformed: ['IncompleteSignatureException', status],
  expired: ['InvalidSignatureException', status],
  mismatch: ['InvalidSignatureException', status],
  'unknown-key': ['UnrecognizedClientException', status],
});
const AUTH_ERRORS: Record<ServiceName, AuthErrors> = {
  route53: QUERY_AUTH_ERRORS,
  ec2: {
    missing: ['MissingAuthenticationToken', 401],
    malformed: ['IncompleteSignature', 401],
    expired: ['RequestExpired', 400],
    mismatch: ['AuthFailure', 401],
    'unknown-key': ['AuthFailure', 401],
  },
  route53profiles: jsonAuthErrors(403),
  sts: QUERY_AUTH_ERRORS,
  // IAM speaks the same query protocol as STS and shares its authentication errors [unconfirmed: per-code statuses].
  iam: QUERY_AUTH_ERRORS,
  // AWS JSON 1.1 services answer authentication failures with HTTP 400 and these __type codes.
  ssm: jsonAuthErrors(400),
  // RAM speaks REST-JSON as Route 53 Profiles does and is taken to answer as it does [unconfirmed].
  ram: jsonAuthErrors(403),
  // Organizations speaks JSON 1.1 as SSM does and is taken to answer as it does [unconfirmed].
  organizations: jsonAuthErrors(400),
  // S3's own codes [API ErrorResponses]: an unsigned request is anonymous and refused as AccessDenied.
  s3: {
    missing: ['AccessDenied', 403],
    malformed: ['AuthorizationHeaderMalformed', 400],
    expired: ['RequestTimeTooSkewed', 403],
    mismatch: ['SignatureDoesNotMatch', 403],
    'unknown-key': ['InvalidAccessKeyId', 403],
  },
};

const AUTH_MESSAGES: Record<SigV4Failure['kind'] | 'unknown-key', string> = {
  missing: 'Request is missing Authentication Token',
  malformed: 'Authorization header requires a valid AWS4-HMAC-SHA256 signature',
  expired: 'Signature expired',
  mismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  'unknown-key': 'The security token included in the request is invalid.',
};

/** Where a service words them its own way [API S3 ErrorResponses]. */
const SERVICE_AUTH_MESSAGES: Partial<Record<ServiceName, Partial<Record<SigV4Failure['kind'] | 'unknown-key', string>>>> = {
  s3: {
    missing: 'Access Denied',
    malformed: 'The authorization header is malformed',
    expired: 'The difference between the request time and the current time is too large.',
    mismatch: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    'unknown-key': 'The AWS Access Key Id you provided does not exist in our records.',
  },
};

const authMessage = (service: ServiceName, kind: SigV4Failure['kind'] | 'unknown-key') => SERVICE_AUTH_MESSAGES[service]?.[kind] ?? AUTH_MESSAGES[kind];

const UNKNOWN_OPERATION: Record<ServiceName, [string, number]> = {
  route53: ['InvalidAction', 400],
  ec2: ['InvalidAction', 400],
  route53profiles: ['UnknownOperationException', 404],
  sts: ['InvalidAction', 400],
  ssm: ['UnknownOperationException', 400],
  iam: ['InvalidAction', 400],
  ram: ['UnknownOperationException', 404],
  organizations: ['UnknownOperationException', 400],
  // What S3 answers a subresource or method it doesn't have [API ErrorResponses NotImplemented].
  s3: ['NotImplemented', 501],
};

const SERVICE_FAILURE: Record<ServiceName, [string, number]> = {
  route53: ['ServiceUnavailable', 503],
  ec2: ['InternalError', 500],
  route53profiles: ['InternalServiceErrorException', 500],
  sts: ['InternalFailure', 500],
  ssm: ['InternalServerError', 500],
  // ServiceFailureException's code in the IAM model.
  iam: ['ServiceFailure', 500],
  // ServerInternalException, HTTP 500, in the RAM model.
  ram: ['ServerInternalException', 500],
  // ServiceException (a fault) in the Organizations model.
  organizations: ['ServiceException', 500],
  // InternalError, 500 "We encountered an internal error. Please try again." [API ErrorResponses].
  s3: ['InternalError', 500],
};

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Unsigned requests still get an error in the protocol the caller speaks. */
function guessService(req: RawRequest): ServiceName {
  if ((req.headers['x-amz-target'] ?? '').startsWith('AmazonSSM.')) return 'ssm';
  if ((req.headers['x-amz-target'] ?? '').startsWith(ORGANIZATIONS_TARGET_PREFIX)) return 'organizations';
  if (req.path.startsWith('/2013-04-01')) return 'route53';
  const text = req.body.toString('utf8', 0, 2048) + '&' + req.query.toString();
  if (/(^|&)Version=2011-06-15(&|$)/.test(text)) return 'sts';
  if (/(^|&)Version=2010-05-08(&|$)/.test(text)) return 'iam';
  if (/(^|&)Action=/.test(text)) return 'ec2';
  if (ramFrontEnd.operationOf(req)) return 'ram';
  // S3 clients sign x-amz-content-sha256; otherwise a path no Profiles route has is taken as S3's.
  if (req.headers['x-amz-content-sha256'] !== undefined) return 's3';
  if (!profilesFrontEnd.operationOf(req) && s3FrontEnd.operationOf(req)) return 's3';
  return 'route53profiles';
}

/**
 * The error an `error` fault answers: its code, status and message, else the service's internal
 * failure; a code naming the service's throttle takes that throttle's status and words (S3:
 * SlowDown, 503, "Please reduce your request rate.").
 */
function injectedErrorOf(service: ServiceName, fault: Fault): AwsApiError {
  const f: { code?: string; message?: string; status?: number } = fault.kind === 'error' ? fault : {};
  const throttle = THROTTLE_ERRORS[service];
  const [code, status] = SERVICE_FAILURE[service];
  const isThrottle = f.code !== undefined && f.code === throttle.code;
  return new AwsApiError(
    f.code ?? code,
    f.message ?? (isThrottle ? throttle.message : 'Injected service failure'),
    f.status ?? (isThrottle ? throttle.status : status),
  );
}

/** How a twin runs Run Command scripts (Twin.enableCommandExecution). */
export interface CommandExecutionOptions {
  /** The loopback resolver that answers as this VPC does (R53M_RESOLVER / R53M_PORT). */
  resolverFor(vpcId: string): { host: string; port: number } | undefined;
  /** Scripts running at once; the rest queue (default 16). */
  maxParallel?: number;
  /** Extra environment for every script (after the twin's own). */
  env?: Record<string, string>;
}

/** Real-time period of the Run Command lifecycle ticker while a command waits for its agent. */
const SSM_TICK_MS = 100;

export class Twin {
  readonly world: World;
  readonly clock: Clock;
  readonly faults: FaultStore;
  readonly log: RequestLogEntry[] = [];
  private limiter: RateLimiter;
  private held = new Map<string, HeldRequest & { release: () => void }>();
  private heldWaiters: (() => void)[] = [];
  private seq = 0;
  private runner?: CommandRunner;
  private execution?: CommandExecutionOptions;
  private ssmTicker?: NodeJS.Timeout;
  private closed = false;
  /** What Run Command operations see of the twin around the world. */
  readonly ssmEnv: SsmEnv;

  constructor(opts: TwinOptions) {
    this.world = opts.world;
    this.world.instances ??= [];
    this.world.commands ??= [];
    this.clock = opts.clock ?? systemClock;
    this.faults = new FaultStore(() => this.clock.now());
    this.limiter = new RateLimiter(opts.rateLimits ?? AWS_RATE_LIMITS);
    const self = this;
    this.ssmEnv = {
      agentOffline: (id) => this.faults.agentOffline(id),
      takeCommandFail: (id, account) => this.faults.takeCommandFail(id, account),
      wake: () => this.wakeSsm(),
      get execute() {
        return self.runner ? (commandId: string, instanceId: string) => self.execute(commandId, instanceId) : undefined;
      },
      cancel: (commandId, instanceId) => this.runner?.cancel(`${commandId}/${instanceId}`),
    };
  }

  /**
   * Lets SendCommand scripts run as local child processes (sh), each with its instance's VPC
   * resolver in R53M_RESOLVER / R53M_PORT. Without this call the twin never spawns a process:
   * invocations end Failed with StatusDetails saying execution is off.
   */
  enableCommandExecution(opts: CommandExecutionOptions): void {
    if (this.closed) throw new Error('the twin is closed');
    this.execution = opts;
    this.runner ??= new CommandRunner({ maxParallel: opts.maxParallel });
  }

  get commandExecutionEnabled(): boolean {
    return this.runner !== undefined;
  }

  /** Kills running scripts and stops the Run Command ticker. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.ssmTicker) clearInterval(this.ssmTicker);
    this.ssmTicker = undefined;
    await this.runner?.close();
  }

  private wakeSsm(): void {
    if (this.ssmTicker || this.closed) return;
    this.ssmTicker = setInterval(() => {
      advanceSsm(this.world, this.clock.now(), this.ssmEnv);
      if (!ssmHasPending(this.world) && this.ssmTicker) {
        clearInterval(this.ssmTicker);
        this.ssmTicker = undefined;
      }
    }, SSM_TICK_MS);
    this.ssmTicker.unref();
  }

  private execute(commandId: string, instanceId: string): void {
    const runner = this.runner;
    const cmd = this.world.commands.find((c) => c.commandId === commandId);
    const inst = this.world.instances.find((i) => i.id === instanceId);
    if (!runner || !cmd || !inst) return;
    const resolver = this.execution?.resolverFor(inst.vpcId);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      // What the SSM Agent sets for every command [peer: amazon-ssm-agent sets AWS_SSM_INSTANCE_ID / AWS_SSM_REGION_NAME].
      AWS_SSM_INSTANCE_ID: inst.id,
      AWS_SSM_REGION_NAME: cmd.region,
      ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
      ...(process.env.PYENV_VERSION ? { PYENV_VERSION: process.env.PYENV_VERSION } : {}),
      ...(resolver ? { R53M_RESOLVER: resolver.host, R53M_PORT: String(resolver.port) } : {}),
      ...(this.execution?.env ?? {}),
    };
    runner.submit({
      key: `${commandId}/${instanceId}`,
      script: (cmd.parameters.commands ?? []).join('\n') + '\n',
      env,
      timeoutMs: Math.min(cmd.executionTimeoutSeconds, MAX_EXECUTION_TIMEOUT_S) * 1000,
      done: (result) => completeInvocation(this.world, commandId, instanceId, result, this.clock.now()),
    });
  }

  /** The world as of now (lifecycles applied). */
  snapshot(): World {
    advance(this.world, this.clock.now());
    advanceSsm(this.world, this.clock.now(), this.ssmEnv);
    return this.world;
  }

  heldRequests(): HeldRequest[] {
    return [...this.held.values()].map(({ release: _r, ...h }) => h);
  }

  /** Releases one held request (or all); returns how many. */
  release(id?: string): number {
    const targets = id ? [this.held.get(id)].filter((h) => h !== undefined) : [...this.held.values()];
    for (const h of targets) {
      this.held.delete(h.id);
      h.release();
    }
    return targets.length;
  }

  /** Resolves when at least one request is held, or after timeoutMs (real time). */
  waitForHeld(timeoutMs: number): Promise<HeldRequest[]> {
    if (this.held.size > 0) return Promise.resolve(this.heldRequests());
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiter = () => done();
      this.heldWaiters.push(waiter);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.heldWaiters = self.heldWaiters.filter((w) => w !== waiter);
        resolve(self.heldRequests());
      }
    });
  }

  async handle(req: RawRequest, client: ClientLiveness = { gone: () => false }): Promise<RawResponse> {
    const arrived = this.clock.now();
    const requestId = randomUUID();
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      at: arrived,
      time: new Date(arrived).toISOString(),
      requestId,
      mutating: false,
      status: 0,
      outcome: 'ok',
      method: req.method,
      path: req.path,
      body: req.body.length ? req.body.toString('utf8', 0, 4096) : undefined,
      latencyMs: 0,
    };
    const finish = (res: RawResponse, outcome: Outcome, errorCode?: string): RawResponse => {
      entry.status = res.status;
      entry.outcome = outcome;
      if (errorCode) entry.errorCode = errorCode;
      entry.latencyMs = this.clock.now() - arrived;
      this.log.push(entry);
      res.headers['x-amzn-requestid'] = requestId;
      if (entry.service === 'ec2' || entry.service === 'sts' || entry.service === 'iam' || entry.service === 's3') res.headers['x-amz-request-id'] = requestId;
      return res;
    };
    const fail = (fe: ServiceFrontEnd, err: AwsApiError, outcome: Outcome) =>
      finish(fe.renderError(err, requestId, req), outcome, err.code);

    // 1. Who is calling, and which service (the credential scope says).
    const auth = parseAuthorization(req.headers.authorization);
    if (isFailure(auth)) {
      const service = guessService(req);
      entry.service = service;
      const [code, status] = AUTH_ERRORS[service][auth.kind];
      const detail = auth.kind === 'malformed' ? `: ${auth.detail}` : '';
      return fail(FRONT_ENDS[service], new AwsApiError(code, authMessage(service, auth.kind) + detail, status), 'auth-failed');
    }
    const service = (Object.keys(FRONT_ENDS) as ServiceName[]).find((s) => s === auth.service) ?? guessService(req);
    const fe = FRONT_ENDS[service];
    entry.service = service;
    entry.accessKeyId = auth.accessKeyId;
    const credential = this.credentialFor(auth.accessKeyId, req.headers['x-amz-security-token']);
    if (!credential) {
      const [code, status] = AUTH_ERRORS[service]['unknown-key'];
      return fail(fe, new AwsApiError(code, authMessage(service, 'unknown-key'), status), 'auth-failed');
    }
    const sigFailure = verifySignature(req, auth, credential.secretAccessKey, arrived);
    if (sigFailure) {
      const [code, status] = AUTH_ERRORS[service][sigFailure.kind];
      const detail = 'detail' in sigFailure ? ` (${sigFailure.detail})` : '';
      return fail(fe, new AwsApiError(code, authMessage(service, sigFailure.kind) + detail, status), 'auth-failed');
    }
    entry.accountId = credential.accountId;
    entry.principal = credential.principal.arn;
    // S3 also holds the body to the x-amz-content-sha256 it signed.
    const payload = service === 's3' ? s3PayloadProblem(req) : undefined;
    if (payload) return fail(fe, new AwsApiError(payload.code, payload.message, payload.status), 'error');

    // 2. Which operation.
    const operation = fe.operationOf(req);
    if (!operation) {
      const [code, status] = UNKNOWN_OPERATION[service];
      const action = service === 'ec2' || service === 'sts' || service === 'iam' ? queryParams(req).get('Action') : null;
      const message = action
        ? `The action ${action} is not valid for this web service.`
        : action === ''
          ? 'The request must contain the parameter Action.'
          : `${req.method} ${req.path} is not an operation of ${service}.`;
      return fail(fe, new AwsApiError(code, message, status), 'error');
    }
    entry.operation = operation;
    entry.mutating = fe.isMutating(operation);
    const call = { service, operation, accountId: credential.accountId, mutating: entry.mutating, text: `${safeDecode(req.path)} ${req.body.toString('utf8', 0, 8192)}` };

    // 2b. IAM: the account's identity policy must allow every request the call makes. A denied
    // call never reaches faults, rate limits or the world.
    const denial = authorize(this.world, credential.principal, fe, operation, req, auth.region);
    if (denial) {
      entry.denied = { action: denial.request.action, resource: denial.request.resource, decision: denial.evaluation.decision as 'implicitDeny' | 'explicitDeny' };
      return fail(fe, denial.error, 'denied');
    }

    // 3. Injected faults, then AWS's own rate limits.
    if (this.faults.take('throttle', call)) {
      const t = THROTTLE_ERRORS[service];
      return fail(fe, new AwsApiError(t.code, t.message, t.status), 'throttled');
    }
    const injected = this.faults.take('error', call);
    const injectedError = injected && injectedErrorOf(service, injected);
    if (injectedError && !(injected.kind === 'error' && injected.after)) return fail(fe, injectedError, 'fault');
    if (!this.limiter.tryTake(credential.accountId, service, operation, entry.mutating, arrived, fe.partition?.(req))) {
      const t = THROTTLE_ERRORS[service];
      return fail(fe, new AwsApiError(t.code, t.message, t.status), 'throttled');
    }
    const holdBefore = this.faults.take('hold', call);
    if (holdBefore && holdBefore.phase === 'before') {
      await this.hold(holdBefore, call, requestId);
      // The caller died while we held it: like a request that never reached AWS.
      if (client.gone()) return finish({ status: 499, headers: {}, body: '' }, 'dropped');
    }

    // 4. Run it on the world as of now.
    const slow = this.faults.take('slow', call);
    const ctx: CallContext = {
      world: this.world,
      now: this.clock.now(),
      accountId: credential.accountId,
      region: auth.region,
      requestId,
      delayFactor: slow?.factor ?? 1,
      takeFault: (kind) => this.faults.take(kind, call) !== undefined,
      ssm: this.ssmEnv,
      principal: credential.principal,
    };
    advance(this.world, ctx.now);
    let res: RawResponse;
    let outcome: Outcome = 'ok';
    let errorCode: string | undefined;
    try {
      res = fe.handle(operation, req, ctx);
    } catch (e) {
      const err = isAwsApiError(e)
        ? e
        : new AwsApiError(SERVICE_FAILURE[service][0], 'The twin failed unexpectedly; see its stderr', 500);
      if (!isAwsApiError(e)) process.stderr.write(`twin: ${service}.${operation} crashed: ${(e as Error)?.stack ?? e}\n`);
      res = fe.renderError(err, requestId, req);
      outcome = 'error';
      errorCode = err.code;
    }
    if (holdBefore && holdBefore.phase === 'after') await this.hold(holdBefore, call, requestId);
    // An `after` error fault: the world has the call's effect, the caller gets the error.
    if (injectedError) return fail(fe, injectedError, 'fault');
    return finish(res, outcome, errorCode);
  }

  private hold(fault: Fault, call: { service: ServiceName; operation: string; accountId: string }, requestId: string): Promise<void> {
    return new Promise((resolve) => {
      const id = `held-${requestId.slice(0, 8)}`;
      const phase = fault.kind === 'hold' ? fault.phase : 'before';
      this.held.set(id, { id, phase, ...call, requestId, since: this.clock.now(), release: resolve });
      for (const w of this.heldWaiters.splice(0)) w();
    });
  }

  private credentialFor(accessKeyId: string, sessionToken: string | undefined): { accountId: string; secretAccessKey: string; principal: Principal } | undefined {
    const account = this.world.accounts.find((a) => a.accessKeyId === accessKeyId);
    if (account) return { accountId: account.id, secretAccessKey: account.secretAccessKey, principal: userPrincipal(account.id) };
    const now = this.clock.now();
    const session = this.world.sessions.find((s) => s.accessKeyId === accessKeyId && s.expiresAt > now);
    if (session && session.sessionToken === sessionToken) {
      return {
        accountId: session.accountId,
        secretAccessKey: session.secretAccessKey,
        principal: sessionPrincipal(session.accountId, session.roleArn, session.sessionName ?? 'session'),
      };
    }
    return undefined;
  }

  /**
   * Attaches an identity policy to an account's user and role (replacing any), or detaches it
   * (undefined: the account is no longer evaluated, everything is allowed). Throws
   * PolicyDocumentError naming every problem of a malformed document.
   */
  setPolicy(accountId: string, doc: PolicyDocument | undefined): void {
    if (!this.world.accounts.some((a) => a.id === accountId)) throw new Error(`no account ${accountId} in the twin`);
    if (doc === undefined) {
      if (this.world.iamPolicies) delete this.world.iamPolicies[accountId];
      return;
    }
    const checked = parsePolicyDocument(doc);
    this.world.iamPolicies ??= {};
    this.world.iamPolicies[accountId] = structuredClone(checked);
  }

  /** The attached policies, by account id. */
  policies(): Record<string, PolicyDocument> {
    return { ...(this.world.iamPolicies ?? {}) };
  }
}
