import dgram from 'node:dgram';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../lab/readiness';
import { runCli } from '../support/run-cli';
import { useTempHome } from './home';
import { startMicrosocks, type SocksServer } from './socks-server';

/** `mailping doctor`, the real command, against the lab; every run must end within seconds. */
const lab = inject('lab');
const home = useTempHome();
let proxy: SocksServer | null = null;
let blackhole: dgram.Socket | null = null;
afterEach(async () => {
  await proxy?.stop();
  proxy = null;
  await new Promise<void>((resolve) => (blackhole ? blackhole.close(() => resolve()) : resolve()));
  blackhole = null;
});

interface Report {
  ok: boolean;
  durationMs: number;
  advice: string[];
  checks: Array<{ id: string; status: string; summary: string; advice?: string }>;
}

async function doctor(...args: string[]): Promise<{ code: number | null; report: Report; seconds: number }> {
  const started = Date.now();
  const run = await runCli(['doctor', '--json', ...args], { env: { MAILPING_HOME: home() }, timeoutMs: 20_000 });
  return { code: run.code, report: JSON.parse(run.stdout) as Report, seconds: (Date.now() - started) / 1000 };
}
const status = (report: Report, id: string) => report.checks.find((c) => c.id === id)!;

describe('mailping doctor against the lab', () => {
  it('a reachable MX: port 25 ok, DNS ok, exit 0', async () => {
    const { code, report } = await doctor('--dns-server', lab.dnsServer, '--mx', 'mx1.valid.test', '--helo', 'mx1.valid.test');
    expect(status(report, 'dns')).toMatchObject({ status: 'ok', summary: `DNS server ${lab.dnsServer} answered: mx1.valid.test → 127.0.25.10` });
    expect(status(report, 'port25')).toMatchObject({ status: 'ok', summary: expect.stringMatching(/^mx1\.valid\.test \[127\.0\.25\.10\]:25 answered: 220 mx1\.valid\.test ESMTP/) });
    expect(status(report, 'helo')).toMatchObject({ status: 'ok', summary: '"mx1.valid.test" resolves to 127.0.25.10' });
    expect(status(report, 'socks').status).toBe('skipped');
    // Postfix does not name our address, and nothing else is asked: no reverse-DNS check.
    expect(status(report, 'reverse_dns')).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/asks no third-party service/) });
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  });

  it('finds the MX of a domain by itself with --domain', async () => {
    const { code, report } = await doctor('--dns-server', lab.dnsServer, '--domain', 'valid.test', '--helo', 'mx1.valid.test');
    expect(status(report, 'dns').summary).toBe(`DNS server ${lab.dnsServer} answered: valid.test MX mx1.valid.test → 127.0.25.10`);
    expect(status(report, 'port25').status).toBe('ok');
    expect(code).toBe(0);
  });

  it('a refused port 25: fail with the proxy advice, exit 1', async () => {
    const { code, report } = await doctor('--dns-server', lab.dnsServer, '--mx', '127.0.25.99');
    expect(status(report, 'port25')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/^\[127\.0\.25\.99\]:25: connection refused/) });
    expect(report.advice).toContain('your network blocks port 25: use a SOCKS5 proxy (mailping config set socksProxy socks5://host:1080) or run the daemon on a server that can reach port 25');
    expect(code).toBe(1);
  });

  it('a server that accepts but never greets: fail, within the timeout', async () => {
    const { code, report, seconds } = await doctor('--dns-server', lab.dnsServer, '--mx', 'mx.silent.test', '--timeout', '1');
    expect(status(report, 'port25')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/connected, but no reply to greeting within 1000 ms/) });
    expect(code).toBe(1);
    expect(seconds).toBeLessThan(10);
  });

  it('an unreachable DNS server: DNS fail with advice, the rest skipped, in seconds', async () => {
    const port = await freePort('127.0.0.1', { udp: true });
    const { code, report, seconds } = await doctor('--dns-server', `127.0.0.1:${port}`, '--helo', 'mail.example.com');
    expect(status(report, 'dns')).toMatchObject({ status: 'fail', summary: `DNS server 127.0.0.1:${port} failed looking up gmail.com MX: connection refused` });
    expect(status(report, 'dns').advice).toMatch(/mailping config set dnsServers/);
    expect(status(report, 'port25')).toMatchObject({ status: 'skipped', summary: 'no mail server to try: DNS does not work' });
    expect(status(report, 'helo').status).toBe('skipped');
    expect(code).toBe(1);
    expect(seconds).toBeLessThan(10);
  });

  it('a DNS server that never answers (offline): fail after the 2 s DNS timeout, never hang', async () => {
    blackhole = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => blackhole!.bind(0, '127.0.0.1', resolve));
    const { report, seconds } = await doctor('--dns-server', `127.0.0.1:${blackhole.address().port}`);
    expect(status(report, 'dns')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/no answer in time$/) });
    expect(report.durationMs).toBeGreaterThanOrEqual(1500);
    expect(seconds).toBeLessThan(10);
  });

  it('checks a configured SOCKS proxy and goes through it to port 25', async () => {
    proxy = await startMicrosocks({ bindIp: '127.0.3.10' });
    await runCli(['config', 'set', 'socksProxy', proxy.url], { env: { MAILPING_HOME: home() } });
    const { code, report } = await doctor('--dns-server', lab.dnsServer, '--mx', 'mx1.valid.test');
    expect(status(report, 'socks')).toMatchObject({ status: 'ok', summary: `127.0.0.1:${proxy.port} answers SOCKS5 (no authentication)` });
    expect(status(report, 'port25')).toMatchObject({ status: 'ok', summary: expect.stringContaining(`through SOCKS proxy 127.0.0.1:${proxy.port} answered: 220`) });
    expect(proxy.output()).toMatch(/connected to 127\.0\.25\.10:25/);
    expect(code).toBe(0);
  });

  it('a dead or picky proxy fails the SOCKS check with advice', async () => {
    const port = await freePort('127.0.0.1');
    const dead = await doctor('--dns-server', lab.dnsServer, '--mx', 'mx1.valid.test', '--socks', `socks5://127.0.0.1:${port}`);
    expect(status(dead.report, 'socks')).toMatchObject({ status: 'fail', summary: expect.stringMatching(`^127.0.0.1:${port} is unreachable`) });
    expect(status(dead.report, 'port25')).toMatchObject({ status: 'skipped', summary: 'not tried: the SOCKS proxy does not work' });
    expect(dead.report.advice[0]).toMatch(/check that the proxy at 127\.0\.0\.1:\d+ runs/);
    expect(dead.code).toBe(1);

    proxy = await startMicrosocks({ user: 'mp', password: 'right' });
    const noCredentials = await doctor('--dns-server', lab.dnsServer, '--mx', 'mx1.valid.test', '--socks', `socks5://127.0.0.1:${proxy.port}`);
    expect(status(noCredentials.report, 'socks').summary).toMatch(/accepts none of our authentication methods/);
    const wrong = await doctor('--dns-server', lab.dnsServer, '--mx', 'mx1.valid.test', '--socks', `socks5://mp:wrong@127.0.0.1:${proxy.port}`);
    expect(status(wrong.report, 'socks').summary).toMatch(/refused our user name and password/);
    const right = await doctor('--dns-server', lab.dnsServer, '--mx', 'mx1.valid.test', '--socks', proxy.url);
    expect(status(right.report, 'socks').summary).toMatch(/accepted our credentials/);
    expect(status(right.report, 'port25').status).toBe('ok');
  });

  it('prints one line per check and the advice for people', async () => {
    const run = await runCli(['doctor', '--dns-server', lab.dnsServer, '--mx', '127.0.25.99', '--helo', 'localhost'], { env: { MAILPING_HOME: home() } });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^ {2}fail {2}DNS resolver/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}fail {2}port 25 +\[127\.0\.25\.99\]:25: connection refused/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}warn {2}HELO name +"localhost" is localhost/));
    expect(run.stdout).toMatch(/\nWhat to do:\n {2}- /);
    expect(run.code).toBe(1);
  });

  it('refuses a malformed --mx with exit 64', async () => {
    const run = await runCli(['doctor', '--mx', 'not a host:99999'], { env: { MAILPING_HOME: home() } });
    expect(run.code).toBe(64);
  });
});
