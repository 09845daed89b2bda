import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Settings } from '../config/settings';
import { createRateLimiter } from '../auth/rate-limiter';
import { createTokenStore } from '../auth/token-store';
import type { Scheduler } from '../scheduler/types';
import type { Db } from '../store/database';
import { DEFAULT_TUNING, type DaemonContext, type ServerTuning } from './context';
import { createHttpApp } from './http-app';
import { listenLoopback, type Listening } from './listen';
import type { Logger } from './logger';
import { createWsGateway } from './ws-gateway';

/**
 * The daemon's local service: the HTTP API and the extension's WebSocket on one loopback port.
 * The scheduler, database and settings come from outside (the serve command, or a test), so the
 * same server runs against the lab in tests and against the world in use.
 */
export interface DaemonServerOptions {
  scheduler: Scheduler;
  db: Db;
  settings: Settings;
  version: string;
  log: Logger;
  tuning?: Partial<ServerTuning>;
  now?: () => number;
}

export interface DaemonServer {
  readonly context: DaemonContext;
  readonly app: ReturnType<typeof createHttpApp>;
  listen(port: number): Promise<Listening>;
  /**
   * Graceful stop: no new connections or requests, the scheduler closes (running sessions say
   * QUIT, their results still reach their clients; waiting requests get shutting_down), then
   * every connection is closed with 1001. The database stays open: it belongs to the caller.
   */
  shutdown(): Promise<void>;
}

export function createDaemonServer(options: DaemonServerOptions): DaemonServer {
  const now = options.now ?? Date.now;
  const ctx: DaemonContext = {
    scheduler: options.scheduler,
    db: options.db,
    tokens: createTokenStore(options.db, now),
    limiter: createRateLimiter(options.settings.limits.requestsPerMinute, now),
    settings: options.settings,
    tuning: { ...DEFAULT_TUNING, ...options.tuning },
    log: options.log,
    version: options.version,
    startedAt: now(),
    now,
    port: 0,
    shuttingDown: false,
  };
  const app = createHttpApp(ctx);
  const gateway = createWsGateway(ctx);
  const unsubscribe = ctx.scheduler.onUpdate((result) => gateway.broadcast({ type: 'update', result }));
  let servers: Server[] = [];
  let stopping: Promise<void> | null = null;

  async function stop(): Promise<void> {
    ctx.shuttingDown = true;
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of servers) s.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ctx.tuning.shutdownGraceMs)));
    const schedulerClosed = ctx.scheduler.close().then(
      () => 'closed' as const,
      (error: unknown) => {
        ctx.log.info(`the scheduler failed to close: ${error instanceof Error ? error.message : String(error)}`);
        return 'closed' as const;
      },
    );
    const outcome = await Promise.race([schedulerClosed, grace]);
    clearTimeout(timer);
    if (outcome === 'timeout') ctx.log.info(`the scheduler did not finish within ${ctx.tuning.shutdownGraceMs} ms; closing anyway`);
    unsubscribe();
    await gateway.closeAll(1001, 'the daemon is shutting down', 2000);
    for (const s of servers) s.closeAllConnections();
    await Promise.all(closed);
  }

  return {
    context: ctx,
    app,
    async listen(port) {
      const { listening, servers: bound } = await listenLoopback(() => {
        const server = createAdaptorServer({ fetch: app.fetch, hostname: '127.0.0.1' }) as Server;
        server.on('upgrade', gateway.handleUpgrade);
        return server;
      }, port);
      servers = bound;
      ctx.port = listening.port;
      return listening;
    },
    shutdown() {
      stopping ??= stop();
      return stopping;
    },
  };
}
