import os from 'node:os';
import { directDialer, type Dialer } from './smtp/dial';
import type { MxResolver } from './dns/mx-lookup';

export interface VerifierOptions {
  /** DNS servers as `ip` or `ip:port`; empty: the system's. */
  dnsServers: string[];
  dnsTimeoutMs: number;
  dnsTries: number;
  /** Name we give in EHLO/HELO: a real name of this machine, never someone else's. */
  helo: string;
  /** Envelope sender; '' is the null sender `<>`, which impersonates nobody. */
  from: string;
  tls: 'auto' | 'always';
  port: number;
  /** Overall deadline for one address (a batch of one domain gets one per session it needs). */
  timeoutMs: number;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  commandTimeoutMs: number;
  /** Domains verified at the same time. */
  concurrency: number;
  /** Connections open at once to one MX address. */
  maxConnectionsPerHost: number;
  maxRcptPerSession: number;
  errorBudget: number;
  probeCatchAll: boolean;
  /** How long after a greylisting answer a retry makes sense. */
  greylistRetryMs: number;
  /** How long a server that deferred us (421, hang-up) is left alone before its addresses are asked again. */
  deferralBackoffMs: number;
  dial: Dialer;
  /**
   * Waits for a free connection slot to an MX address and returns its release. Default: this
   * verifier's own HostLimiter (maxConnectionsPerHost); `mailping worker` injects leases shared
   * through Redis, so the cap holds across every worker.
   */
  acquireSlot?: (ip: string, signal: AbortSignal) => Promise<() => void>;
  /** The domain's RCPT budget, drawn right before each flight (see SessionOptions); `mailping worker` keeps it in Redis. */
  takeRcptTokens?: (domain: string, wanted: number) => Promise<number>;
  /** Injected resolver (tests, caches); otherwise one is made from dnsServers. */
  resolver?: MxResolver;
  random?: () => number;
}

export function defaultHeloName(): string {
  const name = os.hostname();
  return name && /^[A-Za-z0-9.-]+$/.test(name) ? name : 'localhost';
}

export const DEFAULT_OPTIONS: Omit<VerifierOptions, 'helo'> = {
  dnsServers: [],
  dnsTimeoutMs: 5000,
  dnsTries: 2,
  from: '',
  tls: 'auto',
  port: 25,
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  // RFC 5321 §4.5.3.2 allows minutes; servers that tarpit the greeting take 20-30 s.
  greetingTimeoutMs: 25_000,
  commandTimeoutMs: 20_000,
  // Politeness is per MX host (maxConnectionsPerHost); domains on different hosts may run side by side.
  concurrency: 16,
  maxConnectionsPerHost: 2,
  maxRcptPerSession: 50,
  // Postfix starts delaying replies after 10 errors and hangs up after 20; stay below both.
  errorBudget: 8,
  probeCatchAll: true,
  greylistRetryMs: 5 * 60_000,
  deferralBackoffMs: 60_000,
  dial: directDialer,
};

export function resolveOptions(overrides: Partial<VerifierOptions> = {}): VerifierOptions {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_OPTIONS, helo: defaultHeloName(), ...defined };
}
