import type { VerificationResult } from '@mailping/shared';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { benchTruth, isBenchCatchAll, type BenchTruth } from '../lab/bench-table';
import { readTrace, summarizeTrace } from './bulk-trace';
import { mixedList, truthCounts } from './address-list';
import type { BenchProxies } from './bench-proxies';
import { runCliList, startDaemonSession, type BenchSettings } from './mailping-runs';
import { PEERS, runPeer, type PeerAnswer } from './peers';
import { median, ms, table, times } from './stats';

/**
 * Figure 2: a list over the ten bench domains (half known users, half unknown on seven ordinary
 * domains, three catch-all domains; Postfix's error limits in force: it tarpits after 10 errors
 * in a session and hangs up after 20), at most 2 connections per MX host. Every tool gets the
 * same list in the same order; connections and round trips are counted at the servers; an
 * answer counts only if it is right.
 */
export interface Correctness {
  right: number;
  wrong: number;
  /** No answer about the mailbox (unknown, timeout): not wrong, not useful either. */
  unknown: number;
  /** Right answers per kind of address. */
  byTruth: Record<BenchTruth, { right: number; of: number }>;
}

/** Connections and server turns per bench domain, in one run. */
export type DomainCounts = Record<string, { connections: number; turns: number }>;

export interface BulkRow {
  tool: string;
  settings: string;
  wallMs: number[];
  connections: number[];
  turns: number[];
  /** Per domain, per run (counted at each domain's proxy). */
  perDomain: DomainCounts[];
  /** The most connections open at once to any one MX host, over all runs. */
  peakPerHost: number;
  correctness: Correctness[];
  isPeer: boolean;
}

export interface BulkFigure {
  addresses: number;
  truth: Record<BenchTruth, number>;
  rttMs: number;
  runs: number;
  rows: BulkRow[];
  /** The politeness the rows ran with, for the floor of round trips. */
  errorBudget: number;
  maxRcptPerSession: number;
  /** The fewest round trips the politeness allows, per kind of domain (see `floorOf`). */
  floor: Floor;
  /** A small list (a few addresses per domain: one session each), MailPing only. */
  small: { addresses: number; perDomain: number; rows: BulkRow[]; floor: Floor } | null;
}

type DomainKind = 'ordinary' | 'catch-all';
/** Per kind of domain, the mean per domain: sessions, and server turns (round trips). */
export type Floor = Record<DomainKind, { sessions: number; turns: number }>;

/**
 * The fewest round trips a domain's share of a list can cost within the politeness: every session
 * at its floor (3 server turns: the greeting, EHLO, and one pipelined MAIL/RCPT…/probe/QUIT flight;
 * connect is the client's round trip before the greeting), and as few sessions as the error budget
 * (every refusal counts, the catch-all probe's included) and the RCPTs-per-session cap allow.
 * A lower bound: reaching it needs knowing in advance which addresses will be refused.
 */
export function floorOf(list: readonly string[], errorBudget: number, maxRcptPerSession: number): Floor {
  const byDomain = new Map<string, { n: number; refusals: number }>();
  for (const a of list) {
    const domain = a.slice(a.lastIndexOf('@') + 1);
    const d = byDomain.get(domain) ?? { n: 0, refusals: isBenchCatchAll(domain) ? 0 : 1 };
    d.n++;
    if (benchTruth(a) === 'mailbox_not_found') d.refusals++;
    byDomain.set(domain, d);
  }
  const floor: Floor = { ordinary: { sessions: 0, turns: 0 }, 'catch-all': { sessions: 0, turns: 0 } };
  const count: Record<DomainKind, number> = { ordinary: 0, 'catch-all': 0 };
  for (const [domain, d] of byDomain) {
    const kind: DomainKind = isBenchCatchAll(domain) ? 'catch-all' : 'ordinary';
    const sessions = Math.max(1, Math.ceil(d.refusals / errorBudget), Math.ceil(d.n / maxRcptPerSession));
    floor[kind].sessions += sessions;
    floor[kind].turns += 3 * sessions;
    count[kind]++;
  }
  for (const kind of ['ordinary', 'catch-all'] as const) {
    floor[kind].sessions /= Math.max(1, count[kind]);
    floor[kind].turns /= Math.max(1, count[kind]);
  }
  return floor;
}

