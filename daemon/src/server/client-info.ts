import type { IncomingHttpHeaders } from 'node:http';
import type { DaemonContext } from './context';

/**
 * Where a request comes from, once per connection or request: the client's address (behind a
 * trusted proxy, the one it forwarded), whether that is this machine, and whether the way in was
 * encrypted (our own TLS, or a trusted proxy that terminated it).
 */
export interface ClientInfo {
  address: string;
  local: boolean;
  encrypted: boolean;
}

export function describeClient(
  ctx: Pick<DaemonContext, 'network'>,
  socket: { remoteAddress?: string | undefined; encrypted?: boolean } | undefined,
  headers: IncomingHttpHeaders,
): ClientInfo {
  const peer = socket?.remoteAddress ?? '127.0.0.1';
  const viaProxy = ctx.network.isTrustedProxy(peer);
  const address = ctx.network.clientAddress(peer, headers['x-forwarded-for']);
  return { address, local: !viaProxy && ctx.network.isLocal(address), encrypted: socket?.encrypted === true || viaProxy };
}

/** Why this client may not talk to us at all, or null. Over the network, never in plain text. */
export function refusalOf(client: ClientInfo): string | null {
  if (client.local || client.encrypted) return null;
  return 'this server takes network clients over TLS only (https:// or wss://)';
}
