// What a run report says, worked out from what the run left behind (the state file and its
// journal, the run's log, the probe evidence, the zone backups): a pure function, so the report of
// a halted, running or finished run is the same whoever builds it and whenever. The HTML is only
// a rendering of this model (html.ts).
import { STEPS_OF, type Direction } from '../machines/run-machine.js';
import { planVpcs, type Plan } from '../plan/schema.js';
import { keeper } from '../steps/facts.js';
import type { JournalEntry, RunState } from '../state/schema.js';
import { TIMELINE_CLASSES, type Timeline } from './timeline.js';

const OK_CLASS = TIMELINE_CLASSES.indexOf('ok');

/** A line of the run's log that the report reads (pino NDJSON: time, msg, and the event). */
export interface LogLine {
  time: number;
  msg: string;
  event?: Record<string, unknown> & { type?: string };
}

export interface BackupInfo {
  zoneId: string;
  zoneName?: string;
  json: string;
  bind: string;
  verifiedAt: string;
  /** Record sets in the backup file, as read back now; undefined when it could not be read. */
  records?: number;
  /** Why the backup file could not be read back now (moved, deleted, damaged). */
  problem?: string;
}

export interface ReportInput {
  statePath: string;
  state: RunState;
  plan?: Plan;
  /** Why the plan file named by the state file could not be read (the report goes on without it). */
  planProblem?: string;
  log: LogLine[];
  logProblem?: string;
  timeline: Timeline;
  evidenceProblem?: string;
  /** The other machines whose probe evidence, kept beside an S3 state, the timeline also draws. */
  evidenceFrom?: string[];
  backups: BackupInfo[];
  generatedAt: string;
  toolVersion: string;
}

export interface Session {
  command: string;
  /** The hash of the dry run an apply or rollback ran, and whether the operator gave it (--plan-hash). */
  runHash?: string;
  reviewed?: boolean;
  mode?: string;
  by?: string;
  startedAt: number;
  endedAt?: number;
  outcome?: string;
  direction?: Direction;
}

export interface Call {
  at: string;
  direction: Direction;
  step: number;
  batch?: number;
  session: number;
  actionId: string;
  account: string;
  accountId?: string;
  operation: string;
  target: string;
  /** applied | already-done | failed | no-reply (the process ended before the reply was recorded). */
  result: string;
  requestId?: string;
  error?: string;
}

export interface Batch {
  session: number;
  batch?: number;
  startedAt: string;
  calls: Call[];
}

export interface Gate {
  at: number;
  verdict: string;
  reason: string;
}

export interface StepReport {
  direction: Direction;
  number: number;
  title: string;
  estimateMs?: number;
  startedAt?: string;
  endedAt?: string;
  batches: Batch[];
  gates: Gate[];
}

export interface Incident {
  kind: 'halt' | 'stop' | 'failure' | 'interrupt';
  at: number;
  direction: Direction;
  step: number;
  phase?: string;
  reason: string;
  pairs?: { vpcId: string; name: string; class: string; answers: string[] }[];
  /** What happened next: the session that took it up, or what the operator can do now. */
  after: string;
}

export interface Marker {
  atMs: number;
  label: string;
  kind: 'step' | 'halt' | 'stop' | 'failure' | 'session';
}

export interface RowMeta {
  vpcId: string;
  account: string;
  role: string;
}

/**
 * Results that were not ok where the run allows it: the keeper's while step 7 (or its undo)
 * deleted or re-created the zones it held (a plan without a parking VPC; README "the keeper's
 * seconds"). Times relative to the timeline's start.
 */
export interface AllowedGap {
  vpcId: string;
  step: string;
  fromMs: number;
  toMs: number;
  results: number;
}

