// Typed errors of the checkpoint store. Each has a stable `code` and the exit code the CLI uses
// (DESIGN §6), and its message names the file, what is wrong and what to do about it.

export abstract class StateError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
}

/** What the reader found wrong with a state file. */
export type CorruptKind = 'unreadable' | 'too-large' | 'empty' | 'not-utf8' | 'not-json' | 'schema' | 'journal';

function restoreAdvice(file: string, prevPath: string | undefined): string {
  const cp = file.startsWith('s3://') ? 'aws s3 cp' : 'cp';
  return prevPath
    ? `Restore the previous good copy with \`${cp} ${prevPath} ${file}\` (one checkpoint older; resume re-observes AWS, so an older checkpoint is safe), or move ${file} aside and start again with apply.`
    : `Move ${file} aside and start again with apply (it re-observes AWS and plans only what is left).`;
}

/** The file exists but is not a state file we can trust. Nothing was changed (exit 2). */
export class StateFileCorruptError extends StateError {
  readonly code = 'STATE_FILE_CORRUPT';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly kind: CorruptKind,
    /** One line per problem; for `schema`, each starts with the field path. */
    readonly problems: string[],
    /** The `.prev` copy, when one exists. */
    readonly prevPath?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `State file ${file} cannot be used:${problems.length === 1 ? ` ${problems[0]}. ` : `\n${problems.map((p) => `  ${p}`).join('\n')}\n`}` +
        `Nothing was changed. ${restoreAdvice(file, prevPath)}`,
      options,
    );
    this.name = 'StateFileCorruptError';
  }
}

/** Written by a newer r53migrate whose format this one does not know (exit 2). */
export class StateFileNewerError extends StateError {
  readonly code = 'STATE_FILE_NEWER';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly foundVersion: number,
    readonly knownVersion: number,
    readonly writtenBy: string | undefined,
  ) {
    super(
      `State file ${file} has schema version ${foundVersion}${writtenBy ? ` (written by r53migrate ${writtenBy})` : ''}, ` +
        `but this r53migrate reads only up to version ${knownVersion}. Nothing was changed. ` +
        `Resume with the newer r53migrate that wrote it.`,
    );
    this.name = 'StateFileNewerError';
  }
}

/** The plan being resumed is not the plan the run started with (exit 2; has an override). */
export class PlanChangedError extends StateError {
  readonly code = 'STATE_PLAN_CHANGED';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly recorded: { name: string; file: string; hash: string },
    readonly current: { name?: string; hash: string },
  ) {
    super(
      `State file ${file} belongs to plan "${recorded.name}" (${recorded.file}) with hash ${recorded.hash}, ` +
        `but the plan being resumed${current.name ? ` ("${current.name}")` : ''} has hash ${current.hash}. Nothing was changed. ` +
        `Resume with --accept-plan-change if the change is intended (resume re-observes AWS and recomputes the remaining actions), ` +
        `or put the plan back as it was.`,
    );
    this.name = 'PlanChangedError';
  }
}

/** The state file records a run on another estate: a plan name is not an identity (exit 2). */
export class StateEstateMismatchError extends StateError {
  readonly code = 'STATE_OTHER_ESTATE';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly recorded: { planFile: string; describe: string },
    readonly current: { planFile: string; describe: string },
  ) {
    super(
      `State file ${file} records a run on another estate (${recorded.describe}, plan ${recorded.planFile}); ` +
        `plan ${current.planFile} is for ${current.describe}. Nothing was changed. Two estates can't share a state file: ` +
        `give this plan another name, or its own state file with --state FILE.`,
    );
    this.name = 'StateEstateMismatchError';
  }
}

/** The snapshot belongs to another machine definition; there is no override (exit 2). */
export class DefinitionChangedError extends StateError {
  readonly code = 'STATE_DEFINITION_CHANGED';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly recorded: string,
    readonly current: string,
    readonly toolVersion: string,
  ) {
    super(
      `State file ${file} holds a snapshot of machine definition ${recorded}, but this r53migrate runs definition ${current}; ` +
        `a snapshot cannot be restored into another definition (there is no override). Nothing was changed. ` +
        `Resume with r53migrate ${toolVersion}, which started this run, or move ${file} aside and run apply again ` +
        `(it re-observes AWS and plans only what is left).`,
    );
    this.name = 'DefinitionChangedError';
  }
}

