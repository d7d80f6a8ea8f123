// The journal tail of an S3 checkpoint: the entries written since the checkpoint, each write an
// object of its own. Rewriting the checkpoint (the state and its whole journal) for every API
// call's intent made each intent cost the whole journal: at 6,000 entries (path A, 300 VPCs) a
// write took 38 ms of CPU and the run uploaded 7.4 GB. An intent now costs one PutObject of its own
// few hundred bytes, whatever the journal's length.
//
// A segment's key names its first and last seq, under the tail id the checkpoint names:
// `<state key>.journal/<id>/<first>-<last>.ndjson`, created with If-None-Match: *, so two writers
// can never both write the same entries. Readers take the checkpoint's journal, then the segments
// after its last entry, which must follow on seq by seq: a gap is damage, refused like a damaged
// checkpoint. Segments the checkpoint already holds are skipped unread.
import { randomBytes } from 'node:crypto';
import { StateFileCorruptError } from './errors.js';
import { describeIssues } from './issues.js';
import { journalLines } from './journal-file.js';
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

export const newTailId = (): string => randomBytes(8).toString('hex');

export const tailPrefixOf = (stateKey: string, id: string): string => `${stateKey}.journal/${id}/`;

export function segmentKeyOf(stateKey: string, id: string, first: number, last: number): string {
  const pad = (n: number) => String(n).padStart(SEQ_DIGITS, '0');
  return `${tailPrefixOf(stateKey, id)}${pad(first)}-${pad(last)}.ndjson`;
}

/** The segment a key names, or undefined for a key that is not one (left alone). */
export function segmentOf(prefix: string, key: string): TailSegment | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const m = /^(\d+)-(\d+)\.ndjson$/.exec(key.slice(prefix.length));
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  return last >= first ? { key, first, last } : undefined;
}

/** The bytes of a segment holding `entries` (NDJSON, as the file store's journal). */
export const segmentBody = (entries: readonly JournalEntry[]): Buffer => journalLines(entries);

export interface TailRead {
  /** The entries after `afterSeq`, in order. */
  entries: JournalEntry[];
  /** Every segment under the tail's prefix, read or not (what a later fold may delete). */
  segments: TailSegment[];
}

/**
 * Reads the tail `id` of the checkpoint at `stateKey`: the entries after seq `afterSeq` (the
 * checkpoint's last). `uri` and `prevUri` are for the damaged-checkpoint error.
 */
export async function readTail(objects: ObjectStore, stateKey: string, id: string, afterSeq: number, uri: string, prevUri?: string): Promise<TailRead> {
  const damaged = (problem: string, cause?: unknown) => new StateFileCorruptError(uri, 'journal', [problem], prevUri, { cause });
  const prefix = tailPrefixOf(stateKey, id);
  const segments = (await objects.list(prefix))
    .flatMap((k) => segmentOf(prefix, k) ?? [])
    .sort((a, b) => a.first - b.first);
  const wanted = segments.filter((s) => s.last > afterSeq);
  const bodies: Buffer[] = new Array(wanted.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < wanted.length; i = next++) {
      const found = await objects.get(wanted[i]!.key);
      if (!found) throw damaged(`its journal segment ${objects.uriOf(wanted[i]!.key)} was listed but is gone (deleted while being read?)`);
      bodies[i] = found.body;
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, wanted.length) }, worker));
  const entries: JournalEntry[] = [];
  let lastSeq = afterSeq;
  for (const [i, segment] of wanted.entries()) {
    const where = objects.uriOf(segment.key);
    if (segment.first > lastSeq + 1) throw damaged(`its journal continues at seq ${segment.first} (${where}) after seq ${lastSeq}: entries in between are lost (segments deleted by hand?)`);
    const lines = parseSegment(bodies[i]!, where, damaged);
    if (lines.length !== segment.last - segment.first + 1 || lines.some((e, j) => e.seq !== segment.first + j)) {
      throw damaged(`its journal segment ${where} does not hold entries ${segment.first} to ${segment.last}, as its name says`);
    }
    for (const e of lines) if (e.seq > lastSeq) entries.push(e);
    lastSeq = Math.max(lastSeq, segment.last);
  }
  return { entries, segments };
}

function parseSegment(body: Buffer, where: string, damaged: (problem: string, cause?: unknown) => StateFileCorruptError): JournalEntry[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (error) {
    throw damaged(`its journal segment ${where} is not UTF-8 text`, error);
  }
  if (!text.endsWith('\n')) throw damaged(`its journal segment ${where} does not end with a whole entry (S3 writes an object whole: it was replaced by hand)`);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw damaged(`its journal segment ${where} line ${i + 1} is not a JSON entry`);
      }
      const parsed = JournalEntry.safeParse(json);
      if (!parsed.success) throw damaged(`its journal segment ${where} line ${i + 1}: ${describeIssues(parsed.error.issues, 3).join('; ')}`);
      return parsed.data;
    });
}
