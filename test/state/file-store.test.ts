// The checkpoint file: written atomically (temp, fsync, rename, fsync folder), private (0600 in a
// 0700 folder), with the previous checkpoint kept as .prev, and a disk that fails mid-write
// leaves the previous checkpoint in place.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileStateStore as openStateStore } from '../../src/state/file-store.js';
import { StateInvalidError, StateWriteError } from '../../src/state/errors.js';
import { RunState, StateFileV2 } from '../../src/state/schema.js';
import { StateStoreClosedError } from '../../src/state/store.js';
import { asVersion1, buildStateForChildren, deadPid, errnoError, faultyFs, listDir, runScript, sampleState, tempDir, T0 } from './support.js';

const clockAt = (t: number) => ({ now: () => t });
const isRoot = process.getuid?.() === 0;

describe('atomic checkpoints', () => {
  it('writes the state file 0600 in a folder it creates 0700, and reads back what it wrote', async () => {
    const dir = join(tempDir(), '.r53migrate');
    const path = join(dir, 'prod-cutover.state.json');
    const { store, warnings } = await openStateStore(path, { command: 'apply plans/prod-cutover.yaml', clock: clockAt(T0 + 5000) });
    expect(warnings).toEqual([]);
    expect(await store.read()).toBeUndefined();
    const state = sampleState(path);
    await store.write(state);

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}.lock`).mode & 0o777).toBe(0o600);
    expect(await store.read()).toEqual({ ...state, updatedAt: new Date(T0 + 5000).toISOString() });
    // Only the journal, the state file and the lock: no temp file outlives a successful write.
    expect(listDir(dir)).toEqual(['prod-cutover.journal.ndjson', 'prod-cutover.state.json', 'prod-cutover.state.json.lock']);
    expect(statSync(join(dir, 'prod-cutover.journal.ndjson')).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('keeps the previous checkpoint as <state>.prev (0600) at each write', async () => {
    const dir = tempDir();
    const path = join(dir, 'p.state.json');
    const { store } = await openStateStore(path, { command: 'apply' });
    await store.write(sampleState(path, { stats: { n: 1 } }));
    expect(existsSync(`${path}.prev`)).toBe(false);
    await store.write(sampleState(path, { stats: { n: 2 } }));
    await store.write(sampleState(path, { stats: { n: 3 } }));
    expect(StateFileV2.parse(JSON.parse(readFileSync(`${path}.prev`, 'utf8'))).stats).toEqual({ n: 2 });
    expect(StateFileV2.parse(JSON.parse(readFileSync(path, 'utf8'))).stats).toEqual({ n: 3 });
    expect(statSync(`${path}.prev`).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('does not push a good .prev out with a damaged state file it never vetted', async () => {
    const dir = tempDir();
    const path = join(dir, 'p.state.json');
    const good = asVersion1(sampleState(path, { stats: { n: 7 } }));
    writeFileSync(`${path}.prev`, good);
    writeFileSync(path, '{"schemaVersion": 1, "tool'); // hand-damaged
    const { store } = await openStateStore(path, { command: 'apply' });
    await store.write(sampleState(path, { stats: { n: 8 } }));
    expect(readFileSync(`${path}.prev`, 'utf8')).toBe(good);
    await store.close();
  });

  it('concurrent writes land in call order: the last write is what stays', async () => {
    const path = join(tempDir(), 'p.state.json');
    const { store } = await openStateStore(path, { command: 'apply' });
    await Promise.all([1, 2, 3, 4, 5].map((n) => store.write(sampleState(path, { stats: { n } }))));
    expect((await store.read())?.stats).toEqual({ n: 5 });
    await store.close();
  });

  it('a checkpoint costs the same after many writes: the file size is stable, and probe results cannot be added', async () => {
    const path = join(tempDir(), 'p.state.json');
    let t = T0;
    const { store } = await openStateStore(path, { command: 'apply', clock: { now: () => (t += 60_000) } });
    const state = sampleState(path);
    const sizes: number[] = [];
    for (let i = 0; i < 50; i++) {
      await store.write(state);
      sizes.push(statSync(path).size);
    }
    expect(new Set(sizes).size).toBe(1);
    // The schema is strict: a probe-results field (or any unknown field) is refused, not stored.
    const withProbes = { ...state, probes: [{ vpc: 'vpc-1', name: 'lambda.us-east-1.amazonaws.com', ok: true }] } as RunState;
    await expect(store.write(withProbes)).rejects.toBeInstanceOf(StateInvalidError);
    expect(statSync(path).size).toBe(sizes[0]);
    await store.close();
  });

  it('refuses to write a state that does not fit the schema (a caller bug), naming the field', async () => {
    const path = join(tempDir(), 'p.state.json');
    const { store } = await openStateStore(path, { command: 'apply' });
    const bad = { ...sampleState(path), status: 'paused' } as unknown as RunState;
    await expect(store.write(bad)).rejects.toThrow(/status/);
    expect(existsSync(path)).toBe(false);
    await store.close();
  });
});

describe('a run killed between the temp write and the rename', () => {
  it('simulated: leaves the old checkpoint intact; the next open takes over the lock and sweeps the temp file', async () => {
    const dir = tempDir();
    const path = join(dir, 'p.state.json');
    const pid = deadPid(); // the "killed" run, as the next run will see it
    let frozen = false;
    const dying = faultyFs({
      // The process "dies" on the rename of the new checkpoint: nothing after it ever runs.
      rename: async (from, to) => {
        if (to === path && frozen) return new Promise<void>(() => {});
        return (await import('node:fs/promises')).rename(from, to);
      },
    });
    const { store } = await openStateStore(path, { command: 'apply', fs: dying, pid });
    await store.write(sampleState(path, { stats: { n: 1 } }));
    const old = readFileSync(path, 'utf8');
    frozen = true;
    void store.write(sampleState(path, { stats: { n: 2 } }));
    await new Promise((r) => setTimeout(r, 50));
    const temps = listDir(dir).filter((n) => n.endsWith('.tmp'));
    expect(temps).toEqual([expect.stringMatching(new RegExp(`^p\\.state\\.json\\.${pid}\\.[0-9a-f]{12}\\.tmp$`))]);
    expect(readFileSync(path, 'utf8')).toBe(old);

    const next = await openStateStore(path, { command: 'resume' });
    expect(next.warnings).toEqual([
      expect.stringMatching(new RegExp(`^Took over the lock .*p\\.state\\.json\\.lock from pid ${pid} on ${hostname()} .*no longer running\\.$`)),
      `Removed 1 temp file(s) left in ${dir} by an interrupted checkpoint: ${temps[0]}.`,
    ]);
    expect((await next.store.read())?.stats).toEqual({ n: 1 });
    expect(listDir(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await next.store.close();
  });

  describe('real SIGKILL in a child process', () => {
    let build: ReturnType<typeof buildStateForChildren>;
    beforeAll(() => {
      build = buildStateForChildren();
    });
    afterAll(() => build.cleanup());

    it('the old checkpoint survives, and the next open takes over and sweeps', async () => {
      const dir = tempDir();
      const path = join(dir, 'p.state.json');
      const script = join(build.dir, 'kill-mid-write.mjs');
      writeFileSync(
        script,
        `import { openStateStore, nodeFileSystem } from './index.js';
const [path, stateJson] = process.argv.slice(2);
const state = JSON.parse(stateJson);
let armed = false;
const fs = { ...nodeFileSystem, rename: async (from, to) => {
  if (armed && to === path) process.kill(process.pid, 'SIGKILL');
  return nodeFileSystem.rename(from, to);
} };
const { store } = await openStateStore(path, { command: 'apply (child)', fs });
await store.write({ ...state, stats: { n: 1 } });
armed = true;
await store.write({ ...state, stats: { n: 2 } });
console.log('not killed');
`,
      );
      const run = await runScript(script, [path, JSON.stringify(sampleState(path))]);
      expect(run.signal).toBe('SIGKILL');
      expect(JSON.parse(readFileSync(path, 'utf8')).stats).toEqual({ n: 1 });
      const temps = listDir(dir).filter((n) => n.endsWith('.tmp'));
      expect(temps).toHaveLength(1);
      expect(JSON.parse(readFileSync(join(dir, temps[0]!), 'utf8')).stats).toEqual({ n: 2 }); // complete, but never renamed
      expect(existsSync(`${path}.lock`)).toBe(true);

      const next = await openStateStore(path, { command: 'resume' });
      expect(next.warnings).toHaveLength(2);
      expect(next.warnings[0]).toMatch(/^Took over the lock .* \(started .*, "apply \(child\)"\), which is no longer running\.$/);
      expect((await next.store.read())?.stats).toEqual({ n: 1 });
      expect(listDir(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      await next.store.close();
    });
  });

  it('the sweep removes only this state file\'s leftovers, not another plan\'s or unrelated files', async () => {
    const dir = tempDir();
    const path = join(dir, 'a.state.json');
    const keep = ['b.state.json.123.0123456789ab.tmp', 'notes.tmp', 'a.state.json.backup.tmp'];
    const sweep = ['a.state.json.123.0123456789ab.tmp', 'a.state.json.prev.9.abcdefabcdef.tmp', `a.state.json.lock.${deadPid()}.0123456789ab.tmp`];
    for (const n of [...keep, ...sweep]) writeFileSync(join(dir, n), 'x');
    // A lock attempt in flight by a live process (this one) is not a leftover.
    const inFlight = `a.state.json.lock.${process.pid}.0123456789ab.tmp`;
    writeFileSync(join(dir, inFlight), 'x');
    const { store, warnings } = await openStateStore(path, { command: 'apply' });
    expect(listDir(dir)).toEqual([...keep, inFlight, 'a.state.json.lock'].sort());
    expect(warnings).toEqual([`Removed 3 temp file(s) left in ${dir} by an interrupted checkpoint: ${[...sweep].sort().join(', ')}.`]);
    await store.close();
  });
});

describe('file-system errors while writing', () => {
  async function storeWithPrevious(fs: ReturnType<typeof faultyFs>) {
    const dir = tempDir();
    const path = join(dir, 'p.state.json');
    const { store } = await openStateStore(path, { command: 'apply', fs });
    await store.write(sampleState(path, { stats: { n: 1 } }));
    return { dir, path, store, old: readFileSync(path, 'utf8') };
  }

  it('ENOSPC on the temp file (injected, after half the bytes): StateWriteError naming path and errno; previous checkpoint intact, no temp left', async () => {
    let full = false;
    const { writeFileSynced } = faultyFs({});
    const fs = faultyFs({
      writeFileSynced: async (p, data, o) => {
        if (!full) return writeFileSynced(p, data, o);
        await writeFileSynced(p, data.subarray(0, data.length >> 1), o); // the disk filled up halfway
        throw errnoError('ENOSPC', 'write', p);
      },
    });
    const { dir, path, store, old } = await storeWithPrevious(fs);
    full = true;
    const error = await store.write(sampleState(path, { stats: { n: 2 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateWriteError);
    const e = error as StateWriteError;
    expect([e.code, e.errno, e.exitCode, e.previousIntact]).toEqual(['STATE_WRITE_FAILED', 'ENOSPC', 1, true]);
    expect(e.message).toBe(
      `Could not write the state file ${path} (ENOSPC while writing the temp file: ENOSPC: simulated, write '${(e.cause as NodeJS.ErrnoException).path}'). ` +
        `The previous checkpoint in ${path} is intact. The disk is full: free some space and resume.`,
    );
    expect(readFileSync(path, 'utf8')).toBe(old);
    expect(listDir(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // Once there is space again the same store carries on.
    full = false;
    await store.write(sampleState(path, { stats: { n: 3 } }));
    expect((await store.read())?.stats).toEqual({ n: 3 });
    await store.close();
  });

  it('EROFS on the rename (injected): StateWriteError, previous checkpoint intact, temp removed', async () => {
    let readOnly = false;
    const fs = faultyFs({
      rename: async (from, to) => {
        if (readOnly && to.endsWith('p.state.json')) throw errnoError('EROFS', 'rename', from);
        return (await import('node:fs/promises')).rename(from, to);
      },
    });
    const { dir, path, store, old } = await storeWithPrevious(fs);
    readOnly = true;
    await expect(store.write(sampleState(path, { stats: { n: 2 } }))).rejects.toMatchObject({
      name: 'StateWriteError',
      errno: 'EROFS',
      message: expect.stringContaining('The file system is read-only'),
    });
    expect(readFileSync(path, 'utf8')).toBe(old);
    expect(listDir(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await store.close();
  });

  it('EACCES (injected, because these tests run as root and chmod does not stop root): StateWriteError, previous intact', async () => {
    let denied = false;
    const base = faultyFs({});
    const fs = faultyFs({
      writeFileSynced: async (p, d, o) => {
        if (denied) throw errnoError('EACCES', 'open', p);
        return base.writeFileSynced(p, d, o);
      },
    });
    const { path, store, old } = await storeWithPrevious(fs);
    denied = true;
    await expect(store.write(sampleState(path))).rejects.toMatchObject({ name: 'StateWriteError', errno: 'EACCES', exitCode: 1 });
    expect(readFileSync(path, 'utf8')).toBe(old);
    await store.close();
  });

  it.skipIf(isRoot)('EACCES (real: a 0500 folder): StateWriteError, previous intact', async () => {
    const dir = tempDir();
    const path = join(dir, 'p.state.json');
    const { store } = await openStateStore(path, { command: 'apply' });
    await store.write(sampleState(path));
    const old = readFileSync(path, 'utf8');
    chmodSync(dir, 0o500);
    try {
      await expect(store.write(sampleState(path, { stats: { n: 2 } }))).rejects.toMatchObject({ name: 'StateWriteError', errno: 'EACCES' });
      expect(readFileSync(path, 'utf8')).toBe(old);
    } finally {
      chmodSync(dir, 0o700);
      await store.close();
    }
  });

  it('a failed folder fsync says the new checkpoint is in place but may not be durable', async () => {
    let fail = false;
    const fs = faultyFs({
      fsyncDir: async (d) => {
        if (fail) throw errnoError('EIO', 'fsync', d);
      },
    });
    const { path, store } = await storeWithPrevious(fs);
    fail = true;
    const error = (await store.write(sampleState(path, { stats: { n: 2 } })).catch((e: unknown) => e)) as StateWriteError;
    expect(error.previousIntact).toBe(false);
    expect(error.message).toContain(`The new checkpoint is in ${path} but may not survive a power loss.`);
    expect(JSON.parse(readFileSync(path, 'utf8')).stats).toEqual({ n: 2 });
    await store.close();
  });

  it('a folder that cannot be created: StateWriteError naming it, and no lock left', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), 'not a folder');
    const path = join(root, 'file', 'sub', 'p.state.json');
    await expect(openStateStore(path, { command: 'apply' })).rejects.toMatchObject({
      name: 'StateWriteError',
      errno: 'ENOTDIR',
      message: expect.stringContaining(`creating the folder ${join(root, 'file', 'sub')}`),
    });
  });
});

describe('closing', () => {
  it('close releases the lock, is idempotent, and the store refuses use afterwards', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'p.state.json');
    const { store } = await openStateStore(path, { command: 'apply' });
    await store.write(sampleState(path));
    await store.close();
    await store.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    await expect(store.write(sampleState(path))).rejects.toBeInstanceOf(StateStoreClosedError);
    await expect(store.read()).rejects.toBeInstanceOf(StateStoreClosedError);
    const again = await openStateStore(path, { command: 'resume' });
    expect(again.warnings).toEqual([]);
    await again.store.close();
  });
});
