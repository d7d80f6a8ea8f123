// The journal's own file (schema version 2): appended to, never rewritten, one entry per line; a
// line cut short by a kill is dropped and cut off before the next append; anything else wrong
// with it is refused like a damaged state file (exit 2, nothing changed). Version 1 files, with the
// journal inside, are still read and become version 2 at their first write.
import { appendFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileStateStore as openStateStore } from '../../src/state/file-store.js';
import { StateFileCorruptError, StateWriteError } from '../../src/state/errors.js';
import { readStateFile } from '../../src/state/read.js';
import { appendJournal, type NewJournalEntry } from '../../src/state/run-state.js';
import type { RunState } from '../../src/state/schema.js';
import { asVersion1, errnoError, faultyFs, listDir, sampleState, tempDir, T0 } from './support.js';

const entry = (n: number, phase: NewJournalEntry['phase'] = 'intent'): NewJournalEntry => ({
  at: new Date(T0 + n * 1000).toISOString(),
  step: 6,
  actionId: `disassociate-vpc-${n}`,
  kind: 'disassociate-vpc',
  account: '111122223333',
  operation: 'DisassociateVPCFromHostedZone',
  target: 'Z0123456789ABCDEFGHIJ',
  params: { HostedZoneId: 'Z0123456789ABCDEFGHIJ', VPC: { VPCId: `vpc-${n}` } },
  phase,
});

const withEntries = (state: RunState, from: number, to: number): RunState => {
  let s = state;
  for (let n = from; n <= to; n++) s = appendJournal(s, entry(n));
  return s;
};

async function storeAt(path: string, fs = faultyFs({})) {
  return (await openStateStore(path, { command: 'apply', fs })).store;
}

/** A state file and journal written by a store, with `n` entries beyond the sample's one. */
async function written(n: number): Promise<{ dir: string; path: string; journal: string; state: RunState }> {
  const dir = tempDir();
  const path = join(dir, 'prod-cutover.state.json');
  const store = await storeAt(path);
  const state = withEntries(sampleState(path), 2, n + 1);
  await store.write(state);
  await store.close();
  return { dir, path, journal: join(dir, 'prod-cutover.journal.ndjson'), state };
}

async function refusedWith(path: string): Promise<StateFileCorruptError> {
  const journal = path.replace('.state.json', '.journal.ndjson');
  const journalBytes = () => (existsSync(journal) ? readFileSync(journal) : undefined);
  const before = { state: readFileSync(path), journal: journalBytes() };
  const error = await readStateFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateFileCorruptError);
  // The store refuses it the same way, and neither changes a byte.
  const store = await storeAt(path);
  await expect(store.read()).rejects.toBeInstanceOf(StateFileCorruptError);
  await store.close();
  expect(readFileSync(path).equals(before.state)).toBe(true);
  expect(journalBytes()).toEqual(before.journal);
  const e = error as StateFileCorruptError;
  expect([e.kind, e.exitCode]).toEqual(['journal', 2]);
  return e;
}

