// The run lock: exclusive create; a live holder on this host or any holder on another host is
// refused with the way out (exit 4); a dead holder's lock is taken over with a warning; two runs
// taking over the same stale lock: only one wins; release is idempotent and never removes
// someone else's lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockHeldError } from '../../src/state/errors.js';
import { openFileStateStore as openStateStore } from '../../src/state/file-store.js';
import { acquireLock } from '../../src/state/lock.js';
import { nodeFileSystem, type FileSystem } from '../../src/state/fs.js';
import { buildStateForChildren, deadPid, tempDir } from './support.js';

function writeLock(path: string, owner: { pid: number; host: string; startedAt: string; command: string }): void {
  writeFileSync(path, JSON.stringify(owner));
}

async function lockError(promise: Promise<unknown>): Promise<LockHeldError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LockHeldError);
  return error as LockHeldError;
}

describe('taking the lock', () => {
  it('writes {pid, host, startedAt, command} with exclusive create, 0600', async () => {
    const path = join(tempDir(), 'p.state.json');
    const { store } = await openStateStore(path, { command: 'apply plans/p.yaml', clock: { now: () => Date.parse('2025-06-01T22:00:00Z') } });
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toEqual({
      pid: process.pid,
      host: hostname(),
      startedAt: '2025-06-01T22:00:00.000Z',
      command: 'apply plans/p.yaml',
    });
    await store.close();
  });

  it('a lock held by a live process on this host → LockHeldError (exit 4) naming pid, host, since when and what to do', async () => {
    const dir = tempDir();
    const path = join(dir, 'p.state.json');
    const child: ChildProcess = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
    try {
      const owner = { pid: child.pid!, host: hostname(), startedAt: '2025-06-01T21:00:00.000Z', command: 'apply plans/p.yaml' };
      writeLock(`${path}.lock`, owner);
      const e = await lockError(openStateStore(path, { command: 'resume' }));
      expect([e.code, e.exitCode, e.situation]).toEqual(['STATE_LOCKED', 4, 'live']);
      expect(e.holder).toEqual(owner);
      expect(e.message).toBe(
        `Another r53migrate run holds the lock ${path}.lock: pid ${child.pid} on host ${hostname()} since 2025-06-01T21:00:00.000Z ("apply plans/p.yaml"), still running. ` +
          `Wait for it to finish; if you are sure it is no longer running, remove the lock file ${path}.lock and try again.`,
      );
      // Refusing changes nothing: the holder's lock is untouched.
      expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toEqual(owner);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a lock from another host → LockHeldError: we cannot tell if it is alive, so say so and give the way out', async () => {
    const path = join(tempDir(), 'p.state.json');
    writeLock(`${path}.lock`, { pid: deadPid(), host: 'bastion-7', startedAt: '2025-06-01T21:00:00.000Z', command: 'apply' });
    const e = await lockError(openStateStore(path, { command: 'resume' }));
    expect(e.situation).toBe('other-host');
    expect(e.message).toContain('on host bastion-7 since 2025-06-01T21:00:00.000Z');
    expect(e.message).toContain('another host, so this one cannot tell whether it is still alive');
    expect(e.message).toContain(`remove the lock file ${path}.lock`);
  });

  it('an unreadable lock file → LockHeldError (it may be held), with the way out', async () => {
    const path = join(tempDir(), 'p.state.json');
    writeFileSync(`${path}.lock`, 'garbage');
    const e = await lockError(openStateStore(path, { command: 'resume' }));
    expect(e.situation).toBe('unreadable');
    expect(e.message).toContain(`remove the lock file ${path}.lock`);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe('garbage');
  });

  it('a stale lock from a dead pid on this host is taken over, with a warning returned (not printed)', async () => {
    const path = join(tempDir(), 'p.state.json');
    const pid = deadPid();
    writeLock(`${path}.lock`, { pid, host: hostname(), startedAt: '2025-06-01T21:00:00.000Z', command: 'apply plans/p.yaml' });
    const { store, warnings } = await openStateStore(path, { command: 'resume' });
    expect(warnings).toEqual([
      `Took over the lock ${path}.lock from pid ${pid} on ${hostname()} (started 2025-06-01T21:00:00.000Z, "apply plans/p.yaml"), which is no longer running.`,
    ]);
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
    expect(existsSync(`${path}.lock.takeover`)).toBe(false);
    await store.close();
  });

  it('a takeover interrupted by a kill (takeover file of a dead pid) → LockHeldError naming both files', async () => {
    const path = join(tempDir(), 'p.state.json');
    const stale = { pid: deadPid(), host: hostname(), startedAt: '2025-06-01T21:00:00.000Z', command: 'apply' };
    writeLock(`${path}.lock`, stale);
    writeLock(`${path}.lock.takeover`, { ...stale, pid: deadPid(), command: 'resume' });
    const e = await lockError(openStateStore(path, { command: 'resume' }));
    expect(e.situation).toBe('takeover-abandoned');
    expect(e.message).toContain(`remove ${path}.lock.takeover and ${path}.lock`);
  });
});

describe('concurrent takeover of one stale lock: only one wins', () => {
  it('in one process, 8 takeovers at once with jittered file-system calls, 30 rounds: exactly one winner each round', async () => {
    const dead = deadPid();
    // Without jitter every contender moves in step (all unlink, then all create) and a naive
    // "unlink the stale lock, then create" would pass; random small delays let one contender
    // finish its new lock while another is still about to remove "the stale one".
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const jitter = () => new Promise((r) => setTimeout(r, Math.floor(random() * 4)));
    const fs = Object.fromEntries(
      Object.entries(nodeFileSystem).map(([name, fn]) => [name, async (...args: unknown[]) => (await jitter(), (fn as (...a: unknown[]) => unknown)(...args))]),
    ) as unknown as FileSystem;
    for (let round = 0; round < 30; round++) {
      const path = join(tempDir(), 'p.state.json');
      writeLock(`${path}.lock`, { pid: dead, host: hostname(), startedAt: '2025-06-01T21:00:00.000Z', command: 'apply' });
      // All contenders are this (live) process: a loser that looks again sees a live holder.
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => acquireLock(`${path}.lock`, { command: `c${i}`, fs })),
      );
      const winners = results.filter((r) => r.status === 'fulfilled');
      const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(winners).toHaveLength(1);
      for (const l of losers) expect(l.reason).toBeInstanceOf(LockHeldError);
      const held = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value;
      expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).command).toBe(held.owner.command);
      await held.release();
    }
  });

  describe('across processes', () => {
    let build: ReturnType<typeof buildStateForChildren>;
    beforeAll(() => {
      build = buildStateForChildren();
    });
    afterAll(() => build.cleanup());

    it('6 child processes released at once onto one stale lock: one holds it, the others get STATE_LOCKED', async () => {
      const dir = tempDir();
      const path = join(dir, 'p.state.json');
      writeLock(`${path}.lock`, { pid: deadPid(), host: hostname(), startedAt: '2025-06-01T21:00:00.000Z', command: 'apply' });
      const script = join(build.dir, 'contend.mjs');
      // Each child waits for "go" on stdin, races, prints its outcome, and a winner holds the lock
      // until stdin closes, so a loser cannot simply come after it.
      writeFileSync(
        script,
        `import { openStateStore } from './index.js';
const path = process.argv[2];
process.stdout.write('ready\\n');
let started = false;
process.stdin.on('data', async () => {
  if (started) return;
  started = true;
  try {
    const { store, warnings } = await openStateStore(path, { command: 'child ' + process.pid });
    process.stdout.write(JSON.stringify({ won: true, warnings }) + '\\n');
    process.stdin.on('end', async () => { await store.close(); process.exit(0); });
  } catch (e) {
    process.stdout.write(JSON.stringify({ won: false, code: e.code }) + '\\n');
    process.exit(0);
  }
});
`,
      );
      const children = Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, [script, path], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        const lines = (n: number) =>
          new Promise<string[]>((resolve, reject) => {
            const check = () => {
              const ls = out.split('\n').filter(Boolean);
              if (ls.length >= n) resolve(ls);
            };
            child.stdout!.on('data', (d) => {
              out += d;
              check();
            });
            child.on('exit', () => reject(new Error(`child exited early: ${out}`)));
            check();
          });
        return { child, lines };
      });
      const killer = setTimeout(() => children.forEach((c) => c.child.kill('SIGKILL')), 20_000);
      try {
        await Promise.all(children.map((c) => c.lines(1)));
        for (const c of children) c.child.stdin!.write('go');
        const outcomes = await Promise.all(children.map(async (c) => JSON.parse((await c.lines(2))[1]!) as { won: boolean; code?: string }));
        expect(outcomes.filter((o) => o.won)).toHaveLength(1);
        expect(outcomes.filter((o) => !o.won).map((o) => o.code)).toEqual(Array(5).fill('STATE_LOCKED'));
        const winner = children[outcomes.findIndex((o) => o.won)]!;
        expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(winner.child.pid);
        const done = new Promise((r) => winner.child.on('exit', r));
        for (const c of children) c.child.stdin!.end();
        await done;
        expect(existsSync(`${path}.lock`)).toBe(false);
      } finally {
        clearTimeout(killer);
        for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
      }
    });
  });
});

describe('release', () => {
  it('is idempotent', async () => {
    const path = join(tempDir(), 'p.state.json.lock');
    const held = await acquireLock(path, { command: 'apply' });
    await held.release();
    await held.release();
    expect(existsSync(path)).toBe(false);
  });

  it('never removes a lock that is no longer ours', async () => {
    const path = join(tempDir(), 'p.state.json.lock');
    const held = await acquireLock(path, { command: 'apply' });
    const theirs = { pid: 1, host: 'elsewhere', startedAt: '2025-06-01T23:00:00.000Z', command: 'resume' };
    writeLock(path, theirs); // someone removed ours by hand and started a run
    await held.release();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(theirs);
  });
});
