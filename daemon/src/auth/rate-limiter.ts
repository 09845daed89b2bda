/**
 * Token buckets per client (token id): `perMinute` requests a minute on average, bursts up to
 * the same number. A verification taken from the cache gives its request back (refund): the
 * limit exists to spare mail servers, and a cache hit costs them nothing.
 */
export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  take(key: string, count?: number): Admission;
  refund(key: string, count?: number): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

// Buckets that have refilled completely are forgotten, so the map stays as small as the set of busy clients.
const SWEEP_EVERY = 256;

export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const capacity = perMinute;
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  let calls = 0;

  const current = (key: string): Bucket => {
    const at = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: capacity, at };
      buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.at) * perMs);
      bucket.at = at;
    }
    return bucket;
  };

  const sweep = (): void => {
    if (++calls % SWEEP_EVERY !== 0) return;
    const at = now();
    for (const [key, b] of buckets) if (b.tokens + (at - b.at) * perMs >= capacity) buckets.delete(key);
  };

  return {
    take(key, count = 1) {
      sweep();
      const bucket = current(key);
      if (bucket.tokens >= count) {
        bucket.tokens -= count;
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil((Math.min(count, capacity) - bucket.tokens) / perMs)) };
    },
    refund(key, count = 1) {
      const bucket = current(key);
      bucket.tokens = Math.min(capacity, bucket.tokens + count);
    },
  };
}
