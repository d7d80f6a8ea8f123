// The S3 state store and its lock on an in-memory object store with S3's conditional semantics:
// the lock's holder, lease and --force-unlock, the checkpoint's If-Match guard, the lock lost
// mid-run. The same store against the twin's S3 (the real SDK, real wire) is in test/e2e/s3-state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileStateStore } from '../../src/state/file-store.js';
import { LockHeldError, LockLostError, StateChangedError, StateWriteError } from '../../src/state/errors.js';
import { MemoryObjectStore } from '../../src/state/memory-object-store.js';
import { parseS3Location } from '../../src/state/location.js';
import { acquireS3Lock, inspectS3Lock } from '../../src/state/s3-lock.js';
import { FOLD_AFTER_SEGMENTS, lockKeyOf, openS3StateStore, prevKeyOf, readS3State } from '../../src/state/s3-store.js';
import { readStateFile } from '../../src/state/read.js';
import { appendJournal } from '../../src/state/run-state.js';
import type { RunState } from '../../src/state/schema.js';
import { writeFileSync } from 'node:fs';
import { deadPid, sampleState, T0, tempDir } from './support.js';

const LOC = parseS3Location('s3://team-state/prod/prod-cutover.state.json');
const LEASE = 60_000;

function world() {
  let now = T0;
  const clock = { now: () => now };
  const objects = new MemoryObjectStore('team-state', () => now);
  return { objects, clock, advance: (ms: number) => (now += ms) };
}

/** `state` with `n` more entries, as a run's intents add them (appendJournal numbers them). */
function withIntents(state: RunState, n: number): RunState {
  let out = state;
  for (let i = 0; i < n; i++) {
    const k = out.journal.length;
    out = appendJournal(out, { at: new Date(T0 + 2000 + k).toISOString(), step: 6, actionId: `6:disassociate-vpc:Z1/vpc-${k}`, kind: 'disassociate-vpc', account: 'shared-services', operation: 'DisassociateVPCFromHostedZone', target: 'Z1', params: { HostedZoneId: 'Z1', VPC: { VPCId: `vpc-${k}`, VPCRegion: 'eu-west-1' } }, phase: 'intent' });
  }
  return out;
}

/** A run's store on a fresh bucket, its first checkpoint written (sampleState('x')). */
async function started() {
  const w = world();
  const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
  await store.read();
  await store.write(sampleState('x'));
  return { w, store };
}

const segmentKeys = (objects: MemoryObjectStore) => [...objects.objects.keys()].filter((k) => k.startsWith(`${LOC.key}.journal/`)).sort();
const checkpointPuts = (objects: MemoryObjectStore) => objects.calls.filter((c) => c.op === 'put' && c.key === LOC.key).length;

const machineA = { host: 'laptop-a', machine: 'boot-a/pidns-1', user: 'alice', pid: 4242, isAlive: () => true };
const machineB = { host: 'laptop-b', machine: 'boot-b/pidns-1', user: 'bob', pid: 777, isAlive: () => true };

async function refusal(p: Promise<unknown>): Promise<LockHeldError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LockHeldError);
  return e as LockHeldError;
}

