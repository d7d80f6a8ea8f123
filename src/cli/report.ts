// `report`: the run report, rebuilt from the files a run leaves beside its state file.
import { Command } from 'commander';
import { relative } from 'node:path';
import { writeRunReport } from '../report/write.js';
import { findStateFile } from './run.js';
import { defaultStatePath, loadPlanForCli } from './common.js';
import { EXIT } from './errors.js';
import type { CliIo } from './io.js';
import { TOOL_VERSION } from './version.js';

export function reportCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('report')
    .description('Write the run report: one self-contained HTML file a change board can read (no AWS call, no lock taken).')
    .argument('[plan]', 'plan file: its default state file (or --state)')
    .option('--state <location>', "state file or s3:// location (wins over the plan's default)")
    .option('--out <file>', 'where to write the report (default: beside the state file, <plan name>.report.html)')
    .addHelpText(
      'after',
      `
apply, resume and rollback write the report at the end of every invocation; this command makes it
again at any time — for a finished, halted, stopped or still running run — from the state file and
its journal, the run's log, the probe evidence and the zone backups. It never calls AWS.

The report shows the plan and its hash; each step with its batches (or waves), when it started
and ended against its estimate, and every call that changed something: account, operation, target,
result and AWS request id; every halt and stop with its reason and what was done next; the zone
backups with their record counts (read back now); and a resolution timeline: one row per VPC, one
strip per name, coloured by what the probes saw, with the step boundaries drawn across it.
It is one HTML file with everything inline: it opens without a network and can be attached to the
change record.`,
    )
    .action(async (file: string | undefined, o: { state?: string; out?: string }) => {
      const statePath = o.state ?? (file ? defaultStatePath((await loadPlanForCli(file)).plan) : await findStateFile(undefined));
      const { path, bytes, model } = await writeRunReport({ statePath, toolVersion: TOOL_VERSION, ...(o.out ? { out: o.out } : {}) });
      const t = model.timeline;
      io.stdout.write(
        `Report of ${model.run.planName} (${model.run.status}) written to ${relative(process.cwd(), path) || path} (${(bytes / 1024).toFixed(0)} KiB): ` +
          `${model.steps.length} step(s), ${model.incidents.length} halt(s) or stop(s), ${t.rows.length} VPC(s), ${t.results} probe result(s), ${t.nonOkResults} not ok.\n`,
      );
      for (const p of model.problems) io.stdout.write(`note: ${p}\n`);
      setExit(EXIT.done);
    });
}
