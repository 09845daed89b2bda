import { Command } from 'commander';

// Placeholder: implemented with the daemon issue.
export function serviceCommand(setExitCode: (code: number) => void): Command {
  return new Command('service').description('(not implemented yet)').action(() => {
    process.stderr.write('mailping service: not implemented yet\n');
    setExitCode(70);
  });
}
