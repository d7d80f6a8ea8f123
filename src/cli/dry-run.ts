// The dry run that `plan` prints and `graph PLAN` draws: one code path, so the diagram shows the
// very calls, batches and waves that `plan` lists and `apply --plan-hash` runs. Read-only.
import { describeMark, readMarks } from '../aws/estate-mark.js';
import { observe } from '../aws/observe.js';
import { findProbeInstances } from '../aws/probe-instances.js';
import type { LoadedPlan } from '../plan/load.js';
import { planRun, type RunPlan } from '../steps/plan-run.js';
import { probeSetupProblems, usesSsm, vpcProbes, type VpcProbe } from '../steps/probe-setup.js';
import { accessFor, useReplacedZones } from './common.js';
import type { PermissionPreflight } from './permission-check.js';

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
    const world = await observe(loaded.plan, access);
    let run = planRun(world, loaded.plan);
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
