// The S3 state backend's door to AWS: the ObjectStore contract of src/state on the official S3
// client. Conditional writes are S3's own (If-None-Match: *, If-Match: <ETag>); their refusals
// (412 PreconditionFailed, 404 NoSuchKey on If-Match, 409 ConditionalRequestConflict) are answers
// the store acts on, everything else is an ObjectStoreError. 500s and 503 SlowDown are retried by
// the SDK's standard retry strategy (backoff with jitter) before they become one.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DeserializeHandler, DeserializeHandlerArguments, MiddlewareStack } from '@smithy/types';
import type { PlanAccount } from '../plan/schema.js';
import { ObjectStoreError, type DeleteOutcome, type ObjectStore, type PutCondition, type PutOutcome, type StoredObject } from '../state/object-store.js';
import { credentialsFor } from './access.js';

export interface S3ObjectStoreOptions {
  region: string;
  /** The plan account whose credentials reach the bucket; absent: the AWS credential chain. */
  account?: PlanAccount;
  /** Attempts in all for 5xx, SlowDown and network failures (the SDK's standard retry). */
  maxAttempts?: number;
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

const statusOf = (e: unknown): number | undefined => (e as SdkError)?.$metadata?.httpStatusCode;
const codeOf = (e: unknown): string => (e as SdkError)?.Code ?? (e as SdkError)?.name ?? 'Error';
/** No such key (a 404 that is not the bucket's: a HEAD's 404 has no body to tell, and a missing bucket shows at the lock's GET or PUT first). */
const noSuchKey = (e: unknown): boolean => codeOf(e) === 'NoSuchKey' || (statusOf(e) === 404 && codeOf(e) !== 'NoSuchBucket');

/** One S3 client per (region, account), shared by every bucket it reaches. */
export function s3ClientFor(options: S3ObjectStoreOptions): S3Client {
  const { credentials, profile } = options.account ? credentialsFor(options.account, options.region) : { credentials: fromNodeProviderChain(), profile: undefined };
  const config: S3ClientConfig = {
    region: options.region,
    credentials,
    maxAttempts: options.maxAttempts ?? 5,
    requestHandler: new NodeHttpHandler({ requestTimeout: 30_000, connectionTimeout: 5_000, throwOnRequestTimeout: true }),
    ...(profile ? { profile } : {}),
  };
  return new S3Client(config);
}

/**
 * The response's Date header (S3's clock when it answered), caught on the command's own middleware
 * stack: with LastModified it gives an object's age on one clock, whatever this machine's says.
 * Each attempt of a retried call sets it; the last one's stays.
 */
function servedAtOf(command: { middlewareStack: unknown }): { at?: Date } {
  const seen: { at?: Date } = {};
  (command.middlewareStack as MiddlewareStack<object, object>).add(
    (next: DeserializeHandler<object, object>) => async (args: DeserializeHandlerArguments<object>) => {
      const out = await next(args);
      const date = (out.response as { headers?: Record<string, string | undefined> } | undefined)?.headers?.date;
      const at = date ? new Date(date) : undefined;
      if (at && !Number.isNaN(at.getTime())) seen.at = at;
      return out;
    },
    { step: 'deserialize', name: 'r53migrateServedAt' },
  );
  return seen;
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  uriOf(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  private failure(operation: string, key: string, e: unknown): ObjectStoreError {
    const status = statusOf(e);
    const code = codeOf(e);
    const hint =
      status === 403 || code === 'AccessDenied'
        ? `access denied: the credentials need s3:GetObject, s3:PutObject, s3:DeleteObject on arn:aws:s3:::${this.bucket}/* and s3:ListBucket on arn:aws:s3:::${this.bucket} (r53migrate iam-policy prints them)`
        : code === 'CredentialsProviderError'
          ? `no AWS credentials reach it (${(e as SdkError)?.message ?? code}): give the plan (its state.account names the account whose credentials do), or set AWS_PROFILE`
          : code === 'NoSuchBucket'
            ? `there is no bucket ${this.bucket}: check the plan's state.location (or --state); nothing was changed`
            : `${code}${status ? ` (HTTP ${status})` : ''}: ${(e as SdkError)?.message ?? String(e)}`;
    return new ObjectStoreError(operation, this.uriOf(key), hint, { cause: e, badLocation: code === 'NoSuchBucket' });
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const command = new GetObjectCommand({ Bucket: this.bucket, Key: key });
      const served = servedAtOf(command);
      const out = await this.client.send(command);
      const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
      return { body, etag: out.ETag ?? '', lastModified: out.LastModified ?? new Date(0), ...(served.at ? { servedAt: served.at } : {}) };
    } catch (e) {
      if (noSuchKey(e)) return undefined;
      throw this.failure('GetObject', key, e);
    }
  }

  async head(key: string): Promise<{ etag: string; lastModified: Date; servedAt?: Date } | undefined> {
    try {
      const command = new HeadObjectCommand({ Bucket: this.bucket, Key: key });
      const served = servedAtOf(command);
      const out = await this.client.send(command);
      return { etag: out.ETag ?? '', lastModified: out.LastModified ?? new Date(0), ...(served.at ? { servedAt: served.at } : {}) };
    } catch (e) {
      if (noSuchKey(e)) return undefined;
      throw this.failure('HeadObject', key, e);
    }
  }

  async put(key: string, body: Buffer, condition?: PutCondition): Promise<PutOutcome> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: key.endsWith('.html') ? 'text/html; charset=utf-8' : key.endsWith('.json') || key.endsWith('.lock') || key.endsWith('.prev') ? 'application/json' : 'application/octet-stream',
          ...(condition && 'ifNoneMatch' in condition ? { IfNoneMatch: '*' } : {}),
          ...(condition && 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : {}),
        }),
      );
      return { ok: true, etag: out.ETag ?? '' };
    } catch (e) {
      const status = statusOf(e);
      if (condition && status === 412) return { ok: false, refused: 'ifNoneMatch' in condition ? 'exists' : 'changed' };
      if (condition && 'ifMatch' in condition && noSuchKey(e)) return { ok: false, refused: 'missing' };
      if (condition && status === 409) return { ok: false, refused: 'conflict' };
      throw this.failure('PutObject', key, e);
    }
  }

  async delete(key: string, ifMatch?: string): Promise<DeleteOutcome> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(ifMatch ? { IfMatch: ifMatch } : {}) }));
      return 'deleted';
    } catch (e) {
      const status = statusOf(e);
      if (ifMatch && status === 412) return 'changed';
      if (noSuchKey(e)) return 'missing';
      throw this.failure('DeleteObject', key, e);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
        for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw this.failure('ListObjectsV2', prefix, e);
    }
    return keys;
  }
}
