import { afterEach, describe, expect, it } from 'vitest';
import { scriptedServerAddress } from '../lab/lab-table';
import { politeConversation, startScriptedServer, type Script, type ScriptedServer } from '../support/scripted-smtp-server';
import { closeHarnesses, makeHarness, sleep, waitFor } from './scheduler-harness';

/**
 * Politeness measured where it matters, at the server: scripted SMTP servers on 127.0.26.N
 * (N 10-19 belong to this folder) count connections, concurrent connections and RCPTs.
 */
const servers: ScriptedServer[] = [];

afterEach(async () => {
  await closeHarnesses();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(n: number, script: Script): Promise<ScriptedServer> {
  const server = await startScriptedServer(scriptedServerAddress(n), script);
  servers.push(server);
  return server;
}

const goodOrBad = (address: string): string => (address.startsWith('good') ? '250 2.1.5 Ok' : '550 5.1.1 User unknown');
const rcpts = (server: ScriptedServer): number => server.received.filter((l) => l.startsWith('RCPT')).length;

describe('politeness, counted at the server', () => {
  it('never opens more than connectionsPerHost connections to one MX, for 60 addresses over 3 domains', async () => {
    const peaks = new Map<number, { active: number; max: number }>();
    const started = await Promise.all(
      [10, 11, 12].map((n) => {
        const count = { active: 0, max: 0 };
        peaks.set(n, count);
        return serve(n, async (c) => {
          count.active++;
          count.max = Math.max(count.max, count.active);
          // A session ends when we answer its QUIT: the client may dial again once it has our 221,
          // possibly before this socket's close event is seen here. A session without QUIT ends at close.
          let open = true;
          const leave = (): void => {
            if (open) count.active--;
            open = false;
          };
          c.socket.on('close', leave);
          // A slow greeting, so that sessions which may overlap do.
          await sleep(30);
          await politeConversation({ ...c, write: (text) => (String(text).startsWith('221 ') && leave(), c.write(text)) }, goodOrBad);
        });
      }),
    );
    // An error budget of 3 means many short sessions: plenty of chances to overstep.
    const h = makeHarness({ settings: { politeness: { connectionsPerHost: 2, errorBudget: 3 } }, verifier: { probeCatchAll: false } });
    const addresses = [10, 11, 12].flatMap((n) => Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'bad' : 'good'}${i}@scripted-${n}.test`));
    const answers = await Promise.all(addresses.map((a) => h.scheduler.submit(a, { clientId: 'polite' })));
    expect(answers.map((a) => a.result.reason)).toEqual(addresses.map((a) => (a.startsWith('good') ? 'accepted' : 'mailbox_not_found')));
    for (const [n, server] of [10, 11, 12].map((n, i) => [n, started[i]!] as const)) {
      expect(peaks.get(n)!.max, `scripted-${n}`).toBeLessThanOrEqual(2);
      // 10 refusals at 3 per session need at least 4 sessions: many chances to overstep.
      expect(server.connections, `scripted-${n}`).toBeGreaterThanOrEqual(4);
      expect(rcpts(server)).toBe(20);
    }
    // The limit is used, not just respected by doing everything one at a time.
    expect(Math.max(...[...peaks.values()].map((p) => p.max))).toBe(2);
  });

  it('asks at most rcptPerMinutePerDomain addresses a minute; the rest wait for tokens', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const server = await serve(13, (c) => politeConversation(c, goodOrBad));
    const h = makeHarness({ settings: { politeness: { rcptPerMinutePerDomain: 5 } }, verifier: { probeCatchAll: false }, scheduler: { now: () => now } });
    let answered = 0;
    const pending = Array.from({ length: 8 }, (_, i) => h.scheduler.submit(`good${i}@scripted-13.test`, { clientId: 'rate' }).then((a) => (answered++, a)));
    await waitFor('the first batch', () => answered === 5);
    expect(rcpts(server)).toBe(5);
    // The clock has not moved: the second batch waits however long we look.
    await sleep(1500);
    expect(answered).toBe(5);
    expect(rcpts(server)).toBe(5);
    expect(h.scheduler.stats()).toMatchObject({ queued: 3, inFlight: 0 });
    now += 60_000;
    const answers = await Promise.all(pending);
    expect(answers.every((a) => a.result.reason === 'accepted')).toBe(true);
    expect(rcpts(server)).toBe(8);
    expect(server.connections).toBe(2);
  });

  it('leaves a server alone for backoffSeconds after a 421, then answers what waited', async () => {
    const server = await serve(14, async (c) => {
      if (server.connections === 1) {
        c.write('421 4.7.0 scripted.test Too many connections, try again later\r\n');
        c.socket.end();
        return;
      }
      await politeConversation(c, goodOrBad);
    });
    const h = makeHarness({ settings: { politeness: { backoffSeconds: 2 } }, verifier: { probeCatchAll: false } });
    const first = await h.scheduler.submit('good1@scripted-14.test', { clientId: 'b' });
    const refusedAt = Date.now();
    expect(first.result).toMatchObject({ verdict: 'unknown', reply: { code: 421 } });

    const waiting = h.scheduler.submit('good2@scripted-14.test', { clientId: 'b' });
    await sleep(1000);
    expect(server.connections).toBe(1);
    expect(h.scheduler.stats().queued).toBe(1);
    const second = await waiting;
    expect(second.result.reason).toBe('accepted');
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(1900);
    expect(server.connections).toBe(2);
  });
});
