import { Command } from 'commander';

// Placeholder: implemented with the daemon issue.
export function tokensCommand(setExitCode: (code: number) => void): Command {
  return new Command('tokens').description('(not implemented yet)').action(() => {
    process.stderr.write('mailping tokens: not implemented yet\n');
    setExitCode(70);
  });
}
