import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';

export interface MailpingPaths {
  /** Where config.json lives. */
  config: string;
  /** Where the database (cache, history, tokens) lives. */
  data: string;
  configFile: string;
  database: string;
}

/**
 * The platform's directories (XDG on Linux, ~/Library on macOS, %APPDATA% on Windows), or one
 * directory for everything when MAILPING_HOME is set (tests, portable installs).
 */
export function mailpingPaths(env: NodeJS.ProcessEnv = process.env): MailpingPaths {
  const home = env.MAILPING_HOME?.trim();
  const dirs = home ? { config: home, data: home } : (({ config, data }) => ({ config, data }))(envPaths('mailping', { suffix: '' }));
  return { ...dirs, configFile: join(dirs.config, 'config.json'), database: join(dirs.data, 'mailping.db') };
}

/** Creates the directories, private to the user: the database holds tokens and addresses. */
export function ensureDirectories(paths: MailpingPaths): void {
  mkdirSync(paths.config, { recursive: true, mode: 0o700 });
  mkdirSync(paths.data, { recursive: true, mode: 0o700 });
}
