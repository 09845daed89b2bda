import { DEFAULT_DAEMON_PORT } from '@mailping/shared';
import { storage } from 'wxt/utils/storage';

/**
 * Settings about the daemon: where it listens, whether this browser is paired, how long a verdict
 * holds (the token itself is in lib/token-store.ts, out of the content scripts' reach).
 * Only the background and the extension pages import this file (it pulls in the protocol module);
 * what content scripts read lives in lib/settings.ts. Versioned, so a later change of shape ships
 * with a migration instead of a silent reset.
 */

export interface DaemonEndpoint {
  /** A loopback name or address: the daemon only listens on this machine. */
  host: string;
  port: number;
}

export interface Pairing {
  /**
   * Only in a pairing written by an older version (or by a test that configures the extension the
   * way it always did): the background moves it to the token store at once and drops it here.
   */
  token?: string;
  /** Where the token was issued (host:port): a token only works with the daemon that issued it. */
  endpoint: string;
  pairedAt: string;
}

export const DEFAULT_ENDPOINT: DaemonEndpoint = { host: '127.0.0.1', port: DEFAULT_DAEMON_PORT };
export const DEFAULT_REVERIFY_HOURS = 7 * 24;

export const daemonEndpointItem = storage.defineItem<DaemonEndpoint>('local:daemonEndpoint', {
  fallback: DEFAULT_ENDPOINT,
  version: 1,
});

export const pairingItem = storage.defineItem<Pairing | null>('local:pairing', {
  fallback: null,
  version: 1,
});

/** How old a definite verdict may be before MailPing asks the mail server again. */
export const reverifyHoursItem = storage.defineItem<number>('local:reverifyHours', {
  fallback: DEFAULT_REVERIFY_HOURS,
  version: 1,
});

/**
 * The daemon binds loopback only and accepts exactly these Host names (anything else would be a
 * DNS-rebinding attempt to it, or would send addresses off the machine).
 */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'] as const;

export function isLoopbackHost(host: string): boolean {
  return (LOOPBACK_HOSTS as readonly string[]).includes(host.replace(/^\[(.*)\]$/, '$1'));
}

export function endpointLabel(endpoint: DaemonEndpoint): string {
  const bare = endpoint.host.replace(/^\[(.*)\]$/, '$1');
  const host = bare.includes(':') ? `[${bare}]` : bare;
  return `${host}:${endpoint.port}`;
}

export function daemonWebSocketUrl(endpoint: DaemonEndpoint): string {
  return `ws://${endpointLabel(endpoint)}/ws`;
}

export function daemonHealthUrl(endpoint: DaemonEndpoint): string {
  return `http://${endpointLabel(endpoint)}/health`;
}
