// The entry point alone decides how errors look: user mistakes print one clear message and
// exit 2; a failure with an exit code of its own (lock held 4, halted 3, AWS failure 1) prints its
// message; anything else is a bug and prints its stack with exit 1.
import { Command, CommanderError } from 'commander';
import { AwsError } from '../aws/errors.js';
import { rateScale } from '../aws/budget.js';
import { delayScale } from '../steps/timing.js';
import { EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { graphCommand } from './graph.js';
import { iamPolicyCommand } from './iam-policy.js';
import { planCommand, schemaCommand } from './plan.js';
import { probeCommand } from './probe.js';
import { reportCommand } from './report.js';
import { restoreZoneCommand } from './restore-zone.js';
import { rollbackCommand } from './rollback.js';
import { applyCommand, resumeCommand, statusCommand } from './run.js';
import { sandboxCommand } from './sandbox.js';
import { configureStateBackend } from './state-backend.js';
import { TOOL_VERSION } from './version.js';

function configure(cmd: Command, io: CliIo): void {
  cmd
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  for (const sub of cmd.commands) configure(sub, io);
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('r53migrate')
    .description('Plan, run, verify and resume the move of interface-endpoint DNS from self-managed private hosted zones to Route 53 Profiles.')
    .version(TOOL_VERSION)
    .addHelpText(
      'after',
      `
Typical session:
  r53migrate iam-policy plan.yaml               the least-privilege IAM policy each account needs (--rollback: and to roll back)
  r53migrate plan plan.yaml                     dry run: every API call, in order (changes nothing)
  r53migrate apply plan.yaml --plan-hash HASH   run exactly what was reviewed, gated by DNS probes
      [--window-end 06:00] [--through-step N] [--approve-each-step]    in a change window (exit 5: stopped safely)
  r53migrate resume                             after a halt, a kill or a lost session
  r53migrate status                             where the run stands
  r53migrate report                             the run report: one HTML file for the change board
  r53migrate rollback --dry-run                 every call that would put the estate back as it was
  r53migrate rollback --plan-hash HASH          put it back (from any point), gated like apply
  r53migrate probe plan.yaml --watch            how every VPC resolves every name, live
  r53migrate graph [plan.yaml]                  the run machine (or a plan's batches and waves) as a Mermaid diagram
  r53migrate restore-zone BACKUP.json           put a zone back from its backup (refill it, or re-create it)
  r53migrate sandbox run                        rehearse a whole migration on this machine`,
    );
  program.addCommand(planCommand(io, setExit));
  program.addCommand(applyCommand(io, setExit));
  program.addCommand(resumeCommand(io, setExit));
  program.addCommand(rollbackCommand(io, setExit));
  program.addCommand(statusCommand(io, setExit));
  program.addCommand(reportCommand(io, setExit));
  program.addCommand(probeCommand(io, setExit));
  program.addCommand(schemaCommand(io));
  program.addCommand(iamPolicyCommand(io, setExit));
  program.addCommand(graphCommand(io, setExit));
  program.addCommand(restoreZoneCommand(io, setExit));
  program.addCommand(sandboxCommand(io, setExit));
  configure(program, io);
  return program;
}

export async function runMain(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.done;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    // A rehearsal knob (see aws/budget.ts): a bad value is refused before anything is read.
    try {
      rateScale();
      delayScale();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    // An s3:// state reached before any plan is read (status, report) goes through the credential chain.
    configureStateBackend();
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message already; help and version are not errors.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.done;
      return EXIT.badInput;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`r53migrate: ${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof AwsError) {
      io.stderr.write(`r53migrate: ${e.message}\n`);
      // An account the plan can't reach (AccountSetupError) is bad input; any other AWS failure is 1.
      const own = (e as { exitCode?: unknown }).exitCode;
      return typeof own === 'number' ? own : EXIT.failed;
    }
    const coded = e as { exitCode?: unknown; message?: string };
    if (e instanceof Error && typeof coded.exitCode === 'number') {
      io.stderr.write(`r53migrate: ${e.message}\n`);
      return coded.exitCode;
    }
    io.stderr.write(`r53migrate: unexpected failure (a bug; please report it with this output):\n${(e as Error)?.stack ?? e}\n`);
    return EXIT.failed;
  }
}
