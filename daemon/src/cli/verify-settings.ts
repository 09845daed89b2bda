import type { Settings } from '../config/settings';

/** The command-line flags of `mailping verify` that override the settings file. */
export interface VerifySettingFlags {
  dnsServer?: string[];
  helo?: string;
  from?: string;
  timeout?: number;
  tls?: 'auto' | 'always';
  socks?: string;
}

/** The settings file, with what the command line says on top (the file itself is not changed). */
export function settingsWithFlags(settings: Settings, flags: VerifySettingFlags): Settings {
  const timeouts = { ...settings.timeouts };
  if (flags.timeout !== undefined) {
    // One number from the user bounds every phase too, or one phase alone could outlast it.
    timeouts.totalSeconds = flags.timeout;
    timeouts.connectSeconds = Math.min(timeouts.connectSeconds, flags.timeout);
    timeouts.greetingSeconds = Math.min(timeouts.greetingSeconds, flags.timeout);
    timeouts.commandSeconds = Math.min(timeouts.commandSeconds, flags.timeout);
  }
  return {
    ...settings,
    ...(flags.dnsServer !== undefined && { dnsServers: flags.dnsServer }),
    ...(flags.helo !== undefined && { helo: flags.helo }),
    ...(flags.from !== undefined && { from: flags.from }),
    ...(flags.tls !== undefined && { tls: flags.tls }),
    ...(flags.socks !== undefined && { socksProxy: flags.socks }),
    timeouts,
  };
}
