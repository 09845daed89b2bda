import type { ServiceSpec } from './service-spec';

/**
 * One ExecStart= word (systemd.service(5) "Command lines"): `%` starts a specifier and `$` a
 * variable, so both are doubled; words with spaces, quotes or backslashes are double-quoted.
 */
export function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\;]/.test(escaped) || escaped === '' ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped;
}

/** An Environment= assignment; `$` is literal there, `%` still a specifier. */
function environmentLine(name: string, value: string): string {
  const assignment = `${name}=${value}`.replace(/%/g, '%%');
  return /[\s"'\\]/.test(assignment) ? `Environment="${assignment.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `Environment=${assignment}`;
}

/** ~/.config/systemd/user/mailping.service: the daemon for this user, restarted if it crashes. */
export function systemdUnit(spec: ServiceSpec): string {
  const lines = [
    '# Written by `mailping service install`; `mailping service uninstall` removes it.',
    '[Unit]',
    'Description=MailPing daemon (local email verification for the browser extension)',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[spec.nodePath, spec.binPath, 'serve'].map(systemdWord).join(' ')}`,
    ...Object.entries(spec.env).map(([name, value]) => environmentLine(name, value)),
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return lines.join('\n');
}
