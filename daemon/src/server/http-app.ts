import { PROTOCOL_VERSION, parseAddress, type ErrorCode } from '@mailping/shared';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod';
import { checkExtensionOrigin, isLoopbackHost, tokenFitsOrigin } from '../auth/origin-policy';
import type { TokenRecord } from '../auth/token-store';
import type { DaemonContext } from './context';
import { submitAdmitted, syntaxResult, type Answer } from './verification';

/**
 * The HTTP API, for scripts and for the extension when a WebSocket is not handy. Same rules as
 * the WebSocket: loopback Host only, no web-page origins, a token on every /v1 request. No CORS
 * headers, ever: a page must not be able to read a single answer.
 */
type HttpErrorCode = ErrorCode | 'forbidden' | 'not_found';
type Env = { Variables: { token: TokenRecord } };

const verifyBody = z.union([
  z.object({ address: z.string().min(1).max(320), fresh: z.boolean().optional() }).strict(),
  z.object({ addresses: z.array(z.string().max(320)).min(1), fresh: z.boolean().optional() }).strict(),
]);

function fail(c: Context, status: 400 | 401 | 403 | 404 | 413 | 429 | 500 | 503, code: HttpErrorCode, message: string, retryAfterMs?: number): Response {
  if (retryAfterMs !== undefined) c.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="mailping"');
  return c.json({ error: { code, message, ...(retryAfterMs !== undefined && { retryAfterMs }) } }, status);
}

const STATUS_OF: Record<ErrorCode, 400 | 413 | 429 | 500 | 503> = {
  bad_message: 400,
  too_large: 413,
  unknown_type: 400,
  unauthorized: 400,
  version_mismatch: 400,
  pairing_failed: 400,
  rate_limited: 429,
  queue_full: 503,
  invalid_address: 400,
  cancelled: 503,
  shutting_down: 503,
  internal: 500,
};

