// The reliability tables (issue 6): each suite records one row per point, fault or bad input it
// tried; the closing-line reporter prints the tables just before CI's closing line. Rows travel
// through files because suites run in worker processes and the reporter in the main one.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../.reliability/', import.meta.url));
/**
 * One folder per vitest run, so two runs side by side do not mix their rows: named after the
 * vitest main process, which is the reporter's own pid and the parent of every test worker
 * (the pool is 'forks', see vitest.config.ts).
 */
const runDir = (mainPid: number) => join(ROOT, String(mainPid));

export type Table = 'crash matrix' | 'faults' | 'bad inputs';

export interface ReliabilityRow {
  table: Table;
  /** The group the row is counted in (e.g. "path A, killed before apply"). */
  group: string;
  /** What was tried (e.g. "#7 ModifyVpcEndpoint"). */
  name: string;
  passed: boolean;
  /** How it ended, in a few words (e.g. "halted at step 5, resumed"). */
  outcome?: string;
}

export function recordRow(row: ReliabilityRow): void {
  const dir = runDir(process.ppid);
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${process.pid}.ndjson`), `${JSON.stringify(row)}\n`);
}

const unsettled = new Set<(passed: boolean, outcome?: string) => void>();

/**
 * Tracks one row: it counts as failed unless `pass()` is called. A row whose test throws (an
 * assertion, a timeout) is recorded as failed by `settleUnfinishedRows()` in the file's afterAll
 * (not by a per-test hook: in concurrent tests the global hooks do not know which test is theirs).
 */
export function trackRow(table: Table, group: string, name: string): { pass(outcome?: string): void; fail(outcome?: string): void } {
  const settle = (passed: boolean, outcome?: string) => {
    if (!unsettled.delete(settle)) return;
    recordRow({ table, group, name, passed, ...(outcome ? { outcome } : {}) });
  };
  unsettled.add(settle);
  return { pass: (o) => settle(true, o), fail: (o) => settle(false, o) };
}

/** Records every row still open as failed (call from afterAll). */
export function settleUnfinishedRows(): void {
  for (const settle of [...unsettled]) settle(false, 'its test did not finish');
}

/** Called by the reporter (in vitest's main process) before and after the run. */
export function clearRows(): void {
  rmSync(runDir(process.pid), { recursive: true, force: true });
}

export function readRows(): ReliabilityRow[] {
  const dir = runDir(process.pid);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as ReliabilityRow);
}

const TABLES: Table[] = ['crash matrix', 'faults', 'bad inputs'];

/** The tables as text: per table, one line per group (tried, passed) and the rows that failed. */
export function renderTables(rows: ReliabilityRow[]): string {
  const out: string[] = [];
  for (const table of TABLES) {
    const mine = rows.filter((r) => r.table === table);
    if (mine.length === 0) continue;
    const groups = [...new Set(mine.map((r) => r.group))].sort();
    const width = Math.max(28, ...groups.map((g) => g.length + 2));
    out.push('', `${table.padEnd(width)} tried  passed`);
    const line = (label: string, rs: ReliabilityRow[]) =>
      `  ${label.padEnd(width - 2)} ${String(rs.length).padStart(5)} ${String(rs.filter((r) => r.passed).length).padStart(7)}`;
    for (const g of groups) out.push(line(g, mine.filter((r) => r.group === g)));
    if (groups.length > 1) out.push(line('all', mine));
    for (const r of mine.filter((x) => !x.passed)) out.push(`  FAILED ${r.group}: ${r.name}${r.outcome ? ` (${r.outcome})` : ''}`);
  }
  return out.join('\n');
}
