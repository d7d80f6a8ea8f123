// The checkpoint store: one state file per run, written atomically, guarded by a lock.
export { SCHEMA_VERSION, RunState, JournalEntry, JournalPhase, RunStatus, ZoneBackup, EstateIdentity, FirstObservation } from './schema.js';
export type { StateStore } from './store.js';
export { StateStoreClosedError } from './store.js';
export { openFileStateStore, FileStateStore, type OpenStateStoreOptions, type OpenedStateStore } from './file-store.js';
export { openStateStore, readStateFile, inspectStateLock, backupDirFor, fetchBeside, keepBeside, useObjectStores, objectStoreFor, type OpenStateOptions, type StateLockInspection } from './backend.js';
export { isS3Location, parseS3Location, localStatePath, StateLocationError, type S3StateLocation } from './location.js';
export { ObjectStoreError, sameEtag, type ObjectStore, type StoredObject, type PutCondition, type PutOutcome, type DeleteOutcome } from './object-store.js';
export { MemoryObjectStore } from './memory-object-store.js';
export { DEFAULT_LOCK_LEASE_MS } from './s3-lock.js';
export { MemoryStateStore, type MemoryStateStoreOptions } from './memory-store.js';
export { journalPathFor } from './journal-file.js';
export { readStateWithJournal, checkResumable, parseStateBytes, prevPathFor, MAX_STATE_BYTES, type ResumeExpectation, type ReadStateOptions } from './read.js';
export { acquireLock, inspectLock, isPidAlive, type HeldLock, type LockInspection, type LockOptions, type Clock } from './lock.js';
export { newRunState, appendJournal, statePathFor, probeLogPathFor, logPathFor, logSummaryDirFor, reportPathFor, DEFAULT_STATE_DIR, type NewRunStateInput, type NewJournalEntry } from './run-state.js';
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
  LockLostError,
  StateChangedError,
  type CorruptKind,
  type LockOwner,
} from './errors.js';
