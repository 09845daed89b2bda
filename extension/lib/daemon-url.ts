import { DEFAULT_DAEMON_PORT } from '@mailping/shared';

/**
 * Which daemon URLs the extension talks to. Addresses typed into a page are sent there, and a
 * token with them, so in plain text (`ws://`, `http://`) only to this machine; anything else
 * must be `wss://` (or `https://`, the same server). Pure: the options page, the background and
 * the unit tests share it.
 */

export interface DaemonUrl {
  /** Normalised, what is stored: `ws://127.0.0.1:7425`, `wss://verify.example.com`. */
  url: string;
  /** The WebSocket the background opens. */
  webSocketUrl: string;
  /** The HTTP health probe, for a daemon on this machine only (a remote one would need a host permission). */
  healthUrl: string | null;
  /** The host name without brackets. */
  host: string;
  port: number;
  /** On this machine: plain text allowed, the health probe used, nothing said about where addresses go. */
  local: boolean;
  /** How people see it: `127.0.0.1:7425`, or the server's name (with its port when not 443). */
  label: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };


/** Loopback: what the daemon binds in local mode (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

const SCHEMES: Record<string, { secure: boolean }> = {
  'ws:': { secure: false },
  'http:': { secure: false },
  'wss:': { secure: true },
  'https:': { secure: true },
};

export function parseDaemonUrl(input: string): Parsed<DaemonUrl> {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `wss://${text}`);
  } catch {
    return { ok: false, message: `"${text}" is not a URL: enter one like wss://verify.example.com` };
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme) return { ok: false, message: `${url.protocol}// is not a daemon URL: use wss://, or ws:// for this machine` };
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    return { ok: false, message: 'the URL must not carry a user, a password, a query or a fragment' };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const local = isLoopbackHost(host);
  if (!scheme.secure && !local) {
    return { ok: false, message: `addresses would cross the network unencrypted: use wss://${url.host}${url.pathname === '/' ? '' : url.pathname} (ws:// only to this machine)` };
  }
  const secure = scheme.secure;
  const port = url.port === '' ? (secure ? 443 : local ? DEFAULT_DAEMON_PORT : 80) : Number(url.port);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const defaultPort = secure ? 443 : 80;
  const authority = port === defaultPort ? hostPart : `${hostPart}:${port}`;
  const path = url.pathname.replace(/\/+$/, '').replace(/\/ws$/, '');
  const base = `${secure ? 'wss' : 'ws'}://${authority}${path}`;
  return {
    ok: true,
    value: {
      url: base,
      webSocketUrl: `${base}/ws`,
      healthUrl: local ? `${secure ? 'https' : 'http'}://${authority}${path}/health` : null,
      host,
      port,
      local,
      label: local ? `${hostPart}:${port}` : `${host}${port === 443 ? '' : `:${port}`}${path}`,
    },
  };
}

/** A stored URL (already checked when saved); a damaged one falls back to the default. */
export function daemonUrlOf(stored: string): DaemonUrl {
  const parsed = parseDaemonUrl(stored);
  if (parsed.ok) return parsed.value;
  const fallback = parseDaemonUrl(`ws://127.0.0.1:${DEFAULT_DAEMON_PORT}`);
  if (!fallback.ok) throw new Error('the default daemon URL does not parse');
  return fallback.value;
}
