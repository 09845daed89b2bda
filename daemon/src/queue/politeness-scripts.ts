import type { Redis } from 'ioredis';

/**
 * The politeness rules every worker obeys, as Lua run inside Redis: each decision is atomic
 * across workers, and time is Redis's clock (TIME), so hosts with skewed clocks still agree.
 */
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * A connection lease (after NOW). KEYS: leases, host backoff. ARGV: lease id, limit, ttl ms.
 * → {1,0} granted, {0,wait} full, {-1,wait} backing off.
 */
const LEASE_STEP = `
local backoff = redis.call('PTTL', KEYS[2])
if backoff > 0 then return {-1, backoff} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ttl = tonumber(ARGV[3])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl * 2)
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(first[2]) - now)}`;

const ACQUIRE_LEASE = `${NOW}${LEASE_STEP}`;

/**
 * A domain's RCPT bucket as of now (after NOW): `capacity` tokens refilled at capacity/window.
 * Leaves locals capacity, window and tokens, and tokenWait(): ms until one whole token is there.
 */
const refilled = (bucket: string, capacity: string, window: string): string => `
local capacity = tonumber(${capacity})
local window = tonumber(${window})
local state = redis.call('HMGET', ${bucket}, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
if now > at then tokens = math.min(capacity, tokens + (now - at) * capacity / window) end
local function tokenWait() return math.max(1, math.ceil((1 - tokens) * window / capacity)) end`;

/**
 * A batch's start in one step: the domain's backoff and RCPT bucket first (a token left? taking
 * none: the flights take theirs), then the lease as ACQUIRE_LEASE.
 * KEYS: leases, host backoff, bucket, domain backoff. ARGV: lease id, limit, ttl ms, capacity, window ms.
 * → as ACQUIRE_LEASE, or {-2,wait} when the domain must wait (no lease taken).
 */
const BEGIN_BATCH = `${NOW}
local domainBackoff = redis.call('PTTL', KEYS[4])
if domainBackoff > 0 then return {-2, domainBackoff} end
${refilled('KEYS[3]', 'ARGV[4]', 'ARGV[5]')}
if tokens < 1 then return {-2, tokenWait()} end
${LEASE_STEP}`;

/** KEYS: leases. ARGV: lease id, ttl ms. → 1 renewed, 0 lost (expired or taken away). */
const RENEW_LEASE = `${NOW}
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiry or tonumber(expiry) <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1`;

/**
 * KEYS: bucket, domain backoff. ARGV: wanted, capacity, window ms. A bucket of `capacity`
 * tokens refilled at capacity/window; takes what it can of `wanted`. → {taken, wait ms}, the
 * wait 0 while a token is left: `wanted` 0 asks whether one is, taking nothing.
 */
const TAKE_TOKENS = `${NOW}
local backoff = redis.call('PTTL', KEYS[2])
if backoff > 0 then return {0, backoff} end
${refilled('KEYS[1]', 'ARGV[2]', 'ARGV[3]')}
local taken = math.min(tonumber(ARGV[1]), math.floor(tokens))
tokens = tokens - taken
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], window * 2)
if taken > 0 or tokens >= 1 then return {taken, 0} end
return {0, tokenWait()}`;

interface PolitenessCommands {
  mpAcquireLease(leases: string, backoff: string, id: string, limit: number, ttlMs: number): Promise<[number, number]>;
  mpBeginBatch(leases: string, hostBackoff: string, bucket: string, domainBackoff: string, id: string, limit: number, ttlMs: number, capacity: number, windowMs: number): Promise<[number, number]>;
  mpRenewLease(leases: string, id: string, ttlMs: number): Promise<number>;
  mpTakeTokens(bucket: string, backoff: string, wanted: number, capacity: number, windowMs: number): Promise<[number, number]>;
}

export type PolitenessRedis = Redis & PolitenessCommands;

export function politenessCommands(redis: Redis): PolitenessRedis {
  const r = redis as Redis & Partial<PolitenessCommands>;
  if (!r.mpAcquireLease) {
    redis.defineCommand('mpAcquireLease', { numberOfKeys: 2, lua: ACQUIRE_LEASE });
    redis.defineCommand('mpBeginBatch', { numberOfKeys: 4, lua: BEGIN_BATCH });
    redis.defineCommand('mpRenewLease', { numberOfKeys: 1, lua: RENEW_LEASE });
    redis.defineCommand('mpTakeTokens', { numberOfKeys: 2, lua: TAKE_TOKENS });
  }
  return r as PolitenessRedis;
}
