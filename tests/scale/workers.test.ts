import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listProgress } from '../../daemon/src/queue/answers';
import { STALE_TOKENS_MS } from '../../daemon/src/queue/batch-processor';
import { keys } from '../../daemon/src/queue/keys';
import { clientConnection } from '../../daemon/src/queue/redis-connection';
import { benchDomain, benchMxAddress, benchTruth } from '../lab/bench-table';
import { LAB_SMTP_ADDRESSES } from '../lab/lab-table';
import { MAILPING_BIN, runCli } from '../support/run-cli';
import { startMeterProxy, type MeterEvent, type MeterProxy } from './meter-proxy';
import { startRelay, type PausableRelay } from './pausable-relay';
import { startRedis, type RedisServer } from './redis-server';
import { startWorkerProcess, type WorkerProcess } from './worker-processes';

/**
 * Four real `mailping worker`s (each from its own 127.0.28.x), one real Redis, the real Postfix
 * lab behind metering proxies: politeness is counted where the servers see it.
 * MAILPING_TIME_SCALE 0.1: a minute of RCPT budget lasts 6 s, a 421 backoff 6 s; leases keep their 4 s floor.
 */
const lab = inject('lab');
const SCALE = 0.1;
const CONNECTIONS_PER_HOST = 2;
const RCPT_PER_MINUTE = 120;
const MINUTE_MS = 60_000 * SCALE;
const BACKOFF_MS = 60_000 * SCALE;
/** 15 s × SCALE, but the worker keeps leases of at least 4 s (a starved process must still stop in time). */
const LEASE_TTL_MS = 4000;
/** How long after a 421 the other workers may still be dialing: see the backoff check below. */
const PUBLISH_GRACE_MS = 500;
/** STALE_TOKENS_MS plus the write and the meter's read: see the window check. */
const RCPT_SLACK_MS = STALE_TOKENS_MS + 50;
const TEMPFAIL_DOMAIN = 7;
const DOMAINS = Array.from({ length: 10 }, (_, i) => i + 1);
const WORKER_IPS = ['127.0.28.1', '127.0.28.2', '127.0.28.3', '127.0.28.4'];

