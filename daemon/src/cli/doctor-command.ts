import { Command } from 'commander';

// Placeholder: implemented with the daemon issue.
export function doctorCommand(setExitCode: (code: number) => void): Command {
  return new Command('doctor').description('(not implemented yet)').action(() => {
    process.stderr.write('mailping doctor: not implemented yet\n');
    setExitCode(70);
  });
}
