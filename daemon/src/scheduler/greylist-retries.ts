import type { RetryStore } from '../store/retry-store';

export interface GreylistRetryOptions {
  delayMs: number;
  maxRetries: number;
  now: () => number;
  /** Called for each address whose retry is due: the scheduler verifies it again. */
  onDue: (address: string) => void;
  /** Where failures of the timer go (it has no caller to answer). */
  log: (message: string) => void;
}

export interface RetryPlan {
  /** When the next retry will run, for the result's retryAt; null when none is planned. */
  retryAt: number | null;
  /** A retry was pending and this result answers it: clients should hear about it. */
  superseded: boolean;
}

/** Checks the table at least this often, so a suspended laptop or a changed clock catches up. */
const MAX_TIMER_MS = 60_000;
const DUE_PER_TICK = 100;

/**
 * Greylisting answers "try again later" (RFC 6647), and so does a server that defers a session
 * (421, a hang-up mid-batch); a verifier that stops there is useless for those domains. Each greylisted address gets a row in `retries`; a timer verifies it again
 * when due and gives up after `maxRetries`. The rows outlive the process: start() re-arms them.
 */
export class GreylistRetries {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly store: RetryStore,
    private readonly options: GreylistRetryOptions,
  ) {}

  /**
   * What a new result for `address` means for its retry; call inside the transaction that saves
   * the result. `retryIn`: how long until asking again makes sense (greylisting, a server's
   * deferral), null when the answer is final. `wasRetry`: the result came from a retry (it
   * counts as an attempt).
   */
  afterResult(address: string, retryIn: number | null, wasRetry: boolean): RetryPlan {
    const pending = this.store.get(address);
    if (retryIn === null) return { retryAt: null, superseded: pending !== null && this.store.delete(address) };
    const attempts = (pending?.attempts ?? 0) + (wasRetry ? 1 : 0);
    if (attempts >= this.options.maxRetries) {
      if (pending) this.store.delete(address);
      return { retryAt: null, superseded: false };
    }
    const retryAt = this.options.now() + retryIn;
    this.store.set(address, retryAt, attempts);
    return { retryAt, superseded: false };
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sets the timer for the earliest pending retry; call after the table changed. */
  arm(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let next: number | null;
    try {
      next = this.store.nextAt();
    } catch (error) {
      this.options.log(`greylisting retries: cannot read the retries table: ${(error as Error).message}`);
      return;
    }
    if (next === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, next - this.options.now()));
    this.timer = setTimeout(() => this.fire(), delay);
    // Pending retries alone must not keep a process alive.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    if (!this.running) return;
    try {
      const now = this.options.now();
      for (const due of this.store.due(now, DUE_PER_TICK)) {
        // Claimed by moving it a delay ahead: it will not fire again while it runs, and if the
        // process dies now, the next start retries it then.
        this.store.set(due.address, now + this.options.delayMs, due.attempts);
        this.options.onDue(due.address);
      }
    } catch (error) {
      this.options.log(`greylisting retries: ${(error as Error).message}`);
    }
    this.arm();
  }
}
