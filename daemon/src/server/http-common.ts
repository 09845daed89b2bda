import type { IncomingMessage } from 'node:http';
import type { ErrorCode } from '@mailping/shared';
import type { Context } from 'hono';
import type { TokenRecord } from '../auth/token-store';
import type { ClientInfo } from './client-info';
import type { Client } from './verification';

/** What every HTTP route sees: the node request (for the peer address) and, under /v1, the token. */
export type Env = { Bindings: { incoming?: IncomingMessage }; Variables: { token: TokenRecord; client: Client; peer: ClientInfo } };

export type HttpErrorCode = ErrorCode | 'forbidden' | 'not_found';

export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;

/** The one shape of every HTTP error: {"error": {code, message, retryAfterMs?}}, with Retry-After when there is one. */
export function fail(c: Context, status: HttpErrorStatus, code: HttpErrorCode, message: string, retryAfterMs?: number): Response {
  if (retryAfterMs !== undefined) c.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="mailping"');
  return c.json({ error: { code, message, ...(retryAfterMs !== undefined && { retryAfterMs }) } }, status);
}
