import type { Settings } from '../config/settings';
import type { RateLimiter } from '../auth/rate-limiter';
import type { TokenStore } from '../auth/token-store';
import type { UsageStore } from '../auth/usage-store';
import type { DaemonMetrics } from '../metrics/daemon-metrics';
import type { NetworkPolicy } from '../network/network-policy';
import type { Scheduler } from '../scheduler/types';
import type { Db } from '../store/database';
import type { Logger } from './logger';

/** Knobs with sensible defaults; tests turn them down to see the behaviour in milliseconds. */
export interface ServerTuning {
  /** Ping every connection this often; one that has not answered the previous ping is dropped. */
  heartbeatMs: number;
  /** A connection must hello or pair within this long. */
  authTimeoutMs: number;
  /** How often open connections are checked for revoked tokens (revocation may come from the CLI). */
  revocationCheckMs: number;
  maxConnections: number;
  /** Above this many unsent bytes, progress and update messages to a connection are dropped. */
  softBufferBytes: number;
  /** Above this many unsent bytes, the client is not reading: the connection is dropped. */
  hardBufferBytes: number;
  /** Addresses in one POST /v1/verify. */
  maxBatch: number;
  maxBodyBytes: number;
  /** How long shutdown waits for running sessions before closing anyway. */
  shutdownGraceMs: number;
}

export const DEFAULT_TUNING: ServerTuning = {
  heartbeatMs: 30_000,
  authTimeoutMs: 15_000,
  revocationCheckMs: 1_000,
  maxConnections: 64,
  softBufferBytes: 1024 * 1024,
  hardBufferBytes: 16 * 1024 * 1024,
  maxBatch: 100,
  maxBodyBytes: 64 * 1024,
  shutdownGraceMs: 10_000,
};

/** What every front door (HTTP routes, WebSocket sessions) needs. */
export interface DaemonContext {
  scheduler: Scheduler;
  db: Db;
  tokens: TokenStore;
  limiter: RateLimiter;
  usage: UsageStore;
  /** Wrong invite codes per source address (budgetKey), per hour. */
  pairingBudget: RateLimiter;
  network: NetworkPolicy;
  metrics: DaemonMetrics;
  settings: Settings;
  tuning: ServerTuning;
  log: Logger;
  version: string;
  startedAt: number;
  now: () => number;
  /** The port we listen on, for the Host check; set once listening. */
  port: number;
  shuttingDown: boolean;
}
