import { BENCH_DOMAIN_COUNT, BENCH_CATCH_ALL_COUNT, benchDomain, benchTruth } from '../lab/bench-table';
import type { BenchProxies } from './bench-proxies';
import type { VerificationResult } from '@mailping/shared';
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
  /** Through the daemon: where each run's time went (see accountFor). */
  phases?: Phases[];
  /** The mail server's own time to answer in each run, measured at the latency proxy (ProxyCounters.serverMs). */
  serverMs?: number[];
}

/**
 * One request to answer, cut at the daemon's own timestamps: the result's checkedAt (the engine
 * done, ms resolution, same clock) less its totalMs is when the engine started, and its
 * transcript's times are from that start.
 */
export interface Phases {
  /** Request sent → engine started: HTTP/WebSocket parsing, auth, quota, the scheduler. */
  toEngine: number;
  dns: number;
  /** Engine's DNS done → the server's greeting read: the TCP connect plus the banner (2 RTT). */
  toGreeting: number;
  /** Greeting → EHLO's reply (1 RTT). */
  ehlo: number;
  /** EHLO's reply → the pipelined MAIL/RCPT/probe/QUIT flight's last RCPT reply (1 RTT). */
  rcpt: number;
  /** Last RCPT reply → the engine's result built. */
  toResult: number;
  /** Engine's result → the answer parsed by the person's client: storing, sending, parsing. */
  toPerson: number;
}

export interface FreshFigure {
  rttMs: number;
  rows: FreshRow[];
  /** MailPing's own round-trip count (result.smtp.roundTrips), per run. */
  reportedRoundTrips: number[];
  /** How late the latency proxies delivered, over the daemon runs: latency the RTT model does not have. */
  proxyLateness?: { deliveries: number; meanMs: number; maxMs: number };
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

  // Request to answer through the daemon, over its WebSocket and over HTTP: the engine's own
  // totalMs beside it shows what is spent after the engine has the answer.
  const daemonRow: FreshRow = { tool: 'MailPing daemon (WebSocket)', wallMs: [], innerMs: [], turns: [], connections: [], right: 0, runs };
  const httpRow: FreshRow = { tool: 'MailPing daemon (HTTP)', wallMs: [], innerMs: [], turns: [], connections: [], right: 0, runs };
  const session = await startDaemonSession(dnsServer);
  const late = { deliveries: 0, totalMs: 0, maxMs: 0 };
  try {
    for (const [offset, row] of [[100, daemonRow], [200, httpRow]] as const) {
      const verify = (address: string) =>
        row === httpRow ? httpVerify(session.daemon.port, session.token, address) : timed(() => session.verifyAll([address]));
      // A malformed address through the same door first (answered without the engine): the
      // first request of a door loads code and warms JIT that no later request pays for.
      await verify('not-an-address');
      row.phases = [];
      row.serverMs = [];
      for (const address of addresses) {
        await proxies.reset();
        // Other local parts than the CLI's: the daemon has its own cache, but be sure nothing is shared.
        const fresh = address.replace(/^user(\d+)/, (_, k: string) => `user${Number(k) + offset}`);
        const run = await verify(fresh);
        await settle();
        const result = run.results[0]!;
        row.wallMs.push(run.wallMs);
        row.innerMs!.push(result.timings.totalMs);
        row.phases.push(accountFor(result, run.sentAt, run.answeredAt));
        const totals = await proxies.totals();
        row.turns.push(totals.turns);
        row.connections.push(totals.connections);
        row.serverMs!.push(totals.serverMs);
        late.deliveries += totals.deliveries;
        late.totalMs += totals.lateTotalMs;
        late.maxMs = Math.max(late.maxMs, totals.lateMaxMs);
        if (result.reason === benchTruth(fresh)) row.right++;
      }
    }
  } finally {
    await session.stop();
  }
  rows.push(daemonRow, httpRow);

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
  const proxyLateness = { deliveries: late.deliveries, meanMs: late.deliveries ? late.totalMs / late.deliveries : 0, maxMs: late.maxMs };
  return { rttMs: proxies.rttMs, rows, reportedRoundTrips, proxyLateness };
}

