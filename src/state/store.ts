// The contract the engine checkpoints through (STYLE 9): a file version and an in-memory one.
import type { RunState } from './schema.js';

export interface StateStore {
  /** The stored state, checked strictly; undefined when there is none yet. */
  read(): Promise<RunState | undefined>;
  /** Replaces the stored state (stamping `updatedAt`); atomic for the file store. */
  write(state: RunState): Promise<void>;
  /** Makes the state's journal durable; may leave the rest of the stored state as it was (cheap). */
  writeJournal(state: RunState): Promise<void>;
  /**
   * Keeps files the run writes beside its state (zone backups) where the state is: a no-op for a
   * local state file (they are beside it already); S3 uploads them and reads them back.
   */
  keepFiles?(paths: string[]): Promise<void>;
  /** Releases the lock. Safe to call more than once; read and write fail afterwards. */
  close(): Promise<void>;
}

export class StateStoreClosedError extends Error {
  constructor(readonly file: string) {
    super(`the state store for ${file} is closed`);
    this.name = 'StateStoreClosedError';
  }
}
