// An in-memory ObjectStore with S3's conditional semantics, for the S3 state store's unit tests:
// ETags are the body's MD5 (as S3's are for a single-part upload), and a test can make the next
// call fail before or after it takes effect (a reply lost on the way back).
import { createHash } from 'node:crypto';
import { ObjectStoreError, sameEtag, type DeleteOutcome, type ObjectStore, type PutCondition, type PutOutcome, type StoredObject } from './object-store.js';

type Op = 'get' | 'head' | 'put' | 'delete' | 'list';

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>();
  readonly calls: { op: Op; key: string; condition?: PutCondition | string }[] = [];
  private failures: { op: Op; key?: string; after: boolean; message: string }[] = [];

  constructor(
    readonly bucket = 'state-bucket',
    private readonly now: () => number = Date.now,
  ) {}

  uriOf(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  /** The next `op` (on `key`, when given) fails; `after`: once it has taken effect. */
  failNext(op: Op, options: { key?: string; after?: boolean; message?: string } = {}): void {
    this.failures.push({ op, ...(options.key ? { key: options.key } : {}), after: options.after ?? false, message: options.message ?? 'InternalError (500)' });
  }

  /** Replaces an object as someone else would (a colleague, a hand edit). */
  putBehindTheBack(key: string, body: string | Buffer): void {
    this.store(key, Buffer.from(body));
  }

  private store(key: string, body: Buffer): string {
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    this.objects.set(key, { body: Buffer.from(body), etag, lastModified: new Date(this.now()) });
    return etag;
  }

  private async run<T>(op: Op, key: string, work: () => T, condition?: PutCondition | string): Promise<T> {
    this.calls.push({ op, key, ...(condition ? { condition } : {}) });
    const i = this.failures.findIndex((f) => f.op === op && (f.key === undefined || f.key === key));
    const failure = i >= 0 ? this.failures.splice(i, 1)[0] : undefined;
    if (failure && !failure.after) throw new ObjectStoreError(op, this.uriOf(key), failure.message);
    const out = work();
    if (failure) throw new ObjectStoreError(op, this.uriOf(key), failure.message);
    return out;
  }

  get(key: string): Promise<StoredObject | undefined> {
    return this.run('get', key, () => {
      const o = this.objects.get(key);
      return o ? { ...o, body: Buffer.from(o.body), servedAt: new Date(this.now()) } : undefined;
    });
  }

  head(key: string): Promise<{ etag: string; lastModified: Date; servedAt: Date } | undefined> {
    return this.run('head', key, () => {
      const o = this.objects.get(key);
      return o ? { etag: o.etag, lastModified: o.lastModified, servedAt: new Date(this.now()) } : undefined;
    });
  }

  put(key: string, body: Buffer, condition?: PutCondition): Promise<PutOutcome> {
    return this.run(
      'put',
      key,
      (): PutOutcome => {
        const found = this.objects.get(key);
        if (condition && 'ifNoneMatch' in condition && found) return { ok: false, refused: 'exists' };
        if (condition && 'ifMatch' in condition) {
          if (!found) return { ok: false, refused: 'missing' };
          if (!sameEtag(found.etag, condition.ifMatch)) return { ok: false, refused: 'changed' };
        }
        return { ok: true, etag: this.store(key, body) };
      },
      condition,
    );
  }

  delete(key: string, ifMatch?: string): Promise<DeleteOutcome> {
    return this.run(
      'delete',
      key,
      (): DeleteOutcome => {
        const found = this.objects.get(key);
        if (!found) return 'missing';
        if (ifMatch && !sameEtag(found.etag, ifMatch)) return 'changed';
        this.objects.delete(key);
        return 'deleted';
      },
      ifMatch,
    );
  }

  list(prefix: string): Promise<string[]> {
    return this.run('list', prefix, () => [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort());
  }
}
