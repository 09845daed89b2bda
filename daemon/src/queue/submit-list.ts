import { randomUUID } from 'node:crypto';
import { parseAddress } from '@mailping/shared';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Settings } from '../config/settings';
import { syntaxFailureResult } from '../verify/build-result';
import { storeAnswers } from './answers';
import { planBatches } from './batch-plan';
import { LIST_PRIORITY, SINGLE_PRIORITY, type BatchData } from './batch-processor';
import { batchJobId, keys, LIST_TTL_MS } from './keys';

export interface SubmittedList {
  list: string;
  /** Distinct addresses, each answered once (malformed ones already are). */
  total: number;
  /** For each input, the key its answer carries in the list's events (normalized address, or the trimmed input when malformed). */
  keyOf: string[];
  /** Jobs put on the queue (0: every address was malformed, answered already). */
  batches: number;
}

const NO_TIMINGS = { syntaxMs: 0, dnsMs: null, smtpMs: null, totalMs: 0 };

/**
 * Puts a list on the queue: one job per domain batch (planBatches: the sessions the local engine
 * would give the domain, up to two pooled in a batch), with ids derived from the list, so
 * submitting again adds nothing. A single address goes ahead of lists. Malformed addresses are
 * answered here, at once.
 */
export async function submitList(
  redis: Redis,
  queue: Queue<BatchData>,
  inputs: readonly string[],
  options: {
    fresh: boolean;
    /** How a domain's addresses are cut into batches (see planBatches). */
    politeness: Pick<Settings['politeness'], 'connectionsPerHost' | 'errorBudget' | 'maxRcptPerSession'>;
    list?: string;
  },
): Promise<SubmittedList> {
  const list = options.list ?? randomUUID();
  const keyOf: string[] = [];
  const byDomain = new Map<string, string[]>();
  const invalid = new Map<string, ReturnType<typeof syntaxFailureResult>>();
  const seen = new Set<string>();
  for (const input of inputs) {
    const parsed = parseAddress(input);
    if (!parsed.ok) {
      const key = input.trim();
      keyOf.push(key);
      if (!seen.has(key)) invalid.set(key, syntaxFailureResult(key, parsed.error, NO_TIMINGS));
      seen.add(key);
      continue;
    }
    const { normalized, domain } = parsed.address;
    keyOf.push(normalized);
    if (seen.has(normalized)) continue;
    seen.add(normalized);
    const sameDomain = byDomain.get(domain);
    if (sameDomain) sameDomain.push(normalized);
    else byDomain.set(domain, [normalized]);
  }

  const meta = keys.listMeta(list);
  // HSETNX: submitting the same list id again keeps its counters.
  await redis.multi().hsetnx(meta, 'total', seen.size).hsetnx(meta, 'answered', 0).hsetnx(meta, 'createdAt', Date.now()).pexpire(meta, LIST_TTL_MS).exec();
  await storeAnswers(redis, list, [...invalid].map(([address, result]) => ({ address, result })));

  const priority = seen.size === 1 ? SINGLE_PRIORITY : LIST_PRIORITY;
  const jobs = [...byDomain].flatMap(([domain, addresses]) => {
    const batches: Array<{ name: string; data: BatchData; opts: { jobId: string; priority: number; attempts: number; backoff: { type: 'exponential'; delay: number }; removeOnComplete: { age: number }; removeOnFail: { age: number } } }> = [];
    const { size, sessions } = planBatches(addresses.length, options.politeness);
    for (let i = 0, n = 0; i < addresses.length; i += size, n++) {
      batches.push({
        name: 'batch',
        data: { list, domain, addresses: addresses.slice(i, i + size), n, sessions, fresh: options.fresh, version: 0, deferrals: 0 },
        opts: {
          jobId: batchJobId(list, domain, n),
          priority,
          // A batch whose worker failed (not a verdict: a crash, lost leases) is tried again.
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 24 * 3600 },
        },
      });
    }
    return batches;
  });
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
  return { list, total: seen.size, keyOf, batches: jobs.length };
}
