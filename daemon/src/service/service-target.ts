import { join } from 'node:path';
import { LAUNCHD_LABEL, SERVICE_NAME } from './service-spec';

export type ServicePlatform = 'linux' | 'darwin' | 'win32';

export interface ServiceTarget {
  platform: 'linux' | 'darwin';
  dir: string;
  file: string;
  /** true when --dir or MAILPING_SERVICE_DIR chose the directory: systemd/launchd will not look there. */
  custom: boolean;
}

/** Where the unit (Linux) or agent (macOS) goes; --dir or MAILPING_SERVICE_DIR override it (tests). */
export function serviceTarget(platform: 'linux' | 'darwin', options: { dir?: string; env: NodeJS.ProcessEnv; home: string }): ServiceTarget {
  const override = options.dir ?? options.env.MAILPING_SERVICE_DIR;
  const standard =
    platform === 'linux'
      ? join(options.env.XDG_CONFIG_HOME || join(options.home, '.config'), 'systemd', 'user')
      : join(options.home, 'Library', 'LaunchAgents');
  const dir = override || standard;
  const name = platform === 'linux' ? `${SERVICE_NAME}.service` : `${LAUNCHD_LABEL}.plist`;
  return { platform, dir, file: join(dir, name), custom: Boolean(override) };
}

export function servicePlatform(platform: NodeJS.Platform): ServicePlatform | null {
  return platform === 'linux' || platform === 'darwin' || platform === 'win32' ? platform : null;
}
