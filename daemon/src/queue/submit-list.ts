import { randomUUID } from 'node:crypto';
import { parseAddress } from '@mailping/shared';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { syntaxFailureResult } from '../verify/build-result';
import { storeAnswers } from './answers';
import { LIST_PRIORITY, SINGLE_PRIORITY, type BatchData } from './batch-processor';
import { batchJobId, keys, LIST_TTL_MS } from './keys';

export interface SubmittedList {
  list: string;
  /** Distinct addresses, each answered once (malformed ones already are). */
  total: number;
  /** For each input, the key its answer carries in the list's events (normalized address, or the trimmed input when malformed). */
  keyOf: string[];
}

const NO_TIMINGS = { syntaxMs: 0, dnsMs: null, smtpMs: null, totalMs: 0 };

/**
 * Puts a list on the queue: one job per domain batch (≤ `maxPerBatch` addresses, so a session
 * still pipelines them; one session per batch, so a domain's list is cut in `minBatches`), with ids derived from the list, so submitting again adds nothing. A
 * single address goes ahead of lists. Malformed addresses are answered here, at once.
 */
export async function submitList(
  redis: Redis,
  queue: Queue<BatchData>,
  inputs: readonly string[],
  options: {
    fresh: boolean;
    maxPerBatch: number;
    /** A domain's addresses go in at least this many batches when they can (connectionsPerHost): its sessions run side by side. */
    minBatches?: number;
    /**
     * …but no batch smaller than this (the error budget: what one session asks before it must
     * reconnect anyway). Each batch is a job, a session and its handshake: splitting 50
     * addresses in 20 batches of 3 costs 20 handshakes at the server and the workers' CPU for
     * no answer sooner.
     */
    minBatchSize?: number;
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
    const even = Math.ceil(addresses.length / Math.max(1, options.minBatches ?? 1));
    const size = Math.max(1, Math.min(options.maxPerBatch, Math.max(even, options.minBatchSize ?? 1)));
    for (let i = 0, n = 0; i < addresses.length; i += size, n++) {
      batches.push({
        name: 'batch',
        data: { list, domain, addresses: addresses.slice(i, i + size), n, fresh: options.fresh, version: 0, deferrals: 0 },
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
  return { list, total: seen.size, keyOf };
}
