// The journal tail of an S3 checkpoint: the entries written since the checkpoint, each write an
// object of its own. Rewriting the checkpoint (the state and its whole journal) for every API
// call's intent made each intent cost the whole journal: at 6,000 entries (path A, 300 VPCs) a
// write took 38 ms of CPU and the run uploaded 7.4 GB. An intent now costs one PutObject of its own
// few hundred bytes, whatever the journal's length.
//
// A segment's key names its first seq, under the tail id the checkpoint names:
// `<state key>.journal/<id>/<first>.ndjson`, created with If-None-Match: *. Each write goes on from
// the seq before it, so two writers that go on from the same point (a run that lost its lock and
// the one that took it over) collide on the key, and the second is refused. Readers take the
// checkpoint's journal, then the segments after its last entry, which must follow on seq by seq:
// a gap or an overlap is damage, refused like a damaged checkpoint. Segments the checkpoint
// already holds (those the next one starts at or before its end) are skipped unread.
import { randomBytes } from 'node:crypto';
import { StateFileCorruptError } from './errors.js';
import { parseJournalLines } from './journal-file.js';
import type { ObjectStore } from './object-store.js';
import { JournalEntry } from './schema.js';

export interface TailSegment {
  key: string;
  first: number;
  last: number;
}

/** Segments read at once when a tail is read (a resume after a kill reads at most a fold's worth). */
const READ_CONCURRENCY = 16;

const SEQ_DIGITS = 10;

/** Runs `work` on every item, at most `n` at once; rejects with the first failure once all have ended. */
export async function forEachAtMost<T>(items: readonly T[], n: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

export const newTailId = (): string => randomBytes(8).toString('hex');

export const tailPrefixOf = (stateKey: string, id: string): string => `${stateKey}.journal/${id}/`;

export function segmentKeyOf(stateKey: string, id: string, first: number): string {
  return `${tailPrefixOf(stateKey, id)}${String(first).padStart(SEQ_DIGITS, '0')}.ndjson`;
}

/** The first seq a key names, or undefined for a key that is not a segment (left alone). */
export function segmentFirst(prefix: string, key: string): number | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const m = /^(\d+)\.ndjson$/.exec(key.slice(prefix.length));
  return m ? Number(m[1]) : undefined;
}

export interface TailRead {
  /** The entries after `afterSeq`, in order. */
  entries: JournalEntry[];
  /** Every segment under the tail's prefix, read or not (what a later checkpoint may delete). */
  segments: TailSegment[];
}

/**
 * Reads the tail `id` of the checkpoint at `stateKey`: the entries after seq `afterSeq` (the
 * checkpoint's last). `uri` is for the damaged-checkpoint error.
 */
export async function readTail(objects: ObjectStore, stateKey: string, id: string, afterSeq: number, uri: string): Promise<TailRead> {
  const damaged = (problem: string, cause?: unknown) => new StateFileCorruptError(uri, 'journal', [problem], undefined, { cause });
  const prefix = tailPrefixOf(stateKey, id);
  const firsts = (await objects.list(prefix))
    .flatMap((k) => segmentFirst(prefix, k) ?? [])
    .sort((a, b) => a - b);
  // A segment ends where the next begins; the checkpoint holds those whose next begins at or before its end.
  const wanted = firsts.filter((first, i) => i === firsts.length - 1 || firsts[i + 1]! - 1 > afterSeq);
  const bodies: Buffer[] = new Array(wanted.length);
  await forEachAtMost(wanted, READ_CONCURRENCY, async (first, i) => {
    const key = segmentKeyOf(stateKey, id, first);
    const found = await objects.get(key);
    if (!found) throw damaged(`its journal segment ${objects.uriOf(key)} was listed but is gone (deleted while being read?)`);
    bodies[i] = found.body;
  });
  const segments: TailSegment[] = firsts.map((first, i) => ({ key: segmentKeyOf(stateKey, id, first), first, last: (firsts[i + 1] ?? Infinity) - 1 }));
  const entries: JournalEntry[] = [];
  let expected = afterSeq + 1;
  for (const [i, first] of wanted.entries()) {
    const where = objects.uriOf(segmentKeyOf(stateKey, id, first));
    const lines = parseSegment(bodies[i]!, where, damaged);
    const last = first + lines.length - 1;
    if (lines.some((e, j) => e.seq !== first + j)) throw damaged(`its journal segment ${where} does not hold entries ${first} to ${last} in order, as its name says it starts`);
    segments.find((x) => x.first === first)!.last = last;
    if (last < expected) continue; // all of it in the checkpoint already
    if (first > expected) throw damaged(`its journal continues at seq ${first} (${where}) after seq ${expected - 1}: entries in between are lost (segments deleted by hand?)`);
    // A segment begins after the checkpoint's end or after the segment before it, never inside one.
    if (first < expected && expected - 1 > afterSeq) throw damaged(`its journal segment ${where} starts at seq ${first}, inside entries already read (up to ${expected - 1}): two writers went on from the same point`);
    entries.push(...lines.filter((e) => e.seq >= expected));
    expected = last + 1;
  }
  return { entries, segments };
}

function parseSegment(body: Buffer, where: string, damaged: (problem: string, cause?: unknown) => StateFileCorruptError): JournalEntry[] {
  if (body[body.length - 1] !== 0x0a) {
    throw damaged(`its journal segment ${where} does not end with a whole entry (S3 writes an object whole: it was replaced by hand)`);
  }
  return parseJournalLines(body, (problem, cause) => damaged(`its journal segment ${where} ${problem}`, cause));
}
