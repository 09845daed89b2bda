/**
 * Cached-verification latency over the WebSocket, and the daemon's memory.
 *
 *   node --import tsx tests/bench/ws-cached-latency.ts [--dns-server 127.0.0.1:PORT] [--n 2000]
 *
 * Starts the real daemon (`mailping serve`) on a fresh MAILPING_HOME, pairs like the extension,
 * warms one address against the lab (its own lab unless --dns-server points at a running one),
 * then sends N verifications of that address one after another, each waiting for its result, and
 * prints the latency percentiles and the daemon's resident memory (VmRSS) idle before and after.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab, type Lab } from '../lab/lab';
import { makeHome, removeHome, startDaemon, type DaemonProcess } from '../support/daemon-process';
import { rssKb } from '../support/paired-daemon';
import { pairClient } from '../support/pairing';
import { mb, percentile } from './stats';
import type { TestClient } from '../support/ws-test-client';

const { values } = parseArgs({ options: { 'dns-server': { type: 'string' }, n: { type: 'string', default: '2000' } } });
const n = Number(values.n);
const ADDRESS = 'alice@valid.test';

const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

let lab: Lab | null = null;
let daemon: DaemonProcess | null = null;
let client: TestClient | null = null;
let home: string | null = null;
try {
  let dnsServer = values['dns-server'];
  if (!dnsServer) {
    lab = await startLab({ dir: join(tmpdir(), `mailping-bench-lab-${process.pid}`) });
    dnsServer = lab.dnsServer;
  }
  home = await makeHome({ dnsServers: [dnsServer], helo: 'verifier.mailping.test' });
  daemon = await startDaemon({ home });
  await idle(1000);
  const rssStart = rssKb(daemon.pid);

  ({ client } = await pairClient(daemon.port, home, undefined, 'bench'));
  client.send({ type: 'verify', id: 'warm', address: ADDRESS });
  const warm = await client.next('result', (m) => m.id === 'warm', 30_000);
  if (warm.result.verdict !== 'deliverable') throw new Error(`warming ${ADDRESS} gave ${warm.result.verdict}/${warm.result.reason}`);
  await idle(500);
  const rssWarm = rssKb(daemon.pid);

  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    client.send({ type: 'verify', id: `q${i}`, address: ADDRESS });
    const answer = await client.next('result', (m) => m.id === `q${i}`);
    latencies.push(performance.now() - t0);
    if (!answer.cached) throw new Error(`request ${i} was not answered from the cache`);
    client.received.length = 0;
  }
  const wall = performance.now() - started;
  const rssBusy = rssKb(daemon.pid);
  await idle(2000);
  const rssAfter = rssKb(daemon.pid);

  const sorted = [...latencies].sort((a, b) => a - b);
  const ms = (v: number) => `${v.toFixed(3)} ms`;
  console.log(`cached verifications over the WebSocket: ${n} sequential requests of ${ADDRESS} (round trip, client to daemon and back)`);
  console.log(`  median ${ms(percentile(sorted, 50))}   p90 ${ms(percentile(sorted, 90))}   p99 ${ms(percentile(sorted, 99))}   max ${ms(sorted.at(-1)!)}`);
  console.log(`  throughput ${(n / (wall / 1000)).toFixed(0)} requests/s (one at a time)`);
  console.log(`daemon VmRSS: idle after start ${mb(rssStart)}, after pairing and one verification ${mb(rssWarm)}, right after the run ${mb(rssBusy)}, idle 2 s later ${mb(rssAfter)}`);
} finally {
  client?.close();
  await daemon?.stop();
  if (home) await removeHome(home);
  await lab?.stop({ removeDir: true });
}
