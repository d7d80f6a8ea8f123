// The entry point alone decides how errors look: user mistakes print one clear message and
// exit 2; anything else is a bug and prints its stack with exit 1.
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { sandboxCommand } from './sandbox.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(io: CliIo): Command {
  const program = new Command('r53migrate')
    .description('Plan, run, verify and resume the move of interface-endpoint DNS from self-managed private hosted zones to Route 53 Profiles.')
    .version(version)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  program.addCommand(sandboxCommand(io));
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  for (const cmd of program.commands.flatMap((c) => c.commands)) {
    cmd.exitOverride().showHelpAfterError('(add --help for usage)').configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  }
  return program;
}

export async function runMain(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.done;
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
    io.stderr.write(`r53migrate: unexpected failure (a bug; please report it with this output):\n${(e as Error)?.stack ?? e}\n`);
    return EXIT.failed;
  }
}
