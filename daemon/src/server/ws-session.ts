import {
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  decodeClientMessage,
  encodeMessage,
  type ClientMessage,
  type ErrorCode,
  type ServerMessage,
} from '@mailping/shared';
import type { WebSocket } from 'ws';
import { tokenFitsOrigin } from '../auth/origin-policy';
import { quotaOf } from '../auth/quota';
import type { TokenRecord } from '../auth/token-store';
import { trace } from '../metrics/timing-trace';
import type { ClientInfo } from './client-info';
import type { DaemonContext } from './context';
import { redeem } from './redeem';
import { utcTimestamp } from './utc-timestamp';
import { admit, submitAdmitted, syntaxResult } from './verification';

/**
 * One extension connection: hello (or pair) first, then verify / cancel / history / ping.
 * Nothing a client sends can throw out of here: every bad frame gets an `error` message and the
 * connection, and every other connection, carries on.
 */
export interface Session {
  readonly id: number;
  readonly origin: string;
  readonly client: ClientInfo;
  token: TokenRecord | null;
  /** Answered the last heartbeat ping (or sent something since). */
  alive: boolean;
  readonly socket: WebSocket;
  /** Requests in flight, by the client's id. */
  readonly pending: Map<string, AbortController>;
  send(message: ServerMessage): void;
  /** Refuses whatever is in flight and closes. */
  close(code: number, reason: string): void;
  /** The token was revoked: say so and close. */
  revoked(): void;
}

// Closing codes: 1008 policy violation (auth), 1002 protocol error (version).
const CLOSE_POLICY = 1008;
const CLOSE_PROTOCOL = 1002;

