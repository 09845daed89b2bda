import { redeemPairingCode } from '../auth/pairing-store';
import type { IssuedToken } from '../auth/token-store';
import type { ClientInfo } from './client-info';
import type { DaemonContext } from './context';

/**
 * A pairing attempt from either front door. From the network only invites redeem, and every
 * wrong code costs the source address (its /64 for IPv6) one of its hourly attempts; once they
 * are spent the source is refused without its code being looked at, so guessing cannot go on,
 * and nobody else's invite is touched.
 */
export type Redemption =
  | { ok: true; issued: IssuedToken }
  | { ok: false; code: 'pairing_failed' | 'rate_limited'; message: string; retryAfterMs?: number };

export function redeem(ctx: DaemonContext, client: ClientInfo, code: string, binding: { origin: string | null; label: string | null }, tag: string): Redemption {
  const from = client.local ? 'local' : 'network';
  const key = ctx.network.budgetKey(client.address);
  if (from === 'network') {
    const budget = ctx.pairingBudget.take(key, 1, ctx.settings.server.pairingAttemptsPerHour);
    if (!budget.ok) {
      ctx.log.info(`${tag}: pairing refused, ${key} has used its attempts for the hour`);
      return { ok: false, code: 'rate_limited', message: 'too many wrong codes from your address; try again later', retryAfterMs: budget.retryAfterMs };
    }
  }
  const outcome = redeemPairingCode(ctx.db, code, binding, ctx.now, from);
  if (!outcome.ok) {
    ctx.log.info(`${tag}: pairing refused from ${client.address} (${outcome.why} code)`);
    const hint = from === 'network' ? 'ask the server\'s admin for a new invite (`mailping invite <name>`)' : 'run `mailping pair` for a new one';
    return { ok: false, code: 'pairing_failed', message: `this code is wrong, expired or used: ${hint}` };
  }
  // Only wrong codes spend the budget.
  if (from === 'network') ctx.pairingBudget.refund(key);
  return outcome;
}
