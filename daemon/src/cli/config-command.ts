import { Command } from 'commander';

// Placeholder: implemented with the daemon issue.
export function configCommand(setExitCode: (code: number) => void): Command {
  return new Command('config').description('(not implemented yet)').action(() => {
    process.stderr.write('mailping config: not implemented yet\n');
    setExitCode(70);
  });
}
