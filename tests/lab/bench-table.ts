/**
 * Domains for benchmarks and load tests, part of the lab's address plan: bench1.test …
 * bench10.test, each with one MX, mx.benchN.test → 127.0.27.N. Nothing listens there while the
 * lab alone runs: a bench (or a load test) starts a latency proxy on each of those addresses
 * (tests/bench/latency-proxy.ts), forwarding to the lab's Postfix, so that every round trip costs
 * what it costs on the Internet and every connection is counted where the server sees it.
 *
 * Mailboxes: on an ordinary bench domain user0 … user499 exist and any other local part is
 * unknown (550 5.1.1); the last BENCH_CATCH_ALL_COUNT domains accept every local part.
 */
export const BENCH_DOMAIN_COUNT = 10;
export const BENCH_KNOWN_USERS = 500;
export const BENCH_CATCH_ALL_COUNT = 3;

/** `bench${n}.test`, n from 1. */
export function benchDomain(n: number): string {
  return `bench${n}.test`;
}

/** Where the latency proxy in front of benchN.test's MX listens (port 25). */
export function benchMxAddress(n: number): string {
  return `127.0.27.${n}`;
}

export const BENCH_DOMAINS: readonly string[] = Array.from({ length: BENCH_DOMAIN_COUNT }, (_, i) => benchDomain(i + 1));

export function isBenchCatchAll(domain: string): boolean {
  const n = Number(/^bench(\d+)\.test$/.exec(domain)?.[1] ?? NaN);
  return n > BENCH_DOMAIN_COUNT - BENCH_CATCH_ALL_COUNT && n <= BENCH_DOMAIN_COUNT;
}

/** Lines of the lab's virtual mailbox table for the bench domains (`@domain` is a catch-all). */
export function benchMailboxes(): string[] {
  return BENCH_DOMAINS.flatMap((domain) =>
    isBenchCatchAll(domain) ? [`@${domain}`] : Array.from({ length: BENCH_KNOWN_USERS }, (_, k) => `user${k}@${domain}`),
  );
}

export type BenchTruth = 'accepted' | 'mailbox_not_found' | 'catch_all';

/** What a right answer says about a bench address (MailPing's reason; peers are mapped onto it). */
export function benchTruth(address: string): BenchTruth {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at).toLowerCase();
  const domain = address.slice(at + 1).toLowerCase();
  if (isBenchCatchAll(domain)) return 'catch_all';
  const k = /^user(\d+)$/.exec(local)?.[1];
  return k !== undefined && Number(k) < BENCH_KNOWN_USERS && String(Number(k)) === k ? 'accepted' : 'mailbox_not_found';
}
