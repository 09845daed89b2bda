import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { directDialer, type Dialer } from '../verify/smtp/dial';
import { SmtpFailureError } from '../verify/smtp/failure';
import { fakeResolver } from './fake-resolver.test-support';
import { formatReport } from './format-report';
import { runDoctor, type DoctorConfig } from './run-doctor';

const config: DoctorConfig = {
  dnsServers: ['1.1.1.1'],
  domain: 'gmail.com',
  helo: 'mail.example.com',
  heloConfigured: true,
  socksProxy: null,
  connectTimeoutMs: 500,
  replyTimeoutMs: 500,
  deadlineMs: 5000,
};
const unreachable = (code: string): Dialer => ({ ip, port }) => Promise.reject(new SmtpFailureError(code === 'timeout' ? 'connect_timeout' : 'connection_error', `${ip}:${port}: connect ${code}`));
const noColors = { green: String, yellow: String, red: String, dim: String } as never;

describe('runDoctor', () => {
  it('offline: DNS fails, nothing else waits on it, and the advice says what to do', async () => {
    const resolver = fakeResolver({ all: 'ECONNREFUSED' });
    const report = await runDoctor(config, { resolver, dial: unreachable('ENETUNREACH'), connect: unreachable('ENETUNREACH') });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual(['dns:fail', 'socks:skipped', 'port25:skipped', 'helo:skipped', 'reverse_dns:skipped', 'blocklists:skipped']);
    expect(report.advice).toEqual([expect.stringMatching(/your DNS resolver does not answer/)]);
    // One MX lookup, then nothing: no second wait on a dead resolver.
    expect(resolver.asked).toEqual(['MX gmail.com']);
  });

  it('a blocked port 25 fails with the proxy advice', async () => {
    const resolver = fakeResolver({ mx: { 'gmail.com': [{ exchange: 'gmail-smtp-in.l.google.com', priority: 5 }] }, a: { 'gmail-smtp-in.l.google.com': ['142.250.1.26'], 'mail.example.com': ['203.0.113.7'] } });
    const report = await runDoctor(config, { resolver, dial: unreachable('timeout'), connect: unreachable('timeout') });
    expect(report.checks.find((c) => c.id === 'port25')).toMatchObject({ status: 'fail', title: 'port 25' });
    expect(report.advice).toContain('your network blocks port 25: use a SOCKS5 proxy (mailping config set socksProxy socks5://host:1080) or run the daemon on a server that can reach port 25');
    const text = formatReport(report, noColors);
    expect(text).toMatch(/^ {2}ok {4}DNS resolver {2}DNS server 1.1.1.1 answered: gmail.com MX gmail-smtp-in.l.google.com → 142.250.1.26 \(\d+ ms\)$/m);
    expect(text).toMatch(/^ {2}fail {2}port 25 {7}gmail-smtp-in.l.google.com \[142.250.1.26\]:25: no answer within 0.5 s/m);
    expect(text).toMatch(/^What to do:\n {2}- your network blocks port 25/m);
    expect(text).toMatch(/something failed: 2 ok, 0 warnings, 1 failed, 3 skipped/);
  });

  it('does not try port 25 through a proxy that does not answer', async () => {
    const resolver = fakeResolver({ mx: { 'gmail.com': [{ exchange: 'mx.gmail.test', priority: 5 }] }, a: { 'mx.gmail.test': ['142.250.1.26'], 'mail.example.com': ['203.0.113.7'] } });
    let dialled = 0;
    const dial: Dialer = () => {
      dialled++;
      return Promise.reject(new SmtpFailureError('connection_error', 'x'));
    };
    const report = await runDoctor({ ...config, socksProxy: 'socks5://127.0.0.1:9' }, { resolver, dial, connect: unreachable('ECONNREFUSED') });
    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual(['dns:ok', 'socks:fail', 'port25:skipped', 'helo:ok', 'reverse_dns:skipped', 'blocklists:skipped']);
    expect(dialled).toBe(0);
    expect(report.advice[0]).toMatch(/check that the proxy at 127.0.0.1:9 runs/);
  });

  it('fails port 25 when the --mx the user named does not exist', async () => {
    const report = await runDoctor({ ...config, mx: { host: 'ghost.example.com', port: 25 } }, { resolver: fakeResolver({}), dial: unreachable('x'), connect: unreachable('x') });
    expect(report.checks.find((c) => c.id === 'port25')).toMatchObject({ status: 'fail', summary: 'cannot try ghost.example.com: ghost.example.com has no address (NXDOMAIN)' });
  });
});

describe('runDoctor with a server that names our address', () => {
  it('checks the HELO name and reverse DNS against the public IP the EHLO reply gave', async () => {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.write('220 mx.gmail.test ESMTP\r\n');
      socket.on('data', (d) => socket.write(String(d).startsWith('EHLO') ? '250-mx.gmail.test at your service, [203.0.113.7]\r\n250 SIZE\r\n' : '221 bye\r\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const resolver = fakeResolver({
        mx: { 'gmail.com': [{ exchange: 'mx.gmail.test', priority: 5 }] },
        a: { 'mx.gmail.test': ['142.250.1.26'], 'mail.example.com': ['198.51.100.1'], 'dyn.isp.example': ['203.0.113.7'] },
        ptr: { '203.0.113.7': ['dyn.isp.example'] },
      });
      // Whatever the MX address, the conversation goes to the loopback server.
      const dial: Dialer = (request) => directDialer({ ...request, ip: '127.0.0.1', port });
      const report = await runDoctor(config, { resolver, dial, connect: dial });
      expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual(['dns:ok', 'socks:skipped', 'port25:ok', 'helo:warn', 'reverse_dns:ok', 'blocklists:ok']);
      expect(resolver.asked).toContain('A 7.113.0.203.zen.spamhaus.org');
      expect(report.checks.find((c) => c.id === 'helo')!.summary).toBe('"mail.example.com" resolves to 198.51.100.1, but mail servers see us as 203.0.113.7');
      expect(report.checks.find((c) => c.id === 'reverse_dns')!.summary).toBe('203.0.113.7 → dyn.isp.example → 203.0.113.7 (forward-confirmed)');
      expect(report.ok).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
