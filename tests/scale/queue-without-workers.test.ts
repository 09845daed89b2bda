import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_INTERRUPTED } from '../../daemon/src/cli/exit-codes';
import { listProgress } from '../../daemon/src/queue/answers';
import { QUEUE_NAME } from '../../daemon/src/queue/keys';
import { clientConnection } from '../../daemon/src/queue/redis-connection';
import { makeHome, removeHome } from '../support/daemon-process';
import { MAILPING_BIN } from '../support/run-cli';
import { startRedis, type RedisServer } from './redis-server';

/** `verify --queue` with nobody to do the work: it says so at once, and Ctrl-C leaves the list on the queue. */
let redis: RedisServer;
let home: string;

beforeAll(async () => {
  redis = await startRedis();
  home = await makeHome();
}, 30_000);

afterAll(async () => {
  await redis?.stop();
  if (home) await removeHome(home);
});

describe('verify --queue without a worker', () => {
  it('says that no worker is connected, and Ctrl-C stops following without dropping the list', async () => {
    const child = spawn(process.execPath, [MAILPING_BIN, 'verify', '--queue', redis.url, '--list', 'nobody-home', 'alice@valid.test', 'not-an-address'], {
      env: { ...process.env, MAILPING_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 15_000;
      while (!/no `mailping worker` is connected/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(stderr).toMatch(/list nobody-home: 2 addresses on the queue\n.*no `mailping worker` is connected to this Redis yet/);
      child.kill('SIGINT');
      expect(await exited).toBe(EXIT_INTERRUPTED);
      expect(stderr).toMatch(/stopped following after 1 of 2 addresses; the workers go on/);
      const client = clientConnection(redis.url);
      try {
        // The malformed address is answered; alice's batch waits for a worker (a list's jobs are
        // prioritized, in BullMQ's own sorted set).
        expect(await listProgress(client, 'nobody-home')).toEqual({ answered: 1, total: 2 });
        expect(await client.zcard(`bull:${QUEUE_NAME}:prioritized`)).toBe(1);
      } finally {
        client.disconnect();
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
