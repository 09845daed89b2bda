import { LAUNCHD_LABEL, SERVICE_NAME } from './service-spec';
import type { ServiceTarget } from './service-target';

/** Commands that make the service manager pick the file up (or let go of it), as argv lists. */
export interface Activation {
  enable: string[][];
  disable: string[][];
  status: string[][];
}

export function activationCommands(target: ServiceTarget, uid: number): Activation {
  if (target.platform === 'linux') {
    return {
      enable: [
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', '--now', SERVICE_NAME],
      ],
      disable: [
        ['systemctl', '--user', 'disable', '--now', SERVICE_NAME],
      ],
      status: [
        ['systemctl', '--user', 'is-enabled', SERVICE_NAME],
        ['systemctl', '--user', 'is-active', SERVICE_NAME],
      ],
    };
  }
  const domain = `gui/${uid}`;
  return {
    enable: [['launchctl', 'bootstrap', domain, target.file]],
    disable: [['launchctl', 'bootout', `${domain}/${LAUNCHD_LABEL}`]],
    status: [['launchctl', 'print', `${domain}/${LAUNCHD_LABEL}`]],
  };
}

/** A command list as a user would type it: `a && b`. */
export function shellLine(commands: string[][]): string {
  return commands.map((argv) => argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ')).join(' && ');
}
