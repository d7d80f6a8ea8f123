// The file-backed checkpoint store. Every write goes to a temp file in the same folder, is
// fsynced, renamed over the state file and the folder fsynced, so a kill or a full disk leaves
// either the old checkpoint or the new one, never a mix. The previous checkpoint is kept as
// `<state>.prev`, a way back from a hand-edited or damaged file.
//
// The journal is not in that file: its entries are appended to `<plan>.journal.ndjson` (see
// journal-file.ts), first thing in every write, so the state file never names an entry the journal
// lacks. writeJournal() appends alone, which is what each API call's intent costs.
import { basename, dirname, join } from 'node:path';
import { StateDirNotWritableError, StateInvalidError, StateWriteError, UNWRITABLE_ERRNOS } from './errors.js';
import { errnoOf, nodeFileSystem, type FileSystem } from './fs.js';
import { acquireLock, isPidAlive, staleTempMatcher, systemClock, tempPathFor, type Clock, type HeldLock } from './lock.js';
import { checkNewEntries, journalLines, journalPathFor, readJournalFile } from './journal-file.js';
import { describeIssues, parseStateBytes, prevPathFor, readStateWithJournal, type ResumeExpectation } from './read.js';
import { JournalEntry, RunState, SCHEMA_VERSION, type StateFileV2 } from './schema.js';
import { SerialWrites } from './serial-writes.js';
import type { StateStore } from './store.js';

