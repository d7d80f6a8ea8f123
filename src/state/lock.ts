// The run lock: `<state>.lock`, created exclusively, holding who runs. A lock whose process died
// on this host is taken over (with a warning for the caller); anything else is refused with the
// way out. Creation writes a complete temp file and hard-links it into place, so a lock file is
// never seen half-written; a takeover is serialised by a second exclusive file, so of two runs
// breaking the same stale lock only one wins.
import { randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { basename } from 'node:path';
import { z } from 'zod';
import { LockHeldError, StateWriteError, type LockOwner } from './errors.js';
import { errnoOf, nodeFileSystem, type FileSystem } from './fs.js';
import { journalPathFor } from './journal-file.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

const LockFile = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  startedAt: z.string(),
  command: z.string(),
});

export interface LockOptions {
  /** The command line of this run, recorded so a refused run can say what holds the lock. */
  command: string;
  fs?: FileSystem;
  clock?: Clock;
  host?: string;
  pid?: number;
  /** Whether a pid runs on this host; `process.kill(pid, 0)` by default. */
  isAlive?: (pid: number) => boolean;
}

export interface HeldLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** What the caller should tell the user (a stale lock taken over); never printed here. */
  readonly warnings: string[];
  /** Removes the lock if it is still ours. Safe to call more than once. */
  release(): Promise<void>;
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user, so it is alive.
    return errnoOf(error) !== 'ESRCH';
  }
}

/** `<name>.<pid>.<hex>.tmp` beside the target: unique per process and attempt, and recognisable to the sweep. */
export function tempPathFor(target: string, pid: number): string {
  return `${target}.${pid}.${randomBytes(6).toString('hex')}.tmp`;
}

type LockRead = { kind: 'missing' } | { kind: 'unreadable'; raw: string } | { kind: 'ok'; raw: string; owner: LockOwner };

async function readLock(fs: FileSystem, path: string): Promise<LockRead> {
  let raw: string;
  try {
    raw = (await fs.readFile(path)).toString('utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    const owner = LockFile.parse(JSON.parse(raw));
    return { kind: 'ok', raw, owner };
  } catch {
    return { kind: 'unreadable', raw };
  }
}

/** Exclusive create of a complete file: true when created, false when `path` already exists. */
async function createExclusive(fs: FileSystem, path: string, content: string, pid: number): Promise<boolean> {
  const data = Buffer.from(content, 'utf8');
  const temp = tempPathFor(path, pid);
  await fs.writeFileSynced(temp, data, { mode: 0o600, exclusive: true });
  try {
    await fs.link(temp, path);
    return true;
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EEXIST') return false;
    // No hard links on this file system: fall back to a plain exclusive create.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
      try {
        await fs.writeFileSynced(path, data, { mode: 0o600, exclusive: true });
        return true;
      } catch (e) {
        if (errnoOf(e) === 'EEXIST') return false;
        throw e;
      }
    }
    throw error;
  } finally {
    await fs.unlink(temp).catch(() => undefined);
  }
}

export async function acquireLock(lockPath: string, options: LockOptions): Promise<HeldLock> {
  const fs = options.fs ?? nodeFileSystem;
  const clock = options.clock ?? systemClock;
  const pid = options.pid ?? process.pid;
  const host = options.host ?? osHostname();
  const isAlive = options.isAlive ?? isPidAlive;
  const owner: LockOwner = { pid, host, startedAt: new Date(clock.now()).toISOString(), command: options.command };
  const content = JSON.stringify(owner) + '\n';
  const warnings: string[] = [];

  const refusal = (found: LockRead): LockHeldError => {
    if (found.kind !== 'ok') return new LockHeldError(lockPath, undefined, 'unreadable');
    if (found.owner.host !== host) return new LockHeldError(lockPath, found.owner, 'other-host');
    return new LockHeldError(lockPath, found.owner, 'live');
  };

  // Each pass either creates the lock, refuses, or removes a stale lock and tries again; a few
  // passes cover a lock released or broken by someone else between our steps.
  for (let attempt = 0; attempt < 5; attempt++) {
    let created: boolean;
    try {
      created = await createExclusive(fs, lockPath, content, pid);
    } catch (error) {
      throw new StateWriteError(lockPath, 'creating the lock file', error);
    }
    if (created) {
      let released = false;
      return {
        path: lockPath,
        owner,
        warnings,
        async release() {
          if (released) return;
          released = true;
          const now = await readLock(fs, lockPath).catch(() => ({ kind: 'missing' }) as const);
          // Only our own lock: if someone removed ours and started a run, theirs stays.
          if (now.kind !== 'missing' && now.raw === content) await fs.unlink(lockPath).catch(() => undefined);
        },
      };
    }
    const found = await readLock(fs, lockPath);
    if (found.kind === 'missing') continue;
    if (found.kind === 'unreadable' || found.owner.host !== host || isAlive(found.owner.pid)) throw refusal(found);
    if (await breakStaleLock(fs, lockPath, found.raw, content, pid, host, isAlive)) {
      const o = found.owner;
      warnings.push(
        `Took over the lock ${lockPath} from pid ${o.pid} on ${o.host} (started ${o.startedAt}${o.command ? `, "${o.command}"` : ''}), which is no longer running.`,
      );
    }
  }
  throw refusal(await readLock(fs, lockPath));
}

