// `r53migrate rollback`: drive the estate back to the architecture its run started from (path A
// or B, as the state file's first observation says), from wherever it stands — halted, killed,
// stopped after any step, or complete — through the same gated, checkpointed machine as apply.
import { Command } from 'commander';
import { observe } from '../aws/observe.js';
import { prepareRollback } from '../machines/rollback-prep.js';
import { backupDirFor, fetchBeside, readStateFile, type RunState } from '../state/index.js';
import { phaseStep, planRollback, type RunPlan } from '../steps/plan-run.js';
import { addedToShare, hasPrepare, preparedSomething, prepareUndo } from '../steps/prepare.js';
import { observePrepare } from '../aws/observe-prepare.js';
import type { AwsAccess } from '../aws/access.js';
import type { Plan } from '../plan/schema.js';
import { accessFor, useReplacedZones } from './common.js';
import { EXIT, EXIT_CODES_HELP, UsageError } from './errors.js';
import { confirm, type CliIo } from './io.js';
import { PermissionPreflight } from './permission-check.js';
import { renderPlanJson, renderPlanText, runPlanHash } from './render-plan.js';
import { addRunFlags, executeRun, locateRun, openRunLog, runFlags, type RunFlagOptions } from './run.js';

interface RollbackOptions extends RunFlagOptions {
  state?: string;
  dryRun?: boolean;
  json?: boolean;
  yes?: boolean;
  planHash?: string;
  acceptPlanChange?: boolean;
}

export function rollbackCommand(io: CliIo, setExit: (code: number) => void): Command {
  return addRunFlags(new Command('rollback'))
    .description('Put the estate back as the run found it (path A or B), from any point: halted, killed, part-way, or complete. Gated, checkpointed and resumable like apply.')
    .argument('[plan]', 'plan file (default: the one the state file names)')
    .option('--state <location>', "state file or s3:// location of the run to roll back (default: the plan's state.location, else .r53migrate/<plan name>.state.json)")
    .option('--dry-run', 'print every API call of the rollback, in order, with what each VPC resolves through after each undo step, and its hash; change nothing')
    .option('--json', 'with --dry-run: print it as JSON')
    .option('--yes', 'do not ask for confirmation')
    .option('--plan-hash <hash>', 'roll back only if the rollback is still exactly the one printed by --dry-run with this hash')
    .option('--accept-plan-change', 'roll back although the plan file changed since the run started')
    .addHelpText(
      'after',
      `
The undo steps run from 7 down to 1, each batch checked first against what AWS says now (no VPC
may lose its answer), then gated by association status and DNS probes, as apply's steps are:
  undo 7  deleted zones re-created from their verified backups, with the parking VPC (or the
          keeper) only, their records INSYNC before any other VPC is associated
  undo 6  the spokes take the zones back, in the plan's waves, the last wave first
  undo 5  the endpoints leave the Profile          undo 4  the zones rejoin the Profile
  undo 3  Private DNS off on the endpoints         undo 2  the shared-services VPC takes the zones back
  undo 1  path A: zones and VPCs leave the Profile; path B: the spokes let go of the zones
Re-created zones get new ids: printed, recorded in the state file, and used by later runs of the
plan (apply works again after a rollback). A deleted zone without a backup that reads back as
written (checksum) refuses the rollback before any change. Pairs that were failing when the
rollback started (the halt that led to it) are reported, not gated.
A killed, halted or stopped rollback continues with: r53migrate resume
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string | undefined, o: RollbackOptions) => {
      const flags = runFlags(o);
      const { loaded, planFile, statePath } = await locateRun(file, o.state);
      const state = await readStateFile(statePath);
      if (!state) throw new UsageError(`no run of ${loaded.plan.name} to roll back: no state file at ${statePath} (give the run's state file with --state)`, 'NO_STATE');
      // A run that stopped in prepare (or just after it) has only prepare to take back.
      if (!state.firstObservation && !(hasPrepare(loaded.plan) && preparedSomething(state.journal))) {
        throw new UsageError(`${statePath} does not record how the estate looked when its run started (no first observation): there is no starting point to roll back to`, 'NO_START');
      }
      if (state.plan.hash !== loaded.hash && !o.acceptPlanChange) {
        throw new UsageError(
          `${statePath} records a run of plan ${state.plan.file} with hash ${state.plan.hash}, but ${planFile} has hash ${loaded.hash}: roll back with the plan the run used, or pass --accept-plan-change`,
          'STATE_PLAN_CHANGED',
        );
      }
      for (const line of await useReplacedZones(loaded, statePath)) io.stdout.write(`note: ${line}\n`);
      // The zones come back from their backups: made on another machine for an S3 state, fetched first.
      await fetchBeside(statePath, backupDirFor(statePath, loaded.plan.name));
      const dryRunOnly = o.dryRun === true;
      const { logger } = dryRunOnly ? { logger: undefined } : openRunLog(statePath);
      const access = accessFor(loaded, logger, flags.budgets.rateShare);
      try {
        // The rollback's permissions (IAM policy simulator): a missing one refuses it, nothing changed (exit 2).
        const say = (line: string) => (dryRunOnly && o.json ? io.stderr : io.stdout).write(`${line}\n`);
        const permissions = new PermissionPreflight(loaded, say);
        await permissions.discovery(access);
        const run = await planRollbackOf(loaded.plan, access, state, permissions);
        if (dryRunOnly && run.ok) say(permissions.outcome());
        if (dryRunOnly) {
          (run.ok || o.json ? io.stdout : io.stderr).write(o.json ? renderPlanJson(loaded, run, [], 'rollback') : renderPlanText(loaded, run, [], 'rollback'));
          return setExit(run.ok ? EXIT.done : EXIT.badInput);
        }
        if (!run.ok) {
          io.stderr.write(renderPlanText(loaded, run, [], 'rollback'));
          return setExit(EXIT.badInput);
        }
        if (run.nothingToDo && !(state.direction === 'rollback' && state.status !== 'done')) {
          io.stdout.write(`Nothing to roll back: the estate is as the run first found it (path ${run.path}). Nothing was changed.\n`);
          return setExit(EXIT.done);
        }
        const hash = runPlanHash(loaded, run, 'rollback');
        if (o.planHash && o.planHash !== hash) {
          throw new UsageError(`the rollback's hash is ${hash} now, not ${o.planHash}: the estate or the plan changed since it was reviewed. Review it again with: r53migrate rollback ${planFile} --dry-run`, 'PLAN_HASH_MISMATCH');
        }
        if (!o.yes && !o.planHash) {
          if (!io.stdin || !(io.stdin as { isTTY?: boolean }).isTTY) {
            throw new UsageError(`rollback changes AWS: pass --yes, or --plan-hash ${hash} to run exactly the rollback you reviewed (r53migrate rollback ${planFile} --dry-run)`, 'CONFIRMATION_REQUIRED');
          }
          io.stdout.write(renderPlanText(loaded, run, [], 'rollback'));
          if (!(await confirm(io, `Roll back with these ${run.mutatingCalls} changes? [y/N] `))) {
            io.stdout.write('Nothing was changed.\n');
            return setExit(EXIT.done);
          }
        } else {
          io.stdout.write(`Rolling back ${loaded.plan.name} (hash ${hash}) to path ${run.path}: from undo step ${run.position}, ${run.mutatingCalls} changes.\n`);
        }
        setExit(
          await executeRun(io, loaded, access, {
            mode: 'rollback',
            statePath,
            acceptPlanChange: o.acceptPlanChange,
            command: `rollback ${planFile}`,
            runHash: { hash, reviewed: o.planHash === hash },
            run: flags,
            ...(logger ? { logger } : {}),
          }),
        );
      } finally {
        access.destroy();
      }
    });
}

