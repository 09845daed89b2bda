import type { ErrorCode, ProgressStage, VerificationResult } from '@mailping/shared';

/**
 * The contract between the daemon's front doors (WebSocket, HTTP, the CLI's list mode) and the
 * scheduler that owns every SMTP session: callers ask for one address at a time; the scheduler
 * answers from the cache, coalesces identical requests, batches addresses of a domain into one
 * session and keeps the politeness limits.
 */
export interface SubmitOptions {
  /** Who asks (token id, "cli"): fairness and accounting. */
  clientId: string;
  /** Ignore the cache and ask the mail server again. */
  fresh?: boolean;
  /** This asks again after a greylisting or deferral answer: counted as a retry, and shown as one in the transcript. */
  retry?: boolean;
  /** Cancels this caller's interest; the session goes on if others wait for the same domain. */
  signal?: AbortSignal;
  onProgress?: (stage: ProgressStage) => void;
}

export interface SchedulerAnswer {
  result: VerificationResult;
  /** Answered from the cache without talking to a mail server. */
  cached: boolean;
}

/** Why a request was not answered with a result: the same codes travel over the wire. */
export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  constructor(
    readonly code: Extract<ErrorCode, 'invalid_address' | 'queue_full' | 'rate_limited' | 'cancelled' | 'shutting_down' | 'internal'>,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface SchedulerStats {
  queued: number;
  inFlight: number;
  sessions: number;
  pendingRetries: number;
}

export interface Scheduler {
  /**
   * Resolves with a result, or rejects with a SchedulerError (queue_full, cancelled,
   * shutting_down, internal). A malformed address is a result, not an error: it resolves at once
   * with verdict undeliverable / reason invalid_syntax (syntax.error says why), `cached: false`,
   * and is neither stored nor counted against the queue. The scheduler never rejects with
   * invalid_address; that code is left to front doors that refuse a request before submitting it.
   */
  submit(address: string, options: SubmitOptions): Promise<SchedulerAnswer>;
  /** Results the scheduler produced on its own (greylisting retries), for pushing to clients. */
  onUpdate(listener: (result: VerificationResult) => void): () => void;
  /** Latest results first, from the persistent history. */
  history(options?: { limit?: number; before?: string }): VerificationResult[];
  /** The latest stored result for an address, fresh or not, or null. */
  lookup(address: string): VerificationResult | null;
  stats(): SchedulerStats;
  /** Stops accepting, cancels what waits, lets running sessions say QUIT, then resolves. */
  close(): Promise<void>;
}
