import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scriptedServerAddress } from '../lab/lab-table';
import { startScriptedServer, type Script, type ScriptedServer } from '../support/scripted-smtp-server';
import { eventually, startPairedDaemon, verifyMany, type Answered, type RunningDaemon } from './daemon-harness';
import { hostileCases, MID_BATCH_421, midBatch421, type MidBatchLog } from './hostile-scripts';

/**
 * Hostile mail servers, all at once, through the real daemon and its WebSocket, with well-behaved
 * lab addresses in the same run. For each: the right `unknown` reason within the configured
 * deadline, the session cleaned up (the server sees the client hang up, the daemon's file
 * descriptors come back to where they were), the daemon's memory bounded, and the other
 * verifications unaffected. (Single verifications against such servers are in
 * tests/engine/scripted-servers.test.ts; this goes through the daemon, many at once.)
 */
const lab = inject('lab');
const TIMEOUTS = { totalSeconds: 8, connectSeconds: 3, greetingSeconds: 3, commandSeconds: 3 };
const CASES = hostileCases({ greetingMs: TIMEOUTS.greetingSeconds * 1000 });
const GOOD = [
  { address: 'alice@valid.test', reason: 'accepted' },
  { address: 'nobody@valid.test', reason: 'mailbox_not_found' },
  { address: 'someone@catchall.test', reason: 'catch_all' },
] as const;
const BATCH = ['good1', 'bad1', 'good2', 'bad2', 'good3', 'bad3'].map((l) => `${l}@scripted-${MID_BATCH_421}.test`);

interface Tracked {
  server: ScriptedServer;
  /** Client connections the server still has open. */
  open(): number;
  peakOpen(): number;
}

async function track(n: number, script: (tracked: { connections: () => number }) => Script): Promise<Tracked> {
  let open = 0;
  let peak = 0;
  let server: ScriptedServer | null = null;
  const s = script({ connections: () => server?.connections ?? 0 });
  server = await startScriptedServer(scriptedServerAddress(n), (c) => {
    open++;
    peak = Math.max(peak, open);
    c.socket.once('close', () => open--);
    return s(c);
  });
  return { server, open: () => open, peakOpen: () => peak };
}

const servers = new Map<number, Tracked>();
const midBatch: MidBatchLog = { deferredAt: null, connectedAt: [] };
let d: RunningDaemon;
let before: { rssKb: number; fds: number };
let answers: Map<string, Answered>;

beforeAll(async () => {
  for (const c of CASES) servers.set(c.n, await track(c.n, () => c.script));
  servers.set(MID_BATCH_421, await track(MID_BATCH_421, () => midBatch421(midBatch)));
  d = await startPairedDaemon({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    timeouts: TIMEOUTS,
    limits: { requestsPerMinute: 1000 },
    // After the mid-batch 421 the rest of that domain waits this long, then is asked again.
    politeness: { backoffSeconds: 1 },
  });
  // One verification first, so what the daemon loads on first use is in the baseline.
  d.client.send({ type: 'verify', id: 'warm', address: 'bob@valid.test' });
  await d.client.next('result', (m) => m.id === 'warm', 20_000);
  await new Promise((r) => setTimeout(r, 500));
  before = { rssKb: d.rssKb(), fds: d.openFds() };

  // Everything at once: hostile first, so the good ones queue behind them if anything blocks.
  answers = await verifyMany(d.client, [...CASES.map((c) => `alice@scripted-${c.n}.test`), ...BATCH, ...GOOD.map((g) => g.address)]);
}, 90_000);

afterAll(async () => {
  await d?.stop();
  await Promise.all([...servers.values()].map((s) => s.server.close()));
});

