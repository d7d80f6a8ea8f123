// The probe evidence of an S3 state's machines, kept beside the state so a report made anywhere
// draws every session's resolution, not only the sessions of the machine that makes it.
//
// Each machine's probe log is append-only, so it is kept as it grows: every new stretch of whole
// lines goes up as an object of its own, named by the byte it starts at,
//   <plan>.evidence/<machine>/<log>/<offset, 12 digits>.ndjson
// where <machine> is the host and working folder (as the log summaries) and <log> tells this
// probe log apart from an earlier one deleted in the same folder (a hash of its first two lines:
// the header and the first record, whose times no other log shares). A machine that dies keeps
// what it sent up to its last shipment; a reader takes each log's stretches from byte 0 while they
// follow on, and says where one is missing instead of drawing over it.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fetchBeside, keepBeside } from './backend.js';
import { writeFileAtomic } from './fs.js';
import { isS3Location, localStatePath } from './location.js';

/** `<plan>.evidence/` in the local mirror of an S3 state (and, under the prefix, in the bucket). */
export function evidenceDirFor(statePath: string): string {
  return localStatePath(statePath).replace(/\.state\.json$/, '') + '.evidence';
}

/**
 * This machine and working folder, as a file name: the host (readable) and a hash of the host and
 * folder (two folders of one host resuming the same run never write over each other).
 */
export function machineTag(): string {
  const where = createHash('sha256').update(`${hostname()}:${resolve('.')}`).digest('hex').slice(0, 12);
  return `${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}-${where}`;
}

const SEGMENT = /^(\d{12})\.ndjson$/;
const HEAD_BYTES = 64 * 1024;

