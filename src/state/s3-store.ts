// The checkpoint store of an S3 state (`--state s3://bucket/prefix/name.state.json`): the
// checkpoint is one object holding the state and its journal, replaced whole at every checkpoint
// with If-Match on the ETag read or written last, so a writer that lost the lock, or a colleague's
// run, can never be overwritten: a refused condition stops the run (StateChangedError). Journal
// entries written between checkpoints (each API call's intent and outcome) go to the checkpoint's
// tail instead, an object per write (s3-journal.ts), and are folded into the checkpoint at the
// next one. The previous checkpoint is kept as `<key>.prev` (a way back from a bad edit), the lock
// is `<key>.lock` (s3-lock.ts), and files the run keeps beside its state (zone backups, the
// report) are uploaded under the same prefix and read back before they count.
//
// S3 answers 500 and 503 SlowDown now and then; the SDK retries them. A retried conditional write
// whose first attempt did land finds its own ETag gone (412): the object is read back, and if it
// is exactly what this write sent, the write succeeded.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileSystem } from './fs.js';
import { checkNewEntries, journalLines, readJournalFile } from './journal-file.js';
import { StateChangedError, StateFileCorruptError, StateInvalidError, StateWriteError } from './errors.js';
import { systemClock, type Clock } from './lock.js';
import { mirrorKeyOf, mirrorPathOf, type S3StateLocation } from './location.js';
import { ObjectStoreError, sameEtag, type ObjectStore, type PutCondition } from './object-store.js';
import { checkResumable, describeIssues, parseStateBytes, type ResumeExpectation } from './read.js';
import { acquireS3Lock, inspectS3Lock, type HeldS3Lock, type S3LockInspection, type S3LockOptions } from './s3-lock.js';
import { forEachAtMost, newTailId, readTail, segmentKeyOf, type TailSegment } from './s3-journal.js';
import { JournalEntry, RunState, SCHEMA_VERSION } from './schema.js';
import { SerialWrites } from './serial-writes.js';
import type { StateStore } from './store.js';

export const prevKeyOf = (key: string): string => `${key}.prev`;
export const lockKeyOf = (key: string): string => `${key}.lock`;

export interface OpenS3StateStoreOptions extends S3LockOptions {
  expect?: ResumeExpectation;
}

/** A checkpoint's tail as read: its id, the last seq inside the checkpoint, the segments under it. */
interface ReadTailInfo {
  id: string;
  foldedSeq: number;
  segments: TailSegment[];
}

const lastSeqOf = (journal: readonly JournalEntry[]): number => journal[journal.length - 1]?.seq ?? 0;

/** Reads a checkpoint object strictly (as a state file is read), with its tail; undefined when there is none. */
/** Reads of a checkpoint and its tail while a run moves both on, before a tail that does not fit is damage. */
const TAIL_READ_ATTEMPTS = 5;

