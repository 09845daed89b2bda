import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/database';
import { createUsageStore } from './usage-store';

let db: Db;
let now: number;
beforeEach(() => {
  db = openDatabase(':memory:');
  now = Date.UTC(2026, 11, 4, 18, 0, 0);
});
afterEach(() => db.close());

describe('usage per token and day', () => {
  it('refuses fresh checks beyond the daily quota until midnight UTC, and cache hits are free', () => {
    const usage = createUsageStore(db, () => now);
    for (let i = 0; i < 3; i++) expect(usage.reserveFresh('t1', 3).ok).toBe(true);
    expect(usage.reserveFresh('t1', 3)).toEqual({ ok: false, retryAfterMs: 6 * 3600_000, limit: 3 });
    usage.wasCached('t1');
    expect(usage.today('t1')).toEqual({ fresh: 2, cached: 1 });
    expect(usage.reserveFresh('t1', 3).ok).toBe(true);
    usage.release('t1');
    expect(usage.reserveFresh('t1', 3).ok).toBe(true);
    expect(usage.reserveFresh('t2', null).ok).toBe(true);
    expect(usage.todayAll()).toEqual(new Map([['t1', { fresh: 3, cached: 1 }], ['t2', { fresh: 1, cached: 0 }]]));
    now += 6 * 3600_000;
    expect(usage.reserveFresh('t1', 3).ok).toBe(true);
    expect(usage.today('t1')).toEqual({ fresh: 1, cached: 0 });
  });
});
