import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/database';
import { formatPairingCode } from './pairing-code';
import { createPairingCode, PAIRING_ATTEMPTS, redeemPairingCode } from './pairing-store';
import { createTokenStore } from './token-store';

const ORIGIN = 'chrome-extension://egonnibiidoihfhcmkbbbaahcncaldod';
let dir: string;
let db: Db;
let now: number;
const clock = (): number => now;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailping-auth-'));
  db = openDatabase(join(dir, 'mailping.db'));
  now = Date.UTC(2026, 0, 1);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pairing codes in the database', () => {
  it('are stored hashed and exchanged once for a token bound to the origin', () => {
    const { code } = createPairingCode(db, { now: clock });
    const stored = db.prepare('SELECT hash FROM pairing_codes').all() as Array<{ hash: Buffer }>;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.hash.length).toBe(32);
    expect(stored[0]!.hash.toString('latin1')).not.toContain(code);

    const first = redeemPairingCode(db, formatPairingCode(code).toLowerCase(), { origin: ORIGIN, label: 'test' }, clock);
    expect(first.ok).toBe(true);
    const second = redeemPairingCode(db, code, { origin: ORIGIN, label: 'test' }, clock);
    expect(second).toEqual({ ok: false, why: 'used' });

    const tokens = createTokenStore(db, clock);
    const record = tokens.authenticate(first.ok ? first.issued.token : '');
    expect(record).toMatchObject({ origin: ORIGIN, label: 'test' });
  });

  it('expire', () => {
    const { code } = createPairingCode(db, { now: clock, ttlMs: 5 * 60_000 });
    now += 5 * 60_000;
    expect(redeemPairingCode(db, code, { origin: ORIGIN, label: null }, clock)).toEqual({ ok: false, why: 'expired' });
  });

  it('are all burned after a few wrong attempts in total', () => {
    const a = createPairingCode(db, { now: clock }).code;
    const b = createPairingCode(db, { now: clock }).code;
    for (let i = 0; i < PAIRING_ATTEMPTS; i++) {
      expect(redeemPairingCode(db, 'ZZZZ-ZZZZ', { origin: ORIGIN, label: null }, clock)).toMatchObject({ ok: false });
    }
    expect(redeemPairingCode(db, a, { origin: ORIGIN, label: null }, clock)).toEqual({ ok: false, why: 'burned' });
    expect(redeemPairingCode(db, b, { origin: ORIGIN, label: null }, clock)).toEqual({ ok: false, why: 'burned' });
    // A new code is not affected by earlier guesses.
    const fresh = createPairingCode(db, { now: clock }).code;
    expect(redeemPairingCode(db, fresh, { origin: ORIGIN, label: null }, clock).ok).toBe(true);
  });

  it('survive fewer wrong attempts than the limit', () => {
    const { code } = createPairingCode(db, { now: clock });
    for (let i = 0; i < PAIRING_ATTEMPTS - 1; i++) redeemPairingCode(db, 'not a code', { origin: ORIGIN, label: null }, clock);
    expect(redeemPairingCode(db, code, { origin: ORIGIN, label: null }, clock).ok).toBe(true);
  });
});

describe('tokens in the database', () => {
  it('store only a SHA-256 and authenticate the exact token', () => {
    const tokens = createTokenStore(db, clock);
    const issued = tokens.issue({ origin: ORIGIN, label: 'laptop' });
    expect(issued.token).toMatch(/^[0-9a-f]{10}\.[A-Za-z0-9_-]{43}$/);
    const row = db.prepare('SELECT * FROM tokens').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(issued.token.split('.')[1]);
    expect(tokens.authenticate(issued.token)?.id).toBe(issued.id);

    const secret = issued.token.split('.')[1]!;
    const flipped = `${issued.id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    for (const wrong of [flipped, `${issued.id}.`, issued.token + 'x', '', 'deadbeef00.' + secret, issued.token.toUpperCase()]) {
      expect(tokens.authenticate(wrong), wrong).toBeNull();
    }
  });

  it('list without secrets, revoke, and record when they were used', () => {
    const tokens = createTokenStore(db, clock);
    const issued = tokens.issue({ origin: null, label: 'script' });
    expect(tokens.list()).toEqual([{ id: issued.id, label: 'script', origin: null, createdAt: now, lastUsedAt: null, revokedAt: null, quota: null, scope: 'verify' }]);
    now += 1000;
    tokens.authenticate(issued.token);
    expect(tokens.list()[0]!.lastUsedAt).toBe(now);
    expect(tokens.revoke(issued.id)).toBe('revoked');
    expect(tokens.revoke(issued.id)).toBe('already_revoked');
    expect(tokens.revoke('0000000000')).toBe('not_found');
    expect(tokens.authenticate(issued.token)).toBeNull();
    expect(tokens.isActive(issued.id)).toBe(false);
  });
});

describe('invites', () => {
  it('live a day, become a token with the invite\'s name and quota, and are the only codes the network may redeem', () => {
    const local = createPairingCode(db, { now: clock }).code;
    const invite = createPairingCode(db, { now: clock, invite: { name: 'alice', quota: { freshChecksPerDay: 50 } } });
    expect(invite.expiresAt).toBe(now + 24 * 60 * 60_000);
    expect(redeemPairingCode(db, local, { origin: null, label: null }, clock, 'network')).toEqual({ ok: false, why: 'not_an_invite' });
    now += 23 * 60 * 60_000;
    const redeemed = redeemPairingCode(db, invite.code, { origin: ORIGIN, label: 'ignored' }, clock, 'network');
    expect(redeemed.ok).toBe(true);
    const record = createTokenStore(db, clock).authenticate(redeemed.ok ? redeemed.issued.token : '');
    expect(record).toMatchObject({ label: 'alice', origin: ORIGIN, quota: { freshChecksPerDay: 50 } });
  });

  it('are never burned by wrong guesses, from the network or from this machine', () => {
    const invite = createPairingCode(db, { now: clock, invite: { name: 'bob', quota: {} } }).code;
    for (let i = 0; i < 3 * PAIRING_ATTEMPTS; i++) {
      redeemPairingCode(db, 'ZZZZ-ZZZZ', { origin: null, label: null }, clock, 'network');
      redeemPairingCode(db, 'ZZZZ-ZZZZ', { origin: null, label: null }, clock, 'local');
    }
    expect(redeemPairingCode(db, invite, { origin: null, label: null }, clock, 'network').ok).toBe(true);
  });
});
