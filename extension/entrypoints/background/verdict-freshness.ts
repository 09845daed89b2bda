import type { VerificationResult } from '@mailping/shared';

/**
 * How long a result holds before MailPing asks the mail server again, following the daemon's
 * cache policy (daemon/src/config/settings.ts `cache`): definite answers last the re-verify
 * interval from the options; "risky" at most a day (catch-all and full mailboxes change);
 * "unknown" ten minutes at most, or until the server said a retry makes sense (greylisting).
 * A syntax error never changes, so it never expires.
 */
const HOUR = 3_600_000;
const MINUTE = 60_000;

export function freshForMs(result: VerificationResult, reverifyMs: number): number {
  if (result.reason === 'invalid_syntax') return Number.POSITIVE_INFINITY;
  switch (result.verdict) {
    case 'deliverable':
    case 'undeliverable':
      return reverifyMs;
    case 'risky':
      return Math.min(reverifyMs, 24 * HOUR);
    case 'unknown': {
      const retryAt = result.retryAt === null ? Number.NaN : Date.parse(result.retryAt) - Date.parse(result.checkedAt);
      return Number.isFinite(retryAt) ? Math.min(10 * MINUTE, Math.max(MINUTE, retryAt)) : 10 * MINUTE;
    }
  }
}

export function isFresh(result: VerificationResult, reverifyMs: number, now: number): boolean {
  const checkedAt = Date.parse(result.checkedAt);
  // A result without a readable time cannot be trusted to be recent.
  if (!Number.isFinite(checkedAt)) return false;
  return now - checkedAt < freshForMs(result, reverifyMs);
}
