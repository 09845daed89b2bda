/**
 * The lab's state file: which processes a lab started, written as they start, so that
 * `pnpm lab down` (or the next startLab's error message) can deal with a lab left behind by a
 * crashed or interrupted run. PIDs are only signalled after checking their command line still
 * looks like what was recorded, so a recycled PID is never killed.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLineOf, isAlive, terminate } from './processes';

export type LabProcessName = 'dnsmasq' | 'postgrey' | 'postfix-master' | 'owner';

export interface LabProcessRecord {
  name: LabProcessName;
  pid: number;
  /** The whole process group is the server (Postfix's master leads its children's group). */
  group: boolean;
  /** Substring the process's command line must contain for us to signal it. */
  commandHint: string;
}

export interface LabState {
  dir: string;
  startedAt: string;
  dnsServer: string | null;
  postfixConfigDir: string | null;
  processes: LabProcessRecord[];
}

export function stateFile(dir: string): string {
  return join(dir, 'lab-state.json');
}

export function readState(dir: string): LabState | null {
  const file = stateFile(dir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabState;
  } catch {
    return null;
  }
}

export function writeState(state: LabState): void {
  writeFileSync(stateFile(state.dir), `${JSON.stringify(state, null, 2)}\n`);
}

export function removeState(dir: string): void {
  rmSync(stateFile(dir), { force: true });
}

/** Recorded processes that are still running and still look like ours. */
export function liveProcesses(state: LabState): LabProcessRecord[] {
  return state.processes.filter((p) => {
    if (p.pid === process.pid || !isAlive(p.pid)) return false;
    return commandLineOf(p.pid)?.includes(p.commandHint) ?? false;
  });
}

/**
 * Stops whatever a lab in `dir` left running. Servers first, then the process that started them
 * (it holds the in-process servers, e.g. the silent MX, and would otherwise keep port 25 of
 * 127.0.25.98): SIGTERM lets a `lab up` or a test run shut down in order.
 */
export async function stopLeftovers(dir: string): Promise<LabProcessRecord[]> {
  const state = readState(dir);
  if (!state) return [];
  const live = liveProcesses(state);
  const servers = live.filter((p) => p.name !== 'owner');
  await Promise.all(servers.map((p) => terminate(p.pid, { group: p.group })));
  for (const owner of live.filter((p) => p.name === 'owner')) await terminate(owner.pid, { graceMs: 5000 });
  removeState(dir);
  return live;
}
