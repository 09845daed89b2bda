import type { Db } from '../store/database';
import type { RateLimiter } from './rate-limiter';

/**
 * The budget of wrong pairing codes per source address (its /64 for IPv6), kept in the database:
 * in memory, a restart (or a crash a stranger manages to cause) would hand a guesser a fresh
 * budget. The same token bucket as rate-limiter.ts, over an hour: `perHour` attempts, refilled
 * evenly. Sources whose bucket is full again are deleted now and then, so the table only holds
 * the addresses that guessed lately.
 */
const SWEEP_EVERY = 256;

interface Row {
  tokens: number;
  at: number;
  capacity: number;
}

export function createPairingBudgetStore(db: Db, perHour: number, now: () => number = Date.now, windowMs = 3_600_000): RateLimiter {
  const select = db.prepare<[string], Row>('SELECT tokens, at, capacity FROM pairing_budgets WHERE source = ?');
  const upsert = db.prepare<[string, number, number, number]>(
    'INSERT INTO pairing_budgets (source, tokens, at, capacity) VALUES (?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET tokens = excluded.tokens, at = excluded.at, capacity = excluded.capacity',
  );
  const sweep = db.prepare<[number, number]>('DELETE FROM pairing_budgets WHERE tokens + (? - at) * capacity / ? >= capacity');
  let calls = 0;

  /** The bucket as it stands now: what was left, plus what the time since has refilled. */
  const current = (row: Row | undefined, capacity: number, at: number): number =>
    row ? Math.min(capacity, row.tokens + Math.max(0, at - row.at) * (capacity / windowMs)) : capacity;

  const take = db.transaction((key: string, count: number, capacity: number) => {
    const at = now();
    if (++calls % SWEEP_EVERY === 0) sweep.run(at, windowMs);
    const tokens = current(select.get(key), capacity, at);
    if (tokens >= count) {
      upsert.run(key, tokens - count, at, capacity);
      return { ok: true as const };
    }
    upsert.run(key, tokens, at, capacity);
    return { ok: false as const, retryAfterMs: Math.max(1, Math.ceil((Math.min(count, capacity) - tokens) / (capacity / windowMs))) };
  });

  const refund = db.transaction((key: string, count: number) => {
    const row = select.get(key);
    if (!row) return;
    const at = now();
    upsert.run(key, Math.min(row.capacity, current(row, row.capacity, at) + count), at, row.capacity);
  });

  return {
    take: (key, count = 1, perWindow = perHour) => take.immediate(key, count, perWindow),
    refund: (key, count = 1) => void refund.immediate(key, count),
  };
}