describe('the journal file', () => {
  it('a version 2 state file names its journal; the entries live there, one JSON line each, 0600', async () => {
    const { path, journal, state } = await written(3);
    const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({ schemaVersion: 4, journalLog: { file: 'prod-cutover.journal.ndjson', entries: 4 } });
    expect(file).not.toHaveProperty('journal');
    const lines = readFileSync(journal, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
    expect(statSync(journal).mode & 0o777).toBe(0o600);
    expect((await readStateFile(path))?.journal).toEqual(state.journal);
  });

  it('an intent is appended: the journal keeps every byte it had, and the state file is not rewritten', async () => {
    const { path, journal, state } = await written(3);
    const store = await storeAt(path);
    const read = (await store.read())!;
    expect(read.journal).toEqual(state.journal);
    const [stateBefore, journalBefore] = [readFileSync(path), readFileSync(journal)];
    let next = read;
    for (let n = 5; n <= 104; n++) {
      next = appendJournal(next, entry(n));
      await store.writeJournal(next);
    }
    const journalAfter = readFileSync(journal);
    expect(journalAfter.subarray(0, journalBefore.length).equals(journalBefore)).toBe(true);
    expect(readFileSync(path).equals(stateBefore)).toBe(true);
    expect((await store.read())?.journal.map((j) => j.seq)).toEqual(Array.from({ length: 104 }, (_, i) => i + 1));
    await store.close();
  });

  it('a line cut short by a kill mid-append is dropped on read, and cut off before the next append', async () => {
    const { path, journal } = await written(3);
    appendFileSync(journal, '{"seq":5,"at":"2025-06-01T22:0'); // the kill came mid-write
    expect((await readStateFile(path))?.journal.map((j) => j.seq)).toEqual([1, 2, 3, 4]);
    const store = await storeAt(path);
    const read = (await store.read())!;
    await store.writeJournal(appendJournal(read, entry(5, 'applied')));
    await store.close();
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[4]!)).toMatchObject({ seq: 5, phase: 'applied' });
  });

  it('an append that fails half-way (ENOSPC) → StateWriteError naming the journal; the next append starts from the last whole entry', async () => {
    let full = false;
    const base = faultyFs({});
    const fs = faultyFs({
      appendFileSynced: async (p, data, o) => {
        if (!full) return base.appendFileSynced(p, data, o);
        await base.appendFileSynced(p, data.subarray(0, data.length >> 1), o);
        throw errnoError('ENOSPC', 'write', p);
      },
    });
    const { path, journal } = await written(1);
    const store = await storeAt(path, fs);
    let state = (await store.read())!;
    full = true;
    state = appendJournal(appendJournal(state, entry(3)), entry(4));
    const error = await store.writeJournal(state).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateWriteError);
    expect((error as StateWriteError).message).toContain(`ENOSPC while appending to its journal ${journal}`);
    expect((error as StateWriteError).message).toContain('The disk is full: free some space and resume.');
    full = false;
    await store.writeJournal(appendJournal(state, entry(5)));
    expect((await store.read())?.journal.map((j) => j.seq)).toEqual([1, 2, 3, 4, 5]);
    await store.close();
  });

  it('a version 1 state file (journal inside) is read, and its first write makes it the current version (4) with the same entries', async () => {
    const dir = tempDir();
    const path = join(dir, 'prod-cutover.state.json');
    const v1 = withEntries(sampleState(path), 2, 6);
    writeFileSync(path, asVersion1(v1));
    const store = await storeAt(path);
    const read = (await store.read())!;
    expect(read.journal).toEqual(v1.journal);
    await store.writeJournal(appendJournal(read, entry(7)));
    await store.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ schemaVersion: 4, journalLog: { entries: 7 } });
    expect((await readStateFile(path))?.journal.map((j) => j.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('a version 2 state file (the previous release: no window controls) is read as it is, and its first write makes it the current version (4)', async () => {
    const { path } = await written(2);
    const v2 = { ...JSON.parse(readFileSync(path, 'utf8')), schemaVersion: 2 };
    writeFileSync(path, JSON.stringify(v2));
    const store = await storeAt(path);
    const read = (await store.read())!;
    expect(read.journal.map((j) => j.seq)).toEqual([1, 2, 3]);
    await store.write(appendJournal(read, entry(4)));
    await store.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ schemaVersion: 4, journalLog: { entries: 4 } });
  });

  it('a state file moved to another name reads the journal it names; its first write gives it a journal of its own, the old one untouched', async () => {
    const { dir, path, journal } = await written(2);
    const other = join(dir, 'copy.state.json');
    renameSync(path, other);
    const oldJournal = readFileSync(journal);
    const store = await storeAt(other);
    const read = (await store.read())!;
    expect(read.journal.map((j) => j.seq)).toEqual([1, 2, 3]);
    await store.writeJournal(appendJournal(read, entry(4)));
    await store.close();
    expect(readFileSync(journal).equals(oldJournal)).toBe(true);
    expect(JSON.parse(readFileSync(other, 'utf8'))).toMatchObject({ journalLog: { file: 'copy.journal.ndjson', entries: 4 } });
    expect(listDir(dir)).toContain('copy.journal.ndjson');
  });

  it('the journal missing → refused (exit 2), naming it and how many entries it should hold', async () => {
    const { path, journal } = await written(2);
    renameSync(journal, `${journal}.aside`);
    const e = await refusedWith(path);
    expect(e.message).toContain(`cannot be used: its journal ${journal} is missing (the state file says it holds 3 entries). Nothing was changed.`);
  });

  it('a damaged line before the last → refused, naming the line', async () => {
    const { path, journal } = await written(3);
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"phase":"intent"', '"phase":"done"');
    lines[2] = '{not json';
    writeFileSync(journal, lines.join('\n'));
    const e = await refusedWith(path);
    expect(e.problems).toEqual([`its journal ${journal} line 2: phase: Invalid option: expected one of "intent"|"applied"|"already-done"|"failed"`]);
  });

  it('fewer entries than the state file says were written (the journal cut or replaced) → refused', async () => {
    const { path, journal } = await written(3);
    const lines = readFileSync(journal, 'utf8').split('\n');
    writeFileSync(journal, `${lines.slice(0, 2).join('\n')}\n`);
    const e = await refusedWith(path);
    expect(e.problems).toEqual([`its journal ${journal} holds 2 entries, but the state file says 4 were written (the journal was cut or replaced)`]);
  });

  it('a gap in the sequence (an entry deleted by hand) → refused', async () => {
    const { path, journal } = await written(3);
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines.splice(1, 1);
    writeFileSync(journal, `${lines.join('\n')}${JSON.stringify({ ...JSON.parse(lines[0]!), seq: 5 })}\n`);
    const e = await refusedWith(path);
    expect(e.problems).toEqual([`its journal ${journal} line 2 has seq 3 after 1 (entries lost or reordered)`]);
  });

  it('a journal name with a path in it (hand-edited to point elsewhere) → refused by the schema', async () => {
    const { path } = await written(1);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { journalLog: { file: string } };
    file.journalLog.file = '../elsewhere.journal.ndjson';
    writeFileSync(path, JSON.stringify(file));
    const error = (await readStateFile(path).catch((e: unknown) => e)) as StateFileCorruptError;
    expect([error.kind, error.problems]).toEqual(['schema', ["journalLog.file: a file name in the state file's folder, without a path"]]);
  });

  it('a journal temp file left by a killed first write is swept when the store opens', async () => {
    const { dir, path } = await written(1);
    const temp = join(dir, 'prod-cutover.journal.ndjson.4242.0123456789ab.tmp');
    writeFileSync(temp, 'x');
    const { store, warnings } = await openStateStore(path, { command: 'resume' });
    await store.close();
    expect(listDir(dir)).not.toContain('prod-cutover.journal.ndjson.4242.0123456789ab.tmp');
    expect(warnings.join('\n')).toContain('prod-cutover.journal.ndjson.4242.0123456789ab.tmp');
  });
});
