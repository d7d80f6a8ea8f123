// Strict reading of a state file: size, encoding, JSON, schema version, schema, then whether it
// may be resumed by this plan and this machine definition. Reading never changes the file.
import {
  DefinitionChangedError,
  PlanChangedError,
  StateFileCorruptError,
  StateFileNewerError,
  type CorruptKind,
} from './errors.js';
import { errnoOf, nodeFileSystem, type FileSystem } from './fs.js';
import { describeIssues } from './issues.js';
import { readJournalFile, type JournalRead } from './journal-file.js';
import { S3Checkpoint, SCHEMA_VERSION, StateFileV1, StateFileV2, type JournalLog, type JournalTail, type RunState } from './schema.js';

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

export { describeIssues };

/** Node 20's JSON.parse says "at position N"; a person editing the file needs the line. */
function withLine(message: string, text: string): string {
  const at = /at position (\d+)/.exec(message);
  if (!at || /\bline \d+/.test(message)) return message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  return `${message} (line ${line} column ${before.length - before.lastIndexOf('\n')})`;
}

/** A state file as parsed: the state (its journal still to be read, for version 2) and where the journal is. */
export interface ParsedStateFile {
  /** For version 2, `journal` is empty here: the entries are in `journalLog.file`. */
  state: RunState;
  /** Version 2 and later, a state file's. */
  journalLog?: JournalLog;
  /** Version 4, an S3 checkpoint's: where entries written after it are (s3-journal.ts). */
  journalTail?: JournalTail;
}

/** Parses the bytes of a state file, or throws the typed error for what is wrong with them. */
export function parseStateBytes(bytes: Uint8Array, file: string, prevPath?: string): ParsedStateFile {
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
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && !(typeof version === 'number' && Number.isInteger(version) && version >= 1 && version <= SCHEMA_VERSION)) {
    throw corrupt('schema', [`schemaVersion: expected 1, 2, 3 or ${SCHEMA_VERSION}, found ${JSON.stringify(version) ?? 'none'}`]);
  }
  if (version === 1) {
    const v1 = StateFileV1.safeParse(json);
    if (!v1.success) throw corrupt('schema', describeIssues(v1.error.issues), v1.error);
    return { state: { ...v1.data, schemaVersion: SCHEMA_VERSION } };
  }
  // The S3 backend keeps the journal inside the checkpoint (an object is replaced whole anyway),
  // and from version 4 what was written since in its tail.
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && version !== 2 && !('journalLog' in json) && 'journal' in json) {
    const whole = S3Checkpoint.safeParse(json);
    if (!whole.success) throw corrupt('schema', describeIssues(whole.error.issues), whole.error);
    const { journalTail, ...state } = whole.data;
    return { state: { ...state, schemaVersion: SCHEMA_VERSION }, ...(journalTail ? { journalTail } : {}) };
  }
  const parsed = StateFileV2.safeParse(json);
  if (!parsed.success) throw corrupt('schema', describeIssues(parsed.error.issues), parsed.error);
  const { journalLog, ...head } = parsed.data;
  return { state: { ...head, schemaVersion: SCHEMA_VERSION, journal: [] }, journalLog };
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
    const parsed = parseStateBytes(await fs.readFile(prev), prev);
    if (parsed.journalLog) await readJournalFile(fs, prev, parsed.journalLog);
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
 * Reads and checks a state file and its journal without taking the lock (for `status`, and the
 * store's read()). Undefined when there is no state file.
 */
export async function readStateFile(path: string, options: ReadStateOptions = {}): Promise<RunState | undefined> {
  return (await readStateWithJournal(path, options))?.state;
}

/** readStateFile, and how the journal file was found (undefined for a version 1 file, whose journal is inside it). */
export async function readStateWithJournal(path: string, options: ReadStateOptions = {}): Promise<{ state: RunState; journal?: JournalRead } | undefined> {
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
  let parsed: ParsedStateFile;
  let journal: JournalRead | undefined;
  try {
    parsed = parseStateBytes(bytes, path);
    if (parsed.journalTail) {
      // Its newest entries are objects in the bucket it was copied from, not files here.
      throw new StateFileCorruptError(path, 'journal', [`it is an S3 checkpoint whose journal goes on in its bucket (journalTail ${parsed.journalTail.id}): use it where it is, with --state s3://…, rather than a copy`]);
    }
    if (parsed.journalLog) journal = await readJournalFile(fs, path, parsed.journalLog);
  } catch (error) {
    if (error instanceof StateFileCorruptError) {
      throw new StateFileCorruptError(path, error.kind, error.problems, await goodPrevPath(fs, path), { cause: error.cause });
    }
    throw error;
  }
  const state: RunState = journal ? { ...parsed.state, journal: journal.entries } : parsed.state;
  if (options.expect) checkResumable(state, path, options.expect);
  return { state, ...(journal ? { journal } : {}) };
}
