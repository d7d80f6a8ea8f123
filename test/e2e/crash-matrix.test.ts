// The crash matrix (issue 6, part 1), both paths on a small multi-account estate (3 VPCs,
// 1 endpoint, 2 accounts; path A with a parking VPC, so no VPC is excused in step 7, path B with
// the keeper): for every mutating request n of a clean run, the CLI is killed with
// SIGKILL while the twin holds request n, (a) before it applies and (b) after it applied but
// before the reply leaves; then `resume`, repeatedly if needed, to the end. Every point asserts:
// the final world equals the clean run's; the test's own probe loop (not the CLI's monitor) saw
// no wrong answer for a pair that had to resolve; the twin's log shows no mutation applied twice
// and none rejected; the state file parsed every time the test looked.
//
// A last row probes every VPC through SSM (the twin runs the probe program per SendCommand) and
// kills at the first request of each step: the probes' own requests are never the ones held.
//
// Rollback rows (issue 11): a rollback from "complete" at every one of its mutating requests, and
// from "halted at step 6" at the first request of each undo step, both paths with a parking VPC;
// killed before the request applies at odd n and after it applied at even n (both phases at every
// point with R53M_CRASH_BOTH_PHASES=1), then resumed to the starting world.
//
// State in S3 rows (issue 14): the state is kept in the sandbox's bucket (the plan's state:
// entry), the first request of each step is killed on both paths, and every resume runs from
// another working directory with another home, as a teammate's machine would.
//
// Each point runs on an estate of its own; points run a few at a time (they mostly wait on the
// twin's lifecycles and the DNS gates). R53M_CRASH_POINTS=3 tries only the first 3 requests of
// each path (a quick local run); CI runs them all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanRun,
  completeRun,
  crashPoint,
  haltedAtStep6,
  rollbackCleanRun,
  rollbackCrashPoint,
  semaphore,
  type Backend,
  type CleanRun,
  type Phase,
  type RollbackCleanRun,
  type RollbackSetup,
} from '../support/crash-matrix.js';
import { recordRow } from '../support/reliability.js';

