/** What an autostart entry runs: `node <mailping bin> serve`, with the environment that matters. */
export interface ServiceSpec {
  /** Absolute path of the node binary (process.execPath): services get no login shell's PATH. */
  nodePath: string;
  /** Absolute path of the `mailping` bin script. */
  binPath: string;
  /** MAILPING_HOME / MAILPING_PORT when set at install time, so the service finds the same data. */
  env: Record<string, string>;
}

export const SERVICE_NAME = 'mailping';
export const LAUNCHD_LABEL = 'dev.mailping.daemon';
export const WINDOWS_TASK_NAME = 'MailPing';

/** Variables that change where the daemon keeps its data or listens: carried into the service. */
export const CARRIED_ENV = ['MAILPING_HOME', 'MAILPING_PORT'] as const;

export function carriedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(CARRIED_ENV.flatMap((name) => (env[name] ? [[name, env[name]!]] : [])));
}
