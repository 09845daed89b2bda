import type { VerificationResult } from '@mailping/shared';

export interface RetryDelays {
  /** After greylisting or another "try again later" to the address's own RCPT. */
  greylistMs: number;
  /** After the server deferred the session (421, hang-up): its backoff. */
  backoffMs: number;
}

/**
 * How long until asking again makes sense, or null when the answer is final. The facts come
 * from the result itself (its reason, its own reply, the deferral the engine recorded), never
 * from reading the transcript.
 */
export function retryIn(result: VerificationResult, delays: RetryDelays): number | null {
  if (result.smtp?.deferral) return Math.max(delays.backoffMs, 1000);
  if (result.reason === 'greylisted') return delays.greylistMs;
  const code = result.reply?.code ?? 0;
  if (result.reason === 'temporary_failure' && code >= 400 && code < 500) return delays.greylistMs;
  return null;
}