describe('the S3 lock (conditional create, holder, lease, --force-unlock)', () => {
  it('is created with If-None-Match: * and records its holder; a second machine is refused naming that holder (exit 4)', async () => {
    const w = world();
    const a = await acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'apply plan.yaml', clock: w.clock, leaseMs: LEASE, ...machineA });
    expect(w.objects.calls[0]).toMatchObject({ op: 'put', key: 'prod/prod-cutover.state.json.lock', condition: { ifNoneMatch: '*' } });
    const held = JSON.parse(w.objects.objects.get(lockKeyOf(LOC.key))!.body.toString());
    expect(held).toMatchObject({ id: a.id, user: 'alice', host: 'laptop-a', pid: 4242, command: 'apply plan.yaml', leaseMs: LEASE });

    w.advance(10_000);
    const e = await refusal(acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'apply plan.yaml', clock: w.clock, leaseMs: LEASE, ...machineB }));
    expect(e.exitCode).toBe(4);
    expect(e.situation).toBe('remote-live');
    expect(e.message).toContain('alice@laptop-a pid 4242');
    expect(e.message).toContain(a.id);
    await a.release();
    expect(w.objects.objects.has(lockKeyOf(LOC.key))).toBe(false);
  });

  it('a lock not renewed for longer than its lease is stale: refused until --force-unlock with its id, never taken silently', async () => {
    const w = world();
    const a = await acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'apply', clock: w.clock, leaseMs: LEASE, ...machineA });
    // Machine A is gone: nothing renews its lock (its timer is stopped without deleting it).
    w.advance(LEASE + 1_000);
    const stale = await refusal(acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'resume', clock: w.clock, ...machineB }));
    expect(stale.situation).toBe('stale');
    expect(stale.message).toContain(`--force-unlock ${a.id}`);

    const wrong = await refusal(acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'resume', clock: w.clock, ...machineB, forceUnlock: 'not-the-id' }));
    expect(wrong.message).toContain("--force-unlock not-the-id is not this lock's id");

    const b = await acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'resume', clock: w.clock, ...machineB, forceUnlock: a.id });
    expect(b.warnings.join()).toMatch(/Took over the lock .* alice@laptop-a pid 4242 .*with --force-unlock/);
    expect(JSON.parse(w.objects.objects.get(lockKeyOf(LOC.key))!.body.toString()).user).toBe('bob');
    await b.release();
  });

  it('--force-unlock with the right id is still refused while the lock is renewed within its lease (its run may be alive)', async () => {
    const w = world();
    const a = await acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'apply', clock: w.clock, leaseMs: LEASE, ...machineA });
    w.advance(5_000);
    const e = await refusal(acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'apply', clock: w.clock, ...machineB, forceUnlock: a.id }));
    expect(e.situation).toBe('remote-live');
    await a.release();
  });

  it('on the same machine a lock whose process is gone is taken over with a warning (as the file lock does); a live one is not', async () => {
    const w = world();
    const gone = deadPid();
    await acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'apply', clock: w.clock, leaseMs: LEASE, ...machineA, pid: gone });
    await refusal(acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'resume', clock: w.clock, ...machineA, pid: 5000, isAlive: () => true }));
    const again = await acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'resume', clock: w.clock, ...machineA, pid: 5000, isAlive: (p) => p !== gone });
    expect(again.warnings.join()).toContain('no longer running on this machine');
    await again.release();
  });

  it('status sees the holder and whether it still renews, without taking the lock', async () => {
    const w = world();
    const a = await acquireS3Lock(w.objects, lockKeyOf(LOC.key), { command: 'apply', clock: w.clock, leaseMs: LEASE, ...machineA });
    expect(await inspectS3Lock(w.objects, lockKeyOf(LOC.key), w.clock)).toMatchObject({ state: 'renewed', owner: { user: 'alice', id: a.id } });
    w.advance(LEASE * 2);
    expect(await inspectS3Lock(w.objects, lockKeyOf(LOC.key), w.clock)).toMatchObject({ state: 'stale' });
    await a.release();
    expect(await inspectS3Lock(w.objects, lockKeyOf(LOC.key), w.clock)).toEqual({ state: 'none' });
  });
});