describe('hostile SMTP servers, through the daemon, all at once', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: the right unknown reason within the deadline', (_name, c) => {
    const { result, ms } = answers.get(`alice@scripted-${c.n}.test`)!;
    expect({ verdict: result.verdict, reason: result.reason }, result.detail).toEqual({ verdict: 'unknown', reason: c.reason });
    // One address, one session: the overall deadline is totalSeconds (plus the daemon's own slack).
    expect(ms).toBeLessThan(TIMEOUTS.totalSeconds * 1000 + 5000);
    if (c.notBeforeMs !== undefined) expect(ms).toBeGreaterThanOrEqual(c.notBeforeMs - 200);
    expect(servers.get(c.n)!.server.connections).toBeGreaterThanOrEqual(1);
  });

  it('421 in the middle of a batch: each answer is its own, and after the backoff the daemon pushes the real answers', async () => {
    const first = BATCH.map((a) => answers.get(a)!.result);
    const real = (address: string): string => (address.startsWith('good') ? 'accepted' : 'mailbox_not_found');
    // The list may reach the daemon in one WebSocket read or several (one batch or more), but the
    // RCPTs go out in list order: good1 and bad1 are answered, and good2's own RCPT gets the 421.
    expect(first.slice(0, 2).map((r) => r.reason)).toEqual(['accepted', 'mailbox_not_found']);
    expect(first[2]).toMatchObject({ verdict: 'unknown', reply: { code: 421, command: 'RCPT TO' } });
    // After it, each address has its real answer (a later batch, after the backoff) or was cut
    // off: then it quotes nobody's reply and is asked again.
    const deferred = BATCH.slice(2).filter((_, i) => first[i + 2]!.smtp?.deferral);
    expect(deferred[0]).toBe(BATCH[2]);
    for (const [i, r] of first.entries()) {
      if (r.smtp?.deferral) {
        expect(r.smtp.deferral).toMatchObject({ host: `mx.scripted-${MID_BATCH_421}.test`, code: 421 });
        if (i > 2) expect(r).toMatchObject({ verdict: 'unknown', reason: 'temporary_failure', reply: null });
      } else {
        expect(r.reason, r.normalized!).toBe(real(r.normalized!));
      }
    }
    for (const address of deferred) {
      const update = await d.client.next('update', (m) => m.result.normalized === address, 20_000);
      expect(update.result.reason).toBe(real(address));
    }
    // Politeness: no connection to the host during its backoff after the 421.
    expect(midBatch.deferredAt).not.toBeNull();
    for (const at of midBatch.connectedAt.filter((t) => t > midBatch.deferredAt!)) expect(at - midBatch.deferredAt!).toBeGreaterThanOrEqual(900);
    const s = servers.get(MID_BATCH_421)!;
    expect(s.server.connections).toBeGreaterThanOrEqual(2);
    expect(s.peakOpen()).toBeLessThanOrEqual(2);
  });

  it('the well-behaved addresses in the same run are answered right, and before the slowest hostile server gives up', () => {
    const slowest = Math.max(...CASES.map((c) => answers.get(`alice@scripted-${c.n}.test`)!.ms));
    for (const g of GOOD) {
      const { result, ms } = answers.get(g.address)!;
      expect(result.reason, g.address).toBe(g.reason);
      expect(ms, g.address).toBeLessThan(slowest);
    }
  });

  it('every session is cleaned up: the servers see the client gone, the daemon holds no more descriptors than before', async () => {
    for (const [n, s] of servers) {
      expect(await eventually(() => s.open(), (open) => open === 0), `scripted-${n}.test connections still open`).toBe(0);
    }
    const fds = await eventually(() => d.openFds(), (n) => n <= before.fds);
    expect(fds).toBeLessThanOrEqual(before.fds);
  });

  it("the daemon's memory stays bounded (a 1 MB line and an endless reply are not buffered) and it keeps serving", async () => {
    expect(d.rssKb() - before.rssKb).toBeLessThan(64 * 1024);
    d.client.send({ type: 'verify', id: 'after', address: 'first.last@valid.test' });
    const after = await d.client.next('result', (m) => m.id === 'after', 20_000);
    expect(after.result.reason).toBe('accepted');
  });
});
