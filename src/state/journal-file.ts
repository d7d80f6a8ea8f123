// The journal's own file: one JSON entry per line, only ever appended to. A checkpoint of a big
// estate no longer rewrites thousands of entries to record one more: an intent costs one append
// and one fdatasync, however long the run has been going (schema version 2).
//
// A kill during an append can leave a last line without its newline. That entry's append never
// returned, so its request was never sent: the reader drops it, and the store cuts it off before
// it appends again. Anything else wrong (a bad line before the last, a gap in the sequence, fewer
// entries than the state file says were written) is damage, refused like a damaged state file.
import { basename, dirname, join } from 'node:path';
import { StateFileCorruptError, StateInvalidError } from './errors.js';
import { errnoOf, type FileSystem } from './fs.js';
import { describeIssues } from './issues.js';
import { JournalEntry, type JournalLog } from './schema.js';

/** `<dir>/<plan-name>.journal.ndjson` beside `<dir>/<plan-name>.state.json`. */
export function journalPathFor(statePath: string): string {
  return join(dirname(statePath), `${basename(statePath).replace(/\.state\.json$/, '')}.journal.ndjson`);
}

/**
 * Checks entries about to be written (those at `offset` and after: the ones before were checked
 * when first written or read); StateInvalidError naming `file` when one is not a journal entry.
 */
export function checkNewEntries(entries: readonly JournalEntry[], offset: number, file: string): void {
  const issues = entries.flatMap((e, i) => {
    const checked = JournalEntry.safeParse(e);
    return checked.success ? [] : describeIssues(checked.error.issues).map((line) => `journal[${offset + i}].${line}`);
  });
  if (issues.length > 0) throw new StateInvalidError(file, issues);
}

/** The lines that append `entries` to a journal file. */
export function journalLines(entries: readonly JournalEntry[]): Buffer {
  return Buffer.from(entries.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
}

export interface JournalRead {
  /** The journal's file name, in the state file's folder. */
  file: string;
  entries: JournalEntry[];
  /** Bytes of whole lines: where the next append goes (a torn last line is cut off first). */
  goodBytes: number;
  /** The file ends with a line cut short by a kill. */
  torn: boolean;
}

/**
 * Reads the journal a version 2 state file names. `stateFile` is the file errors name (the one the
 * operator passed); the journal is looked for in its folder.
 */
export async function readJournalFile(fs: FileSystem, stateFile: string, log: JournalLog, prevPath?: string): Promise<JournalRead> {
  const path = join(dirname(stateFile), log.file);
  const damaged = (problem: string, cause?: unknown): StateFileCorruptError =>
    new StateFileCorruptError(stateFile, 'journal', [`its journal ${path} ${problem}`], prevPath, { cause });
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') {
      if (log.entries === 0) return { file: log.file, entries: [], goodBytes: 0, torn: false };
      throw damaged(`is missing (the state file says it holds ${log.entries} entries)`, error);
    }
    throw damaged(`cannot be read: ${(error as Error).message}`, error);
  }
  const end = bytes.lastIndexOf(0x0a) + 1;
  const entries = parseJournalLines(bytes.subarray(0, end), (problem, cause) => damaged(problem, cause));
  for (const [i, entry] of entries.entries()) {
    const previous = entries[i - 1];
    if (previous && entry.seq !== previous.seq + 1) {
      throw damaged(`line ${i + 1} has seq ${entry.seq} after ${previous.seq} (entries lost or reordered)`);
    }
  }
  if (entries.length < log.entries) {
    throw damaged(`holds ${entries.length} entries, but the state file says ${log.entries} were written (the journal was cut or replaced)`);
  }
  return { file: log.file, entries, goodBytes: end, torn: end < bytes.length };
}

/**
 * The entries in `bytes`, whole lines each ending with a newline (the caller cuts a torn last
 * line off first); `damaged` builds the error for a problem such as "line 3 is not ...".
 */
export function parseJournalLines(bytes: Buffer, damaged: (problem: string, cause?: unknown) => Error): JournalEntry[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw damaged('is not UTF-8 text', error);
  }
  const lines = text.split('\n');
  lines.pop(); // after the last newline
  return lines.map((line, i) => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw damaged(`line ${i + 1} is not a JSON entry (hand-edited or damaged)`);
    }
    const parsed = JournalEntry.safeParse(json);
    if (!parsed.success) throw damaged(`line ${i + 1}: ${describeIssues(parsed.error.issues, 3).join('; ')}`);
    return parsed.data;
  });
}
