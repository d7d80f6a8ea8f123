// Reading what probe/r53m-probe.sh printed (format R53M1) back into ProbeReply values, so the
// in-VPC results go through the same classify() as the prober's. Pure.
//
//   R53M1 begin mode=<dig|python3|getent> resolver=<addr>:<port>|system t=<epoch ms>
//   <i> <offsetMs> <rcode|TIMEOUT|ERROR|?> <latencyMs> <addr,addr,...|->
//   R53M1 end n=<answer lines>
//
// What the parser tolerates, and why:
// - Lines before the begin line that don't start with "R53M1" (agent or login-shell chatter).
//   After the end line, lines that don't start with "R53M1" (nothing the script writes).
//   A second begin, or any R53M1 line after the end line, is refused.
// - Blank lines anywhere (the SSM agent puts one before its stderr title).
// - Output cut short: a last line without its newline is dropped (unless it is the end line), and
//   so is the line the SSM agent cut to append "---Output truncated---" (ListCommandInvocations
//   keeps 2,500 characters of stdout+stderr per plugin); the result is ok with complete: false.
// - The agent's "----------ERROR-------" title: stdout ended there (stderr follows).
// Anything else between begin and end is garbage: ok: false, naming the first bad line.
import { isIP } from 'node:net';
import { canonical, normaliseAddress } from './answers.js';
import type { ProbeReply } from './prober.js';

export type ProbeMode = 'dig' | 'python3' | 'getent';

export interface ProbeAnswer {
  /** The name queried (names[i] as given to the parser). */
  name: string;
  /** When the query started, in ms after startedEpochMs. */
  offsetMs: number;
  latencyMs: number;
  reply: ProbeReply;
}

export type ParsedProbeOutput =
  | {
      ok: true;
      mode: ProbeMode;
      /**
       * True for getent mode: it asks the instance's system resolver (not the VPC resolver the plan
       * names) and learns no response code, so NXDOMAIN, SERVFAIL and a timeout all read as "error".
       */
      degraded: boolean;
      /** `addr:port`, or `system` in getent mode. */
      resolver: string;
      startedEpochMs: number;
      /** The end line was seen and its count matches the answer lines read. */
      complete: boolean;
      answers: ProbeAnswer[];
    }
  | { ok: false; reason: string };

const BEGIN = /^R53M1 begin mode=(dig|python3|getent) resolver=(\S+) t=(\d{1,16})$/;
const END = /^R53M1 end n=(\d{1,9})$/;
const ANSWER = /^(\d{1,9}) (\d{1,12}) (\?|[A-Z][A-Z0-9]{0,15}) (\d{1,12}) (\S+)$/;
const SSM_CUT = /-+\s*output truncated\s*-+$/i;
const SSM_STDERR_TITLE = /^-+ERROR-+$/;

export const GETENT_NO_ADDRESS =
  'getent found no address (getent gives no response code: NXDOMAIN, SERVFAIL and a timeout look alike)';

function show(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}

export function parseProbeOutput(stdout: string, names: readonly string[]): ParsedProbeOutput {
  const lines = stdout.split(/\r?\n/);
  // A last piece without its newline was cut mid-line, unless it is the whole end line.
  const last = lines[lines.length - 1]!;
  if (last === '' || !(END.test(last) || SSM_CUT.test(last))) lines.pop();
  // The SSM agent cuts the text and appends "\n---Output truncated---": the piece before the
  // marker is partial, unless the cut fell on a line end (then it is empty).
  let cut = false;
  const marker = lines.findIndex((l) => SSM_CUT.test(l));
  if (marker >= 0) {
    cut = true;
    const alone = lines[marker]!.replace(SSM_CUT, '') === '';
    lines.length = alone && lines[marker - 1] !== '' ? Math.max(0, marker - 1) : marker;
  }

  let begin: { mode: ProbeMode; resolver: string; startedEpochMs: number } | undefined;
  let endCount: number | undefined;
  const answers: ProbeAnswer[] = [];
  const bad = (n: number, why: string): ParsedProbeOutput => ({
    ok: false,
    reason: `probe output line ${n + 1}: ${why}: ${show(lines[n]!)}`,
  });

  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '') continue;
    if (SSM_STDERR_TITLE.test(line)) break;
    if (!begin) {
      if (!line.startsWith('R53M1')) continue;
      const m = BEGIN.exec(line);
      if (!m) return bad(n, 'expected the R53M1 begin line');
      begin = { mode: m[1] as ProbeMode, resolver: m[2]!, startedEpochMs: Number(m[3]) };
      continue;
    }
    if (endCount !== undefined) {
      if (line.startsWith('R53M1')) return bad(n, 'R53M1 line after the end line');
      continue;
    }
    const end = END.exec(line);
    if (end) {
      endCount = Number(end[1]);
      continue;
    }
    const m = ANSWER.exec(line);
    if (!m) return bad(n, 'not an answer line ("<i> <offsetMs> <rcode> <latencyMs> <answers>")');
    const i = Number(m[1]);
    const name = names[i];
    if (name === undefined) return bad(n, `name index ${i} is outside the ${names.length} name(s) probed`);
    const rcode = m[3]!;
    const latencyMs = Number(m[4]);
    const field = m[5]!;
    const addresses = field === '-' ? [] : field.split(',');
    const wrong = addresses.find((a) => isIP(a) === 0);
    if (wrong !== undefined) return bad(n, `${JSON.stringify(wrong)} is not an IP address`);
    if ((rcode === '?') !== (begin.mode === 'getent')) {
      return bad(n, begin.mode === 'getent' ? 'getent mode gives "?" as its rcode' : `"?" is getent's rcode, not ${begin.mode}'s`);
    }
    if ((rcode === 'TIMEOUT' || rcode === 'ERROR') && addresses.length > 0) return bad(n, `${rcode} with addresses`);
    const reply = toReply(begin.mode, name, rcode, latencyMs, addresses);
    answers.push({ name, offsetMs: Number(m[2]), latencyMs, reply });
  }

  if (!begin) {
    return { ok: false, reason: lines.some((l) => l.trim() !== '') ? 'no R53M1 begin line in the probe output' : 'the probe output is empty' };
  }
  return {
    ok: true,
    ...begin,
    degraded: begin.mode === 'getent',
    complete: !cut && endCount !== undefined && endCount === answers.length,
    answers,
  };
}

function toReply(mode: ProbeMode, name: string, rcode: string, latencyMs: number, raw: string[]): ProbeReply {
  const base = { latencyMs, attempts: 1, transport: 'udp' as const };
  if (rcode === 'TIMEOUT') return { outcome: 'timeout', ...base };
  if (rcode === 'ERROR') {
    return { outcome: 'error', error: `${mode} failed: no reply and no response code (the instance's stderr may say why)`, ...base };
  }
  const chain = [canonical(name)];
  const addresses = [...new Set(raw.map(normaliseAddress))].sort();
  if (rcode === '?') {
    if (addresses.length === 0) return { outcome: 'error', error: GETENT_NO_ADDRESS, ...base };
    return { outcome: 'reply', rcode: 'NOERROR', addresses, chain, ...base };
  }
  if (rcode !== 'NOERROR') return { outcome: 'reply', rcode, addresses: [], chain, ...base };
  if (addresses.length === 0) return { outcome: 'reply', rcode, addresses, chain, chainError: 'no addresses (NODATA)', ...base };
  return { outcome: 'reply', rcode, addresses, chain, ...base };
}
