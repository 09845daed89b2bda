/**
 * At most N connections at once per mail server: the politeness that keeps the user's IP off
 * blocklists. Keyed by IP address, shared by every batch of a verifier (two domains often share
 * one provider's MX). Waiters are served in arrival order.
 */
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly queues = new Map<string, Array<() => void>>();

  constructor(readonly perHost: number) {}

  /** Resolves with a release function once a slot for `key` is free. */
  acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.active.set(key, (this.active.get(key) ?? 0) + 1);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.release(key);
        });
      };
      const onAbort = (): void => {
        const queue = this.queues.get(key);
        const index = queue?.indexOf(grant) ?? -1;
        if (queue && index >= 0) queue.splice(index, 1);
        reject(signal?.reason);
      };
      if ((this.active.get(key) ?? 0) < this.perHost) return grant();
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.queues.get(key) ?? [];
      queue.push(grant);
      this.queues.set(key, queue);
    });
  }

  /** Connections open to `key` now: for tests and for the daemon's status. */
  count(key: string): number {
    return this.active.get(key) ?? 0;
  }

  private release(key: string): void {
    const left = (this.active.get(key) ?? 1) - 1;
    if (left > 0) this.active.set(key, left);
    else this.active.delete(key);
    const next = this.queues.get(key)?.shift();
    if (this.queues.get(key)?.length === 0) this.queues.delete(key);
    next?.();
  }
}
