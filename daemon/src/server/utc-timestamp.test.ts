import { describe, expect, it } from 'vitest';
import { utcTimestamp } from './utc-timestamp';

describe('utcTimestamp', () => {
  it('reads as toISOString does', () => {
    for (const ms of [0, 1, 999, 1_733_400_000_123, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(9999, 11, 31), Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1), -62198755200000]) {
      expect(utcTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
