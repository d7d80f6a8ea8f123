// Reads a state file the way the README describes it, independently of src/state: the JSON
// checkpoint, and from schema version 2 on the journal it names (one JSON entry per line, beside it;
// a last line without its newline is an append a kill cut short, and is not an entry).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function readStateWithJournalSync<T extends { journal: unknown[] }>(statePath: string): T {
  const st = JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>;
  if (st.schemaVersion === 1) return st as unknown as T;
  const log = st.journalLog as { file: string; entries: number };
  const text = readFileSync(join(dirname(statePath), log.file), 'utf8');
  const journal = text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
  if (journal.length < log.entries) throw new Error(`${statePath}: its journal ${log.file} holds ${journal.length} entries, the state file says ${log.entries}`);
  return { ...st, journal } as unknown as T;
}
