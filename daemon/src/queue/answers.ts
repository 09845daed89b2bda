import type { VerificationResult } from '@mailping/shared';
import type { ChainableCommander, Redis } from 'ioredis';
import { keys, LIST_TTL_MS } from './keys';

/**
 * The one place answers enter a list: a single Lua step per batch, so a worker killed at any
 * point either stored an answer with its event and counters, or stored nothing; and one round
 * trip for a whole batch, not one per address. The first answer for an address wins; a later
 * one is an `update` only when it carries a higher version (a greylisting retry), and a
 * duplicate (a batch run twice after a crash) is a no-op. An answer that will be asked again
 * (greylisted, a retry is queued) says so in its event (`retrying`), so a client that waits for
 * retries knows which answers are not final yet. A stored answer also goes to the shared cache
 * when it has a cache TTL (a duplicate never does: the cache keeps what the list kept).
 * KEYS: results, versions, events, meta, then one cache key per answer.
 * ARGV: version, cached, ttl, then (address, json, retrying, cache ttl ms)…
 * → one code per answer: 1 stored, 2 updated, 0 duplicate.
 */
const STORE_ANSWERS = `
local version = tonumber(ARGV[1])
local ttl = tonumber(ARGV[3])
local codes = {}
local wrote = false
for i = 4, #ARGV, 4 do
  local address = ARGV[i]
  local cur = redis.call('HGET', KEYS[2], address)
  local kind
  if not cur then
    kind = 'result'
    redis.call('HINCRBY', KEYS[4], 'answered', 1)
    if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[4], 'cached', 1) end
  elseif tonumber(cur) < version then
    kind = 'update'
  end
  if kind then
    redis.call('HSET', KEYS[1], address, ARGV[i + 1])
    redis.call('HSET', KEYS[2], address, version)
    local meta = redis.call('HMGET', KEYS[4], 'answered', 'total')
    redis.call('XADD', KEYS[3], '*', 'type', kind, 'address', address, 'result', ARGV[i + 1], 'cached', ARGV[2], 'retrying', ARGV[i + 2], 'answered', meta[1], 'total', meta[2])
    wrote = true
    codes[#codes + 1] = kind == 'result' and 1 or 2
    local cacheTtl = tonumber(ARGV[i + 3])
    if cacheTtl > 0 then redis.call('SET', KEYS[4 + #codes], ARGV[i + 1], 'PX', cacheTtl) end
  else
    codes[#codes + 1] = 0
  end
end
if wrote then for k = 1, 4 do redis.call('PEXPIRE', KEYS[k], ttl) end end
return codes
`;

export type StoreOutcome = 'stored' | 'updated' | 'duplicate';

export interface Answer {
  address: string;
  result: VerificationResult;
  /** A greylisting retry of this address is queued: this answer is not final. */
  retrying?: boolean;
  /** How long the shared cache keeps it (`res:<address>`) if the list stores it; 0 or none: not cached. */
  cacheTtlMs?: number;
}

/** Keys and arguments of the script: the number of keys first (it varies with the batch). */
type StoreArgs = Array<string | number>;

interface AnswerCommands {
  mpStoreAnswers(...args: StoreArgs): Promise<number[]>;
}

function commands(redis: Redis): AnswerCommands {
  const r = redis as Redis & Partial<AnswerCommands>;
  if (!r.mpStoreAnswers) redis.defineCommand('mpStoreAnswers', { lua: STORE_ANSWERS });
  return r as Redis & AnswerCommands;
}

const OUTCOMES: StoreOutcome[] = ['duplicate', 'stored', 'updated'];

function storeArgs(list: string, answers: readonly Answer[], options: { version?: number; cached?: boolean }): StoreArgs {
  const args: StoreArgs = [4 + answers.length, keys.listResults(list), keys.listVersions(list), keys.listEvents(list), keys.listMeta(list)];
  for (const a of answers) args.push(keys.cachedResult(a.address));
  args.push(options.version ?? 0, options.cached ? '1' : '0', LIST_TTL_MS);
  for (const a of answers) args.push(a.address, JSON.stringify(a.result), a.retrying ? '1' : '0', Math.max(0, Math.round(a.cacheTtlMs ?? 0)));
  return args;
}

/**
 * Stores the answers of one batch (same version, same cached-ness) in one atomic step. `also`
 * adds commands that go in the same transaction, so they cost no round trip of their own (what
 * the batch learnt of its domain, a 421 backoff, the release of its connection lease).
 */
export async function storeAnswers(
  redis: Redis,
  list: string,
  answers: readonly Answer[],
  options: { version?: number; cached?: boolean; also?: (tx: ChainableCommander) => void } = {},
): Promise<StoreOutcome[]> {
  const store = commands(redis);
  if (!options.also) {
    if (answers.length === 0) return [];
    return (await store.mpStoreAnswers(...storeArgs(list, answers, options))).map((c) => OUTCOMES[c] ?? 'duplicate');
  }
  const tx = redis.multi();
  const empty = tx.length;
  if (answers.length > 0) (tx as ChainableCommander & AnswerCommands).mpStoreAnswers(...storeArgs(list, answers, options));
  options.also(tx);
  // Nothing to send: the transaction is dropped unsent.
  if (tx.length === empty) return [];
  const replies = (await tx.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
  if (answers.length === 0) return [];
  return (replies[0]![1] as number[]).map((c) => OUTCOMES[c] ?? 'duplicate');
}

export async function storeAnswer(
  redis: Redis,
  list: string,
  address: string,
  result: VerificationResult,
  options: { version?: number; cached?: boolean; retrying?: boolean } = {},
): Promise<StoreOutcome> {
  const [outcome] = await storeAnswers(redis, list, [{ address, result, retrying: options.retrying ?? false }], options);
  return outcome!;
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
  /** A greylisting retry is queued: an `update` for this address follows. */
  retrying: boolean;
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
      retrying: f.get('retrying') === '1',
      answered: Number(f.get('answered') ?? 0),
      total: Number(f.get('total') ?? 0),
    };
  });
}

export async function listProgress(redis: Redis, list: string): Promise<{ answered: number; total: number } | null> {
  const [answered, total] = await redis.hmget(keys.listMeta(list), 'answered', 'total');
  return total === null ? null : { answered: Number(answered ?? 0), total: Number(total) };
}
