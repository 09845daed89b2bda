import net from 'node:net';
import { resolveHost } from './check-dns';
import type { CheckResult, DoctorResolver } from './types';

export type HeloShape = 'fqdn' | 'localhost' | 'bare' | 'private_suffix' | 'address_literal' | 'invalid';

const PRIVATE_SUFFIXES = ['local', 'localdomain', 'lan', 'home', 'internal', 'intranet', 'corp', 'private', 'localhost', 'home.arpa'];

/** What kind of name this is, before asking DNS anything. */
export function heloShape(name: string): HeloShape {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (/^\[.*\]$/.test(n)) return 'address_literal';
  if (net.isIP(n)) return 'invalid';
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(n)) return 'invalid';
  if (n === 'localhost' || n.startsWith('localhost.')) return 'localhost';
  if (!n.includes('.')) return 'bare';
  if (PRIVATE_SUFFIXES.some((s) => n.endsWith(`.${s}`))) return 'private_suffix';
  return 'fqdn';
}

const SET_HELO = 'set a name that resolves to your public IP (mailping config set helo mail.example.com)';

export interface HeloOptions {
  /** Whether the name came from the settings/--helo (true) or from the machine's host name. */
  configured: boolean;
  /** false: the DNS check already found the resolver broken, so asking again would only wait. */
  resolverWorks: boolean;
  /** Our public address, when a mail server told us. */
  publicIp?: string;
}

/**
 * The name we give in EHLO. Servers check it: "localhost" or a bare host name marks a sender as
 * a misconfigured machine (or a bot), and a name that does not resolve is refused by many.
 */
export async function checkHelo(resolver: DoctorResolver, name: string, options: HeloOptions): Promise<Omit<CheckResult, 'durationMs'>> {
  const base = { id: 'helo', title: 'HELO name' } as const;
  const what = `"${name}"${options.configured ? '' : ' (this machine\'s host name)'}`;
  const shape = heloShape(name);
  if (shape === 'localhost' || shape === 'bare' || shape === 'invalid') {
    const why = shape === 'localhost' ? 'is localhost' : shape === 'bare' ? 'is not a fully qualified domain name' : 'is not a host name';
    return { ...base, status: 'warn', summary: `${what} ${why}: many servers refuse or distrust such a greeting`, advice: SET_HELO };
  }
  if (shape === 'private_suffix') {
    return { ...base, status: 'warn', summary: `${what} is a local-network name that means nothing on the internet`, advice: SET_HELO };
  }
  if (shape === 'address_literal') {
    return { ...base, status: 'ok', summary: `${what} is an address literal (allowed; a real name is better liked)` };
  }
  if (!options.resolverWorks) {
    return { ...base, status: 'skipped', summary: `${what} looks like a host name; not looked up: DNS does not work` };
  }
  const found = await resolveHost(resolver, name);
  if (!found.ip) {
    const why = found.code === 'ENOTFOUND' ? 'does not exist in DNS (NXDOMAIN)' : found.code === 'ENODATA' ? 'has no address in DNS' : `could not be looked up (${found.code})`;
    return { ...base, status: 'warn', summary: `${what} ${why}: servers that check it will refuse us`, advice: SET_HELO };
  }
  if (options.publicIp && !found.addresses.includes(options.publicIp)) {
    return {
      ...base,
      status: 'warn',
      summary: `${what} resolves to ${found.addresses.join(', ')}, but mail servers see us as ${options.publicIp}`,
      advice: `point ${name} at ${options.publicIp}, or set a name that does (mailping config set helo <name>)`,
    };
  }
  return { ...base, status: 'ok', summary: `${what} resolves to ${found.addresses.join(', ')}${options.publicIp ? ' (our public IP)' : ''}` };
}
