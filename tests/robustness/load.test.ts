import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBenchProxies, type BenchProxies } from '../bench/bench-proxies';
import { loadRun, type LoadRun } from '../bench/load-run';

/**
 * 10,000 verifications through the real daemon, over its WebSocket, to the lab's Postfix behind
 * the latency proxies (20 ms RTT; 50 ms in `pnpm bench`): every answer
 * right, memory that stops growing, no leaked descriptors, and never more than
 * politeness.connectionsPerHost (2) connections to one MX host, counted at the servers.
 * The per-domain RCPT rate is raised for this run (settings.politeness.rcptPerMinutePerDomain):
 * at the default 120 a minute, 1,000 addresses per domain take eight minutes by design.
 */
const lab = inject('lab');
// The proxies count a connection closed when the server closed its end (Postfix does right after
// its 221) or the client's goodbye reached it, and a new one 1.5 RTT after its SYN. At 20 ms two
// runs on 2 cores once counted a peak of 3: a finished session was held open until the client's
// FIN had crossed the model's RTT/2 although Postfix had already let it go; the proxies now end
// it with the server's close, and say what each connection at the peak was doing (peakDetail).
const RTT_MS = 20;
let proxies: BenchProxies;
let run: LoadRun;

beforeAll(async () => {
  proxies = await startBenchProxies(RTT_MS);
  run = await loadRun(lab.dnsServer, proxies, { perDomain: 1000, phases: 4, idleMs: 1500 });
}, 240_000);

afterAll(async () => {
  await proxies?.close();
});

describe('10,000 verifications through the daemon', () => {
  it('answers every one of them, and right', () => {
    expect(run.verifications).toBe(10_000);
    expect(run.correctness).toMatchObject({ right: 10_000, wrong: 0, unknown: 0 });
  });

  it('never opens more than 2 connections at once to one MX host (counted at the servers), and leaves none open', () => {
    expect(run.peakPerHost, run.peakDetail.join('; ')).toBeLessThanOrEqual(2);
    expect(run.peakPerHost).toBeGreaterThanOrEqual(1);
    expect(run.leftOpen).toBe(0);
    // Batching: far fewer sessions than addresses (one per address would be 10,000).
    expect(run.connections).toBeLessThan(2000);
  });

  it('leaks no file descriptors (sockets, files) across the run', () => {
    expect(run.fds.afterIdle).toBeLessThanOrEqual(run.fds.idle + 2);
    for (const phase of run.phases) expect(phase.fds).toBeLessThanOrEqual(run.fds.idle + 2);
  });

  it('keeps its memory bounded: no growth from one batch of 2,500 to the next beyond a bound', () => {
    const afterFirst = run.phases[0]!.rssKb;
    for (const phase of run.phases.slice(1)) expect(phase.rssKb - afterFirst).toBeLessThan(96 * 1024);
    expect(run.rssKb.peak).toBeLessThan(512 * 1024);
  });
});
