import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VerificationResult } from '@mailping/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../store/database';
import { ResultStore } from '../store/result-store';
import { answerFromCache } from './cached-answers';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
let home: string;
let out: string[];
let err: string[];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mailping-cached-'));
  vi.stubEnv('MAILPING_HOME', home);
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(home, { recursive: true, force: true });
});

function result(address: string, verdict: VerificationResult['verdict'], reason: VerificationResult['reason']): VerificationResult {
  const [local, domain] = address.split('@') as [string, string];
  return {
    address,
    normalized: address,
    verdict,
    reason,
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
    checkedAt: new Date(NOW - HOUR).toISOString(),
    retryAt: null,
  };
}

function cache(entries: Array<[VerificationResult, number]>): void {
  const db = openDatabase(join(home, 'mailping.db'));
  const store = new ResultStore(db, { historyLimit: 10 });
  for (const [r, expiresAt] of entries) store.save(r, expiresAt);
  db.close();
}

const flags = { cache: true, progress: false, json: true };

describe('answerFromCache', () => {
  it('answers addresses all fresh in the cache, as typed, with the exit status of their verdicts', () => {
    cache([
      [result('alice@valid.test', 'deliverable', 'accepted'), NOW + HOUR],
      [result('nobody@valid.test', 'undeliverable', 'mailbox_not_found'), NOW + HOUR],
    ]);
    expect(answerFromCache(['alice@VALID.test', 'nobody@valid.test'], flags, NOW)).toBe(1);
    const printed = out.join('').trim().split('\n').map((l) => JSON.parse(l) as VerificationResult);
    expect(printed.map((r) => `${r.address} ${r.verdict}`)).toEqual(['alice@VALID.test deliverable', 'nobody@valid.test undeliverable']);
    expect(err.join('')).toMatch(/2 from cache/);
  });

  it('leaves the run to the engine when one address is stale, missing or malformed', () => {
    cache([
      [result('alice@valid.test', 'deliverable', 'accepted'), NOW + HOUR],
      [result('old@valid.test', 'deliverable', 'accepted'), NOW - 1],
    ]);
    expect(answerFromCache(['alice@valid.test', 'old@valid.test'], flags, NOW)).toBeNull();
    expect(answerFromCache(['alice@valid.test', 'new@valid.test'], flags, NOW)).toBeNull();
    expect(answerFromCache(['alice@valid.test', 'not-an-address'], flags, NOW)).toBeNull();
    expect(out).toEqual([]);
  });

  it('stays out of --fresh, --no-cache and --out runs', () => {
    cache([[result('alice@valid.test', 'deliverable', 'accepted'), NOW + HOUR]]);
    expect(answerFromCache(['alice@valid.test'], { ...flags, fresh: true }, NOW)).toBeNull();
    expect(answerFromCache(['alice@valid.test'], { ...flags, cache: false }, NOW)).toBeNull();
    expect(answerFromCache(['alice@valid.test'], { ...flags, out: 'results.csv' }, NOW)).toBeNull();
    expect(answerFromCache(['alice@valid.test'], flags, NOW)).toBe(0);
  });

  it('leaves rows in another format to the full run (and its schema)', () => {
    cache([[result('alice@valid.test', 'deliverable', 'accepted'), NOW + HOUR]]);
    const db = openDatabase(join(home, 'mailping.db'));
    const { timings: _, ...older } = result('alice@valid.test', 'deliverable', 'accepted');
    db.prepare('UPDATE results SET result = ? WHERE address = ?').run(JSON.stringify(older), 'alice@valid.test');
    db.close();
    expect(answerFromCache(['alice@valid.test'], flags, NOW)).toBeNull();
  });

  it('neither needs nor creates a database', () => {
    expect(answerFromCache(['alice@valid.test'], flags, NOW)).toBeNull();
    expect(existsSync(join(home, 'mailping.db'))).toBe(false);
  });
});
