import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../daemon/src/store/database';
import { freePort, makeHome, removeHome, startDaemon, type DaemonProcess } from '../support/daemon-process';
import { helloClient, pairClient } from '../support/pairing';
import { runCli } from '../support/run-cli';
import type { TestClient } from '../support/ws-test-client';

/** Starting, stopping and restarting the real daemon process. */
const lab = inject('lab');
const daemons: DaemonProcess[] = [];
const clients: TestClient[] = [];
const homes: string[] = [];
const servers: net.Server[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(daemons.splice(0).map((d) => d.stop('SIGKILL')));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await Promise.all(homes.splice(0).map(removeHome));
});

function tcpConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function home(): Promise<string> {
  const dir = await makeHome({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    from: `probe-${randomUUID().slice(0, 8)}@mailping.test`,
    timeouts: { totalSeconds: 30, connectSeconds: 2, greetingSeconds: 20, commandSeconds: 3 },
  });
  homes.push(dir);
  return dir;
}

async function start(dir: string, port?: number): Promise<DaemonProcess> {
  const daemon = await startDaemon({ home: dir, ...(port !== undefined && { port }) });
  daemons.push(daemon);
  return daemon;
}

describe('mailping serve lifecycle', () => {
  it('refuses to start when the port is taken, naming the port', async () => {
    const port = await freePort();
    const squatter = net.createServer();
    servers.push(squatter);
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const run = await runCli(['serve', '--port', String(port)], { env: { MAILPING_HOME: await home() }, timeoutMs: 20_000 });
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain(`port ${port} is already in use`);
    expect(run.stdout).not.toMatch(/listening/);
  });

  it('listens on loopback only, says where, and takes its port from --port, MAILPING_PORT or config.json', async () => {
    const dir = await home();
    const [fromConfig, fromEnv, fromFlag] = [await freePort(), await freePort(), await freePort()];
    const settings = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...settings, port: fromConfig }));

    const byConfig = await startDaemon({ home: dir, port: fromConfig, portFlag: false });
    daemons.push(byConfig);
    expect(byConfig.stdout()).toContain(`http://127.0.0.1:${fromConfig}`);
    expect(byConfig.stdout()).toContain(join(dir, 'mailping.db'));
    expect(byConfig.stdout()).toContain('mailping pair');
    // Bound to 127.0.0.1 (and ::1), not to every interface: another loopback address is refused.
    expect(await tcpConnects('127.0.0.2', fromConfig)).toBe(false);
    expect(await tcpConnects('127.0.0.1', fromConfig)).toBe(true);
    if (byConfig.stdout().includes(`[::1]:${fromConfig}`)) expect(await tcpConnects('::1', fromConfig)).toBe(true);
    await byConfig.stop();

    const byEnv = await startDaemon({ home: dir, port: fromEnv, portFlag: false, env: { MAILPING_PORT: String(fromEnv) } });
    daemons.push(byEnv);
    expect(byEnv.stdout()).toContain(`http://127.0.0.1:${fromEnv}`);
    await byEnv.stop();

    const byFlag = await startDaemon({ home: dir, port: fromFlag, env: { MAILPING_PORT: String(fromEnv) } });
    daemons.push(byFlag);
    expect(byFlag.stdout()).toContain(`http://127.0.0.1:${fromFlag}`);
  });

  it('on SIGTERM mid-verification: the client hears back, the process exits 0, the database is intact', async () => {
    const dir = await home();
    const daemon = await start(dir);
    const { client } = await pairClient(daemon.port, dir);
    clients.push(client);
    client.send({ type: 'verify', id: 'ok', address: 'alice@valid.test' });
    await client.next('result', (m) => m.id === 'ok', 20_000);
    // The silent MX never greets: this verification is still running when the signal comes.
    client.send({ type: 'verify', id: 'slow', address: 'alice@silent.test' });
    await client.next('progress', (m) => m.id === 'slow' && m.stage === 'connect');

    const signalled = performance.now();
    daemon.child.kill('SIGTERM');
    const answer = await Promise.race([
      client.next('result', (m) => m.id === 'slow', 20_000),
      client.next('error', (m) => m.id === 'slow', 20_000),
    ]);
    if (answer.type === 'error') expect(answer.code).toBe('shutting_down');
    expect(await client.closed(20_000)).toBe(1001);
    const exit = await daemon.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // Generous bound: the scheduler's grace period for running sessions plus the close handshake.
    expect(performance.now() - signalled).toBeLessThan(15_000);
    expect(daemon.stderr()).toMatch(/SIGTERM: shutting down/);

    const db = openDatabase(join(dir, 'mailping.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const row = db.prepare("SELECT verdict FROM results WHERE address = 'alice@valid.test'").get() as { verdict: string } | undefined;
      expect(row?.verdict).toBe('deliverable');
    } finally {
      db.close();
    }
  });

  it('exits at once on a second signal', async () => {
    const dir = await home();
    const daemon = await start(dir);
    const { client } = await pairClient(daemon.port, dir);
    clients.push(client);
    client.send({ type: 'verify', id: 'slow', address: 'alice@silent.test' });
    await client.next('progress', (m) => m.id === 'slow' && m.stage === 'connect');
    daemon.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    daemon.child.kill('SIGINT');
    const exit = await daemon.exited;
    expect(exit.code).toBe(130);
    expect(daemon.stderr()).toMatch(/SIGINT again, exiting now/);
  });

  it('answers from the cache after a restart on the same MAILPING_HOME, with the same token', async () => {
    const dir = await home();
    const first = await start(dir);
    const { client, token } = await pairClient(first.port, dir);
    client.send({ type: 'verify', id: 'a', address: 'alice@valid.test' });
    expect(await client.next('result', (m) => m.id === 'a', 20_000)).toMatchObject({ cached: false, result: { verdict: 'deliverable' } });
    client.close();
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const second = await start(dir, first.port);
    const again = await helloClient(second.port, token);
    clients.push(again);
    again.send({ type: 'verify', id: 'b', address: 'alice@valid.test' });
    expect(await again.next('result', (m) => m.id === 'b')).toMatchObject({ cached: true, result: { verdict: 'deliverable' } });
  });
});
