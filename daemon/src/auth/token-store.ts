import { randomBytes } from 'node:crypto';
import type { Db } from '../store/database';
import { digestsEqual, randomSecret, sha256 } from './secrets';

/**
 * Pairing tokens in the tokens table. A token is `<id>.<secret>`: the id is public (list,
 * revoke, logs), the whole string is the secret, and only its SHA-256 is stored. Each token is
 * bound to the extension origin it was paired from and works only from there.
 */
export interface TokenRecord {
  id: string;
  label: string | null;
  /** The origin the token was paired from; null for a token made on the command line. */
  origin: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** Invited over the network: quota overrides (empty: the server's defaults). Null: no quota (paired on this machine). */
  quota: QuotaOverrides | null;
  /** `metrics`: a token for a Prometheus scraper, good for /metrics and nothing else. */
  scope: TokenScope;
}

export type TokenScope = 'verify' | 'metrics';

/** What an invite may set apart from `server.quota`. */
export interface QuotaOverrides {
  freshChecksPerDay?: number;
  maxListSize?: number;
  concurrentLists?: number;
  requestsPerMinute?: number;
}

export interface IssuedToken {
  id: string;
  token: string;
}

interface TokenRow {
  id: string;
  hash: Buffer;
  label: string | null;
  origin: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  quota: string | null;
  scope: string;
}

const TOKEN_PATTERN = /^([0-9a-f]{10})\.([A-Za-z0-9_-]{43})$/;
// Compared against when the id is unknown, so a miss costs the same work as a hit.
const NO_SUCH_TOKEN = sha256('no such token');
// last_used_at is for people reading `tokens list`: minute precision saves a write per request.
const TOUCH_EVERY_MS = 60_000;

export interface TokenStore {
  issue(options: { origin: string | null; label: string | null; quota?: QuotaOverrides | null; scope?: TokenScope }): IssuedToken;
  /** The token's record when it is genuine, not revoked and of this scope; null otherwise. */
  authenticate(token: string, scope?: TokenScope): TokenRecord | null;
  /** Still valid? (Checked on every request and periodically: revocation may come from another process.) */
  isActive(id: string): boolean;
  list(): TokenRecord[];
  /** The record of a token by its public id, revoked or not. */
  get(id: string): TokenRecord | null;
  revoke(id: string): 'revoked' | 'already_revoked' | 'not_found';
}

export function createTokenStore(db: Db, now: () => number = Date.now): TokenStore {
  const insert = db.prepare(
    'INSERT INTO tokens (id, hash, label, origin, created_at, quota, scope) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE id = ?');
  const active = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM tokens WHERE id = ? AND revoked_at IS NULL');
  const all = db.prepare<[], TokenRow>('SELECT * FROM tokens ORDER BY created_at, id');
  const touch = db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?');
  const revoke = db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');

  return {
    issue({ origin, label, quota = null, scope = 'verify' }) {
      for (;;) {
        const id = randomBytes(5).toString('hex');
        const token = `${id}.${randomSecret(32)}`;
        try {
          insert.run(id, sha256(token), label, origin, now(), quota === null ? null : JSON.stringify(quota), scope);
          return { id, token };
        } catch (error) {
          // A 40-bit id collision: vanishingly rare, and harmless to retry.
          if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
        }
      }
    },

    authenticate(token, scope = 'verify') {
      const match = TOKEN_PATTERN.exec(token);
      const row = match ? byId.get(match[1]!) : undefined;
      const genuine = digestsEqual(sha256(token), row?.hash ?? NO_SUCH_TOKEN);
      if (!row || !genuine || row.revoked_at !== null || row.scope !== scope) return null;
      const at = now();
      if (row.last_used_at === null || at - row.last_used_at >= TOUCH_EVERY_MS) {
        touch.run(at, row.id);
        row.last_used_at = at;
      }
      return toRecord(row);
    },

    isActive: (id) => active.get(id) !== undefined,

    list: () => all.all().map(toRecord),
    get: (id) => {
      const row = byId.get(id);
      return row ? toRecord(row) : null;
    },

    revoke(id) {
      if (revoke.run(now(), id).changes === 1) return 'revoked';
      return byId.get(id) ? 'already_revoked' : 'not_found';
    },
  };
}

function toRecord(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    label: row.label,
    origin: row.origin,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    quota: row.quota === null ? null : (JSON.parse(row.quota) as QuotaOverrides),
    scope: row.scope === 'metrics' ? 'metrics' : 'verify',
  };
}