/**
 * The rollback's dry run: the undo steps from the estate as it is, then what prepare made taken
 * back (the share, the Profile) — or only that, when the run stopped in prepare.
 */
async function planRollbackOf(plan: Plan, access: AwsAccess, state: RunState, permissions: PermissionPreflight): Promise<RunPlan> {
  const pw = hasPrepare(plan) ? await observePrepare(plan, access) : undefined;
  if (pw?.profile) plan.profile.id = pw.profile.id;
  const undo = pw ? prepareUndo(pw, plan, addedToShare(state.journal)) : [];
  const undoStep = phaseStep({
    id: 'undo-prepare',
    title: 'Undo prepare: take back the RAM share and the Route 53 Profile prepare made',
    why: 'last: the Profile holds no VPC and no resource any more once undo step 1 is done',
    batches: undo,
  });
  const prepareOnly = !state.firstObservation || (!!plan.profile.create && !pw?.profile);
  if (prepareOnly) {
    await permissions.run(access, { direction: 'rollback', state });
    return { ok: true, path: state.firstObservation?.path ?? 'A', position: 0, nothingToDo: !undo.length, steps: undo.length ? [undoStep] : [], warnings: [], mutatingCalls: undo.flat().length };
  }
  const world = await observe(plan, access);
  // Before the rollback's own reads (re-created zones are looked up by name): its path is the run's first.
  await permissions.run(access, { path: state.firstObservation!.path, direction: 'rollback', world, state });
  const prep = await prepareRollback({ plan, access, world, state });
  const run = planRollback(world, plan, { path: state.firstObservation!.path, backups: prep.backups });
  if (!run.ok || !undo.length) return run;
  return { ...run, nothingToDo: false, steps: [...run.steps, undoStep], mutatingCalls: run.mutatingCalls + undo.flat().length };
}
