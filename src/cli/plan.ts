// `r53migrate plan PLAN`: the dry run. Discovery (read-only), the detected path, and every step
// with every API call it would make, in order; no call that changes anything.
import { Command } from 'commander';
import { describeMark, readMarks } from '../aws/estate-mark.js';
import { observe } from '../aws/observe.js';
import { findProbeInstances } from '../aws/probe-instances.js';
import { planJsonSchema } from '../plan/schema.js';
import { planRun } from '../steps/plan-run.js';
import { probeSetupProblems, usesSsm, vpcProbes } from '../steps/probe-setup.js';
import { accessFor, defaultStatePath, loadPlanForCli, useReplacedZones } from './common.js';
import { EXIT } from './errors.js';
import type { CliIo } from './io.js';
import { renderPlanJson, renderPlanText } from './render-plan.js';

export function planCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('plan')
    .description('Dry run: discover the estate (read-only) and print every step with every API call it would make, in order.')
    .argument('<plan>', 'plan file (YAML or JSON)')
    .option('--json', 'print the plan as JSON')
    .option('--state <file>', 'state file whose rollback-re-created zones replace the plan\'s ids (default .r53migrate/<plan name>.state.json)')
    .addHelpText(
      'after',
      `
Nothing is changed: only List/Get/Describe calls are made. The output ends with a plan hash;
\`r53migrate apply PLAN --plan-hash HASH\` applies exactly what you reviewed, and refuses if the
estate changed since. Exit codes: 0 the plan is ready (or nothing to do), 2 the plan file or the
estate is not acceptable (every problem is listed), 1 AWS could not be read.`,
    )
    .action(async (file: string, o: { json?: boolean; state?: string }) => {
      const loaded = await loadPlanForCli(file);
      for (const line of await useReplacedZones(loaded, o.state ?? defaultStatePath(loaded.plan.name))) (o.json ? io.stderr : io.stdout).write(`note: ${line}\n`);
      const access = accessFor(loaded);
      try {
        const world = await observe(loaded.plan, access);
        let run = planRun(world, loaded.plan);
        // Which instance probes which VPC: a VPC that none can probe refuses the plan, as apply would.
        const found = usesSsm(loaded.plan) ? await findProbeInstances(loaded.plan, access) : { instances: [], problems: [] };
        const probeProblems = probeSetupProblems(world, loaded.plan, found);
        if (probeProblems.length) run = { ok: false, problems: [...(run.ok ? [] : run.problems), ...probeProblems], warnings: run.warnings };
        const probes = vpcProbes(loaded.plan, found.instances);
        // A run in progress elsewhere: apply would refuse (exit 4); say so now.
        for (const r of await readMarks(access, loaded.plan, world)) {
          if (r.mark) run.warnings.push(`${r.kind === 'profile' ? `Profile ${loaded.plan.profile.id}` : `zone ${r.id}`} carries the mark of ${describeMark(r.mark)}: apply refuses while that run is changing the estate`);
        }
        // A refused plan is an error: as with apply, its reasons go to stderr (JSON stays on stdout for scripts).
        (run.ok || o.json ? io.stdout : io.stderr).write(o.json ? renderPlanJson(loaded, run, probes) : renderPlanText(loaded, run, probes));
        setExit(run.ok ? EXIT.done : EXIT.badInput);
      } finally {
        access.destroy();
      }
    });
}

export function schemaCommand(io: CliIo): Command {
  return new Command('schema')
    .description('Print the JSON Schema of plan files (for editors: yaml-language-server, VS Code).')
    .action(() => {
      io.stdout.write(JSON.stringify(planJsonSchema(), null, 2) + '\n');
    });
}
