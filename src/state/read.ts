// Strict reading of a state file: size, encoding, JSON, schema version, schema, then whether it
// may be resumed by this plan and this machine definition. Reading never changes the file.
import type { z } from 'zod';
import {
  DefinitionChangedError,
  PlanChangedError,
  StateFileCorruptError,
  StateFileNewerError,
  type CorruptKind,
} from './errors.js';
import { errnoOf, nodeFileSystem, type FileSystem } from './fs.js';
import { RunState, SCHEMA_VERSION } from './schema.js';

/** A state file is a few hundred kilobytes at most; anything this big is not one. */
export const MAX_STATE_BYTES = 50 * 1024 * 1024;

/** What the run being resumed expects of the state file. */
export interface ResumeExpectation {
  /** Hash of the plan as loaded now (see src/plan/load.ts). */
  planHash: string;
  planName?: string;
  /** Version of the machine definition this r53migrate runs. */
  definitionVersion: string;
  /** The operator said the plan change is intended (--accept-plan-change). */
  acceptPlanChange?: boolean;
}

export function prevPathFor(statePath: string): string {
  return `${statePath}.prev`;
}

function fieldOf(path: PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

export function describeIssues(issues: z.core.$ZodIssue[], limit = 10): string[] {
  const lines = issues.slice(0, limit).map((i) => `${fieldOf(i.path) || '(top level)'}: ${i.message}`);
  if (issues.length > limit) lines.push(`... and ${issues.length - limit} more`);
  return lines;
}

/** Node 20's JSON.parse says "at position N"; a person editing the file needs the line. */
function withLine(message: string, text: string): string {
  const at = /at position (\d+)/.exec(message);
  if (!at || /\bline \d+/.test(message)) return message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  return `${message} (line ${line} column ${before.length - before.lastIndexOf('\n')})`;
}

/** Parses the bytes of a state file, or throws the typed error for what is wrong with them. */
export function parseStateBytes(bytes: Uint8Array, file: string, prevPath?: string): RunState {
  const corrupt = (kind: CorruptKind, problems: string[], cause?: unknown): StateFileCorruptError =>
    new StateFileCorruptError(file, kind, problems, prevPath, { cause });
  if (bytes.length > MAX_STATE_BYTES) {
    throw corrupt('too-large', [`it is ${bytes.length} bytes, more than a state file can be (${MAX_STATE_BYTES})`]);
  }
  if (bytes.length === 0) throw corrupt('empty', ['it is empty (a write cut short, or a full disk)']);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw corrupt('not-utf8', ['it is not UTF-8 text (binary data?)'], error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt('not-json', [`it is not valid JSON (truncated or hand-edited?): ${withLine((error as Error).message, text)}`], error);
  }
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const { schemaVersion, toolVersion } = json as Record<string, unknown>;
    // Checked before the schema: a newer format may not fit ours at all, and the fix differs.
    if (typeof schemaVersion === 'number' && schemaVersion > SCHEMA_VERSION) {
      throw new StateFileNewerError(file, schemaVersion, SCHEMA_VERSION, typeof toolVersion === 'string' ? toolVersion : undefined);
    }
  }
  const parsed = RunState.safeParse(json);
  if (!parsed.success) throw corrupt('schema', describeIssues(parsed.error.issues), parsed.error);
  return parsed.data;
}

/** Throws when this run may not resume `state`: another machine definition, or another plan. */
export function checkResumable(state: RunState, file: string, expect: ResumeExpectation, toolVersionOfRun = state.toolVersion): void {
  // Definition first: it has no override, so saying it first spares a useless second attempt.
  if (state.definitionVersion !== expect.definitionVersion) {
    throw new DefinitionChangedError(file, state.definitionVersion, expect.definitionVersion, toolVersionOfRun);
  }
  if (state.plan.hash !== expect.planHash && !expect.acceptPlanChange) {
    throw new PlanChangedError(file, state.plan, { name: expect.planName, hash: expect.planHash });
  }
}

/** The `.prev` copy, if it exists and is itself a good state file (else advising it would hurt). */
async function goodPrevPath(fs: FileSystem, statePath: string): Promise<string | undefined> {
  const prev = prevPathFor(statePath);
  try {
    const { size } = await fs.stat(prev);
    if (size > MAX_STATE_BYTES) return undefined;
    parseStateBytes(await fs.readFile(prev), prev);
    return prev;
  } catch {
    return undefined;
  }
}

export interface ReadStateOptions {
  fs?: FileSystem;
  expect?: ResumeExpectation;
}

/**
 * Reads and checks a state file without taking the lock (for `status`, and the store's read()).
 * Undefined when there is no state file.
 */
export async function readStateFile(path: string, options: ReadStateOptions = {}): Promise<RunState | undefined> {
  const fs = options.fs ?? nodeFileSystem;
  let bytes: Buffer;
  try {
    // Look at the size first so a huge file is refused without reading it into memory.
    const { size } = await fs.stat(path);
    if (size > MAX_STATE_BYTES) {
      throw new StateFileCorruptError(path, 'too-large', [`it is ${size} bytes, more than a state file can be (${MAX_STATE_BYTES})`], await goodPrevPath(fs, path));
    }
    bytes = await fs.readFile(path);
  } catch (error) {
    if (error instanceof StateFileCorruptError) throw error;
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw new StateFileCorruptError(path, 'unreadable', [`it cannot be read: ${(error as Error).message}`], await goodPrevPath(fs, path), { cause: error });
  }
  let state: RunState;
  try {
    state = parseStateBytes(bytes, path);
  } catch (error) {
    if (error instanceof StateFileCorruptError) {
      throw new StateFileCorruptError(path, error.kind, error.problems, await goodPrevPath(fs, path), { cause: error.cause });
    }
    throw error;
  }
  if (options.expect) checkResumable(state, path, options.expect);
  return state;
}
