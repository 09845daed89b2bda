import { Redis } from 'ioredis';

/**
 * Two kinds of connection. BullMQ's blocks for jobs and must retry forever
 * (`maxRetriesPerRequest: null`, as its docs require). The politeness connection must fail
 * fast instead: a lease renewal that hangs while Redis is away would let the caps lapse
 * unnoticed, so its commands time out and nothing is queued while it is disconnected.
 */
export function bullConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

export function politenessConnection(url: string, commandTimeoutMs: number): Redis {
  return new Redis(url, {
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(1000, 50 * times),
  });
}

/** A connection for a client following a list: blocking reads, reconnects on its own. */
export function clientConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** ioredis reports every failed reconnect; say it once per outage, and when Redis is back. */
export function reportOutages(redis: Redis, name: string, log: (message: string) => void): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log(`${name} connection to Redis lost: ${error.message}`);
  });
  redis.on('ready', () => {
    if (down) log(`${name} connection to Redis is back`);
    down = false;
  });
}
