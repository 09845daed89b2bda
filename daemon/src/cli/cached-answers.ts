import { parseAddress, type VerificationResult } from '@mailping/shared';
import { mailpingPaths } from '../config/paths';
import { openDatabase } from '../store/database';
import { isFresh } from '../store/ttl';
import { exitCodeFor } from './exit-codes';
import { formatResult } from './format-human';
import type { SyntaxOnlyFlags } from './syntax-only';

interface StoredRow {
  result: string;
  verdict: string;
  reason: string;
  expires_at: number;
}

/** Every field of a result: the type checker keeps the list whole when a field is added. */
const RESULT_FIELDS = Object.keys({
  address: true, normalized: true, verdict: true, reason: true, detail: true, mx: true, reply: true, flags: true, suggestion: true,
  syntax: true, dns: true, smtp: true, transcript: true, timings: true, checkedAt: true, retryAt: true,
} satisfies Record<keyof VerificationResult, true>);

/**
 * A stored result as this version writes it, checked without the schema (zod alone is a third of
 * this path's start-up): every field present, the verdict and reason those of the row's own
 * columns. Anything else (a row from an older version) goes to the full run, whose ResultStore
 * validates with the schema.
 */
function currentFormat(row: StoredRow): VerificationResult | null {
  try {
    const result = JSON.parse(row.result) as Record<string, unknown> | null;
    if (typeof result !== 'object' || result === null || !RESULT_FIELDS.every((f) => f in result)) return null;
    return result.verdict === row.verdict && result.reason === row.reason ? (result as unknown as VerificationResult) : null;
  } catch {
    return null;
  }
}

export interface CacheOnlyFlags extends SyntaxOnlyFlags {
  cache: boolean;
  fresh?: boolean;
}

/**
 * `mailping verify` when every address has a fresh answer in the cache: open the database for
 * reading, look each address up, print as `runVerify` prints, done. Settings, scheduler, engine
 * and address lists are never loaded. Returns the exit status, or null when the run needs the
 * full path: an address not cached (or stale, or malformed), a result file, a progress bar, no
 * database yet. The full run then finds the cached answers again, so nothing is lost by trying.
 * Freshness is the expiry stored with each answer, so the settings' TTLs are not needed here.
 */
export function answerFromCache(inputs: readonly string[], flags: CacheOnlyFlags, now = Date.now()): number | null {
  if (!flags.cache || flags.fresh || inputs.length === 0 || flags.out !== undefined) return null;
  if (flags.progress && process.stderr.isTTY && inputs.length > 1) return null;
  let results: VerificationResult[];
  try {
    const db = openDatabase(mailpingPaths().database, { readonly: true });
    try {
      const select = db.prepare<[string], StoredRow>('SELECT result, verdict, reason, expires_at FROM results WHERE address = ?');
      results = [];
      for (const input of inputs) {
        const parsed = parseAddress(input);
        if (!parsed.ok) return null;
        const row = select.get(parsed.address.normalized);
        if (!row || !isFresh(row.expires_at, now)) return null;
        const result = currentFormat(row);
        if (!result) return null;
        // As the scheduler answers a cache hit: the stored result, with the address as typed.
        results.push({ ...result, address: parsed.address.input });
      }
    } finally {
      db.close();
    }
  } catch {
    // No database yet, an older schema, a lock: the full run copes (and says so if it cannot).
    return null;
  }
  const width = Math.min(40, Math.max(...inputs.map((a) => a.trim().length)));
  for (const result of results) {
    const text = flags.json ? JSON.stringify(result) : formatResult(result, { verbose: Boolean(flags.verbose), width });
    process.stdout.write(`${text}\n`);
  }
  process.stderr.write(`mailping: ${results.length} from cache (--fresh asks the servers again)\n`);
  return exitCodeFor(results);
}
