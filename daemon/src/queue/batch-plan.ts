/** How a domain's addresses are cut into queue jobs (batches), and how many sessions each may open. */
export interface BatchPlan {
  /** Addresses per batch (the last may have fewer). */
  size: number;
  /** Sessions a batch may open side by side, sharing its addresses. */
  sessions: number;
}

/** Sessions one batch may pool: two already absorb most of the luck of where the refusals fall. */
export const MAX_SESSIONS_PER_BATCH = 2;

/**
 * A domain's batches, from the politeness settings. The engine sizes each flight of RCPTs to the
 * errors the server will still tolerate (the error budget, one kept for the catch-all probe), so
 * a session covers `errorBudget - 1` addresses in its first flight and more only if few were
 * refused. Sessions that share a batch pool its addresses: whichever has room left takes the
 * rest, as the local engine's sessions of one domain do. Batches of one session each could not:
 * a batch that drew more refusals than its session allows needs a second session, one more
 * round of connect and EHLO after the others are done (a 200-address list through the queue
 * took 2 to 3 rounds where the local run took 1). So a domain gets the sessions the local engine
 * would give it (≤ connectionsPerHost), at most `MAX_SESSIONS_PER_BATCH` to a batch, in as many
 * batches as that takes: those run side by side on any workers. No session asks more than
 * `maxRcptPerSession`.
 */
export function planBatches(addresses: number, politeness: { connectionsPerHost: number; errorBudget: number; maxRcptPerSession: number }): BatchPlan {
  // What one session surely asks in its first flight (a tiny maxRcptPerSession caps it too).
  const perSession = Math.max(1, Math.min(politeness.errorBudget - 1, politeness.maxRcptPerSession));
  const wanted = Math.max(1, Math.min(politeness.connectionsPerHost, Math.ceil(addresses / perSession)));
  const pooled = Math.min(wanted, MAX_SESSIONS_PER_BATCH);
  const batches = Math.max(Math.ceil(wanted / pooled), Math.ceil(addresses / (pooled * Math.max(1, politeness.maxRcptPerSession))));
  const size = Math.max(1, Math.ceil(addresses / batches));
  return { size, sessions: Math.max(1, Math.min(pooled, Math.ceil(size / perSession))) };
}
