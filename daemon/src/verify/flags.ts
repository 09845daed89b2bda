import type { Flags } from '@mailping/shared';

/**
 * Facts about an address that need no network: disposable inbox providers, role accounts
 * (info@, sales@) and free mailbox providers, from maintained npm lists. The lists are large
 * (120k disposable domains), so they are loaded on first use, not at start-up: the engine awaits
 * loadAddressLists() before it builds a result.
 */
type Lists = (typeof import('./address-lists'))['addressLists'];

let lists: Lists | null = null;

export async function loadAddressLists(): Promise<void> {
  lists ??= (await import('./address-lists')).addressLists;
}

export function addressFlags(local: string, domain: string): Flags {
  if (!lists) throw new Error('addressFlags: the address lists are not loaded (await loadAddressLists() first)');
  const l = lists;
  const d = domain.toLowerCase();
  // "sales+eu@" is still the sales role.
  const base = local.toLowerCase().replace(/^"|"$/g, '').split('+')[0] ?? '';
  return {
    disposable: l.disposable.has(d) || l.disposableWildcards.some((w) => d === w || d.endsWith(`.${w}`)),
    roleAccount: l.roles.has(base),
    freeProvider: l.free.has(d),
  };
}
