import { PROTOCOL_VERSION, parseAddress, type ErrorCode } from '@mailping/shared';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { checkExtensionOrigin, isAllowedHost, tokenFitsOrigin } from '../auth/origin-policy';
import { quotaOf } from '../auth/quota';
import { describeClient, refusalOf } from './client-info';
import type { DaemonContext } from './context';
import { pairBody, verifyBody } from './api-schemas';
import { fail, type Env } from './http-common';
import { registerListRoutes } from './list-routes';
import type { ListRunner } from './list-runner';
import { redeem } from './redeem';
import { admit, submitAdmitted, syntaxResult, type Answer } from './verification';

/**
 * The HTTP API, for scripts and for the extension when a WebSocket is not handy. Same rules as
 * the WebSocket: loopback Host only, no web-page origins, a token on every /v1 request. No CORS
 * headers, ever: a page must not be able to read a single answer.
 */
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

export function createHttpApp(ctx: DaemonContext, lists: ListRunner): Hono<Env> {
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
    // app.request() in unit tests has no socket: that is this machine.
    const incoming = c.env?.incoming;
    const peer = describeClient(ctx, incoming?.socket as { remoteAddress?: string; encrypted?: boolean } | undefined, incoming?.headers ?? {});
    const refusal = refusalOf(peer);
    if (refusal) {
      ctx.log.info(`refused HTTP ${c.req.method} ${c.req.path} from ${peer.address}: plain text from the network`);
      return fail(c, 403, 'forbidden', refusal);
    }
    c.set('peer', peer);
    const host = c.req.header('host');
    if (!isAllowedHost(host, ctx.port, ctx.settings.server.hostnames)) {
      ctx.log.info(`refused HTTP ${c.req.method} ${c.req.path}: Host ${JSON.stringify(host ?? null)} is not one of this server's names`);
      return fail(c, 403, 'forbidden', 'the Host header must be localhost, 127.0.0.1, [::1] or one of this server\'s names');
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

  // Local scrapers need nothing; from the network a token of scope "metrics" (`mailping tokens create --metrics`).
  app.get('/metrics', async (c) => {
    const bearer = /^Bearer ([^\s]{1,256})$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const local = c.get('peer').local && c.req.header('origin') === undefined;
    if (!local && !(bearer && ctx.tokens.authenticate(bearer, 'metrics'))) {
      ctx.log.info(`refused /metrics from ${c.get('peer').address}`);
      return fail(c, 403, 'forbidden', '/metrics is for this machine, or for a token made with `mailping tokens create --metrics`');
    }
    const registry = await ctx.metrics.registry();
    c.header('Content-Type', registry.contentType);
    return c.body(await registry.metrics());
  });

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
    if (c.req.path === '/v1/pair') return next();
    const header = c.req.header('authorization') ?? '';
    const bearer = /^Bearer ([^\s]{1,256})$/i.exec(header)?.[1];
    const token = bearer ? ctx.tokens.authenticate(bearer) : null;
    if (!token || !tokenFitsOrigin(token.origin, origin)) {
      ctx.log.info(`refused HTTP ${c.req.method} ${c.req.path}: ${bearer ? 'unknown, revoked or foreign token' : 'no bearer token'}`);
      return fail(c, 401, 'unauthorized', 'a valid token is required (Authorization: Bearer <token>); pair with `mailping pair`');
    }
    if (ctx.shuttingDown) return fail(c, 503, 'shutting_down', 'the daemon is shutting down');
    c.set('token', token);
    c.set('client', { id: token.id, quota: quotaOf(token, ctx.settings) });
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
      const client = c.get('client');
      const maxBatch = Math.min(ctx.tuning.maxBatch, client.quota?.requestsPerMinute ?? ctx.settings.limits.requestsPerMinute);
      if (inputs.length > maxBatch) return fail(c, 413, 'too_large', `at most ${maxBatch} addresses per request`);

      const clientId = client.id;
      const syntax = inputs.map((input) => syntaxResult(input));
      const wanted = syntax.filter((s) => s === null).length;
      const inFlight = pending.get(clientId) ?? 0;
      if (inFlight + wanted > ctx.settings.limits.maxPendingPerClient) {
        return fail(c, 429, 'rate_limited', `at most ${ctx.settings.limits.maxPendingPerClient} addresses in flight per client`, 1000);
      }
      if (wanted > 0) {
        const admission = admit(ctx, client, wanted);
        if (!admission.ok) return fail(c, 429, 'rate_limited', 'too many verifications; slow down', admission.retryAfterMs);
      }

      pending.set(clientId, inFlight + wanted);
      let answers: Answer[];
      try {
        answers = await Promise.all(
          inputs.map((input, i): Promise<Answer> | Answer => {
            const invalid = syntax[i];
            if (invalid) return { ok: true, result: invalid, cached: false };
            return submitAdmitted(ctx, client, input, { signal: c.req.raw.signal, ...(body.data.fresh !== undefined && { fresh: body.data.fresh }) });
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

  app.post('/v1/pair', bodyLimit({ maxSize: 4096, onError: (c) => fail(c, 413, 'too_large', 'request bodies are limited to 4096 bytes') }), async (c) => {
    const body = pairBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return fail(c, 400, 'bad_message', 'expected {"code": "XXXX-XXXX", "label"?: "..."}');
    const origin = c.req.header('origin') ?? null;
    const label = body.data.label?.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim() || 'command line';
    const outcome = redeem(ctx, c.get('peer'), body.data.code, { origin, label }, `HTTP pair`);
    if (!outcome.ok) return fail(c, outcome.code === 'rate_limited' ? 429 : 403, outcome.code, outcome.message, outcome.retryAfterMs);
    ctx.log.info(`HTTP pair: new token ${outcome.issued.id} for ${origin ?? 'a program'} at ${c.get('peer').address}`);
    return c.json({ token: outcome.issued.token }, 201);
  });

  registerListRoutes(app, ctx, lists);
  app.get('/openapi.json', async (c) => c.json((await import('./openapi')).apiDocument(ctx.version) as object));

  app.get('/v1/results/:address', (c) => {
    const parsed = parseAddress(c.req.param('address'));
    if (!parsed.ok) return fail(c, 400, 'invalid_address', `not a valid address: ${parsed.error.message}`);
    const result = ctx.scheduler.lookup(parsed.address.normalized);
    if (!result) return fail(c, 404, 'not_found', 'this address was never verified');
    return c.json({ result });
  });

  return app;
}
