// The run lock of an S3 state: `<state key>.lock`, created with a conditional write
// (If-None-Match: *), so of two machines creating it at once exactly one succeeds. It records
// its holder (id, user, host, pid, start, command, lease) and is renewed while the run lives
// (If-Match on its last ETag, so a renewal never resurrects a lock someone broke). S3's own
// LastModified of the lock says when it was last renewed, and S3's Date on the answer says when
// that was read: the lock's age is S3's clock against S3's clock, neither machine's.
//
// A lock that has not been renewed for longer than its lease is stale, but a process on another
// machine cannot be checked for liveness (a laptop asleep, a VPN down, and it wakes up and goes
// on), so it is taken over only with --force-unlock <its id>, never silently. The one exception
// is the file lock's: the same machine (host, boot and pid namespace) and a pid that is gone.
import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname as osHostname, userInfo } from 'node:os';
import { z } from 'zod';
import { LockHeldError, LockLostError, StateWriteError, type LockOwner } from './errors.js';
import { isPidAlive, systemClock, type Clock } from './lock.js';
import { ObjectStoreError, sameEtag, type ObjectStore } from './object-store.js';

/** Since the lock was last written, on S3's clock (this machine's when the answer had no Date). */
function lockAge(found: { lastModified: Date; servedAt?: Date }, clock: Clock): number {
  return Math.max(0, (found.servedAt?.getTime() ?? clock.now()) - found.lastModified.getTime());
}

/** Documented in the README: a holder renews every third of it; a lock older than this is stale. */
export const DEFAULT_LOCK_LEASE_MS = 90_000;

const LockObject = z.object({
  id: z.string().min(1),
  user: z.string(),
  host: z.string(),
  /** Boot id and pid namespace: a pid means the same process only where both match. */
  machine: z.string(),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  command: z.string(),
  leaseMs: z.number().int().positive(),
});
type LockObject = z.infer<typeof LockObject>;

function readSmall(read: () => string): string {
  try {
    return read().trim();
  } catch {
    return '?';
  }
}

/** What tells one machine (and pid namespace) from another on Linux; '?' elsewhere (never matched). */
export function machineIdentity(): string {
  const boot = readSmall(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
  const pidns = readSmall(() => readlinkSync('/proc/self/ns/pid'));
  return boot === '?' || pidns === '?' ? '?' : `${boot}/${pidns}`;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export interface S3LockOptions {
  command: string;
  /** --force-unlock: the id of a stale lock the operator takes over. */
  forceUnlock?: string;
  leaseMs?: number;
  clock?: Clock;
  host?: string;
  pid?: number;
  user?: string;
  machine?: string;
  isAlive?: (pid: number) => boolean;
  /** Between attempts after a 409 ConditionalRequestConflict. */
  sleep?: (ms: number) => Promise<void>;
}

export interface HeldS3Lock {
  readonly uri: string;
  readonly id: string;
  readonly owner: LockOwner;
  readonly warnings: string[];
  /** Throws LockLostError when the lock is no longer this run's (deleted or replaced behind its back). */
  verify(): Promise<void>;
  release(): Promise<void>;
}

const ownerOf = (l: LockObject): LockOwner => ({ pid: l.pid, host: l.host, startedAt: l.startedAt, command: l.command, user: l.user, id: l.id });

/** Takes the lock at `key`, or throws LockHeldError naming its holder and the way out. */
export async function acquireS3Lock(objects: ObjectStore, key: string, options: S3LockOptions): Promise<HeldS3Lock> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const leaseMs = options.leaseMs ?? DEFAULT_LOCK_LEASE_MS;
  const isAlive = options.isAlive ?? isPidAlive;
  const uri = objects.uriOf(key);
  const mine: LockObject = {
    id: randomUUID(),
    user: options.user ?? currentUser(),
    host: options.host ?? osHostname(),
    machine: options.machine ?? machineIdentity(),
    pid: options.pid ?? process.pid,
    startedAt: new Date(clock.now()).toISOString(),
    command: options.command,
    leaseMs,
  };
  const body = Buffer.from(JSON.stringify(mine) + '\n', 'utf8');
  const warnings: string[] = [];
  const guard = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      // A bucket that does not exist is the location's mistake, said as such (exit 2).
      if (e instanceof ObjectStoreError && e.exitCode === 2) throw e;
      throw new StateWriteError(uri, what, e);
    }
  };

  for (let attempt = 0; attempt < 8; attempt++) {
    const put = await guard('creating the lock', () => objects.put(key, body, { ifNoneMatch: '*' }));
    if (put.ok) return held(objects, key, mine, put.etag, warnings, leaseMs);
    if (put.refused === 'conflict') {
      await sleep(200 * (attempt + 1));
      continue;
    }
    const found = await guard('reading the lock', () => objects.get(key));
    if (!found) continue; // released between our two calls
    let holder: LockObject | undefined;
    try {
      holder = LockObject.parse(JSON.parse(found.body.toString('utf8')));
    } catch {
      throw new LockHeldError(uri, undefined, 'unreadable');
    }
    const ageMs = lockAge(found, clock);
    const sameMachine = holder.machine !== '?' && holder.machine === mine.machine && holder.host === mine.host;
    const gone = sameMachine && !isAlive(holder.pid);
    const forced = options.forceUnlock !== undefined && options.forceUnlock === holder.id;
    if (!gone && !forced) {
      throw new LockHeldError(uri, ownerOf(holder), ageMs < holder.leaseMs ? 'remote-live' : 'stale', undefined, { ageMs, leaseMs: holder.leaseMs, forceUnlock: options.forceUnlock });
    }
    if (!gone && ageMs < holder.leaseMs) {
      // The right id, but renewed within its lease: its run may well be alive.
      throw new LockHeldError(uri, ownerOf(holder), 'remote-live', undefined, { ageMs, leaseMs: holder.leaseMs, forceUnlock: options.forceUnlock });
    }
    // Only the lock as we read it: if it was renewed or replaced meanwhile, look again.
    const outcome = await guard('removing the stale lock', () => objects.delete(key, found.etag));
    if (outcome === 'deleted') {
      warnings.push(
        `Took over the lock ${uri} (id ${holder.id}) from ${holder.user}@${holder.host} pid ${holder.pid} (started ${holder.startedAt}, "${holder.command}"), ` +
          (gone ? 'whose process is no longer running on this machine.' : `not renewed for ${Math.round(ageMs / 1000)} s (lease ${Math.round(holder.leaseMs / 1000)} s), with --force-unlock.`),
      );
    }
  }
  throw new LockHeldError(uri, undefined, 'unreadable');
}

