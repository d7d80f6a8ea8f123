// `r53migrate plan PLAN`: the dry run. Discovery (read-only), the detected path, and every step
// with every API call it would make, in order; no call that changes anything.
import { Command } from 'commander';
import { planJsonSchema } from '../plan/schema.js';
import { defaultStatePath, loadPlanForCli } from './common.js';
import { dryRun } from './dry-run.js';
import { EXIT } from './errors.js';
import type { CliIo } from './io.js';
import { PermissionPreflight } from './permission-check.js';
import { renderPlanJson, renderPlanText } from './render-plan.js';

export function planCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('plan')
    .description('Dry run: discover the estate (read-only) and print every step with every API call it would make, in order.')
    .argument('<plan>', 'plan file (YAML or JSON)')
    .option('--json', 'print the plan as JSON')
    .option('--state <location>', 'state file whose rollback-re-created zones replace the plan\'s ids (a file or s3:// location; default: the plan\'s state.location, else .r53migrate/<plan name>.state.json)')
    .addHelpText(
      'after',
      `
Nothing is changed: only List/Get/Describe calls are made. The output ends with a plan hash;
\`r53migrate apply PLAN --plan-hash HASH\` applies exactly what you reviewed, and refuses if the
estate changed since. Exit codes: 0 the plan is ready (or nothing to do), 2 the plan file or the
estate is not acceptable (every problem is listed) or an account may not make a call the run
needs (IAM policy simulator; \`r53migrate iam-policy PLAN\` prints what each account needs), 1 AWS
could not be read.`,
    )
    .action(async (file: string, o: { json?: boolean; state?: string }) => {
      const loaded = await loadPlanForCli(file);
      // The permissions apply will need, checked with IAM's policy simulator: what it found goes
      // beside the plan (stderr with --json, so stdout stays JSON); a denial is exit 2.
      const say = (line: string) => (o.json ? io.stderr : io.stdout).write(`${line}\n`);
      const permissions = new PermissionPreflight(loaded, say);
      const { run, probes } = await dryRun(loaded, { statePath: o.state ?? defaultStatePath(loaded.plan), note: (line) => say(`note: ${line}`), permissions });
      if (run.ok) say(permissions.outcome());
      // A refused plan is an error: as with apply, its reasons go to stderr (JSON stays on stdout for scripts).
      (run.ok || o.json ? io.stdout : io.stderr).write(o.json ? renderPlanJson(loaded, run, probes) : renderPlanText(loaded, run, probes));
      setExit(run.ok ? EXIT.done : EXIT.badInput);
    });
}

export function schemaCommand(io: CliIo): Command {
  return new Command('schema')
    .description('Print the JSON Schema of plan files (for editors: yaml-language-server, VS Code).')
    .action(() => {
      io.stdout.write(JSON.stringify(planJsonSchema(), null, 2) + '\n');
    });
}
