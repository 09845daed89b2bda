import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VerificationResult } from '@mailping/shared';
import { makeHome, removeHome } from '../support/daemon-process';
import { openFds, rssKb, startPairedDaemon, type PairedDaemon } from '../support/paired-daemon';
import { MAILPING_BIN } from '../support/run-cli';
import type { TestClient } from '../support/ws-test-client';

/**
 * MailPing as a user runs it: the real CLI binary (`mailping verify --json`), and the real daemon
 * (`mailping serve`) over its WebSocket, each with its own fresh MAILPING_HOME.
 */
export const BENCH_HELO = 'verifier.mailping.test';

/** Settings a bench can change; everything else is the product's default. */
export interface BenchSettings {
  rcptPerMinutePerDomain?: number;
  connectionsPerHost?: number;
  /** The daemon's per-client request budget (not SMTP politeness): raised for lists. */
  requestsPerMinute?: number;
  maxPendingPerClient?: number;
}

export function configFor(dnsServer: string, s: BenchSettings = {}): Record<string, unknown> {
  return {
    dnsServers: [dnsServer],
    helo: BENCH_HELO,
    politeness: {
      ...(s.rcptPerMinutePerDomain !== undefined && { rcptPerMinutePerDomain: s.rcptPerMinutePerDomain }),
      ...(s.connectionsPerHost !== undefined && { connectionsPerHost: s.connectionsPerHost }),
    },
    limits: {
      ...(s.requestsPerMinute !== undefined && { requestsPerMinute: s.requestsPerMinute }),
      ...(s.maxPendingPerClient !== undefined && { maxPendingPerClient: s.maxPendingPerClient }),
    },
  };
}

export interface ListRun {
  results: VerificationResult[];
  wallMs: number;
}

/**
 * `mailping verify --json --no-cache --retry-for 0 -f list`: wall time from spawn to exit, as a
 * user sees it. One pass, as the peers make: a list run would otherwise wait for retries.
 */
export async function runCliList(list: readonly string[], dnsServer: string, settings: BenchSettings = {}, env: NodeJS.ProcessEnv = {}): Promise<ListRun> {
  const home = await makeHome(configFor(dnsServer, settings));
  try {
    const file = join(home, 'addresses.txt');
    await writeFile(file, `${list.join('\n')}\n`);
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      // MAILPING_BENCH_CPU_PROF=DIR: a V8 CPU profile of each run there (for reading, not for figures: it slows the run).
      const profile = process.env.MAILPING_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MAILPING_BENCH_CPU_PROF}`] : [];
      const child = spawn(process.execPath, [...profile, MAILPING_BIN, 'verify', '--json', '--no-progress', '--no-cache', '--retry-for', '0', '-f', file], {
        env: { ...process.env, NO_COLOR: '1', MAILPING_HOME: home, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const wallMs = performance.now() - started;
    // 0, 1, 2: the verdict summary; anything else is a failure of the run.
    if (code === null || code > 2) throw new Error(`mailping verify exited ${code}: ${stderr.slice(0, 2000)}`);
    const results = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as VerificationResult);
    if (results.length !== list.length) throw new Error(`mailping verify answered ${results.length} of ${list.length} addresses`);
    return { results, wallMs };
  } finally {
    await removeHome(home);
  }
}

/** A running daemon with one paired WebSocket client (tests/support/paired-daemon.ts), and lists to send it. */
export interface DaemonSession extends PairedDaemon {
  /** Sends every address with at most `window` in flight; resolves with the results in list order. */
  verifyAll(list: readonly string[], options?: { window?: number; fresh?: boolean; timeoutMs?: number }): Promise<ListRun>;
}

let requestCounter = 0;

export async function startDaemonSession(dnsServer: string, settings: BenchSettings = {}, env?: NodeJS.ProcessEnv): Promise<DaemonSession> {
  const session = await startPairedDaemon(configFor(dnsServer, settings), { label: 'bench', ...(env && { env }) });
  return { ...session, verifyAll: (list, options) => verifyAll(session.client, list, options) };
}

async function verifyAll(client: TestClient, list: readonly string[], options: { window?: number; fresh?: boolean; timeoutMs?: number } = {}): Promise<ListRun> {
  const window = options.window ?? 200;
  const results: VerificationResult[] = new Array(list.length);
  const ids = list.map(() => `b${++requestCounter}`);
  const index = new Map(ids.map((id, i) => [id, i]));
  let next = 0;
  let done = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${done} of ${list.length} answered in time`)), options.timeoutMs ?? 600_000);
    const send = (): void => {
      while (next < list.length && next - done < window) {
        const i = next++;
        client.send({ type: 'verify', id: ids[i]!, address: list[i]!, ...(options.fresh && { fresh: true }) });
      }
    };
    const onMessage = (data: Buffer): void => {
      const message = JSON.parse(data.toString()) as { type: string; id?: string; result?: VerificationResult; code?: string; message?: string };
      const i = message.id === undefined ? undefined : index.get(message.id);
      if (i === undefined) return;
      if (message.type === 'result') {
        results[i] = message.result!;
        done++;
      } else if (message.type === 'error') {
        clearTimeout(timer);
        client.socket.off('message', onMessage);
        reject(new Error(`${list[i]}: ${message.code}: ${message.message}`));
        return;
      } else return;
      // The test client keeps every frame; a bench of thousands does not need them.
      client.received.length = 0;
      if (done === list.length) {
        clearTimeout(timer);
        client.socket.off('message', onMessage);
        resolve();
      } else send();
    };
    client.socket.on('message', onMessage);
    send();
  });
  return { results, wallMs: performance.now() - started };
}

export { openFds, rssKb };
