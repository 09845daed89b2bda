/**
 * What a suite started, stopped in reverse order: every step runs even when one before it
 * failed, and the first failure is thrown at the end.
 */
export class StopStack {
  private readonly steps: Array<() => Promise<void>> = [];

  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  /** Awaits `starting`, then keeps `stopOf` its result for stop(). */
  async started<T>(starting: Promise<T>, stopOf: (started: T) => Promise<void>): Promise<T> {
    const value = await starting;
    this.push(() => stopOf(value));
    return value;
  }

  async stop(): Promise<void> {
    let failure: unknown = null;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
  }
}

/**
 * Promise.all for starts side by side, except that on a failure it still waits for the others
 * to settle, so that whatever did start has its stop registered before the caller cleans up.
 */
export async function allStarted<T extends readonly unknown[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