export function renderFreshAddress(f: FreshFigure): string {
  const ours = 3;
  const best = Math.min(...f.rows.slice(ours).map((r) => median(r.wallMs)));
  const rows = f.rows.map((r) => [
    r.tool,
    ms(median(r.wallMs)),
    r.innerMs ? ms(median(r.innerMs)) : '—',
    String(median(r.turns)),
    String(median(r.connections)),
    `${r.right}/${r.runs}`,
    f.rows.indexOf(r) < ours ? times(best, median(f.rows.indexOf(r) === 0 ? r.innerMs! : r.wallMs)) : '',
  ]);
  return [
    table(['tool', 'wall time (median)', 'inside the engine', 'SMTP round trips (at the server)', 'connections', 'right', 'vs best peer (the CLI: engine time)'], rows),
    '',
    `MailPing's own count (result.smtp.roundTrips): ${[...new Set(f.reportedRoundTrips)].join(', ')} per address.`,
    ...f.rows.slice(1, ours).map(
      (r) =>
        `${r.tool}: request to answer ${ms(median(r.wallMs))} = ${(median(r.wallMs) / f.rttMs).toFixed(1)} RTT; ` +
        `the engine had it after ${ms(median(r.innerMs!))}, so ${ms(median(r.wallMs) - median(r.innerMs!))} went to DNS-free plumbing ` +
        `(target: ≤ 4 RTT + 10 ms = ${ms(4 * f.rttMs + 10)}).` +
        (r.phases?.length ? `\n  where it went (median of ${r.phases.length}): ${renderPhases(r.phases)}` : '') +
        (r.serverMs?.length ? `\n  ${renderOwnShare(r, f.rttMs)}` : ''),
    ),
    ...(f.proxyLateness
      ? [
          `The latency proxies delivered ${f.proxyLateness.deliveries} chunks over these daemon runs, late by ${f.proxyLateness.meanMs.toFixed(2)} ms on average ` +
            `and ${f.proxyLateness.maxMs.toFixed(1)} ms at worst (latency the RTT model does not have).`,
        ]
      : []),
  ].join('\n');
}

/**
 * Request to answer = 4 RTT + the mail server's own time (measured at the proxy, which a real
 * server also takes) + the rest: MailPing's and the harness's own time (HTTP or WebSocket, the
 * scheduler, DNS on loopback, the engine's CPU, storing, the client's parsing). Per run, median.
 */
export function ownShareMs(r: FreshRow, rttMs: number): { server: number; rest: number } {
  const rest = r.wallMs.map((w, i) => w - 4 * rttMs - (r.serverMs?.[i] ?? 0));
  return { server: median(r.serverMs ?? []), rest: median(rest) };
}

function renderOwnShare(r: FreshRow, rttMs: number): string {
  const { server, rest } = ownShareMs(r, rttMs);
  return `4 RTT (${ms(4 * rttMs)}) + the mail server's own time to answer (at the proxy: greeting, EHLO, the flight) ${server.toFixed(1)} ms + the rest (MailPing, loopback DNS, the bench's client) ${rest.toFixed(1)} ms`;
}

const PHASE_NAMES: Array<[keyof Phases, string]> = [
  ['toEngine', 'request → engine'],
  ['dns', 'DNS'],
  ['toGreeting', 'connect + greeting'],
  ['ehlo', 'EHLO'],
  ['rcpt', 'MAIL/RCPT flight'],
  ['toResult', 'RCPT reply → result'],
  ['toPerson', 'result → person'],
];

function renderPhases(phases: Phases[]): string {
  return PHASE_NAMES.map(([key, name]) => `${name} ${median(phases.map((p) => p[key])).toFixed(1)}`).join(', ') + ' ms';
}

/** Cuts one run at the daemon's timestamps (see Phases); `sentAt`/`answeredAt` are epoch ms. */
export function accountFor(result: VerificationResult, sentAt: number, answeredAt: number): Phases {
  const engineEnd = Date.parse(result.checkedAt);
  const engineStart = engineEnd - result.timings.totalMs;
  const lines = result.transcript;
  const dns = result.timings.dnsMs ?? 0;
  const received = lines.filter((l) => l.dir === '<');
  const greeting = received[0]?.t ?? NaN;
  const mailSent = lines.find((l) => l.dir === '>' && /^MAIL FROM/i.test(l.line))?.t ?? NaN;
  const ehloReply = [...received].reverse().find((l) => l.t <= mailSent)?.t ?? NaN;
  // The flight's replies: the last one before QUIT's 221 (or the last of all).
  const flight = received.filter((l) => l.t >= mailSent && !/^221[ -]/.test(l.line));
  const rcptReply = flight.at(-1)?.t ?? NaN;
  return {
    toEngine: engineStart - sentAt,
    dns,
    toGreeting: greeting - dns,
    ehlo: ehloReply - greeting,
    rcpt: rcptReply - ehloReply,
    toResult: result.timings.totalMs - rcptReply,
    toPerson: answeredAt - engineEnd,
  };
}

/** A WebSocket run, with the epoch times the accounting needs. */
async function timed(run: () => Promise<{ wallMs: number; results: VerificationResult[] }>): Promise<Timed> {
  const sentAt = performance.timeOrigin + performance.now();
  const done = await run();
  return { ...done, sentAt, answeredAt: sentAt + done.wallMs };
}

interface Timed {
  wallMs: number;
  results: VerificationResult[];
  sentAt: number;
  answeredAt: number;
}

/** One address through POST /v1/verify, timed from the request to the parsed answer. */
async function httpVerify(port: number, token: string, address: string): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/v1/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ address }),
  });
  const body = (await response.json()) as { result?: VerificationResult };
  const wallMs = performance.now() - started;
  if (!body.result) throw new Error(`POST /v1/verify ${address}: HTTP ${response.status}`);
  return { wallMs, results: [body.result], sentAt: performance.timeOrigin + started, answeredAt: performance.timeOrigin + started + wallMs };
}
