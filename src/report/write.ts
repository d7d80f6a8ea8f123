// Building a run report from the files a run leaves beside its state file: the one place the
// report touches the disk. Reading takes no lock and changes nothing, so a report of a running
// run is safe to make; a part that cannot be read (a lost log, a moved backup) is said in the
// report instead of failing it: a reviewer should see what is missing.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { readBackup } from '../aws/backup.js';
import { loadPlan } from '../plan/load.js';
import { linesOf, readEvidence } from '../probes/read-evidence.js';
import { backupDirFor, fetchBeside, isS3Location, keepBeside, localStatePath, logPathFor, logSummaryDirFor, probeLogPathFor, readStateFile, reportPathFor } from '../state/index.js';
import { evidenceOfOthers, machineTag } from '../state/evidence-copies.js';
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
  const { lines: log, problem: logProblem } = readLogs(logPathFor(opts.statePath), await logSummaries(opts.statePath));
  const { timeline, problem: evidenceProblem, from: evidenceFrom } = await readTimeline(state, opts.statePath, plan?.probes.intervalMs);
  return buildReportModel({
    statePath: opts.statePath,
    state,
    ...(plan ? { plan } : {}),
    ...(planProblem ? { planProblem } : {}),
    log,
    ...(logProblem ? { logProblem } : {}),
    timeline,
    ...(evidenceProblem ? { evidenceProblem } : {}),
    evidenceFrom,
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

/** Whether a line of the run's log is one the report reads (a progress event): the log summary's lines. */
const isProgressLine = (text: string) => text.includes('"progress"');

/**
 * Keeps this machine's log summary beside an S3 state (its progress lines, all a report reads), so
 * a report made on another machine shows this machine's sessions too. Nothing to do for a local state.
 */
export async function keepLogSummary(statePath: string): Promise<void> {
  if (!isS3Location(statePath)) return;
  const log = logPathFor(statePath);
  if (!existsSync(log)) return;
  const lines = [...linesOf(log)].filter(isProgressLine);
  // One file per machine and folder the run was resumed from: another's never overwrites it.
  const file = join(logSummaryDirFor(statePath), `${machineTag()}.ndjson`);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, lines.map((l) => `${l}\n`).join(''));
  await keepBeside(statePath, [file]);
}

/** The log summaries of every machine that ran an S3 state's sessions, fetched into the local mirror. */
async function logSummaries(statePath: string): Promise<string[]> {
  if (!isS3Location(statePath)) return [];
  const dir = logSummaryDirFor(statePath);
  await fetchBeside(statePath, dir, { refresh: true }).catch(() => undefined);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ndjson')).map((f) => join(dir, f)) : [];
}

/**
 * The log lines the report reads (progress and session events) from this machine's log and the
 * log summaries of others: a line of one file found again in a later one counted once, all in time order. The AWS
 * call lines are skipped unparsed.
 */
function readLogs(path: string, summaries: string[]): { lines: LogLine[]; problem?: string } {
  const files = [path, ...summaries].filter((p) => existsSync(p));
  if (!files.length) return { lines: [], problem: `the run's log ${path} was not found: sessions, batches and gate verdicts are not shown` };
  const lines: LogLine[] = [];
  const seen = new Set<string>();
  let bad = 0;
  for (const file of files) {
    // A line an earlier file had (this machine's own summary) is skipped; a file's own lines all count.
    const earlier = new Set(seen);
    try {
      for (const text of linesOf(file)) {
        // Most lines are AWS calls; the report needs only the progress events.
        if (!isProgressLine(text) || earlier.has(text)) continue;
        if (summaries.length) seen.add(text);
        try {
          const l = JSON.parse(text) as { time?: unknown; msg?: unknown; event?: unknown };
          if (typeof l.time === 'number' && l.msg === 'progress' && typeof l.event === 'object' && l.event) lines.push({ time: l.time, msg: l.msg, event: l.event as LogLine['event'] });
        } catch {
          bad++; // a line torn by a kill: the rest of the log still stands
        }
      }
    } catch (e) {
      return { lines, problem: `the run's log ${file} could not be read (${firstLine(e)})` };
    }
  }
  lines.sort((a, b) => a.time - b.time);
  return { lines, ...(bad > 1 ? { problem: `${bad} lines of the run's log ${path} are not JSON (skipped)` } : {}) };
}

/**
 * The resolution timeline from this machine's probe log and, beside an S3 state, the probe logs
 * other machines kept there (sessions run elsewhere); what could not be read is said, not drawn.
 */
async function readTimeline(state: RunState, statePath: string, intervalMs: number | undefined): Promise<{ timeline: Timeline; problem?: string; from: string[] }> {
  const path = located(state.probeLog, probeLogPathFor(statePath));
  // A pair probed every interval is continuous while its results are at most a few intervals apart.
  const gapMs = Math.max(DEFAULT_GAP_MS, 3 * (intervalMs ?? 0));
  const span = { startMs: Date.parse(state.createdAt), endMs: Date.parse(state.updatedAt), gapMs };
  const others = await evidenceOfOthers(statePath, path).catch((e: unknown) => ({
    logs: [],
    problems: [`the probe evidence other machines kept beside the state could not be fetched (${firstLine(e)}): only this machine's is shown`],
  }));
  const own = existsSync(path);
  const files = [...(own ? [path] : []), ...others.logs.flatMap((l) => l.paths)];
  const problems = [...others.problems];
  // The machines, each once (a folder's earlier logs are the same machine).
  const from = [...new Set(others.logs.map((l) => l.machine))];
  if (!own && !others.logs.length) problems.unshift(`the probe log ${path} was not found: the resolution timeline is empty`);
  try {
    const timeline = buildTimeline(
      (function* () {
        for (const file of files) yield* readEvidence(file);
      })(),
      span,
    );
    return { timeline, from, ...(problems.length ? { problem: problems.join('; ') } : {}) };
  } catch (e) {
    problems.push(`the probe evidence could not be read (${firstLine(e)}): the resolution timeline is empty`);
    return { timeline: buildTimeline([], span), problem: problems.join('; '), from };
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
