import type { MxResolver } from './mx-lookup';

/**
 * A DNS cache in front of a resolver, for a process that verifies the same domains over and
 * over (`mailping worker` runs batch after batch of one domain: without it every batch asks
 * again for the domain's MX and for the MX host's A and AAAA). Node's resolver keeps nothing.
 *
 * - A and AAAA answers live as long as their TTL says (the shortest of the set), capped.
 * - Node hides MX TTLs (`resolveMx` has no `ttl` option), so MX answers live a fixed short time
 *   (`mxTtlMs`), well below the minutes real MX records carry.
 * - NXDOMAIN and NODATA are cached briefly (RFC 2308; without the SOA we cannot read its
 *   negative TTL); other failures (timeout, SERVFAIL, refused) are never cached.
 * - Concurrent questions for the same name share one query.
 * - At most `maxEntries` names; the oldest go first.
 */
export interface TtlResolver {
  resolveMx(hostname: string): Promise<Array<{ exchange: string; priority: number }>>;
  resolve4(hostname: string, options: { ttl: true }): Promise<Array<{ address: string; ttl: number }>>;
  resolve6(hostname: string, options: { ttl: true }): Promise<Array<{ address: string; ttl: number }>>;
}

export interface DnsCacheOptions {
  maxEntries: number;
  /** Ceiling for any TTL. */
  maxTtlMs: number;
  mxTtlMs: number;
  negativeTtlMs: number;
  now?: () => number;
}

export const DNS_CACHE_DEFAULTS: DnsCacheOptions = {
  maxEntries: 10_000,
  maxTtlMs: 3600_000,
  mxTtlMs: 60_000,
  negativeTtlMs: 30_000,
};

interface Entry {
  answer: Promise<unknown>;
  /** Infinity while the query is in flight. */
  expiresAt: number;
}

/** Answers that say the name or the record type does not exist (RFC 2308's negative answers). */
const NEGATIVE = new Set(['ENOTFOUND', 'ENODATA']);

export function cachingResolver(inner: TtlResolver, options: Partial<DnsCacheOptions> = {}): MxResolver {
  const { maxEntries, maxTtlMs, mxTtlMs, negativeTtlMs } = { ...DNS_CACHE_DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  function cached<T>(key: string, ask: () => Promise<{ value: T; ttlMs: number }>): Promise<T> {
    const hit = entries.get(key);
    if (hit && hit.expiresAt > now()) return hit.answer as Promise<T>;
    if (hit) entries.delete(key);
    const entry: Entry = { answer: Promise.resolve(), expiresAt: Infinity };
    const settle = (ttlMs: number): void => {
      // Evicted while in flight: nothing to update.
      if (entries.get(key) !== entry) return;
      if (ttlMs > 0) entry.expiresAt = now() + Math.min(ttlMs, maxTtlMs);
      else entries.delete(key);
    };
    const answer = ask().then(
      ({ value, ttlMs }) => {
        settle(ttlMs);
        return value;
      },
      (error: unknown) => {
        settle(NEGATIVE.has((error as { code?: string } | null)?.code ?? '') ? negativeTtlMs : 0);
        throw error;
      },
    );
    entry.answer = answer;
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return answer;
  }

  const addresses = (family: 4 | 6) => (hostname: string) =>
    // A copy for each caller: the cached array is shared.
    cached(`${family}:${hostname.toLowerCase()}`, async () => {
      const records = await (family === 4 ? inner.resolve4(hostname, { ttl: true }) : inner.resolve6(hostname, { ttl: true }));
      return { value: records.map((r) => r.address), ttlMs: records.length === 0 ? 0 : Math.min(...records.map((r) => r.ttl)) * 1000 };
    }).then((list) => list.slice());

  return {
    resolveMx: (hostname) =>
      cached(`mx:${hostname.toLowerCase()}`, async () => ({ value: await inner.resolveMx(hostname), ttlMs: mxTtlMs })).then((list) => list.map((r) => ({ ...r }))),
    resolve4: addresses(4),
    resolve6: addresses(6),
  };
}
