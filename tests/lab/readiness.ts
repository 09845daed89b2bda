/**
 * Waiting for servers to really answer, and finding free ports. A lab that resolves before its
 * servers answer makes the first test of a run flaky, so every server is probed with a real
 * request (SMTP banner, DNS query, policy query) rather than trusted after spawn.
 */
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export function tailOf(file: string, lines = 15): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Polls `probe` until it returns true. Fails early if `child` exits, with the tail of its log,
 * because a server that died on start-up will never answer.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs?: number; child?: ChildProcess; logFile?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError = '';
  for (;;) {
    if (options.child && (options.child.exitCode !== null || options.child.signalCode !== null)) {
      const log = options.logFile ? `\n${tailOf(options.logFile)}` : '';
      throw new Error(`${what}: the process exited (${options.child.exitCode ?? options.child.signalCode}) before answering${log}`);
    }
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) {
      const log = options.logFile ? `\n${tailOf(options.logFile)}` : '';
      throw new Error(`${what}: no answer within ${options.timeoutMs ?? 10_000} ms${lastError ? ` (${lastError})` : ''}${log}`);
    }
    await sleep(25);
  }
}

/** A DNS query to the lab's server only (never the system resolver). */
export async function dnsAnswers(server: string, name: string): Promise<boolean> {
  const resolver = new dns.Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([server]);
  const addresses = await resolver.resolve4(name);
  return addresses.length > 0;
}

export function tcpAccepts(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function listenTcp(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => resolve(socket));
  });
}

function closeTcp(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** Can a TCP server bind host:port right now? (Catches wildcard listeners such as a system MTA on 0.0.0.0:25.) */
export async function tcpPortFree(host: string, port: number): Promise<boolean> {
  try {
    await closeTcp(await listenTcp(host, port));
    return true;
  } catch {
    return false;
  }
}

export async function udpPortFree(host: string, port: number): Promise<boolean> {
  try {
    await closeUdp(await bindUdp(host, port));
    return true;
  } catch {
    return false;
  }
}

/** A port free for TCP (and UDP too when asked) on host; a DNS server needs both. */
export async function freePort(host: string, protocols: { udp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = await listenTcp(host, 0);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    let ok = port > 0;
    if (ok && protocols.udp) ok = await udpPortFree(host, port);
    await closeTcp(server);
    if (ok) return port;
  }
  throw new Error(`no free ${protocols.udp ? 'TCP+UDP ' : 'TCP '}port on ${host}`);
}
