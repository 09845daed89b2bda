import { httpGet } from '../support/daemon-process';
import { mixedList } from './address-list';
import type { BenchProxies } from './bench-proxies';
import { score, type Correctness } from './fig-bulk';
import { startDaemonSession, type BenchSettings } from './mailping-runs';

/**
 * Many verifications through one real daemon (over its WebSocket, through the latency proxies),
 * watching what must not grow: memory (VmRSS, sampled), open file descriptors (/proc/PID/fd)
 * and connections per MX host (counted at the proxies). The list goes in phases of equal size
 * (different addresses each), so that growth per phase can be told from a one-off rise.
 * Shared by the bench (figure 5) and the robustness suite's load test.
 */
export interface LoadPhase {
  verifications: number;
  wallMs: number;
  /** VmRSS after the phase and a short idle. */
  rssKb: number;
  fds: number;
}

export interface LoadRun {
  verifications: number;
  wallMs: number;
  correctness: Correctness;
  phases: LoadPhase[];
  rssKb: { idle: number; afterHttp: number; peak: number; afterIdle: number };
  fds: { idle: number; afterIdle: number };
  connections: number;
  /** The most connections open at once to one MX host (until the client's goodbye reached it). */
  peakPerHost: number;
  /** What the connections open at that peak were doing (latency-proxy.ts). */
  peakDetail: string[];
  /** The same, until the server had closed its end too (see ProxyCounters.peakUntilServerClosed). */
  peakPerHostUntilServerClosed: number;
  /** Connections still open at the servers after the run settled. */
  leftOpen: number;
}

/** Lists are answered by politeness as configured, not by a per-client budget meant for browsers. */
export const LOAD_SETTINGS: BenchSettings = { rcptPerMinutePerDomain: 10_000, requestsPerMinute: 10_000_000, maxPendingPerClient: 1000 };

export async function loadRun(
  dnsServer: string,
  proxies: BenchProxies,
  options: { perDomain: number; phases?: number; idleMs?: number; settings?: BenchSettings; log?: (line: string) => void },
): Promise<LoadRun> {
  const phases = options.phases ?? 1;
  const perPhase = Math.floor(options.perDomain / phases);
  const idleMs = options.idleMs ?? 2000;
  const session = await startDaemonSession(dnsServer, options.settings ?? LOAD_SETTINGS);
  try {
    await sleep(idleMs);
    const idle = { rss: session.rssKb(), fds: session.openFds() };
    // What the first HTTP request adds (the HTTP API loads then: daemon/src/server/lazy-http.ts).
    if ((await httpGet(session.daemon.port, '/health')).status !== 200) throw new Error('GET /health did not answer 200');
    await sleep(idleMs);
    const afterHttp = session.rssKb();
    await proxies.reset();
    let peak = idle.rss;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, session.rssKb());
      } catch {
        // The daemon is gone; the run reports that itself.
      }
    }, 200);
    const log = options.log;
    const progress = log
      ? setInterval(() => void proxies.totals().then((t) => log(`  … ${t.connections} connections so far, daemon RSS ${(session.rssKb() / 1024).toFixed(0)} MB`)), 10_000)
      : null;
    const done: LoadPhase[] = [];
    const lists: string[][] = [];
    const answers: string[] = [];
    try {
      for (let p = 0; p < phases; p++) {
        // Offsets keep the phases' addresses apart (nothing is answered from the cache).
        const list = mixedList(perPhase, { seed: 7 + p, offset: (p * perPhase) / 2 });
        const run = await session.verifyAll(list, { window: 1000, timeoutMs: 20 * 60_000 });
        await sleep(idleMs);
        done.push({ verifications: list.length, wallMs: run.wallMs, rssKb: session.rssKb(), fds: session.openFds() });
        lists.push(list);
        answers.push(...run.results.map((r) => r.reason));
        log?.(`  phase ${p + 1}/${phases}: ${list.length} verifications in ${(run.wallMs / 1000).toFixed(1)} s, RSS ${(done.at(-1)!.rssKb / 1024).toFixed(0)} MB`);
      }
    } finally {
      clearInterval(sampler);
      if (progress) clearInterval(progress);
    }
    const totals = await proxies.totals();
    const last = done.at(-1)!;
    return {
      verifications: done.reduce((a, p) => a + p.verifications, 0),
      wallMs: done.reduce((a, p) => a + p.wallMs, 0),
      correctness: score(lists.flat(), answers),
      phases: done,
      rssKb: { idle: idle.rss, afterHttp, peak: Math.max(peak, last.rssKb), afterIdle: last.rssKb },
      fds: { idle: idle.fds, afterIdle: last.fds },
      connections: totals.connections,
      peakPerHost: totals.peakOpen,
      peakDetail: totals.peakDetail,
      peakPerHostUntilServerClosed: totals.peakUntilServerClosed,
      leftOpen: totals.open,
    };
  } finally {
    await session.stop();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
