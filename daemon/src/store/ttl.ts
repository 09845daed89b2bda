import type { VerificationResult } from '@mailping/shared';
import type { Settings } from '../config/settings';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * How long a result may be served from the cache. A mailbox's existence changes slowly, so
 * deliverable/undeliverable answers keep for days; unknown answers (greylisting, timeouts,
 * refusals of us) keep for minutes, because asking again soon may well give a real answer.
 */
export function cacheTtlMs(result: Pick<VerificationResult, 'verdict'>, cache: Settings['cache']): number {
  switch (result.verdict) {
    case 'deliverable':
      return cache.deliverableHours * HOUR;
    case 'undeliverable':
      return cache.undeliverableHours * HOUR;
    case 'risky':
      return cache.riskyHours * HOUR;
    case 'unknown':
      return cache.unknownMinutes * MINUTE;
  }
}

export function cacheExpiresAt(result: Pick<VerificationResult, 'verdict'>, cache: Settings['cache'], now: number): number {
  return now + cacheTtlMs(result, cache);
}

/** A stored answer is fresh strictly before its expiry: a TTL of 0 means "never serve from cache". */
export function isFresh(expiresAt: number, now: number): boolean {
  return now < expiresAt;
}