function held(objects: ObjectStore, key: string, mine: LockObject, firstEtag: string, warnings: string[], leaseMs: number): HeldS3Lock {
  const uri = objects.uriOf(key);
  let etag = firstEtag;
  let lost: 'deleted' | 'replaced' | undefined;
  let released = false;
  let renewing: Promise<void> = Promise.resolve();
  const body = Buffer.from(JSON.stringify(mine) + '\n', 'utf8');

  const renew = async (): Promise<void> => {
    if (lost || released) return;
    try {
      const out = await objects.put(key, body, { ifMatch: etag });
      if (out.ok) etag = out.etag;
      else if (out.refused === 'missing') lost = 'deleted';
      else if (out.refused === 'changed') {
        // A renewal whose reply was lost and was retried finds its own write: still ours.
        const now = await objects.get(key);
        if (now && now.body.equals(body)) etag = now.etag;
        else lost = now ? 'replaced' : 'deleted';
      }
      // 'conflict': another writer is at it; the next renewal or write will tell.
    } catch {
      // S3 unreachable for a moment: the next renewal tries again; a write checks the lock itself.
    }
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, Math.max(1_000, Math.floor(leaseMs / 3)));
  timer.unref();

  return {
    uri,
    id: mine.id,
    owner: ownerOf(mine),
    warnings,
    async verify() {
      await renewing;
      if (!lost) {
        let now: { etag: string } | undefined;
        try {
          now = await objects.head(key);
        } catch (e) {
          throw new StateWriteError(uri, 'checking the lock is still this run\'s', e);
        }
        if (!now) lost = 'deleted';
        else if (!sameEtag(now.etag, etag)) {
          // A renewal in flight may have moved it on: the body tells whose it is.
          const found = await objects.get(key).catch(() => undefined);
          if (found && found.body.equals(body)) etag = found.etag;
          else lost = found ? 'replaced' : 'deleted';
        }
      }
      if (lost) throw new LockLostError(uri, mine.id, lost);
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await renewing;
      if (lost) return;
      // Only our own lock: one replaced by a run that took it over stays.
      await objects.delete(key, etag).catch((e: unknown) => {
        if (!(e instanceof ObjectStoreError)) throw e;
      });
    },
  };
}

export type S3LockInspection =
  | { state: 'none' }
  | { state: 'unreadable' }
  | { state: 'renewed' | 'stale'; owner: LockOwner; ageMs: number; leaseMs: number };

/** Who holds the lock, and whether they renew it (for `status`), without taking it. */
export async function inspectS3Lock(objects: ObjectStore, key: string, clock: Clock = systemClock): Promise<S3LockInspection> {
  const found = await objects.get(key);
  if (!found) return { state: 'none' };
  try {
    const l = LockObject.parse(JSON.parse(found.body.toString('utf8')));
    const ageMs = lockAge(found, clock);
    return { state: ageMs < l.leaseMs ? 'renewed' : 'stale', owner: ownerOf(l), ageMs, leaseMs: l.leaseMs };
  } catch {
    return { state: 'unreadable' };
  }
}
