import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, tcpAccepts, waitUntil } from '../lab/readiness';
import { exitOf, findExecutable } from '../lab/processes';

export interface SocksServer {
  /** socks5://127.0.0.1:PORT (with the credentials, when it wants them). */
  url: string;
  port: number;
  /** What microsocks printed so far: one "client[N] IP: connected to HOST:PORT" line per CONNECT. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real SOCKS5 proxy (Debian's microsocks) on loopback. `bindIp` is the source address of the
 * connections it makes, so the lab's Postfix log shows which sessions came through it.
 */
export async function startMicrosocks(options: { bindIp?: string; user?: string; password?: string } = {}): Promise<SocksServer> {
  const program = findExecutable('microsocks');
  if (!program) throw new Error('the SOCKS tests need microsocks: apt-get install microsocks');
  const port = await freePort('127.0.0.1');
  const args = ['-i', '127.0.0.1', '-p', String(port)];
  if (options.bindIp) args.push('-b', options.bindIp);
  if (options.user) args.push('-u', options.user, '-P', options.password ?? '');
  const child: ChildProcess = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  child.on('error', () => {});
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exitOf(child);
  };
  try {
    await waitUntil(`microsocks on 127.0.0.1:${port}`, () => tcpAccepts('127.0.0.1', port), { child, timeoutMs: 5000 });
  } catch (error) {
    await stop();
    throw error;
  }
  const credentials = options.user ? `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password ?? '')}@` : '';
  return { url: `socks5://${credentials}127.0.0.1:${port}`, port, output: () => output, stop };
}
