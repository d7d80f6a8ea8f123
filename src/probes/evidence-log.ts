// The probe log in compact form (format `r53migrate-probes/2`): complete evidence without a line
// per ok result. At 300 VPCs × 10 names probed every second a line per result is ~10 million lines
// an hour; almost all of them say "still ok, same answers", which a run says once.
//
// The file is NDJSON, append-only, nothing rewritten. Three kinds of line:
//   - a header, each time the log is opened (a resumed run appends a new one), so a reader knows
//     that ok results after it are folded and how long a run may stay open:
//       {"kind":"format","format":"r53migrate-probes/2","maxRunMs":60000}
//   - every non-ok result in full, exactly the line `toLogLine` makes (no `kind`, like every line
//     of format 1, which had no header):
//       {"time":"…","epochMs":…,"startedMs":…,"vpc":"vpc-…","name":"…","class":"servfail",…}
//   - ok results as runs per (VPC, name) pair: consecutive ok results with the same answers, asked
//     the same way (same probe name, rcode, SSM instance), folded into one line:
//       {"kind":"ok-run","vpc":"vpc-…","name":"…","fromMs":…,"toMs":…,"count":60,"answers":[…],
//        "rcode":"NOERROR","maxLatencyMs":2.4}
//     fromMs / toMs are the first and last folded result's epochMs; an SSM run also has `via`,
//     `instance` and `commandIds` (every command whose answers it folds, in order).
//
// A run ends, and its line is written, when the pair's next result is not ok, when the answers or
// the way it was asked change, on flush()/close(), and once it is maxRunMs old. The age rule is
// what bounds a crash: a killed process loses at most the ok results of its open runs, that is the
// last maxRunMs of each pair (default 60 s), and its log still proves continuity up to then.
// Age is measured on the results' own clock (the newest epochMs appended), not the wall clock: the
// monitors' clock is the one the evidence is written in, and tests drive it with the results.
//
// Lines go out through the LineSink given (NdjsonLog for a file): a non-ok line is appended the
// moment its result is, so it keeps NdjsonLog's guarantee (one synchronous write, at most one
// event-loop turn buffered). A pair's run line always precedes the pair's next line, so each pair's
// lines are in time order. Per result the work is O(1): one map lookup, and runs written by age
// are taken from the front of a map kept in start order.
import type { ProbeClass } from './classify.js';
import { NdjsonLog, type LineSink } from './ndjson-log.js';

export const PROBE_LOG_FORMAT = 'r53migrate-probes/2';
export const DEFAULT_MAX_RUN_MS = 60_000;

export interface EvidenceLogOptions {
  /** A run is written once it is this old (ms on the results' clock): what a crash can lose. */
  maxRunMs?: number;
}

/** The fields of a `toLogLine` result line this module relies on. */
interface ResultLine {
  epochMs: number;
  vpc: string;
  name: string;
  probeName?: string;
  class: ProbeClass;
  answers: string[];
  latencyMs: number;
  rcode?: string;
  via?: string;
  instance?: string;
  commandId?: string;
}

interface OpenRun {
  vpc: string;
  name: string;
  probeName: string | undefined;
  answers: string[];
  rcode: string | undefined;
  via: string | undefined;
  instance: string | undefined;
  commandIds: string[];
  fromMs: number;
  toMs: number;
  count: number;
  maxLatencyMs: number;
}

export class EvidenceLog implements LineSink {
  private readonly maxRunMs: number;
  /** Open runs by pair; a Map iterates in insertion order, and a run is inserted when it starts. */
  private readonly runs = new Map<string, OpenRun>();
  private nowMs = -Infinity;
  private closed = false;
  /** Runs written so far (lines of kind ok-run). */
  runsWritten = 0;

  constructor(private readonly out: LineSink, opts: EvidenceLogOptions = {}) {
    this.maxRunMs = opts.maxRunMs ?? DEFAULT_MAX_RUN_MS;
    if (!(this.maxRunMs > 0)) throw new Error(`maxRunMs must be positive, got ${this.maxRunMs}`);
    out.append({ kind: 'format', format: PROBE_LOG_FORMAT, maxRunMs: this.maxRunMs });
  }

