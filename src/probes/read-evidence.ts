// Reading a probe log, whichever version wrote it: format 1 (a line per result, no header) and
// format 2 (see evidence-log.ts: a header per open, non-ok results in full, ok results as runs)
// come out as one shape, an EvidenceRecord, so the summary and the tests count and check the
// evidence without caring how it was folded. The file is read in chunks: a format-1 log of a long
// run is larger than a JavaScript string can hold.
import { closeSync, openSync, readSync } from 'node:fs';
import type { ProbeClass } from './classify.js';
import { PROBE_LOG_FORMAT } from './evidence-log.js';
import { pairKey } from './targets.js';

/** One result (count 1, fromMs = toMs) or one run of ok results, with what the line said. */
export interface EvidenceRecord {
  kind: 'result' | 'ok-run';
  vpcId: string;
  name: string;
  /** What was asked (differs from name for a wildcard name). */
  probeName: string;
  class: ProbeClass;
  answers: string[];
  /** Epoch ms of the first and last result in the record. */
  fromMs: number;
  toMs: number;
  /** Results the record stands for. */
  count: number;
  rcode?: string;
  /** Why, for a result that is not ok. */
  reason?: string;
  /** A result's latency; a run's highest. */
  maxLatencyMs: number;
  /** A result's send time (runs don't keep it). */
  startedMs?: number;
  /** Probed through SSM: the instance, and the command(s) that asked. */
  via?: { kind: 'ssm'; instanceId: string; commandIds: string[] };
}

const PROBE_CLASSES: readonly ProbeClass[] = ['ok', 'public', 'nxdomain', 'servfail', 'timeout', 'error', 'probe-error'];
const KNOWN_FORMATS = new Set([PROBE_LOG_FORMAT]);
const CHUNK_BYTES = 1 << 20;

/** Every record of the log at `path`, in file order (each pair's records are in time order). */
export function* readEvidence(path: string): Generator<EvidenceRecord> {
  let lineNo = 0;
  // A process killed in the middle of a write leaves a torn line: last in the file, or followed by
  // the header the next open writes (NdjsonLog starts it on a line of its own). The results in it
  // were never fully recorded; everything else still stands. A bad line anywhere else is an error.
  let torn: string | undefined;
  for (const line of linesOf(path)) {
    lineNo++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      if (torn) throw new Error(torn);
      torn = `${path}:${lineNo}: not JSON (${(e as Error).message})`;
      continue;
    }
    if (torn && !isHeader(parsed)) throw new Error(torn);
    torn = undefined;
    const record = evidenceRecordOf(parsed, `${path}:${lineNo}`);
    if (record) yield record;
  }
}

function isHeader(line: unknown): boolean {
  return typeof line === 'object' && line !== null && (line as { kind?: unknown }).kind === 'format';
}

/** The records among lines already parsed (a MemoryLog's, or a test's). */
export function* evidenceRecords(lines: Iterable<object>): Generator<EvidenceRecord> {
  let i = 0;
  for (const line of lines) {
    const record = evidenceRecordOf(line, `line ${++i}`);
    if (record) yield record;
  }
}

/** One parsed line as a record; undefined for a header. Throws on a line it cannot vouch for. */
export function evidenceRecordOf(line: unknown, where = 'probe log'): EvidenceRecord | undefined {
  if (typeof line !== 'object' || line === null) throw new Error(`${where}: not a JSON object`);
  const l = line as Record<string, unknown>;
  if (l.kind === 'format') {
    if (typeof l.format !== 'string' || !KNOWN_FORMATS.has(l.format)) {
      throw new Error(`${where}: probe log format ${JSON.stringify(l.format)} is not one this version reads (${[...KNOWN_FORMATS].join(', ')}); a newer r53migrate wrote it`);
    }
    return undefined;
  }
  if (l.kind === 'ok-run') {
    const count = num(l, 'count', where);
    if (!Number.isInteger(count) || count < 1) throw new Error(`${where}: count must be a positive integer`);
    const fromMs = num(l, 'fromMs', where);
    const toMs = num(l, 'toMs', where);
    if (toMs < fromMs) throw new Error(`${where}: toMs before fromMs`);
    const commandIds = l.commandIds === undefined ? [] : strings(l, 'commandIds', where);
    return {
      kind: 'ok-run',
      ...pairOf(l, where),
      class: 'ok',
      answers: strings(l, 'answers', where),
      fromMs,
      toMs,
      count,
      ...(typeof l.rcode === 'string' ? { rcode: l.rcode } : {}),
      maxLatencyMs: num(l, 'maxLatencyMs', where),
      ...viaOf(l, commandIds, where),
    };
  }
  if (l.kind !== undefined) throw new Error(`${where}: unknown line kind ${JSON.stringify(l.kind)}; a newer r53migrate wrote it`);
  const cls = l.class;
  if (typeof cls !== 'string' || !(PROBE_CLASSES as readonly string[]).includes(cls)) throw new Error(`${where}: unknown class ${JSON.stringify(cls)}`);
  const epochMs = num(l, 'epochMs', where);
  return {
    kind: 'result',
    ...pairOf(l, where),
    class: cls as ProbeClass,
    answers: strings(l, 'answers', where),
    fromMs: epochMs,
    toMs: epochMs,
    count: 1,
    ...(typeof l.rcode === 'string' ? { rcode: l.rcode } : {}),
    ...(typeof l.reason === 'string' ? { reason: l.reason } : {}),
    maxLatencyMs: num(l, 'latencyMs', where),
    ...(typeof l.startedMs === 'number' ? { startedMs: l.startedMs } : {}),
    ...viaOf(l, typeof l.commandId === 'string' ? [l.commandId] : [], where),
  };
}

