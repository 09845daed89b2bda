import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { makeHome, startDaemon, type DaemonProcess } from './daemon-process';
import type { TestCa } from './test-ca';
import { connect, type ConnectOptions, type TestClient } from './ws-test-client';

/**
 * Server mode on one machine: the daemon listens on 127.0.43.1 under its own name over TLS, and
 * "this machine" is narrowed to 127.0.0.1 (server.localNetworks), so clients bound to other
 * 127.0.43.x sources are strangers on the network to it. A network namespace would need a veth
 * pair and addresses off loopback, which tests may not use; the narrowed list exercises the same
 * code path (the peer address the kernel reports) with nothing but loopback.
 */
export const SERVER_NAME = 'verify.mailping.test';
export const SERVER_ADDRESS = '127.0.43.1';
export const FRIEND_ADDRESS = '127.0.43.2';
export const STRANGER_ADDRESS = '127.0.43.3';

export interface TlsTarget {
  port: number;
  ca: string;
}

export async function startServerDaemon(ca: TestCa, settings: Record<string, unknown>, server: Record<string, unknown> = {}): Promise<DaemonProcess & { cert: string; key: string }> {
  const { cert, key } = await ca.issue(SERVER_NAME);
  const home = await makeHome({
    ...settings,
    server: { host: SERVER_ADDRESS, tls: { cert, key }, hostnames: [SERVER_NAME], localNetworks: ['127.0.0.1/32', '::1/128'], ...server },
  });
  const daemon = await startDaemon({
    home,
    ready: async (port) => (await tlsRequest({ port, ca: ca.caPem }, 'GET', '/health')).status === 200,
  });
  return Object.assign(daemon, { cert, key });
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** HTTPS to SERVER_NAME at SERVER_ADDRESS, from `from` (a stranger by default). */
export function tlsRequest(
  target: TlsTarget,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
  from = FRIEND_ADDRESS,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: SERVER_NAME,
        port: target.port,
        method,
        path,
        headers,
        ca: target.ca,
        // Node would take the name to check from a Host header we set: a hostile Host is not the TLS name.
        servername: SERVER_NAME,
        localAddress: from,
        agent: false,
        lookup: (_name, _options, callback) => (callback as (e: null, a: string, f: number) => void)(null, SERVER_ADDRESS, 4),
        timeout: 30_000,
      },
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

export function tlsConnect(target: TlsTarget, options: ConnectOptions & { from?: string } = {}): Promise<TestClient> {
  return connect(target.port, { ...options, tls: { name: SERVER_NAME, address: SERVER_ADDRESS, ca: target.ca, localAddress: options.from ?? FRIEND_ADDRESS } });
}

export async function tlsUpgradeStatus(target: TlsTarget, options: ConnectOptions & { from?: string } = {}): Promise<number> {
  try {
    (await tlsConnect(target, options)).close();
    return 0;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}
