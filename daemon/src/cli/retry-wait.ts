import type { VerificationResult } from '@mailping/shared';
import type { Scheduler, SchedulerAnswer } from '../scheduler/types';
import { SchedulerError } from '../scheduler/types';

/**
 * Answers that say "try again later" (greylisting, a server that deferred the session) are held
 * back and asked again when the scheduler says a retry makes sense, until `deadline`; then the
 * last answer stands. Each index is told once, with its final answer.
 */
export class RetryWait {
  private readonly held = new Map<number, { input: string; result: VerificationResult }>();
  private readonly stop = new AbortController();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly deadline: number,
    private readonly onFinal: (index: number, answer: SchedulerAnswer) => void,
    private readonly onWaiting: (summary: string | null) => void,
  ) {}

  /** A first answer: told at once when final, held when a retry is due before the deadline. */
  answer(index: number, input: string, answer: SchedulerAnswer): void {
    if (this.due(answer.result) === null) return this.onFinal(index, answer);
    this.held.set(index, { input, result: answer.result });
  }

  /** Waits for the held answers' retries, asking each again when due; then tells them all. */
  async finish(): Promise<void> {
    while (this.held.size > 0 && !this.stop.signal.aborted) {
      const next = Math.min(...[...this.held.values()].map((h) => this.due(h.result) ?? Infinity));
      if (!Number.isFinite(next)) break;
      this.onWaiting(this.summary());
      await sleep(Math.max(0, next - Date.now()), this.stop.signal);
      if (this.stop.signal.aborted) break;
      const now = Date.now();
      const due = [...this.held].filter(([, h]) => (this.due(h.result) ?? Infinity) <= now);
      await Promise.all(due.map(([index, h]) => this.retry(index, h.input)));
    }
    this.onWaiting(null);
    for (const [index, h] of this.held) this.onFinal(index, { result: h.result, cached: false });
    this.held.clear();
  }

  /** Ctrl-C: stop waiting; what is held is told as it stands. */
  cancel(): void {
    this.stop.abort();
  }

  get waiting(): number {
    return this.held.size;
  }

  private async retry(index: number, input: string): Promise<void> {
    let answer: SchedulerAnswer;
    try {
      answer = await this.scheduler.submit(input, { clientId: 'cli', fresh: true, retry: true });
    } catch (error) {
      if (error instanceof SchedulerError) return this.cancel();
      throw error;
    }
    const held = this.held.get(index);
    if (!held) return;
    held.result = answer.result;
    if (this.due(answer.result) === null) {
      this.held.delete(index);
      this.onFinal(index, answer);
    }
  }

  /** When the scheduler will ask again, if that is before our deadline. */
  private due(result: VerificationResult): number | null {
    if (!result.retryAt) return null;
    const at = Date.parse(result.retryAt);
    return at <= this.deadline ? at : null;
  }

  /** "mx.a.test until 16:42:10 (3), mx.b.test until 16:45:00 (1)" */
  private summary(): string {
    const hosts = new Map<string, { until: number; count: number }>();
    for (const { result } of this.held.values()) {
      const host = result.smtp?.deferral?.host ?? result.mx?.host ?? result.normalized?.split('@')[1] ?? '?';
      const until = this.due(result) ?? 0;
      const seen = hosts.get(host) ?? { until: 0, count: 0 };
      hosts.set(host, { until: Math.max(seen.until, until), count: seen.count + 1 });
    }
    return [...hosts]
      .map(([host, { until, count }]) => `${host} until ${new Date(until).toTimeString().slice(0, 8)} (${count})`)
      .join(', ');
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
