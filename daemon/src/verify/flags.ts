import { createRequire } from 'node:module';
import type { Flags } from '@mailping/shared';

/**
 * Facts about an address that need no network: disposable inbox providers, role accounts
 * (info@, sales@) and free mailbox providers, from maintained npm lists. The lists are large
 * (120k disposable domains), so they are loaded on first use, not at start-up.
 */
const require = createRequire(import.meta.url);

let lists: { disposable: Set<string>; disposableWildcards: string[]; free: Set<string>; roles: Set<string> } | null = null;

function load(): NonNullable<typeof lists> {
  lists ??= {
    disposable: new Set(require('disposable-email-domains') as string[]),
    // Domains listed here are disposable with every subdomain (x.33mail.com).
    disposableWildcards: require('disposable-email-domains/wildcard.json') as string[],
    free: new Set(require('free-email-domains') as string[]),
    roles: new Set((require('role-based-email-addresses') as string[]).map((r) => r.toLowerCase())),
  };
  return lists;
}

/**
 * Loads the lists now. A long-running daemon calls it once it listens: loading them takes about
 * 150 ms of CPU, which would otherwise fall between its first SMTP answer and the person.
 */
export function preloadFlagLists(): void {
  load();
}

export function addressFlags(local: string, domain: string): Flags {
  const l = load();
  const d = domain.toLowerCase();
  // "sales+eu@" is still the sales role.
  const base = local.toLowerCase().replace(/^"|"$/g, '').split('+')[0] ?? '';
  return {
    disposable: l.disposable.has(d) || l.disposableWildcards.some((w) => d === w || d.endsWith(`.${w}`)),
    roleAccount: l.roles.has(base),
    freeProvider: l.free.has(d),
  };
}
