import type { VerificationResult } from '@mailping/shared';
import { benchTruth, type BenchTruth } from '../lab/bench-table';
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

export interface BulkRow {
  tool: string;
  settings: string;
  wallMs: number[];
  connections: number[];
  turns: number[];
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
}

const RAISED = 10_000;
/** The daemon's per-client request budget (120 a minute) is for browser tabs, not for lists. */
const CLIENT_BUDGET: BenchSettings = { requestsPerMinute: 100_000, maxPendingPerClient: 1000 };

export async function bulkFigure(dnsServer: string, proxies: BenchProxies, options: { perDomain: number; runs: number; log?: (line: string) => void }): Promise<BulkFigure> {
  const list = mixedList(options.perDomain);
  const log = options.log ?? (() => {});
  const rows: BulkRow[] = [];
  const settle = () => new Promise((r) => setTimeout(r, proxies.rttMs * 2 + 200));

  async function measure(row: BulkRow, run: () => Promise<{ wallMs: number; answers: Array<BenchTruth | PeerAnswer | string> }>): Promise<void> {
    for (let i = 0; i < options.runs; i++) {
      await proxies.reset();
      const { wallMs, answers } = await run();
      await settle();
      const totals = await proxies.totals();
      row.wallMs.push(wallMs);
      row.connections.push(totals.connections);
      row.turns.push(totals.turns);
      row.peakPerHost = Math.max(row.peakPerHost, totals.peakOpen);
      row.correctness.push(score(list, answers));
      log(`  ${row.tool} (${row.settings}) run ${i + 1}: ${ms(wallMs)}, ${totals.connections} connections, ${totals.turns} round trips, ${row.correctness.at(-1)!.right}/${list.length} right`);
    }
    rows.push(row);
  }
  const newRow = (tool: string, settings: string, isPeer = false): BulkRow => ({ tool, settings, wallMs: [], connections: [], turns: [], peakPerHost: 0, correctness: [], isPeer });
  const reasons = (results: VerificationResult[]) => results.map((r) => r.reason);

  for (const [label, politeness] of [
    ['default politeness (120 RCPT/min/domain)', {}],
    [`rcptPerMinutePerDomain raised to ${RAISED}`, { rcptPerMinutePerDomain: RAISED }],
  ] as const) {
    await measure(newRow('MailPing CLI', label), async () => {
      const run = await runCliList(list, dnsServer, politeness);
      return { wallMs: run.wallMs, answers: reasons(run.results) };
    });
    await measure(newRow('MailPing daemon', label), async () => {
      const session = await startDaemonSession(dnsServer, { ...politeness, ...CLIENT_BUDGET });
      try {
        const run = await session.verifyAll(list, { window: 1000 });
        return { wallMs: run.wallMs, answers: reasons(run.results) };
      } finally {
        await session.stop();
      }
    });
  }
  for (const peer of PEERS) {
    await measure(newRow(peer.name, 'harness: ≤ 2 at once per MX host', true), async () => {
      const run = await runPeer(peer.id, list, dnsServer, { perHost: 2 });
      const byAddress = new Map(run.lines.map((l) => [l.address, l.answer]));
      return { wallMs: run.wallMs, answers: list.map((a) => byAddress.get(a) ?? 'unknown') };
    });
  }
  return { addresses: list.length, truth: truthCounts(list), rttMs: proxies.rttMs, runs: options.runs, rows };
}

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
  ].join('\n');
}
