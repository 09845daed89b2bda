import type { VerificationResult } from '@mailping/shared';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../daemon/src/store/database';
import { freePort, makeHome, removeHome, startDaemon, type DaemonProcess } from '../support/daemon-process';
import { newPairingCode } from '../support/pairing';
import { CHROME_ORIGIN } from '../support/ws-test-client';
import { eventually } from './daemon-harness';

/**
 * kill -9 of the daemon in the middle of a 500-address run, driven by the extension's own daemon
 * client (extension/entrypoints/background/daemon-client.ts, run in Node with the `ws` package's
 * WebSocket): the daemon is restarted on the same port and MAILPING_HOME, the client reconnects
 * by itself and sends again what was in flight. In the end every address is answered exactly
 * once, and right, and the database is intact.
 */
const lab = inject('lab');

/** The part of the extension's DaemonClient this test drives (loaded at run time, see below). */
interface DaemonClientLike {
  readonly status: { kind: string };
  readonly pendingCount: number;
  pair(code: string, label?: string): Promise<{ ok: boolean; message?: string }>;
  verify(
    address: string,
    fresh: boolean,
    handlers: { onProgress(stage: string): void; onResult(result: VerificationResult, cached: boolean): void; onError(code: string, message: string): void },
  ): string;
  dispose(): void;
}
type DaemonClientClass = new (options: Record<string, unknown>) => DaemonClientLike;

// Imported by path at run time: the extension's sources use its own path aliases, which this
// package's type check does not know; the runtime needs none (they are type-only imports).
const CLIENT_MODULE = fileURLToPath(new URL('../../extension/entrypoints/background/daemon-client.ts', import.meta.url));

/** The address plan: lab domains whose answers are known (tests/lab/lab-table.ts). */
function addresses(): Array<{ address: string; reason: string }> {
  return [
    ...Array.from({ length: 200 }, (_, i) => ({ address: `user${i}@valid.test`, reason: 'mailbox_not_found' })),
    ...['alice', 'bob', 'first.last'].map((l) => ({ address: `${l}@valid.test`, reason: 'accepted' })),
    ...Array.from({ length: 150 }, (_, i) => ({ address: `anyone${i}@catchall.test`, reason: 'catch_all' })),
    ...Array.from({ length: 97 }, (_, i) => ({ address: `user${i}@plain.test`, reason: 'mailbox_not_found' })),
    ...Array.from({ length: 50 }, (_, i) => ({ address: `user${i}@nocodes.test`, reason: 'mailbox_not_found' })),
  ];
}

const PLAN = addresses();
const KILL_AFTER = 150;
let home: string;
let port: number;
const daemons: DaemonProcess[] = [];
let client: DaemonClientLike | null = null;
const answers = new Map<string, Array<{ result: VerificationResult; cached: boolean }>>();
const errors: string[] = [];
const statuses: string[] = [];
let answeredAtKill = 0;
let pendingAtKill = 0;

beforeAll(async () => {
  expect(PLAN).toHaveLength(500);
  home = await makeHome({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    timeouts: { totalSeconds: 20, connectSeconds: 3, greetingSeconds: 5, commandSeconds: 5 },
    // 200 addresses of one domain at once: above the default 120 RCPT a minute, raised for this run.
    politeness: { rcptPerMinutePerDomain: 10_000 },
    limits: { requestsPerMinute: 100_000, maxPendingPerClient: 1000 },
  });
  port = await freePort();
  daemons.push(await startDaemon({ home, port }));

  const { DaemonClient } = (await import(CLIENT_MODULE)) as { DaemonClient: DaemonClientClass };
  let token: string | null = null;
  client = new DaemonClient({
    createSocket: (url: string) => new WebSocket(url, { headers: { origin: CHROME_ORIGIN } }),
    loadConfig: async () => ({ url: `ws://127.0.0.1:${port}/ws`, healthUrl: `http://127.0.0.1:${port}/health`, token }),
    probe: (healthUrl: string) =>
      fetch(healthUrl).then(
        (r) => r.ok,
        () => false,
      ),
    saveToken: async (t: string) => {
      token = t;
    },
    onStatus: (s: { kind: string }) => statuses.push(s.kind),
    onUpdate: () => {},
    clientInfo: { name: 'robustness', version: '0' },
    // Shorter than a browser's: the daemon is back within a second here.
    backoff: { baseMs: 100, capMs: 1000 },
  });
  const paired = await client.pair(await newPairingCode(home), 'robustness');
  expect(paired).toMatchObject({ ok: true });

  const killed = new Promise<void>((resolve) => {
    for (const { address } of PLAN) {
      client!.verify(address, false, {
        onProgress: () => {},
        onResult: (result, cached) => {
          answers.set(address, [...(answers.get(address) ?? []), { result, cached }]);
          if (answers.size === KILL_AFTER) resolve();
        },
        onError: (code, message) => errors.push(`${address}: ${code}: ${message}`),
      });
    }
  });
  await killed;
  answeredAtKill = answers.size;
  pendingAtKill = client.pendingCount;
  await daemons[0]!.stop('SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  daemons.push(await startDaemon({ home, port }));
  await eventually(() => answers.size, (n) => n === PLAN.length, 90_000);
}, 150_000);

afterAll(async () => {
  client?.dispose();
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  if (home) await removeHome(home);
});

describe('kill -9 of the daemon in the middle of a 500-address run', () => {
  it('was killed mid-run, with work in flight and waiting', () => {
    expect(answeredAtKill).toBeLessThan(PLAN.length);
    expect(pendingAtKill).toBeGreaterThan(0);
    expect(daemons[0]!.child.signalCode).toBe('SIGKILL');
  });

  it('the extension-side client noticed, reconnected by itself and sent again what was in flight', () => {
    const lost = statuses.lastIndexOf('connecting');
    expect(lost).toBeGreaterThan(statuses.indexOf('connected'));
    expect(statuses.at(-1)).toBe('connected');
    expect(client!.pendingCount).toBe(0);
  });

  it('every address was answered exactly once, and right', () => {
    expect(errors).toEqual([]);
    expect(answers.size).toBe(PLAN.length);
    for (const { address, reason } of PLAN) {
      const got = answers.get(address)!;
      expect(got, address).toHaveLength(1);
      expect(got[0]!.result.reason, address).toBe(reason);
    }
  });

  it('the database is intact: integrity check ok, one result and one history row per address', async () => {
    await daemons.at(-1)!.stop('SIGTERM', 10_000);
    const db = openDatabase(join(home, 'mailping.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('SELECT address, reason FROM results').all() as Array<{ address: string; reason: string }>;
      const byAddress = new Map(rows.map((r) => [r.address, r.reason]));
      for (const { address, reason } of PLAN) expect(byAddress.get(address), address).toBe(reason);
      const history = db.prepare('SELECT address, COUNT(*) AS n FROM history GROUP BY address HAVING n > 1').all();
      expect(history).toEqual([]);
      expect((db.prepare('SELECT COUNT(*) AS n FROM history').get() as { n: number }).n).toBe(PLAN.length);
    } finally {
      db.close();
    }
  });
});
