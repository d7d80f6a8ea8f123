// The checkpoint store of an S3 state (`--state s3://bucket/prefix/name.state.json`): the
// checkpoint is one object holding the state and its journal, replaced whole at every checkpoint
// with If-Match on the ETag read or written last, so a writer that lost the lock, or a colleague's
// run, can never be overwritten: a refused condition stops the run (StateChangedError). The
// previous checkpoint is kept as `<key>.prev` (a way back from a bad edit), the lock is
// `<key>.lock` (s3-lock.ts), and files the run keeps beside its state (zone backups, the report)
// are uploaded under the same prefix and read back before they count.
//
// S3 answers 500 and 503 SlowDown now and then; the SDK retries them. A retried conditional write
// whose first attempt did land finds its own ETag gone (412): the object is read back, and if it
// is exactly what this write sent, the write succeeded.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileSystem } from './fs.js';
import { readJournalFile } from './journal-file.js';
import { StateChangedError, StateFileCorruptError, StateInvalidError, StateWriteError } from './errors.js';
import { systemClock, type Clock } from './lock.js';
import { mirrorKeyOf, mirrorPathOf, type S3StateLocation } from './location.js';
import { ObjectStoreError, type ObjectStore } from './object-store.js';
import { checkResumable, describeIssues, parseStateBytes, type ResumeExpectation } from './read.js';
import { acquireS3Lock, inspectS3Lock, type HeldS3Lock, type S3LockInspection, type S3LockOptions } from './s3-lock.js';
import { RunState, SCHEMA_VERSION } from './schema.js';
import { SerialWrites } from './serial-writes.js';
import type { StateStore } from './store.js';

export const prevKeyOf = (key: string): string => `${key}.prev`;
export const lockKeyOf = (key: string): string => `${key}.lock`;

export interface OpenS3StateStoreOptions extends S3LockOptions {
  expect?: ResumeExpectation;
}

/** Reads a checkpoint object strictly (as a state file is read); undefined when there is none. */
async function readCheckpoint(objects: ObjectStore, location: S3StateLocation): Promise<{ state: RunState; etag: string; body: Buffer } | undefined> {
  // A bucket that can't be reached is not a damaged checkpoint: its ObjectStoreError says why.
  const found = await objects.get(location.key);
  if (!found) return undefined;
  try {
    const parsed = parseStateBytes(found.body, location.uri);
    // A local state file copied to S3 with its journal beside it (how a run moves to a bucket):
    // its journal is read from there, and the first checkpoint folds it in.
    const state = parsed.journalLog ? { ...parsed.state, journal: (await readJournalFile(objectReader(objects), location.key, parsed.journalLog)).entries } : parsed.state;
    return { state, etag: found.etag, body: found.body };
  } catch (error) {
    if (!(error instanceof StateFileCorruptError)) throw error;
    // Advise the previous checkpoint only when it is itself good.
    const prev = await objects.get(prevKeyOf(location.key)).catch(() => undefined);
    let prevUri: string | undefined;
    if (prev) {
      try {
        parseStateBytes(prev.body, objects.uriOf(prevKeyOf(location.key)));
        prevUri = objects.uriOf(prevKeyOf(location.key));
      } catch {
        prevUri = undefined;
      }
    }
    throw new StateFileCorruptError(location.uri, error.kind, error.problems, prevUri, { cause: error.cause });
  }
}

/** What readJournalFile needs of a file system, over the bucket: keys are the paths. */
function objectReader(objects: ObjectStore): FileSystem {
  const readOnly = (): Promise<never> => Promise.reject(new Error('the S3 checkpoint reader only reads'));
  return {
    async readFile(key) {
      const found = await objects.get(key);
      if (!found) throw Object.assign(new Error(`${objects.uriOf(key)} does not exist`), { code: 'ENOENT' });
      return found.body;
    },
    stat: readOnly,
    mkdir: readOnly,
    writeFileSynced: readOnly,
    appendFileSynced: readOnly,
    truncateSynced: readOnly,
    rename: readOnly,
    link: readOnly,
    unlink: readOnly,
    readdir: readOnly,
    fsyncDir: readOnly,
  };
}

/** The state in S3, checked, without taking the lock (status, report, the CLI's checks). */
export async function readS3State(objects: ObjectStore, location: S3StateLocation, expect?: ResumeExpectation): Promise<RunState | undefined> {
  const found = await readCheckpoint(objects, location);
  if (found && expect) checkResumable(found.state, location.uri, expect);
  return found?.state;
}

export function inspectS3StateLock(objects: ObjectStore, location: S3StateLocation, clock?: Clock): Promise<S3LockInspection> {
  return inspectS3Lock(objects, lockKeyOf(location.key), clock);
}

/** Takes the lock, then hands out the store. */
export async function openS3StateStore(objects: ObjectStore, location: S3StateLocation, options: OpenS3StateStoreOptions): Promise<{ store: S3StateStore; warnings: string[] }> {
  const lock = await acquireS3Lock(objects, lockKeyOf(location.key), options);
  return { store: new S3StateStore(objects, location, lock, options.clock ?? systemClock, options.expect, options.sleep), warnings: [...lock.warnings] };
}

export class S3StateStore implements StateStore {
  private readonly writes: SerialWrites;
  /** The checkpoint as this store last read or wrote it: a write replaces only that one. */
  private current: { etag: string; body: Buffer } | undefined;
  private readBefore = false;

