import net from 'node:net';

/**
 * The server a CLI talks to, from what the user typed: https:// (or wss://, the same server) to
 * anything; http:// or ws:// only to this machine, because a token and a list of addresses in
 * plain text over a network is exactly what server mode exists to prevent.
 */
export type ServerUrl = { ok: true; base: URL } | { ok: false; message: string };

export function isLoopbackName(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}

export function parseServerUrl(input: string): ServerUrl {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, message: `"${input}" is not a URL (like https://verify.example.com)` };
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const plain = url.protocol === 'http:' || url.protocol === 'ws:';
  if (!secure && !plain) return { ok: false, message: `${url.protocol}// is not a server URL: use https://` };
  if (plain && !isLoopbackName(url.hostname)) {
    return { ok: false, message: `${url.protocol}// sends your token and addresses in plain text: only allowed to this machine; use https://${url.host}` };
  }
  if (url.username || url.password) return { ok: false, message: 'put the token in MAILPING_TOKEN, not in the URL' };
  const base = new URL(`${secure ? 'https' : 'http'}://${url.host}${url.pathname.replace(/\/+$/, '')}`);
  return { ok: true, base };
}
