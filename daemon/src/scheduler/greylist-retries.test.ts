import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/database';
import { RetryStore } from '../store/retry-store';
import { GreylistRetries } from './greylist-retries';

let dir: string;
let db: Db;
let t: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailping-retries-'));
  db = openDatabase(join(dir, 'mailping.db'));
  t = 1_000_000;
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function retries(maxRetries = 2, onDue: (a: string) => void = () => {}) {
  const store = new RetryStore(db);
  return { store, retries: new GreylistRetries(store, { delayMs: 300_000, maxRetries, now: () => t, onDue, log: () => {} }) };
}

describe('GreylistRetries', () => {
  it('plans a retry for a greylisted address and counts the retries that were greylisted again', () => {
    const { store, retries: r } = retries(2);
    expect(r.afterResult('a@x.test', 300_000, false)).toEqual({ retryAt: t + 300_000, superseded: false });
    expect(store.get('a@x.test')).toEqual({ address: 'a@x.test', retryAt: t + 300_000, attempts: 0 });
    t += 300_000;
    expect(r.afterResult('a@x.test', 300_000, true).retryAt).toBe(t + 300_000);
    expect(store.get('a@x.test')?.attempts).toBe(1);
    // The second retry is the last one allowed: no third.
    expect(r.afterResult('a@x.test', 300_000, true)).toEqual({ retryAt: null, superseded: false });
    expect(store.get('a@x.test')).toBeNull();
  });

  it('forgets the retry when any later result is not greylisted, and says so', () => {
    const { store, retries: r } = retries();
    r.afterResult('a@x.test', 300_000, false);
    expect(r.afterResult('a@x.test', null, false)).toEqual({ retryAt: null, superseded: true });
    expect(store.count()).toBe(0);
    expect(r.afterResult('b@x.test', null, false).superseded).toBe(false);
  });

  it('plans nothing with maxRetries 0', () => {
    const { store, retries: r } = retries(0);
    expect(r.afterResult('a@x.test', 300_000, false).retryAt).toBeNull();
    expect(store.count()).toBe(0);
  });

  it('fires due rows from the table, claiming them so they do not fire twice', async () => {
    const due: string[] = [];
    const { store, retries: r } = retries(3, (a) => due.push(a));
    store.set('past@x.test', t - 1, 0);
    store.set('later@x.test', t + 3_600_000, 0);
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    r.stop();
    expect(due).toEqual(['past@x.test']);
    expect(store.get('past@x.test')?.retryAt).toBe(t + 300_000);
  });
});