async function readCheckpoint(objects: ObjectStore, location: S3StateLocation, attempt = 1): Promise<{ state: RunState; etag: string; body: Buffer; tail?: ReadTailInfo } | undefined> {
  // A bucket that can't be reached is not a damaged checkpoint: its ObjectStoreError says why.
  const found = await objects.get(location.key);
  if (!found) return undefined;
  try {
    const parsed = parseStateBytes(found.body, location.uri);
    // A local state file copied to S3 with its journal beside it (how a run moves to a bucket):
    // its journal is read from there, and the first checkpoint folds it in.
    if (parsed.journalLog) {
      const journal = (await readJournalFile(objectReader(objects), location.key, parsed.journalLog)).entries;
      return { state: { ...parsed.state, journal }, etag: found.etag, body: found.body };
    }
    if (!parsed.journalTail) return { state: parsed.state, etag: found.etag, body: found.body };
    const foldedSeq = lastSeqOf(parsed.state.journal);
    let tail: Awaited<ReturnType<typeof readTail>>;
    try {
      tail = await readTail(objects, location.key, parsed.journalTail.id, foldedSeq, location.uri);
    } catch (error) {
      // A run writing meanwhile (status, report, a colleague's look) folds its tail into newer
      // checkpoints and deletes what `.prev` holds: a tail that no longer fits the checkpoint read
      // is damage only if that checkpoint is still the current one.
      if (error instanceof StateFileCorruptError && attempt < TAIL_READ_ATTEMPTS) {
        const now = await objects.head(location.key);
        if (!now || !sameEtag(now.etag, found.etag)) return readCheckpoint(objects, location, attempt + 1);
      }
      throw error;
    }
    return {
      state: { ...parsed.state, journal: [...parsed.state.journal, ...tail.entries] },
      etag: found.etag,
      body: found.body,
      tail: { id: parsed.journalTail.id, foldedSeq, segments: tail.segments },
    };
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

/**
 * Tail segments written before the checkpoint is rewritten whole with them folded in: a resume
 * after a kill reads at most this many small objects besides the checkpoint, and the whole
 * rewrites cost the journal's length once per this many intents, not once per intent.
 */
export const FOLD_AFTER_SEGMENTS = 100;

/** Folded segments deleted at once, in the background (a leftover is skipped by readers, never read). */
const DELETE_CONCURRENCY = 8;

export class S3StateStore implements StateStore {
  private readonly writes: SerialWrites;
  /** The checkpoint as this store last read or wrote it: a write replaces only that one. */
  private current: { etag: string; body: Buffer; foldedSeq?: number } | undefined;
  private readBefore = false;
  /** The tail this store appends to, once a checkpoint naming it is read or written. */
  private tail: { id: string; lastSeq: number; sinceFold: number; segments: TailSegment[] } | undefined;
  /** Journal entries known to be in S3 (checkpoint and tail): checked once, when first written or read. */
  private durable = 0;
  /** Deletions of folded segments under way. */
  private cleanup: Promise<void> = Promise.resolve();

  constructor(
    private readonly objects: ObjectStore,
    readonly location: S3StateLocation,
    readonly lock: HeldS3Lock,
    private readonly clock: Clock,
    private readonly expect: ResumeExpectation | undefined,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.writes = new SerialWrites(location.uri, async () => {
      await this.cleanup;
      await lock.release();
    });
  }

  get uri(): string {
    return this.location.uri;
  }

  async read(): Promise<RunState | undefined> {
    this.writes.checkOpen();
    await this.writes.idle();
    const found = await readCheckpoint(this.objects, this.location);
    this.readBefore = true;
    this.current = found ? { etag: found.etag, body: found.body, ...(found.tail ? { foldedSeq: found.tail.foldedSeq } : {}) } : undefined;
    this.tail = found?.tail ? { id: found.tail.id, lastSeq: lastSeqOf(found.state.journal), sinceFold: found.tail.segments.filter((x) => x.last > found.tail!.foldedSeq).length, segments: found.tail.segments } : undefined;
    this.durable = found?.state.journal.length ?? 0;
    if (found && this.expect) checkResumable(found.state, this.uri, this.expect);
    return found?.state;
  }

  write(state: RunState): Promise<void> {
    return this.writes.enqueue(() => this.writeNow(state, true));
  }

  /**
   * Makes the journal durable: the entries not yet in S3 as one tail segment, or, every
   * FOLD_AFTER_SEGMENTS segments (and before there is a tail), the whole checkpoint without a new `.prev`.
   */
  writeJournal(state: RunState): Promise<void> {
    return this.writes.enqueue(() => {
      const t = this.tail;
      const added = state.journal.slice(this.durable);
      if (t && this.current && state.journal.length >= this.durable && added.length === 0) return Promise.resolve();
      const follows = t !== undefined && added.length > 0 && added.every((e, i) => e.seq === t.lastSeq + 1 + i);
      if (!t || !this.current || !follows || t.sinceFold >= FOLD_AFTER_SEGMENTS) return this.writeNow(state, false);
      return this.appendToTail(t, state.journal.length, added);
    });
  }

  close(): Promise<void> {
    return this.writes.close();
  }

  private async appendToTail(t: NonNullable<S3StateStore['tail']>, length: number, added: JournalEntry[]): Promise<void> {
    checkNewEntries(added, this.durable, this.uri);
    // As a checkpoint write would: a lost lock, or a checkpoint replaced or deleted, stops the run here.
    await Promise.all([this.lock.verify(), this.checkCheckpointUnchanged()]);
    const first = added[0]!.seq;
    const last = added[added.length - 1]!.seq;
    const key = segmentKeyOf(this.location.key, t.id, first);
    await this.putExactly(key, journalLines(added), { ifNoneMatch: '*' }, `writing journal entries ${first} to ${last} as ${this.objects.uriOf(key)}`, (now) =>
      now ? `journal entries from seq ${first} expected new, ${this.objects.uriOf(key)} found holding others (another run writes this state)` : `journal entries from seq ${first} expected at ${this.objects.uriOf(key)}, none found`,
    );
    t.segments.push({ key, first, last });
    t.lastSeq = last;
    t.sinceFold += 1;
    this.durable = length;
  }

  private async checkCheckpointUnchanged(): Promise<void> {
    const expected = this.current!.etag;
    const head = await this.objects.head(this.location.key).catch((e: unknown) => this.failed("reading the checkpoint's ETag", e));
    if (!head) throw new StateChangedError(this.uri, `ETag ${expected} expected, none found: it was deleted`);
    if (!sameEtag(head.etag, expected)) throw new StateChangedError(this.uri, `ETag ${expected} expected, ETag ${head.etag} found`);
  }

  private async writeNow(state: RunState, keepPrevious: boolean): Promise<void> {
    const { journal, ...rest } = state;
    // The head is checked whole; of the journal, only the entries S3 does not hold yet.
    const checked = RunState.safeParse({ ...rest, journal: [], schemaVersion: SCHEMA_VERSION, updatedAt: new Date(this.clock.now()).toISOString() });
    if (!checked.success) throw new StateInvalidError(this.uri, describeIssues(checked.error.issues));
    const known = journal.length >= this.durable ? this.durable : 0;
    checkNewEntries(journal.slice(known), known, this.uri);
    const id = this.tail?.id ?? newTailId();
    const body = Buffer.from(JSON.stringify({ ...checked.data, journal, journalTail: { id } }) + '\n', 'utf8');
    // A run whose lock is gone must not write: the lock's holder now owns the checkpoint.
    await this.lock.verify();
    if (!this.readBefore) {
      // Never read: what is there decides the condition (a store used without read() first).
      const head = await this.objects.head(this.location.key).catch((e: unknown) => this.failed('reading the checkpoint\'s ETag', e));
      this.current = head ? { etag: head.etag, body: Buffer.alloc(0) } : undefined;
      this.readBefore = true;
    }
    const base = this.current;
    // A run that lost the lock may have gone on in the tail after our last entry: folding our own
    // entries over its would hide them from every reader.
    if (this.tail && journal.length > this.durable) {
      const theirs = segmentKeyOf(this.location.key, this.tail.id, this.tail.lastSeq + 1);
      if (await this.objects.head(theirs).catch((e: unknown) => this.failed(`looking for ${this.objects.uriOf(theirs)}`, e))) {
        throw new StateChangedError(this.uri, `journal entries from seq ${this.tail.lastSeq + 1} expected new, ${this.objects.uriOf(theirs)} found (another run writes this state)`);
      }
    }
    if (keepPrevious && base && base.body.length > 0) {
      await this.objects.put(prevKeyOf(this.location.key), base.body).catch((e: unknown) => this.failed(`keeping the previous checkpoint as ${this.objects.uriOf(prevKeyOf(this.location.key))}`, e));
    }
    const expected = base ? `ETag ${base.etag} expected` : 'no checkpoint expected';
    const etag = await this.putExactly(this.location.key, body, base ? { ifMatch: base.etag } : { ifNoneMatch: '*' }, 'writing the checkpoint', (now) =>
      `${expected}, ${now ? `ETag ${now.etag} found` : 'none found: it was deleted'}`,
    );
    const foldedSeq = lastSeqOf(journal);
    this.current = { etag, body, foldedSeq };
    const segments = this.tail?.segments ?? [];
    this.tail = { id, lastSeq: foldedSeq, sinceFold: 0, segments };
    this.durable = journal.length;
    // `.prev` now holds everything up to the base's last entry: those segments are no one's.
    if (keepPrevious && base?.body.length && base.foldedSeq !== undefined) this.deleteSegments(base.foldedSeq);
  }

  /**
   * Puts `body` at `key` under `condition`, trying a 409 again; a refusal is read back, and counts
   * as written when the object is exactly `body` (this write's own earlier attempt). Otherwise
   * StateChangedError with `refusal(what is there)`. Returns the ETag.
   */
  private async putExactly(key: string, body: Buffer, condition: PutCondition, stage: string, refusal: (now: { etag: string } | undefined) => string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const out = await this.objects.put(key, body, condition).catch((e: unknown) => this.failed(stage, e));
      if (out.ok) return out.etag;
      if (out.refused === 'conflict' && attempt < 5) {
        await this.sleep(100 * attempt);
        continue;
      }
      // Our own earlier attempt may be what is there now (a reply lost, the write retried).
      const now = await this.objects.get(key).catch((e: unknown) => this.failed(`reading back ${this.objects.uriOf(key)}`, e));
      if (now && now.body.equals(body)) return now.etag;
      throw new StateChangedError(this.uri, refusal(now));
    }
  }

  /** Deletes, in the background, the tail segments that end at or before `seq`; closing waits for it. */
  private deleteSegments(seq: number): void {
    const t = this.tail!;
    const doomed = t.segments.filter((x) => x.last <= seq);
    if (doomed.length === 0) return;
    t.segments = t.segments.filter((x) => x.last > seq);
    const deleting = () => forEachAtMost(doomed, DELETE_CONCURRENCY, (x) => this.objects.delete(x.key).then(() => undefined, () => undefined));
    this.cleanup = this.cleanup.then(deleting);
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
