// The in-memory StateStore for engine tests: same validation and resume checks as the file
// store, and each write is a JSON round trip so what reads back is what a file would hold.
import { StateInvalidError, StateWriteError } from './errors.js';
import { systemClock, type Clock } from './lock.js';
import { checkResumable, describeIssues, type ResumeExpectation } from './read.js';
import { RunState } from './schema.js';
import { StateStoreClosedError, type StateStore } from './store.js';

export interface MemoryStateStoreOptions {
  initial?: RunState;
  expect?: ResumeExpectation;
  clock?: Clock;
  /** The name errors use for this store. */
  file?: string;
}

export class MemoryStateStore implements StateStore {
  readonly file: string;
  /** Every checkpoint written, oldest first (as read back from JSON). */
  readonly writes: RunState[] = [];
  closed = false;
  private current: string | undefined;
  private failures: string[] = [];
  private readonly clock: Clock;
  private readonly expect: ResumeExpectation | undefined;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.file = options.file ?? 'memory.state.json';
    this.clock = options.clock ?? systemClock;
    this.expect = options.expect;
    if (options.initial) this.current = JSON.stringify(RunState.parse(options.initial));
  }

  /** Makes the next write fail like the disk would (e.g. 'ENOSPC'), leaving the stored state as it was. */
  failNextWrite(errno = 'ENOSPC'): void {
    this.failures.push(errno);
  }

  async read(): Promise<RunState | undefined> {
    if (this.closed) throw new StateStoreClosedError(this.file);
    if (this.current === undefined) return undefined;
    const state = RunState.parse(JSON.parse(this.current));
    if (this.expect) checkResumable(state, this.file, this.expect);
    return state;
  }

  async write(state: RunState): Promise<void> {
    if (this.closed) throw new StateStoreClosedError(this.file);
    const checked = RunState.safeParse({ ...state, updatedAt: new Date(this.clock.now()).toISOString() });
    if (!checked.success) throw new StateInvalidError(this.file, describeIssues(checked.error.issues));
    const errno = this.failures.shift();
    if (errno) {
      const cause = Object.assign(new Error(`${errno}: simulated failure`), { code: errno });
      throw new StateWriteError(this.file, 'writing the temp file', cause);
    }
    this.current = JSON.stringify(checked.data);
    this.writes.push(JSON.parse(this.current) as RunState);
  }

  /** The journal is part of the one stored value here: a whole write. */
  writeJournal(state: RunState): Promise<void> {
    return this.write(state);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