const WRITE_HINTS: Record<string, string> = {
  ENOSPC: 'The disk is full: free some space and resume.',
  EDQUOT: 'The disk quota is exhausted: free some space and resume.',
  EACCES: 'Check that this user may write to the folder.',
  EPERM: 'Check that this user may write to the folder.',
  EROFS: 'The file system is read-only: point --state at a writable folder and resume.',
};

/**
 * A checkpoint could not be written (exit 1). Normally the previous checkpoint is still in place;
 * only a failed folder fsync comes after the new one is in place.
 */
export class StateWriteError extends StateError {
  readonly code = 'STATE_WRITE_FAILED';
  readonly exitCode = 1;
  readonly errno: string;
  constructor(
    readonly file: string,
    /** What the store was doing: 'writing', 'renaming', 'creating the folder', ... */
    readonly stage: string,
    cause: unknown,
    readonly previousIntact = true,
  ) {
    const errno = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
    const outcome = previousIntact
      ? `The previous checkpoint in ${file} is intact.`
      : `The new checkpoint is in ${file} but may not survive a power loss.`;
    super(
      `Could not write the state file ${file} (${errno} while ${stage}: ${(cause as Error | undefined)?.message ?? String(cause)}). ` +
        `${outcome} ${WRITE_HINTS[errno] ?? ''}`.trimEnd(),
      { cause },
    );
    this.errno = errno;
    this.name = 'StateWriteError';
  }
}

const FOLDER_HINTS: Record<string, string> = {
  EROFS: 'It is on a read-only file system: run the same command again with --state pointing into a writable folder, or remount it read-write.',
  ENOSPC: 'The disk is full: free some space and run the same command again.',
  EDQUOT: 'The disk quota is exhausted: free some space and run the same command again.',
  EACCES: 'Give this user write access to it, or run the same command again with --state pointing into a writable folder.',
  EPERM: 'Give this user write access to it, or run the same command again with --state pointing into a writable folder.',
};

/** Errors that mean "this folder takes no writes", whatever the file. */
export const UNWRITABLE_ERRNOS = new Set(Object.keys(FOLDER_HINTS));

/**
 * The state folder takes no writes at all (found when taking the lock, before any AWS request):
 * a run that could not checkpoint must not start (exit 1).
 */
export class StateDirNotWritableError extends StateError {
  readonly code = 'STATE_DIR_NOT_WRITABLE';
  readonly exitCode = 1;
  readonly errno: string;
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    const errno = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
    const detail = (cause as { cause?: Error } | undefined)?.cause?.message ?? (cause as Error | undefined)?.message ?? String(cause);
    super(
      `The state folder ${dir} is not writable (${errno}: ${detail}), so this run could not keep its checkpoints. ` +
        `Nothing was changed: no AWS change was made. ${FOLDER_HINTS[errno] ?? 'Make it writable, or point --state into a writable folder, and run the same command again.'}`,
      { cause },
    );
    this.errno = errno;
    this.name = 'StateDirNotWritableError';
  }
}

