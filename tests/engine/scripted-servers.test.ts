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

  it('after a 421 mid-batch: earlier answers stand, the rest say "not asked yet" and wait for the backoff', async () => {
    const s = await serve(5, async (c) => {
      let rcpts = 0;
      await politeConversation(c, (address) => {
        rcpts++;
        if (rcpts === 3) {
          setImmediate(() => c.socket.end());
          return '421 4.7.0 Try again later, closing connection.';
        }
        return address.startsWith('good') ? '250 2.1.5 Ok' : '550 5.1.1 User unknown';
      });
    });
    const addresses = ['good1@scripted-5.test', 'bad1@scripted-5.test', 'good2@scripted-5.test', 'bad2@scripted-5.test', 'good3@scripted-5.test'];
    const results = await createVerifier({
      dnsServers: [lab.dnsServer],
      helo: 'verifier.mailping.test',
      probeCatchAll: false,
      commandTimeoutMs: 1000,
      deferralBackoffMs: 60_000,
    }).verify(addresses);
    expect(s.connections).toBe(1);
    expect(results.map((r) => r.reason)).toEqual(['accepted', 'mailbox_not_found', results[2]!.reason, 'temporary_failure', 'temporary_failure']);
    // How a 421 reads is the classifier's business; that it is not a verdict on the mailbox is ours.
    expect(results[2]!.verdict).toBe('unknown');
    // The third address quotes the 421 its own RCPT got; the others quote nothing.
    expect(results[2]!.reply).toMatchObject({ code: 421, command: 'RCPT TO' });
    for (const r of results.slice(3)) {
      expect(r.reply).toBeNull();
      expect(r.detail).toMatch(/^(not asked yet|asked, but not answered): mx\.scripted-5\.test deferred the session \("421 4\.7\.0 Try again later, closing connection\."\) while checking another address$/);
      expect(r.transcript.filter((e) => e.line.startsWith('RCPT')).every((e) => e.line.includes(r.normalized!))).toBe(true);
    }
    for (const r of results.slice(2)) {
      expect(r.smtp!.deferral).toMatchObject({ host: 'mx.scripted-5.test', ip: '127.0.26.5', code: 421 });
      expect(Date.parse(r.retryAt!) - Date.now()).toBeGreaterThan(50_000);
    }
    expect(results[0]!.smtp!.deferral).toBeUndefined();
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

/**
 * Replies are paired with commands by order: a reply nobody asked for, or one sent twice, shifts
 * every later one. Each shape below once made an unknown user "deliverable" or "catch_all".
 * (Each test closes its server after itself, so these reuse the numbers above.)
 */
describe('replies out of step', () => {
  const list = ['nobody@scripted-1.test', 'alice@scripted-1.test'];
  const verifyList = () =>
    createVerifier({ dnsServers: [lab.dnsServer], helo: 'verifier.mailping.test', commandTimeoutMs: 1000 }).verify(list);

  it('an unsolicited reply after the greeting ends the session: protocol error for its addresses, no borrowed verdict', async () => {
    await serve(1, async (c) => {
      c.write('220 scripted.test ESMTP\r\n250 2.1.5 Ok\r\n');
      await politeConversation(c, onlyAlice, { banner: null });
    });
    const results = await verifyList();
    for (const r of results) {
      expect(r).toMatchObject({ verdict: 'unknown', reason: 'protocol_error', reply: null });
      expect(r.detail).toMatch(/no command was waiting for a reply/);
    }
  });

  it('a reply sent twice ends the session before any pairing is trusted', async () => {
    await serve(1, async (c) => {
      c.write('220 scripted.test ESMTP\r\n');
      await politeConversation(
        c,
        (address) => {
          const answer = onlyAlice(address);
          return address.startsWith('nobody') ? `${answer}\r\n${answer}` : answer;
        },
        { banner: null },
      );
    });
    const results = await verifyList();
    for (const r of results) {
      expect(r.verdict).toBe('unknown');
      expect(r.reason).toBe('protocol_error');
      expect(r.reply).toBeNull();
    }
  });

  it('a late duplicate (a separate packet, after the next command went out) is caught by the QUIT pipelined last', async () => {
    await serve(1, async (c) => {
      c.write('220 scripted.test ESMTP\r\n');
      for (;;) {
        const line = await c.readLine();
        if (line === null) return;
        if (line.startsWith('EHLO')) c.write('250-scripted.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n');
        else if (line.startsWith('MAIL')) {
          c.write('250 2.1.0 Ok\r\n');
          await new Promise((r) => setTimeout(r, 30));
          c.write('250 2.1.0 Ok\r\n');
        } else if (line.startsWith('RCPT')) c.write(`${onlyAlice(/<(.*)>/.exec(line)![1]!)}\r\n`);
        else if (line === 'QUIT') {
          c.write('221 2.0.0 Bye\r\n');
          c.socket.end();
          return;
        }
      }
    });
    const results = await verifyList();
    expect(results.map((r) => r.reason)).toEqual(['protocol_error', 'protocol_error']);
    expect(results[0]!.detail).toMatch(/cannot answer QUIT|no command was waiting/);
  });

  it('a reply split across packets in the middle of a pipeline is read whole and paired right', async () => {
    await serve(1, async (c) => {
      c.write('220 scripted.test ESMTP\r\n');
      await c.readLine();
      c.write('250-scripted.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n');
      const lines = [await c.readLine(), await c.readLine(), await c.readLine(), await c.readLine(), await c.readLine()];
      expect(lines.map((l) => l?.split(':')[0])).toEqual(['MAIL FROM', 'RCPT TO', 'RCPT TO', 'RCPT TO', 'QUIT']);
      const pieces = ['250 2.1.0 Ok\r\n550-5.1.1 The email account that you tried to reach', ' does not exist.\r\n550 5.1.1 https://support.example/?p=NoSuchUser\r\n2', '50 2.1.5 Ok\r\n550 5.1.1 Us', 'er unknown\r\n221 2.0.0 Bye\r\n'];
      for (const piece of pieces) {
        c.write(piece);
        await new Promise((r) => setTimeout(r, 20));
      }
      c.socket.end();
    });
    const results = await verifyList();
    expect(results.map((r) => r.reason)).toEqual(['mailbox_not_found', 'accepted']);
    expect(results[0]!.reply).toMatchObject({ code: 550, text: 'The email account that you tried to reach does not exist.\nhttps://support.example/?p=NoSuchUser' });
    expect(results[1]!.smtp!.catchAll).toBe(false);
  });
});