export function createHttpApp(ctx: DaemonContext): Hono<Env> {
  const app = new Hono<Env>();
  // Requests in flight per token, for the same cap a WebSocket connection has.
  const pending = new Map<string, number>();

  app.onError((error, c) => {
    ctx.log.info(`internal error on ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return fail(c, 500, 'internal', 'internal error in the daemon');
  });
  app.notFound((c) => fail(c, 404, 'not_found', `no such endpoint: ${c.req.method} ${c.req.path}`));

  app.use('*', async (c, next) => {
    const started = performance.now();
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    const host = c.req.header('host');
    if (!isLoopbackHost(host, ctx.port)) {
      ctx.log.info(`refused HTTP ${c.req.method} ${c.req.path}: Host ${JSON.stringify(host ?? null)} is not a loopback name`);
      return fail(c, 403, 'forbidden', 'the Host header must be localhost, 127.0.0.1 or [::1]');
    }
    await next();
    ctx.log.debug(`HTTP ${c.req.method} ${c.req.path} → ${c.res.status} (${Math.round(performance.now() - started)} ms)`);
  });

  app.get('/health', (c) =>
    c.json({
      status: ctx.shuttingDown ? 'shutting_down' : 'ok',
      version: ctx.version,
      protocolVersion: PROTOCOL_VERSION,
      uptimeSeconds: Math.round((ctx.now() - ctx.startedAt) / 1000),
    }),
  );

  app.use('/v1/*', async (c, next) => {
    const origin = c.req.header('origin');
    // No Origin: a local program, not a web page. An Origin must be one of our extensions.
    if (origin !== undefined) {
      const check = checkExtensionOrigin(origin, ctx.settings.allowedExtensions);
      if (!check.ok) {
        ctx.log.info(`refused HTTP ${c.req.method} ${c.req.path}: ${check.reason}`);
        return fail(c, 403, 'forbidden', 'requests from web pages are not allowed');
      }
    }
    const header = c.req.header('authorization') ?? '';
    const bearer = /^Bearer ([^\s]{1,256})$/i.exec(header)?.[1];
    const token = bearer ? ctx.tokens.authenticate(bearer) : null;
    if (!token || !tokenFitsOrigin(token.origin, origin)) {
      ctx.log.info(`refused HTTP ${c.req.method} ${c.req.path}: ${bearer ? 'unknown, revoked or foreign token' : 'no bearer token'}`);
      return fail(c, 401, 'unauthorized', 'a valid token is required (Authorization: Bearer <token>); pair with `mailping pair`');
    }
    if (ctx.shuttingDown) return fail(c, 503, 'shutting_down', 'the daemon is shutting down');
    c.set('token', token);
    await next();
  });

  app.post(
    '/v1/verify',
    bodyLimit({
      maxSize: ctx.tuning.maxBodyBytes,
      onError: (c) => fail(c, 413, 'too_large', `request bodies are limited to ${ctx.tuning.maxBodyBytes} bytes`),
    }),
    async (c) => {
      let json: unknown;
      try {
        json = await c.req.json();
      } catch {
        return fail(c, 400, 'bad_message', 'the body is not JSON');
      }
      const body = verifyBody.safeParse(json);
      if (!body.success) return fail(c, 400, 'bad_message', 'expected {"address": "..."} or {"addresses": ["...", ...]}');
      const inputs = 'address' in body.data ? [body.data.address] : body.data.addresses;
      const maxBatch = Math.min(ctx.tuning.maxBatch, ctx.settings.limits.requestsPerMinute);
      if (inputs.length > maxBatch) return fail(c, 413, 'too_large', `at most ${maxBatch} addresses per request`);

      const clientId = c.get('token').id;
      const syntax = inputs.map((input) => syntaxResult(input));
      const wanted = syntax.filter((s) => s === null).length;
      const inFlight = pending.get(clientId) ?? 0;
      if (inFlight + wanted > ctx.settings.limits.maxPendingPerClient) {
        return fail(c, 429, 'rate_limited', `at most ${ctx.settings.limits.maxPendingPerClient} addresses in flight per client`, 1000);
      }
      if (wanted > 0) {
        const admission = ctx.limiter.take(clientId, wanted);
        if (!admission.ok) return fail(c, 429, 'rate_limited', 'too many verifications; slow down', admission.retryAfterMs);
      }

      pending.set(clientId, inFlight + wanted);
      let answers: Answer[];
      try {
        answers = await Promise.all(
          inputs.map((input, i): Promise<Answer> | Answer => {
            const invalid = syntax[i];
            if (invalid) return { ok: true, result: invalid, cached: false };
            return submitAdmitted(ctx, clientId, input, { signal: c.req.raw.signal, ...(body.data.fresh !== undefined && { fresh: body.data.fresh }) });
          }),
        );
      } finally {
        const left = (pending.get(clientId) ?? wanted) - wanted;
        if (left > 0) pending.set(clientId, left);
        else pending.delete(clientId);
      }

      if ('address' in body.data) {
        const answer = answers[0]!;
        if (!answer.ok) return fail(c, STATUS_OF[answer.code], answer.code, answer.message, answer.retryAfterMs);
        return c.json({ result: answer.result, cached: answer.cached });
      }
      return c.json({
        results: answers.map((a, i) =>
          a.ok ? { result: a.result, cached: a.cached } : { address: inputs[i]!.trim(), error: { code: a.code, message: a.message } },
        ),
      });
    },
  );

  app.get('/v1/results/:address', (c) => {
    const parsed = parseAddress(c.req.param('address'));
    if (!parsed.ok) return fail(c, 400, 'invalid_address', `not a valid address: ${parsed.error.message}`);
    const result = ctx.scheduler.lookup(parsed.address.normalized);
    if (!result) return fail(c, 404, 'not_found', 'this address was never verified');
    return c.json({ result });
  });

  return app;
}
