import https from 'node:https';
import http from 'node:http';
import { makeHome, removeHome, startDaemon, type DaemonProcess } from '../support/daemon-process';
import { runCli } from '../support/run-cli';
import { FRIEND_ADDRESS, SERVER_ADDRESS, SERVER_NAME, startServerDaemon, tlsConnect } from '../support/server-mode';
import { makeTestCa, type TestCa } from '../support/test-ca';
import { median, mb, ms, percentile, table } from './stats';
import { manyClients } from './ws-many-clients';
import { rssKb } from './mailping-runs';

/**
 * Figure 6: server mode. The same fresh check (`"fresh": true`, so the lab's mail server is asked
 * every time) over HTTP to a local daemon and over HTTPS to a server-mode daemon on its own name
 * from another source address, alternating; cached answers over wss:// one after another; and
 * N paired clients connected over TLS at once, each asking, then held open.
 */
export interface ServerFigure {
  fresh: { runs: number; localMs: number[]; serverMs: number[] };
  cached: { requests: number; latencies: number[] };
  held: { clients: number; accepted: number; stillOpen: number; holdMs: number; connectAllMs: number; latencies: number[]; wrongAnswers: number; rssBeforeKb: number; rssAfterKb: number };
}

const FRESH_ADDRESS = 'alice@valid.test';

