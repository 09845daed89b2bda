import { DEFAULT_DAEMON_PORT } from '@mailping/shared';
import { storage } from 'wxt/utils/storage';
import { daemonUrlOf, parseDaemonUrl, type DaemonUrl } from './daemon-url';

/**
 * Settings about the daemon: where it listens, whether this browser is paired, how long a verdict
 * holds (the token itself is in lib/token-store.ts, out of the content scripts' reach).
 * Only the background and the extension pages import this file (it pulls in the protocol module);
 * what content scripts read lives in lib/settings.ts. Versioned, so a later change of shape ships
 * with a migration instead of a silent reset.
 */

/** Where the daemon is, as a URL (lib/daemon-url.ts says which URLs are allowed). */
export interface DaemonEndpoint {
  url: string;
}

/** Version 1 kept a loopback host and a port: the daemon could only be on this machine. */
export interface DaemonEndpointV1 {
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

export const DEFAULT_ENDPOINT: DaemonEndpoint = { url: `ws://127.0.0.1:${DEFAULT_DAEMON_PORT}` };
export const DEFAULT_REVERIFY_HOURS = 7 * 24;

export function migrateEndpointV1(old: DaemonEndpointV1): DaemonEndpoint {
  const parsed = parseDaemonUrl(`ws://${hostForUrl(old.host)}:${old.port}`);
  return parsed.ok ? { url: parsed.value.url } : DEFAULT_ENDPOINT;
}

function hostForUrl(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare.includes(':') ? `[${bare}]` : bare;
}

export const daemonEndpointItem = storage.defineItem<DaemonEndpoint>('local:daemonEndpoint', {
  fallback: DEFAULT_ENDPOINT,
  version: 2,
  migrations: { 2: migrateEndpointV1 },
});

/**
 * A server URL preset by an administrator (Chrome: a policy for the extension, checked against
 * public/managed_schema.json; Firefox: a managed-storage manifest). When set it wins over the
 * person's own setting, and the options page shows it as the administrator's.
 */
export const managedServerUrlItem = storage.defineItem<string | null>('managed:serverUrl', { fallback: null });

export interface EffectiveEndpoint {
  daemon: DaemonUrl;
  /** Set by the administrator (managed storage), not by the person. */
  managed: boolean;
  /** The administrator's value was refused (e.g. `ws://` to another host): why, to show. */
  managedProblem?: string;
}

/** The endpoint in force: the administrator's URL if there is a valid one, else the person's. */
export async function loadEffectiveEndpoint(): Promise<EffectiveEndpoint> {
  // Firefox rejects managed reads when no managed-storage manifest is installed.
  const managed = await managedServerUrlItem.getValue().catch(() => null);
  let managedProblem: string | undefined;
  if (typeof managed === 'string' && managed.trim() !== '') {
    const parsed = parseDaemonUrl(managed);
    if (parsed.ok) return { daemon: parsed.value, managed: true };
    managedProblem = parsed.message;
  }
  return { daemon: daemonUrlOf((await daemonEndpointItem.getValue()).url), managed: false, ...(managedProblem && { managedProblem }) };
}

export const pairingItem = storage.defineItem<Pairing | null>('local:pairing', {
  fallback: null,
  version: 1,
});

/** How old a definite verdict may be before MailPing asks the mail server again. */
export const reverifyHoursItem = storage.defineItem<number>('local:reverifyHours', {
  fallback: DEFAULT_REVERIFY_HOURS,
  version: 1,
});
