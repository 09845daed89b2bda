/**
 * Token buckets per client (token id): `perMinute` requests a minute on average, bursts up to
 * the same number. A verification taken from the cache gives its request back (refund): the
 * limit exists to spare mail servers, and a cache hit costs them nothing. The same buckets, over
 * an hour, budget wrong pairing codes per source address.
 */
export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  /** `perWindow` overrides the limiter's rate for this key (a token's own quota). */
  take(key: string, count?: number, perWindow?: number): Admission;
  refund(key: string, count?: number): void;
}

interface Bucket {
  tokens: number;
  at: number;
  capacity: number;
}

// Buckets that have refilled completely are forgotten, so the map stays as small as the set of busy clients.
const SWEEP_EVERY = 256;

export function createRateLimiter(perMinute: number, now: () => number = Date.now, windowMs = 60_000): RateLimiter {
  const buckets = new Map<string, Bucket>();
  let calls = 0;
  const rate = (b: Bucket): number => b.capacity / windowMs;

  const current = (key: string, capacity: number): Bucket => {
    const at = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: capacity, at, capacity };
      buckets.set(key, bucket);
    } else {
      bucket.capacity = capacity;
      bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.at) * rate(bucket));
      bucket.at = at;
    }
    return bucket;
  };

  const sweep = (): void => {
    if (++calls % SWEEP_EVERY !== 0) return;
    const at = now();
    for (const [key, b] of buckets) if (b.tokens + (at - b.at) * rate(b) >= b.capacity) buckets.delete(key);
  };

  return {
    take(key, count = 1, perWindow = perMinute) {
      sweep();
      const bucket = current(key, perWindow);
      if (bucket.tokens >= count) {
        bucket.tokens -= count;
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil((Math.min(count, bucket.capacity) - bucket.tokens) / rate(bucket))) };
    },
    refund(key, count = 1) {
      const bucket = buckets.get(key);
      if (!bucket) return;
      const refilled = current(key, bucket.capacity);
      refilled.tokens = Math.min(refilled.capacity, refilled.tokens + count);
    },
  };
}
