// The probe log's file (the compact form's lines: evidence-log.ts): one JSON object per line,
// appended to a file kept open for the whole run.
// Lines are buffered for at most one event-loop turn and written with one synchronous write, so
// each result costs O(1) whatever the file's size, nothing is ever rewritten, and a crash loses at
// most the results of the current turn (a sync write also survives the process dying right after).
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LineSink {
  append(record: object): void;
  /** Writes out everything appended so far. */
  flush(): void;
  close(): void;
}

/** Past this many buffered bytes a flush happens at once instead of at the end of the turn. */
const FLUSH_BYTES = 64 * 1024;

export class NdjsonLog implements LineSink {
  private lines: string[] = [];
  private bytes = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private fd: number | undefined;
  /** Lines written to the file so far. */
  written = 0;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
  }

  /** Opens (creating, mode 0600) for appending; existing lines are kept. */
  static open(path: string): NdjsonLog {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a+', 0o600);
    try {
      endTornLine(fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return new NdjsonLog(path, fd);
  }

  append(record: object): void {
    if (this.fd === undefined) throw new Error(`probe log ${this.path} is closed`);
    const line = JSON.stringify(record) + '\n';
    this.lines.push(line);
    this.bytes += line.length;
    if (this.bytes >= FLUSH_BYTES) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.fd === undefined || this.lines.length === 0) return;
    const data = Buffer.from(this.lines.join(''), 'utf8');
    const count = this.lines.length;
    this.lines = [];
    this.bytes = 0;
    let offset = 0;
    while (offset < data.length) offset += writeSync(this.fd, data, offset, data.length - offset);
    this.written += count;
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * A process killed in the middle of a write can leave a last line without its newline: the next
 * line starts on a line of its own, so only the torn one is lost (readers skip it), not both.
 */
function endTornLine(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] !== 0x0a) writeSync(fd, '\n');
}

/** Keeps lines in memory (tests, and runs that don't want a file). */
export class MemoryLog implements LineSink {
  readonly records: object[] = [];
  append(record: object): void {
    this.records.push(record);
  }
  flush(): void {}
  close(): void {}
}
