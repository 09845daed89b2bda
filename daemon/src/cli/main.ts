import { Command, CommanderError } from 'commander';
import { COMMANDS, commandsFor } from './command-registry';
import { EXIT_USAGE } from './exit-codes';
import { VERSION } from './version';

/** Runs the `mailping` command line and returns its exit status. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('mailping')
    .description('Local-first email verification: does this mailbox exist? Asked of its own mail server, without sending mail.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .enablePositionalOptions();
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  const factories = await Promise.all(commandsFor(argv).map((name) => COMMANDS[name]!()));
  for (const make of factories) program.addCommand(make(setExitCode));
  overrideExits(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return error.exitCode === 1 || error.exitCode === undefined ? EXIT_USAGE : error.exitCode;
    }
    process.stderr.write(`mailping: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70; // EX_SOFTWARE: a bug, not the user's fault.
  }
}

/** Usage errors anywhere in the command tree become exceptions we map to exit status 64. */
function overrideExits(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) overrideExits(sub);
}
