import { memoByKey, type Flags } from '@mailping/shared';
import { domainToASCII } from 'node:url';
import { readAddressLists, type AddressLists } from './address-lists';

/**
 * Facts about an address that need no network: disposable inbox providers, role accounts
 * (info@, sales@) and free mailbox providers, from maintained npm lists. The lists are read on
 * first use (a few milliseconds: they are searched in place, not parsed): the engine awaits
 * loadAddressLists() before it builds a result, and `serve` right after it listens.
 */
let lists: AddressLists | null = null;
let loading: Promise<void> | null = null;

export function loadAddressLists(): Promise<void> {
  loading ??= readAddressLists().then((l) => {
    lists = l;
  });
  return loading;
}

export function addressFlags(local: string, domain: string): Flags {
  if (!lists) throw new Error('addressFlags: the address lists are not loaded (await loadAddressLists() first)');
  // "sales+eu@" is still the sales role.
  const base = local.toLowerCase().replace(/^"|"$/g, '').split('+')[0] ?? '';
  const { disposable, freeProvider } = domainFlags(domain);
  return { disposable, roleAccount: lists.roles.has(base), freeProvider };
}

/** A list's addresses share a few domains: each domain's lookups (four binary searches) once. */
const domainFlags = memoByKey((domain: string): Omit<Flags, 'roleAccount'> => {
  const l = lists!;
  // The lists hold Unicode names in punycode, as domainToASCII gives them (it lowercases too).
  const d = domainToASCII(domain) || domain.toLowerCase();
  return {
    disposable: l.disposable.has(d) || parentDomains(d).some((p) => l.disposableWildcards.has(p)),
    freeProvider: l.free.has(d),
  };
});

/** a.b.example.com → a.b.example.com, b.example.com, example.com, com. */
function parentDomains(domain: string): string[] {
  const labels = domain.split('.');
  return labels.map((_, i) => labels.slice(i).join('.'));
}
