// A Route 53 Profiles client shaped like @aws-sdk/client-route53profiles (which the registry here
// does not serve): same config names, `send(command, { abortSignal })`, outputs with $metadata,
// the same exception classes. It is assembled from the SDK's own parts rather than reimplementing
// them: SigV4 (@smithy/signature-v4 + @aws-crypto/sha256-js), the default credential chain
// (@aws-sdk/credential-providers), the standard retry strategy and error classification
// (@smithy/core/retry), configured-endpoint loading (@smithy/core/endpoints), config-file loaders
// (@smithy/core/config), the partition table (@aws-sdk/core/client) and NodeHttpHandler.
import { createRequire } from 'node:module';
import { release } from 'node:os';
import { Sha256 } from '@aws-crypto/sha256-js';
import { partition } from '@aws-sdk/core/client';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { NoOpLogger } from '@smithy/core/client';
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
import { resolveEndpointConfig } from '@smithy/core/endpoints';
import { HttpRequest, HttpResponse } from '@smithy/core/protocols';
import {
  getRetryAfterHint,
  INVOCATION_ID_HEADER,
  isServerError,
  isThrottlingError,
  isTransientError,
  NODE_MAX_ATTEMPT_CONFIG_OPTIONS,
  NODE_RETRY_MODE_CONFIG_OPTIONS,
  REQUEST_HEADER,
  resolveRetryConfig,
} from '@smithy/core/retry';
import { streamCollector, v4 as uuidv4 } from '@smithy/core/serde';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Endpoint,
  EndpointV2,
  HttpHandlerOptions,
  Logger,
  Provider,
  ResponseMetadata,
  RetryErrorInfo,
  RetryErrorType,
  RetryStrategyV2,
  RetryToken,
  StandardRetryToken,
} from '@smithy/types';
import type { NodeHttpHandlerOptions } from '@smithy/types';
import type { Route53ProfilesCommand } from './commands.js';
import { Route53ProfilesServiceException } from './errors.js';
import { deserializeError, deserializeOutput, responseMetadata, serializeRequest } from './serde.js';

/** The service's id in the SDK: it names AWS_ENDPOINT_URL_ROUTE53PROFILES and `[services] route53profiles =`. */
export const SERVICE_ID = 'Route53Profiles';
export const SIGNING_NAME = 'route53profiles';
const CLIENT_NAME = 'Route53ProfilesClient';

const { version: R53MIGRATE_VERSION } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** The request handler: anything with NodeHttpHandler's handle(), or options for one. */
export interface RequestHandlerLike {
  handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }>;
  destroy?(): void;
}

export interface Route53ProfilesClientConfig {
  /** Default: AWS_REGION, then `region` in the shared config files (for `profile`). */
  region?: string | Provider<string>;
  /** Explicit endpoint; beats every configured one (AWS_ENDPOINT_URL*, endpoint_url). */
  endpoint?: string | Endpoint | Provider<Endpoint> | EndpointV2 | Provider<EndpointV2>;
  /** Default: the SDK's node provider chain (env, SSO, ini incl. role_arn/source_profile, process, IMDS). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Named profile for credentials and region (like the SDK's `profile`). */
  profile?: string;
  /** Default: AWS_MAX_ATTEMPTS, then `max_attempts` in config, then 3. */
  maxAttempts?: number | Provider<number>;
  /** Default: AWS_RETRY_MODE / `retry_mode`, then "standard". */
  retryMode?: string | Provider<string>;
  retryStrategy?: RetryStrategyV2;
  requestHandler?: RequestHandlerLike | NodeHttpHandlerOptions;
  logger?: Logger;
  useFipsEndpoint?: boolean;
  useDualstackEndpoint?: boolean;
  /** Ignore AWS_ENDPOINT_URL* and endpoint_url (the env var and config key are honoured too). */
  ignoreConfiguredEndpointUrls?: boolean;
  /** Appended to the User-Agent, as the SDK's option of that name. */
  customUserAgent?: string | [string, string][];
}

export interface Route53ProfilesResolvedConfig {
  region: Provider<string>;
  credentials: AwsCredentialIdentityProvider;
  maxAttempts: Provider<number>;
  retryStrategy: Provider<RetryStrategyV2>;
  requestHandler: RequestHandlerLike;
  logger: Logger;
  serviceId: string;
  /** The resolved endpoint URL (explicit > AWS_ENDPOINT_URL_ROUTE53PROFILES > AWS_ENDPOINT_URL > endpoint_url > default). */
  endpoint: Provider<Endpoint>;
  isCustomEndpoint: boolean;
  useFipsEndpoint: boolean;
  useDualstackEndpoint: boolean;
  userAgent: string;
}

