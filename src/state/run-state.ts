// Pure helpers for building and extending a run's state; the store only persists what they make.
import { basename, dirname, join } from 'node:path';
import { localStatePath } from './location.js';
import { SCHEMA_VERSION, type JournalEntry, type RunState } from './schema.js';

export const DEFAULT_STATE_DIR = '.r53migrate';

/** The run's NDJSON log beside its state file (every AWS call, every progress event, each session's start and outcome). */
export function logPathFor(statePath: string): string {
  return localStatePath(statePath).replace(/\.state\.json$/, '') + '.log';
}

/**
 * Where the log summaries of an S3 state's machines are, one file per machine (the progress lines
 * of its run log, all the report reads): `<plan>.logs/` in the local mirror and under the prefix.
 */
export function logSummaryDirFor(statePath: string): string {
  return localStatePath(statePath).replace(/\.state\.json$/, '') + '.logs';
}

/** The run report beside its state file (rewritten at the end of every apply, resume and rollback). */
export function reportPathFor(statePath: string): string {
  return localStatePath(statePath).replace(/\.state\.json$/, '') + '.report.html';
}

/** `<dir>/<plan-name>.state.json`. Refuses names that would leave `dir`. */
export function statePathFor(planName: string, dir: string = DEFAULT_STATE_DIR): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(planName) || planName.includes('..')) {
    throw new Error(`plan name ${JSON.stringify(planName)} cannot name a state file (letters, digits, dot, dash, underscore)`);
  }
  return join(dir, `${planName}.state.json`);
}

/** The append-only probe log beside a state file: `<plan-name>.probes.ndjson`. */
export function probeLogPathFor(statePath: string): string {
  const local = localStatePath(statePath);
  return join(dirname(local), `${basename(local).replace(/\.state\.json$/, '')}.probes.ndjson`);
}

export interface NewRunStateInput {
  toolVersion: string;
  plan: { name: string; file: string; hash: string };
  definitionVersion: string;
  /** Where the state file goes; the probe log is placed beside it. */
  statePath: string;
  /** Epoch milliseconds (from the run's clock). */
  now: number;
}

export function newRunState(input: NewRunStateInput): RunState {
  const at = new Date(input.now).toISOString();
  return {
    schemaVersion: SCHEMA_VERSION,
    toolVersion: input.toolVersion,
    plan: { ...input.plan },
    definitionVersion: input.definitionVersion,
    createdAt: at,
    updatedAt: at,
    status: 'running',
    journal: [],
    probeLog: probeLogPathFor(input.statePath),
    backups: [],
    stats: {},
  };
}

export type NewJournalEntry = Omit<JournalEntry, 'seq'>;

/** A copy of `state` with `entry` appended under the next sequence number. */
export function appendJournal(state: RunState, entry: NewJournalEntry): RunState {
  const last = state.journal[state.journal.length - 1];
  const seq = last ? last.seq + 1 : 1;
  return { ...state, journal: [...state.journal, { ...entry, seq }] };
}
