import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('TokenBucket', () => {
  it('allows a full minute of RCPTs at once, then nothing until tokens come back', () => {
    const c = clock();
    const bucket = new TokenBucket(5, c.now);
    expect(bucket.take(8)).toBe(5);
    expect(bucket.take(1)).toBe(0);
    // 5 per minute: one token every 12 s.
    expect(bucket.msUntil(1)).toBe(12_000);
    c.advance(11_999);
    expect(bucket.take(1)).toBe(0);
    c.advance(1);
    expect(bucket.take(3)).toBe(1);
  });

  it('refills to the limit and no further', () => {
    const c = clock();
    const bucket = new TokenBucket(5, c.now);
    bucket.take(5);
    c.advance(10 * 60_000);
    expect(bucket.available()).toBe(5);
    expect(bucket.full).toBe(true);
    expect(bucket.msUntil(50)).toBe(0);
  });

  it('keeps the rate over a long run: 120 per minute is 120 per minute', () => {
    const c = clock();
    const bucket = new TokenBucket(120, c.now);
    let taken = bucket.take(1000);
    for (let i = 0; i < 600; i++) {
      c.advance(100);
      taken += bucket.take(1000);
    }
    // The initial burst of 120, then 60 s at 2 per second.
    expect(taken).toBe(240);
  });

  it('ignores a clock that goes backwards', () => {
    const c = clock();
    const bucket = new TokenBucket(60, c.now);
    bucket.take(60);
    c.advance(-30_000);
    expect(bucket.available()).toBe(0);
    c.advance(1000);
    expect(bucket.available()).toBe(1);
  });

  it('refuses a rate of zero', () => {
    expect(() => new TokenBucket(0, Date.now)).toThrow(RangeError);
  });
});
