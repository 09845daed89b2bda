import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { MxRecord } from '@mailping/shared';

/**
 * Where mail for a domain goes (RFC 5321 §5.1): MX hosts in preference order, random among
 * equals; no MX at all means the domain's own A/AAAA is the implicit MX; `MX 0 .` (RFC 7505)
 * means "no mail here". Every answer is a typed outcome: a missing domain, a domain without mail
 * and a resolver that failed are different things and lead to different verdicts.
 */
export type MxLookup =
  | { kind: 'mx'; mx: MxRecord[]; implicit: boolean }
  | { kind: 'null_mx' }
  | { kind: 'no_such_domain'; message: string }
  | { kind: 'no_mail_server'; message: string }
  | { kind: 'dns_error'; code: string; message: string };

/** The subset of `dns.promises.Resolver` we use, so tests and caches can stand in. */
export interface MxResolver {
  resolveMx(hostname: string): Promise<Array<{ exchange: string; priority: number }>>;
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
}

export interface ResolverOptions {
  /** `ip` or `ip:port` (IPv6 as `[ip]:port`); empty means the system's resolvers. */
  servers: string[];
  timeoutMs: number;
  tries: number;
}

/** Node's resolver with our timeouts: its defaults wait about 30 s before giving up. */
export function createResolver(options: ResolverOptions): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs, tries: options.tries });
  if (options.servers.length > 0) resolver.setServers(options.servers);
  return resolver;
}

/** At most this many MX hosts are resolved and tried; real domains have one to five. */
const MAX_MX_HOSTS = 10;

export async function lookupMx(domain: string, resolver: MxResolver, random: () => number = Math.random): Promise<MxLookup> {
  let records: Array<{ exchange: string; priority: number }>;
  try {
    records = await resolver.resolveMx(domain);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOTFOUND') return { kind: 'no_such_domain', message: `${domain} does not exist (NXDOMAIN)` };
    if (code === 'ENODATA') return implicitMx(domain, resolver);
    return dnsError(domain, 'MX', error);
  }

  const named = records.filter((r) => r.exchange !== '' && r.exchange !== '.');
  if (named.length === 0) {
    // Only the null MX (or an empty answer, which resolvers report as ENODATA anyway).
    return records.length > 0 ? { kind: 'null_mx' } : implicitMx(domain, resolver);
  }
  const ordered = orderByPreference(named, random).slice(0, MAX_MX_HOSTS);
  const resolved = await Promise.all(ordered.map((r) => resolveHost(r.exchange, resolver)));
  const mx: MxRecord[] = ordered.map((r, i) => ({ host: r.exchange.toLowerCase(), preference: r.priority, addresses: resolved[i]!.addresses }));
  if (mx.some((m) => m.addresses.length > 0)) return { kind: 'mx', mx, implicit: false };

  const failures = resolved.map((r) => r.error).filter((e): e is NonNullable<typeof e> => e !== undefined);
  const hard = failures.find((f) => f.code !== 'ENOTFOUND' && f.code !== 'ENODATA');
  if (hard) return { kind: 'dns_error', code: hard.code, message: hard.message };
  return { kind: 'no_mail_server', message: `none of the MX hosts of ${domain} (${mx.map((m) => m.host).join(', ')}) has an address` };
}

async function implicitMx(domain: string, resolver: MxResolver): Promise<MxLookup> {
  const host = await resolveHost(domain, resolver);
  if (host.addresses.length > 0) {
    return { kind: 'mx', mx: [{ host: domain, preference: 0, addresses: host.addresses }], implicit: true };
  }
  if (host.error && host.error.code === 'ENOTFOUND') return { kind: 'no_such_domain', message: `${domain} does not exist (NXDOMAIN)` };
  if (host.error && host.error.code !== 'ENODATA') return { kind: 'dns_error', code: host.error.code, message: host.error.message };
  return { kind: 'no_mail_server', message: `${domain} has no MX record and no address` };
}

interface HostAddresses {
  addresses: string[];
  error?: { code: string; message: string };
}

/**
 * IPv4 first: many hosts that run a verifier have no IPv6 route, and a connection to an AAAA
 * address would then cost a timeout before the fallback.
 */
async function resolveHost(host: string, resolver: MxResolver): Promise<HostAddresses> {
  if (net.isIP(host)) return { addresses: [host] };
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
  if (addresses.length > 0) return { addresses };
  const reasons = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const worst = reasons.find((r) => !['ENOTFOUND', 'ENODATA'].includes(errorCode(r))) ?? reasons[0];
  return worst === undefined
    ? { addresses: [], error: { code: 'ENODATA', message: `${host} has no address` } }
    : { addresses: [], error: { code: errorCode(worst), message: describe(host, 'A/AAAA', worst) } };
}

/** Lowest preference first; hosts of equal preference in random order (RFC 5321 §5.1). */
export function orderByPreference<T extends { priority: number }>(records: T[], random: () => number): T[] {
  return records
    .map((r) => ({ r, k: random() }))
    .sort((a, b) => a.r.priority - b.r.priority || a.k - b.k)
    .map(({ r }) => r);
}

function dnsError(domain: string, type: string, error: unknown): MxLookup {
  return { kind: 'dns_error', code: errorCode(error), message: describe(domain, type, error) };
}

function errorCode(error: unknown): string {
  return (error as { code?: string } | undefined)?.code ?? 'EUNKNOWN';
}

const CODE_WORDS: Record<string, string> = {
  ESERVFAIL: 'the DNS server failed (SERVFAIL)',
  ETIMEOUT: 'the DNS server did not answer in time',
  ECONNREFUSED: 'the DNS server refused the connection',
  EREFUSED: 'the DNS server refused the query',
  ENOTFOUND: 'no such domain (NXDOMAIN)',
  ENODATA: 'no records of that type',
  EBADRESP: 'the DNS server sent a malformed answer',
};

function describe(name: string, type: string, error: unknown): string {
  const code = errorCode(error);
  return `${type} lookup for ${name}: ${CODE_WORDS[code] ?? (error instanceof Error ? error.message : code)}`;
}
