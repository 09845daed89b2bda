import { createVerifier } from '@mailping/daemon/verify';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { scriptedServerAddress } from '../lab/lab-table';
import { politeConversation, startScriptedServer, type Script, type ScriptedServer } from '../support/scripted-smtp-server';

/**
 * Behaviours no real MTA produces on demand, from scripted servers on 127.0.26.N:25 (the lab's
 * DNS points scripted-N.test there). Each test owns one N, so files can run side by side.
 */
const lab = inject('lab');
let server: ScriptedServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

/** A server with one mailbox, so the catch-all probe is refused. */
const onlyAlice = (address: string): string => (address.startsWith('alice@') ? '250 2.1.5 Ok' : '550 5.1.1 User unknown');

async function serve(n: number, script: Script): Promise<ScriptedServer> {
  server = await startScriptedServer(scriptedServerAddress(n), script);
  return server;
}

const verify = (address: string, overrides: Parameters<typeof createVerifier>[0] = {}) =>
  createVerifier({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    timeoutMs: 4000,
    connectTimeoutMs: 1000,
    greetingTimeoutMs: 1000,
    commandTimeoutMs: 1000,
    ...overrides,
  })
    .verify([address])
    .then((r) => r[0]!);

describe('hostile and odd SMTP servers', () => {
  it('reads replies split across packets, even mid-line', async () => {
    await serve(1, async (c) => {
      for (const piece of ['2', '20 split', '.test ESMTP\r', '\n']) {
        c.write(piece);
        await new Promise((r) => setTimeout(r, 20));
      }
      await politeConversation(c, onlyAlice, { banner: null });
    });
    const r = await verify('alice@scripted-1.test');
    expect(r.reason).toBe('accepted');
    expect(r.transcript.find((e) => e.dir === '<')?.line).toBe('220 split.test ESMTP');
  });

  it('calls garbage instead of a greeting a protocol error', async () => {
    await serve(2, (c) => c.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
    const r = await verify('alice@scripted-2.test');
    expect(r).toMatchObject({ verdict: 'unknown', reason: 'protocol_error' });
    expect(r.transcript.some((e) => e.line.includes('SSH-2.0'))).toBe(true);
  });

  it('stops reading a 1 MB line and reports a protocol error quickly', async () => {
    await serve(3, (c) => c.write(`220 ${'x'.repeat(1024 * 1024)}\r\n`));
    const started = Date.now();
    const r = await verify('alice@scripted-3.test');
    expect(r.reason).toBe('protocol_error');
    expect(r.detail).toMatch(/exceeded 4096 bytes/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a server that closes in the middle of a reply', async () => {
    await serve(4, async (c) => {
      c.write('220 scripted.test ESMTP\r\n');
      await c.readLine();
      c.write('250-scripted.test\r\n250-PIPE');
      c.socket.end();
    });
    const r = await verify('alice@scripted-4.test');
    expect(r.reason).toBe('connection_failed');
    expect(r.detail).toMatch(/in the middle of a reply/);
  });

  it('reconnects after 421 in the middle of a batch and answers every address', async () => {
    const s = await serve(5, async (c) => {
      const first = s.connections === 1;
      let rcpts = 0;
      await politeConversation(c, (address) => {
        rcpts++;
        if (first && rcpts === 3) {
          setImmediate(() => c.socket.end());
          return '421 4.7.0 scripted.test Error: too many errors';
        }
        return address.startsWith('good') ? '250 2.1.5 Ok' : '550 5.1.1 User unknown';
      });
    });
    const addresses = ['good1@scripted-5.test', 'bad1@scripted-5.test', 'good2@scripted-5.test', 'bad2@scripted-5.test'];
    const results = await createVerifier({ dnsServers: [lab.dnsServer], helo: 'verifier.mailping.test', probeCatchAll: false, commandTimeoutMs: 1000 }).verify(addresses);
    expect(results.map((r) => r.reason)).toEqual(['accepted', 'mailbox_not_found', 'accepted', 'mailbox_not_found']);
    expect(s.connections).toBe(2);
  });

  it('treats a 554 greeting as a refusal of us, not of the address', async () => {
    await serve(6, (c) => {
      c.write('554 5.7.1 scripted.test Service unavailable; client [127.0.0.1] blocked using bl.example\r\n');
    });
    const r = await verify('alice@scripted-6.test');
    expect(r).toMatchObject({ verdict: 'unknown', reason: 'blocked' });
    expect(r.reply).toMatchObject({ code: 554, command: 'greeting' });
  });

  it('falls back to HELO when EHLO is refused', async () => {
    const s = await serve(7, async (c) => {
      c.write('220 old.test SMTP\r\n');
      const ehlo = await c.readLine();
      c.write(ehlo?.startsWith('EHLO') ? '502 Command not implemented\r\n' : '500 what\r\n');
      await politeConversation(c, onlyAlice, { banner: null, extensions: [] });
    });
    const r = await verify('alice@scripted-7.test');
    expect(s.received[0]).toBe('EHLO verifier.mailping.test');
    expect(s.received[1]).toBe('HELO verifier.mailping.test');
    expect(r.reason).toBe('accepted');
    expect(r.smtp!.pipelining).toBe(false);
  });

  it('times out a server that stops answering after MAIL, within the deadline, and still says QUIT', async () => {
    const s = await serve(8, async (c) => {
      c.write('220 slow.test ESMTP\r\n');
      await c.readLine();
      c.write('250 slow.test\r\n');
      await c.readLine(); // MAIL: never answered
      await new Promise((r) => setTimeout(r, 10_000));
    });
    const started = Date.now();
    const r = await verify('alice@scripted-8.test', { commandTimeoutMs: 700 });
    expect(r.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3500);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(s.received).toEqual(['EHLO verifier.mailping.test', 'MAIL FROM:<>', 'QUIT']);
    expect(s.connections).toBe(1);
  });

  it('gives up on a greeting sent one byte a second at the greeting timeout', async () => {
    await serve(9, async (c) => {
      for (const ch of '220 drip.test ESMTP\r\n') {
        if (c.socket.destroyed) return;
        c.write(ch);
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
    const started = Date.now();
    const r = await verify('alice@scripted-9.test', { greetingTimeoutMs: 1500 });
    expect(r.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3500);
  });
});
