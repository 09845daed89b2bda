import { describe, expect, it } from 'vitest';
import { sampleResult } from '@/test-support/scripted-daemon';
import { backoffDelay } from './reconnect-backoff';
import { freshForMs, isFresh } from './verdict-freshness';

const HOUR = 3_600_000;
const now = Date.parse('2026-11-23T12:00:00Z');
const at = (msAgo: number) => new Date(now - msAgo).toISOString();

describe('how long a result holds', () => {
  it('keeps definite answers for the re-verify interval', () => {
    expect(isFresh(sampleResult('a@x.test', { checkedAt: at(23 * HOUR) }), 24 * HOUR, now)).toBe(true);
    expect(isFresh(sampleResult('a@x.test', { checkedAt: at(25 * HOUR) }), 24 * HOUR, now)).toBe(false);
    const bounce = sampleResult('a@x.test', { verdict: 'undeliverable', reason: 'mailbox_not_found', checkedAt: at(25 * HOUR) });
    expect(isFresh(bounce, 48 * HOUR, now)).toBe(true);
  });

  it('keeps "risky" a day at most, "unknown" ten minutes at most', () => {
    const risky = sampleResult('a@x.test', { verdict: 'risky', reason: 'catch_all' });
    expect(freshForMs(risky, 30 * 24 * HOUR)).toBe(24 * HOUR);
    const unknown = sampleResult('a@x.test', { verdict: 'unknown', reason: 'timeout' });
    expect(freshForMs(unknown, 30 * 24 * HOUR)).toBe(10 * 60_000);
  });

  it('follows the retry time of a greylisted answer, within one to ten minutes', () => {
    const checkedAt = at(0);
    const grey = (retryInMs: number) =>
      sampleResult('a@x.test', { verdict: 'unknown', reason: 'greylisted', checkedAt, retryAt: new Date(now + retryInMs).toISOString() });
    expect(freshForMs(grey(5 * 60_000), 24 * HOUR)).toBe(5 * 60_000);
    expect(freshForMs(grey(5_000), 24 * HOUR)).toBe(60_000);
    expect(freshForMs(grey(3 * HOUR), 24 * HOUR)).toBe(10 * 60_000);
  });

  it('never expires a syntax error, and never trusts an unreadable time', () => {
    const invalid = sampleResult('a@', { verdict: 'undeliverable', reason: 'invalid_syntax', checkedAt: at(1000 * HOUR) });
    expect(isFresh(invalid, HOUR, now)).toBe(true);
    expect(isFresh(sampleResult('a@x.test', { checkedAt: 'yesterday' }), HOUR, now)).toBe(false);
  });
});

describe('reconnect backoff', () => {
  it('doubles from the base up to the cap, with ±20 % jitter', () => {
    const policy = { baseMs: 500, capMs: 10_000 };
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, policy, () => 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(backoffDelay(2, policy, () => 0)).toBe(1600);
    expect(backoffDelay(2, policy, () => 1)).toBe(2400);
  });
});
