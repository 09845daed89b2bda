/**
 * Starting, finding and stopping the lab's server processes. Everything here works from PIDs
 * recorded by the lab itself, never from process names, so a lab never touches a system MTA or
 * another user's dnsmasq.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync, closeSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Absolute path of a program, looking in PATH and then the sbin directories, which a non-login
 * or sudo environment often leaves out of PATH (postfix, dnsmasq and postgrey live there).
 */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a short command to completion (postfix start/check, openssl). Never throws on exit code. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(findExecutable(command) ?? command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 15_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Start a long-running server with stdout+stderr appended to a log file in the lab dir (for
 * post-mortems, and so the child never blocks on a full pipe nor dies of SIGPIPE if we exit).
 */
export function spawnLogged(command: string, args: readonly string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(findExecutable(command) ?? command, args, { stdio: ['ignore', fd, fd] });
    // Without a listener, a spawn failure (ENOENT) would be an uncaught exception.
    child.on('error', () => {});
    return child;
  } finally {
    closeSync(fd);
  }
}

/** Resolves when the child exits; rejects if it does not within timeoutMs. */
export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

interface ProcStat {
  state: string;
  pgrp: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: parse from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', pgrp: Number(rest[2]) };
  } catch {
    return null;
  }
}

/** Alive and not a zombie (zombies are reaped by init here, sometimes with a delay). */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

export function commandLineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

export function workingDirOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** Live members of a process group (Postfix's master is a group leader; its children follow it). */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = procStat(pid);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(pid);
  }
  return members;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * SIGTERM, wait, then SIGKILL. With `group`, the whole process group (negative pid) is signalled
 * and waited for, so no Postfix child outlives its master.
 */
export async function terminate(pid: number, options: { group?: boolean; graceMs?: number } = {}): Promise<void> {
  const graceMs = options.graceMs ?? 3000;
  const remaining = (): number[] =>
    options.group ? processGroupMembers(pid) : isAlive(pid) ? [pid] : [];
  if (remaining().length === 0) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (remaining().length === 0) return;
    await sleep(20);
  }
  if (options.group) signal(-pid, 'SIGKILL');
  for (const p of remaining()) signal(p, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (remaining().length > 0 && Date.now() < killDeadline) await sleep(20);
}

/** Same as terminate's first step, synchronous: for process 'exit' hooks, where nothing can be awaited. */
export function terminateSync(pid: number, group = false): void {
  signal(group ? -pid : pid, 'SIGTERM');
}

export interface Listener {
  address: string;
  port: number;
  pid: number | null;
  command: string | null;
}

function hexToIpv4(hex: string): string {
  // /proc/net/tcp stores IPv4 addresses as little-endian hex.
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

/**
 * Who listens on TCP `port` at `address` or at the wildcard (which also blocks binding `address`):
 * used only to write a helpful error message.
 */
export function findTcpListeners(address: string, port: number): Listener[] {
  const found: Array<{ address: string; inode: string }> = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A = LISTEN
      const [hexAddr, hexPort] = (f[1] ?? '').split(':');
      if (!hexAddr || !hexPort || parseInt(hexPort, 16) !== port) continue;
      const addr = hexAddr.length === 8 ? hexToIpv4(hexAddr) : hexAddr === '0'.repeat(32) ? '::' : `[${hexAddr}]`;
      if (addr === address || addr === '0.0.0.0' || addr === '::') found.push({ address: addr, inode: f[9] ?? '' });
    }
  }
  if (found.length === 0) return [];
  const owners = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m?.[1] && !owners.has(m[1])) owners.set(m[1], Number(entry));
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return found.map(({ address: a, inode }) => {
    const pid = owners.get(inode) ?? null;
    return { address: a, port, pid, command: pid === null ? null : commandLineOf(pid) };
  });
}