  /** Opens (creating, mode 0600) the file for appending, as NdjsonLog does; existing lines are kept. */
  static open(path: string, opts: EvidenceLogOptions = {}): EvidenceLog {
    return new EvidenceLog(NdjsonLog.open(path), opts);
  }

  append(record: object): void {
    // An ok result would otherwise open a run that nothing ever writes.
    if (this.closed) throw new Error('probe log is closed');
    const result = asResultLine(record);
    if (!result) {
      // Not a probe result: nothing to fold, keep it as it came.
      this.out.append(record);
      return;
    }
    if (result.epochMs > this.nowMs) this.nowMs = result.epochMs;
    const key = `${result.vpc}|${result.name}`;
    const run = this.runs.get(key);
    if (result.class !== 'ok') {
      if (run) this.end(key, run);
      this.out.append(record);
    } else if (run && continues(run, result)) {
      extend(run, result);
      if (this.nowMs - run.fromMs >= this.maxRunMs) this.end(key, run);
    } else {
      if (run) this.end(key, run);
      this.runs.set(key, startRun(result));
    }
    this.endAgedRuns();
  }

  /** Writes every open run (the pair's next ok result starts a new one) and flushes the lines. */
  flush(): void {
    for (const [key, run] of this.runs) this.end(key, run);
    this.out.flush();
  }

  close(): void {
    if (this.closed) return;
    for (const [key, run] of this.runs) this.end(key, run);
    this.closed = true;
    this.out.close();
  }

  /** Runs of pairs no longer reporting (stalled, or probed less often) still get written by age. */
  private endAgedRuns(): void {
    for (const [key, run] of this.runs) {
      if (this.nowMs - run.fromMs < this.maxRunMs) break;
      this.end(key, run);
    }
  }

  private end(key: string, run: OpenRun): void {
    this.runs.delete(key);
    this.out.append(runLine(run));
    this.runsWritten++;
  }
}

function asResultLine(record: object): ResultLine | undefined {
  const r = record as Partial<ResultLine> & { kind?: unknown };
  if (r.kind !== undefined) return undefined;
  if (typeof r.vpc !== 'string' || typeof r.name !== 'string' || typeof r.class !== 'string') return undefined;
  if (typeof r.epochMs !== 'number' || typeof r.latencyMs !== 'number' || !Array.isArray(r.answers)) return undefined;
  return r as ResultLine;
}

function startRun(r: ResultLine): OpenRun {
  return {
    vpc: r.vpc,
    name: r.name,
    probeName: r.probeName,
    answers: r.answers,
    rcode: r.rcode,
    via: r.via,
    instance: r.instance,
    commandIds: r.commandId !== undefined ? [r.commandId] : [],
    fromMs: r.epochMs,
    toMs: r.epochMs,
    count: 1,
    maxLatencyMs: r.latencyMs,
  };
}

/** Same answers asked the same way: anything else would hide a change inside a run. */
function continues(run: OpenRun, r: ResultLine): boolean {
  return (
    run.probeName === r.probeName &&
    run.rcode === r.rcode &&
    run.via === r.via &&
    run.instance === r.instance &&
    run.answers.length === r.answers.length &&
    run.answers.every((a, i) => a === r.answers[i])
  );
}

function extend(run: OpenRun, r: ResultLine): void {
  run.count++;
  if (r.epochMs > run.toMs) run.toMs = r.epochMs;
  if (r.latencyMs > run.maxLatencyMs) run.maxLatencyMs = r.latencyMs;
  // An SSM command answers several queries per pair: its id is kept once.
  if (r.commandId !== undefined && run.commandIds[run.commandIds.length - 1] !== r.commandId) run.commandIds.push(r.commandId);
}

function runLine(run: OpenRun): Record<string, unknown> {
  return {
    kind: 'ok-run',
    vpc: run.vpc,
    name: run.name,
    ...(run.probeName !== undefined ? { probeName: run.probeName } : {}),
    fromMs: run.fromMs,
    toMs: run.toMs,
    count: run.count,
    answers: run.answers,
    ...(run.rcode !== undefined ? { rcode: run.rcode } : {}),
    maxLatencyMs: run.maxLatencyMs,
    ...(run.via !== undefined ? { via: run.via } : {}),
    ...(run.instance !== undefined ? { instance: run.instance } : {}),
    ...(run.commandIds.length ? { commandIds: run.commandIds } : {}),
  };
}
