import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verificationResultSchema } from '@mailping/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LAB_CASES } from '../lab/lab-table';
import { startCuttingProxy, type CuttingProxy } from '../support/cutting-proxy';
import { removeHome, type DaemonProcess } from '../support/daemon-process';
import { runCli } from '../support/run-cli';
import { SERVER_ADDRESS, SERVER_NAME, startServerDaemon } from '../support/server-mode';
import { makeTestCa, type TestCa } from '../support/test-ca';

/**
 * `mailping connect` and `mailping verify --server` against a real server-mode daemon over TLS,
 * through a relay that cuts the connection mid-stream several times: every address of the list
 * must come back once, in input order, with the lab's verdict.
 */
const lab = inject('lab');
let ca: TestCa;
let daemon: DaemonProcess;
let proxy: CuttingProxy;
let clientHome: string;
let env: NodeJS.ProcessEnv;
let url: string;

beforeAll(async () => {
  ca = await makeTestCa();
  daemon = await startServerDaemon(ca, {
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    from: `probe-${randomUUID().slice(0, 8)}@mailping.test`,
    timeouts: { totalSeconds: 4, connectSeconds: 2, greetingSeconds: 3, commandSeconds: 3 },
  });
  proxy = await startCuttingProxy({ host: SERVER_ADDRESS, port: daemon.port }, { afterBytes: 6000, cuts: 4 });
  clientHome = await mkdtemp(join(tmpdir(), 'mailping-client-'));
  env = { MAILPING_HOME: clientHome, NODE_EXTRA_CA_CERTS: ca.caCert, MAILPING_TOKEN: '' };
  url = `https://${SERVER_NAME}:${proxy.port}`;
});

afterAll(async () => {
  await proxy?.close();
  await daemon?.stop();
  if (daemon) await removeHome(daemon.home);
  if (clientHome) await rm(clientHome, { recursive: true, force: true });
  await ca?.remove();
});

const resolve = (): string[] => ['--resolve', `${SERVER_NAME}:127.0.0.1`];

describe('mailping verify --server', () => {
  it('pairs with an invite, streams a list with progress, resumes after dropped connections, answers every address once', async () => {
    const invite = await runCli(['invite', 'laptop', '--json'], { env: { MAILPING_HOME: daemon.home } });
    const code = (JSON.parse(invite.stdout) as { code: string }).code;
    const connected = await runCli(['connect', `https://${SERVER_NAME}:${daemon.port}`, code, '--resolve', `${SERVER_NAME}:${SERVER_ADDRESS}`], { env });
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
    expect(connected.stdout).toMatch(/Connected to verify\.mailping\.test/);

    const cases = LAB_CASES.filter((c) => !c.address.includes('greylist'));
    const run = await runCli(['verify', '--server', url, ...resolve(), '--json', ...cases.map((c) => c.address)], { env, timeoutMs: 120_000 });
    expect(run.stderr).not.toMatch(/refused/);
    const results = run.stdout.trim().split('\n').map((l) => verificationResultSchema.parse(JSON.parse(l)));
    expect(results.map((r) => r.address)).toEqual(cases.map((c) => c.address));
    expect(results.map((r) => `${r.address} ${r.verdict}/${r.reason}`)).toEqual(cases.map((c) => `${c.address} ${c.verdict}/${c.reason}`));
    expect(run.code).toBe(1);
    expect(proxy.cut).toBeGreaterThanOrEqual(2);
    expect(run.stderr).toMatch(/connection to verify\.mailping\.test:\d+ dropped .*; resuming after answer \d+/);
    expect(run.stderr).toMatch(/progress: \d+\/\d+ answered/);
    expect(run.stderr).toMatch(/list [0-9a-f]{16} sent/);
  });

  it('picks up a list sent before with --list, from the token in the environment', async () => {
    const code = (JSON.parse((await runCli(['invite', 'env', '--json'], { env: { MAILPING_HOME: daemon.home } })).stdout) as { code: string }).code;
    const home = await mkdtemp(join(tmpdir(), 'mailping-client-'));
    try {
      const connected = await runCli(['connect', url, code, ...resolve()], { env: { ...env, MAILPING_HOME: home } });
      expect(connected.code).toBe(0);
      const { readFile } = await import('node:fs/promises');
      const token = (JSON.parse(await readFile(join(home, 'config.json'), 'utf8')) as { client: { token: string } }).client.token;
      const first = await runCli(['verify', '--server', url, ...resolve(), '--json', 'alice@valid.test', 'nobody@valid.test'], { env: { ...env, MAILPING_TOKEN: token } });
      const id = /list ([0-9a-f]{16}) sent/.exec(first.stderr)![1]!;
      const again = await runCli(['verify', '--server', url, ...resolve(), '--json', '--list', id], { env: { ...env, MAILPING_TOKEN: token } });
      expect(again.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { address: string }).address)).toEqual(['alice@valid.test', 'nobody@valid.test']);
      // Another token cannot read it.
      const other = await runCli(['verify', '--server', url, ...resolve(), '--json', '--list', id], { env });
      expect(other.code).toBe(64);
      expect(other.stderr).toMatch(/HTTP 404/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('refuses ws:// and http:// to anything but loopback, before sending anything', async () => {
    for (const plain of [`ws://${SERVER_NAME}:${daemon.port}`, `http://${SERVER_NAME}:${daemon.port}`, 'ws://192.0.2.1:7425']) {
      const run = await runCli(['verify', '--server', plain, 'alice@valid.test'], { env: { ...env, MAILPING_TOKEN: 'x' } });
      expect(run.code, plain).toBe(64);
      expect(run.stderr).toMatch(/plain text: only allowed to this machine/);
    }
    const connect = await runCli(['connect', `ws://${SERVER_NAME}`, 'AAAA-AAAA'], { env });
    expect(connect.code).toBe(64);
  });
});