function readRange(path: string, from: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const out = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, out, got, length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    return out.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Which probe log this is (undefined until it holds a record after its header). */
export function probeLogId(probeLog: string): string | undefined {
  if (!existsSync(probeLog)) return undefined;
  const head = readRange(probeLog, 0, HEAD_BYTES);
  const first = head.indexOf(0x0a);
  const second = first < 0 ? -1 : head.indexOf(0x0a, first + 1);
  if (second < 0) return undefined;
  return createHash('sha256').update(head.subarray(0, second + 1)).digest('hex').slice(0, 16);
}

interface Stretches {
  /** The stretches from byte 0 that follow on, in order. */
  paths: string[];
  /** Where they end: the next stretch starts here. */
  end: number;
  /** A stretch found after a missing one. */
  beyondGap?: number;
}

function stretchesIn(dir: string): Stretches {
  const found = existsSync(dir)
    ? readdirSync(dir)
        .map((f) => ({ f, m: SEGMENT.exec(f) }))
        .filter((x) => x.m)
        .map(({ f, m }) => ({ path: join(dir, f), offset: Number(m![1]) }))
        .sort((a, b) => a.offset - b.offset)
    : [];
  const paths: string[] = [];
  let end = 0;
  for (const s of found) {
    if (s.offset < end) continue;
    if (s.offset > end) return { paths, end, beyondGap: s.offset };
    paths.push(s.path);
    end += statSync(s.path).size;
  }
  return { paths, end };
}

/** The most one stretch holds: a log that could not be sent for long goes up in several. */
const MAX_STRETCH_BYTES = 32 * 1024 * 1024;

/**
 * Sends the part of this machine's probe log not yet beside the S3 state (whole lines only: a
 * line still being written waits for the next time); nothing for a local state. Returns the bytes
 * sent. A stretch S3 did not take is forgotten here and sent again next time.
 */
export async function shipEvidence(statePath: string, probeLog: string): Promise<number> {
  if (!isS3Location(statePath)) return 0;
  const id = probeLogId(probeLog);
  if (!id) return 0;
  const dir = join(evidenceDirFor(statePath), machineTag(), id);
  let total = 0;
  for (;;) {
    const { end: sent } = stretchesIn(dir);
    const fresh = readRange(probeLog, sent, Math.max(0, Math.min(MAX_STRETCH_BYTES, statSync(probeLog).size - sent)));
    const whole = fresh.lastIndexOf(0x0a) + 1;
    if (whole === 0) return total;
    const path = join(dir, `${String(sent).padStart(12, '0')}.ndjson`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, fresh.subarray(0, whole).toString('utf8'));
    try {
      await keepBeside(statePath, [path]);
    } catch (e) {
      await rm(path, { force: true });
      throw e;
    }
    total += whole;
  }
}

export interface OtherEvidence {
  /** Each other probe log as its stretches in order (read one after the other, they are that log). */
  logs: { machine: string; paths: string[] }[];
  /** Logs whose stretches stop before a missing one. */
  problems: string[];
}

/**
 * The probe logs other machines (and earlier logs of this folder) kept beside an S3 state,
 * fetched into the local mirror; this machine's own probe log (`probeLog`, read in place) is left
 * out. Nothing for a local state.
 */
export async function evidenceOfOthers(statePath: string, probeLog: string): Promise<OtherEvidence> {
  if (!isS3Location(statePath)) return { logs: [], problems: [] };
  const root = evidenceDirFor(statePath);
  // Stretches never change once S3 has them, so only those the mirror lacks are fetched; but one
  // whose reply was lost is sent again longer under the same name, so a gap asks S3 once more.
  await fetchBeside(statePath, root);
  const own = probeLogId(probeLog);
  const found = othersIn(root, own);
  if (!found.problems.length) return found;
  await fetchBeside(statePath, root, { refresh: true });
  return othersIn(root, own);
}

function othersIn(root: string, own: string | undefined): OtherEvidence {
  const logs: OtherEvidence['logs'] = [];
  const problems: string[] = [];
  if (!existsSync(root)) return { logs, problems };
  for (const machine of readdirSync(root).sort()) {
    const dir = join(root, machine);
    if (!statSync(dir).isDirectory()) continue;
    for (const id of readdirSync(dir).sort()) {
      if (id === own) continue;
      const s = stretchesIn(join(dir, id));
      if (s.paths.length) logs.push({ machine, paths: s.paths });
      if (s.beyondGap !== undefined) {
        problems.push(`the probe evidence of ${machine} (log ${id}) stops at byte ${s.end}: the stretch from there is missing beside the state, and what it kept after byte ${s.beyondGap} is not shown`);
      }
    }
  }
  return { logs, problems };
}

/** How often a run sends its new probe evidence beside an S3 state: what a machine lost for good can lose. */
export const EVIDENCE_SHIP_INTERVAL_MS = 60_000;

export interface EvidenceShipping {
  /** Sends what is left and stops; the warning to show when the evidence could not all be sent. */
  stop(): Promise<string | undefined>;
}

/**
 * Sends the probe log's new lines beside an S3 state every `intervalMs` while a run goes on, one
 * shipment at a time, and once more at the end. A failed shipment never stops the run (the
 * evidence stays on this machine, and the next shipment sends it): only the last one's failure is
 * told. Nothing for a local state.
 */
export function shipEvidenceWhileRunning(statePath: string, probeLog: string, intervalMs = EVIDENCE_SHIP_INTERVAL_MS): EvidenceShipping {
  if (!isS3Location(statePath)) return { stop: async () => undefined };
  let failure: Error | undefined;
  let shipping: Promise<void> = Promise.resolve();
  const ship = () =>
    (shipping = shipping.then(() =>
      shipEvidence(statePath, probeLog).then(
        () => void (failure = undefined),
        (e: unknown) => void (failure = e as Error),
      ),
    ));
  const timer = setInterval(() => void ship(), intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await ship();
      if (!failure) return undefined;
      return `the probe evidence of this machine could not all be kept beside the state (${failure.message.split('\n')[0]}): it is in ${probeLog}, and the next run on this machine sends it`;
    },
  };
}
