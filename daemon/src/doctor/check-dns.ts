import { lookupMx } from '../verify/dns/mx-lookup';
import { DNS_ADVICE, type CheckResult, type DoctorResolver } from './types';

/** What to resolve: a domain's MX (the usual known one), or the MX host the user named. */
export type DnsProbe = { kind: 'mx'; domain: string } | { kind: 'host'; host: string };

export interface DnsCheck extends Omit<CheckResult, 'durationMs'> {
  /** The mail server the port-25 check should try, when the probe found one. */
  target?: { host: string; ip: string };
  /** false when the resolver itself failed (no answer, refused, SERVFAIL): later lookups would fail too. */
  resolverWorks: boolean;
  /** Why no target, in words, for the checks that needed one. */
  noTarget?: string;
}

const RESOLVER_FAILURES: Record<string, string> = {
  ETIMEOUT: 'no answer in time',
  ECONNREFUSED: 'connection refused',
  ESERVFAIL: 'it answered SERVFAIL',
  EREFUSED: 'it refused the query',
  ECONNRESET: 'connection reset',
  EBADRESP: 'malformed answer',
};

export function describeServers(servers: readonly string[]): string {
  return servers.length === 0 ? 'the system resolver' : servers.length === 1 ? `DNS server ${servers[0]}` : `DNS servers ${servers.join(', ')}`;
}

/** Does the resolver answer? Asked with a name that exists (a known MX), never with a user's address. */
export async function checkDns(resolver: DoctorResolver, probe: DnsProbe, servers: readonly string[]): Promise<DnsCheck> {
  const who = describeServers(servers);
  const base = { id: 'dns', title: 'DNS resolver' } as const;
  if (probe.kind === 'host') {
    const found = await resolveHost(resolver, probe.host);
    if (found.ip) {
      return { ...base, status: 'ok', summary: `${who} answered: ${probe.host} → ${found.ip}`, target: { host: probe.host, ip: found.ip }, resolverWorks: true };
    }
    if (found.code === 'ENOTFOUND' || found.code === 'ENODATA') {
      const why = `${probe.host} has no address (${found.code === 'ENOTFOUND' ? 'NXDOMAIN' : 'no A/AAAA record'})`;
      return { ...base, status: 'warn', summary: `${who} answered, but ${why}`, resolverWorks: true, noTarget: why };
    }
    return failed(who, `looking up ${probe.host}`, found.code);
  }

  const lookup = await lookupMx(probe.domain, resolver);
  switch (lookup.kind) {
    case 'mx': {
      const first = lookup.mx.find((m) => m.addresses.length > 0)!;
      return {
        ...base,
        status: 'ok',
        summary: `${who} answered: ${probe.domain} MX ${first.host} → ${first.addresses[0]}`,
        target: { host: first.host, ip: first.addresses[0]! },
        resolverWorks: true,
      };
    }
    case 'null_mx':
    case 'no_mail_server': {
      const why = lookup.kind === 'null_mx' ? `${probe.domain} accepts no mail (null MX)` : lookup.message;
      return { ...base, status: 'warn', summary: `${who} answered, but ${why}`, advice: 'name a mail server to try with --mx host[:port]', resolverWorks: true, noTarget: why };
    }
    case 'no_such_domain':
      return {
        ...base,
        status: 'fail',
        summary: `${who} says ${probe.domain} does not exist (NXDOMAIN): it filters or cannot reach the internet's DNS`,
        advice: DNS_ADVICE,
        resolverWorks: false,
        noTarget: `${probe.domain} could not be resolved`,
      };
    case 'dns_error':
      return failed(who, `looking up ${probe.domain} MX`, lookup.code);
  }
}

function failed(who: string, doing: string, code: string): DnsCheck {
  const why = RESOLVER_FAILURES[code] ?? code;
  return {
    id: 'dns',
    title: 'DNS resolver',
    status: 'fail',
    summary: `${who} failed ${doing}: ${why}`,
    advice: DNS_ADVICE,
    resolverWorks: false,
    noTarget: 'DNS does not work',
  };
}

/** IPv4 first, like the engine: a machine without an IPv6 route would wait for nothing. */
export async function resolveHost(resolver: DoctorResolver, host: string): Promise<{ ip?: string; addresses: string[]; code: string }> {
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
  if (addresses.length > 0) return { ip: addresses[0]!, addresses, code: 'OK' };
  const codes = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [String((r.reason as { code?: string }).code ?? 'EUNKNOWN')] : []));
  const worst = codes.find((c) => c !== 'ENOTFOUND' && c !== 'ENODATA') ?? codes[0] ?? 'ENODATA';
  return { addresses: [], code: worst };
}