describe('the S3 checkpoint (If-Match on the ETag read last)', () => {
  it('round-trips the state and its journal in one object, keeps the previous checkpoint as .prev, and releases the lock on close', async () => {
    const w = world();
    const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    expect(await store.read()).toBeUndefined();
    const first = sampleState('ignored');
    await store.write(first);
    expect(w.objects.calls.filter((c) => c.op === 'put' && c.key === LOC.key).at(-1)?.condition).toEqual({ ifNoneMatch: '*' });
    await store.write({ ...first, status: 'halted' });
    const conditions = w.objects.calls.filter((c) => c.op === 'put' && c.key === LOC.key).map((c) => c.condition);
    expect(conditions[1]).toHaveProperty('ifMatch');
    expect(JSON.parse(w.objects.objects.get(prevKeyOf(LOC.key))!.body.toString()).status).toBe('running');
    await store.close();
    expect(w.objects.objects.has(lockKeyOf(LOC.key))).toBe(false);
    const back = await readS3State(w.objects, LOC);
    expect(back?.status).toBe('halted');
    expect(back?.journal).toEqual(first.journal);
  });

  it('a checkpoint changed behind its back (ETag mismatch) stops the run and is never overwritten', async () => {
    const w = world();
    const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    await store.read();
    await store.write(sampleState('x'));
    const theirs = JSON.stringify({ ...sampleState('x'), status: 'done' });
    w.objects.putBehindTheBack(LOC.key, theirs);
    const e = await store.write({ ...sampleState('x'), status: 'halted' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StateChangedError);
    expect((e as StateChangedError).exitCode).toBe(1);
    expect(w.objects.objects.get(LOC.key)!.body.toString()).toBe(theirs);
    await store.close();
  });

  it('a checkpoint deleted behind its back stops the run too (If-Match finds no key)', async () => {
    const w = world();
    const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    await store.read();
    await store.write(sampleState('x'));
    w.objects.objects.delete(LOC.key);
    await expect(store.writeJournal(withIntents(sampleState('x'), 1))).rejects.toBeInstanceOf(StateChangedError);
    expect(w.objects.objects.has(LOC.key)).toBe(false);
    expect(segmentKeys(w.objects)).toEqual([]);
    await store.close();
  });

  it('the lock object deleted by hand mid-run: the next write notices, writes nothing and stops (LockLostError, exit 1)', async () => {
    const w = world();
    const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    await store.read();
    await store.write(sampleState('x'));
    const before = w.objects.objects.get(LOC.key)!.etag;
    w.objects.objects.delete(lockKeyOf(LOC.key));
    const e = await store.write({ ...sampleState('x'), status: 'halted' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LockLostError);
    expect((e as LockLostError).exitCode).toBe(1);
    expect(w.objects.objects.get(LOC.key)!.etag).toBe(before);
    await store.close();
  });

  it('a lock replaced by another run (taken over) is lost too, and release leaves the other run\'s lock in place', async () => {
    const w = world();
    const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    await store.read();
    w.objects.putBehindTheBack(lockKeyOf(LOC.key), JSON.stringify({ id: 'other', user: 'bob', host: 'b', machine: 'm', pid: 1, startedAt: 'x', command: 'apply', leaseMs: LEASE }));
    await expect(store.write(sampleState('x'))).rejects.toBeInstanceOf(LockLostError);
    await store.close();
    expect(JSON.parse(w.objects.objects.get(lockKeyOf(LOC.key))!.body.toString()).id).toBe('other');
  });

  it('a 409 ConditionalRequestConflict is tried again; an S3 failure becomes a StateWriteError with the previous checkpoint intact', async () => {
    const w = world();
    const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA, sleep: async () => undefined });
    await store.read();
    await store.write(sampleState('x'));
    const put = w.objects.put.bind(w.objects);
    let conflicts = 1;
    w.objects.put = async (key, body, condition) => (key === LOC.key && conflicts-- > 0 ? { ok: false, refused: 'conflict' } : put(key, body, condition));
    await store.write({ ...sampleState('x'), status: 'halted' });
    expect((await readS3State(w.objects, LOC))?.status).toBe('halted');

    w.objects.failNext('put', { key: LOC.key, message: 'SlowDown (HTTP 503): Please reduce your request rate.' });
    const e = await store.write({ ...sampleState('x'), status: 'failed' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StateWriteError);
    expect((e as Error).message).toContain('SlowDown');
    expect((await readS3State(w.objects, LOC))?.status).toBe('halted');
    await store.close();
  });

  it('a damaged checkpoint is refused (exit 2) pointing at a good .prev with aws s3 cp', async () => {
    const w = world();
    const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    await store.read();
    await store.write(sampleState('x'));
    await store.write(sampleState('x'));
    await store.close();
    w.objects.putBehindTheBack(LOC.key, '{"schemaVersion": 3, "trunc');
    const e = await readS3State(w.objects, LOC).catch((x: unknown) => x);
    expect((e as { exitCode: number }).exitCode).toBe(2);
    expect((e as Error).message).toContain(`aws s3 cp s3://team-state/prod/prod-cutover.state.json.prev s3://team-state/prod/prod-cutover.state.json`);
  });
});

describe('the S3 lock while its run lives', () => {
  it('is renewed every third of its lease with If-Match on its last ETag, so it never goes stale under a live run', async () => {
    const objects = new MemoryObjectStore('team-state');
    const lock = await acquireS3Lock(objects, lockKeyOf(LOC.key), { command: 'apply', leaseMs: 3_000, ...machineA });
    const first = objects.objects.get(lockKeyOf(LOC.key))!.lastModified.getTime();
    // Bounded: at most 4 s of real time for two renewals (every 1 s at this lease).
    const deadline = Date.now() + 4_000;
    while (objects.calls.filter((c) => c.op === 'put' && c.key === lockKeyOf(LOC.key) && typeof c.condition === 'object' && 'ifMatch' in c.condition).length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const renewals = objects.calls.filter((c) => c.op === 'put' && c.key === lockKeyOf(LOC.key) && typeof c.condition === 'object' && 'ifMatch' in c.condition);
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    expect(objects.objects.get(lockKeyOf(LOC.key))!.lastModified.getTime()).toBeGreaterThan(first);
    expect((await inspectS3Lock(objects, lockKeyOf(LOC.key))).state).toBe('renewed');
    await lock.verify();
    await lock.release();
    expect(objects.objects.has(lockKeyOf(LOC.key))).toBe(false);
  });
});

describe('moving a run to S3', () => {
  it('a local state file copied to S3 with its journal beside it is read with that journal, and the first checkpoint folds the journal in', async () => {
    const dir = tempDir();
    const local = join(dir, 'prod-cutover.state.json');
    const { store: fileStore } = await openFileStateStore(local, { command: 'apply' });
    const state = sampleState(local);
    await fileStore.write(state);
    await fileStore.close();
    // aws s3 cp .r53migrate/ s3://team-state/prod/ --recursive, as the README says.
    const w = world();
    w.objects.putBehindTheBack('prod/prod-cutover.state.json', readFileSync(local));
    w.objects.putBehindTheBack('prod/prod-cutover.journal.ndjson', readFileSync(join(dir, 'prod-cutover.journal.ndjson')));
    expect((await readS3State(w.objects, LOC))?.journal).toEqual(state.journal);

    const { store } = await openS3StateStore(w.objects, LOC, { command: 'resume', clock: w.clock, ...machineA });
    const read = await store.read();
    await store.write({ ...read!, status: 'halted' });
    await store.close();
    const folded = JSON.parse(w.objects.objects.get(LOC.key)!.body.toString()) as { journal: unknown[]; journalLog?: unknown };
    expect(folded.journalLog).toBeUndefined();
    expect(folded.journal).toEqual(state.journal);
  });

  it('a copied state file whose journal was left behind is refused as damaged (exit 2), not read with an empty journal', async () => {
    const dir = tempDir();
    const local = join(dir, 'prod-cutover.state.json');
    const { store: fileStore } = await openFileStateStore(local, { command: 'apply' });
    await fileStore.write(sampleState(local));
    await fileStore.close();
    const w = world();
    w.objects.putBehindTheBack('prod/prod-cutover.state.json', readFileSync(local));
    const e = await readS3State(w.objects, LOC).catch((x: unknown) => x);
    expect((e as { exitCode: number }).exitCode).toBe(2);
    expect((e as Error).message).toMatch(/journal .*prod-cutover\.journal\.ndjson is missing/);
  });
});

describe("the S3 checkpoint's journal tail (an object per write between checkpoints)", () => {
  it('an intent between checkpoints is one small object of its own entries, created with If-None-Match: *; the checkpoint is not rewritten, and readers see both', async () => {
    const w = world();
    const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    await store.read();
    let state = withIntents(sampleState('x'), 300);
    await store.write(state);
    const checkpoint = w.objects.objects.get(LOC.key)!;
    state = withIntents(state, 1);
    await store.writeJournal(state);
    state = withIntents(state, 2);
    await store.writeJournal(state);
    expect(w.objects.objects.get(LOC.key)!.etag).toBe(checkpoint.etag);
    const keys = segmentKeys(w.objects);
    expect(keys.map((k) => k.slice(k.lastIndexOf('/') + 1))).toEqual(['0000000302.ndjson', '0000000303.ndjson']);
    expect(w.objects.calls.find((c) => c.op === 'put' && c.key === keys[1])?.condition).toEqual({ ifNoneMatch: '*' });
    // The write costs its own entries, not the journal: 300 entries are in the checkpoint.
    expect(w.objects.objects.get(keys[1]!)!.body.length).toBeLessThan(checkpoint.body.length / 50);
    expect((await readS3State(w.objects, LOC))?.journal).toEqual(state.journal);
    await store.close();
  });

  it(`every ${FOLD_AFTER_SEGMENTS} segments the checkpoint is rewritten with them folded in; the segments .prev holds are deleted at the next checkpoint, and .prev with the tail still reads whole`, async () => {
    const { w, store } = await started();
    let state = sampleState('x');
    const before = checkpointPuts(w.objects);
    for (let i = 0; i < FOLD_AFTER_SEGMENTS * 2 + 5; i++) {
      state = withIntents(state, 1);
      await store.writeJournal(state);
    }
    // Two folds (the intents after 100 segments each): the journal rewritten twice in 205 intents, not 205 times.
    expect(checkpointPuts(w.objects) - before).toBe(2);
    const folded = JSON.parse(w.objects.objects.get(LOC.key)!.body.toString()) as { journal: unknown[] };
    expect(folded.journal).toHaveLength(1 + 2 * (FOLD_AFTER_SEGMENTS + 1));
    expect((await readS3State(w.objects, LOC))?.journal).toEqual(state.journal);
    expect(segmentKeys(w.objects)).toHaveLength(FOLD_AFTER_SEGMENTS * 2 + 3);

    state = { ...withIntents(state, 1), status: 'halted' };
    await store.write(state);
    await store.close();
    // .prev is the checkpoint of the second fold: every segment up to it is gone, those after it stay.
    const prev = JSON.parse(w.objects.objects.get(prevKeyOf(LOC.key))!.body.toString()) as { journal: { seq: number }[] };
    const prevLast = prev.journal.at(-1)!.seq;
    const left = segmentKeys(w.objects).map((k) => Number(k.slice(k.lastIndexOf('/') + 1).split('.')[0]));
    expect(left.length).toBeGreaterThan(0);
    expect(Math.min(...left)).toBeGreaterThan(prevLast);
    // The way back: .prev copied over the checkpoint reads with the tail, every entry up to the last segment.
    w.objects.putBehindTheBack(LOC.key, w.objects.objects.get(prevKeyOf(LOC.key))!.body);
    const restored = await readS3State(w.objects, LOC);
    expect(restored?.journal.map((e) => e.seq)).toEqual(state.journal.slice(0, -1).map((e) => e.seq));
  });

  it('a run killed between intents resumes with every entry its segments hold, and goes on after the last', async () => {
    const w = world();
    const a = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    await a.store.read();
    let state = sampleState('x');
    await a.store.write(state);
    state = withIntents(state, 7);
    for (let i = 1; i <= 7; i++) await a.store.writeJournal({ ...state, journal: state.journal.slice(0, 1 + i) });
    // kill -9: no close, no fold; the lock is taken over on the same machine (its pid is gone).
    const b = await openS3StateStore(w.objects, LOC, { command: 'resume', clock: w.clock, ...machineA, pid: 4343, isAlive: (pid: number) => pid !== 4242 });
    const read = await b.store.read();
    expect(read?.journal).toEqual(state.journal);
    const more = withIntents(read!, 1);
    await b.store.writeJournal(more);
    expect(segmentKeys(w.objects).at(-1)).toMatch(/0000000009\.ndjson$/);
    await b.store.close();
    expect((await readS3State(w.objects, LOC))?.journal).toEqual(more.journal);
  });

  it('a segment deleted by hand (a gap in the journal) is refused as damaged (exit 2), naming where the journal goes on', async () => {
    const { w, store } = await started();
    let state = sampleState('x');
    for (let i = 0; i < 3; i++) await store.writeJournal((state = withIntents(state, 1)));
    await store.close();
    w.objects.objects.delete(segmentKeys(w.objects)[1]!);
    const e = await readS3State(w.objects, LOC).catch((x: unknown) => x);
    expect((e as { exitCode: number }).exitCode).toBe(2);
    expect((e as Error).message).toMatch(/its journal continues at seq 4 \(s3:\/\/team-state\/prod\/prod-cutover\.state\.json\.journal\/[0-9a-f]+\/0000000004\.ndjson\) after seq 2/);
  });

  it('entries another writer already put under the same seq stop the run (StateChangedError); its own write retried after landing counts as written', async () => {
    const { w, store } = await started();
    let state = sampleState('x');
    // A reply lost: the PutObject landed, and the SDK's retry is refused by If-None-Match.
    const put = w.objects.put.bind(w.objects);
    let lose = 1;
    w.objects.put = async (key, body, condition) => {
      const out = await put(key, body, condition);
      return key.includes('.journal/') && lose-- > 0 ? { ok: false, refused: 'exists' } : out;
    };
    await store.writeJournal((state = withIntents(state, 1)));
    expect(segmentKeys(w.objects)).toHaveLength(1);
    // Another writer put seq 3 first, with its own entry.
    const id = /\.journal\/([0-9a-f]+)\//.exec(segmentKeys(w.objects)[0]!)![1]!;
    const theirs = `${LOC.key}.journal/${id}/0000000003.ndjson`;
    w.objects.putBehindTheBack(theirs, '{"seq":3}\n');
    const e = await store.writeJournal(withIntents(state, 1)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StateChangedError);
    expect((e as Error).message).toContain('journal entries from seq 3 expected new');
    expect(w.objects.objects.get(theirs)!.body.toString()).toBe('{"seq":3}\n');
    await store.close();
  });

  it('a run that lost its lock and went on in the tail is never folded over: the next checkpoint stops (StateChangedError) and readers still see its entries', async () => {
    const { w, store } = await started();
    let state = sampleState('x');
    await store.writeJournal((state = withIntents(state, 1)));
    // The other run's intent, seq 3, written while this one still believed itself the holder.
    const id = /\.journal\/([0-9a-f]+)\//.exec(segmentKeys(w.objects)[0]!)![1]!;
    const theirs = withIntents(state, 1).journal.at(-1)!;
    w.objects.putBehindTheBack(`${LOC.key}.journal/${id}/0000000003.ndjson`, `${JSON.stringify({ ...theirs, actionId: 'theirs' })}\n`);
    const checkpoint = w.objects.objects.get(LOC.key)!.etag;
    const e = await store.write({ ...withIntents(state, 1), status: 'halted' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StateChangedError);
    expect((e as Error).message).toContain('journal entries from seq 3 expected new');
    expect(w.objects.objects.get(LOC.key)!.etag).toBe(checkpoint);
    expect((await readS3State(w.objects, LOC))?.journal.at(-1)?.actionId).toBe('theirs');
    await store.close();
  });

  it('a reader (status, report) that read a checkpoint just before the run moved on reads again, instead of calling the deleted segments damage', async () => {
    const { w, store } = await started();
    let state = sampleState('x');
    const old = w.objects.objects.get(LOC.key)!;
    for (let i = 0; i < 4; i++) await store.writeJournal((state = withIntents(state, 1)));
    await store.write(state);
    for (let i = 0; i < 3; i++) await store.writeJournal((state = withIntents(state, 1)));
    await store.write(state);
    for (let i = 0; i < 2; i++) await store.writeJournal((state = withIntents(state, 1)));
    await store.close();
    // The reader's GET of the checkpoint was answered two checkpoints ago; the segments after it
    // are folded and gone (.prev has them) by the time it lists the tail.
    const get = w.objects.get.bind(w.objects);
    let first = true;
    w.objects.get = async (key) => (key === LOC.key && first ? ((first = false), { ...old, body: Buffer.from(old.body) }) : get(key));
    expect((await readS3State(w.objects, LOC))?.journal).toEqual(state.journal);
  });

  it("a checkpoint deleted and started over never reads the old run's segments (a tail belongs to one checkpoint's id)", async () => {
    const w = world();
    const first = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    await first.store.read();
    let state = sampleState('x');
    await first.store.write(state);
    for (let i = 0; i < 4; i++) await first.store.writeJournal((state = withIntents(state, 1)));
    await first.store.close();
    w.objects.objects.delete(LOC.key);
    w.objects.objects.delete(prevKeyOf(LOC.key));
    const second = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    expect(await second.store.read()).toBeUndefined();
    const fresh = sampleState('y');
    await second.store.write(fresh);
    await second.store.close();
    expect((await readS3State(w.objects, LOC))?.journal).toEqual(fresh.journal);
  });

  it('a copy of an S3 checkpoint used as a local state file is refused: its newest entries are in the bucket', async () => {
    const w = world();
    const { store } = await openS3StateStore(w.objects, LOC, { command: 'apply', clock: w.clock, ...machineA });
    await store.read();
    await store.write(sampleState('x'));
    await store.close();
    const local = join(tempDir(), 'copied.state.json');
    writeFileSync(local, w.objects.objects.get(LOC.key)!.body);
    const e = await readStateFile(local).catch((x: unknown) => x);
    expect((e as { exitCode: number }).exitCode).toBe(2);
    expect((e as Error).message).toContain('is an S3 checkpoint whose journal goes on in its bucket');
  });
});
