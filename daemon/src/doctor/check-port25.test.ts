import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { directDialer, type Dialer } from '../verify/smtp/dial';
import { SmtpFailureError } from '../verify/smtp/failure';
import { addressInEhloReply, checkPort25 } from './check-port25';
import { PORT25_ADVICE } from './types';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A loopback SMTP server that says what the test wants and records what it hears. */
async function smtpServer(greeting: string, ehloReply: string): Promise<{ port: number; heard: string[] }> {
  const heard: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.write(`${greeting}\r\n`);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        heard.push(line);
        if (line.startsWith('EHLO')) socket.write(`${ehloReply}\r\n`);
        else if (line === 'QUIT') socket.end('221 bye\r\n');
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, heard };
}

const options = (dial: Dialer = directDialer) => ({ dial, helo: 'mail.example.com', connectTimeoutMs: 1000, replyTimeoutMs: 1000, signal: new AbortController().signal });
const failing = (failure: SmtpFailureError): Dialer => () => Promise.reject(failure);

describe('the port-25 check', () => {
  it('greets, says EHLO and QUIT, and learns our address from the EHLO reply', async () => {
    const server = await smtpServer('220 mx.example.test ESMTP', '250-mx.example.test at your service, [203.0.113.7]\r\n250 PIPELINING');
    const check = await checkPort25({ host: 'mx.example.test', ip: '127.0.0.1', port: server.port }, options());
    expect(check).toMatchObject({ status: 'ok', seenAs: '203.0.113.7', greeting: '220 mx.example.test ESMTP' });
    expect(check.summary).toBe(`mx.example.test [127.0.0.1]:${server.port} answered: 220 mx.example.test ESMTP / EHLO 250`);
    // Nothing but EHLO and QUIT: no sender, no recipient leaves the machine.
    expect(server.heard).toEqual(['EHLO mail.example.com', 'QUIT']);
  });

  it('warns when the server is reachable but refuses us', async () => {
    const server = await smtpServer('554 5.7.1 Service unavailable; client host [203.0.113.7] blocked using zen.spamhaus.org', '');
    const check = await checkPort25({ host: '127.0.0.1', ip: '127.0.0.1', port: server.port }, options());
    expect(check).toMatchObject({ status: 'warn', summary: expect.stringMatching(/reachable, but the server refuses us: 554 5.7.1/) });
    expect(check.advice).toMatch(/blocklisted/);
  });

  it('fails with the port-25 advice when the connection times out (a blocked port)', async () => {
    const check = await checkPort25({ host: 'gmail-smtp-in.l.google.com', ip: '142.250.1.26', port: 25 }, options(failing(new SmtpFailureError('connect_timeout', 'no answer'))));
    expect(check).toMatchObject({ status: 'fail', summary: 'gmail-smtp-in.l.google.com [142.250.1.26]:25: no answer within 1 s', advice: PORT25_ADVICE });
  });

  it('says "no route" when the machine is offline', async () => {
    const check = await checkPort25({ host: 'x', ip: '142.250.1.26', port: 25 }, options(failing(new SmtpFailureError('connection_error', '142.250.1.26:25: connect ENETUNREACH 142.250.1.26:25'))));
    expect(check).toMatchObject({ status: 'fail', summary: expect.stringMatching(/no route/) });
    expect(check.advice).toMatch(/no route to the internet/);
  });

  it('blames the proxy when the proxy is what failed', async () => {
    const dial = failing(new SmtpFailureError('connection_error', 'SOCKS proxy 127.0.0.1:1 is unreachable: connect ECONNREFUSED'));
    const check = await checkPort25({ host: 'x', ip: '142.250.1.26', port: 25 }, { ...options(dial), proxy: '127.0.0.1:1' });
    expect(check.advice).toMatch(/the SOCKS proxy 127.0.0.1:1 does not work/);
    const blocked = await checkPort25({ host: 'x', ip: '142.250.1.26', port: 25 }, { ...options(failing(new SmtpFailureError('connect_timeout', 'x'))), proxy: '127.0.0.1:1' });
    expect(blocked.advice).toMatch(/cannot reach port 25/);
  });

  it('reads the client address the way Gmail and Exim write it', () => {
    expect(addressInEhloReply({ lines: ['250-mx.google.com at your service, [203.0.113.7]'] })).toBe('203.0.113.7');
    expect(addressInEhloReply({ lines: ['250-mx.example.com Hello host.example [198.51.100.2]'] })).toBe('198.51.100.2');
    expect(addressInEhloReply({ lines: ['250-mx.example.com Hello [IPv6:2001:db8::7]'] })).toBe('2001:db8::7');
    expect(addressInEhloReply({ lines: ['250-mx1.valid.test', '250-[10.0.0.1]'] })).toBeUndefined();
    expect(addressInEhloReply({ lines: ['250-mx [not-an-ip]'] })).toBeUndefined();
  });
});
