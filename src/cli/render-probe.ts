// Renders one round of `r53migrate probe` (it computes nothing): a table for people, JSON for
// scripts, and the frames of --watch. Pure: results and a few facts in, text out.
import type { ProbeClass } from '../probes/index.js';

export type VpcRole = 'shared' | 'spoke' | 'keeper';

/** One probed (VPC, name) pair, as the command prints it. */
export interface ProbeRow {
  vpcId: string;
  role?: VpcRole;
  name: string;
  probeName: string;
  class: ProbeClass;
  answers: string[];
  expected: string[];
  latencyMs: number;
  rcode?: string;
  reason?: string;
}

export interface ProbeSummary {
  pairs: number;
  ok: number;
  notOk: number;
  /** Not-ok pairs per class, for the summary line. */
  byClass: Partial<Record<ProbeClass, number>>;
}

// Plain code-unit order (not locale order): the same rows sort the same way on every machine.
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** By VPC id, then by name. */
export function sortRows(rows: readonly ProbeRow[]): ProbeRow[] {
  return [...rows].sort((a, b) => cmp(a.vpcId, b.vpcId) || cmp(a.name, b.name));
}

export function summarise(rows: readonly ProbeRow[]): ProbeSummary {
  const byClass: Partial<Record<ProbeClass, number>> = {};
  let ok = 0;
  for (const r of rows) {
    if (r.class === 'ok') ok++;
    else byClass[r.class] = (byClass[r.class] ?? 0) + 1;
  }
  return { pairs: rows.length, ok, notOk: rows.length - ok, byClass };
}

export function renderSummaryLine(s: ProbeSummary): string {
  const detail = Object.entries(s.byClass)
    .sort(([a], [b]) => cmp(a, b))
    .map(([cls, n]) => `${n} ${cls}`)
    .join(', ');
  return `${s.pairs} pairs, ${s.ok} ok, ${s.notOk} not ok${detail ? ` (${detail})` : ''}`;
}

function formatLatency(ms: number): string {
  return ms.toFixed(1);
}

/**
 * The table, sorted by VPC then name, then the summary line. A WHY column appears only when some
 * pair is not ok, so a healthy fleet prints a narrow table.
 */
export function renderProbeTable(rows: readonly ProbeRow[]): string {
  const sorted = sortRows(rows);
  const showWhy = sorted.some((r) => r.class !== 'ok');
  const header = ['VPC', 'NAME', 'CLASS', 'ANSWERS', 'MS', ...(showWhy ? ['WHY'] : [])];
  const body = sorted.map((r) => [
    r.role ? `${r.vpcId} (${r.role})` : r.vpcId,
    r.name,
    r.class,
    r.answers.length ? r.answers.join(',') : '-',
    formatLatency(r.latencyMs),
    ...(showWhy ? [r.class === 'ok' ? '' : (r.reason ?? '')] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const latencyColumn = 4;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === latencyColumn ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line), renderSummaryLine(summarise(sorted))].join('\n') + '\n';
}

/** The JSON form of one row: every field always present (null when absent), for stable scripts. */
export function rowJson(r: ProbeRow): Record<string, unknown> {
  return {
    vpcId: r.vpcId,
    role: r.role ?? null,
    name: r.name,
    probeName: r.probeName,
    class: r.class,
    answers: r.answers,
    expected: r.expected,
    latencyMs: r.latencyMs,
    rcode: r.rcode ?? null,
    reason: r.reason ?? null,
  };
}

/** `--json`: an array of results, sorted like the table. */
export function renderProbeJson(rows: readonly ProbeRow[]): string {
  return JSON.stringify(sortRows(rows).map(rowJson), null, 2) + '\n';
}

/** `--watch --json`: one line per round (NDJSON). */
export function renderProbeJsonLine(rows: readonly ProbeRow[], round: number, atMs: number): string {
  const s = summarise(rows);
  return JSON.stringify({ round, time: new Date(atMs).toISOString(), pairs: s.pairs, ok: s.ok, notOk: s.notOk, results: sortRows(rows).map(rowJson) }) + '\n';
}

/** Clear the screen and move the cursor home: a terminal redraws the table in place. */
export const CLEAR_SCREEN = '\x1b[2J\x1b[H';

export interface WatchFrame {
  round: number;
  atMs: number;
  intervalMs: number;
  /** Redraw in place (a terminal) or append with a timestamp line (a pipe, a file). */
  tty: boolean;
  planName: string;
}

/** One round of `--watch`. */
export function renderWatchFrame(rows: readonly ProbeRow[], f: WatchFrame): string {
  const at = new Date(f.atMs).toISOString();
  if (f.tty) {
    return `${CLEAR_SCREEN}r53migrate probe ${f.planName} — round ${f.round} at ${at}, every ${f.intervalMs} ms (Ctrl-C stops)\n\n${renderProbeTable(rows)}`;
  }
  return `--- ${at} round ${f.round} ---\n${renderProbeTable(rows)}`;
}