export interface ReportModel {
  title: string;
  generatedAt: string;
  toolVersion: string;
  run: {
    planName: string;
    planFile: string;
    planHash: string;
    runId?: string;
    status: RunState['status'];
    direction: Direction;
    path?: 'A' | 'B';
    region?: string;
    profileId?: string;
    position?: string;
    createdAt: string;
    updatedAt: string;
    accounts: { name: string; id?: string }[];
    vpcs: number;
    zones: string[];
    names: number;
    statePath: string;
    probeLog: string;
    /** Other machines whose evidence the timeline draws too (an S3 state resumed elsewhere). */
    evidenceFrom: string[];
    approvals: NonNullable<RunState['approvals']>;
  };
  problems: string[];
  sessions: Session[];
  incidents: Incident[];
  steps: StepReport[];
  backups: BackupInfo[];
  timeline: Timeline & { markers: Marker[]; meta: RowMeta[]; allowed: AllowedGap[] };
}

const directionOfAction = (actionId: string): Direction => (actionId.startsWith('undo:') ? 'rollback' : 'forward');
const stepName = (direction: Direction, step: number) => `${direction === 'rollback' ? 'undo ' : ''}step ${step}`;
const ms = (iso: string) => Date.parse(iso);

export function buildReportModel(input: ReportInput): ReportModel {
  const { state, plan } = input;
  const sessions = sessionsOf(input.log, state);
  const sessionAt = (t: number) => {
    let i = 0;
    for (let k = 0; k < sessions.length; k++) if (sessions[k]!.startedAt <= t) i = k;
    return i;
  };
  const calls = callsOf(state.journal, input.log, plan, sessionAt);
  const steps = stepsOf(state, calls, input.log, sessions, sessionAt);
  const incidents = incidentsOf(input.log, state, sessions);
  const markers: Marker[] = [
    ...stepStarts(input.log, sessions, sessionAt, steps),
    ...incidents.map((i) => ({ atMs: i.at, label: `${i.kind === 'stop' ? 'stop before' : `${i.kind} in`} ${stepName(i.direction, i.step)}`, kind: i.kind === 'interrupt' ? ('failure' as const) : i.kind })),
    ...sessions.slice(1).map((s) => ({ atMs: s.startedAt, label: s.command, kind: 'session' as const })),
  ].sort((a, b) => a.atMs - b.atMs);
  const vpcs = plan ? planVpcs(plan) : [];
  const meta: RowMeta[] = vpcs.map((v) => ({ vpcId: v.id, account: v.account, role: v.role }));
  // Rows in the plan's order (shared services first), then any VPC the evidence has that the plan does not.
  const order = new Map(meta.map((m, i) => [m.vpcId, i]));
  const rows = [...input.timeline.rows].sort((a, b) => (order.get(a.vpcId) ?? Infinity) - (order.get(b.vpcId) ?? Infinity));
  for (const r of rows) if (!order.has(r.vpcId)) meta.push({ vpcId: r.vpcId, account: 'not in the plan', role: 'other' });
  const rel = (t: number) => t - input.timeline.startMs;
  const names = new Set(input.timeline.rows.flatMap((r) => r.strips.map((s) => s.name)));
  const problems = [input.planProblem, input.logProblem, input.evidenceProblem].filter((p): p is string => !!p);
  return {
    title: `r53migrate report: ${state.plan.name} (${state.status})`,
    generatedAt: input.generatedAt,
    toolVersion: input.toolVersion,
    run: {
      planName: state.plan.name,
      planFile: state.plan.file,
      planHash: state.plan.hash,
      ...(state.runId ? { runId: state.runId } : {}),
      status: state.status,
      direction: state.direction ?? 'forward',
      ...(state.firstObservation ? { path: state.firstObservation.path } : {}),
      ...(state.estate ? { region: state.estate.region, profileId: state.estate.profileId } : plan ? { region: plan.region, profileId: plan.profile.id } : {}),
      ...(state.position ? { position: `${stepName(state.direction ?? 'forward', state.position.step)} ${state.position.stepId} (${state.position.phase})` } : {}),
      createdAt: state.createdAt,
      updatedAt: state.updatedAt,
      accounts: plan ? Object.entries(plan.accounts).map(([name, a]) => ({ name, ...(a.accountId ? { id: a.accountId } : {}) })) : [],
      vpcs: vpcs.length || input.timeline.rows.length,
      zones: state.estate?.zoneIds ?? plan?.endpoints.flatMap((e) => e.zones) ?? [],
      names: names.size,
      statePath: input.statePath,
      probeLog: state.probeLog,
      evidenceFrom: input.evidenceFrom ?? [],
      approvals: state.approvals ?? [],
    },
    problems,
    sessions,
    incidents,
    steps,
    backups: input.backups,
    timeline: {
      ...input.timeline,
      rows,
      markers: markers.filter((m) => m.atMs >= input.timeline.startMs - 1000 && m.atMs <= input.timeline.endMs + 1000).map((m) => ({ ...m, atMs: rel(m.atMs) })),
      meta,
      allowed: plan ? keeperGaps(plan, steps, input.timeline) : [],
    },
  };
}

