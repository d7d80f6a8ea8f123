// The few object-store calls the S3 state backend makes, behind a contract: the S3 client of the
// official SDK implements it in src/aws/s3-object-store.ts (aws/ is the only door to AWS), an
// in-memory one serves the store's unit tests. Conditions are S3's: a create that fails when the
// key exists (If-None-Match: *), a replace or delete that fails unless the ETag is still the one
// read last (If-Match). A refused condition is an answer, not an error: the caller decides.

export interface StoredObject {
  body: Buffer;
  /** As S3 returns it, quotes included. */
  etag: string;
  /** When S3 stored this version (its clock, not the writer's). */
  lastModified: Date;
  /** S3's clock when it answered (the response's Date), when known: what an age is measured on. */
  servedAt?: Date;
}

export type PutCondition = { ifNoneMatch: '*' } | { ifMatch: string };

export type PutOutcome =
  | { ok: true; etag: string }
  /** exists: If-None-Match found the key; changed: If-Match found another ETag; missing: If-Match found no key; conflict: a concurrent conditional write (409), try again. */
  | { ok: false; refused: 'exists' | 'changed' | 'missing' | 'conflict' };

export type DeleteOutcome = 'deleted' | 'missing' | 'changed';

export interface ObjectStore {
  /** `s3://bucket/key`, for messages. */
  uriOf(key: string): string;
  /** Undefined when there is no such key. */
  get(key: string): Promise<StoredObject | undefined>;
  /** The ETag and time of the current version, without the body; undefined when there is no such key. */
  head(key: string): Promise<{ etag: string; lastModified: Date; servedAt?: Date } | undefined>;
  put(key: string, body: Buffer, condition?: PutCondition): Promise<PutOutcome>;
  /** Deletes the key (only while its ETag is `ifMatch`, when given). */
  delete(key: string, ifMatch?: string): Promise<DeleteOutcome>;
  /** Every key under the prefix. */
  list(prefix: string): Promise<string[]>;
}

/** ETags compared as S3 does: with or without their quotes. */
export function sameEtag(a: string, b: string): boolean {
  const bare = (s: string) => s.replace(/^W\//, '').replace(/^"|"$/g, '');
  return bare(a) === bare(b);
}

/**
 * The object store failed to answer (network, access denied, 5xx after the SDK's retries): not a
 * refused condition. `operation` and `key` say which call; the message says what to do.
 */
export class ObjectStoreError extends Error {
  readonly code = 'STATE_BACKEND_FAILED';
  /**
   * 2 when the location itself is wrong (no such bucket: a mistake in the plan or --state, nothing
   * was changed); else 1: the run stops (or never starts), resume goes on once S3 answers.
   */
  readonly exitCode: 1 | 2;
  constructor(
    readonly operation: string,
    readonly uri: string,
    detail: string,
    options?: { cause?: unknown; badLocation?: boolean },
  ) {
    super(`${operation} ${uri} failed: ${detail}`, options);
    this.exitCode = options?.badLocation ? 2 : 1;
    this.name = 'ObjectStoreError';
  }
}
