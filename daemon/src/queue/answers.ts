import type { VerificationResult } from '@mailping/shared';
import type { Redis } from 'ioredis';
import { keys, LIST_TTL_MS } from './keys';

/**
 * The one place an answer enters a list: a single Lua step, so a worker killed at any point
 * either stored the answer with its event and counters, or stored nothing. HSETNX-like: the
 * first answer for an address wins; a later one is an `update` only when it carries a higher
 * version (a greylisting retry), and a duplicate (a batch run twice after a crash) is a no-op.
 */
const STORE_ANSWER = `
local cur = redis.call('HGET', KEYS[2], ARGV[1])
local version = tonumber(ARGV[3])
local ttl = tonumber(ARGV[5])
local kind
if not cur then
  kind = 'result'
  local answered = redis.call('HINCRBY', KEYS[4], 'answered', 1)
  if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[4], 'cached', 1) end
elseif tonumber(cur) < version then
  kind = 'update'
else
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], version)
local meta = redis.call('HMGET', KEYS[4], 'answered', 'total')
redis.call('XADD', KEYS[3], '*', 'type', kind, 'address', ARGV[1], 'result', ARGV[2], 'cached', ARGV[4], 'answered', meta[1], 'total', meta[2])
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
if kind == 'result' then return 1 end
return 2
`;

export type StoreOutcome = 'stored' | 'updated' | 'duplicate';

interface AnswerCommands {
  mpStoreAnswer(res: string, ver: string, evt: string, meta: string, address: string, json: string, version: number, cached: string, ttl: number): Promise<number>;
}

function commands(redis: Redis): AnswerCommands {
  const r = redis as Redis & Partial<AnswerCommands>;
  if (!r.mpStoreAnswer) redis.defineCommand('mpStoreAnswer', { numberOfKeys: 4, lua: STORE_ANSWER });
  return r as Redis & AnswerCommands;
}

export async function storeAnswer(
  redis: Redis,
  list: string,
  address: string,
  result: VerificationResult,
  options: { version?: number; cached?: boolean } = {},
): Promise<StoreOutcome> {
  const code = await commands(redis).mpStoreAnswer(
    keys.listResults(list),
    keys.listVersions(list),
    keys.listEvents(list),
    keys.listMeta(list),
    address,
    JSON.stringify(result),
    options.version ?? 0,
    options.cached ? '1' : '0',
    LIST_TTL_MS,
  );
  return code === 1 ? 'stored' : code === 2 ? 'updated' : 'duplicate';
}

/** Which of `addresses` have an answer at `minVersion` or later (a retry asks only the rest). */
export async function answeredAddresses(redis: Redis, list: string, addresses: string[], minVersion = 0): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const versions = await redis.hmget(keys.listVersions(list), ...addresses);
  return new Set(addresses.filter((_, i) => versions[i] !== null && Number(versions[i]) >= minVersion));
}

export interface ListEvent {
  /** Stream id: give it back as `after` to resume. */
  id: string;
  type: 'result' | 'update';
  address: string;
  result: VerificationResult;
  cached: boolean;
  answered: number;
  total: number;
}

/**
 * Events after `after` ('0' for all), waiting up to `blockMs` for the first one. A client that
 * lost its connection resumes from the last id it saw and misses nothing.
 */
export async function readEvents(redis: Redis, list: string, after: string, blockMs: number, count = 500): Promise<ListEvent[]> {
  const reply = (await redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', keys.listEvents(list), after)) as
    | Array<[string, Array<[string, string[]]>]>
    | null;
  if (!reply) return [];
  return reply[0]![1].map(([id, fields]) => {
    const f = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
    return {
      id,
      type: f.get('type') === 'update' ? 'update' : 'result',
      address: f.get('address') ?? '',
      result: JSON.parse(f.get('result') ?? 'null') as VerificationResult,
      cached: f.get('cached') === '1',
      answered: Number(f.get('answered') ?? 0),
      total: Number(f.get('total') ?? 0),
    };
  });
}

export async function listProgress(redis: Redis, list: string): Promise<{ answered: number; total: number } | null> {
  const [answered, total] = await redis.hmget(keys.listMeta(list), 'answered', 'total');
  return total === null ? null : { answered: Number(answered ?? 0), total: Number(total) };
}