function post(agent: http.Agent, url: { secure: boolean; port: number }, token: string, body: string, ca?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const module_ = url.secure ? https : http;
    const request = module_.request(
      {
        host: url.secure ? SERVER_NAME : '127.0.0.1',
        port: url.port,
        method: 'POST',
        path: '/v1/verify',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', host: url.secure ? SERVER_NAME : `127.0.0.1:${url.port}` },
        ...(url.secure && {
          ca,
          servername: SERVER_NAME,
          localAddress: FRIEND_ADDRESS,
          lookup: (_n: string, _o: unknown, cb: (e: null, a: string, f: number) => void) => cb(null, SERVER_ADDRESS, 4),
        }),
      } as https.RequestOptions,
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (d: string) => (text += d));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

export async function serverFigure(dnsServer: string, options: { freshRuns: number; cachedRequests: number; clients: number; holdMs: number }): Promise<ServerFigure> {
  const settings = { dnsServers: [dnsServer], helo: 'verifier.mailping.test', limits: { requestsPerMinute: 10_000_000 } };
  let ca: TestCa | null = null;
  let server: DaemonProcess | null = null;
  let local: DaemonProcess | null = null;
  const localAgent = new http.Agent({ keepAlive: true });
  const serverAgent = new https.Agent({ keepAlive: true });
  try {
    ca = await makeTestCa();
    server = await startServerDaemon(ca, settings, { quota: { freshChecksPerDay: 10_000_000, requestsPerMinute: 10_000_000 } });
    local = await startDaemon({ home: await makeHome(settings) });
    const code = JSON.parse((await runCli(['invite', 'bench', '--json'], { env: { MAILPING_HOME: server.home } })).stdout).code as string;
    // Paired like the extension (over wss:// with its Origin): the token works there and, without an Origin, over HTTPS.
    const pairing = await tlsConnect({ port: server.port, ca: ca.caPem });
    pairing.send({ type: 'pair', version: 1, code, label: 'bench' });
    const paired = (await pairing.next('paired')).token;
    pairing.close();
    const localToken = (await runCli(['tokens', 'create', '--label', 'bench'], { env: { MAILPING_HOME: local.home } })).stdout.trim();

    const freshBody = JSON.stringify({ address: FRESH_ADDRESS, fresh: true });
    const localUrl = { secure: false, port: local.port };
    const serverUrl = { secure: true, port: server.port };
    // One warm-up each: DNS cache, TLS session, JIT.
    await post(localAgent, localUrl, localToken, freshBody);
    await post(serverAgent, serverUrl, paired, freshBody, ca.caPem);
    const localMs: number[] = [];
    const serverMs: number[] = [];
    for (let i = 0; i < options.freshRuns; i++) {
      for (const [agent, url, token, into] of [
        [localAgent, localUrl, localToken, localMs],
        [serverAgent, serverUrl, paired, serverMs],
      ] as const) {
        const t0 = performance.now();
        const answer = await post(agent, url, token, freshBody, ca.caPem);
        into.push(performance.now() - t0);
        const parsed = JSON.parse(answer.text) as { cached?: boolean; result?: { verdict: string } };
        if (answer.status !== 200 || parsed.cached !== false || parsed.result?.verdict !== 'deliverable') throw new Error(`fresh check: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }

    const client = await tlsConnect({ port: server.port, ca: ca.caPem });
    client.send({ type: 'hello', version: 1, token: paired });
    await client.next('welcome');
    const latencies: number[] = [];
    for (let i = 0; i < options.cachedRequests; i++) {
      const t0 = performance.now();
      client.send({ type: 'verify', id: `c${i}`, address: FRESH_ADDRESS });
      const answer = await client.next('result', (m) => m.id === `c${i}`);
      latencies.push(performance.now() - t0);
      if (!answer.cached) throw new Error(`cached request ${i} was not answered from the cache`);
      client.received.length = 0;
    }
    client.close();

    const rssBeforeKb = rssKb(server.pid);
    const many = await manyClients({
      port: server.port,
      token: paired,
      clients: options.clients,
      rounds: 1,
      address: FRESH_ADDRESS,
      expectReason: 'accepted',
      holdMs: options.holdMs,
      target: {
        url: `wss://${SERVER_NAME}:${server.port}/ws`,
        options: { ca: ca.caPem, localAddress: FRIEND_ADDRESS, lookup: (_n: string, _o: unknown, cb: (e: null, a: string, f: number) => void) => cb(null, SERVER_ADDRESS, 4) } as never,
      },
    });
    const rssAfterKb = rssKb(server.pid);
    return {
      fresh: { runs: options.freshRuns, localMs, serverMs },
      cached: { requests: options.cachedRequests, latencies },
      held: {
        clients: many.clients,
        accepted: many.accepted,
        stillOpen: many.stillOpen ?? 0,
        holdMs: options.holdMs,
        connectAllMs: many.connectAllMs,
        latencies: many.latencies,
        wrongAnswers: many.wrongAnswers,
        rssBeforeKb,
        rssAfterKb,
      },
    };
  } finally {
    localAgent.destroy();
    serverAgent.destroy();
    for (const d of [server, local]) {
      if (!d) continue;
      await d.stop();
      await removeHome(d.home);
    }
    await ca?.remove();
  }
}

export function renderServer(f: ServerFigure): string {
  const diff = median(f.fresh.serverMs) - median(f.fresh.localMs);
  return [
    table(
      ['', 'median', 'p90', 'runs'],
      [
        ['fresh check, local daemon (HTTP, loopback)', ms(median(f.fresh.localMs)), ms(percentile(f.fresh.localMs, 90)), String(f.fresh.runs)],
        ['fresh check, server mode (HTTPS, its own name, another source address)', ms(median(f.fresh.serverMs)), ms(percentile(f.fresh.serverMs, 90)), String(f.fresh.runs)],
      ],
    ),
    '',
    `Server mode adds ${ms(diff)} to a fresh check (difference of the medians). The lab's mail server answers on loopback, so the check itself is short and the difference is the server's own cost: TLS, Host, token, quota bookkeeping.`,
    '',
    `Cached answers over wss://, one client, ${f.cached.requests} requests one after another: median ${ms(median(f.cached.latencies), 3)}, p90 ${ms(percentile(f.cached.latencies, 90), 3)}, p99 ${ms(percentile(f.cached.latencies, 99), 3)}.`,
    '',
    `${f.held.clients} paired clients over TLS at once: ${f.held.accepted} welcomed in ${ms(f.held.connectAllMs)}, each asked once (p99 ${ms(percentile(f.held.latencies, 99))}, ${f.held.wrongAnswers} wrong answers), ${f.held.stillOpen} still open after ${ms(f.held.holdMs)}; server RSS ${mb(f.held.rssBeforeKb)} → ${mb(f.held.rssAfterKb)}.`,
  ].join('\n');
}
