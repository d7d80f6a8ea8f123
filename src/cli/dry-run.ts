// The dry run that `plan` prints and `graph PLAN` draws: one code path, so the diagram shows the
// very calls, batches and waves that `plan` lists and `apply --plan-hash` runs. Read-only.
import { describeMark, readMarks } from '../aws/estate-mark.js';
import { observe } from '../aws/observe.js';
import { findProbeInstances } from '../aws/probe-instances.js';
import type { LoadedPlan } from '../plan/load.js';
import { phaseStep, planRun, type PlannedStep, type RunPlan } from '../steps/plan-run.js';
import { hasPrepare, planPrepare, prepareProblems, withPreparedProfile } from '../steps/prepare.js';
import { observePrepare } from '../aws/observe-prepare.js';
import type { AwsAccess } from '../aws/access.js';
import type { Plan } from '../plan/schema.js';
import type { World } from '../aws/world.js';
import { probeSetupProblems, usesSsm, vpcProbes, type VpcProbe } from '../steps/probe-setup.js';
import { accessFor, useReplacedZones } from './common.js';
import type { PermissionPreflight } from './permission-check.js';

/** Prepare's dry run: its batches as a step 0, and what refuses it; the Profile's id once it exists. */
async function dryRunPrepare(plan: Plan, access: AwsAccess): Promise<{ step: PlannedStep; problems: string[]; profileId?: string }> {
  const pw = await observePrepare(plan, access);
  const problems = prepareProblems(pw, plan);
  const batches = problems.length ? [] : planPrepare(pw, plan, {});
  return {
    problems,
    ...(pw.profile ? { profileId: pw.profile.id } : {}),
    step: phaseStep({
      id: 'prepare',
      title: 'Prepare: create the Route 53 Profile and share it with every account of the plan',
      why: 'the steps need a Profile every account of the plan sees; a Profile on no VPC changes no answer, so this comes first and its gate is the control plane (each account sees the Profile)',
      batches,
    }),
  };
}

/**
 * The estate observed and the run planned: prepare first when the plan has one (the Profile made
 * and shared), then the seven steps on the world prepare leaves. A Profile prepare made before is
 * found by its name: the plan's Profile id becomes its id.
 */
export async function observeAndPlan(plan: Plan, access: AwsAccess): Promise<{ world: World; run: RunPlan }> {
  let world = await observe(plan, access);
  const prepare = hasPrepare(plan) ? await dryRunPrepare(plan, access) : undefined;
  if (prepare?.profileId && prepare.profileId !== plan.profile.id) {
    plan.profile.id = prepare.profileId;
    world = await observe(plan, access);
  }
  // The steps are planned on the world prepare leaves; the world returned is the one AWS showed.
  let run = planRun(prepare ? withPreparedProfile(world, plan) : world, plan);
  if (prepare?.problems.length) run = { ok: false, problems: [...prepare.problems, ...(run.ok ? [] : run.problems)], warnings: run.warnings };
  else if (run.ok && prepare?.step.batches.length) {
    run = { ...run, nothingToDo: false, steps: [prepare.step, ...run.steps], mutatingCalls: run.mutatingCalls + prepare.step.batches.flat().length };
  }
  return { world, run };
}

export interface DryRun {
  run: RunPlan;
  probes: VpcProbe[];
}

/**
 * Discovery, the step plan, who probes which VPC, and other runs' marks on the estate. `note`
 * gets a line per plan zone a rollback re-created (recorded in the state file at `statePath`).
 */
export async function dryRun(loaded: LoadedPlan, o: { statePath: string; note: (line: string) => void; permissions?: PermissionPreflight }): Promise<DryRun> {
  for (const line of await useReplacedZones(loaded, o.statePath)) o.note(line);
  const access = accessFor(loaded);
  try {
    // `plan` checks the permissions apply will need (cli/permission-check.ts): discovery's first.
    await o.permissions?.discovery(access);
    let { world, run } = await observeAndPlan(loaded.plan, access);
    if (run.ok && !run.nothingToDo) await o.permissions?.run(access, { path: run.path, direction: 'forward', world });
    // Which instance probes which VPC: a VPC that none can probe refuses the plan, as apply would.
    const found = usesSsm(loaded.plan) ? await findProbeInstances(loaded.plan, access) : { instances: [], problems: [] };
    const probeProblems = probeSetupProblems(world, loaded.plan, found);
    if (probeProblems.length) run = { ok: false, problems: [...(run.ok ? [] : run.problems), ...probeProblems], warnings: run.warnings };
    const probes = vpcProbes(loaded.plan, found.instances);
    // A run in progress elsewhere: apply would refuse (exit 4); say so now.
    for (const r of await readMarks(access, loaded.plan, world)) {
      if (r.mark) run.warnings.push(`${r.kind === 'profile' ? `Profile ${loaded.plan.profile.id}` : `zone ${r.id}`} carries the mark of ${describeMark(r.mark)}: apply refuses while that run is changing the estate`);
    }
    return { run, probes };
  } finally {
    access.destroy();
  }
}
