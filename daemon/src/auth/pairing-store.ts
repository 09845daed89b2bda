import type { Db } from '../store/database';
import { generatePairingCode, normalizePairingCode } from './pairing-code';
import { sha256 } from './secrets';
import { createTokenStore, type IssuedToken, type QuotaOverrides } from './token-store';

/**
 * Pairing codes in the pairing_codes table (only their SHA-256). `mailping pair` writes one
 * whether or not the daemon runs; the daemon redeems it for a token. Every wrong attempt, from
 * any client, costs every live code one of its attempts, so a few wrong guesses in total burn
 * them all; the user just runs `mailping pair` again.
 *
 * Invites (`mailping invite`) are codes for people on other machines: they live a day and carry
 * the name and quota of the token they become. Over the network only invites redeem, and a wrong
 * guess costs nothing here: guesses are budgeted per source address by the caller instead, so a
 * stranger guessing cannot burn the invites of everyone else.
 */
export const PAIRING_CODE_TTL_MS = 5 * 60_000;
export const PAIRING_ATTEMPTS = 5;
export const INVITE_TTL_MS = 24 * 60 * 60_000;

export interface Invite {
  name: string;
  quota: QuotaOverrides;
}
// Dead codes are kept a while (nothing secret in them), then swept when a new code is made.
const KEEP_DEAD_CODES_MS = 24 * 60 * 60_000;

export interface CreatedPairingCode {
  /** Canonical form, without the dash: format it for people with formatPairingCode. */
  code: string;
  expiresAt: number;
}

export function createPairingCode(db: Db, options: { ttlMs?: number; now?: () => number; invite?: Invite } = {}): CreatedPairingCode {
  const now = (options.now ?? Date.now)();
  const expiresAt = now + (options.ttlMs ?? (options.invite ? INVITE_TTL_MS : PAIRING_CODE_TTL_MS));
  const code = generatePairingCode();
  db.transaction(() => {
    db.prepare('DELETE FROM pairing_codes WHERE expires_at < ? OR (used_at IS NOT NULL AND used_at < ?)').run(
      now - KEEP_DEAD_CODES_MS,
      now - KEEP_DEAD_CODES_MS,
    );
    db.prepare('INSERT OR REPLACE INTO pairing_codes (hash, expires_at, attempts_left, used_at, invite) VALUES (?, ?, ?, NULL, ?)').run(
      sha256(code),
      expiresAt,
      PAIRING_ATTEMPTS,
      options.invite ? JSON.stringify(options.invite) : null,
    );
  }).immediate();
  return { code, expiresAt };
}

export type RedeemOutcome =
  | { ok: true; issued: IssuedToken }
  /** `why` is for the daemon's own log; the client is told only that pairing failed. */
  | { ok: false; why: 'malformed' | 'unknown' | 'expired' | 'used' | 'burned' | 'not_an_invite' };

export function redeemPairingCode(
  db: Db,
  input: string,
  binding: { origin: string | null; label: string | null },
  now: () => number = Date.now,
  /** `network`: the client is not on this machine, so only an invite will do. */
  from: 'local' | 'network' = 'local',
): RedeemOutcome {
  const code = normalizePairingCode(input);
  const at = now();
  // IMMEDIATE: two clients racing for one code (or a `mailping pair` writing) serialize here.
  return db.transaction((): RedeemOutcome => {
    const row = code
      ? db
          .prepare<[Buffer], { expires_at: number; attempts_left: number; used_at: number | null; invite: string | null }>(
            'SELECT expires_at, attempts_left, used_at, invite FROM pairing_codes WHERE hash = ?',
          )
          .get(sha256(code))
      : undefined;
    const why = !code
      ? 'malformed'
      : !row
        ? 'unknown'
        : from === 'network' && row.invite === null
          ? 'not_an_invite'
          : row.used_at !== null
            ? 'used'
            : row.expires_at <= at
              ? 'expired'
              : row.invite === null && row.attempts_left <= 0
                ? 'burned'
                : null;
    if (why) {
      // Invites are spared: what protects them is the per-source budget of network guesses.
      if (from === 'local') {
        db.prepare('UPDATE pairing_codes SET attempts_left = attempts_left - 1 WHERE used_at IS NULL AND invite IS NULL AND expires_at > ? AND attempts_left > 0').run(at);
      }
      return { ok: false, why };
    }
    db.prepare('UPDATE pairing_codes SET used_at = ? WHERE hash = ?').run(at, sha256(code!));
    const invite = row!.invite === null ? null : (JSON.parse(row!.invite) as Invite);
    const tokens = createTokenStore(db, now);
    return {
      ok: true,
      issued: invite ? tokens.issue({ origin: binding.origin, label: invite.name, quota: invite.quota }) : tokens.issue(binding),
    };
  }).immediate();
}
