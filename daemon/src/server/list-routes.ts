import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { stream } from 'hono/streaming';
import type { ListEvent, ListRow } from '../store/list-store';
import { listBody } from './api-schemas';
import type { DaemonContext } from './context';
import { fail, type Env } from './http-common';
import type { ListRunner } from './list-runner';

/**
 * Lists over HTTP: POST a list, then read its answers as NDJSON events, each numbered (`seq`).
 * A reader whose connection dropped asks for `?after=<last seq>` and misses nothing, sees nothing
 * twice. The list runs in the daemon whether or not anyone reads.
 */

// Without a quota (a token of this machine) a list is still bounded: one request body.
const MAX_LIST_BODY_BYTES = 32 * 1024 * 1024;
const NO_QUOTA_MAX_LIST = 1_000_000;
const PAGE = 500;

export function listStatus(list: ListRow): Record<string, unknown> {
  return { id: list.id, total: list.total, answered: list.answered, done: list.finishedAt !== null, createdAt: new Date(list.createdAt).toISOString() };
}

export function registerListRoutes(app: Hono<Env>, ctx: DaemonContext, lists: ListRunner): void {
  const own = (id: string, tokenId: string): ListRow | null => {
    const list = lists.store.get(id);
    return list && list.tokenId === tokenId ? list : null;
  };

  app.post(
    '/v1/lists',
    bodyLimit({ maxSize: MAX_LIST_BODY_BYTES, onError: (c) => fail(c, 413, 'too_large', `request bodies are limited to ${MAX_LIST_BODY_BYTES} bytes`) }),
    async (c) => {
      const body = listBody.safeParse(await c.req.json().catch(() => null));
      if (!body.success) return fail(c, 400, 'bad_message', 'expected {"addresses": ["...", ...], "fresh"?: true}');
      const client = c.get('client');
      const maxSize = client.quota?.maxListSize ?? NO_QUOTA_MAX_LIST;
      if (body.data.addresses.length > maxSize) return fail(c, 413, 'too_large', `at most ${maxSize} addresses per list for this token`);
      const concurrent = client.quota?.concurrentLists;
      if (concurrent !== undefined && lists.store.running(client.id) >= concurrent) {
        return fail(c, 429, 'rate_limited', `at most ${concurrent} lists running at once for this token; wait for one to finish`, 10_000);
      }
      const list = lists.store.create(client.id, body.data.addresses.map((a) => a.trim()), body.data.fresh === true, ctx.now());
      lists.start(list);
      ctx.log.info(`list ${list.id}: ${list.total} addresses from token ${client.id}`);
      return c.json(listStatus(list), 201);
    },
  );

  app.get('/v1/lists/:id', (c) => {
    const list = own(c.req.param('id'), c.get('client').id);
    return list ? c.json(listStatus(list)) : fail(c, 404, 'not_found', 'no such list for this token');
  });

  app.delete('/v1/lists/:id', (c) => {
    const list = own(c.req.param('id'), c.get('client').id);
    if (!list) return fail(c, 404, 'not_found', 'no such list for this token');
    lists.cancel(list.id);
    return c.json(listStatus(lists.store.get(list.id)!));
  });

  app.get('/v1/lists/:id/events', (c) => {
    const list = own(c.req.param('id'), c.get('client').id);
    if (!list) return fail(c, 404, 'not_found', 'no such list for this token');
    const afterText = c.req.query('after') ?? '0';
    if (!/^\d{1,10}$/.test(afterText)) return fail(c, 400, 'bad_message', '?after= takes the seq of the last event you have');
    c.header('Content-Type', 'application/x-ndjson; charset=utf-8');
    return stream(c, async (out) => {
      let after = Number(afterText);
      let finished = false;
      let wake: (() => void) | null = null;
      // Events are read back from the database (in seq order); the subscription only says "more".
      const unsubscribe = lists.subscribe(list.id, (event: ListEvent | null) => {
        if (event === null) finished = true;
        wake?.();
      });
      out.onAbort(() => {
        finished = true;
        wake?.();
      });
      try {
        for (;;) {
          const page = lists.store.events(list.id, after, PAGE);
          if (page.length > 0) {
            await out.write(page.map((e) => JSON.stringify({ type: 'answer', ...e })).join('\n') + '\n');
            after = page[page.length - 1]!.seq;
            continue;
          }
          const now = lists.store.get(list.id)!;
          if (now.finishedAt !== null || out.aborted) {
            if (!out.aborted) await out.write(`${JSON.stringify({ type: 'done', ...listStatus(now) })}\n`);
            return;
          }
          if (finished) continue;
          await new Promise<void>((resolve) => {
            wake = resolve;
            // A heartbeat line now and then, so proxies do not cut an idle stream.
            setTimeout(resolve, 15_000).unref();
          });
          wake = null;
          if (!out.aborted && lists.store.events(list.id, after, 1).length === 0 && lists.store.get(list.id)!.finishedAt === null) {
            await out.write(`${JSON.stringify({ type: 'progress', ...listStatus(lists.store.get(list.id)!) })}\n`);
          }
        }
      } finally {
        unsubscribe();
      }
    });
  });
}
