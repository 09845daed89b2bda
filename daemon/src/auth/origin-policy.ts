import { CHROME_EXTENSION_ID } from '@mailping/shared';
import type { Settings } from '../config/settings';

/**
 * Who may talk to the daemon. Web pages can open WebSockets and send requests to 127.0.0.1
 * (vitest CVE-2025-24964 is that story), so only our extension's origins are let in, and only
 * through a loopback Host name, which defeats DNS rebinding (a rebound name still arrives with
 * the attacker's host name in Host).
 */
export type OriginCheck =
  | { ok: true; origin: string; browser: 'chrome' | 'firefox' }
  | { ok: false; reason: string };

const CHROME_ORIGIN = /^chrome-extension:\/\/([a-p]{32})$/;
const FIREFOX_ORIGIN = /^moz-extension:\/\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function checkExtensionOrigin(origin: string | undefined, allowed: Settings['allowedExtensions']): OriginCheck {
  if (origin === undefined || origin === '') return { ok: false, reason: 'no Origin header' };
  const chrome = CHROME_ORIGIN.exec(origin);
  if (chrome) {
    const id = chrome[1]!;
    return id === CHROME_EXTENSION_ID || allowed.chrome.includes(id)
      ? { ok: true, origin, browser: 'chrome' }
      : { ok: false, reason: `Chrome extension ${id} is not allowed (settings.allowedExtensions.chrome)` };
  }
  const firefox = FIREFOX_ORIGIN.exec(origin);
  if (firefox) {
    const uuid = firefox[1]!;
    // An empty list admits any Firefox extension; its token still works only from its own origin.
    return allowed.firefox.length === 0 || allowed.firefox.some((u) => u.toLowerCase() === uuid)
      ? { ok: true, origin, browser: 'firefox' }
      : { ok: false, reason: `Firefox extension ${uuid} is not allowed (settings.allowedExtensions.firefox)` };
  }
  return { ok: false, reason: `origin ${JSON.stringify(origin.slice(0, 100))} is not a MailPing extension` };
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Host header: a loopback name, with our port or none. Anything else is someone else's name. */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host.toLowerCase());
  if (!match) return false;
  return LOOPBACK_NAMES.has(match[1]!) && (match[2] === undefined || Number(match[2]) === port);
}

/**
 * Host header in server mode: a loopback name as above, or one of the server's own names
 * (`server.hostnames`) with any port: a reverse proxy or a port forward in front may listen on
 * another port than ours, and DNS rebinding is defeated by the name alone.
 */
export function isAllowedHost(host: string | undefined, port: number, hostnames: readonly string[]): boolean {
  if (isLoopbackHost(host, port)) return true;
  if (!host || hostnames.length === 0) return false;
  const match = /^([a-z0-9.-]+?)\.?(?::(\d{1,5}))?$/.exec(host.toLowerCase());
  if (!match) return false;
  const portOk = match[2] === undefined || (Number(match[2]) >= 1 && Number(match[2]) <= 65535);
  return portOk && hostnames.some((n) => n.toLowerCase().replace(/\.$/, '') === match[1]);
}

/** A token works only from the origin it was paired from; a token made on the command line from no browser at all. */
export function tokenFitsOrigin(tokenOrigin: string | null, requestOrigin: string | undefined): boolean {
  return requestOrigin === undefined ? true : tokenOrigin === requestOrigin;
}