let redis: RedisServer;
const relays: PausableRelay[] = [];
const meters = new Map<number, MeterProxy>();
const workers: WorkerProcess[] = [];
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mailping-scale-'));
  redis = await startRedis();
  for (const n of DOMAINS) {
    const tempfail = n === TEMPFAIL_DOMAIN;
    meters.set(
      n,
      await startMeterProxy({
        address: benchMxAddress(n),
        // benchN.test's MX: the lab's main Postfix, or for one domain the listener that greets
        // every connection from 127.0.0.1 with Postfix's own 421.
        upstream: { host: tempfail ? LAB_SMTP_ADDRESSES.tempfail : LAB_SMTP_ADDRESSES.valid1, port: 25 },
        dialFromPeer: !tempfail,
        delayMs: 5,
      }),
    );
  }
  for (const ip of WORKER_IPS) {
    const relay = await startRelay(redis.port);
    relays.push(relay);
    workers.push(await startWorkerProcess({ queueUrl: relay.url, sourceAddress: ip, dnsServer: lab.dnsServer, timeScale: SCALE }));
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop()));
  await Promise.allSettled([...meters.values()].map((m) => m.stop()));
  await Promise.allSettled(relays.map((r) => r.close()));
  await redis?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('mailping worker × 4 on one Redis', () => {
  // Runs first, on fresh buckets and facts: the domain's catch-all probe is still to be asked.
  it("pools a batch's sessions: a domain's addresses are asked by whichever of its sessions has room", async () => {
    const meter = meters.get(1)!;
    const from = meter.events.length;
    const domain = benchDomain(1);
    // planBatches puts the 20 in one batch of 2 sessions (2 connections per host). The session
    // that draws the 8 unknown users up front spends its error budget in one flight; the other
    // asks on past the first ten. With one session per batch (the first ten, the last ten) no
    // connection could ask from both halves.
    const unknown = Array.from({ length: 10 }, (_, k) => `nobody${k}@${domain}`);
    const known = Array.from({ length: 10 }, (_, k) => `user${k}@${domain}`);
    const inputs = [...unknown.slice(0, 8), ...known, ...unknown.slice(8)];
    const file = join(home, 'pooled.txt');
    await writeFile(file, `${inputs.join('\n')}\n`);
    const { code, stdout, stderr } = await runCli(['verify', '--queue', redis.url, '--list', 'scale-pooled', '--json', '--file', file], { env: { MAILPING_HOME: home }, timeoutMs: 25_000 });
    expect(code, stderr).toBe(1);
    const results = stdout.trim().split('\n').map((l) => JSON.parse(l) as { address: string; reason: string });
    expect(results.map((r) => `${r.address} ${r.reason}`)).toEqual(inputs.map((a) => `${a} ${benchTruth(a)}`));

    const events = meter.events.slice(from);
    const asked = new Map<number, Set<number>>();
    for (const e of events) if (e.kind === 'rcpt' && inputs.includes(e.to)) asked.set(e.conn, (asked.get(e.conn) ?? new Set()).add(inputs.indexOf(e.to)));
    // Every address asked once (the 21st RCPT is the catch-all probe), in one batch's sessions.
    expect([...asked.values()].reduce((n, s) => n + s.size, 0)).toBe(20);
    expect(events.filter((e) => e.kind === 'rcpt')).toHaveLength(21);
    const spans = [...asked.values()].filter((s) => [...s].some((i) => i < 10) && [...s].some((i) => i >= 10));
    expect(spans.length, JSON.stringify([...asked].map(([c, s]) => [c, [...s]]))).toBeGreaterThan(0);
    expect(peakOpen(events)).toBeLessThanOrEqual(CONNECTIONS_PER_HOST);
    expect(new Set(events.map((e) => e.peer)).size).toBe(1);
  }, 30_000);

  it('answers every address once through a kill -9 and a Redis partition, with the caps held at the servers', async () => {
    const inputs: string[] = [];
    for (const n of DOMAINS) {
      const count = n === TEMPFAIL_DOMAIN ? 10 : 260;
      for (let k = 0; k < count; k++) inputs.push(k % 10 === 9 ? `nobody${k}@${benchDomain(n)}` : `user${k}@${benchDomain(n)}`);
    }
    const file = join(home, 'list.txt');
    await writeFile(file, `${inputs.join('\n')}\n`);
    const list = 'scale-test-1';
    const cli = spawn(process.execPath, [MAILPING_BIN, 'verify', '--queue', redis.url, '--list', list, '--json', '--file', file], {
      env: { ...process.env, MAILPING_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d) => (stdout += d));
    cli.stderr.on('data', (d) => (stderr += d));
    const cliExit = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    const client = clientConnection(redis.url);
    const t0 = Date.now();
    try {
      // kill -9 of worker 2 at 30 %.
      const killedAt = await waitForProgress(client, list, 0.3);
      workers[1]!.kill('SIGKILL');
      const killedTime = Date.now();

      // Redis goes silent for worker 3 while it holds a session.
      const partitioned = WORKER_IPS[2]!;
      await until(() => [...meters.values()].some((m) => m.openFrom(partitioned) > 0), 20_000);
      const pausedAt = Date.now();
      relays[2]!.pause();
      // Longer than a lease: the worker must stop its sessions on its own, not wait for Redis.
      await new Promise((r) => setTimeout(r, LEASE_TTL_MS + 1000));
      const resumedAt = Date.now();
      relays[2]!.resume();

      const code = await Promise.race([cliExit, new Promise<'late'>((r) => setTimeout(() => r('late'), 75_000))]);
      expect(code, stderr).toBe(1);

      // Every input line answered once, right.
      const results = stdout.trim().split('\n').map((l) => JSON.parse(l) as { address: string; verdict: string; reason: string });
      expect(results.map((r) => r.address)).toEqual(inputs);
      for (const r of results) {
        const domain = Number(/bench(\d+)/.exec(r.address)![1]);
        if (domain === TEMPFAIL_DOMAIN) expect(`${r.address} ${r.reason}`).toBe(`${r.address} temporary_failure`);
        else expect(`${r.address} ${r.reason}`).toBe(`${r.address} ${benchTruth(r.address)}`);
      }
      // The list's stream: exactly one answer event per address, none lost to the kill.
      const events = await client.xrange(keys.listEvents(list), '-', '+');
      const answered = events.filter(([, f]) => f[f.indexOf('type') + 1] === 'result').map(([, f]) => f[f.indexOf('address') + 1]);
      expect(answered.length).toBe(inputs.length);
      expect(new Set(answered).size).toBe(inputs.length);
      expect(await listProgress(client, list)).toEqual({ answered: inputs.length, total: inputs.length });
      expect(killedAt).toBeGreaterThan(0);

      const all = [...meters.entries()];
      // Connections per MX address, all workers together.
      for (const [n, meter] of all) {
        if (peakOpen(meter.events) > CONNECTIONS_PER_HOST) {
          const openNow = new Map<number, MeterEvent>();
          const closedAt = new Map<number, number>();
          for (const e of meter.events) if (e.kind === 'close') closedAt.set(e.conn, e.t);
          for (const e of meter.events) {
            if (e.kind === 'open') openNow.set(e.conn, e);
            if (e.kind === 'close') openNow.delete(e.conn);
            if (openNow.size > CONNECTIONS_PER_HOST) {
              console.log(`bench${n} peak at ${e.t - t0} (paused ${pausedAt - t0} resumed ${resumedAt - t0} killed ${killedTime - t0}): ` + [...openNow.values()].map((o) => `${o.conn}@${o.peer} ${o.t - t0}..${(closedAt.get(o.conn) ?? NaN) - t0}`).join(', '));
              break;
            }
          }
        }
      }
      for (const [n, meter] of all) expect(peakOpen(meter.events), `bench${n}`).toBeLessThanOrEqual(CONNECTIONS_PER_HOST);
      // RCPTs per domain in any window W: at most a bucket plus its refill over W. Tokens are taken
      // right before each flight, but Redis dates a grant and the meter dates the RCPT: between
      // them the grant's way back to the worker (a grant slower than STALE_TOKENS_MS is never
      // spent), the write and the meter's read in this busy process. Measured: up to 28 ms at
      // load 2.4; the slack covers the stale bound plus that (one token is 50 ms here).
      for (const [n, meter] of all) {
        const excess = worstRcptExcess(meter.events.filter((e) => e.kind === 'rcpt').map((e) => e.t), RCPT_PER_MINUTE, MINUTE_MS, RCPT_SLACK_MS);
        if (excess > 0) {
          const byConn = new Map<number, { peer: string; first: number; last: number; n: number }>();
          for (const e of meter.events) {
            if (e.kind !== 'rcpt') continue;
            const c = byConn.get(e.conn) ?? { peer: e.peer, first: e.t, last: e.t, n: 0 };
            c.last = e.t;
            c.n++;
            byConn.set(e.conn, c);
          }
          console.log(`bench${n} excess ${excess} paused ${pausedAt - t0} resumed ${resumedAt - t0} killed ${killedTime - t0}\n` + [...byConn].map(([c, v]) => `${c} ${v.peer} ${v.first - t0}..${v.last - t0} n=${v.n}`).join('\n'));
        }
        expect(excess, `bench${n}`).toBeLessThanOrEqual(0);
      }
      // After each 421, no worker connects to that host during the backoff. The worker that heard
      // the 421 needs a moment to write the backoff key to Redis; another worker that checked the
      // key just before can still be dialing (a check-then-dial race no lock-free design closes).
      // So the window starts PUBLISH_GRACE_MS after the 421: later than that, any dial is a breach.
      const tempfail = meters.get(TEMPFAIL_DOMAIN)!.events;
      const said421 = tempfail.filter((e) => e.kind === 'reply421').map((e) => e.t);
      expect(said421.length).toBeGreaterThanOrEqual(2);
      for (const t of said421) {
        const early = tempfail.filter((e) => e.kind === 'open' && e.t > t + PUBLISH_GRACE_MS && e.t < t + BACKOFF_MS - 50);
        expect(early).toEqual([]);
      }
      // The partitioned worker: its sessions closed before its leases could expire, and it
      // opened none while Redis was away.
      const fromPartitioned = all.flatMap(([, m]) => m.events.filter((e) => e.peer === partitioned));
      const openAtPause = sessionsOpenAt(fromPartitioned, pausedAt);
      expect(openAtPause.length).toBeGreaterThan(0);
      for (const conn of openAtPause) expect(conn.closedAt - pausedAt, `conn ${conn.conn}`).toBeLessThan(LEASE_TTL_MS);
      const openedDuring = fromPartitioned.filter((e) => e.kind === 'open' && e.t > pausedAt + 300 && e.t < resumedAt);
      expect(openedDuring).toEqual([]);
    } finally {
      cli.kill('SIGKILL');
      client.disconnect();
    }
  }, 110_000);
});

async function waitForProgress(client: ReturnType<typeof clientConnection>, list: string, share: number): Promise<number> {
  let reached = 0;
  await until(async () => {
    const p = await listProgress(client, list);
    if (p && p.answered >= p.total * share) reached = p.answered;
    return reached > 0;
  }, 60_000);
  return reached;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function peakOpen(events: MeterEvent[]): number {
  let open = 0;
  let peak = 0;
  for (const e of events) {
    if (e.kind === 'open') peak = Math.max(peak, ++open);
    if (e.kind === 'close') open--;
  }
  return peak;
}

/** The largest (count − allowed) over all windows between two RCPTs; ≤ 0 when the rate held. */
function worstRcptExcess(times: number[], perWindow: number, windowMs: number, slackMs: number): number {
  let worst = -Infinity;
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) {
      const allowed = perWindow + (perWindow * (times[j]! - times[i]! + slackMs)) / windowMs;
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  }
  return worst;
}

function sessionsOpenAt(events: MeterEvent[], at: number): Array<{ conn: number; closedAt: number }> {
  const opened = new Map<number, number>();
  const closed = new Map<number, number>();
  for (const e of events) {
    if (e.kind === 'open') opened.set(e.conn, e.t);
    if (e.kind === 'close') closed.set(e.conn, e.t);
  }
  return [...opened].filter(([conn, t]) => t <= at && (closed.get(conn) ?? Infinity) > at).map(([conn]) => ({ conn, closedAt: closed.get(conn) ?? Infinity }));
}
