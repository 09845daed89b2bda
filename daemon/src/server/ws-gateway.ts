import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_MESSAGE_BYTES, type ServerMessage } from '@mailping/shared';
import { WebSocketServer } from 'ws';
import { checkExtensionOrigin, isAllowedHost } from '../auth/origin-policy';
import { describeClient, refusalOf } from './client-info';
import type { DaemonContext } from './context';
import { openSession, type Session } from './ws-session';

/** Paths a WebSocket may be opened on: `ws://127.0.0.1:7425/ws` (or the bare root). */
export const WS_PATHS: ReadonlySet<string> = new Set(['/ws', '/']);

export interface WsGateway {
  /** The http server's `upgrade` handler: every check happens here, before the handshake. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** To every authenticated connection. */
  broadcast(message: ServerMessage): void;
  readonly sessions: ReadonlySet<Session>;
  /** Closes every connection with `code` and resolves when they are gone (or after `waitMs`). */
  closeAll(code: number, reason: string, waitMs: number): Promise<void>;
}

export function createWsGateway(ctx: DaemonContext): WsGateway {
  // No compression: it costs memory per connection and has had its share of bugs; frames are small.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  const sessions = new Set<Session>();
  let nextId = 1;

  const heartbeat = setInterval(() => {
    for (const s of sessions) {
      if (!s.alive) {
        ctx.log.info(`connection #${s.id}: dropped, no answer to the heartbeat`);
        s.socket.terminate();
        continue;
      }
      s.alive = false;
      s.socket.ping();
    }
  }, ctx.tuning.heartbeatMs);
  heartbeat.unref();

  const revocations = setInterval(() => {
    for (const s of sessions) if (s.token && !ctx.tokens.isActive(s.token.id)) s.revoked();
  }, ctx.tuning.revocationCheckMs);
  revocations.unref();

  function refuse(socket: Duplex, status: number, why: string, request: IncomingMessage): void {
    ctx.log.info(`refused WebSocket from ${request.socket.remoteAddress ?? '?'} (${status}): ${why}`);
    const body = JSON.stringify({ error: { code: status === 403 ? 'forbidden' : status === 404 ? 'not_found' : 'unavailable', message: why } });
    if (socket.writable) {
      socket.once('finish', () => socket.destroy());
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      setTimeout(() => socket.destroy(), 1000).unref();
    } else socket.destroy();
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const path = (request.url ?? '/').split('?')[0]!;
    if (!WS_PATHS.has(path)) return refuse(socket, 404, `no WebSocket at ${path.slice(0, 100)}`, request);
    const client = describeClient(ctx, request.socket as { remoteAddress?: string; encrypted?: boolean }, request.headers);
    const refusal = refusalOf(client);
    if (refusal) return refuse(socket, 403, refusal, request);
    if (!isAllowedHost(request.headers.host, ctx.port, ctx.settings.server.hostnames)) {
      return refuse(socket, 403, `Host ${JSON.stringify(request.headers.host ?? null)} is not one of this server's names`, request);
    }
    const origin = checkExtensionOrigin(request.headers.origin, ctx.settings.allowedExtensions);
    if (!origin.ok) return refuse(socket, 403, origin.reason, request);
    if (ctx.shuttingDown) return refuse(socket, 503, 'the daemon is shutting down', request);
    if (sessions.size >= ctx.tuning.maxConnections) return refuse(socket, 503, `too many connections (${ctx.tuning.maxConnections})`, request);

    wss.handleUpgrade(request, socket, head, (ws) => {
      const id = nextId++;
      ctx.log.debug(`connection #${id} from ${origin.origin} at ${client.address}`);
      sessions.add(openSession(ctx, ws, { id, origin: origin.origin, client }, (s) => sessions.delete(s)));
    });
  }

  return {
    handleUpgrade,
    sessions,
    broadcast(message) {
      for (const s of sessions) if (s.token) s.send(message);
    },
    async closeAll(code, reason, waitMs) {
      clearInterval(heartbeat);
      clearInterval(revocations);
      const open = [...sessions];
      const gone = open.map((s) => new Promise<void>((resolve) => (s.socket.readyState === s.socket.CLOSED ? resolve() : s.socket.once('close', () => resolve()))));
      for (const s of open) s.close(code, reason);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(gone), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
      for (const s of open) s.socket.terminate();
    },
  };
}
