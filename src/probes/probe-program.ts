// The in-VPC probe program: `probe/r53m-probe.sh` (POSIX sh, shipped in the package) sent to an
// instance with SSM SendCommand, document AWS-RunShellScript, whose `commands` parameter is a list
// of lines the agent writes to one script file. probeCommands() builds that list: the plan's
// settings as assignments, then the script's lines unchanged (its python3 heredoc needs them so).
// The output format is parsed by ./probe-output.ts. Pure apart from reading the script file.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { QueryType } from './targets.js';

/**
 * Absolute path of probe/r53m-probe.sh. This file sits two levels below the repository root both
 * as src/probes/probe-program.ts (tests) and as dist/probes/probe-program.js (the package).
 */
export const PROBE_SCRIPT_PATH: string = fileURLToPath(new URL('../../probe/r53m-probe.sh', import.meta.url));

export interface ProbeCommandOptions {
  /** Concrete DNS names (no wildcards), queried in this order; output lines index into it. */
  names: readonly string[];
  /** Queries per name (passes over all names). Default 3. */
  count?: number;
  /** Pause between passes. Default 1000. */
  intervalMs?: number;
  /** Per-query timeout. Default 1000 (dig rounds it up to whole seconds). */
  timeoutMs?: number;
  /** The resolver to ask; the script's default is the VPC resolver 169.254.169.253. */
  resolver?: string;
  /** Default 53. */
  port?: number;
  qtype?: QueryType;
}

/** Letters, digits, `-` and `_` in labels of 1–63 characters, 253 in all, an optional final dot. */
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

export function isProbeName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return bare.length > 0 && bare.length <= 253 && bare.split('.').every((l) => LABEL.test(l));
}

let cachedScript: string | undefined;

/** The script's text (read once). */
export function probeScript(): string {
  cachedScript ??= readFileSync(PROBE_SCRIPT_PATH, 'utf8');
  return cachedScript;
}

function wholeNumber(field: string, value: number, min: number, max: number): string {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`probe ${field} must be a whole number from ${min} to ${max} (got ${value})`);
  }
  return String(value);
}

/**
 * The `commands` parameter of AWS-RunShellScript that runs the probe. Names, count, interval,
 * timeout and query type are plain assignments; resolver and port are `: "${VAR:=value}"` so a
 * value already in the environment wins (the test twin points the script at a loopback resolver
 * that way). Every value is checked, and the plain assignments are single-quoted: nothing
 * reaches the shell unvetted.
 * Throws an Error naming the first bad value.
 */
export function probeCommands(opts: ProbeCommandOptions): string[] {
  if (opts.names.length === 0) throw new Error('probe names: at least one name is needed');
  for (const n of opts.names) {
    if (!isProbeName(n)) {
      throw new Error(`probe name ${JSON.stringify(n)} is not a DNS name (letters, digits, "-", "_" and dots only; no wildcards)`);
    }
  }
  const qtype = opts.qtype ?? 'A';
  if (qtype !== 'A' && qtype !== 'AAAA') throw new Error(`probe qtype must be A or AAAA (got ${String(qtype)})`);
  const lines = [
    `R53M_NAMES='${opts.names.join(' ')}'`,
    `R53M_COUNT='${wholeNumber('count', opts.count ?? 3, 1, 1000)}'`,
    `R53M_INTERVAL_MS='${wholeNumber('intervalMs', opts.intervalMs ?? 1000, 0, 3_600_000)}'`,
    `R53M_TIMEOUT_MS='${wholeNumber('timeoutMs', opts.timeoutMs ?? 1000, 1, 60_000)}'`,
    `R53M_QTYPE='${qtype}'`,
  ];
  if (opts.resolver !== undefined) {
    // Unquoted inside "${...:=...}" (single quotes there mean different things to dash and bash),
    // so only an IP literal's characters pass (no IPv6 zone suffix).
    if (isIP(opts.resolver) === 0 || !/^[0-9A-Fa-f.:]+$/.test(opts.resolver)) throw new Error(`probe resolver must be an IP address (got ${JSON.stringify(opts.resolver)})`);
    lines.push(`: "\${R53M_RESOLVER:=${opts.resolver}}"`);
  }
  if (opts.port !== undefined) lines.push(`: "\${R53M_PORT:=${wholeNumber('port', opts.port, 1, 65_535)}}"`);
  const script = probeScript().replace(/\n$/, '').split('\n');
  return [...lines, ...script];
}
