import { readFileSync } from 'node:fs';
import { checkSettings } from './check-settings';
import { settingsSchema, type Settings } from './settings';
import type { MailpingPaths } from './paths';

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * config.json merged over the defaults. A missing file means defaults; a broken one is an
 * error that names the file and the bad key, never a silent fallback. MAILPING_PORT (env) wins
 * over the file; pass `{}` as env for what the file alone says.
 */
export function loadSettings(paths: MailpingPaths, env: NodeJS.ProcessEnv = process.env): Settings {
  let stored: unknown = {};
  try {
    stored = JSON.parse(readFileSync(paths.configFile, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new SettingsError(`cannot read ${paths.configFile}: ${(error as Error).message}`);
  }
  const parsed = settingsSchema.safeParse(stored);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SettingsError(`${paths.configFile}: ${issue?.path.join('.') || 'settings'}: ${issue?.message ?? 'invalid'}`);
  }
  const settings = parsed.data;
  // What the schema cannot see (a sender that is no address, a proxy that is no socks5:// URL)
  // would otherwise surface later as a confusing failure of every verification.
  const problem = checkSettings(settings)[0];
  if (problem) throw new SettingsError(`${paths.configFile}: ${problem.key}: ${problem.message}`);
  if (env.MAILPING_PORT) {
    const port = Number(env.MAILPING_PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SettingsError(`MAILPING_PORT=${env.MAILPING_PORT} is not a port number`);
    settings.port = port;
  }
  return settings;
}
