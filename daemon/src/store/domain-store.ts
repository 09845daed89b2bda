import type { MxRecord, VerificationResult } from '@mailping/shared';
import type { Db } from './database';

export interface DomainFacts {
  domain: string;
  /** true/false as last probed; null when never decided or the answer expired. */
  catchAll: boolean | null;
  catchAllCheckedAt: number | null;
  /** MX records as last resolved, best first; null when unknown or expired. */
  mx: MxRecord[] | null;
}

/**
 * What we learnt about a domain as a whole, in the `domains` table: whether it accepts any
 * address (catch-all) and where its mail goes. Kept so the popup and `mailping doctor` can show
 * them and so they outlive the process; the engine keeps its own short-lived copy in memory.
 */
export class DomainStore {
  private readonly upsertCatchAll;
  private readonly upsertMx;
  private readonly select;

  constructor(
    db: Db,
    private readonly ttl: { catchAllMs: number; mxMs: number },
  ) {
    this.upsertCatchAll = db.prepare<[string, number, number]>(
      `INSERT INTO domains (domain, catch_all, catch_all_checked_at) VALUES (?, ?, ?)
       ON CONFLICT(domain) DO UPDATE SET catch_all = excluded.catch_all, catch_all_checked_at = excluded.catch_all_checked_at`,
    );
    this.upsertMx = db.prepare<[string, string, number]>(
      `INSERT INTO domains (domain, mx, mx_expires_at) VALUES (?, ?, ?)
       ON CONFLICT(domain) DO UPDATE SET mx = excluded.mx, mx_expires_at = excluded.mx_expires_at`,
    );
    this.select = db.prepare<[string], { catch_all: number | null; catch_all_checked_at: number | null; mx: string | null; mx_expires_at: number | null }>(
      'SELECT catch_all, catch_all_checked_at, mx, mx_expires_at FROM domains WHERE domain = ?',
    );
  }

  /** Records what a result says about its domain; call inside the transaction that saves the result. */
  record(result: VerificationResult, now: number): void {
    const domain = result.syntax.domain;
    if (!domain) return;
    const catchAll = result.smtp?.catchAll;
    if (catchAll === true || catchAll === false) this.upsertCatchAll.run(domain, catchAll ? 1 : 0, now);
    if (result.dns && !result.dns.error && result.dns.mx.length > 0) {
      this.upsertMx.run(domain, JSON.stringify(result.dns.mx), now + this.ttl.mxMs);
    }
  }

  get(domain: string, now: number): DomainFacts | null {
    const row = this.select.get(domain);
    if (!row) return null;
    const catchAllFresh = row.catch_all !== null && row.catch_all_checked_at !== null && now - row.catch_all_checked_at < this.ttl.catchAllMs;
    const mxFresh = row.mx !== null && row.mx_expires_at !== null && now < row.mx_expires_at;
    return {
      domain,
      catchAll: catchAllFresh ? row.catch_all === 1 : null,
      catchAllCheckedAt: row.catch_all_checked_at,
      mx: mxFresh ? parseMx(row.mx!) : null,
    };
  }
}

function parseMx(json: string): MxRecord[] | null {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? (value as MxRecord[]) : null;
  } catch {
    return null;
  }
}
