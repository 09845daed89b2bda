import type { Settings } from '../config/settings';
import type { TokenRecord } from './token-store';

/** What one invited token may do; a token paired on this machine has no quota (null). */
export type Quota = Settings['server']['quota'];

export function quotaOf(token: Pick<TokenRecord, 'quota'>, settings: Settings): Quota | null {
  return token.quota === null ? null : { ...settings.server.quota, ...token.quota };
}

/** UTC date: quotas reset at midnight UTC, the same moment for every user of a server. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function msUntilNextUtcDay(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - ms;
}
