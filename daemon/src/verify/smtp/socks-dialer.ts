import net from 'node:net';
import { abortFailure, directDialer, type Dialer } from './dial';
import { SmtpFailureError, type FailureCode } from './failure';

// The socks package (and its IP-address library) costs ~10 MB of memory: only users with a
// proxy configured pay for it.
// socks is CommonJS: under tsx its named exports come through, but in the esbuild bundle a dynamic
// import of a CommonJS chunk yields only `default` (module.exports). Take whichever is there.
type SocksModule = typeof import('socks');
let socksModule: Promise<SocksModule> | null = null;
const loadSocks = (): Promise<SocksModule> =>
  (socksModule ??= import('socks').then((m) => ((m as SocksModule & { default?: SocksModule }).SocksClient ? m : (m as { default: SocksModule }).default)));

export interface SocksProxy {
  host: string;
  port: number;
  userId?: string;
  password?: string;
  /** `host:port`, for messages: never the credentials. */
  label: string;
}

export type SocksUrlParse = { ok: true; proxy: SocksProxy } | { ok: false; message: string };

/** `socks5://[user:pass@]host[:port]` (port 1080 when left out). */
export function parseSocksUrl(value: string): SocksUrlParse {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { ok: false, message: `"${value}" is not a URL (expected socks5://host:port)` };
  }
  if (url.protocol !== 'socks5:') return { ok: false, message: `"${value}" is not a socks5:// URL` };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return { ok: false, message: `"${value}" names no proxy host` };
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
    return { ok: false, message: `"${value}": a proxy URL has no path or query (expected socks5://host:port)` };
  }
  const port = url.port === '' ? 1080 : Number(url.port);
  const userId = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const label = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  return { ok: true, proxy: { host, port, label, ...(userId !== undefined && { userId }), ...(password !== undefined && { password }) } };
}

/**
 * Connections to mail servers through a SOCKS5 proxy, for networks that block outbound port 25.
 * We open the TCP connection to the proxy ourselves, so that "the proxy is down" and "the mail
 * server refused" stay different failures, and one deadline and one AbortSignal cover both legs.
 * The target is always an IP address: names were resolved by our own resolver, never the proxy's.
 */
export function socksDialer(proxyUrl: string): Dialer {
  const parsed = parseSocksUrl(proxyUrl);
  if (!parsed.ok) throw new Error(parsed.message);
  const proxy = parsed.proxy;
  const name = `SOCKS proxy ${proxy.label}`;

  return async ({ ip, port, timeoutMs, signal }) => {
    const started = Date.now();
    let socket: net.Socket;
    try {
      socket = await directDialer({ ip: proxy.host, port: proxy.port, timeoutMs, signal });
    } catch (error) {
      if (signal.aborted) throw abortFailure(signal);
      const failure = error instanceof SmtpFailureError ? error : null;
      if (failure?.failure === 'connect_timeout') {
        throw new SmtpFailureError('connect_timeout', `${name} did not answer within ${timeoutMs} ms`);
      }
      const detail = failure ? failure.message.replace(`${proxy.host}:${proxy.port}: `, '') : String(error);
      throw new SmtpFailureError('connection_error', `${name} is unreachable: ${detail}`);
    }
    const remaining = Math.max(1, timeoutMs - (Date.now() - started));
    return handshake(socket, { proxy, name, target: { ip, port }, timeoutMs: remaining, signal });
  };
}

interface Handshake {
  proxy: SocksProxy;
  name: string;
  target: { ip: string; port: number };
  timeoutMs: number;
  signal: AbortSignal;
}

function handshake(socket: net.Socket, { proxy, name, target, timeoutMs, signal }: Handshake): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let ended: SmtpFailureError | null = null;
    const stop = (failure: SmtpFailureError): void => {
      ended ??= failure;
      socket.destroy();
    };
    const timer = setTimeout(
      () => stop(new SmtpFailureError('connect_timeout', `no connection to ${target.ip}:${target.port} through ${name} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = (): void => stop(abortFailure(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };

    loadSocks().then(({ SocksClient }) => SocksClient.createConnection({
      proxy: {
        host: proxy.host,
        port: proxy.port,
        type: 5,
        ...(proxy.userId !== undefined && { userId: proxy.userId }),
        ...(proxy.password !== undefined && { password: proxy.password }),
      },
      command: 'connect',
      destination: { host: target.ip, port: target.port },
      existing_socket: socket,
      // Our own timer decides; this only keeps the library's 30 s default out of the way.
      timeout: timeoutMs + 1000,
    })).then(
      ({ socket: connected }) => {
        done();
        if (ended) {
          connected.destroy();
          reject(ended);
        } else resolve(connected as net.Socket);
      },
      (error: unknown) => {
        done();
        reject(ended ?? handshakeFailure(error, name, target));
      },
    );
  });
}

/**
 * The socks package reports the proxy's reply as text: "Socks5 proxy rejected connection -
 * ConnectionRefused" carries the RFC 1928 reply code's name after the dash.
 */
const REPLY_FAILURES: Record<string, { failure: FailureCode; says: string }> = {
  ConnectionRefused: { failure: 'connection_refused', says: 'connection refused' },
  TTLExpired: { failure: 'connect_timeout', says: 'timed out' },
  HostUnreachable: { failure: 'connection_error', says: 'host unreachable' },
  NetworkUnreachable: { failure: 'connection_error', says: 'network unreachable' },
  NotAllowed: { failure: 'connection_error', says: 'not allowed by the proxy\'s rules' },
};

export function handshakeFailure(error: unknown, name: string, target: { ip: string; port: number }): SmtpFailureError {
  const message = error instanceof Error ? error.message : String(error);
  const to = `${target.ip}:${target.port}`;
  const rejected = /rejected connection - (\w+)/.exec(message);
  if (rejected) {
    const known = REPLY_FAILURES[rejected[1]!];
    if (known) return new SmtpFailureError(known.failure, `${to} through ${name}: ${known.says}`);
    return new SmtpFailureError('connection_error', `${name} could not connect to ${to} (${rejected[1]})`);
  }
  if (/Authentication/i.test(message) || /NoAcceptedAuthType/i.test(message) || /no accepted authentication/i.test(message)) {
    return new SmtpFailureError('connection_error', `${name} refused our credentials (${message})`);
  }
  return new SmtpFailureError('connection_error', `${name} failed: ${message}`);
}
