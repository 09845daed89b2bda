import { loadSettings, SettingsError } from '../config/load-settings';
import { mailpingPaths, type MailpingPaths } from '../config/paths';
import type { Settings } from '../config/settings';

/**
 * The settings a command runs with: config.json over the defaults, then `adjust` (the command's
 * flags), or null once `say` has told why they cannot be used; the command then exits EXIT_CONFIG.
 */
export function commandSettings(
  say: (line: string) => void,
  options: { paths?: MailpingPaths; adjust?: (settings: Settings) => Settings } = {},
): Settings | null {
  try {
    const settings = loadSettings(options.paths ?? mailpingPaths());
    return options.adjust ? options.adjust(settings) : settings;
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    say(error.message);
    return null;
  }
}