/** The measured means per domain of each kind, median over runs. */
function perKind(row: BulkRow): Floor {
  const runs = row.perDomain.map((counts) => {
    const out: Floor = { ordinary: { sessions: 0, turns: 0 }, 'catch-all': { sessions: 0, turns: 0 } };
    const n: Record<DomainKind, number> = { ordinary: 0, 'catch-all': 0 };
    for (const [domain, c] of Object.entries(counts)) {
      const kind: DomainKind = isBenchCatchAll(domain) ? 'catch-all' : 'ordinary';
      out[kind].sessions += c.connections;
      out[kind].turns += c.turns;
      n[kind]++;
    }
    for (const kind of ['ordinary', 'catch-all'] as const) {
      out[kind].sessions /= Math.max(1, n[kind]);
      out[kind].turns /= Math.max(1, n[kind]);
    }
    return out;
  });
  const pick = (kind: DomainKind, key: 'sessions' | 'turns') => median(runs.map((r) => r[kind][key]));
  return {
    ordinary: { sessions: pick('ordinary', 'sessions'), turns: pick('ordinary', 'turns') },
    'catch-all': { sessions: pick('catch-all', 'sessions'), turns: pick('catch-all', 'turns') },
  };
}

/** The product's defaults (daemon/src/config/settings.ts), which every row but the raised one keeps. */
const ERROR_BUDGET = 8;
const MAX_RCPT_PER_SESSION = 50;

const RAISED = 10_000;
/** The daemon's per-client request budget (120 a minute) is for browser tabs, not for lists. */
const CLIENT_BUDGET: BenchSettings = { requestsPerMinute: 100_000, maxPendingPerClient: 1000 };

