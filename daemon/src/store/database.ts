import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * The daemon's one database: result cache and history, per-domain facts, greylisting retries,
 * tokens and pairing codes. WAL mode with synchronous=NORMAL: a committed write survives
 * `kill -9` of the process (the WAL is in the OS's hands once written), and readers never wait
 * for the writer. Several processes (daemon and CLI) may open it at once.
 */
const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE results (
    address     TEXT PRIMARY KEY,      -- normalized address
    domain      TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    result      TEXT NOT NULL,         -- VerificationResult as JSON
    checked_at  INTEGER NOT NULL,      -- ms since epoch
    expires_at  INTEGER NOT NULL
  );
  CREATE INDEX results_domain ON results(domain);

  CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    address     TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    checked_at  INTEGER NOT NULL,
    result      TEXT NOT NULL
  );
  CREATE INDEX history_checked ON history(checked_at);
  CREATE INDEX history_address ON history(address);

  CREATE TABLE domains (
    domain                TEXT PRIMARY KEY,
    catch_all             INTEGER,     -- 1, 0 or NULL (not known)
    catch_all_checked_at  INTEGER,
    mx                    TEXT,        -- MX records as JSON
    mx_expires_at         INTEGER
  );

  CREATE TABLE retries (
    address     TEXT PRIMARY KEY,
    retry_at    INTEGER NOT NULL,
    attempts    INTEGER NOT NULL
  );
  CREATE INDEX retries_due ON retries(retry_at);

  CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,    -- short public id, for list and revoke
    hash          BLOB NOT NULL UNIQUE,-- SHA-256 of the token; the token itself is never stored
    label         TEXT,
    origin        TEXT,                -- the extension origin the token was paired from
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
  );

  CREATE TABLE pairing_codes (
    hash           BLOB PRIMARY KEY,   -- SHA-256 of the code
    expires_at     INTEGER NOT NULL,
    attempts_left  INTEGER NOT NULL,
    used_at        INTEGER
  );
  `,
  // 2: server mode: invites, quotas and usage per token, lists submitted over the network
  `
  ALTER TABLE pairing_codes ADD COLUMN invite TEXT;  -- {name, quota} as JSON for an invite; NULL for a local pairing code
  ALTER TABLE tokens ADD COLUMN quota TEXT;          -- quota overrides as JSON for an invited token; NULL: no quota
  ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'verify';  -- 'verify', or 'metrics' (reads /metrics only)

  CREATE TABLE token_usage (
    token_id  TEXT NOT NULL,
    day       TEXT NOT NULL,                 -- UTC date, YYYY-MM-DD
    fresh     INTEGER NOT NULL DEFAULT 0,    -- checks that asked a mail server
    cached    INTEGER NOT NULL DEFAULT 0,    -- answered from the cache (free)
    PRIMARY KEY (token_id, day)
  );

  CREATE TABLE lists (
    id           TEXT PRIMARY KEY,
    token_id     TEXT NOT NULL,
    total        INTEGER NOT NULL,
    fresh        INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    answered     INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX lists_token ON lists(token_id, finished_at);

  CREATE TABLE list_items (
    list_id  TEXT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    address  TEXT NOT NULL,
    seq      INTEGER,                        -- order of answering, 1, 2, ...; NULL until answered
    answer   TEXT,                           -- {result, cached} or {error} as JSON
    PRIMARY KEY (list_id, idx)
  );
  CREATE UNIQUE INDEX list_items_seq ON list_items(list_id, seq);
  `,
  // 3: the budget of wrong pairing codes per source address outlives a restart
  `
  CREATE TABLE pairing_budgets (
    source    TEXT PRIMARY KEY,     -- the address (or IPv6 /64) that sent wrong codes
    tokens    REAL NOT NULL,        -- attempts left at that moment
    at        INTEGER NOT NULL,     -- ms since epoch
    capacity  INTEGER NOT NULL      -- attempts per hour when last counted
  );
  `,
];

export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  // Read-only never creates the file: opening one that is not there fails.
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false, timeout: 5000 });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
