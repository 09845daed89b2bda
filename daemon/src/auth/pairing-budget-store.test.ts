import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { createPairingBudgetStore } from './pairing-budget-store';

const HOUR = 3_600_000;

describe('pairing budget store', () => {
  it('spends a source\'s attempts, says when the next one comes, and refills over the hour', () => {
    let now = 0;
    const db = openDatabase(':memory:');
    const budget = createPairingBudgetStore(db, 10, () => now);
    for (let i = 0; i < 10; i++) expect(budget.take('192.0.2.7').ok).toBe(true);
    expect(budget.take('192.0.2.7')).toEqual({ ok: false, retryAfterMs: HOUR / 10 });
    // Another source is not touched.
    expect(budget.take('198.51.100.1').ok).toBe(true);
    now += HOUR / 10;
    expect(budget.take('192.0.2.7').ok).toBe(true);
    expect(budget.take('192.0.2.7').ok).toBe(false);
    db.close();
  });

  it('gives back a right code\'s attempt, never above the hourly budget', () => {
    const db = openDatabase(':memory:');
    const budget = createPairingBudgetStore(db, 2, () => 0);
    expect(budget.take('a', 2).ok).toBe(true);
    budget.refund('a');
    budget.refund('a', 5);
    expect(budget.take('a', 2).ok).toBe(true);
    expect(budget.take('a').ok).toBe(false);
    db.close();
  });

  it('outlives the process: a new store on the same database remembers what was spent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailping-budget-'));
    try {
      const file = join(dir, 'mailping.db');
      const first = openDatabase(file);
      const before = createPairingBudgetStore(first, 3, () => 1000);
      for (let i = 0; i < 3; i++) before.take('2001:db8:1::/64');
      first.close();
      const second = openDatabase(file);
      const after = createPairingBudgetStore(second, 3, () => 1000);
      expect(after.take('2001:db8:1::/64')).toEqual({ ok: false, retryAfterMs: HOUR / 3 });
      second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