/** The keeper's results that were not ok while step 7 or its undo ran (from its start to its end, or the evidence's). */
function keeperGaps(plan: Plan, steps: StepReport[], timeline: Timeline): AllowedGap[] {
  const k = keeper(plan);
  const row = k ? timeline.rows.find((r) => r.vpcId === k) : undefined;
  if (!k || !row?.nonOk) return [];
  const out: AllowedGap[] = [];
  for (const s of steps) {
    if (s.number !== 7 || !s.startedAt) continue;
    const from = ms(s.startedAt) - timeline.startMs;
    const to = (s.endedAt ? ms(s.endedAt) : timeline.endMs) - timeline.startMs;
    const gap = { vpcId: k, step: stepName(s.direction, 7), fromMs: Infinity, toMs: -Infinity, results: 0 };
    for (const strip of row.strips) {
      for (const [a, b, cls, n] of strip.segments) {
        if (cls === OK_CLASS || b < from || a > to) continue;
        gap.results += n;
        gap.fromMs = Math.min(gap.fromMs, a);
        gap.toMs = Math.max(gap.toMs, b);
      }
    }
    if (gap.results) out.push(gap);
  }
  return out;
}

/**
 * Where each step started, in every session that worked in it (a resumed step starts again): the
 * log's first step event per session and step; the state file's timings when the log has none.
 */
