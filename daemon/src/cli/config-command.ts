import { Command } from 'commander';
import { readStoredSettings, writeSettingsFile } from '../config/config-file';
import { lookupKey, setSetting, unsetSetting, type SettingsEdit } from '../config/edit-settings';
import { loadSettings, SettingsError } from '../config/load-settings';
import { mailpingPaths } from '../config/paths';
import { getAt } from '../config/setting-keys';
import { DEFAULT_SETTINGS, type Settings } from '../config/settings';
import { EXIT_CONFIG, EXIT_USAGE } from './exit-codes';

export function configCommand(setExitCode: (code: number) => void): Command {
  const fail = (command: Command, message: string, code: number): never => command.error(`error: ${message}`, { exitCode: code });
  const load = (command: Command): Settings => {
    try {
      return loadSettings(mailpingPaths());
    } catch (error) {
      if (error instanceof SettingsError) return fail(command, error.message, EXIT_CONFIG);
      throw error;
    }
  };

  const get = new Command('get')
    .description('print the effective settings (defaults included) as JSON, or one of them')
    .argument('[key]', 'a dotted key, like timeouts.connectSeconds')
    .option('--json', 'compact JSON (a string value is quoted)')
    .action((key: string | undefined, flags: { json?: boolean }, command: Command) => {
      const settings = load(command);
      if (key === undefined) {
        process.stdout.write(`${flags.json ? JSON.stringify(settings) : JSON.stringify(settings, null, 2)}\n`);
        return;
      }
      const found = lookupKey(key);
      if (!found.ok) return fail(command, found.message, EXIT_USAGE);
      const value = getAt(settings, key);
      const text = flags.json ? JSON.stringify(value) : typeof value === 'string' ? value : JSON.stringify(value, null, found.kind.type === 'group' ? 2 : 0);
      process.stdout.write(`${text}\n`);
    });

  const set = new Command('set')
    .description('change a setting (checked before it is saved); repeat the value for a list: config set dnsServers 1.1.1.1 9.9.9.9')
    .argument('<key>', 'a dotted key, like timeouts.connectSeconds')
    .argument('<value...>', 'the value: text, a number, null, or JSON')
    .action((key: string, values: string[], _flags: unknown, command: Command) => {
      save(command, (stored) => setSetting(stored, key, values), (settings) => `${key} = ${JSON.stringify(getAt(settings, key))}`);
    });

  const unset = new Command('unset')
    .description('forget a setting: back to its default')
    .argument('<key>', 'a dotted key, like timeouts.connectSeconds')
    .action((key: string, _flags: unknown, command: Command) => {
      save(command, (stored) => unsetSetting(stored, key), () => `${key} is back to its default (${JSON.stringify(getAt(DEFAULT_SETTINGS, key))})`);
    });

  const path = new Command('path')
    .description('print where the settings file and the data live')
    .option('--json', 'as a JSON object')
    .action((flags: { json?: boolean }) => {
      const paths = mailpingPaths();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ configFile: paths.configFile, configDir: paths.config, dataDir: paths.data, database: paths.database })}\n`);
      } else {
        process.stdout.write(`config file  ${paths.configFile}\ndata dir     ${paths.data}\ndatabase     ${paths.database}\n`);
      }
    });

  function save(command: Command, edit: (stored: Record<string, unknown>) => SettingsEdit, describe: (settings: Settings) => string): void {
    const paths = mailpingPaths();
    const stored = readStoredSettings(paths);
    if (!stored.ok) return fail(command, `${stored.message} (fix it or delete it)`, EXIT_CONFIG);
    const result = edit(stored.stored);
    if (!result.ok) return fail(command, result.message, result.kind === 'usage' ? EXIT_USAGE : EXIT_CONFIG);
    try {
      writeSettingsFile(paths, result.settings);
    } catch (error) {
      return fail(command, `cannot write ${paths.configFile}: ${(error as Error).message}`, 73); // EX_CANTCREAT
    }
    process.stdout.write(`${describe(result.settings)}\n`);
    process.stderr.write(`saved to ${paths.configFile}\n`);
    setExitCode(0);
  }

  return new Command('config')
    .description('show and change the settings (config.json): HELO name, sender, DNS servers, SOCKS5 proxy, timeouts, limits')
    .addCommand(get, { isDefault: true })
    .addCommand(set)
    .addCommand(unset)
    .addCommand(path);
}