export interface OpenStateStoreOptions {
  /** This run's command line, recorded in the lock. */
  command: string;
  /** When resuming: refuse a state file of another plan or machine definition. */
  expect?: ResumeExpectation;
  fs?: FileSystem;
  clock?: Clock;
  host?: string;
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

export interface OpenedStateStore {
  store: FileStateStore;
  /** For the caller to show the user (a stale lock taken over, leftovers removed). */
  warnings: string[];
}

/** Creates the folder (0700), takes the lock, sweeps temp files left by a killed run. */
export async function openFileStateStore(path: string, options: OpenStateStoreOptions): Promise<OpenedStateStore> {
  const fs = options.fs ?? nodeFileSystem;
  const isAlive = options.isAlive ?? isPidAlive;
  const dir = dirname(path);
  try {
    await fs.mkdir(dir, 0o700);
  } catch (error) {
    if (UNWRITABLE_ERRNOS.has(errnoOf(error) ?? '')) throw new StateDirNotWritableError(dir, error);
    throw new StateWriteError(path, `creating the folder ${dir}`, error);
  }
  let lock: HeldLock;
  try {
    lock = await acquireLock(`${path}.lock`, { ...options, fs, isAlive });
  } catch (error) {
    // The lock is the run's first write: a folder that refuses it refuses every checkpoint.
    if (error instanceof StateWriteError && UNWRITABLE_ERRNOS.has(error.errno)) throw new StateDirNotWritableError(dir, error.cause);
    throw error;
  }
  try {
    const isStale = staleTempMatcher(path, isAlive);
    const swept: string[] = [];
    for (const name of await fs.readdir(dir)) {
      if (!isStale(name)) continue;
      try {
        await fs.unlink(join(dir, name));
        swept.push(name);
      } catch (error) {
        if (errnoOf(error) !== 'ENOENT') throw error;
      }
    }
    const warnings = [...lock.warnings];
    if (swept.length > 0) {
      warnings.push(`Removed ${swept.length} temp file(s) left in ${dir} by an interrupted checkpoint: ${swept.join(', ')}.`);
    }
    return { store: new FileStateStore(path, lock, fs, options.clock ?? systemClock, options.pid ?? process.pid, options.expect), warnings };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

export class FileStateStore implements StateStore {
  private readonly writes: SerialWrites;
  /** Whether the file now at `path` is known to be a good checkpoint, worth keeping as `.prev`. */
  private targetGood: boolean | undefined;
  /**
   * The journal file as this store knows it: how many entries it holds and where they end.
   * Undefined until read() found a version 2 file: the first write then writes the journal whole.
   */
  private journalFile: { entries: number; bytes: number; torn: boolean } | undefined;

  constructor(
    readonly path: string,
    lock: HeldLock,
    private readonly fs: FileSystem,
    private readonly clock: Clock,
    private readonly pid: number,
    private readonly expect: ResumeExpectation | undefined,
  ) {
    this.writes = new SerialWrites(path, () => lock.release());
  }

  get prevPath(): string {
    return prevPathFor(this.path);
  }

  get journalPath(): string {
    return journalPathFor(this.path);
  }

  async read(): Promise<RunState | undefined> {
    this.writes.checkOpen();
    await this.writes.idle();
    const found = await readStateWithJournal(this.path, { fs: this.fs, expect: this.expect });
    this.targetGood = found !== undefined;
    // A journal this store does not write to (a state file copied from another name) is copied whole, never appended to.
    const j = found?.journal;
    this.journalFile = j && j.file === basename(this.journalPath) ? { entries: j.entries.length, bytes: j.goodBytes, torn: j.torn } : undefined;
    return found?.state;
  }

  write(state: RunState): Promise<void> {
    return this.writes.enqueue(() => this.writeNow(state));
  }

  /**
   * Makes the state's journal durable without rewriting the state file, once there is a state
   * file that names this journal (until then, a whole checkpoint: none yet, a version 1 file, or
   * one moved here from another name).
   */
  writeJournal(state: RunState): Promise<void> {
    return this.writes.enqueue(() => (this.targetGood && this.journalFile ? this.syncJournal(state.journal) : this.writeNow(state)));
  }

  close(): Promise<void> {
    return this.writes.close();
  }

  private async writeNow(state: RunState): Promise<void> {
    const { journal, ...head } = state;
    const stamped = { ...head, journal: [], updatedAt: new Date(this.clock.now()).toISOString() };
    const checked = RunState.safeParse(stamped);
    if (!checked.success) throw new StateInvalidError(this.path, describeIssues(checked.error.issues));
    await this.syncJournal(journal);
    const { journal: _none, ...checkedHead } = checked.data;
    const file: StateFileV2 = { ...checkedHead, schemaVersion: SCHEMA_VERSION, journalLog: { file: basename(this.journalPath), entries: journal.length } };
    const data = Buffer.from(JSON.stringify(file, null, 2) + '\n', 'utf8');
    const temp = tempPathFor(this.path, this.pid);
    const fail = async (stage: string, error: unknown, previousIntact = true): Promise<never> => {
      await this.fs.unlink(temp).catch(() => undefined);
      throw new StateWriteError(this.path, stage, error, previousIntact);
    };

    await this.fs.writeFileSynced(temp, data, { mode: 0o600, exclusive: true }).catch((e) => fail('writing the temp file', e));
    await this.keepPrevious().catch((e) => fail(`keeping the previous checkpoint as ${this.prevPath}`, e));
    await this.fs.rename(temp, this.path).catch((e) => fail('renaming the temp file over the state file', e));
    this.targetGood = true;
    await this.fs.fsyncDir(dirname(this.path)).catch((e) => fail(`syncing the folder ${dirname(this.path)}`, e, false));
  }


  /** Appends the entries the journal file lacks (writing it whole when this store does not know it yet). */
  private async syncJournal(journal: readonly JournalEntry[]): Promise<void> {
    const known = this.journalFile;
    if (known && journal.length === known.entries) return;
    const path = this.journalPath;
    const fail = (stage: string, error: unknown): never => {
      throw new StateWriteError(this.path, stage, error);
    };
    if (!known || journal.length < known.entries) {
      checkNewEntries(journal, 0, this.path);
      const data = journalLines(journal);
      const temp = tempPathFor(path, this.pid);
      try {
        await this.fs.writeFileSynced(temp, data, { mode: 0o600, exclusive: true });
        await this.fs.rename(temp, path);
      } catch (error) {
        await this.fs.unlink(temp).catch(() => undefined);
        fail(`writing its journal ${path}`, error);
      }
      await this.fs.fsyncDir(dirname(path)).catch((e) => fail(`syncing the folder ${dirname(path)}`, e));
      this.journalFile = { entries: journal.length, bytes: data.length, torn: false };
      return;
    }
    if (known.torn) {
      await this.fs.truncateSynced(path, known.bytes).catch((e) => fail(`cutting off the unfinished last line of its journal ${path}`, e));
      known.torn = false;
    }
    const added = journal.slice(known.entries);
    checkNewEntries(added, known.entries, this.path);
    const data = journalLines(added);
    try {
      await this.fs.appendFileSynced(path, data, { mode: 0o600 });
    } catch (error) {
      // Part of it may be there: the next append cuts back to the last whole entry it knows.
      known.torn = true;
      fail(`appending to its journal ${path}`, error);
    }
    known.entries = journal.length;
    known.bytes += data.length;
  }

  /** Hard-links the current checkpoint to `.prev` (atomically, via a temp name), if it is good. */
  private async keepPrevious(): Promise<void> {
    // A file this store has not vetted may be the damaged one the user is replacing; keeping it
    // would push out the good `.prev`. Vet it once.
    if (this.targetGood === undefined) {
      try {
        const parsed = parseStateBytes(await this.fs.readFile(this.path), this.path);
        if (parsed.journalLog) await readJournalFile(this.fs, this.path, parsed.journalLog);
        this.targetGood = true;
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') return;
        this.targetGood = false;
      }
    }
    if (!this.targetGood) return;
    const prevTemp = tempPathFor(this.prevPath, this.pid);
    try {
      await this.fs.link(this.path, prevTemp);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return;
      // No hard links here: a copy does the same job, a little slower.
      if (!['EPERM', 'ENOTSUP', 'ENOSYS'].includes(errnoOf(error) ?? '')) throw error;
      await this.fs.writeFileSynced(prevTemp, await this.fs.readFile(this.path), { mode: 0o600, exclusive: true });
    }
    try {
      await this.fs.rename(prevTemp, this.prevPath);
    } catch (error) {
      await this.fs.unlink(prevTemp).catch(() => undefined);
      throw error;
    }
  }
}

