import { parseAddress, type ErrorCode, type ProgressStage, type VerificationResult } from '@mailping/shared';
import type { Quota } from '../auth/quota';
import { SchedulerError } from '../scheduler/types';
import { ResultStore } from '../store/result-store';
import { isFresh } from '../store/ttl';
import { syntaxFailureResult } from '../verify/build-result';
import type { DaemonContext } from './context';

/**
 * One verification as both front doors run it: syntax first (a malformed address never reaches
 * the scheduler, let alone a socket), then the client's rate limit, then the scheduler. Failures
 * come back as typed values with the protocol's error codes.
 */
export type Answer =
  | { ok: true; result: VerificationResult; cached: boolean }
  | { ok: false; code: ErrorCode; message: string; retryAfterMs?: number };

/** The invalid_syntax result the CLI's --json gives, or null when the syntax is fine. */
export function syntaxResult(input: string): VerificationResult | null {
  const started = performance.now();
  const parsed = parseAddress(input);
  if (parsed.ok) return null;
  const ms = Math.round((performance.now() - started) * 10) / 10;
  return syntaxFailureResult(input.trim(), parsed.error, { syntaxMs: ms, dnsMs: null, smtpMs: null, totalMs: ms });
}

/** Who asks: a token id, and the token's quota when it was invited over the network. */
export interface Client {
  id: string;
  quota: Quota | null;
}

/** Takes a client's share of its requests-per-minute budget (its own quota's rate, when it has one). */
export function admit(ctx: DaemonContext, client: Client, count: number): { ok: true } | { ok: false; retryAfterMs: number } {
  return ctx.limiter.take(client.id, count, client.quota?.requestsPerMinute);
}

/**
 * Runs an address whose syntax is valid and whose rate-limit share was already taken. A fresh
 * check is reserved against the day's quota first; a cache hit gives it back (and its rate share).
 */
export async function submitAdmitted(
  ctx: DaemonContext,
  client: Client,
  input: string,
  options: { fresh?: boolean; signal?: AbortSignal; onProgress?: (stage: ProgressStage) => void } = {},
): Promise<Answer> {
  const clientId = client.id;
  const reserved = ctx.usage.reserveFresh(clientId, client.quota?.freshChecksPerDay ?? null);
  // Quota spent: a cached answer is still free, so only an address the cache cannot answer is refused.
  if (!reserved.ok && (options.fresh === true || !inCache(ctx, input))) {
    ctx.limiter.refund(clientId);
    return {
      ok: false,
      code: 'rate_limited',
      message: `this token's ${reserved.limit} fresh checks for today are used up; they come back at midnight UTC (cached answers stay free)`,
      retryAfterMs: reserved.retryAfterMs,
    };
  }
  const settle = reserved.ok ? ctx.usage : { wasCached: (id: string) => ctx.usage.recordCached(id), release: () => {} };
  try {
    const answer = await ctx.scheduler.submit(input.trim(), {
      clientId,
      ...(options.fresh !== undefined && { fresh: options.fresh }),
      ...(options.signal && { signal: options.signal }),
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
    ctx.metrics.observe(answer.result, answer.cached);
    if (answer.cached) {
      ctx.limiter.refund(clientId);
      settle.wasCached(clientId);
    }
    return { ok: true, result: answer.result, cached: answer.cached };
  } catch (error) {
    settle.release(clientId);
    if (error instanceof SchedulerError) {
      // Nothing reached a mail server: the request does not count against the limit.
      if (error.code !== 'cancelled' && error.code !== 'internal') ctx.limiter.refund(clientId);
      return { ok: false, code: error.code, message: error.message, ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }) };
    }
    ctx.log.info(`internal error verifying an address: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { ok: false, code: 'internal', message: 'internal error in the daemon' };
  }
}

function inCache(ctx: DaemonContext, input: string): boolean {
  const parsed = parseAddress(input);
  if (!parsed.ok) return false;
  const stored = new ResultStore(ctx.db, { historyLimit: ctx.settings.cache.historyLimit }).get(parsed.address.normalized);
  return stored !== null && isFresh(stored.expiresAt, ctx.now());
}