// ---------------------------------------------------------------------------------------------
// Config resolution

const toProvider = <T>(v: T | Provider<T>): Provider<T> => (typeof v === 'function' ? (v as Provider<T>) : async () => v);

function memo<T>(provider: Provider<T>): Provider<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= provider().catch((e) => {
      p = undefined; // a failure (say, no region yet) is not cached
      throw e;
    });
    return p;
  };
}

/** The default endpoint per the service's ruleset: route53profiles[-fips].<region>.<partition suffix>. */
export function defaultEndpointUrl(region: string, fips = false, dualstack = false): string {
  const p = partition(region);
  if (fips && !p.supportsFIPS) throw new Error('FIPS is enabled but this partition does not support FIPS');
  if (dualstack && !p.supportsDualStack) throw new Error('DualStack is enabled but this partition does not support DualStack');
  const host = fips ? `${SIGNING_NAME}-fips` : SIGNING_NAME;
  return `https://${host}.${region}.${dualstack ? p.dualStackDnsSuffix : p.dnsSuffix}`;
}

function userAgentOf(custom: Route53ProfilesClientConfig['customUserAgent']): string {
  const parts = [
    `r53migrate/${R53MIGRATE_VERSION}`,
    'ua/2.1',
    `os/${process.platform}#${release()}`,
    'lang/js',
    `md/nodejs#${process.versions.node}`,
    `api/${SIGNING_NAME}#2018-05-10`,
  ];
  if (typeof custom === 'string') parts.push(custom);
  else if (custom) parts.push(...custom.map(([k, v]) => `${k}/${v}`));
  return parts.join(' ');
}

function resolveConfig(input: Route53ProfilesClientConfig): Route53ProfilesResolvedConfig {
  const profileInit = input.profile ? { profile: input.profile } : {};
  const region = memo(input.region !== undefined ? toProvider(input.region) : loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...profileInit }));

  // Default credentials: the SDK's chain, given this client's region and profile the way an SDK
  // client passes them (an assume-role profile's STS call needs a region).
  let credentials: AwsCredentialIdentityProvider;
  if (typeof input.credentials === 'function') credentials = input.credentials;
  else if (input.credentials) {
    const fixed = input.credentials;
    credentials = async () => fixed;
  } else {
    const chain = fromNodeProviderChain({ ...profileInit });
    credentials = () => chain({ callerClientConfig: { region, profile: input.profile } as never });
  }

  const retry = resolveRetryConfig({
    maxAttempts: input.maxAttempts ?? loadConfig(NODE_MAX_ATTEMPT_CONFIG_OPTIONS, profileInit),
    retryStrategy: input.retryStrategy,
    retryMode: input.retryMode ?? loadConfig({ ...NODE_RETRY_MODE_CONFIG_OPTIONS, default: 'standard' }, profileInit),
  });

  const handler = input.requestHandler;
  const requestHandler: RequestHandlerLike =
    handler && typeof (handler as RequestHandlerLike).handle === 'function'
      ? (handler as RequestHandlerLike)
      : new NodeHttpHandler((handler as NodeHttpHandlerOptions | undefined) ?? {});

  // The SDK's own endpoint config resolver: an explicit endpoint marks the client custom;
  // otherwise serviceConfiguredEndpoint() reads AWS_IGNORE_CONFIGURED_ENDPOINT_URLS /
  // ignore_configured_endpoint_urls, AWS_ENDPOINT_URL_ROUTE53PROFILES, AWS_ENDPOINT_URL and
  // endpoint_url (profile level or its `services` section) exactly as every SDK client does.
  const ep = resolveEndpointConfig({
    endpoint: input.endpoint as never,
    serviceId: SERVICE_ID,
    ignoreConfiguredEndpointUrls: input.ignoreConfiguredEndpointUrls,
    useFipsEndpoint: input.useFipsEndpoint,
    useDualstackEndpoint: input.useDualstackEndpoint,
  } as never) as unknown as {
    endpoint?: Provider<Endpoint>;
    isCustomEndpoint: boolean;
    ignoreConfiguredEndpointUrls: boolean;
    serviceConfiguredEndpoint: () => Promise<string | undefined>;
  };
  const fips = input.useFipsEndpoint ?? false;
  const dualstack = input.useDualstackEndpoint ?? false;
  if (ep.isCustomEndpoint && (fips || dualstack)) {
    throw new Error(`Invalid Configuration: ${fips ? 'FIPS' : 'Dualstack'} and custom endpoint are not supported`);
  }
  const state = { isCustomEndpoint: ep.isCustomEndpoint };
  const endpoint = memo<Endpoint>(async () => {
    if (ep.endpoint) return ep.endpoint();
    const configured = ep.ignoreConfiguredEndpointUrls ? undefined : await ep.serviceConfiguredEndpoint();
    const url = configured ?? defaultEndpointUrl(await region(), fips, dualstack);
    if (configured) state.isCustomEndpoint = true;
    const parsed = new URL(url);
    return {
      protocol: parsed.protocol,
      hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port ? Number(parsed.port) : undefined,
      path: parsed.pathname,
    } as Endpoint;
  });

  return {
    region,
    credentials,
    maxAttempts: retry.maxAttempts as Provider<number>,
    retryStrategy: retry.retryStrategy as Provider<RetryStrategyV2>,
    requestHandler,
    logger: input.logger ?? new NoOpLogger(),
    serviceId: SERVICE_ID,
    endpoint,
    get isCustomEndpoint() {
      return state.isCustomEndpoint;
    },
    useFipsEndpoint: fips,
    useDualstackEndpoint: dualstack,
    userAgent: userAgentOf(input.customUserAgent),
  };
}