/** A state that does not fit the schema was handed to write(): a bug in the caller (exit 1). */
export class StateInvalidError extends StateError {
  readonly code = 'STATE_INVALID';
  readonly exitCode = 1;
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Refusing to write an invalid checkpoint to ${file}: ${problems.join('; ')}`);
    this.name = 'StateInvalidError';
  }
}

/** What a lock file says about its holder. */
export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
  /** S3 locks: who ran it, and the lock's id (what --force-unlock takes). */
  user?: string;
  id?: string;
}

/** An S3 lock's renewal, as the refusal reports it. */
export interface LockLease {
  /** Since S3 last stored the lock (its last renewal). */
  ageMs: number;
  leaseMs: number;
  /** The id given with --force-unlock, if any. */
  forceUnlock?: string;
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

/** Another run holds the lock, or may (exit 4). */
export class LockHeldError extends StateError {
  readonly code = 'STATE_LOCKED';
  readonly exitCode = 4;
  constructor(
    readonly lockPath: string,
    /** Undefined when the lock file could not be read. */
    readonly holder: LockOwner | undefined,
    readonly situation: 'live' | 'other-host' | 'unreadable' | 'takeover-in-progress' | 'takeover-abandoned' | 'remote-live' | 'stale',
    extraPath?: string,
    lease?: LockLease,
  ) {
    const who = holder
      ? `${holder.user ? `${holder.user}@${holder.host} ` : ''}pid ${holder.pid}${holder.user ? '' : ` on host ${holder.host}`} since ${holder.startedAt}${holder.command ? ` ("${holder.command}")` : ''}`
      : 'an unknown process';
    const s3 = /^s3:\/\//.test(lockPath);
    const removeIt = (path: string): string =>
      s3 ? `if you are sure it is no longer running, delete the lock object (aws s3 rm ${path}) and try again.` : `if you are sure it is no longer running, remove the lock file ${path} and try again.`;
    const id = holder?.id ?? '?';
    const wrongId = lease?.forceUnlock !== undefined && lease.forceUnlock !== holder?.id ? ` (--force-unlock ${lease.forceUnlock} is not this lock's id, ${id})` : '';
    const text: Record<typeof situation, string> = {
      live: `Another r53migrate run holds the lock ${lockPath}: ${who}, still running. Wait for it to finish; ${removeIt(lockPath)}`,
      'other-host': `Another r53migrate run holds the lock ${lockPath}: ${who}. It runs on another host, so this one cannot tell whether it is still alive. Check there; ${removeIt(lockPath)}`,
      unreadable: `The lock file ${lockPath} exists but cannot be read as a lock, so another run may hold it. ${removeIt(lockPath).replace(/^i/, 'I')}`,
      'takeover-in-progress': `Another r53migrate run (${who}) is taking over the stale lock ${lockPath} right now. Wait for it to finish; ${removeIt(lockPath)}`,
      'takeover-abandoned': `A takeover of the stale lock ${lockPath} by ${who} was interrupted, leaving ${extraPath}. If no r53migrate run is active, remove ${extraPath} and ${lockPath} and try again.`,
      'remote-live': `Another r53migrate run holds the lock ${lockPath}: ${who}, lock id ${id}, renewed ${seconds(lease?.ageMs ?? 0)} ago (its lease is ${seconds(lease?.leaseMs ?? 0)}), so it is running${wrongId}. Wait for it to finish; a lock its holder stops renewing becomes stale after the lease and can then be taken over with --force-unlock ${id}.`,
      stale: `Another r53migrate run holds the lock ${lockPath}: ${who}, lock id ${id}. It has not been renewed for ${seconds(lease?.ageMs ?? 0)} (its lease is ${seconds(lease?.leaseMs ?? 0)}), so its run has probably stopped, but a process on another machine cannot be checked from here${wrongId}. If you are sure it no longer runs (that machine is off, or its r53migrate was killed), take the lock over with --force-unlock ${id}.`,
    };
    super(text[situation]);
    this.name = 'LockHeldError';
  }
}

/** This run's S3 lock was deleted or replaced behind its back: it stops before its next change (exit 1). */
export class LockLostError extends StateError {
  readonly code = 'STATE_LOCK_LOST';
  readonly exitCode = 1;
  constructor(
    readonly lockUri: string,
    readonly lockId: string,
    readonly how: 'deleted' | 'replaced',
  ) {
    super(
      `This run's lock ${lockUri} (id ${lockId}) was ${how === 'deleted' ? 'deleted' : 'replaced by another run\'s'} behind its back, so another run may be changing the estate: ` +
        `this run stopped without writing its checkpoint or sending another change. Find out who ${how === 'deleted' ? 'removed it' : 'holds it now'} (r53migrate status --state ${lockUri.replace(/\.lock$/, '')}); resume only once no other run is active.`,
    );
    this.name = 'LockLostError';
  }
}

/**
 * The checkpoint in S3 is not the one this run wrote or read last (its ETag moved): someone else
 * wrote it, restored an older one or deleted it. This run never overwrites it and stops (exit 1).
 */
export class StateChangedError extends StateError {
  readonly code = 'STATE_CHANGED';
  readonly exitCode = 1;
  constructor(
    readonly uri: string,
    detail: string,
  ) {
    super(
      `The checkpoint ${uri} changed behind this run's back (${detail}): another writer, a restore of an older copy, or a hand edit. ` +
        `This run stopped without overwriting it and without sending another change. Check who wrote it (r53migrate status --state ${uri}), then resume: resume re-observes AWS and goes on from the checkpoint as it is now.`,
    );
    this.name = 'StateChangedError';
  }
}
