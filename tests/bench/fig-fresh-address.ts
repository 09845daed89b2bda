import { BENCH_DOMAIN_COUNT, BENCH_CATCH_ALL_COUNT, benchDomain, benchTruth } from '../lab/bench-table';
import type { BenchProxies } from './bench-proxies';
import { runCliList, startDaemonSession } from './mailping-runs';
import { PEERS, runPeer } from './peers';
import { median, ms, table, times } from './stats';

/**
 * Figure 1: one fresh address (nothing cached, every process cold but the daemon, which is
 * already running as it would be): wall time, SMTP round trips and connections, counted at the
 * server (the latency proxy) for every tool, and from the result's own count for MailPing.
 * Each run asks a known user of another ordinary bench domain, so no DNS or catch-all fact is
 * reused between runs.
 */
export interface FreshRow {
  tool: string;
  /** Wall time per run. */
  wallMs: number[];
  /** Time the tool itself reports or the harness measures inside the process, when it differs from wall. */
  innerMs: number[] | null;
  turns: number[];
  connections: number[];
  right: number;
  runs: number;
}

export interface FreshFigure {
  rttMs: number;
  rows: FreshRow[];
  /** MailPing's own round-trip count (result.smtp.roundTrips), per run. */
  reportedRoundTrips: number[];
}

const ORDINARY = BENCH_DOMAIN_COUNT - BENCH_CATCH_ALL_COUNT;

export async function freshAddressFigure(dnsServer: string, proxies: BenchProxies, runs: number): Promise<FreshFigure> {
  const addresses = Array.from({ length: runs }, (_, i) => `user${i + 1}@${benchDomain((i % ORDINARY) + 1)}`);
  const settle = () => new Promise((r) => setTimeout(r, proxies.rttMs * 2 + 50));
  const rows: FreshRow[] = [];
  const reportedRoundTrips: number[] = [];

  const cli: FreshRow = { tool: 'MailPing CLI (`mailping verify`)', wallMs: [], innerMs: [], turns: [], connections: [], right: 0, runs };
  for (const address of addresses) {
    await proxies.reset();
    const run = await runCliList([address], dnsServer);
    await settle();
    const result = run.results[0]!;
    cli.wallMs.push(run.wallMs);
    cli.innerMs!.push(result.timings.totalMs);
    const totals = await proxies.totals();
    cli.turns.push(totals.turns);
    cli.connections.push(totals.connections);
    reportedRoundTrips.push(result.smtp?.roundTrips ?? NaN);
    if (result.reason === benchTruth(address)) cli.right++;
  }
  rows.push(cli);

  const daemonRow: FreshRow = { tool: 'MailPing daemon (WebSocket)', wallMs: [], innerMs: null, turns: [], connections: [], right: 0, runs };
  const session = await startDaemonSession(dnsServer);
  try {
    for (const address of addresses) {
      await proxies.reset();
      // Another local part than the CLI's: the daemon has its own cache, but be sure nothing is shared.
      const fresh = address.replace(/^user(\d+)/, (_, k: string) => `user${Number(k) + 100}`);
      const run = await session.verifyAll([fresh]);
      await settle();
      daemonRow.wallMs.push(run.wallMs);
      const totals = await proxies.totals();
      daemonRow.turns.push(totals.turns);
      daemonRow.connections.push(totals.connections);
      if (run.results[0]!.reason === benchTruth(fresh)) daemonRow.right++;
    }
  } finally {
    await session.stop();
  }
  rows.push(daemonRow);

  for (const peer of PEERS) {
    const row: FreshRow = { tool: peer.name, wallMs: [], innerMs: null, turns: [], connections: [], right: 0, runs };
    for (const address of addresses) {
      await proxies.reset();
      const run = await runPeer(peer.id, [address], dnsServer);
      await settle();
      row.wallMs.push(run.wallMs);
      const totals = await proxies.totals();
      row.turns.push(totals.turns);
      row.connections.push(totals.connections);
      if (run.lines[0]!.answer === 'exists') row.right++;
    }
    rows.push(row);
  }
  return { rttMs: proxies.rttMs, rows, reportedRoundTrips };
}

export function renderFreshAddress(f: FreshFigure): string {
  const best = Math.min(...f.rows.slice(2).map((r) => median(r.wallMs)));
  const rows = f.rows.map((r) => [
    r.tool,
    ms(median(r.wallMs)),
    r.innerMs ? ms(median(r.innerMs)) : '—',
    String(median(r.turns)),
    String(median(r.connections)),
    `${r.right}/${r.runs}`,
    f.rows.indexOf(r) < 2 ? times(best, median(r.innerMs ?? r.wallMs)) : '',
  ]);
  return [
    table(['tool', 'wall time (median)', 'inside the engine', 'SMTP round trips (at the server)', 'connections', 'right', 'vs best peer (the CLI: engine time)'], rows),
    '',
    `MailPing's own count (result.smtp.roundTrips): ${[...new Set(f.reportedRoundTrips)].join(', ')} per address.`,
  ].join('\n');
}
