// The address lists behind a result's flags (disposable inbox providers, free mailbox providers,
// role accounts), as the daemon searches them: one sorted, newline-separated ASCII text per list
// (src/verify/sorted-list.ts). The build writes them to dist/lists/; a source checkout (unit
// tests) makes the same texts in memory. Looked up in place, 120k domains cost ~2 MB of file
// bytes, where the npm packages' JSON as a JavaScript Set cost ~25 MB of an idle daemon.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { domainToASCII } from 'node:url';

const require = createRequire(import.meta.url);

/** The file names, without `.txt`, each with how an entry is made canonical. */
export const LIST_NAMES = ['disposable', 'disposable-wildcards', 'free', 'roles'];

/** Domains the way lookups see them: lowercase, Unicode names in punycode (`gmaıl.net` → `xn--gmal-…`). */
export function canonicalDomain(domain) {
  return domainToASCII(domain.trim()) || domain.trim().toLowerCase();
}

/** Every list's text: entries sorted by byte, one per line, each line ending in `\n`. */
export function addressListTexts() {
  // free-email-domains is never a runtime dependency: its postinstall downloads the list anew.
  const entries = {
    disposable: require('disposable-email-domains/index.json').map(canonicalDomain),
    // Domains disposable with every subdomain (x.33mail.com).
    'disposable-wildcards': require('disposable-email-domains/wildcard.json').map(canonicalDomain),
    free: require('free-email-domains/domains.json').map(canonicalDomain),
    roles: require('role-based-email-addresses').map((r) => r.trim().toLowerCase()),
  };
  const texts = {};
  for (const name of LIST_NAMES) {
    const sorted = [...new Set(entries[name])].filter(Boolean).sort();
    // Byte order is code-unit order only for ASCII, and a line break would split an entry.
    const bad = sorted.find((e) => !/^[\x21-\x7e]+$/.test(e));
    if (bad !== undefined) throw new Error(`address list ${name}: entry ${JSON.stringify(bad)} is not printable ASCII`);
    texts[name] = `${sorted.join('\n')}\n`;
  }
  return texts;
}

export function writeAddressLists(dir) {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(addressListTexts())) writeFileSync(`${dir}/${name}.txt`, text);
}
