import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the figures were measured on: they mean little without it. */
export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  kernel: string;
  os: string;
  postfix: string;
  date: string;
}

export function describeMachine(): Machine {
  const prettyName = (() => {
    try {
      return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
    } catch {
      return os.type();
    }
  })();
  const postfix = (() => {
    try {
      return execFileSync('postconf', ['-h', 'mail_version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  })();
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    os: prettyName,
    postfix,
    date: new Date().toISOString().slice(0, 10),
  };
}

export function renderMachine(m: Machine): string {
  return [
    `- CPU: ${m.cpu}, ${m.cores} cores available`,
    `- RAM: ${m.ramGb} GB`,
    `- OS: ${m.os}, kernel ${m.kernel}`,
    `- Node.js ${m.node}; Postfix ${m.postfix} (the lab's MTA)`,
    `- Measured on ${m.date}`,
  ].join('\n');
}
