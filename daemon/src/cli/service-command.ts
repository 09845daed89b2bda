import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { activationCommands, shellLine } from '../service/activation';
import { launchdPlist } from '../service/launchd-plist';
import { mailpingBinPath } from '../service/mailping-bin';
import { carriedEnv, SERVICE_NAME, type ServiceSpec } from '../service/service-spec';
import { serviceTarget, servicePlatform, type ServicePlatform, type ServiceTarget } from '../service/service-target';
import { systemdUnit } from '../service/systemd-unit';
import { windowsRecipe, windowsTaskCommands } from '../service/windows-task';
import { EXIT_UNAVAILABLE } from './exit-codes';

interface ServiceFlags {
  dir?: string;
  now?: boolean;
  json?: boolean;
  platform?: ServicePlatform;
}

export function serviceCommand(setExitCode: (code: number) => void): Command {
  const common = (command: Command): Command =>
    command
      .option('--dir <dir>', 'write the file here instead of the standard place (the service manager will not see it)')
      .addOption(new Option('--platform <platform>', 'act as on this platform (tests)').choices(['linux', 'darwin', 'win32']).hideHelp());

  const install = common(new Command('install'))
    .description('start the daemon at login: a systemd user unit (Linux) or a launchd agent (macOS); on Windows, print a Task Scheduler recipe')
    .option('--now', 'also enable and start it now (runs systemctl --user / launchctl)')
    .action(async (flags: ServiceFlags, command: Command) => {
      const ctx = context(flags, command);
      if (ctx.platform === 'win32') {
        process.stdout.write(windowsRecipe(ctx.spec));
        return;
      }
      const target = ctx.target!;
      const content = fileContent(target, ctx.spec);
      const current = existsSync(target.file) ? readFileSync(target.file, 'utf8') : null;
      if (current === content) {
        process.stdout.write(`already installed: ${target.file}\n`);
      } else {
        writeAtomically(target.file, content);
        process.stdout.write(`${current === null ? 'wrote' : 'updated'} ${target.file}\n`);
      }
      const enable = activationCommands(target, os.userInfo().uid).enable;
      if (!flags.now) {
        process.stdout.write(`\nTo start it now and at every login, run:\n  ${shellLine(enable)}\n`);
        return;
      }
      setExitCode(await runManager(enable, target, ctx.platform));
    });

  const uninstall = common(new Command('uninstall'))
    .description('stop starting the daemon at login, and remove the unit/agent file')
    .option('--now', 'also stop it and tell the service manager (runs systemctl --user / launchctl)')
    .action(async (flags: ServiceFlags, command: Command) => {
      const ctx = context(flags, command);
      if (ctx.platform === 'win32') {
        process.stdout.write(`Windows: remove the Task Scheduler task in a Command Prompt:\n  ${windowsTaskCommands(ctx.spec).uninstall}\n`);
        return;
      }
      const target = ctx.target!;
      if (!existsSync(target.file)) {
        process.stdout.write(`not installed: there is no ${target.file}\n`);
        return;
      }
      const disable = activationCommands(target, os.userInfo().uid).disable;
      let code = 0;
      if (flags.now) code = await runManager(disable, target, ctx.platform);
      rmSync(target.file, { force: true });
      // What `systemctl disable` removes; harmless when it already did.
      if (target.platform === 'linux') rmSync(join(target.dir, 'default.target.wants', `${SERVICE_NAME}.service`), { force: true });
      process.stdout.write(`removed ${target.file}\n`);
      if (!flags.now) {
        const stop = target.platform === 'linux' ? [['systemctl', '--user', 'stop', SERVICE_NAME], ['systemctl', '--user', 'daemon-reload']] : disable;
        process.stdout.write(`\nIf it is running now, stop it with:\n  ${shellLine(stop)}\n`);
      }
      setExitCode(code);
    });

  const status = common(new Command('status'))
    .description('is the autostart entry installed and current, and what does the service manager say (exit 1 when not installed)')
    .option('--json', 'print one JSON object')
    .action(async (flags: ServiceFlags, command: Command) => {
      const ctx = context(flags, command);
      if (ctx.platform === 'win32') {
        process.stdout.write(`Windows: ask Task Scheduler in a Command Prompt:\n  ${windowsTaskCommands(ctx.spec).status}\n`);
        return;
      }
      const target = ctx.target!;
      const installed = existsSync(target.file);
      const upToDate = installed && readFileSync(target.file, 'utf8') === fileContent(target, ctx.spec);
      const manager = await askManager(target, ctx.platform);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ platform: target.platform, file: target.file, installed, upToDate, manager })}\n`);
      } else {
        const state = !installed ? 'not installed' : upToDate ? 'installed' : 'installed, but for another node or mailping path: run mailping service install again';
        process.stdout.write(`${state}: ${target.file}\n`);
        if (manager) for (const answer of manager.answers) process.stdout.write(`  ${answer.command}: ${answer.output || `(exit ${answer.code})`}\n`);
        else process.stdout.write(`  (${managerSkipReason(target, ctx.platform)})\n`);
      }
      setExitCode(installed ? 0 : 1);
    });

  return new Command('service')
    .description('start the daemon automatically at login (systemd user unit, launchd agent, or a Windows Task Scheduler recipe)')
    .addCommand(install)
    .addCommand(uninstall)
    .addCommand(status);
}

interface Context {
  platform: ServicePlatform;
  spec: ServiceSpec;
  target: ServiceTarget | null;
}

function context(flags: ServiceFlags, command: Command): Context {
  const platform = flags.platform ?? servicePlatform(process.platform);
  if (!platform) {
    return command.error(`error: autostart is not supported on ${process.platform}: start "mailping serve" your own way`, { exitCode: EXIT_UNAVAILABLE });
  }
  const spec: ServiceSpec = { nodePath: process.execPath, binPath: mailpingBinPath(), env: carriedEnv(process.env) };
  const target = platform === 'win32' ? null : serviceTarget(platform, { ...(flags.dir !== undefined && { dir: flags.dir }), env: process.env, home: os.homedir() });
  return { platform, spec, target };
}

function fileContent(target: ServiceTarget, spec: ServiceSpec): string {
  return target.platform === 'linux' ? systemdUnit(spec) : launchdPlist(spec, join(os.homedir(), 'Library', 'Logs', 'mailping.log'));
}

function writeAtomically(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, content, { mode: 0o644 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Why the service manager is not asked: a custom directory it never reads, another platform, or no binary. */
function managerSkipReason(target: ServiceTarget, platform: ServicePlatform): string | null {
  const program = target.platform === 'linux' ? 'systemctl' : 'launchctl';
  if (target.custom) return `custom directory: ${program} not asked`;
  if (platform !== process.platform) return `not on ${platform}: ${program} not asked`;
  if (!onPath(program)) return `${program} not found`;
  return null;
}

async function runManager(commands: string[][], target: ServiceTarget, platform: ServicePlatform): Promise<number> {
  const skip = managerSkipReason(target, platform);
  if (skip) {
    process.stderr.write(`--now not done (${skip}); run it yourself:\n  ${shellLine(commands)}\n`);
    return 1;
  }
  for (const argv of commands) {
    const result = await run(argv);
    process.stdout.write(`$ ${shellLine([argv])}\n${result.output ? `${result.output}\n` : ''}`);
    if (result.code !== 0) {
      process.stderr.write(`error: ${argv[0]} exited with ${result.code}\n`);
      return 1;
    }
  }
  return 0;
}

async function askManager(target: ServiceTarget, platform: ServicePlatform): Promise<{ answers: Array<{ command: string; code: number; output: string }> } | null> {
  if (managerSkipReason(target, platform)) return null;
  const answers = [];
  for (const argv of activationCommands(target, os.userInfo().uid).status) {
    const result = await run(argv);
    // `launchctl print` is long: its first line says enough.
    answers.push({ command: shellLine([argv]), code: result.code, output: result.output.split('\n')[0] ?? '' });
  }
  return { answers };
}

function run(argv: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
