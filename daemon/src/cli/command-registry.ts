import type { Command } from 'commander';

/** Builds one top-level command; `setExitCode` lets its action report a status without throwing. */
export type CommandFactory = (setExitCode: (code: number) => void) => Command;

/**
 * Every top-level `mailping` command, in help order, each with the module that defines it.
 * A command's module (and everything it imports: SQLite, the server, the engine) is imported only
 * when that command runs, or for the full help: `mailping verify` never pays for `serve`.
 * To add a command: write `src/cli/<name>-command.ts` exporting a CommandFactory, add one line here.
 */
export const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  verify: async () => (await import('./verify-command')).verifyCommand,
  worker: async () => (await import('./worker-command')).workerCommand,
  serve: async () => (await import('./serve-command')).serveCommand,
  pair: async () => (await import('./pair-command')).pairCommand,
  invite: async () => (await import('./invite-command')).inviteCommand,
  connect: async () => (await import('./connect-command')).connectCommand,
  tokens: async () => (await import('./tokens-command')).tokensCommand,
  config: async () => (await import('./config-command')).configCommand,
  doctor: async () => (await import('./doctor-command')).doctorCommand,
  service: async () => (await import('./service-command')).serviceCommand,
};

/** The commands an argument list needs defined: the one it names, or all of them (help, typos). */
export function commandsFor(argv: readonly string[]): string[] {
  const first = argv[0];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
}
