import type { Dialer } from '../verify/smtp/dial';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export type CheckId = 'dns' | 'port25' | 'helo' | 'reverse_dns' | 'socks' | 'blocklists';

/** One line of `mailping doctor`: what was checked, how it went, and what to do about it. */
export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  summary: string;
  /** A plain sentence with the next step, when there is one. */
  advice?: string;
  durationMs: number;
}

/** The resolver calls the doctor makes; `dns.promises.Resolver` has them all. */
export interface DoctorResolver {
  resolveMx(hostname: string): Promise<Array<{ exchange: string; priority: number }>>;
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
  reverse(ip: string): Promise<string[]>;
}

export interface DoctorDeps {
  resolver: DoctorResolver;
  /** How SMTP connections go out: directly, or through the SOCKS5 proxy. */
  dial: Dialer;
  /** Plain TCP connections (to the proxy itself). */
  connect: Dialer;
  now?: () => number;
}

export const PORT25_ADVICE =
  'your network blocks port 25: use a SOCKS5 proxy (mailping config set socksProxy socks5://host:1080) or run the daemon on a server that can reach port 25';

export const DNS_ADVICE =
  'your DNS resolver does not answer: check your network, or name one that works (mailping config set dnsServers 1.1.1.1 9.9.9.9)';
