import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter';

describe('rate limiter', () => {
  it('allows a burst of perMinute, then says when to come back', () => {
    let now = 0;
    const limiter = createRateLimiter(120, () => now);
    for (let i = 0; i < 120; i++) expect(limiter.take('a').ok).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toEqual({ ok: false, retryAfterMs: 500 });
    now += 500;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('keeps clients apart', () => {
    const limiter = createRateLimiter(2, () => 0);
    expect(limiter.take('a', 2).ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    expect(limiter.take('b').ok).toBe(true);
  });

  it('gives back refunded requests, never above the burst size', () => {
    let now = 0;
    const limiter = createRateLimiter(3, () => now);
    expect(limiter.take('a', 3).ok).toBe(true);
    limiter.refund('a');
    expect(limiter.take('a').ok).toBe(true);
    now += 60 * 60_000;
    limiter.refund('a', 10);
    expect(limiter.take('a', 3).ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('refuses a batch larger than what is left, all or nothing', () => {
    const limiter = createRateLimiter(60, () => 0);
    expect(limiter.take('a', 50).ok).toBe(true);
    const refused = limiter.take('a', 20);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.retryAfterMs).toBe(10_000);
    expect(limiter.take('a', 10).ok).toBe(true);
  });
});

describe('rate limiter, per key and per window', () => {
  it('gives a key its own rate when asked, and works over an hour', () => {
    let now = 0;
    const limiter = createRateLimiter(120, () => now);
    for (let i = 0; i < 10; i++) expect(limiter.take('slow', 1, 10).ok).toBe(true);
    expect(limiter.take('slow', 1, 10)).toEqual({ ok: false, retryAfterMs: 6000 });
    const hourly = createRateLimiter(10, () => now, 3_600_000);
    for (let i = 0; i < 10; i++) expect(hourly.take('203.0.113.5').ok).toBe(true);
    expect(hourly.take('203.0.113.5')).toEqual({ ok: false, retryAfterMs: 360_000 });
    expect(hourly.take('198.51.100.7').ok).toBe(true);
    now += 360_000;
    expect(hourly.take('203.0.113.5').ok).toBe(true);
  });
});
