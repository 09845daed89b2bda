import type { RequestListener } from 'node:http';
import type { DaemonContext } from './context';
import type { createHttpApp } from './http-app';
import type { ListRunner } from './list-runner';

export type HttpApp = ReturnType<typeof createHttpApp>;

/**
 * The HTTP API, built at the first HTTP request rather than at start. Hono works on the Fetch
 * API's Request and Response, and touching those loads Node's fetch implementation (undici):
 * ~9 MB resident, as much as the rest of the server. The browser extension talks over the
 * WebSocket only (`ws` takes it from the server's upgrade event, without hono), so a daemon that
 * serves only the extension never loads them; the first HTTP request waits a few milliseconds.
 */
export interface LazyHttp {
  app(): Promise<HttpApp>;
  /** A request listener for one node server; `hostname` as @hono/node-server takes it (request URLs). */
  listener(hostname?: string): RequestListener;
}

export function createLazyHttp(ctx: DaemonContext, lists: ListRunner): LazyHttp {
  let app: Promise<HttpApp> | null = null;
  const loadApp = (): Promise<HttpApp> => (app ??= import('./http-app').then(({ createHttpApp }) => createHttpApp(ctx, lists)));
  return {
    app: loadApp,
    listener(hostname) {
      let handler: Promise<RequestListener> | null = null;
      return (request, response) => {
        handler ??= Promise.all([loadApp(), import('@hono/node-server')]).then(([a, { getRequestListener }]) =>
          getRequestListener(a.fetch, hostname === undefined ? {} : { hostname }),
        );
        handler.then(
          (handle) => void handle(request, response),
          (error: Error) => {
            ctx.log.info(`cannot load the HTTP API: ${error.stack ?? error.message}`);
            response.writeHead(500).end();
          },
        );
      };
    },
  };
}