export interface PairEvidence {
  vpcId: string;
  name: string;
  /** Results recorded for the pair, all classes. */
  results: number;
  byClass: Partial<Record<ProbeClass, number>>;
  firstMs: number;
  lastMs: number;
}

/** Results per pair and class, and the span each pair's evidence covers. */
export function countByPair(records: Iterable<EvidenceRecord>): Map<string, PairEvidence> {
  const out = new Map<string, PairEvidence>();
  for (const r of records) {
    const key = pairKey(r);
    let p = out.get(key);
    if (!p) out.set(key, (p = { vpcId: r.vpcId, name: r.name, results: 0, byClass: {}, firstMs: r.fromMs, lastMs: r.toMs }));
    p.results += r.count;
    p.byClass[r.class] = (p.byClass[r.class] ?? 0) + r.count;
    if (r.fromMs < p.firstMs) p.firstMs = r.fromMs;
    if (r.toMs > p.lastMs) p.lastMs = r.toMs;
  }
  return out;
}

/** Results in the records, by class (a run counts for every result it folds). */
export function countByClass(records: Iterable<EvidenceRecord>): Partial<Record<ProbeClass, number>> & { total: number } {
  const out: Partial<Record<ProbeClass, number>> & { total: number } = { total: 0 };
  for (const r of records) {
    out.total += r.count;
    out[r.class] = (out[r.class] ?? 0) + r.count;
  }
  return out;
}

export interface EvidenceHole {
  vpcId: string;
  name: string;
  /** The last evidence before the hole, and the first after it (epoch ms). */
  afterMs: number;
  beforeMs: number;
}

/**
 * Where a pair's evidence stops for longer than maxGapMs: between the `toMs` of one record and the
 * `fromMs` of the next. With okOnly, only ok results count as evidence, so a hole is also any
 * stretch longer than maxGapMs without an ok answer. Holes before a pair's first record or after
 * its last are not seen here: compare PairEvidence.firstMs / lastMs with the run's span for those.
 */
export function evidenceHoles(records: Iterable<EvidenceRecord>, maxGapMs: number, opts: { okOnly?: boolean } = {}): EvidenceHole[] {
  const spans = new Map<string, { vpcId: string; name: string; fromMs: number; toMs: number }[]>();
  for (const r of records) {
    if (opts.okOnly && r.class !== 'ok') continue;
    const key = pairKey(r);
    let list = spans.get(key);
    if (!list) spans.set(key, (list = []));
    list.push({ vpcId: r.vpcId, name: r.name, fromMs: r.fromMs, toMs: r.toMs });
  }
  const holes: EvidenceHole[] = [];
  for (const list of spans.values()) {
    list.sort((a, b) => a.fromMs - b.fromMs);
    let reached = list[0]!.toMs;
    for (const s of list.slice(1)) {
      if (s.fromMs - reached > maxGapMs) holes.push({ vpcId: s.vpcId, name: s.name, afterMs: reached, beforeMs: s.fromMs });
      if (s.toMs > reached) reached = s.toMs;
    }
  }
  return holes;
}

/** The file's non-blank lines. */
/** The non-empty lines of a file, read in chunks (a long run's logs are larger than one string can hold). */
export function* linesOf(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    // Bytes, not a string, are carried between chunks: a chunk may end inside a UTF-8 character.
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        const line = data.toString('utf8', start, nl);
        start = nl + 1;
        if (line.trim()) yield line;
      }
      carry = Buffer.from(data.subarray(start));
    }
    const rest = carry.toString('utf8');
    if (rest.trim()) yield rest;
  } finally {
    closeSync(fd);
  }
}

function pairOf(l: Record<string, unknown>, where: string): { vpcId: string; name: string; probeName: string } {
  const vpcId = str(l, 'vpc', where);
  const name = str(l, 'name', where);
  return { vpcId, name, probeName: typeof l.probeName === 'string' ? l.probeName : name };
}

function viaOf(l: Record<string, unknown>, commandIds: string[], where: string): { via?: EvidenceRecord['via'] } {
  if (l.via === undefined) return {};
  if (l.via !== 'ssm') throw new Error(`${where}: unknown via ${JSON.stringify(l.via)}`);
  return { via: { kind: 'ssm', instanceId: str(l, 'instance', where), commandIds } };
}

function str(l: Record<string, unknown>, key: string, where: string): string {
  const v = l[key];
  if (typeof v !== 'string') throw new Error(`${where}: ${key} must be a string`);
  return v;
}

function num(l: Record<string, unknown>, key: string, where: string): number {
  const v = l[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: ${key} must be a number`);
  return v;
}

function strings(l: Record<string, unknown>, key: string, where: string): string[] {
  const v = l[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${where}: ${key} must be a list of strings`);
  return v as string[];
}
