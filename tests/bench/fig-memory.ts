import type { BenchProxies } from './bench-proxies';
import { loadRun, LOAD_SETTINGS, type LoadRun } from './load-run';
import { mb, ms, table } from './stats';

/**
 * Figure 5: the daemon's memory. Idle RSS right after start (paired, one WebSocket open), then
 * RSS after N verifications through the latency proxies, in phases of equal size, and what the
 * same run says about descriptors and politeness.
 */
export interface MemoryFigure extends LoadRun {
  rttMs: number;
}

export async function memoryFigure(dnsServer: string, proxies: BenchProxies, options: { perDomain: number; phases: number; log?: (line: string) => void }): Promise<MemoryFigure> {
  const run = await loadRun(dnsServer, proxies, { perDomain: options.perDomain, phases: options.phases, ...(options.log && { log: options.log }) });
  return { ...run, rttMs: proxies.rttMs };
}

export function renderMemory(f: MemoryFigure): string {
  const c = f.correctness;
  return [
    table(
      ['daemon VmRSS', 'value'],
      [
        ['idle, after start (paired, one WebSocket open)', mb(f.rssKb.idle)],
        ['then one HTTP request (GET /health, which loads the HTTP API), 2 s idle', mb(f.rssKb.afterHttp)],
        ...f.phases.map((p, i) => [`after ${f.phases.slice(0, i + 1).reduce((a, x) => a + x.verifications, 0).toLocaleString('en')} verifications (${ms(p.wallMs)} for this batch), 2 s idle`, mb(p.rssKb)]),
        ['peak during the run (sampled every 200 ms)', mb(f.rssKb.peak)],
      ],
    ),
    '',
    `${f.verifications.toLocaleString('en')} verifications over 10 domains through the latency proxies (RTT ${f.rttMs} ms), ` +
      `rcptPerMinutePerDomain raised to ${LOAD_SETTINGS.rcptPerMinutePerDomain}: ${ms(f.wallMs)} in all (${Math.round(f.verifications / (f.wallMs / 1000))}/s), ` +
      `${c.right} right, ${c.wrong} wrong, ${c.unknown} unknown; ${f.connections} connections, at most ${f.peakPerHost} open at once per MX host ` +
      `(${f.peakPerHostUntilServerClosed} counting until Postfix had closed its end); file descriptors ${f.fds.idle} idle → ${f.fds.afterIdle} after; ${f.leftOpen} connections left open.`,
  ].join('\n');
}