function stepStarts(log: LogLine[], sessions: Session[], sessionAt: (t: number) => number, steps: StepReport[]): Marker[] {
  const seen = new Set<string>();
  const out: Marker[] = [];
  for (const l of log) {
    const e = l.event;
    if (e?.type !== 'step' || typeof e.step !== 'number') continue;
    const k = sessionAt(l.time);
    const s = sessions[k];
    const direction: Direction = s?.direction ?? (s?.mode === 'rollback' ? 'rollback' : 'forward');
    const key = `${k}:${direction}:${e.step}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ atMs: l.time, label: stepName(direction, e.step), kind: 'step' });
  }
  if (out.length) return out;
  return steps.filter((s) => s.startedAt).map((s) => ({ atMs: ms(s.startedAt!), label: stepName(s.direction, s.number), kind: 'step' as const }));
}

/** Each invocation (apply, resume, rollback) from its log lines; one for the whole run when the log has none. */
function sessionsOf(log: LogLine[], state: RunState): Session[] {
  const out: Session[] = [];
  for (const l of log) {
    const e = l.event;
    if (e?.type === 'session') {
      out.push({
        command: String(e.command ?? '?'),
        ...(typeof e.mode === 'string' ? { mode: e.mode } : {}),
        ...(typeof e.by === 'string' ? { by: e.by } : {}),
        ...(typeof e.runHash === 'string' ? { runHash: e.runHash, reviewed: e.reviewed === true } : {}),
        startedAt: l.time,
      });
    } else if (e?.type === 'outcome' && out.length) {
      const s = out[out.length - 1]!;
      s.endedAt = l.time;
      s.outcome = String(e.outcome ?? '?');
      if (e.direction === 'forward' || e.direction === 'rollback') s.direction = e.direction;
    }
  }
  if (!out.length) out.push({ command: 'the run', startedAt: ms(state.createdAt), ...(state.status !== 'running' ? { endedAt: ms(state.updatedAt), outcome: state.status } : {}) });
  return out;
}

/** Batch numbers by action id and time, from the log's action events (the journal has no batch). */
function batchLookup(log: LogLine[]): (actionId: string, atMs: number) => number | undefined {
  const byId = new Map<string, { time: number; batch: number }[]>();
  for (const l of log) {
    const e = l.event;
    if (e?.type !== 'action' || e.status !== 'start' || typeof e.batch !== 'number') continue;
    const id = (e.action as { id?: string } | undefined)?.id;
    if (!id) continue;
    let list = byId.get(id);
    if (!list) byId.set(id, (list = []));
    list.push({ time: l.time, batch: e.batch });
  }
  return (actionId, atMs) => {
    let best: { time: number; batch: number } | undefined;
    for (const c of byId.get(actionId) ?? []) if (Math.abs(c.time - atMs) < 5_000 && (!best || Math.abs(c.time - atMs) < Math.abs(best.time - atMs))) best = c;
    return best?.batch;
  };
}

/** Every mutating call: each intent with the outcome recorded after it (none: the process ended first). */
function callsOf(journal: JournalEntry[], log: LogLine[], plan: Plan | undefined, sessionAt: (t: number) => number): Call[] {
  const batchOf = batchLookup(log);
  const out: Call[] = [];
  const open = new Map<string, Call>();
  for (const e of [...journal].sort((a, b) => a.seq - b.seq)) {
    if (e.phase === 'intent') {
      const atMs = ms(e.at);
      const batch = batchOf(e.actionId, atMs);
      const accountId = plan?.accounts[e.account]?.accountId;
      const call: Call = {
        at: e.at,
        direction: directionOfAction(e.actionId),
        step: e.step,
        ...(batch !== undefined ? { batch } : {}),
        session: sessionAt(atMs),
        actionId: e.actionId,
        account: e.account,
        ...(accountId ? { accountId } : {}),
        operation: e.operation,
        target: e.target || targetOf(e.params),
        result: 'no-reply',
      };
      out.push(call);
      open.set(e.actionId, call);
      continue;
    }
    const call = open.get(e.actionId);
    if (!call) continue;
    call.result = e.phase;
    if (e.requestId) call.requestId = e.requestId;
    if (e.error) call.error = `${e.error.code ? `${e.error.code}: ` : ''}${e.error.message}`;
    open.delete(e.actionId);
  }
  return out;
}

/** What a call changed when the journal names no target (a Profile resource association names its ARN). */
function targetOf(params: unknown): string {
  const p = (params ?? {}) as Record<string, unknown>;
  const v = p.ResourceArn ?? p.ResourceId ?? p.Id ?? p.HostedZoneId ?? p.VpcEndpointId;
  return typeof v === 'string' ? v : '';
}

function stepsOf(state: RunState, calls: Call[], log: LogLine[], sessions: Session[], sessionAt: (t: number) => number): StepReport[] {
  const key = (d: Direction, n: number) => `${d}:${n}`;
  const steps = new Map<string, StepReport>();
  const stepFor = (direction: Direction, number: number) => {
    let s = steps.get(key(direction, number));
    if (!s) {
      const def = STEPS_OF[direction].find((x) => x.number === number);
      steps.set(key(direction, number), (s = { direction, number, title: def?.title ?? (number === 0 ? (direction === 'rollback' ? 'Undo prepare: the RAM share and the Profile prepare made' : 'Prepare: the Route 53 Profile made and shared') : `step ${number}`), batches: [], gates: [] }));
    }
    return s;
  };
  for (const t of state.timings ?? []) {
    const s = stepFor(t.direction, t.step);
    s.estimateMs = t.estimateMs;
    s.startedAt = t.startedAt;
    if (t.endedAt) s.endedAt = t.endedAt;
  }
  for (const c of calls) {
    const s = stepFor(c.direction, c.step);
    let b = s.batches.find((x) => x.session === c.session && x.batch === c.batch);
    if (!b) s.batches.push((b = { session: c.session, ...(c.batch !== undefined ? { batch: c.batch } : {}), startedAt: c.at, calls: [] }));
    b.calls.push(c);
  }
  // A gate's direction is its session's (the log's dns events name the step only).
  for (const l of log) {
    const e = l.event;
    if (e?.type !== 'dns' || typeof e.step !== 'number') continue;
    const session = sessions[sessionAt(l.time)];
    const direction: Direction = session?.direction ?? (session?.mode === 'rollback' ? 'rollback' : state.direction ?? 'forward');
    stepFor(direction, e.step).gates.push({ at: l.time, verdict: String(e.verdict ?? '?'), reason: String(e.reason ?? '') });
  }
  const order = (s: StepReport) => (s.direction === 'forward' ? s.number : 100 - s.number);
  return [...steps.values()].sort((a, b) => order(a) - order(b));
}

/** Halts, stops and failures in the order they happened, each with what came after it. */
function incidentsOf(log: LogLine[], state: RunState, sessions: Session[]): Incident[] {
  const out: Incident[] = [];
  let sessionIndex = -1;
  const nextSession = (k: number) => sessions[k + 1];
  for (const l of log) {
    const e = l.event;
    if (e?.type === 'session') sessionIndex++;
    if (e?.type !== 'outcome') continue;
    const direction: Direction = e.direction === 'rollback' ? 'rollback' : 'forward';
    const base = { at: l.time, direction };
    const halt = e.halt as { step: number; phase?: string; reason: string; pairs?: Incident['pairs'] } | undefined;
    const stop = e.stop as { step: number; kind: string; reason: string } | undefined;
    const failure = e.failure as { step: number; phase?: string; message: string } | undefined;
    let incident: Omit<Incident, 'after'> | undefined;
    if (e.outcome === 'halted' && halt) incident = { ...base, kind: 'halt', step: halt.step, ...(halt.phase ? { phase: halt.phase } : {}), reason: halt.reason, ...(halt.pairs ? { pairs: halt.pairs } : {}) };
    else if (e.outcome === 'stopped' && stop) incident = { ...base, kind: 'stop', step: stop.step, phase: stop.kind, reason: stop.reason };
    else if ((e.outcome === 'failed' || e.outcome === 'interrupted') && failure)
      incident = { ...base, kind: e.outcome === 'failed' ? 'failure' : 'interrupt', step: failure.step, ...(failure.phase ? { phase: failure.phase } : {}), reason: failure.message };
    if (!incident) continue;
    const next = nextSession(Math.max(0, sessionIndex));
    out.push({ ...incident, after: next ? `then: ${next.command} at ${new Date(next.startedAt).toISOString()}${next.by ? ` by ${next.by}` : ''}${next.outcome ? ` (${next.outcome})` : ''}` : openAdvice(state) });
  }
  // A log without outcome lines (an older run, or a lost log): the state file's latest halt or stop.
  if (!out.length && state.status === 'halted' && state.halt) {
    out.push({ kind: 'halt', at: ms(state.halt.at), direction: state.direction ?? 'forward', step: state.halt.step, reason: state.halt.reason, after: openAdvice(state) });
  } else if (!out.length && state.status === 'stopped' && state.stop) {
    out.push({ kind: 'stop', at: ms(state.stop.at), direction: state.direction ?? 'forward', step: state.stop.step, phase: state.stop.kind, reason: state.stop.reason, after: openAdvice(state) });
  }
  return out;
}

function openAdvice(state: RunState): string {
  switch (state.status) {
    case 'done':
      return 'the run went on to the end';
    case 'running':
      return 'the run is under way (or its process was lost: r53migrate status tells)';
    case 'stopped':
      return `not yet taken up: continue with r53migrate resume ${state.plan.file}`;
    default:
      return `not yet taken up: the run is ${state.status}; continue with r53migrate resume ${state.plan.file}, or r53migrate rollback`;
  }
}
