/**
 * The per-site switch. People paste all sorts of things into the list ("https://mail.example.com/x",
 * "*.example.com", "Example.com"), so each entry is reduced to a host name first. An entry silences
 * that host and every subdomain of it: "example.com" covers "app.example.com" too.
 */

/** The host name an entry stands for, or null when there is none. */
export function siteEntryHost(entry: string): string | null {
  let text = entry.trim().toLowerCase();
  if (text === '') return null;
  text = text.replace(/^\*\./, '');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  try {
    const host = new URL(withScheme).hostname.replace(/\.$/, '');
    return host === '' ? null : host;
  } catch {
    return null;
  }
}

export function isSilentSite(hostname: string, entries: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === '') return false;
  return entries.some((entry) => {
    const silenced = siteEntryHost(entry);
    return silenced !== null && (host === silenced || host.endsWith(`.${silenced}`));
  });
}

/** Cleans a list typed into the options page: one host per entry, no duplicates, order kept. */
export function normalizeSiteList(entries: readonly string[]): string[] {
  const hosts = entries.map(siteEntryHost).filter((h): h is string => h !== null);
  return [...new Set(hosts)];
}