// ---------------------------------------------------------------------------------------------
// Retries

/**
 * The SDK's classification (getRetryErrorType in @smithy/core/retry), with one deliberate
 * difference: the SDK's throttling list includes "LimitExceededException", which for Route 53
 * Profiles is a quota (e.g. VPCs per Profile), not a rate — retrying it cannot succeed.
 */
export function retryErrorType(error: any): RetryErrorType {
  if (error?.name === 'LimitExceededException' && error?.$metadata?.httpStatusCode !== 429) return 'CLIENT_ERROR';
  if (isThrottlingError(error)) return 'THROTTLING';
  if (isTransientError(error)) return 'TRANSIENT';
  if (isServerError(error)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

function race<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/** Waits `ms`, or rejects with AbortError when the signal aborts; leaves neither timer nor listener behind. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// The client

export interface SendOptions {
  abortSignal?: AbortSignal;
  requestTimeout?: number;
}

export class Route53ProfilesClient {
  readonly config: Route53ProfilesResolvedConfig;
  private readonly signer: SignatureV4;
  /**
   * Server time minus local time, learnt from each reply's Date header, as the SDK's
   * AwsSdkSigV4Signer keeps `config.systemClockOffset`: a machine whose clock jumped (or drifted)
   * more than SigV4's 5-minute window still signs requests AWS accepts.
   */
  private systemClockOffset = 0;

  constructor(configuration: Route53ProfilesClientConfig = {}) {
    this.config = resolveConfig(configuration);
    this.signer = new SignatureV4({
      service: SIGNING_NAME,
      region: this.config.region,
      credentials: this.config.credentials,
      sha256: Sha256,
    });
  }

  async send<Input extends object, Output extends ResponseMetadataBearer>(
    command: Route53ProfilesCommand<Input, Output>,
    options: SendOptions = {},
  ): Promise<Output> {
    const { operation, input } = command;
    const { logger } = this.config;
    try {
      const output = await this.sendOnce<Input, Output>(command, options);
      const { $metadata, ...rest } = output as Output & { $metadata: ResponseMetadata };
      logger.info?.({ clientName: CLIENT_NAME, commandName: `${operation}Command`, input, output: rest, metadata: $metadata });
      return output;
    } catch (error) {
      logger.error?.({ clientName: CLIENT_NAME, commandName: `${operation}Command`, input, error, metadata: (error as { $metadata?: unknown })?.$metadata });
      throw error;
    }
  }

  private async sendOnce<Input extends object, Output>(command: Route53ProfilesCommand<Input, any>, options: SendOptions): Promise<Output> {
    const { abortSignal } = options;
    const request = await serializeRequest(command.operation, command.input, this.config.endpoint);
    request.headers.host = request.port != null ? `${request.hostname}:${request.port}` : request.hostname;
    request.headers['user-agent'] = this.config.userAgent;
    request.headers['x-amz-user-agent'] = this.config.userAgent;
    if (request.body != null) request.headers['content-length'] = String(Buffer.byteLength(request.body as string));
    request.headers[INVOCATION_ID_HEADER] = uuidv4();

    // The loop of the SDK's retryMiddleware: a token per call, one refresh per failed attempt
    // (the strategy decides and sleeps), recordSuccess on success.
    const strategy = await this.config.retryStrategy();
    const maxAttempts = await this.config.maxAttempts();
    let token: RetryToken = await strategy.acquireInitialRetryToken(`${SERVICE_ID}:${command.operation}`);
    let attempts = 0;
    let totalRetryDelay = 0;
    for (;;) {
      const attemptRequest = HttpRequest.clone(request) as HttpRequest;
      attemptRequest.headers[REQUEST_HEADER] = `attempt=${attempts + 1}; max=${maxAttempts}`;
      try {
        const output = await this.attempt<Output>(command.operation, attemptRequest, options);
        strategy.recordSuccess(token);
        const $metadata = (output as { $metadata: ResponseMetadata }).$metadata;
        $metadata.attempts = attempts + 1;
        $metadata.totalRetryDelay = totalRetryDelay;
        return output;
      } catch (e) {
        const error = e as Error & { $metadata?: ResponseMetadata; $response?: HttpResponse };
        if (error?.name === 'AbortError' || abortSignal?.aborted) throw error;
        const errorInfo: RetryErrorInfo = { error: error as never, errorType: retryErrorType(error) };
        const hint = getRetryAfterHint(error.$response as never, this.config.logger);
        if (hint) errorInfo.retryAfterHint = hint;
        try {
          token = await race(strategy.refreshRetryTokenForRetry(token, errorInfo), abortSignal);
        } catch (refreshError) {
          if (abortSignal?.aborted && (refreshError as Error)?.name === 'AbortError') throw refreshError;
          error.$metadata ??= {};
          error.$metadata.attempts = attempts + 1;
          error.$metadata.totalRetryDelay = totalRetryDelay;
          throw error;
        }
        attempts = token.getRetryCount();
        const delay = token.getRetryDelay();
        totalRetryDelay += ((token as StandardRetryToken & { $retryLog?: { acquisitionDelay?: number } }).$retryLog?.acquisitionDelay ?? 0) + delay;
        if (delay > 0) await sleep(delay, abortSignal);
      }
    }
  }

  /** One signed HTTP exchange → the output, or a thrown service/network error. */
  private async attempt<Output>(operation: Route53ProfilesCommand<object, any>['operation'], request: HttpRequest, options: SendOptions): Promise<Output> {
    const offsetBefore = this.systemClockOffset;
    const sentAt = Date.now();
    const signed = (await this.signer.sign(request, { signingDate: new Date(sentAt + offsetBefore) })) as HttpRequest;
    const { response } = await this.config.requestHandler.handle(signed, { abortSignal: options.abortSignal as never, requestTimeout: options.requestTimeout });
    this.sampleClockSkew(response, sentAt);
    const bodyText = Buffer.from(await streamCollector(response.body)).toString('utf8');
    const $metadata = responseMetadata(response);
    if (response.statusCode >= 300) {
      const error = deserializeError(response, bodyText, $metadata) as Error & { $metadata?: ResponseMetadata & { clockSkewCorrected?: boolean } };
      // As the SDK: an error after which the offset moved past 4 minutes is marked, and its retry
      // classification (isTransientError) then retries it with the corrected clock.
      if (Math.abs(this.systemClockOffset) >= 240_000 && this.systemClockOffset !== offsetBefore && error.$metadata) error.$metadata.clockSkewCorrected = true;
      throw error;
    }
    try {
      return { $metadata, ...deserializeOutput(operation, bodyText) } as unknown as Output;
    } catch (e) {
      // A 2xx whose body is not the modelled JSON: surface it as the SDK does, with metadata.
      throw Object.assign(new Route53ProfilesServiceException({ name: 'DeserializationError', $fault: 'client', $metadata, message: (e as Error).message }), {
        $responseBodyText: bodyText,
      });
    }
  }

  /** getUpdatedSystemClockOffset of @aws-sdk/core: trust the Date header unless cached (Age) or the reply took over 15 minutes. */
  private sampleClockSkew(response: HttpResponse, sentAt: number): void {
    const date = response.headers.date ?? response.headers.Date;
    if (date === undefined || (response.headers.age ?? response.headers.Age) !== undefined) return;
    const serverTime = Date.parse(date);
    const receivedAt = Date.now();
    if (Number.isNaN(serverTime) || receivedAt - sentAt > 900_000) return;
    this.systemClockOffset = serverTime - receivedAt;
  }

  /** Closes idle sockets (like the SDK's client.destroy()). */
  destroy(): void {
    this.config.requestHandler.destroy?.();
  }
}

type ResponseMetadataBearer = { $metadata: ResponseMetadata };
