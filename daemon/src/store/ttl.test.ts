import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../config/settings';
import { cacheExpiresAt, cacheTtlMs, isFresh } from './ttl';

const cache = { ...DEFAULT_SETTINGS.cache, deliverableHours: 168, undeliverableHours: 72, riskyHours: 24, unknownMinutes: 10 };

describe('cache TTL per verdict', () => {
  it('keeps answers about mailboxes for days and unknown answers for minutes', () => {
    expect(cacheTtlMs({ verdict: 'deliverable' }, cache)).toBe(168 * 3_600_000);
    expect(cacheTtlMs({ verdict: 'undeliverable' }, cache)).toBe(72 * 3_600_000);
    expect(cacheTtlMs({ verdict: 'risky' }, cache)).toBe(24 * 3_600_000);
    expect(cacheTtlMs({ verdict: 'unknown' }, cache)).toBe(10 * 60_000);
  });

  it('is fresh strictly before it expires', () => {
    const at = cacheExpiresAt({ verdict: 'unknown' }, cache, 1_000_000);
    expect(at).toBe(1_000_000 + 600_000);
    expect(isFresh(at, at - 1)).toBe(true);
    expect(isFresh(at, at)).toBe(false);
  });

  it('never serves from cache with a TTL of 0', () => {
    const at = cacheExpiresAt({ verdict: 'unknown' }, { ...cache, unknownMinutes: 0 }, 5000);
    expect(isFresh(at, 5000)).toBe(false);
  });
});
