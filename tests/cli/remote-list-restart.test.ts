import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verificationResultSchema } from '@mailping/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LAB_CASES } from '../lab/lab-table';
import { removeHome, startDaemon, type DaemonProcess } from '../support/daemon-process';
import { MAILPING_BIN, runCli } from '../support/run-cli';
import { SERVER_ADDRESS, SERVER_NAME, startServerDaemon, tlsRequest } from '../support/server-mode';
import { makeTestCa, type TestCa } from '../support/test-ca';

/**
 * A server killed in the middle of a list (SIGKILL: no shutdown, no last write) and started
 * again: the list goes on by itself from what was recorded, and `mailping verify --server
 * --list <id>` reads it to the end. Every address is answered exactly once: nothing recorded
 * before the kill is asked again, nothing is lost. The kill lands mid-list because the lab's
 * silent MX holds its addresses until the greeting timeout while the others answer at once.
 */
const lab = inject('lab');
let ca: TestCa;
let daemon: DaemonProcess;
let clientHome: string;
let env: NodeJS.ProcessEnv;
let url: string;
let token: string;

const resolve = ['--resolve', `${SERVER_NAME}:${SERVER_ADDRESS}`];
const cases = LAB_CASES.filter((c) => !c.address.includes('greylist'));

const serverReady = async (port: number) => (await tlsRequest({ port, ca: ca.caPem }, 'GET', '/health')).status === 200;

async function listStatus(id: string): Promise<{ total: number; answered: number; done: boolean }> {
  const answer = await tlsRequest({ port: daemon.port, ca: ca.caPem }, 'GET', `/v1/lists/${id}`, { authorization: `Bearer ${token}` });
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as { total: number; answered: number; done: boolean };
}

beforeAll(async () => {
  ca = await makeTestCa();
  daemon = await startServerDaemon(ca, {
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    from: `probe-${randomUUID().slice(0, 8)}@mailping.test`,
    // The silent MX takes greetingSeconds: the window in which the list is half answered.
    timeouts: { totalSeconds: 8, connectSeconds: 2, greetingSeconds: 6, commandSeconds: 3 },
  });
  clientHome = await mkdtemp(join(tmpdir(), 'mailping-client-'));
  env = { MAILPING_HOME: clientHome, NODE_EXTRA_CA_CERTS: ca.caCert, MAILPING_TOKEN: '' };
  url = `https://${SERVER_NAME}:${daemon.port}`;
  const invite = await runCli(['invite', 'restart', '--json'], { env: { MAILPING_HOME: daemon.home } });
  const connected = await runCli(['connect', url, (JSON.parse(invite.stdout) as { code: string }).code, ...resolve], { env });
  expect(connected.code).toBe(0);
  token = (JSON.parse(await readFile(join(clientHome, 'config.json'), 'utf8')) as { client: { token: string } }).client.token;
});

afterAll(async () => {
  await daemon?.stop();
  if (daemon) await removeHome(daemon.home);
  if (clientHome) await rm(clientHome, { recursive: true, force: true });
  await ca?.remove();
});

describe('a list on a server that is killed and started again', () => {
  it('goes on after the restart; --list reads it to the end, every address answered exactly once', async () => {
    // The first run, as a person starts it; it is interrupted (Ctrl-C) once the server is gone.
    const first = spawn(process.execPath, [MAILPING_BIN, 'verify', '--server', url, ...resolve, '--json', ...cases.map((c) => c.address)], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let firstOut = '';
    let firstErr = '';
    first.stdout.setEncoding('utf8').on('data', (d: string) => (firstOut += d));
    first.stderr.setEncoding('utf8').on('data', (d: string) => (firstErr += d));
    const firstExit = new Promise<number | null>((r) => first.once('exit', (code) => r(code)));
    try {
      await expect.poll(() => /list ([0-9a-f]{16}) sent/.exec(firstErr)?.[1], { timeout: 20_000 }).toBeDefined();
      const id = /list ([0-9a-f]{16}) sent/.exec(firstErr)![1]!;
      await expect.poll(async () => (await listStatus(id)).answered, { timeout: 20_000 }).toBeGreaterThan(0);

      await daemon.stop('SIGKILL');
      first.kill('SIGINT');
      expect(await firstExit).not.toBe(0);
      // The first run printed a prefix of the list at most (answers come out in input order).
      expect(firstOut.trim().split('\n').filter(Boolean).length).toBeLessThan(cases.length);

      daemon = await startDaemon({ home: daemon.home, port: daemon.port, ready: serverReady });
      await expect.poll(() => daemon.stderr(), { timeout: 10_000 }).toMatch(new RegExp(`list ${id}: going on after a restart, \\d+ of ${cases.length} answered`));
      const answeredAtRestart = Number(new RegExp(`list ${id}: going on after a restart, (\\d+) of`).exec(daemon.stderr())![1]);
      expect(answeredAtRestart).toBeGreaterThan(0);
      expect(answeredAtRestart).toBeLessThan(cases.length);

      const again = await runCli(['verify', '--server', url, ...resolve, '--json', '--list', id], { env, timeoutMs: 90_000 });
      const results = again.stdout.trim().split('\n').map((l) => verificationResultSchema.parse(JSON.parse(l)));
      expect(results.map((r) => `${r.address} ${r.verdict}/${r.reason}`)).toEqual(cases.map((c) => `${c.address} ${c.verdict}/${c.reason}`));
      expect(again.code).toBe(1);

      // The server's own record: one answer per address, no index twice.
      const events = await tlsRequest({ port: daemon.port, ca: ca.caPem }, 'GET', `/v1/lists/${id}/events`, { authorization: `Bearer ${token}` });
      expect(events.status).toBe(200);
      const answers = events.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; index?: number })
        .filter((e) => e.type === 'answer');
      expect(answers.map((e) => e.index).sort((a, b) => a! - b!)).toEqual(cases.map((_, i) => i));
      expect(await listStatus(id)).toMatchObject({ total: cases.length, answered: cases.length, done: true });
    } finally {
      if (first.exitCode === null) first.kill('SIGKILL');
    }
   }, 90_000);
});
