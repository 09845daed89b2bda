import type { Db } from './database';

export interface PendingRetry {
  /** Normalized address. */
  address: string;
  retryAt: number;
  /** Retries already made. */
  attempts: number;
}

/**
 * Greylisted addresses waiting for their retry, in the `retries` table, so a restart of the
 * daemon picks them up again.
 */
export class RetryStore {
  private readonly upsert;
  private readonly selectOne;
  private readonly remove;
  private readonly selectDue;
  private readonly selectNext;
  private readonly selectCount;

  constructor(db: Db) {
    this.upsert = db.prepare<[string, number, number]>(
      `INSERT INTO retries (address, retry_at, attempts) VALUES (?, ?, ?)
       ON CONFLICT(address) DO UPDATE SET retry_at = excluded.retry_at, attempts = excluded.attempts`,
    );
    this.selectOne = db.prepare<[string], { address: string; retry_at: number; attempts: number }>(
      'SELECT address, retry_at, attempts FROM retries WHERE address = ?',
    );
    this.remove = db.prepare<[string]>('DELETE FROM retries WHERE address = ?');
    this.selectDue = db.prepare<[number, number], { address: string; retry_at: number; attempts: number }>(
      'SELECT address, retry_at, attempts FROM retries WHERE retry_at <= ? ORDER BY retry_at LIMIT ?',
    );
    this.selectNext = db.prepare<[], { at: number | null }>('SELECT MIN(retry_at) AS at FROM retries');
    this.selectCount = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM retries');
  }

  set(address: string, retryAt: number, attempts: number): void {
    this.upsert.run(address, retryAt, attempts);
  }

  get(address: string): PendingRetry | null {
    const row = this.selectOne.get(address);
    return row ? { address: row.address, retryAt: row.retry_at, attempts: row.attempts } : null;
  }

  delete(address: string): boolean {
    return this.remove.run(address).changes > 0;
  }

  due(now: number, limit: number): PendingRetry[] {
    return this.selectDue.all(now, limit).map((r) => ({ address: r.address, retryAt: r.retry_at, attempts: r.attempts }));
  }

  /** When the earliest retry is due, or null when none waits. */
  nextAt(): number | null {
    return this.selectNext.get()?.at ?? null;
  }

  count(): number {
    return this.selectCount.get()?.n ?? 0;
  }
}
