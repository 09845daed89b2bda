import type { Scheduler, SchedulerAnswer } from '../scheduler/types';
import { SchedulerError } from '../scheduler/types';

export interface SubmitListOptions {
  fresh: boolean;
  /** Requests in flight at once: at most the scheduler's queue, so it never answers queue_full to us alone. */
  window: number;
  onAnswer: (index: number, answer: SchedulerAnswer) => void;
}

/**
 * Feeds a list to the scheduler, `window` addresses at a time, and reports each answer with its
 * index. Stops early (resolving with false) when the scheduler shuts down, e.g. on Ctrl-C.
 */
export async function submitList(scheduler: Scheduler, inputs: readonly string[], options: SubmitListOptions): Promise<boolean> {
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped && next < inputs.length) {
      const index = next++;
      const answer = await submitPatiently(scheduler, inputs[index]!, options.fresh);
      if (!answer) {
        stopped = true;
        return;
      }
      options.onAnswer(index, answer);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.window, inputs.length)) }, worker));
  return !stopped;
}

/** One address; waits and tries again while the queue is full (other clients of the same scheduler). */
async function submitPatiently(scheduler: Scheduler, input: string, fresh: boolean): Promise<SchedulerAnswer | null> {
  for (;;) {
    try {
      return await scheduler.submit(input, { clientId: 'cli', fresh });
    } catch (error) {
      if (!(error instanceof SchedulerError)) throw error;
      if (error.code === 'shutting_down' || error.code === 'cancelled') return null;
      if (error.code !== 'queue_full') throw error;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 1000));
    }
  }
}
