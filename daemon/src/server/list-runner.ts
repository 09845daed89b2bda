import { quotaOf } from '../auth/quota';
import { createListStore, type ListEvent, type ListRow, type ListStore } from '../store/list-store';
import type { DaemonContext } from './context';
import { admit, submitAdmitted, syntaxResult, type Client } from './verification';

/**
 * Runs the lists clients submit over HTTP, in the daemon and apart from any connection: a client
 * that drops its connection asks again for the events after the last one it saw. A list paces
 * itself under its token's quota (it waits out a 429 instead of failing its addresses), and lists
 * left unfinished by a stopped daemon go on when it starts again.
 */
export interface ListRunner {
  readonly store: ListStore;
  start(list: ListRow): void;
  /** Called with each event of `id` as it is recorded, and once with null when the list is finished. */
  subscribe(id: string, listener: (event: ListEvent | null) => void): () => void;
  cancel(id: string): void;
  /** Lists of an earlier run of the daemon. */
  resumeUnfinished(): void;
  close(): void;
}

// Addresses of one list in flight at once: enough to fill the scheduler's batches per domain.
const WINDOW = 32;

export function createListRunner(ctx: DaemonContext): ListRunner {
  const store = createListStore(ctx.db);
  const listeners = new Map<string, Set<(event: ListEvent | null) => void>>();
  const running = new Map<string, AbortController>();
  let closed = false;

  const emit = (id: string, event: ListEvent | null): void => {
    for (const l of listeners.get(id) ?? []) l(event);
  };

  const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });

  async function one(list: ListRow, client: Client, index: number, address: string, signal: AbortSignal): Promise<void> {
    const invalid = syntaxResult(address);
    if (invalid) {
      record(list.id, index, { result: invalid, cached: false });
      return;
    }
    while (!signal.aborted) {
      const admission = admit(ctx, client, 1);
      if (!admission.ok) {
        await sleep(admission.retryAfterMs, signal);
        continue;
      }
      const answer = await submitAdmitted(ctx, client, address, { fresh: list.fresh, signal });
      if (answer.ok) return record(list.id, index, { result: answer.result, cached: answer.cached });
      if (answer.code === 'cancelled' || answer.code === 'shutting_down') return;
      // Quota spent for the day, or the scheduler's queue full: wait, the list goes on later.
      if (answer.code === 'rate_limited' || answer.code === 'queue_full') {
        await sleep(answer.retryAfterMs ?? 1000, signal);
        continue;
      }
      return record(list.id, index, { error: { code: answer.code, message: answer.message } });
    }
  }

  function record(id: string, index: number, answer: Parameters<ListStore['answer']>[2]): void {
    const event = store.answer(id, index, answer);
    if (event) emit(id, event);
  }

  async function run(list: ListRow, controller: AbortController): Promise<void> {
    const token = ctx.tokens.get(list.tokenId);
    if (!token) return;
    const client: Client = { id: token.id, quota: quotaOf(token, ctx.settings) };
    const queue = store.pending(list.id);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queue.length && !controller.signal.aborted) {
        if (!ctx.tokens.isActive(client.id)) return controller.abort();
        const item = queue[next++]!;
        await one(list, client, item.index, item.address, controller.signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(WINDOW, queue.length) }, worker));
    // Stopped by shutdown: left unfinished, to go on at the next start. Cancelled or revoked: finished.
    if (closed) return;
    store.finish(list.id, ctx.now());
    emit(list.id, null);
  }

  function start(list: ListRow): void {
    if (closed || running.has(list.id)) return;
    const controller = new AbortController();
    running.set(list.id, controller);
    run(list, controller)
      .catch((error: unknown) => ctx.log.info(`list ${list.id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
      .finally(() => running.delete(list.id));
  }

  return {
    store,
    start,
    subscribe(id, listener) {
      let set = listeners.get(id);
      if (!set) listeners.set(id, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(id);
      };
    },
    cancel(id) {
      running.get(id)?.abort();
      if (!running.has(id)) {
        store.finish(id, ctx.now());
        emit(id, null);
      }
    },
    resumeUnfinished() {
      for (const list of store.unfinished()) {
        // Answers recorded before the stop stay as they are: only the unanswered addresses are asked.
        ctx.log.info(`list ${list.id}: going on after a restart, ${list.answered} of ${list.total} answered`);
        start(list);
      }
    },
    close() {
      closed = true;
      for (const c of running.values()) c.abort();
    },
  };
}
