// What the commands share: loading a plan, building the AWS access layer with its log, and
// turning the run's typed failures into messages and exit codes.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';
import { AwsAccess } from '../aws/access.js';
import { loadPlan, PlanError, type LoadedPlan } from '../plan/load.js';
import { applyZoneReplacements } from '../plan/zone-ids.js';
import { logPathFor, readStateFile } from '../state/index.js';
import { configureStateBackend, defaultStatePath } from './state-backend.js';
import { UsageError } from './errors.js';

export async function loadPlanForCli(file: string): Promise<LoadedPlan> {
  try {
    const loaded = await loadPlan(file);
    configureStateBackend(loaded.plan);
    return loaded;
  } catch (e) {
    if (e instanceof PlanError) throw new UsageError(e.message, e.code);
    throw e;
  }
}

/**
 * NDJSON log (pino, synchronous writes: nothing is lost when the process is killed). A log that
 * stops taking writes (disk full) must not fail the AWS call that was being logged: it is dropped
 * with one warning, and the state file, whose failures do stop the run, stays the record.
 */
export function fileLogger(path: string | undefined, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger | undefined {
  if (!path) return undefined;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const file = pino.destination({ dest: path, sync: true, mode: 0o600 });
  let broken = false;
  const stream = {
    write(line: string): void {
      if (broken) return;
      try {
        file.write(line);
      } catch (e) {
        broken = true;
        warn(`warning: the log ${path} can no longer be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); logging stops, the run goes on`);
      }
    },
  };
  return pino(
    { level: 'debug', base: { tool: 'r53migrate' }, redact: { paths: ['*.secretAccessKey', '*.sessionToken', '*.credentials', 'credentials'], censor: '[redacted]' } },
    stream,
  );
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration from the command line: `90s`, `30m`, `2h`, `1500ms`, or a plain number of
 * milliseconds (as in the plan file's budgets); bounded like the plan field it overrides.
 */
export function parseDuration(text: string, option: string, minMs: number, maxMs: number): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!) : NaN;
  if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
    throw new UsageError(`${option} ${JSON.stringify(text)}: expected a duration from ${minMs / 1000} s to ${maxMs / 3_600_000} h, like 90s, 30m or 2h (a plain number is milliseconds)`, 'BAD_DURATION');
  }
  return ms;
}

/**
 * Zones a rollback re-created live on under new ids, recorded in the state file: the plan's old ids
 * are replaced by them (in memory; the plan file and its hash stay as they are). Returns one line
 * per replacement, for the operator.
 */
export async function useReplacedZones(loaded: LoadedPlan, statePath: string): Promise<string[]> {
  const st = await readStateFile(statePath).catch(() => undefined);
  const changed = applyZoneReplacements(loaded.plan, st?.replacedZones ?? {});
  return changed.map(([old, now]) => `zone ${old} of the plan was re-created by a rollback as ${now} (recorded in ${statePath}): using ${now} — put it in the plan file when convenient`);
}

/** The plan's accounts, at the plan's share of AWS's rates unless this invocation says otherwise (--rate-share). */
export function accessFor(loaded: LoadedPlan, logger?: Logger, rateShare?: number): AwsAccess {
  return new AwsAccess({ region: loaded.plan.region, accounts: loaded.plan.accounts, rateShare: rateShare ?? loaded.plan.budgets.rateShare, ...(logger ? { logger } : {}) });
}

export { defaultStatePath };

export { logPathFor };