const PATHS: [string, string[]][] = [
  ['path A, parking VPC', ['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '2', '--parking', '--waves', '2']],
  ['path B', ['--scenario', 'via-profile', '--vpcs', '3', '--endpoints', '1', '--accounts', '2']],
];
const ROLLBACK_PATHS: [string, string[]][] = [
  ['path A', ['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '2', '--parking', '--waves', '2']],
  ['path B', ['--scenario', 'via-profile', '--vpcs', '3', '--endpoints', '1', '--accounts', '2', '--parking']],
];
const ROLLBACK_FROM: [string, RollbackSetup, 'every request' | 'first of each undo step'][] = [
  ['complete', completeRun, 'every request'],
  ['halted at step 6', haltedAtStep6, 'first of each undo step'],
];
const BOTH_PHASES = process.env.R53M_CRASH_BOTH_PHASES === '1';
/** No Profile at the start (issue 15): prepare creates and shares it; every request of prepare, both phases. */
const PREPARE_PATH: [string, string[]] = ['no Profile (prepare)', ['--scenario', 'direct-no-profile', '--vpcs', '3', '--endpoints', '1', '--accounts', '3', '--parking']];
/** Every VPC probed from inside through SSM Run Command (issue 10). */
const SSM_PATH: [string, string[]] = ['path A, SSM probes', ['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '2', '--probes', 'ssm']];
/**
 * The state in S3 (issue 14), both paths: the first request of each step, killed before it applies
 * in odd steps and after it applied in even ones on path A, the other way round on path B (so every
 * step is killed both ways across the two); every resume runs from another working directory and home.
 */
const S3_PATHS: [string, string[], 0 | 1][] = [
  ['path A, parking VPC, state in S3', PATHS[0]![1], 0],
  ['path B, state in S3', PATHS[1]![1], 1],
];
const PHASES: [Phase, string][] = [
  ['before', 'killed before it applies'],
  ['after', 'killed after it applied, reply lost'],
];
/** Estates alive at once, across all four tests. */
const inFlight = semaphore(6);
const LIMIT = Number(process.env.R53M_CRASH_POINTS ?? Infinity);

/** Kills at the first request of each step of `run` (before or after it applies, as `phaseOf` says), resumes, and records each point's row. */
async function firstOfEachStep(path: string, args: string[], run: CleanRun, limit: <R>(task: () => Promise<R>) => Promise<R>, phaseOf: (step: number) => [Phase, string], backend?: Backend): Promise<void> {
  const results = await Promise.all(run.stepStarts.slice(0, LIMIT).map(({ step, n }) => limit(async () => {
    const op = run.mutations[n - 1]!;
    const [phase, label] = phaseOf(step);
    const r = await crashPoint(args, n, phase, run, backend);
    recordRow({ table: 'crash matrix', group: `${path}, first request of each step`, name: `step ${step}: #${n} ${op}, ${label}${r.held !== op ? ` (held ${r.held})` : ''}`, passed: r.problems.length === 0, outcome: `resumes exited ${r.resumes.join(',')}` });
    return { n, op, ...r };
  })));
  const failed = results.filter((r) => r.problems.length > 0);
  summary.push(`  ${path}, first request of each step: ${results.length} points, ${results.length - failed.length} passed`);
  expect(failed.map((f) => `#${f.n} ${f.op} (held ${f.held}, resumes ${f.resumes.join(',')}):\n  ${f.problems.join('\n  ')}`)).toEqual([]);
}

const clean = new Map<string, CleanRun>();
const cleanRollback = new Map<string, RollbackCleanRun>();
const summary: string[] = [];

beforeAll(async () => {
  await Promise.all([
    ...[...PATHS, SSM_PATH, PREPARE_PATH].map(async ([path, args]) => clean.set(path, await cleanRun(args))),
    ...S3_PATHS.map(async ([path, args]) => clean.set(path, await cleanRun(args, 's3'))),
    ...ROLLBACK_PATHS.flatMap(([path, args]) => ROLLBACK_FROM.map(async ([from, setup]) => cleanRollback.set(`${path} ${from}`, await rollbackCleanRun(args, setup)))),
  ]);
}, 900_000);

afterAll(() => {
  if (summary.length) console.log(['', 'crash matrix', ...summary].join('\n'));
});

describe.concurrent('crash matrix: SIGKILL at every mutating request (of the migration, and of its rollback), then resume', () => {
  for (const [path, args] of PATHS) {
    for (const [phase, label] of PHASES) {
      it(`${path}: ${label}`, async () => {
        const run = clean.get(path)!;
        const points = run.mutations.map((op, i) => ({ n: i + 1, op })).slice(0, LIMIT);
        expect(points.length, 'the clean run made mutating requests').toBeGreaterThan(0);
        const results = await Promise.all(points.map(({ n, op }) => inFlight(async () => {
          const r = await crashPoint(args, n, phase, run);
          const passed = r.problems.length === 0;
          const name = `#${n} ${op}${r.held !== op ? ` (held ${r.held})` : ''}`;
          recordRow({ table: 'crash matrix', group: `${path}, ${label}`, name, passed, outcome: `resumes exited ${r.resumes.join(',')}` });
          return { n, op, ...r };
        })));
        const failed = results.filter((r) => r.problems.length > 0);
        summary.push(`  ${path}, ${label}: ${results.length} points, ${results.length - failed.length} passed`);
        expect(failed.map((f) => `#${f.n} ${f.op} (held ${f.held}, resumes ${f.resumes.join(',')}):\n  ${f.problems.join('\n  ')}`)).toEqual([]);
      }, 3_600_000);
    }
  }
  for (const [phase, label] of PHASES) {
    it(`${PREPARE_PATH[0]}: every request of prepare, ${label}`, async () => {
      const [path, args] = PREPARE_PATH;
      const run = clean.get(path)!;
      // Prepare is step 0: its requests are those before step 1's first (the estate mark's tags among them).
      expect(run.stepStarts.map((s) => s.step).slice(0, 2), 'prepare, then step 1').toEqual([0, 1]);
      const step1 = run.stepStarts.find((s) => s.step === 1)!.n;
      const points = run.mutations.slice(0, step1 - 1).map((op, i) => ({ n: i + 1, op })).slice(0, LIMIT);
      expect(points.map((p) => p.op)).toEqual(expect.arrayContaining(['CreateResourceShare', 'CreateProfile', 'AssociateResourceShare', 'AcceptResourceShareInvitation']));
      const results = await Promise.all(points.map(({ n, op }) => inFlight(async () => {
        const r = await crashPoint(args, n, phase, run);
        recordRow({ table: 'crash matrix', group: `${path}, ${label}`, name: `#${n} ${op}${r.held !== op ? ` (held ${r.held})` : ''}`, passed: r.problems.length === 0, outcome: `resumes exited ${r.resumes.join(',')}` });
        return { n, op, ...r };
      })));
      const failed = results.filter((r) => r.problems.length > 0);
      summary.push(`  ${path}, ${label}: ${results.length} points, ${results.length - failed.length} passed`);
      expect(failed.map((f) => `#${f.n} ${f.op} (held ${f.held}, resumes ${f.resumes.join(',')}):\n  ${f.problems.join('\n  ')}`)).toEqual([]);
    }, 3_600_000);
  }
  for (const [path, args, parity] of S3_PATHS) {
    it(`${path}: the first request of each step, resumed from other machines`, async () => {
      const run = clean.get(path)!;
      expect(run.stepStarts.length, 'a point in every step').toBeGreaterThanOrEqual(5);
      await firstOfEachStep(path, args, run, inFlight, (step) => PHASES[(step + parity) % 2 === 1 ? 0 : 1]!, 's3');
    }, 3_600_000);
  }
  for (const [path, args] of ROLLBACK_PATHS) {
    for (const [from, setup, which] of ROLLBACK_FROM) {
      it(`${path}, rollback from ${from}: ${which}`, async () => {
        const run = cleanRollback.get(`${path} ${from}`)!;
        expect(run.stepStarts.map((s) => s.step), 'a point in every undo step it makes').toEqual(from === 'complete' ? [7, 6, 5, 4, 3, 2, 1] : [6, 5, 4, 3, 2, 1]);
        const ns = which === 'every request' ? run.mutations.map((_, i) => i + 1) : run.stepStarts.map((s) => s.n);
        const points = ns.slice(0, LIMIT).flatMap((n) => (BOTH_PHASES ? PHASES : [PHASES[n % 2 === 1 ? 0 : 1]!]).map(([phase, label]) => ({ n, phase, label })));
        const results = await Promise.all(points.map(({ n, phase, label }) => inFlight(async () => {
          const op = run.mutations[n - 1]!;
          const r = await rollbackCrashPoint(args, setup, n, phase, run);
          recordRow({ table: 'crash matrix', group: `${path}, rollback from ${from}`, name: `#${n} ${op}, ${label}${r.held !== op ? ` (held ${r.held})` : ''}`, passed: r.problems.length === 0, outcome: `resumes exited ${r.resumes.join(',')}` });
          return { n, op, ...r };
        })));
        const failed = results.filter((r) => r.problems.length > 0);
        summary.push(`  ${path}, rollback from ${from}: ${results.length} points, ${results.length - failed.length} passed`);
        expect(failed.map((f) => `#${f.n} ${f.op} (held ${f.held}, resumes ${f.resumes.join(',')}):\n  ${f.problems.join('\n  ')}`)).toEqual([]);
      }, 3_600_000);
    }
  }
});

// After the full matrix, on a quieter machine: every SSM probe round runs the probe program as a
// process per instance, so these estates cost far more CPU than the others. The first request of
// each step, killed before it applies in odd steps and after it applied in even ones.
describe('crash matrix through SSM probes: SIGKILL at the first request of each step, then resume', () => {
  it(SSM_PATH[0], async () => {
    const [path, args] = SSM_PATH;
    const run = clean.get(path)!;
    expect(run.stepStarts.map((s) => s.step), 'a point in every step').toEqual([1, 2, 3, 4, 5, 6, 7]);
    await firstOfEachStep(path, args, run, semaphore(3), (step) => PHASES[step % 2 === 1 ? 0 : 1]!);
  }, 3_600_000);
});
