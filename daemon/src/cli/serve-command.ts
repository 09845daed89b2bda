import { Command } from 'commander';

// Placeholder: implemented with the daemon issue.
export function serveCommand(setExitCode: (code: number) => void): Command {
  return new Command('serve').description('(not implemented yet)').action(() => {
    process.stderr.write('mailping serve: not implemented yet\n');
    setExitCode(70);
  });
}
