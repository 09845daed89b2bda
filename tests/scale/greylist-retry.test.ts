import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keys } from '../../daemon/src/queue/keys';
import { clientConnection } from '../../daemon/src/queue/redis-connection';
import { makeHome, removeHome } from '../support/daemon-process';
import { runCli } from '../support/run-cli';
import { startRedis, type RedisServer } from './redis-server';
import { startWorkerProcess, type WorkerProcess } from './worker-processes';

/**
 * Greylisting through the queue, against the lab's real postgrey (a new triplet waits
 * greylistDelaySeconds, 2 s): the worker stores the first answer as greylisted and retrying,
 * asks again as a delayed job after greylist.retryDelaySeconds, and the second answer replaces
 * the first; the submitting CLI waits for it, as a local list run does.
 */
const lab = inject('lab');
const settings = { greylist: { retryDelaySeconds: 3 } };

let redis: RedisServer;
let worker: WorkerProcess;
let home: string;

beforeAll(async () => {
  redis = await startRedis();
  home = await makeHome(settings);
  // Its own source address: a triplet postgrey has not seen from other suites.
  worker = await startWorkerProcess({ queueUrl: redis.url, sourceAddress: '127.0.28.9', dnsServer: lab.dnsServer, timeScale: 1, settings, concurrency: null });
}, 30_000);

afterAll(async () => {
  await worker?.stop();
  await redis?.stop();
  if (home) await removeHome(home);
});

describe('greylisting through the queue', () => {
  it('asks a greylisted address again as a delayed job and the CLI prints the second answer', async () => {
    const inputs = ['alice@greylist.test', 'nobody@greylist.test'];
    const file = join(home, 'list.txt');
    await writeFile(file, `${inputs.join('\n')}\n`);
    const list = 'greylist-retry';
    const started = Date.now();
    const { code, stdout, stderr } = await runCli(['verify', '--queue', redis.url, '--list', list, '--json', '--file', file], { env: { MAILPING_HOME: home }, timeoutMs: 40_000 });
    expect(code, stderr).toBe(1);
    const results = stdout.trim().split('\n').map((l) => JSON.parse(l) as { address: string; verdict: string; reason: string });
    expect(results.map((r) => `${r.address} ${r.verdict}/${r.reason}`)).toEqual(['alice@greylist.test deliverable/accepted', 'nobody@greylist.test undeliverable/mailbox_not_found']);
    expect(stderr).toMatch(/1 greylisted address, asked again by the workers/);
    expect(stderr).not.toMatch(/no `mailping worker` is connected/);
    // Not before the retry delay: the second ask was a delayed job, not an immediate loop.
    expect(Date.now() - started).toBeGreaterThanOrEqual(settings.greylist.retryDelaySeconds * 1000);

    // The list's stream: alice's first answer (greylisted, retrying), then its update.
    const client = clientConnection(redis.url);
    try {
      const events = (await client.xrange(keys.listEvents(list), '-', '+')).map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])));
      const alice = events.filter((e) => e.address === 'alice@greylist.test').map((e) => `${e.type} ${(JSON.parse(e.result!) as { reason: string }).reason} retrying=${e.retrying}`);
      expect(alice).toEqual(['result greylisted retrying=1', 'update accepted retrying=0']);
    } finally {
      client.disconnect();
    }
  }, 60_000);
});
