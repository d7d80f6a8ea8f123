// One door to a run's state whatever holds it: a local file, or an S3 object (an s3:// location).
// Nothing above src/state/ knows which: the CLI says once, at start, how to reach S3 (the AWS
// implementation lives in src/aws/, the only door to AWS), and every read, lock and checkpoint
// below goes where the location says.
import { dirname, join } from 'node:path';
import { openFileStateStore, type OpenStateStoreOptions } from './file-store.js';
import { inspectLock, systemClock, type LockInspection } from './lock.js';
import { isS3Location, localStatePath, mirrorKeyOf, parseS3Location } from './location.js';
import type { ObjectStore } from './object-store.js';
import { readStateWithJournal as readLocalState, type ReadStateOptions } from './read.js';
import type { S3LockInspection } from './s3-lock.js';
import { fetchToMirror, inspectS3StateLock, openS3StateStore, readS3State, uploadVerified } from './s3-store.js';
import type { RunState } from './schema.js';
import type { StateStore } from './store.js';

let objectStores: ((bucket: string) => ObjectStore) | undefined;

/** How this process reaches S3 buckets (set by the CLI; tests hand in a memory store). */
export function useObjectStores(factory: ((bucket: string) => ObjectStore) | undefined): void {
  objectStores = factory;
}

export function objectStoreFor(bucket: string): ObjectStore {
  if (!objectStores) throw new Error(`no S3 access is configured in this process, so the state in bucket ${bucket} cannot be reached (useObjectStores was not called)`);
  return objectStores(bucket);
}

export interface OpenStateOptions extends OpenStateStoreOptions {
  /** S3: take over a stale lock with this id (--force-unlock). */
  forceUnlock?: string;
  /** S3: the lock's lease (the plan's state.lockLease). */
  lockLeaseMs?: number;
}

export async function openStateStore(location: string, options: OpenStateOptions): Promise<{ store: StateStore; warnings: string[] }> {
  if (!isS3Location(location)) return openFileStateStore(location, options);
  const s3 = parseS3Location(location);
  return openS3StateStore(objectStoreFor(s3.bucket), s3, {
    command: options.command,
    ...(options.expect ? { expect: options.expect } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.forceUnlock ? { forceUnlock: options.forceUnlock } : {}),
    ...(options.lockLeaseMs ? { leaseMs: options.lockLeaseMs } : {}),
  });
}

/** The state at `location`, checked (undefined when no run has started there); takes no lock. */
export async function readStateFile(location: string, options: ReadStateOptions = {}): Promise<RunState | undefined> {
  if (!isS3Location(location)) return (await readLocalState(location, options))?.state;
  const s3 = parseS3Location(location);
  return readS3State(objectStoreFor(s3.bucket), s3, options.expect);
}

export type StateLockInspection = LockInspection | S3LockInspection;

/** Who holds the run's lock, without taking it (for `status`). */
export function inspectStateLock(location: string): Promise<StateLockInspection> {
  if (!isS3Location(location)) return inspectLock(`${location}.lock`);
  const s3 = parseS3Location(location);
  return inspectS3StateLock(objectStoreFor(s3.bucket), s3, systemClock);
}

/** The folder of a run's zone backups: beside the state file, or in the local mirror of its S3 prefix. */
export function backupDirFor(location: string, planName: string): string {
  return join(dirname(localStatePath(location)), `${planName}.backups`);
}

/**
 * Makes the local mirror of an S3 state hold what other machines kept beside it (zone backups),
 * so what reads them by path finds them; nothing to do for a local state.
 */
export async function fetchBeside(location: string, localDir: string, options: { refresh?: boolean } = {}): Promise<string[]> {
  if (!isS3Location(location)) return [];
  const { bucket } = parseS3Location(location);
  const prefix = mirrorKeyOf(bucket, localDir);
  return prefix ? fetchToMirror(objectStoreFor(bucket), bucket, `${prefix}/`, options.refresh) : [];
}

/** Uploads files of the local mirror of an S3 state (the report) to their keys, read back; nothing to do for a local state. */
export async function keepBeside(location: string, paths: string[]): Promise<void> {
  if (!isS3Location(location)) return;
  const { bucket } = parseS3Location(location);
  await uploadVerified(objectStoreFor(bucket), bucket, paths);
}
