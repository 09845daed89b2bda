import { verificationResultSchema, type VerificationResult } from '@mailping/shared';
import type { Db } from './database';

export interface StoredResult {
  result: VerificationResult;
  /** ms since epoch, from the result's checkedAt. */
  checkedAt: number;
  expiresAt: number;
}

export interface HistoryQuery {
  limit?: number;
  /** Only results checked strictly before this ISO time (paging: pass the last page's oldest checkedAt). */
  before?: string;
}

const DEFAULT_HISTORY_PAGE = 50;
const MAX_HISTORY_PAGE = 1000;

/**
 * The result cache (latest result per normalized address) and the history of every result
 * produced, in the `results` and `history` tables. Each save is one transaction, so a result is
 * either fully recorded or not at all, and a committed one survives `kill -9`.
 */
export class ResultStore {
  private readonly selectOne;
  private readonly upsert;
  private readonly append;
  private readonly prune;
  private readonly page;
  private readonly pageBefore;
  private readonly saveTransaction;

  constructor(
    private readonly db: Db,
    private readonly options: { historyLimit: number },
  ) {
    this.selectOne = db.prepare<[string], { result: string; checked_at: number; expires_at: number }>(
      'SELECT result, checked_at, expires_at FROM results WHERE address = ?',
    );
    this.upsert = db.prepare(
      `INSERT INTO results (address, domain, verdict, reason, result, checked_at, expires_at)
       VALUES (@address, @domain, @verdict, @reason, @result, @checked_at, @expires_at)
       ON CONFLICT(address) DO UPDATE SET domain = excluded.domain, verdict = excluded.verdict, reason = excluded.reason,
         result = excluded.result, checked_at = excluded.checked_at, expires_at = excluded.expires_at`,
    );
    this.append = db.prepare(
      'INSERT INTO history (address, verdict, reason, checked_at, result) VALUES (@address, @verdict, @reason, @checked_at, @result)',
    );
    // Keeps the newest `historyLimit` rows. AUTOINCREMENT ids only grow, so the cut is plain
    // arithmetic on the id just inserted: a primary-key range, not a scan of the table.
    this.prune = db.prepare<[number]>('DELETE FROM history WHERE id <= ?');
    this.page = db.prepare<[number], { result: string }>('SELECT result FROM history ORDER BY checked_at DESC, id DESC LIMIT ?');
    this.pageBefore = db.prepare<[number, number], { result: string }>(
      'SELECT result FROM history WHERE checked_at < ? ORDER BY checked_at DESC, id DESC LIMIT ?',
    );
    this.saveTransaction = db.transaction((result: VerificationResult, normalized: string, domain: string, expiresAt: number) => {
      const json = JSON.stringify(result);
      const row = {
        address: normalized,
        domain,
        verdict: result.verdict,
        reason: result.reason,
        result: json,
        checked_at: checkedAtMs(result),
        expires_at: expiresAt,
      };
      this.upsert.run(row);
      if (this.options.historyLimit > 0) {
        const { lastInsertRowid } = this.append.run(row);
        this.prune.run(Number(lastInsertRowid) - this.options.historyLimit);
      }
    });
  }

  /** The latest result for a normalized address, fresh or not. Rows that no longer parse count as absent. */
  get(normalized: string): StoredResult | null {
    const row = this.selectOne.get(normalized);
    if (!row) return null;
    const result = parseResult(row.result);
    return result ? { result, checkedAt: row.checked_at, expiresAt: row.expires_at } : null;
  }

  /** Records a result produced by a verification (never one with invalid syntax: it has no key). */
  save(result: VerificationResult, expiresAt: number): void {
    const normalized = result.normalized;
    const domain = result.syntax.domain;
    if (!normalized || !domain) return;
    this.saveTransaction.immediate(result, normalized, domain, expiresAt);
  }

  /** Newest first. */
  history(query: HistoryQuery = {}): VerificationResult[] {
    const limit = Math.min(MAX_HISTORY_PAGE, Math.max(1, Math.floor(query.limit ?? DEFAULT_HISTORY_PAGE)));
    if (query.before === undefined) return this.parseRows(this.page.all(limit));
    const before = Date.parse(query.before);
    // An unreadable cursor gives an empty page rather than the first one again: a pager stops.
    return Number.isNaN(before) ? [] : this.parseRows(this.pageBefore.all(before, limit));
  }

  private parseRows(rows: Array<{ result: string }>): VerificationResult[] {
    return rows.map((r) => parseResult(r.result)).filter((r): r is VerificationResult => r !== null);
  }
}

function checkedAtMs(result: VerificationResult): number {
  const at = Date.parse(result.checkedAt);
  return Number.isNaN(at) ? Date.now() : at;
}

/** A row written by an older (or newer) version may not match today's schema: skip it, never crash. */
function parseResult(json: string): VerificationResult | null {
  try {
    const parsed = verificationResultSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
