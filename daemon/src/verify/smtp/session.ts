import type { ParsedAddress } from '@mailping/shared';
import { BatchState } from './batch-state';
import { abortFailureOf, SessionWorker } from './session-worker';
import type { BatchOutcome, MxTarget, SessionContext, SessionOptions } from './session-types';

export type * from './session-types';

/**
 * One domain's recipients over as few connections as the server's limits allow, on up to
 * `sessions` connections side by side: best MX first, the next on connection failure; EHLO
 * (HELO if refused), STARTTLS when needed, MAIL once, then RCPTs — pipelined when offered — in
 * chunks no larger than the errors the server will tolerate, reconnecting when the budget is
 * spent. A 421 or a hang-up defers the rest of the batch: those addresses come back "not asked",
 * for the caller to ask again after the server's backoff. Never DATA; always QUIT.
 */
export async function runSmtpBatch(
  targets: MxTarget[],
  recipients: ParsedAddress[],
  options: SessionOptions,
  context: SessionContext,
  sessions = 1,
): Promise<BatchOutcome> {
  const workers = Math.max(1, Math.min(sessions, recipients.length));
  // Newcomers may join up to what `sessions` sessions cover within the error budget (the caller
  // sized the deadline for that).
  const more = context.more ? { pull: context.more, room: Math.max(0, workers * Math.max(1, options.errorBudget - 1) - recipients.length) } : null;
  const state = new BatchState(recipients, options, context.startedAt, workers, more);
  await Promise.all(Array.from({ length: workers }, () => new SessionWorker(state, targets, options, context).work()));
  state.settle(context.signal.aborted ? abortFailureOf(context.signal) : null);
  return state.outcome();
}
