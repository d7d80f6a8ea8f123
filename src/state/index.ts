// The checkpoint store: one state file per run, written atomically, guarded by a lock.
export { SCHEMA_VERSION, RunState, JournalEntry, JournalPhase, RunStatus, ZoneBackup, EstateIdentity, FirstObservation } from './schema.js';
export type { StateStore } from './store.js';
export { StateStoreClosedError } from './store.js';
export { openStateStore, FileStateStore, type OpenStateStoreOptions, type OpenedStateStore } from './file-store.js';
export { MemoryStateStore, type MemoryStateStoreOptions } from './memory-store.js';
export { journalPathFor } from './journal-file.js';
export { readStateFile, readStateWithJournal, checkResumable, parseStateBytes, prevPathFor, MAX_STATE_BYTES, type ResumeExpectation, type ReadStateOptions } from './read.js';
export { acquireLock, inspectLock, isPidAlive, type HeldLock, type LockInspection, type LockOptions, type Clock } from './lock.js';
export { newRunState, appendJournal, statePathFor, probeLogPathFor, logPathFor, reportPathFor, DEFAULT_STATE_DIR, type NewRunStateInput, type NewJournalEntry } from './run-state.js';
export { nodeFileSystem, writeFileAtomic, type FileSystem } from './fs.js';
export {
  StateError,
  StateFileCorruptError,
  StateFileNewerError,
  PlanChangedError,
  DefinitionChangedError,
  StateWriteError,
  StateDirNotWritableError,
  StateEstateMismatchError,
  UNWRITABLE_ERRNOS,
  StateInvalidError,
  LockHeldError,
  type CorruptKind,
  type LockOwner,
} from './errors.js';
