/**
 * Where the site adapters run: the webmails' own hosts. The adapters entrypoint is declared for
 * these URLs only (entrypoints/webmail-adapters.ts); elsewhere the main content script
 * uses the generic adapter. Kept apart from the adapters so the main content script can tell a
 * webmail host from any other without carrying their code.
 */
export const WEBMAIL_MATCHES = [
  'https://mail.google.com/*',
  'https://outlook.live.com/*',
  'https://outlook.office.com/*',
  'https://outlook.office365.com/*',
  'https://mail.yahoo.com/*',
  'https://*.mail.yahoo.com/*',
  'https://mail.proton.me/*',
  'https://mail.protonmail.com/*',
  'https://app.fastmail.com/*',
  'https://www.fastmail.com/*',
  'https://beta.fastmail.com/*',
];

/** Whether a host is one of those (its own adapter runs there, not the generic one). */
export function isWebmailHost(hostname: string): boolean {
  return WEBMAIL_MATCHES.some((pattern) => {
    const host = pattern.slice('https://'.length, -'/*'.length);
    return host.startsWith('*.') ? hostname.endsWith(host.slice(1)) : hostname === host;
  });
}
