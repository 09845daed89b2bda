import type { ServiceSpec } from './service-spec';
import { WINDOWS_TASK_NAME } from './service-spec';

/** cmd.exe quoting inside schtasks /TR "...": inner quotes are written \" (schtasks' own rule). */
function quoted(path: string): string {
  return `\\"${path}\\"`;
}

/**
 * Windows has no user services without admin rights and a wrapper; a Task Scheduler task that
 * starts at logon does the job. These are printed for the user to run, never run for them.
 */
export function windowsTaskCommands(spec: ServiceSpec): { install: string[]; start: string; uninstall: string; status: string } {
  const run = `${quoted(spec.nodePath)} ${quoted(spec.binPath)} serve`;
  return {
    install: [
      ...Object.entries(spec.env).map(([name, value]) => `setx ${name} "${value}"`),
      `schtasks /Create /TN ${WINDOWS_TASK_NAME} /SC ONLOGON /RL LIMITED /TR "${run}" /F`,
    ],
    start: `schtasks /Run /TN ${WINDOWS_TASK_NAME}`,
    uninstall: `schtasks /Delete /TN ${WINDOWS_TASK_NAME} /F`,
    status: `schtasks /Query /TN ${WINDOWS_TASK_NAME}`,
  };
}

export function windowsRecipe(spec: ServiceSpec): string {
  const c = windowsTaskCommands(spec);
  return [
    'Windows: start the MailPing daemon at logon with Task Scheduler. In a Command Prompt:',
    '',
    ...c.install.map((line) => `  ${line}`),
    `  ${c.start}`,
    '',
    `Check it:   ${c.status}`,
    `Remove it:  ${c.uninstall}`,
    '',
    'If /SC ONLOGON answers "Access is denied", run the Command Prompt as administrator (the task still runs as you).',
    '',
  ].join('\n');
}
