// The resolution timeline of a run report: the probe evidence folded into, per (VPC, name) pair,
// a short list of segments "this class from t1 to t2". The compact evidence form already folds ok
// results into runs; here consecutive records of one class join into one segment as long as the
// silence between them is short, so a pair that stayed ok for an hour is one segment whatever the
// log's run length, and a reviewer's eye goes only to what changed. A silence longer than gapMs
// (a killed process, a probe loop that was not running between sessions) is left undrawn: the
// report never claims continuity the evidence does not prove.
import type { ProbeClass } from '../probes/classify.js';
import type { EvidenceRecord } from '../probes/read-evidence.js';

/** The order classes are numbered in a segment (the page's legend uses the same list). */
export const TIMELINE_CLASSES: readonly ProbeClass[] = ['ok', 'public', 'nxdomain', 'servfail', 'timeout', 'error', 'probe-error'];

/** Longest silence inside one segment when the probe interval is not known. */
export const DEFAULT_GAP_MS = 5_000;

/** Notes kept per non-ok segment (the first results' reasons and answers), so a bad hour stays small. */
const MAX_NOTE_CHARS = 160;

/**
 * One segment: [startMs, endMs, classIndex, results], times relative to the timeline's startMs.
 * A single result is a segment with startMs = endMs (the page draws it a few pixels wide).
 */
export type Segment = [number, number, number, number];

export interface Strip {
  name: string;
  segments: Segment[];
  /** For a non-ok segment (by its index): what the first of its results said. */
  notes: Record<number, string>;
  /** Results that were not ok. */
  nonOk: number;
}

export interface TimelineRow {
  vpcId: string;
  strips: Strip[];
  nonOk: number;
}

export interface Timeline {
  /** Epoch ms the segments' times are relative to. */
  startMs: number;
  endMs: number;
  gapMs: number;
  rows: TimelineRow[];
  results: number;
  nonOkResults: number;
}

interface OpenStrip {
  strip: Strip;
  /** A record came that begins before the last segment: the segments are sorted at the end. */
  unsorted: boolean;
}

/**
 * Folds evidence records (each pair's in time order, pairs interleaved, as readEvidence yields
 * them; or several such logs one after another, whose pairs' segments are then sorted) into
 * rows, one per VPC in first-seen order, each row's strips in one order of names. Memory is per
 * segment, never per result.
 */
export function buildTimeline(records: Iterable<EvidenceRecord>, opts: { gapMs?: number; startMs?: number; endMs?: number } = {}): Timeline {
  const gapMs = opts.gapMs ?? DEFAULT_GAP_MS;
  const rows = new Map<string, Map<string, OpenStrip>>();
  // Absolute times first (the start is known only at the end), made relative afterwards.
  let first = Infinity;
  let last = -Infinity;
  let results = 0;
  let nonOkResults = 0;
  for (const r of records) {
    let row = rows.get(r.vpcId);
    if (!row) rows.set(r.vpcId, (row = new Map()));
    let open = row.get(r.name);
    if (!open) row.set(r.name, (open = { strip: { name: r.name, segments: [], notes: {}, nonOk: 0 }, unsorted: false }));
    const cls = Math.max(0, TIMELINE_CLASSES.indexOf(r.class));
    const seg = open.strip.segments;
    const previous = seg[seg.length - 1];
    const earlier = !!previous && r.fromMs < previous[0];
    open.unsorted ||= earlier;
    if (previous && !earlier && cls === previous[2] && r.fromMs - previous[1] <= gapMs) {
      previous[1] = Math.max(previous[1], r.toMs);
      previous[3] += r.count;
    } else {
      seg.push([r.fromMs, r.toMs, cls, r.count]);
      if (cls !== 0) open.strip.notes[seg.length - 1] = noteOf(r);
    }
    results += r.count;
    if (cls !== 0) {
      nonOkResults += r.count;
      open.strip.nonOk += r.count;
    }
    first = Math.min(first, r.fromMs);
    last = Math.max(last, r.toMs);
  }
  const startMs = Math.floor(Math.min(opts.startMs ?? Infinity, first === Infinity ? (opts.endMs ?? 0) : first));
  const endMs = Math.ceil(Math.max(opts.endMs ?? -Infinity, last === -Infinity ? startMs : last));
  // Every row's strips in one order (the order names were first seen), so a strip's place names it.
  const nameOrder = new Map<string, number>();
  for (const strips of rows.values()) for (const name of strips.keys()) if (!nameOrder.has(name)) nameOrder.set(name, nameOrder.size);
  const out: TimelineRow[] = [];
  for (const [vpcId, strips] of rows) {
    for (const open of strips.values()) if (open.unsorted) sortSegments(open.strip, gapMs);
    const list = [...strips.values()].sort((a, b) => nameOrder.get(a.strip.name)! - nameOrder.get(b.strip.name)!).map(({ strip }) => ({
      ...strip,
      segments: strip.segments.map(([a, b, c, n]): Segment => [Math.round(a - startMs), Math.round(b - startMs), c, n]),
    }));
    out.push({ vpcId, strips: list, nonOk: list.reduce((n, s) => n + s.nonOk, 0) });
  }
  return { startMs, endMs, gapMs, rows: out, results, nonOkResults };
}

/**
 * Puts a strip's segments in time order and joins neighbours of one class again (the gap rule):
 * for evidence read from several logs, where a pair's records come log by log (a run resumed on
 * another machine, then back on the first), not in time order.
 */
function sortSegments(strip: Strip, gapMs: number): void {
  const noted = strip.segments.map((segment, i) => ({ segment, note: strip.notes[i] })).sort((a, b) => a.segment[0] - b.segment[0]);
  const segments: Segment[] = [];
  const notes: Record<number, string> = {};
  for (const { segment, note } of noted) {
    const last = segments[segments.length - 1];
    if (last && last[2] === segment[2] && segment[0] - last[1] <= gapMs) {
      last[1] = Math.max(last[1], segment[1]);
      last[3] += segment[3];
      continue;
    }
    segments.push([...segment]);
    if (note !== undefined) notes[segments.length - 1] = note;
  }
  strip.segments = segments;
  strip.notes = notes;
}

function noteOf(r: EvidenceRecord): string {
  const what = [r.reason ?? r.class, r.answers.length ? `answers ${r.answers.join(' ')}` : '', r.via ? `via ${r.via.instanceId}` : ''].filter(Boolean).join('; ');
  return what.length > MAX_NOTE_CHARS ? `${what.slice(0, MAX_NOTE_CHARS - 1)}…` : what;
}
