import { parseAddress, type VerificationResult } from '@mailping/shared';
import { mailpingPaths } from '../config/paths';
import { openDatabase } from '../store/database';
import { ResultStore } from '../store/result-store';
import { isFresh } from '../store/ttl';
import { exitCodeFor } from './exit-codes';
import { formatResult } from './format-human';
import type { SyntaxOnlyFlags } from './syntax-only';

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
      const store = new ResultStore(db, { historyLimit: 0 });
      results = [];
      for (const input of inputs) {
        const parsed = parseAddress(input);
        if (!parsed.ok) return null;
        const stored = store.get(parsed.address.normalized);
        if (!stored || !isFresh(stored.expiresAt, now)) return null;
        // As the scheduler answers a cache hit: the stored result, with the address as typed.
        results.push({ ...stored.result, address: parsed.address.input });
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
