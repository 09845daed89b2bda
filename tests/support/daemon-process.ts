import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAILPING_BIN } from './run-cli';

/**
 * The real daemon (`mailping serve`) as a child process, on a free loopback port, with its own
 * MAILPING_HOME. Resolves once /health answers; fails with the daemon's stderr if it exits first.
 */
export interface DaemonProcess {
  home: string;
  port: number;
  pid: number;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (or the given signal), then SIGKILL after `graceMs`. Safe to call twice. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function makeHome(settings: Record<string, unknown> = {}): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'mailping-daemon-'));
  await writeFile(join(home, 'config.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return home;
}

export async function removeHome(home: string): Promise<void> {
  await rm(home, { recursive: true, force: true });
}

/** A port nobody listens on right now (the daemon may still lose a race for it; rare on loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** GET on loopback with the Host header we choose (fetch would not let us set it). */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return httpRequest(port, 'GET', path, headers);
}

export function httpRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, timeout: 30_000 },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (d: string) => (text += d));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      },
    );
    request.on('error', reject);
    request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    request.end(body);
  });
}

export interface StartDaemonOptions {
  home: string;
  port?: number;
  /** false: the port comes from MAILPING_PORT or config.json (the test sets them); `port` is only where to wait. */
  portFlag?: boolean;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  /** How to tell it answers (default: GET /health on 127.0.0.1); server mode answers elsewhere. */
  ready?: (port: number) => Promise<boolean>;
}

/**
 * Whether something accepts TCP connections on the port (127.0.0.1): ready without an HTTP
 * request, which would load the daemon's HTTP API (it loads at the first one, see
 * daemon/src/server/lazy-http.ts) where the browser extension only ever opens a WebSocket.
 */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startDaemon(options: StartDaemonOptions): Promise<DaemonProcess> {
  const port = options.port ?? (await freePort());
  const portArgs = options.portFlag === false ? [] : ['--port', String(port)];
  const child = spawn(process.execPath, [MAILPING_BIN, 'serve', ...portArgs, ...(options.args ?? [])], {
    env: { ...process.env, NO_COLOR: '1', MAILPING_HOME: options.home, MAILPING_PORT: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exitedYet = false;
  void exited.then(() => (exitedYet = true));

  const daemon: DaemonProcess = {
    home: options.home,
    port,
    pid: child.pid!,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (!exitedYet) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (exitedYet) throw new Error(`mailping serve exited before answering:\n${stderr}${stdout}`);
    try {
      if (options.ready ? await options.ready(port) : (await httpGet(port, '/health')).status === 200) return daemon;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await daemon.stop('SIGKILL');
      throw new Error(`mailping serve did not answer /health on port ${port} within the deadline:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
