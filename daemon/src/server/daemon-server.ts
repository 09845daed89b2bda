import http, { type Server } from 'node:http';
import type https from 'node:https';
import type { Settings } from '../config/settings';
import { createPairingBudgetStore } from '../auth/pairing-budget-store';
import { createRateLimiter } from '../auth/rate-limiter';
import { createTokenStore } from '../auth/token-store';
import { createUsageStore } from '../auth/usage-store';
import { createDaemonMetrics } from '../metrics/daemon-metrics';
import { createNetworkPolicy } from '../network/network-policy';
import type { Scheduler } from '../scheduler/types';
import type { Db } from '../store/database';
import { DEFAULT_TUNING, type DaemonContext, type ServerTuning } from './context';
import { createListRunner } from './list-runner';
import { createLazyHttp, type HttpApp } from './lazy-http';
import { listenLoopback, listenOn, ListenError, type Listening } from './listen';
import type { Logger } from './logger';
import type { TlsLoad, TlsReloader } from './tls-files';
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
  /** The HTTP API (hono), loaded at the first HTTP request or this call: see lazy-http.ts. */
  app(): Promise<HttpApp>;
  /** Loopback (local mode), or `settings.server.host` (server mode, over TLS or behind a trusted proxy). */
  listen(port: number): Promise<Listening>;
  /** Reads the TLS certificate and key again (SIGHUP); null when TLS is not built in. */
  reloadTls(): TlsLoad | null;
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
    usage: createUsageStore(options.db, now),
    pairingBudget: createPairingBudgetStore(options.db, options.settings.server.pairingAttemptsPerHour, now),
    network: createNetworkPolicy(options.settings.server),
    metrics: createDaemonMetrics(options.scheduler),
    settings: options.settings,
    tuning: {
      ...DEFAULT_TUNING,
      ...(options.settings.server.host !== null && { maxConnections: options.settings.server.maxConnections }),
      ...options.tuning,
    },
    log: options.log,
    version: options.version,
    startedAt: now(),
    now,
    port: 0,
    shuttingDown: false,
  };
  const lists = createListRunner(ctx);
  const httpApi = createLazyHttp(ctx, lists);
  const gateway = createWsGateway(ctx);
  const unsubscribe = ctx.scheduler.onUpdate((result) => {
    ctx.metrics.observe(result, false);
    gateway.broadcast({ type: 'update', result });
  });
  let servers: Server[] = [];
  let tlsWatch: TlsReloader | null = null;
  let stopping: Promise<void> | null = null;

  async function stop(): Promise<void> {
    ctx.shuttingDown = true;
    tlsWatch?.stop();
    // Before the scheduler: lists stopped by shutdown stay unfinished and go on at the next start.
    lists.close();
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
    app: httpApi.app,
    async listen(port) {
      const server = options.settings.server;
      if (server.host !== null) {
        // Checked here, not when saved: `config set` sets the certificate and the key one at a time.
        if ((server.tls.cert === null) !== (server.tls.key === null)) {
          throw new ListenError(`built-in TLS needs both server.tls.cert and server.tls.key; only ${server.tls.cert === null ? 'the key' : 'the certificate'} is set`);
        }
        const tls = server.tls.cert !== null && server.tls.key !== null ? { cert: server.tls.cert, key: server.tls.key } : null;
        if (!tls && server.trustedProxies.length === 0 && !ctx.network.isLocal(server.host)) {
          throw new ListenError(
            `refusing to listen on ${server.host}, which is not loopback, in plain text: set server.tls.cert and server.tls.key, or put a TLS reverse proxy in front and name it in server.trustedProxies`,
          );
        }
        // TLS only in server mode: a loopback daemon never loads it (nor its memory).
        const { loadTlsFiles, watchTlsFiles } = await import('./tls-files');
        const loaded = tls ? loadTlsFiles(tls) : null;
        if (loaded && !loaded.ok) throw new ListenError(loaded.message);
        const made = loaded?.ok
          ? ((await import('node:https')).createServer({ cert: loaded.cert, key: loaded.key }, httpApi.listener()) as unknown as Server)
          : http.createServer(httpApi.listener());
        made.on('upgrade', gateway.handleUpgrade);
        const actual = await listenOn(made, port, server.host);
        servers = [made];
        if (tls) tlsWatch = watchTlsFiles([made as unknown as https.Server], tls, (line) => ctx.log.info(line));
        ctx.port = actual;
        lists.resumeUnfinished();
        return { port: actual, hosts: [server.host], tls: tls !== null };
      }
      const { listening, servers: bound } = await listenLoopback(() => {
        const server = http.createServer(httpApi.listener('127.0.0.1'));
        server.on('upgrade', gateway.handleUpgrade);
        return server;
      }, port);
      servers = bound;
      ctx.port = listening.port;
      lists.resumeUnfinished();
      return listening;
    },
    reloadTls: () => tlsWatch?.reload() ?? null,
    shutdown() {
      stopping ??= stop();
      return stopping;
    },
  };
}
