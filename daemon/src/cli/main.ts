import { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from './exit-codes';
import { configCommand } from './config-command';
import { connectCommand } from './connect-command';
import { doctorCommand } from './doctor-command';
import { inviteCommand } from './invite-command';
import { pairCommand } from './pair-command';
import { serveCommand } from './serve-command';
import { serviceCommand } from './service-command';
import { tokensCommand } from './tokens-command';
import { verifyCommand } from './verify-command';
import { workerCommand } from './worker-command';

export const VERSION = '0.1.0';

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
  for (const make of [verifyCommand, serveCommand, pairCommand, inviteCommand, connectCommand, tokensCommand, configCommand, doctorCommand, serviceCommand, workerCommand]) {
    program.addCommand(make(setExitCode));
  }
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