export function openSession(
  ctx: DaemonContext,
  socket: WebSocket,
  info: { id: number; origin: string; client: ClientInfo },
  onClosed: (session: Session) => void,
): Session {
  const tag = `connection #${info.id}`;
  const session: Session = {
    id: info.id,
    origin: info.origin,
    client: info.client,
    token: null,
    alive: true,
    socket,
    pending: new Map(),
    send,
    close,
    revoked,
  };

  function send(message: ServerMessage): void {
    if (socket.readyState !== socket.OPEN) return;
    const buffered = socket.bufferedAmount;
    if (buffered > ctx.tuning.hardBufferBytes) {
      ctx.log.info(`${tag}: dropped, the client is not reading (${buffered} bytes unsent)`);
      socket.terminate();
      return;
    }
    // Progress and pushed updates are nice to have; a slow reader loses them first.
    if ((message.type === 'progress' || message.type === 'update') && buffered > ctx.tuning.softBufferBytes) return;
    socket.send(encodeMessage(message));
  }

  function error(code: ErrorCode, message: string, id?: string, retryAfterMs?: number): void {
    send({ type: 'error', code, message, ...(id !== undefined && { id }), ...(retryAfterMs !== undefined && { retryAfterMs }) });
  }

  function close(code: number, reason: string): void {
    for (const [id, controller] of session.pending) {
      controller.abort();
      error(code === 1001 ? 'shutting_down' : 'cancelled', reason, id);
    }
    session.pending.clear();
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
  }

  const authDeadline = setTimeout(() => {
    if (session.token) return;
    ctx.log.info(`${tag}: closed, no hello or pair within ${ctx.tuning.authTimeoutMs} ms`);
    error('unauthorized', 'send hello (or pair) first');
    close(CLOSE_POLICY, 'authentication timeout');
  }, ctx.tuning.authTimeoutMs);

  function welcome(token: TokenRecord): void {
    session.token = token;
    clearTimeout(authDeadline);
    send({
      type: 'welcome',
      version: PROTOCOL_VERSION,
      daemon: { version: ctx.version },
      limits: { maxMessageBytes: MAX_MESSAGE_BYTES, maxPending: ctx.settings.limits.maxPendingPerClient },
    });
  }

  function versionOk(version: number): boolean {
    if (version === PROTOCOL_VERSION) return true;
    ctx.log.info(`${tag}: refused, protocol version ${version} (this daemon speaks ${PROTOCOL_VERSION})`);
    error('version_mismatch', `this daemon speaks protocol version ${PROTOCOL_VERSION}, not ${version}: update the extension or the daemon`);
    close(CLOSE_PROTOCOL, 'protocol version mismatch');
    return false;
  }

  function hello(message: Extract<ClientMessage, { type: 'hello' }>): void {
    if (!versionOk(message.version)) return;
    const token = ctx.tokens.authenticate(message.token);
    if (!token || !tokenFitsOrigin(token.origin, info.origin)) {
      ctx.log.info(`${tag}: hello refused, ${token ? `token ${token.id} belongs to another origin` : 'unknown or revoked token'}`);
      error('unauthorized', 'this token is not valid here: pair again with `mailping pair`');
      return;
    }
    ctx.log.info(`${tag}: authenticated with token ${token.id}${token.label ? ` (${token.label})` : ''}`);
    welcome(token);
  }

  function pair(message: Extract<ClientMessage, { type: 'pair' }>): void {
    if (!versionOk(message.version)) return;
    // The label ends up in logs and in `tokens list`: no control characters.
    const label = message.label?.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim() || `${info.origin.startsWith('moz-') ? 'Firefox' : 'Chrome'}, paired ${utcTimestamp(ctx.now()).slice(0, 10)}`;
    const outcome = redeem(ctx, info.client, message.code, { origin: info.origin, label }, tag);
    if (!outcome.ok) return error(outcome.code, outcome.message, undefined, outcome.retryAfterMs);
    ctx.log.info(`${tag}: paired, new token ${outcome.issued.id} for ${info.origin}`);
    send({ type: 'paired', token: outcome.issued.token });
    const token = ctx.tokens.authenticate(outcome.issued.token);
    if (token) welcome(token);
  }

  async function verify(message: Extract<ClientMessage, { type: 'verify' }>, token: TokenRecord): Promise<void> {
    const { id, address } = message;
    trace('ws.verify');
    if (ctx.shuttingDown) return error('shutting_down', 'the daemon is shutting down', id);
    if (session.pending.has(id)) return error('bad_message', `request ${id} is already in flight`, id);
    if (session.pending.size >= ctx.settings.limits.maxPendingPerClient) {
      return error('rate_limited', `at most ${ctx.settings.limits.maxPendingPerClient} requests in flight per connection`, id, 1000);
    }
    const invalid = syntaxResult(address);
    if (invalid) return send({ type: 'result', id, result: invalid, cached: false });
    const client = { id: token.id, quota: quotaOf(token, ctx.settings) };
    const admission = admit(ctx, client, 1);
    if (!admission.ok) return error('rate_limited', 'too many verifications; slow down', id, admission.retryAfterMs);

    const controller = new AbortController();
    session.pending.set(id, controller);
    let last: string | null = null;
    const answer = await submitAdmitted(ctx, client, address, {
      signal: controller.signal,
      ...(message.fresh !== undefined && { fresh: message.fresh }),
      onProgress: (stage) => {
        if (stage === last || session.pending.get(id) !== controller) return;
        last = stage;
        send({ type: 'progress', id, address: address.trim(), stage });
      },
    });
    // Gone: cancelled (already answered) or the connection closed.
    if (session.pending.get(id) !== controller) return;
    session.pending.delete(id);
    ctx.log.debug(`${tag}: verify ${address.trim()} → ${answer.ok ? `${answer.result.verdict}/${answer.result.reason}${answer.cached ? ' (cached)' : ''}` : answer.code}`);
    if (answer.ok) send({ type: 'result', id, result: answer.result, cached: answer.cached });
    else error(answer.code, answer.message, id, answer.retryAfterMs);
    trace('ws.answered');
  }

  function dispatch(message: ClientMessage): void | Promise<void> {
    switch (message.type) {
      case 'ping':
        return send({ type: 'pong', ...(message.id !== undefined && { id: message.id }) });
      case 'hello':
      case 'pair':
        if (session.token) return error('bad_message', 'already authenticated');
        return message.type === 'hello' ? hello(message) : pair(message);
    }
    const token = session.token;
    if (!token) return error('unauthorized', 'send hello (or pair) first', message.id);
    // A revoked token stops working at once, even before the periodic check closes the connection.
    if (!ctx.tokens.isActive(token.id)) return revoked();
    switch (message.type) {
      case 'verify':
        return verify(message, token);
      case 'cancel': {
        const controller = session.pending.get(message.id);
        if (!controller) return;
        session.pending.delete(message.id);
        controller.abort();
        return error('cancelled', 'cancelled', message.id);
      }
      case 'history':
        return send({
          type: 'history_result',
          id: message.id,
          results: ctx.scheduler.history({ ...(message.limit !== undefined && { limit: message.limit }), ...(message.before !== undefined && { before: message.before }) }),
        });
    }
  }

  function revoked(): void {
    ctx.log.info(`${tag}: closed, token ${session.token?.id} was revoked`);
    error('unauthorized', 'this token was revoked: pair again with `mailping pair`');
    close(CLOSE_POLICY, 'token revoked');
  }

  socket.on('message', (data, isBinary) => {
    session.alive = true;
    if (isBinary) return error('bad_message', 'messages are JSON text frames');
    const decoded = decodeClientMessage(data.toString());
    if (!decoded.ok) return error(decoded.error.code, decoded.error.message, decoded.error.id);
    const requestId = 'id' in decoded.message ? decoded.message.id : undefined;
    try {
      const running = dispatch(decoded.message);
      if (running) {
        running.catch((e: unknown) => {
          ctx.log.info(`${tag}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          error('internal', 'internal error in the daemon', requestId);
        });
      }
    } catch (e) {
      ctx.log.info(`${tag}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      error('internal', 'internal error in the daemon', requestId);
    }
  });
  socket.on('pong', () => {
    session.alive = true;
  });
  // ws reports bad frames (oversized, invalid UTF-8) here and then closes this connection only.
  socket.on('error', (e) => ctx.log.info(`${tag}: ${e.message}`));
  socket.on('close', (code) => {
    clearTimeout(authDeadline);
    for (const controller of session.pending.values()) controller.abort();
    session.pending.clear();
    ctx.log.debug(`${tag}: closed (${code})`);
    onClosed(session);
  });

  return session;
}
