import net from 'node:net';
import { isPublicAddress } from './check-reverse-dns';
import type { CheckResult, DoctorResolver } from './types';

/**
 * Is our public IP on the block lists mail servers consult? A DNSBL is asked with an A query for
 * the reversed address under its zone: an answer in 127.0.0.0/8 means listed, NXDOMAIN means not.
 * Some lists refuse queries from big public resolvers and say so in the answer (Spamhaus:
 * 127.255.255.252-255); then we cannot tell, and say that instead of "not listed".
 */
export interface Blocklist {
  zone: string;
  name: string;
  /** Where to look up and request removal. */
  lookup: string;
}

export const BLOCKLISTS: readonly Blocklist[] = [
  { zone: 'zen.spamhaus.org', name: 'Spamhaus ZEN', lookup: 'https://check.spamhaus.org/' },
  { zone: 'b.barracudacentral.org', name: 'Barracuda', lookup: 'https://www.barracudacentral.org/lookups' },
  { zone: 'bl.spamcop.net', name: 'SpamCop', lookup: 'https://www.spamcop.net/bl.shtml' },
];

/** `203.0.113.7` → `7.113.0.203`; IPv6 as reversed nibbles (RFC 5782). */
export function dnsblQueryName(ip: string, zone: string): string | null {
  if (net.isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.${zone}`;
  if (!net.isIPv6(ip)) return null;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : ip.split(':');
  const nibbles = groups.map((g) => g.padStart(4, '0')).join('').split('');
  return `${nibbles.reverse().join('.')}.${zone}`;
}

type Answer = { list: Blocklist; outcome: 'listed' | 'clean' | 'refused' | 'error'; codes?: string[] };

async function ask(resolver: DoctorResolver, ip: string, list: Blocklist): Promise<Answer> {
  const name = dnsblQueryName(ip, list.zone);
  if (!name) return { list, outcome: 'error' };
  try {
    const codes = await resolver.resolve4(name);
    // 127.255.255.x: the list refuses to answer this resolver (Spamhaus' "public resolver" and "rate" codes).
    if (codes.some((c) => c.startsWith('127.255.255.'))) return { list, outcome: 'refused', codes };
    return codes.some((c) => c.startsWith('127.')) ? { list, outcome: 'listed', codes } : { list, outcome: 'error', codes };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { list, outcome: code === 'ENOTFOUND' || code === 'ENODATA' ? 'clean' : 'error' };
  }
}

export async function checkBlocklists(
  resolver: DoctorResolver,
  publicIp: string | undefined,
  options: { resolverWorks: boolean; lists?: readonly Blocklist[] },
): Promise<Omit<CheckResult, 'durationMs'>> {
  const base = { id: 'blocklists', title: 'block lists' } as const;
  if (!publicIp) return { ...base, status: 'skipped', summary: 'public IP unknown: nothing to look up' };
  if (!isPublicAddress(publicIp)) return { ...base, status: 'skipped', summary: `${publicIp} is a private address: block lists list public ones` };
  if (!options.resolverWorks) return { ...base, status: 'skipped', summary: 'not looked up: DNS does not work' };
  const answers = await Promise.all((options.lists ?? BLOCKLISTS).map((l) => ask(resolver, publicIp, l)));
  const listed = answers.filter((a) => a.outcome === 'listed');
  const unsure = answers.filter((a) => a.outcome === 'refused' || a.outcome === 'error');
  if (listed.length > 0) {
    return {
      ...base,
      status: 'warn',
      summary: `${publicIp} is listed on ${listed.map((a) => `${a.list.name} (${a.codes!.join(', ')})`).join(', ')}: many servers refuse or distrust it`,
      advice: `look the address up and ask for removal: ${listed.map((a) => a.list.lookup).join(', ')}; or verify from another IP`,
    };
  }
  const clean = answers.filter((a) => a.outcome === 'clean');
  if (clean.length === 0) {
    return { ...base, status: 'skipped', summary: `cannot tell: ${unsure.map((a) => a.list.name).join(', ')} did not answer this resolver (some refuse public resolvers)` };
  }
  return {
    ...base,
    status: 'ok',
    summary: `${publicIp} is not on ${clean.map((a) => a.list.name).join(', ')}${unsure.length > 0 ? `; ${unsure.map((a) => a.list.name).join(', ')} could not tell` : ''}`,
  };
}

/**
 * Servers compare the HELO name with the PTR name of the connecting address; a HELO that names
 * another host than the PTR looks like a spam bot (and gets IPs listed). Null when they agree or
 * when there is nothing to compare.
 */
export function heloPtrMismatch(helo: string, ptrName: string | undefined, publicIp: string | undefined): { summary: string; advice: string } | null {
  if (!ptrName || !publicIp) return null;
  if (helo.toLowerCase().replace(/\.$/, '') === ptrName.toLowerCase()) return null;
  return {
    summary: `HELO ${helo} is not the reverse DNS name of ${publicIp} (${ptrName})`,
    advice: `give the PTR name as HELO: mailping config set helo ${ptrName} (a HELO that does not match gets IPs listed)`,
  };
}
