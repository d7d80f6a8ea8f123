// Building a run report from the files a run leaves beside its state file: the one place the
// report touches the disk. Reading takes no lock and changes nothing, so a report of a running
// run is safe to make; a part that cannot be read (a lost log, a moved backup) is said in the
// report instead of failing it: a reviewer should see what is missing.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { readBackup } from '../aws/backup.js';
import { loadPlan } from '../plan/load.js';
import { linesOf, readEvidence } from '../probes/read-evidence.js';
import { backupDirFor, fetchBeside, localStatePath, logPathFor, probeLogPathFor, readStateFile, reportPathFor } from '../state/index.js';
import { writeFileAtomic } from '../state/fs.js';
import type { RunState } from '../state/schema.js';
import { renderReportHtml } from './html.js';
import { buildReportModel, type BackupInfo, type LogLine, type ReportModel } from './model.js';
import { buildTimeline, DEFAULT_GAP_MS, type Timeline } from './timeline.js';

/** No state file where the report was asked for. */
export class NoRunToReportError extends Error {
  readonly code = 'NO_STATE';
  readonly exitCode = 2;
  constructor(readonly statePath: string) {
    super(`no state file at ${statePath}: no run has started there (give the state file with --state, or the plan)`);
    this.name = 'NoRunToReportError';
  }
}

export interface ReportOptions {
  statePath: string;
  /** Where to write it (default: beside the state file, <name>.report.html). */
  out?: string;
  toolVersion: string;
  now?: () => number;
}

export interface WrittenReport {
  path: string;
  bytes: number;
  model: ReportModel;
}

/** Builds the report of the run at `statePath` and writes it atomically. */
export async function writeRunReport(opts: ReportOptions): Promise<WrittenReport> {
  const model = await reportModelFor(opts);
  const html = renderReportHtml(model);
  const path = opts.out ?? reportPathFor(opts.statePath);
  await writeFileAtomic(path, html);
  return { path, bytes: Buffer.byteLength(html), model };
}

export async function reportModelFor(opts: ReportOptions): Promise<ReportModel> {
  const state = await readStateFile(opts.statePath);
  if (!state) throw new NoRunToReportError(opts.statePath);
  // The folder the run's own files are in: beside a state file, or the local mirror of an S3 prefix.
  const local = localStatePath(opts.statePath);
  let plan;
  let planProblem: string | undefined;
  // The run recorded the plan's path as it was given, relative to the folder it ran in: the
  // default state folder sits in that folder, so its parent is the likeliest place.
  const planFile = [state.plan.file, join(dirname(local), '..', state.plan.file), join(dirname(local), state.plan.file)].find(
    (p) => isAbsolute(state.plan.file) ? p === state.plan.file : existsSync(p),
  );
  try {
    plan = (await loadPlan(planFile ?? state.plan.file)).plan;
  } catch (e) {
    planProblem = `the plan file ${state.plan.file} could not be read (${oneLine(e)}): accounts and VPC roles are not shown`;
  }
  const { lines: log, problem: logProblem } = readLog(logPathFor(opts.statePath));
  const { timeline, problem: evidenceProblem } = readTimeline(state, opts.statePath, plan?.probes.intervalMs);
  return buildReportModel({
    statePath: opts.statePath,
    state,
    ...(plan ? { plan } : {}),
    ...(planProblem ? { planProblem } : {}),
    log,
    ...(logProblem ? { logProblem } : {}),
    timeline,
    ...(evidenceProblem ? { evidenceProblem } : {}),
    backups: await backupsOf(state, opts.statePath),
    generatedAt: new Date((opts.now ?? Date.now)()).toISOString(),
    toolVersion: opts.toolVersion,
  });
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];
const oneLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n').map((l) => l.trim()).filter(Boolean).join(' ');

/**
 * A path the run wrote relative to the folder it ran in: as written when that still finds it,
 * else beside the state file (a report made from another folder, or of a copied run folder).
 */
function located(recorded: string, besideState: string): string {
  if (isAbsolute(recorded) || existsSync(recorded)) return recorded;
  return existsSync(besideState) ? besideState : recorded;
}

/** The log lines the report reads (progress and session events); the AWS call lines are skipped unparsed. */
function readLog(path: string): { lines: LogLine[]; problem?: string } {
  if (!existsSync(path)) return { lines: [], problem: `the run's log ${path} was not found: sessions, batches and gate verdicts are not shown` };
  const lines: LogLine[] = [];
  let bad = 0;
  try {
    for (const text of linesOf(path)) {
      // Most lines are AWS calls; the report needs only the progress events.
      if (!text.includes('"progress"')) continue;
      try {
        const l = JSON.parse(text) as { time?: unknown; msg?: unknown; event?: unknown };
        if (typeof l.time === 'number' && l.msg === 'progress' && typeof l.event === 'object' && l.event) lines.push({ time: l.time, msg: l.msg, event: l.event as LogLine['event'] });
      } catch {
        bad++; // a line torn by a kill: the rest of the log still stands
      }
    }
  } catch (e) {
    return { lines, problem: `the run's log ${path} could not be read (${firstLine(e)})` };
  }
  return { lines, ...(bad > 1 ? { problem: `${bad} lines of the run's log ${path} are not JSON (skipped)` } : {}) };
}

function readTimeline(state: RunState, statePath: string, intervalMs: number | undefined): { timeline: Timeline; problem?: string } {
  const path = located(state.probeLog, probeLogPathFor(statePath));
  // A pair probed every interval is continuous while its results are at most a few intervals apart.
  const gapMs = Math.max(DEFAULT_GAP_MS, 3 * (intervalMs ?? 0));
  const span = { startMs: Date.parse(state.createdAt), endMs: Date.parse(state.updatedAt), gapMs };
  if (!existsSync(path)) return { timeline: buildTimeline([], span), problem: `the probe log ${path} was not found: the resolution timeline is empty` };
  try {
    return { timeline: buildTimeline(readEvidence(path), span) };
  } catch (e) {
    return { timeline: buildTimeline([], span), problem: `the probe log ${path} could not be read (${firstLine(e)}): the resolution timeline is empty` };
  }
}

async function backupsOf(state: RunState, statePath: string): Promise<BackupInfo[]> {
  // Backups another machine made for an S3 state are read from the local mirror once fetched.
  const dir = backupDirFor(statePath, state.plan.name);
  const fetched = state.backups.length ? await fetchBeside(statePath, dir).then(() => undefined, (e: unknown) => firstLine(e)) : undefined;
  return Promise.all(
    state.backups.map(async (b) => {
      const json = located(b.json, join(dir, basename(b.json)));
      const info: BackupInfo = { zoneId: b.zoneId, json: b.json, bind: b.bind, verifiedAt: b.verifiedAt };
      try {
        const loaded = await readBackup(json);
        return { ...info, zoneName: loaded.zoneName, records: loaded.resourceRecordSets.length };
      } catch (e) {
        return { ...info, problem: `cannot be read back now: ${firstLine(e)}${fetched ? ` (fetching the backups from S3 failed: ${fetched})` : ''}` };
      }
    }),
  );
}
