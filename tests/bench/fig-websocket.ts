import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, httpGet } from '../support/daemon-process';
import { startDaemonSession, rssKb } from './mailping-runs';
import { median, mb, ms, percentile, table } from './stats';
import { manyClients, type ManyClientsResult } from './ws-many-clients';

/**
 * Figure 3: a cached address through the daemon's WebSocket. One client asking again and again
 * (tests/bench/ws-cached-latency.ts, run as it is), then many clients at once: against the real
 * `mailping serve` (which accepts 64 connections and refuses the rest with 503, by design), and
 * against the same server code with that cap raised (daemon-uncapped.ts), to see what 1,000
 * connected clients cost.
 */
export interface WebSocketFigure {
  sequential: { requests: number; medianMs: number; p90Ms: number; p99Ms: number; maxMs: number; output: string } | { error: string };
  capped: ManyClientsResult & { rssBeforeKb: number; rssAfterKb: number };
  uncapped: (ManyClientsResult & { rssBeforeKb: number; rssAfterKb: number }) | { error: string };
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ADDRESS = 'alice@valid.test';

function runScript(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: HERE, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function sequential(dnsServer: string, requests: number): Promise<WebSocketFigure['sequential']> {
  const run = await runScript(['ws-cached-latency.ts', '--dns-server', dnsServer, '--n', String(requests)]);
  const m = /median ([\d.]+) ms\s+p90 ([\d.]+) ms\s+p99 ([\d.]+) ms\s+max ([\d.]+) ms/.exec(run.stdout);
  if (run.code !== 0 || !m) return { error: `ws-cached-latency.ts exited ${run.code}: ${(run.stderr || run.stdout).slice(0, 500)}` };
  return { requests, medianMs: Number(m[1]), p90Ms: Number(m[2]), p99Ms: Number(m[3]), maxMs: Number(m[4]), output: run.stdout.trim() };
}

export async function webSocketFigure(dnsServer: string, options: { requests: number; clients: number; rounds: number }): Promise<WebSocketFigure> {
  const seq = await sequential(dnsServer, options.requests);
  // Every client asks once per round; the per-token budget (120/min) is for browsers, not this.
  const session = await startDaemonSession(dnsServer, { requestsPerMinute: 10_000_000 });
  let capped: WebSocketFigure['capped'];
  try {
    const warm = await session.verifyAll([ADDRESS]);
    const expectReason = warm.results[0]!.reason;
    const rssBeforeKb = session.rssKb();
    const result = await manyClients({ port: session.daemon.port, token: session.token, clients: options.clients, rounds: options.rounds, address: ADDRESS, expectReason });
    capped = { ...result, rssBeforeKb, rssAfterKb: session.rssKb() };
  } finally {
    session.client.close();
    await session.daemon.stop();
  }

  let uncapped: WebSocketFigure['uncapped'];
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'daemon-uncapped.ts', String(port), String(options.clients + 100)], {
    cwd: HERE,
    env: { ...process.env, MAILPING_HOME: session.home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('listening') && (clearTimeout(timer), resolve(true)));
      child.once('exit', () => (clearTimeout(timer), resolve(false)));
    });
    if (!ready || (await httpGet(port, '/health')).status !== 200) throw new Error('daemon-uncapped.ts did not start');
    const pid = child.pid!;
    // The same home: the cached result and the token are there already.
    const rssBeforeKb = rssKb(pid);
    const result = await manyClients({ port, token: session.token, clients: options.clients, rounds: options.rounds, address: ADDRESS, expectReason: 'accepted' });
    uncapped = { ...result, rssBeforeKb, rssAfterKb: rssKb(pid) };
  } catch (error) {
    uncapped = { error: (error as Error).message };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    await session.stop();
  }
  return { sequential: seq, capped, uncapped };
}

export function renderWebSocket(f: WebSocketFigure): string {
  const lines: string[] = [];
  if ('error' in f.sequential) lines.push(`One client, sequential requests: not measured (${f.sequential.error}).`);
  else {
    lines.push(
      table(
        ['one client, requests one after another', 'median', 'p90', 'p99', 'max'],
        [[`${f.sequential.requests} cached verifications of ${ADDRESS}`, ms(f.sequential.medianMs, 3), ms(f.sequential.p90Ms, 3), ms(f.sequential.p99Ms, 3), ms(f.sequential.maxMs, 2)]],
      ),
    );
  }
  const row = (label: string, r: ManyClientsResult & { rssBeforeKb: number; rssAfterKb: number }): string[] => [
    label,
    `${r.accepted} of ${r.clients}${Object.keys(r.refused).length ? ` (refused: ${Object.entries(r.refused).map(([s, n]) => `${n}× ${s}`).join(', ')})` : ''}`,
    ms(r.connectAllMs),
    `${r.latencies.length} (${r.rounds} rounds)`,
    ms(median(r.latencies)),
    ms(percentile(r.latencies, 99)),
    r.wrongAnswers === 0 ? 'all cached and right' : `${r.wrongAnswers} not cached or wrong`,
    `${mb(r.rssBeforeKb)} → ${mb(r.rssAfterKb)}`,
  ];
  const rows = [row('`mailping serve` (connection cap 64)', f.capped)];
  if ('error' in f.uncapped) lines.push('', `Uncapped server: not measured (${f.uncapped.error}).`);
  else rows.push(row('same server code, cap raised (daemon-uncapped.ts)', f.uncapped));
  lines.push(
    '',
    table(['simultaneous clients: all ask at once, round after round', 'connected', 'connect + hello, all', 'requests', 'median', 'p99', 'answers', 'daemon RSS'], rows),
  );
  return lines.join('\n');
}
