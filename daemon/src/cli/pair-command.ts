import { Command } from 'commander';

// Placeholder: implemented with the daemon issue.
export function pairCommand(setExitCode: (code: number) => void): Command {
  return new Command('pair').description('(not implemented yet)').action(() => {
    process.stderr.write('mailping pair: not implemented yet\n');
    setExitCode(70);
  });
}
