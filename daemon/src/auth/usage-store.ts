import type { Db } from '../store/database';
import { msUntilNextUtcDay, utcDay } from './quota';

/**
 * Checks per token per UTC day, in token_usage: what `mailping tokens` shows and what the daily
 * quota of fresh checks is counted against. A fresh check is reserved before it is submitted (so
 * a burst cannot overshoot the quota) and given back when the answer came from the cache.
 */
export type Reservation = { ok: true } | { ok: false; retryAfterMs: number; limit: number };

export interface DayUsage {
  fresh: number;
  cached: number;
}

export interface UsageStore {
  /** One fresh check against `limit` (null: no limit, only counted). */
  reserveFresh(tokenId: string, limit: number | null): Reservation;
  /** The reserved check was answered from the cache: free, counted as cached. */
  wasCached(tokenId: string): void;
  /** A cache hit made without a reservation (the quota was spent; cache hits stay free). */
  recordCached(tokenId: string): void;
  /** The reserved check never reached a mail server (refused, cancelled). */
  release(tokenId: string): void;
  today(tokenId: string): DayUsage;
  /** Today's usage of every token that has any. */
  todayAll(): Map<string, DayUsage>;
}

export function createUsageStore(db: Db, now: () => number = Date.now): UsageStore {
  const ensure = db.prepare('INSERT OR IGNORE INTO token_usage (token_id, day) VALUES (?, ?)');
  const reserveLimited = db.prepare('UPDATE token_usage SET fresh = fresh + 1 WHERE token_id = ? AND day = ? AND fresh < ?');
  const reserve = db.prepare('UPDATE token_usage SET fresh = fresh + 1 WHERE token_id = ? AND day = ?');
  const unreserve = db.prepare('UPDATE token_usage SET fresh = MAX(0, fresh - 1) WHERE token_id = ? AND day = ?');
  const cached = db.prepare('UPDATE token_usage SET fresh = MAX(0, fresh - 1), cached = cached + 1 WHERE token_id = ? AND day = ?');
  const cachedOnly = db.prepare('UPDATE token_usage SET cached = cached + 1 WHERE token_id = ? AND day = ?');
  const one = db.prepare<[string, string], DayUsage>('SELECT fresh, cached FROM token_usage WHERE token_id = ? AND day = ?');
  const all = db.prepare<[string], DayUsage & { token_id: string }>('SELECT token_id, fresh, cached FROM token_usage WHERE day = ?');
  // Old days are swept now and then; a month is enough history for `mailping tokens`.
  const sweep = db.prepare('DELETE FROM token_usage WHERE day < ?');
  let lastSweepDay = '';

  const day = (): string => {
    const today = utcDay(now());
    if (today !== lastSweepDay) {
      lastSweepDay = today;
      sweep.run(utcDay(now() - 31 * 24 * 60 * 60_000));
    }
    return today;
  };

  // One transaction per call: every statement on its own would be a commit of its own, and a
  // fresh check's reservation sits on the path from the request to the mail server.
  const reserveFresh = db.transaction((tokenId: string, limit: number | null): Reservation => {
    const today = day();
    ensure.run(tokenId, today);
    if (limit === null) {
      reserve.run(tokenId, today);
      return { ok: true };
    }
    if (reserveLimited.run(tokenId, today, limit).changes === 1) return { ok: true };
    return { ok: false, retryAfterMs: msUntilNextUtcDay(now()), limit };
  });
  const recordCached = db.transaction((tokenId: string) => {
    const today = day();
    ensure.run(tokenId, today);
    cachedOnly.run(tokenId, today);
  });

  return {
    reserveFresh: (tokenId, limit) => reserveFresh.immediate(tokenId, limit),
    recordCached: (tokenId) => void recordCached.immediate(tokenId),
    // A reservation made just before midnight and answered after it is settled on the new day:
    // off by one at worst, and never below zero.
    wasCached: (tokenId) => void cached.run(tokenId, day()),
    release: (tokenId) => void unreserve.run(tokenId, day()),
    today: (tokenId) => one.get(tokenId, day()) ?? { fresh: 0, cached: 0 },
    todayAll: () => new Map(all.all(day()).map((r) => [r.token_id, { fresh: r.fresh, cached: r.cached }])),
  };
}