  constructor(
    private readonly objects: ObjectStore,
    readonly location: S3StateLocation,
    readonly lock: HeldS3Lock,
    private readonly clock: Clock,
    private readonly expect: ResumeExpectation | undefined,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.writes = new SerialWrites(location.uri, () => lock.release());
  }

  get uri(): string {
    return this.location.uri;
  }

  async read(): Promise<RunState | undefined> {
    this.writes.checkOpen();
    await this.writes.idle();
    const found = await readCheckpoint(this.objects, this.location);
    this.readBefore = true;
    this.current = found ? { etag: found.etag, body: found.body } : undefined;
    if (found && this.expect) checkResumable(found.state, this.uri, this.expect);
    return found?.state;
  }

  write(state: RunState): Promise<void> {
    return this.writes.enqueue(() => this.writeNow(state, true));
  }

  /** The journal is inside the one checkpoint object: a whole (conditional) write, without a new `.prev`. */
  writeJournal(state: RunState): Promise<void> {
    return this.writes.enqueue(() => this.writeNow(state, false));
  }

  close(): Promise<void> {
    return this.writes.close();
  }

  private async writeNow(state: RunState, keepPrevious: boolean): Promise<void> {
    const checked = RunState.safeParse({ ...state, schemaVersion: SCHEMA_VERSION, updatedAt: new Date(this.clock.now()).toISOString() });
    if (!checked.success) throw new StateInvalidError(this.uri, describeIssues(checked.error.issues));
    const body = Buffer.from(JSON.stringify(checked.data) + '\n', 'utf8');
    // A run whose lock is gone must not write: the lock's holder now owns the checkpoint.
    await this.lock.verify();
    if (!this.readBefore) {
      // Never read: what is there decides the condition (a store used without read() first).
      const head = await this.objects.head(this.location.key).catch((e: unknown) => this.failed('reading the checkpoint\'s ETag', e));
      this.current = head ? { etag: head.etag, body: Buffer.alloc(0) } : undefined;
      this.readBefore = true;
    }
    const base = this.current;
    if (keepPrevious && base && base.body.length > 0) {
      await this.objects.put(prevKeyOf(this.location.key), base.body).catch((e: unknown) => this.failed(`keeping the previous checkpoint as ${this.objects.uriOf(prevKeyOf(this.location.key))}`, e));
    }
    for (let attempt = 1; ; attempt++) {
      const out = await this.objects
        .put(this.location.key, body, base ? { ifMatch: base.etag } : { ifNoneMatch: '*' })
        .catch((e: unknown) => this.failed('writing the checkpoint', e));
      if (out.ok) {
        this.current = { etag: out.etag, body };
        return;
      }
      if (out.refused === 'conflict' && attempt < 5) {
        await this.sleep(100 * attempt);
        continue;
      }
      // Our own earlier attempt may be what is there now (a reply lost, the write retried).
      const now = await this.objects.get(this.location.key).catch((e: unknown) => this.failed('reading back the checkpoint', e));
      if (now && now.body.equals(body)) {
        this.current = { etag: now.etag, body };
        return;
      }
      const expected = base ? `ETag ${base.etag} expected` : 'no checkpoint expected';
      const found = now ? `ETag ${now.etag} found` : 'none found: it was deleted';
      throw new StateChangedError(this.uri, `${expected}, ${found}`);
    }
  }

  private failed(stage: string, e: unknown): never {
    if (e instanceof ObjectStoreError) throw new StateWriteError(this.uri, stage, e);
    throw e;
  }

  /**
   * Uploads files of the local mirror (zone backups, the report) to their keys and reads each back:
   * a file counts as kept only once S3 returns exactly its bytes.
   */
  async keepFiles(paths: string[]): Promise<void> {
    this.writes.checkOpen();
    await this.lock.verify();
    await uploadVerified(this.objects, this.location.bucket, paths).catch((e: unknown) => this.failed('keeping files beside the checkpoint', e));
  }
}

/**
 * Uploads files of the local mirror of `bucket` to their keys and reads each back: a file counts
 * as kept only once S3 returns exactly its bytes (ObjectStoreError otherwise).
 */
export async function uploadVerified(objects: ObjectStore, bucket: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const key = mirrorKeyOf(bucket, path);
    const uri = objects.uriOf(key ?? path);
    if (!key) throw new ObjectStoreError('PutObject', uri, `${path} is outside the local mirror of the bucket`);
    const data = await readFile(path);
    const out = await objects.put(key, data);
    if (!out.ok) throw new ObjectStoreError('PutObject', uri, `S3 refused it (${out.refused})`);
    const back = await objects.get(key);
    if (!back || !back.body.equals(data)) throw new ObjectStoreError('GetObject', uri, 'what S3 returned differs from what was uploaded: nothing counts as kept');
  }
}

/**
 * Copies every object under `prefix` that the local mirror lacks into it (zone backups made on
 * another machine), so the code that reads them by path finds them; with `refresh`, also those it
 * holds an older copy of (files that change, like another machine's log summary). Returns the paths written.
 */
export async function fetchToMirror(objects: ObjectStore, bucket: string, prefix: string, refresh = false): Promise<string[]> {
  const written: string[] = [];
  for (const key of await objects.list(prefix)) {
    const path = mirrorPathOf(bucket, key);
    const have = await readFile(path).catch(() => undefined);
    if (have && !refresh) continue;
    const found = await objects.get(key);
    if (!found || (have && have.equals(found.body))) continue;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, found.body, { mode: 0o600 });
    written.push(path);
  }
  return written;
}