export type LockInspection =
  | { state: 'none' }
  | { state: 'unreadable' }
  | { state: 'live' | 'dead' | 'other-host'; owner: LockOwner };

/** Who holds a state file's lock, without taking it (for `status`): a dead holder's run was interrupted. */
export async function inspectLock(lockPath: string, options: { fs?: FileSystem; host?: string; isAlive?: (pid: number) => boolean } = {}): Promise<LockInspection> {
  const found = await readLock(options.fs ?? nodeFileSystem, lockPath);
  if (found.kind === 'missing') return { state: 'none' };
  if (found.kind === 'unreadable') return { state: 'unreadable' };
  if (found.owner.host !== (options.host ?? osHostname())) return { state: 'other-host', owner: found.owner };
  return { state: (options.isAlive ?? isPidAlive)(found.owner.pid) ? 'live' : 'dead', owner: found.owner };
}

/**
 * Removes `lockPath` if it still holds `staleRaw`, while holding `<lock>.takeover` exclusively, so
 * two runs breaking the same stale lock cannot both remove it (the second would remove the first
 * one's fresh lock). Returns whether this call removed it.
 */
async function breakStaleLock(
  fs: FileSystem,
  lockPath: string,
  staleRaw: string,
  content: string,
  pid: number,
  host: string,
  isAlive: (pid: number) => boolean,
): Promise<boolean> {
  const takeoverPath = `${lockPath}.takeover`;
  let mine: boolean;
  try {
    mine = await createExclusive(fs, takeoverPath, content, pid);
  } catch (error) {
    throw new StateWriteError(takeoverPath, 'creating the lock takeover file', error);
  }
  if (!mine) {
    const other = await readLock(fs, takeoverPath);
    if (other.kind === 'missing') return false; // that takeover just finished: look again
    if (other.kind === 'ok' && (other.owner.host !== host || isAlive(other.owner.pid))) {
      throw new LockHeldError(lockPath, other.owner, 'takeover-in-progress');
    }
    // A takeover file whose process died mid-takeover: breaking it automatically would need yet
    // another guard, and it takes a kill within milliseconds to leave one, so ask a human.
    throw new LockHeldError(lockPath, other.kind === 'ok' ? other.owner : undefined, 'takeover-abandoned', takeoverPath);
  }
  try {
    const now = await readLock(fs, lockPath);
    if (now.kind === 'missing' || now.raw !== staleRaw) return false;
    await fs.unlink(lockPath);
    return true;
  } finally {
    await fs.unlink(takeoverPath).catch(() => undefined);
  }
}

/** Names of leftover temp files of this state file's writes and lock creations, for the sweep. */
export function staleTempMatcher(statePath: string, isAlive: (pid: number) => boolean): (name: string) => boolean {
  const base = basename(statePath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const stateTemp = new RegExp(`^${base}(?:\\.prev)?\\.\\d+\\.[0-9a-f]{12}\\.tmp$`);
  const journal = basename(journalPathFor(statePath)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const journalTemp = new RegExp(`^${journal}\\.\\d+\\.[0-9a-f]{12}\\.tmp$`);
  const lockTemp = new RegExp(`^${base}\\.lock(?:\\.takeover)?\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`);
  return (name) => {
    // State temps are written only by the lock holder, which is us now: any left are stale.
    if (stateTemp.test(name) || journalTemp.test(name)) return true;
    // Lock temps are written by anyone trying to lock and live for a moment: only a dead pid's.
    const m = lockTemp.exec(name);
    return m !== null && !isAlive(Number(m[1]));
  };
}
