import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VerificationResult } from '@mailping/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database';
import { DomainStore } from './domain-store';
import { ResultStore } from './result-store';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailping-store-'));
  db = openDatabase(join(dir, 'mailping.db'));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function result(address: string, at: number, overrides: Partial<VerificationResult> = {}): VerificationResult {
  const [local, domain] = address.split('@') as [string, string];
  return {
    address,
    normalized: address,
    verdict: 'deliverable',
    reason: 'accepted',
    detail: '',
    mx: { host: `mx.${domain}`, ip: '127.0.25.10' },
    reply: { code: 250, enhanced: '2.1.5', text: 'Ok', command: 'RCPT TO' },
    flags: { disposable: false, roleAccount: false, freeProvider: false },
    suggestion: null,
    syntax: { valid: true, local, domain, unicodeDomain: domain, smtputf8: false },
    dns: { mx: [{ host: `mx.${domain}`, preference: 10, addresses: ['127.0.25.10'] }], implicitMx: false, nullMx: false },
    smtp: { host: `mx.${domain}`, ip: '127.0.25.10', port: 25, tls: false, pipelining: true, catchAll: false, roundTrips: 4, connections: 1 },
    transcript: [],
    timings: { syntaxMs: 0, dnsMs: 1, smtpMs: 2, totalMs: 3 },
    checkedAt: new Date(at).toISOString(),
    retryAt: null,
    ...overrides,
  };
}

describe('ResultStore', () => {
  it('keeps the latest result per address and every result in the history, newest first', () => {
    const store = new ResultStore(db, { historyLimit: 100 });
    store.save(result('a@x.test', 1000, { verdict: 'unknown', reason: 'greylisted' }), 2000);
    store.save(result('a@x.test', 3000), 9000);
    store.save(result('b@x.test', 2000), 9000);
    expect(store.get('a@x.test')).toMatchObject({ checkedAt: 3000, expiresAt: 9000, result: { reason: 'accepted' } });
    expect(store.get('nobody@x.test')).toBeNull();
    expect(store.history().map((r) => `${r.address} ${r.reason}`)).toEqual(['a@x.test accepted', 'b@x.test accepted', 'a@x.test greylisted']);
  });

  it('pages the history with `before`, and prunes it to the limit', () => {
    const store = new ResultStore(db, { historyLimit: 5 });
    for (let i = 1; i <= 8; i++) store.save(result(`u${i}@x.test`, i * 1000), 1e12);
    const first = store.history({ limit: 3 });
    expect(first.map((r) => r.address)).toEqual(['u8@x.test', 'u7@x.test', 'u6@x.test']);
    const second = store.history({ limit: 3, before: first.at(-1)!.checkedAt });
    expect(second.map((r) => r.address)).toEqual(['u5@x.test', 'u4@x.test']);
    expect(store.history({ before: 'not a date' })).toEqual([]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM history').get() as { n: number }).n).toBe(5);
  });

  it('stores nothing for an address without a normalized form', () => {
    const store = new ResultStore(db, { historyLimit: 5 });
    store.save(result('bad', 1000, { normalized: null, syntax: { valid: false } }), 2000);
    expect(store.history()).toEqual([]);
  });

  it('treats a row that no longer matches the schema as absent', () => {
    const store = new ResultStore(db, { historyLimit: 5 });
    db.prepare("INSERT INTO results VALUES ('a@x.test', 'x.test', 'deliverable', 'accepted', '{\"broken\":true}', 1, 2)").run();
    expect(store.get('a@x.test')).toBeNull();
  });

  it('survives closing and reopening the database', () => {
    new ResultStore(db, { historyLimit: 5 }).save(result('a@x.test', 1000), 5000);
    db.close();
    db = openDatabase(join(dir, 'mailping.db'));
    expect(new ResultStore(db, { historyLimit: 5 }).get('a@x.test')?.result.reason).toBe('accepted');
  });
});

describe('DomainStore', () => {
  it('remembers catch-all and MX per domain, each with its own lifetime', () => {
    const domains = new DomainStore(db, { catchAllMs: 10_000, mxMs: 5000 });
    domains.record(result('a@x.test', 0, { smtp: { ...result('a@x.test', 0).smtp!, catchAll: true } }), 1000);
    expect(domains.get('x.test', 2000)).toMatchObject({ catchAll: true, mx: [{ host: 'mx.x.test' }] });
    expect(domains.get('x.test', 7000)).toMatchObject({ catchAll: true, mx: null });
    expect(domains.get('x.test', 12_000)).toMatchObject({ catchAll: null, mx: null });
    // An undecided probe does not erase what was known.
    domains.record(result('b@x.test', 0, { smtp: { ...result('b@x.test', 0).smtp!, catchAll: null } }), 3000);
    expect(domains.get('x.test', 4000)?.catchAll).toBe(true);
    expect(domains.get('y.test', 0)).toBeNull();
  });
});
