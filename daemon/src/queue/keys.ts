/**
 * Every Redis key the queue uses, in one place. BullMQ keeps its own under `bull:<queue>:`;
 * ours start with `mp:`. Lists live until `LIST_TTL_MS` after their last answer.
 */
export const QUEUE_NAME = 'mailping-batches';

export const keys = {
  /** Hash: total, answered, cached, createdAt. */
  listMeta: (list: string) => `mp:list:${list}`,
  /** Hash: normalized address → result JSON; the one answer per address (HSETNX). */
  listResults: (list: string) => `mp:res:${list}`,
  /** Hash: normalized address → version of the stored answer (greylisting retries bump it). */
  listVersions: (list: string) => `mp:ver:${list}`,
  /** Stream of answer events: what clients follow and resume from. */
  listEvents: (list: string) => `mp:evt:${list}`,
  /** String: a cached result JSON with the verdict's TTL, shared by every worker and list. */
  cachedResult: (address: string) => `mp:c:${address}`,
  /** Hash: what is known about a domain (catch-all, last MX address), with the catch-all TTL. */
  domainFacts: (domain: string) => `mp:dom:${domain}`,
  /** Sorted set of connection leases to an MX address, scored by expiry (server time, ms). */
  hostLeases: (ip: string) => `mp:sem:ip:${ip}`,
  /** Hash: the RCPT token bucket of a domain (tokens, updated). */
  domainBucket: (domain: string) => `mp:tb:dom:${domain}`,
  /** Strings with a PX: set after a 421, while every worker leaves that host or domain alone. */
  hostBackoff: (ip: string) => `mp:bo:ip:${ip}`,
  domainBackoff: (domain: string) => `mp:bo:dom:${domain}`,
} as const;

export const LIST_TTL_MS = 7 * 24 * 3600_000;

/**
 * BullMQ refuses custom job ids with a ':' (unless they have exactly three parts, kept for old
 * repeatable jobs), so the id is `<list>~<domain>~<n>`: resubmitting the same batch is a no-op.
 */
export function batchJobId(list: string, domain: string, n: number, retry = 0): string {
  return retry > 0 ? `${list}~${domain}~${n}~r${retry}` : `${list}~${domain}~${n}`;
}
