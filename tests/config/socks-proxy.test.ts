import { readFileSync, statSync } from 'node:fs';
import { verificationResultSchema } from '@mailping/shared';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { postfixPaths } from '../lab/postfix-instance';
import { freePort } from '../lab/readiness';
import { runCli } from '../support/run-cli';
import { useTempHome } from './home';
import { startMicrosocks, type SocksServer } from './socks-server';

/**
 * SMTP through a real SOCKS5 proxy (Debian's microsocks) to the lab's Postfix. The proxy binds
 * its outgoing connections to a 127.0.3.N of each test's own, so Postfix's log shows that the
 * session came through the proxy and not straight from us.
 */
const lab = inject('lab');
const home = useTempHome();
let proxy: SocksServer | null = null;

afterEach(async () => {
  await proxy?.stop();
  proxy = null;
});

const env = () => ({ MAILPING_HOME: home() });
const common = ['--dns-server', lab.dnsServer, '--helo', 'verifier.mailping.test', '--timeout', '4', '--no-cache'];
const parse = (stdout: string) => verificationResultSchema.parse(JSON.parse(stdout.trim().split('\n')[0]!));

/** The Postfix log from now on, so a test reads only the sessions it caused. */
function maillogFromNow(): () => string {
  const file = postfixPaths(lab.dir).maillog;
  const start = statSync(file).size;
  return () => readFileSync(file).subarray(start).toString('utf8');
}

async function waitForLog(read: () => string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 5000;
  while (!pattern.test(read()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return read();
}

describe('SOCKS5 proxy for the SMTP connections', () => {
  it('verify --socks: deliverable, and Postfix saw the proxy connect, not us', async () => {
    proxy = await startMicrosocks({ bindIp: '127.0.3.1' });
    const maillog = maillogFromNow();
    const run = await runCli(['verify', '--json', ...common, '--socks', proxy.url, 'alice@valid.test'], { env: env() });
    const result = parse(run.stdout);
    expect(result).toMatchObject({ verdict: 'deliverable', reason: 'accepted', mx: { host: 'mx1.valid.test', ip: '127.0.25.10' } });
    expect(run.code).toBe(0);
    expect(proxy.output()).toMatch(/client\[\d+\] 127\.0\.0\.1: connected to 127\.0\.25\.10:25/);
    const log = await waitForLog(maillog, /disconnect from unknown\[127\.0\.3\.1\]/);
    expect(log).toMatch(/postfix\/valid1\/smtpd\[\d+\]: connect from unknown\[127\.0\.3\.1\]/);
  });

  it('config set socksProxy: verify without --socks goes through it', async () => {
    proxy = await startMicrosocks({ bindIp: '127.0.3.2' });
    const set = await runCli(['config', 'set', 'socksProxy', proxy.url], { env: env() });
    expect(set.code).toBe(0);
    const maillog = maillogFromNow();
    const run = await runCli(['verify', '--json', ...common, 'alice@valid.test', 'nobody@valid.test'], { env: env() });
    expect(run.stdout.trim().split('\n').map((l) => JSON.parse(l).verdict)).toEqual(['deliverable', 'undeliverable']);
    const log = await waitForLog(maillog, /disconnect from unknown\[127\.0\.3\.2\]/);
    expect(log).toMatch(/connect from unknown\[127\.0\.3\.2\]/);
  });

  it('works with a proxy that wants a user name and password', async () => {
    proxy = await startMicrosocks({ bindIp: '127.0.3.3', user: 'mp', password: 's3cret' });
    const run = await runCli(['verify', '--json', ...common, '--socks', proxy.url, 'alice@valid.test'], { env: env() });
    expect(parse(run.stdout).verdict).toBe('deliverable');
    const wrong = await runCli(['verify', '--json', ...common, '--socks', proxy.url.replace('s3cret', 'wrong'), 'alice@valid.test'], { env: env() });
    const refused = parse(wrong.stdout);
    expect(refused).toMatchObject({ verdict: 'unknown', reason: 'connection_failed' });
    expect(refused.detail).toMatch(/SOCKS proxy 127\.0\.0\.1:\d+/);
  });

  it('a dead proxy: unknown/connection_failed, with a message that names the proxy', async () => {
    const port = await freePort('127.0.0.1');
    const started = Date.now();
    const run = await runCli(['verify', '--json', ...common, '--socks', `socks5://127.0.0.1:${port}`, 'alice@valid.test'], { env: env() });
    const result = parse(run.stdout);
    expect(result).toMatchObject({ verdict: 'unknown', reason: 'connection_failed' });
    expect(result.detail).toContain(`SOCKS proxy 127.0.0.1:${port} is unreachable`);
    expect(run.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a refused target through the proxy is connection_refused, and the next MX is tried', async () => {
    proxy = await startMicrosocks({ bindIp: '127.0.3.4' });
    // fallback.test: dead.fallback.test (127.0.25.99, nothing listens) first, then live.fallback.test.
    const run = await runCli(['verify', '--json', '--verbose', ...common, '--socks', proxy.url, 'alice@fallback.test'], { env: env() });
    const result = parse(run.stdout);
    expect(result.verdict).toBe('deliverable');
    expect(result.transcript.map((e) => e.line)).toContain(`connection_refused: 127.0.25.99:25 through SOCKS proxy 127.0.0.1:${proxy.port}: connection refused`);
  });

  it('mailping verify refuses a proxy URL that is not socks5://', async () => {
    const run = await runCli(['verify', '--socks', 'http://127.0.0.1:3128', 'alice@valid.test'], { env: env() });
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(/is not a socks5:\/\/ URL/);
  });
});
