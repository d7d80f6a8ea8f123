// `r53migrate graph [PLAN]`: the run machine, or a plan's dry run, as a Mermaid diagram — for a
// change review, a runbook page, or a README that GitHub draws.
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { renderStateDiagram, stateDiagram } from '../report/machine-graph.js';
import { buildRunMachine, type Direction } from '../machines/run-machine.js';
import { defaultStatePath, loadPlanForCli } from './common.js';
import { dryRun } from './dry-run.js';
import { EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { planFlowchart, renderFlowchart } from '../report/plan-graph.js';
import { renderPlanText } from './render-plan.js';

/** The run machine of a direction as Mermaid text, as `graph` prints it (and the README embeds it). */
export function machineGraph(direction: Direction = 'forward'): string {
  return renderStateDiagram(stateDiagram(buildRunMachine(direction)));
}

/** A ```mermaid block: what GitHub, GitLab and editors' Markdown previews draw as a diagram. */
export function mermaidBlock(diagram: string): string {
  return '```mermaid\n' + diagram + '```\n';
}

export function graphCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('graph')
    .description("Print the run machine, or a plan's steps, batches and waves, as a Mermaid diagram.")
    .argument('[plan]', 'plan file (YAML or JSON): draw its dry run instead of the machine (discovery is read-only, as for plan)')
    .option('--rollback', 'draw the rollback machine: the undo steps from 7 down to 1')
    .option('--out <file>', 'write the diagram to FILE instead of stdout (FILE.md: inside a ```mermaid block)')
    .option('--state <location>', "with a plan: state file whose rollback-re-created zones replace the plan's ids (a file or s3:// location; default: the plan's state.location, else .r53migrate/<plan name>.state.json)")
    .addHelpText(
      'after',
      `
Without a plan it prints the xstate machine every run walks, read off the machine's own
definition: where a run starts (the step the estate is at), each step as a loop of
plan → act → converge → dns → plan until the step has nothing left, and the states a run ends
in (done, halted, failed, stopped) with their exit codes. --rollback draws the rollback's.

With a plan it observes the estate as \`r53migrate plan\` does (read-only: the same accounts,
credentials and region) and draws that dry run: each step, each batch with its API calls, each
wave of step 6 with its VPCs, in the order they run; steps already done are greyed.

The output is Mermaid text. To see the diagram, paste it into https://mermaid.live, or put it in
a Markdown file inside a \`\`\`mermaid block (GitHub, GitLab and VS Code's preview draw it);
--out FILE.md writes that block for you:
  r53migrate graph --out machine.md           the run machine, as a page GitHub draws
  r53migrate graph plan.yaml > plan.mmd       a plan's batches and waves, for mermaid.live
Exit codes: 0 printed, 2 bad input (the plan file, or an estate \`plan\` would refuse: its
reasons are printed), 1 AWS could not be read.`,
    )
    .action(async (file: string | undefined, o: { rollback?: boolean; out?: string; state?: string }) => {
      if (file && o.rollback) {
        throw new UsageError(
          `graph --rollback draws the rollback machine, not a plan: a rollback's calls depend on its run's state file. See them with: r53migrate rollback ${file} --dry-run`,
          'GRAPH_ROLLBACK_PLAN',
        );
      }
      if (o.state && !file) throw new UsageError('graph --state is for a plan\'s dry run: give the plan file too (r53migrate graph PLAN --state FILE)');
      let diagram: string;
      if (!file) {
        diagram = machineGraph(o.rollback ? 'rollback' : 'forward');
      } else {
        const loaded = await loadPlanForCli(file);
        const { run, probes } = await dryRun(loaded, { statePath: o.state ?? defaultStatePath(loaded.plan), note: (line) => io.stderr.write(`note: ${line}\n`) });
        if (!run.ok) {
          io.stderr.write(renderPlanText(loaded, run, probes));
          return setExit(EXIT.badInput);
        }
        diagram = renderFlowchart(planFlowchart(loaded.plan, run));
      }
      if (!o.out) return void io.stdout.write(diagram);
      try {
        writeFileSync(o.out, /\.(md|markdown)$/i.test(o.out) ? mermaidBlock(diagram) : diagram);
      } catch (e) {
        throw new UsageError(`--out ${o.out}: can't write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'BAD_OUT');
      }
      io.stdout.write(`Wrote ${o.out}: ${/\.(md|markdown)$/i.test(o.out) ? 'GitHub draws it as a diagram' : 'paste it into https://mermaid.live to see it'}.\n`);
    });
}
