// The file-backed checkpoint store. Every write goes to a temp file in the same folder, is
// fsynced, renamed over the state file and the folder fsynced, so a kill or a full disk leaves
// either the old checkpoint or the new one, never a mix. The previous checkpoint is kept as
// `<state>.prev`, a way back from a hand-edited or damaged file.
import { dirname, join } from 'node:path';
import { StateDirNotWritableError, StateInvalidError, StateWriteError, UNWRITABLE_ERRNOS } from './errors.js';
import { errnoOf, nodeFileSystem, type FileSystem } from './fs.js';
import { acquireLock, isPidAlive, staleTempMatcher, systemClock, tempPathFor, type Clock, type HeldLock } from './lock.js';
import { describeIssues, parseStateBytes, prevPathFor, readStateFile, type ResumeExpectation } from './read.js';
import { RunState } from './schema.js';
import { StateStoreClosedError, type StateStore } from './store.js';

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
export async function openStateStore(path: string, options: OpenStateStoreOptions): Promise<OpenedStateStore> {
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
  private closed = false;
  /** Writes run one after another, in call order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Whether the file now at `path` is known to be a good checkpoint, worth keeping as `.prev`. */
  private targetGood: boolean | undefined;

  constructor(
    readonly path: string,
    private readonly lock: HeldLock,
    private readonly fs: FileSystem,
    private readonly clock: Clock,
    private readonly pid: number,
    private readonly expect: ResumeExpectation | undefined,
  ) {}

  get prevPath(): string {
    return prevPathFor(this.path);
  }

  async read(): Promise<RunState | undefined> {
    if (this.closed) throw new StateStoreClosedError(this.path);
    await this.queue.catch(() => undefined);
    const state = await readStateFile(this.path, { fs: this.fs, expect: this.expect });
    this.targetGood = state !== undefined;
    return state;
  }

  write(state: RunState): Promise<void> {
    if (this.closed) return Promise.reject(new StateStoreClosedError(this.path));
    const next = this.queue.catch(() => undefined).then(() => this.writeNow(state));
    this.queue = next;
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.lock.release();
  }

  private async writeNow(state: RunState): Promise<void> {
    const stamped = { ...state, updatedAt: new Date(this.clock.now()).toISOString() };
    const checked = RunState.safeParse(stamped);
    if (!checked.success) throw new StateInvalidError(this.path, describeIssues(checked.error.issues));
    const data = Buffer.from(JSON.stringify(checked.data, null, 2) + '\n', 'utf8');
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

  /** Hard-links the current checkpoint to `.prev` (atomically, via a temp name), if it is good. */
  private async keepPrevious(): Promise<void> {
    // A file this store has not vetted may be the damaged one the user is replacing; keeping it
    // would push out the good `.prev`. Vet it once.
    if (this.targetGood === undefined) {
      try {
        parseStateBytes(await this.fs.readFile(this.path), this.path);
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