export async function bulkFigure(
  dnsServer: string,
  proxies: BenchProxies,
  options: { perDomain: number; runs: number; smallPerDomain?: number; log?: (line: string) => void },
): Promise<BulkFigure> {
  const list = mixedList(options.perDomain);
  const log = options.log ?? (() => {});
  const rows: BulkRow[] = [];
  const settle = () => new Promise((r) => setTimeout(r, proxies.rttMs * 2 + 200));

  async function measure(
    into: BulkRow[],
    row: BulkRow,
    addresses: readonly string[],
    run: (traceFile?: string) => Promise<{ wallMs: number; answers: Array<BenchTruth | PeerAnswer | string> }>,
  ): Promise<void> {
    for (let i = 0; i < options.runs; i++) {
      await proxies.reset();
      // MAILPING_BENCH_TRACE=DIR: MailPing's runs write a timing trace there, summarized below.
      const traceFile = traceDir && !row.isPeer ? join(traceDir, `${slug(`${row.tool}-${row.settings}-${addresses.length}`)}-${i + 1}.jsonl`) : undefined;
      const { wallMs, answers } = await run(traceFile);
      await settle();
      const counters = await proxies.counters();
      const totals = await proxies.totals();
      row.wallMs.push(wallMs);
      row.connections.push(totals.connections);
      row.turns.push(totals.turns);
      row.perDomain.push(Object.fromEntries([...counters].map(([domain, c]) => [domain, { connections: c.connections, turns: c.turns }])));
      if (totals.peakOpen > row.peakPerHost) log(`  peak of ${totals.peakOpen} open at one MX host: ${totals.peakDetail.join('; ')}`);
      row.peakPerHost = Math.max(row.peakPerHost, totals.peakOpen);
      row.correctness.push(score(addresses, answers));
      log(`  ${row.tool} (${row.settings}) run ${i + 1}: ${ms(wallMs)}, ${totals.connections} connections, ${totals.turns} round trips, ${row.correctness.at(-1)!.right}/${addresses.length} right`);
      if (traceFile) {
        log(`    proxies: ${totals.deliveries} deliveries, ${(totals.lateTotalMs / Math.max(1, totals.deliveries)).toFixed(2)} ms late on average, ${totals.lateMaxMs.toFixed(1)} ms at worst; trace ${traceFile}`);
        for (const line of summarizeTrace(readTrace(traceFile), proxies.rttMs, row.tool.includes('CLI') ? wallMs : undefined).lines) log(`    ${line}`);
      }
    }
    into.push(row);
  }
  const newRow = (tool: string, settings: string, isPeer = false): BulkRow => ({
    tool,
    settings,
    wallMs: [],
    connections: [],
    turns: [],
    perDomain: [],
    peakPerHost: 0,
    correctness: [],
    isPeer,
  });
  const reasons = (results: VerificationResult[]) => results.map((r) => r.reason);
  const traceDir = process.env.MAILPING_BENCH_TRACE || null;
  if (traceDir) mkdirSync(traceDir, { recursive: true });
  const traceEnv = (traceFile?: string): NodeJS.ProcessEnv => (traceFile ? { MAILPING_TRACE: traceFile } : {});
  const cli = (addresses: readonly string[], settings: BenchSettings) => async (traceFile?: string) => {
    const run = await runCliList(addresses, dnsServer, settings, traceEnv(traceFile));
    return { wallMs: run.wallMs, answers: reasons(run.results) };
  };
  const daemon = (addresses: readonly string[], settings: BenchSettings) => async (traceFile?: string) => {
    const session = await startDaemonSession(dnsServer, { ...settings, ...CLIENT_BUDGET }, traceEnv(traceFile));
    try {
      const run = await session.verifyAll(addresses, { window: 1000 });
      return { wallMs: run.wallMs, answers: reasons(run.results) };
    } finally {
      await session.stop();
    }
  };

  // The small list first: a few addresses per domain fit one session each, the round trips' floor.
  let small: BulkFigure['small'] = null;
  if (options.smallPerDomain) {
    const smallList = mixedList(options.smallPerDomain, { seed: 11, offset: 250 });
    small = { addresses: smallList.length, perDomain: options.smallPerDomain, rows: [], floor: floorOf(smallList, ERROR_BUDGET, MAX_RCPT_PER_SESSION) };
    await measure(small.rows, newRow('MailPing CLI', 'default politeness'), smallList, cli(smallList, {}));
    await measure(small.rows, newRow('MailPing daemon', 'default politeness'), smallList, daemon(smallList, {}));
  }

  for (const [label, politeness] of [
    ['default politeness (120 RCPT/min/domain)', {}],
    [`rcptPerMinutePerDomain raised to ${RAISED}`, { rcptPerMinutePerDomain: RAISED }],
  ] as const) {
    await measure(rows, newRow('MailPing CLI', label), list, cli(list, politeness));
    await measure(rows, newRow('MailPing daemon', label), list, daemon(list, politeness));
  }
  for (const peer of PEERS) {
    await measure(rows, newRow(peer.name, 'harness: ≤ 2 at once per MX host', true), list, async () => {
      const run = await runPeer(peer.id, list, dnsServer, { perHost: 2 });
      const byAddress = new Map(run.lines.map((l) => [l.address, l.answer]));
      return { wallMs: run.wallMs, answers: list.map((a) => byAddress.get(a) ?? 'unknown') };
    });
  }
  return {
    addresses: list.length,
    truth: truthCounts(list),
    rttMs: proxies.rttMs,
    runs: options.runs,
    rows,
    errorBudget: ERROR_BUDGET,
    maxRcptPerSession: MAX_RCPT_PER_SESSION,
    floor: floorOf(list, ERROR_BUDGET, MAX_RCPT_PER_SESSION),
    small,
  };
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** MailPing's reasons are compared as they are; a peer's "exists"/"not found" map onto accepted/mailbox_not_found. */
export function score(list: readonly string[], answers: ReadonlyArray<string>): Correctness {
  const byTruth: Correctness['byTruth'] = { accepted: { right: 0, of: 0 }, mailbox_not_found: { right: 0, of: 0 }, catch_all: { right: 0, of: 0 } };
  let right = 0;
  let wrong = 0;
  let unknown = 0;
  list.forEach((address, i) => {
    const truth = benchTruth(address);
    const answer = answers[i] === 'exists' ? 'accepted' : answers[i] === 'not_found' ? 'mailbox_not_found' : answers[i];
    byTruth[truth].of++;
    if (answer === truth) {
      right++;
      byTruth[truth].right++;
    } else if (answer === 'accepted' || answer === 'mailbox_not_found' || answer === 'catch_all') wrong++;
    else unknown++;
  });
  return { right, wrong, unknown, byTruth };
}

/** The bench list spreads over the ten bench domains, each behind its own latency proxy. */
const DOMAINS = 10;

export function renderBulk(f: BulkFigure): string {
  const peers = f.rows.filter((r) => r.isPeer);
  const bestPeer = peers.reduce((a, b) => (median(a.wallMs) <= median(b.wallMs) ? a : b));
  const worst = (r: BulkRow): Correctness => r.correctness.reduce((a, b) => (a.right <= b.right ? a : b));
  const rows = f.rows.map((r) => {
    const c = worst(r);
    return [
      r.tool,
      r.settings,
      ms(median(r.wallMs)),
      String(median(r.connections)),
      `${median(r.turns)} (${(median(r.turns) / DOMAINS).toFixed(1)} per domain)`,
      String(r.peakPerHost),
      `${c.right}/${f.addresses}${c.wrong ? `, ${c.wrong} wrong` : ''}${c.unknown ? `, ${c.unknown} unknown` : ''}`,
      `${c.byTruth.accepted.right}/${c.byTruth.accepted.of} · ${c.byTruth.mailbox_not_found.right}/${c.byTruth.mailbox_not_found.of} · ${c.byTruth.catch_all.right}/${c.byTruth.catch_all.of}`,
      r.isPeer ? '' : `${times(median(bestPeer.wallMs), median(r.wallMs))} faster, ${times(median(bestPeer.connections), median(r.connections))} fewer connections`,
    ];
  });
  return [
    `${f.addresses} addresses (${f.truth.accepted} existing, ${f.truth.mailbox_not_found} unknown, ${f.truth.catch_all} on catch-all domains), RTT ${f.rttMs} ms, median of ${f.runs} run(s); best peer: ${bestPeer.tool}.`,
    '',
    table(['tool', 'settings', 'wall time', 'connections', 'round trips', 'max open per MX', 'right (worst run)', 'right: existing · unknown · catch-all', 'vs best peer'], rows),
    '',
    renderRoundTrips(f),
  ].join('\n');
}

/** Round trips (server turns) and sessions per domain, against the floor the politeness allows. */
export function renderRoundTrips(f: BulkFigure): string {
  const cell = (x: { sessions: number; turns: number }) => `${x.turns.toFixed(1)} in ${x.sessions.toFixed(1)} sessions (${(x.turns / Math.max(1, x.sessions)).toFixed(1)} each)`;
  const lines: string[][] = [];
  const add = (list: string, floor: Floor, rows: BulkRow[]) => {
    lines.push([list, 'floor (3 per session; fewest sessions)', cell(floor.ordinary), cell(floor['catch-all'])]);
    for (const r of rows) {
      const k = perKind(r);
      lines.push([list, `${r.tool} (${r.settings.replace(/ \(.*\)$/, '')})`, cell(k.ordinary), cell(k['catch-all'])]);
    }
  };
  if (f.small) add(`${f.small.addresses} (${f.small.perDomain} per domain)`, f.small.floor, f.small.rows);
  add(`${f.addresses} (${f.addresses / DOMAINS} per domain)`, f.floor, f.rows);
  return [
    `Round trips per domain, counted at the server (its turns to speak: the greeting, EHLO, each flight; connect is the client's and not counted), mean per domain. ` +
      `The floor is 3 turns per session and the fewest sessions the error budget (${f.errorBudget} refusals, the probe's included) and the cap of ${f.maxRcptPerSession} RCPTs per session allow: a lower bound, reached only by knowing in advance which addresses will be refused.`,
    '',
    table(['list', 'who', 'ordinary domain: round trips', 'catch-all domain: round trips'], lines),
  ].join('\n');
}
