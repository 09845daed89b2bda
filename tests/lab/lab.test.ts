/**
 * Smoke suite for the mail lab itself: every DNS row answers as planned and every Postfix
 * listener replies as planned, checked with Node's resolver (pointed at the lab only) and a
 * bare SMTP client, independently of the engine. If one of these fails, engine tests against
 * the lab mean nothing.
 */
import { randomBytes } from 'node:crypto';
import { promises as dns } from 'node:dns';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { startLab } from './lab';
import { LAB_HOSTS, LAB_MX, LAB_REFUSED_ADDRESS, LAB_SMTP_ADDRESSES } from './lab-table';
import { checkPostfix, postfixPaths } from './postfix-instance';
import { SmtpTestSession, type LabSmtpReply } from './smtp-client';

const lab = inject('lab');

function resolver(): dns.Resolver {
  const r = new dns.Resolver({ timeout: 2000, tries: 1 });
  r.setServers([lab.dnsServer]);
  return r;
}

async function errorCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
}

/** A fresh sender per call, so each greylisting triplet is new without resetting postgrey. */
function uniqueSender(): string {
  return `probe-${randomBytes(4).toString('hex')}@client.mailping.test`;
}

interface Conversation {
  greeting: LabSmtpReply;
  ehlo: LabSmtpReply;
  replies: LabSmtpReply[];
  encrypted: boolean;
}

/** EHLO, then each command in turn (STARTTLS is followed by a new EHLO), then QUIT. */
async function converse(host: string, commands: string[], tlsName?: string): Promise<Conversation> {
  const { session, greeting } = await SmtpTestSession.connect(host, 25, 5000);
  try {
    const ehlo = await session.send('EHLO client.mailping.test');
    const replies: LabSmtpReply[] = [];
    for (const command of commands) {
      if (command === 'STARTTLS') {
        replies.push(await session.startTls(tlsName ?? host));
        replies.push(await session.send('EHLO client.mailping.test'));
      } else {
        replies.push(await session.send(command));
      }
    }
    const encrypted = session.encrypted;
    await session.quit();
    return { greeting, ehlo, replies, encrypted };
  } finally {
    session.close();
  }
}

function keywords(ehlo: LabSmtpReply): string[] {
  return ehlo.lines.slice(1).map((l) => l.slice(4).split(' ')[0]!.toUpperCase());
}

/** One RCPT's reply, after EHLO and MAIL FROM. */
async function rcpt(host: string, recipient: string, sender = ''): Promise<LabSmtpReply> {
  const { replies } = await converse(host, [`MAIL FROM:<${sender}>`, `RCPT TO:<${recipient}>`]);
  expect(replies[0]?.code, `MAIL FROM on ${host}`).toBe(250);
  return replies[1]!;
}

/** A raw DNS query over TCP (Node's resolver only uses TCP for truncated answers). */
function queryMxOverTcp(server: string, name: string): Promise<{ rcode: number; answers: number }> {
  const [host, port] = server.split(':');
  const qname = Buffer.concat([
    ...name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])),
    Buffer.from([0]),
  ]);
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const query = Buffer.concat([header, qname, Buffer.from([0, 15, 0, 1])]);
  const framed = Buffer.concat([Buffer.from([query.length >> 8, query.length & 255]), query]);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: host!, port: Number(port) });
    let data = Buffer.alloc(0);
    socket.setTimeout(2000, () => socket.destroy(new Error('DNS over TCP timed out')));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(framed));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        socket.destroy();
        resolve({ rcode: data[5]! & 0x0f, answers: data.readUInt16BE(8) });
      }
    });
  });
}

describe('lab DNS', () => {
  it('answers every planned MX set, sorted or not, and resolves every MX host as planned', async () => {
    const r = resolver();
    for (const [domain, planned] of Object.entries(LAB_MX)) {
      const answer = await r.resolveMx(domain);
      const got = answer.map((mx) => ({ host: mx.exchange, preference: mx.priority }));
      const want = planned === null ? [{ host: '', preference: 0 }] : planned;
      const order = (a: { preference: number }, b: { preference: number }): number => a.preference - b.preference;
      expect(got.sort(order), domain).toEqual([...want].sort(order));
      for (const mx of planned ?? []) {
        const ip = LAB_HOSTS[mx.host];
        if (ip) expect(await r.resolve4(mx.host), mx.host).toEqual([ip]);
        else expect(await errorCode(r.resolve4(mx.host)), mx.host).toBe('ENOTFOUND');
      }
    }
  });

  it('gives nullmx.test a null MX with an empty exchange', async () => {
    expect(await resolver().resolveMx('nullmx.test')).toEqual([{ exchange: '', priority: 0 }]);
  });

  it('gives nomx.test an A record but no MX (implicit MX)', async () => {
    const r = resolver();
    expect(await errorCode(r.resolveMx('nomx.test'))).toBe('ENODATA');
    expect(await r.resolve4('nomx.test')).toEqual(['127.0.25.14']);
  });

  it('gives nomail.test neither MX nor A nor AAAA, yet the name exists', async () => {
    const r = resolver();
    expect(await errorCode(r.resolveMx('nomail.test'))).toBe('ENODATA');
    expect(await errorCode(r.resolve4('nomail.test'))).toBe('ENODATA');
    expect(await errorCode(r.resolve6('nomail.test'))).toBe('ENODATA');
    expect(await r.resolveTxt('nomail.test')).toEqual([['v=spf1 -all']]);
  });

  it('says NXDOMAIN for undeclared names in its zones, and for the MX host of badmx.test', async () => {
    const r = resolver();
    expect(await errorCode(r.resolveMx('nosuchdomain.test'))).toBe('ENOTFOUND');
    expect(await errorCode(r.resolve4('ghost.badmx.test'))).toBe('ENOTFOUND');
    expect(await errorCode(r.resolve4('mta6.am0.yahoodns.net'))).toBe('ENOTFOUND');
  });

  it('answers SERVFAIL for servfail.test', async () => {
    expect(await errorCode(resolver().resolveMx('servfail.test'))).toBe('ESERVFAIL');
  });

  it('refuses names outside its zones instead of forwarding them', async () => {
    expect(await errorCode(resolver().resolveMx('gmail.com'))).toBe('EREFUSED');
  });

  it('answers over TCP too', async () => {
    expect(await queryMxOverTcp(lab.dnsServer, 'valid.test')).toEqual({ rcode: 0, answers: 2 });
  });
});

describe('lab SMTP (Postfix listeners)', () => {
  const a = LAB_SMTP_ADDRESSES;

  it('valid.test mx1: extensions, existing users, unknown, full, disabled, UTF-8, no relaying', async () => {
    const c = await converse(a.valid1, [
      'MAIL FROM:<>',
      'RCPT TO:<alice@valid.test>',
      'RCPT TO:<bob@valid.test>',
      'RCPT TO:<first.last@valid.test>',
      'RCPT TO:<nobody@valid.test>',
      'RCPT TO:<full@valid.test>',
      'RCPT TO:<disabled@valid.test>',
      'RCPT TO:<someone@elsewhere.test>',
      'RSET',
      'MAIL FROM:<> SMTPUTF8',
      'RCPT TO:<jörg@valid.test>',
    ]);
    expect(c.greeting.lines).toEqual(['220 mx1.valid.test ESMTP Postfix (MailPing lab)']);
    expect(keywords(c.ehlo)).toEqual(expect.arrayContaining(['PIPELINING', 'STARTTLS', 'ENHANCEDSTATUSCODES', 'SMTPUTF8']));
    const [mail, alice, bob, firstLast, nobody, full, disabled, relay, , mailUtf8, jorg] = c.replies;
    expect(mail?.lines).toEqual(['250 2.1.0 Ok']);
    for (const ok of [alice, bob, firstLast, jorg]) expect(ok?.lines).toEqual(['250 2.1.5 Ok']);
    expect(nobody?.lines).toEqual([
      '550 5.1.1 <nobody@valid.test>: Recipient address rejected: User unknown in virtual mailbox table',
    ]);
    expect(full?.lines).toEqual(['452 4.2.2 <full@valid.test>: Recipient address rejected: Mailbox full']);
    expect(disabled?.lines).toEqual(['550 5.2.1 <disabled@valid.test>: Recipient address rejected: Mailbox disabled']);
    expect(relay?.lines).toEqual(['554 5.7.1 <someone@elsewhere.test>: Relay access denied']);
    expect(mailUtf8?.code).toBe(250);
  });

  it('valid.test mx2 knows the same users', async () => {
    expect((await rcpt(a.valid2, 'alice@valid.test')).code).toBe(250);
    expect((await rcpt(a.valid2, 'nobody@valid.test')).enhanced).toBe('5.1.1');
  });

  it('fallback.test: the first MX refuses connections, the second accepts alice', async () => {
    expect(await errorCode(SmtpTestSession.connect(LAB_REFUSED_ADDRESS, 25, 2000))).toBe('ECONNREFUSED');
    expect((await rcpt(a.valid1, 'alice@fallback.test')).code).toBe(250);
  });

  it('catchall.test and yahoo-like.test accept any local part', async () => {
    const random = `x${randomBytes(6).toString('hex')}`;
    expect((await rcpt(a.catchall, `${random}@catchall.test`)).lines).toEqual(['250 2.1.5 Ok']);
    expect((await rcpt(a.catchall, `${random}@yahoo-like.test`)).lines).toEqual(['250 2.1.5 Ok']);
  });

  it('greylist.test: unknown users get 550 at once; alice gets 450 4.2.0, then 250 after the delay', async () => {
    expect((await rcpt(a.greylist, 'nobody@greylist.test', uniqueSender())).enhanced).toBe('5.1.1');
    const sender = uniqueSender();
    const first = await rcpt(a.greylist, 'alice@greylist.test', sender);
    expect(first.code).toBe(450);
    expect(first.enhanced).toBe('4.2.0');
    expect(first.text).toContain('Greylisted');
    const early = await rcpt(a.greylist, 'alice@greylist.test', sender);
    expect(early.code, 'a retry before the delay is still greylisted').toBe(450);
    await sleep((lab.greylistDelaySeconds + 1) * 1000);
    expect((await rcpt(a.greylist, 'alice@greylist.test', sender)).lines).toEqual(['250 2.1.5 Ok']);
  }, 20_000);

  it('nomx.test: the A record host answers for alice', async () => {
    expect((await rcpt(a.nomx, 'alice@nomx.test')).code).toBe(250);
  });

  it('tempfail.test: every connection is greeted with 421 4.7.0 and closed', async () => {
    for (let i = 0; i < 2; i++) {
      const { session, greeting } = await SmtpTestSession.connect(a.tempfail, 25, 3000);
      session.close();
      expect(greeting.code).toBe(421);
      expect(greeting.enhanced).toBe('4.7.0');
      expect(greeting.text).toContain('too many connections');
    }
  });

  it('plain.test: no PIPELINING, no STARTTLS; alice 250, unknown 550 5.1.1', async () => {
    const c = await converse(a.plain, ['MAIL FROM:<>', 'RCPT TO:<alice@plain.test>', 'RCPT TO:<nobody@plain.test>']);
    expect(keywords(c.ehlo)).not.toContain('PIPELINING');
    expect(keywords(c.ehlo)).not.toContain('STARTTLS');
    expect(c.replies[1]?.code).toBe(250);
    expect(c.replies[2]?.enhanced).toBe('5.1.1');
  });

  it('tls.test: MAIL before STARTTLS gets 530 5.7.0; after STARTTLS alice is accepted', async () => {
    const before = await converse(a.tls, ['MAIL FROM:<>']);
    expect(before.replies[0]?.lines).toEqual(['530 5.7.0 Must issue a STARTTLS command first']);
    const after = await converse(a.tls, ['STARTTLS', 'MAIL FROM:<>', 'RCPT TO:<alice@tls.test>'], 'mx.tls.test');
    expect(after.replies[0]?.lines).toEqual(['220 2.0.0 Ready to start TLS']);
    expect(after.encrypted).toBe(true);
    expect(after.replies[2]?.code).toBe(250);
    expect(after.replies[3]?.code).toBe(250);
  });

  it('blocked.test: the client is refused by policy at RCPT time, even for an existing user', async () => {
    const reply = await rcpt(a.blocked, 'alice@blocked.test');
    expect(reply.code).toBe(554);
    expect(reply.enhanced).toBe('5.7.1');
    expect(reply.text).toContain('blocked using zen.spamhaus.org');
  });

  it('nocodes.test: no ENHANCEDSTATUSCODES keyword and no enhanced codes in replies', async () => {
    const c = await converse(a.nocodes, ['MAIL FROM:<>', 'RCPT TO:<alice@nocodes.test>', 'RCPT TO:<nobody@nocodes.test>']);
    expect(keywords(c.ehlo)).not.toContain('ENHANCEDSTATUSCODES');
    expect(c.replies.map((r) => r.lines)).toEqual([
      ['250 Ok'],
      ['250 Ok'],
      ['550 <nobody@nocodes.test>: Recipient address rejected: User unknown in virtual mailbox table'],
    ]);
  });

  it('silent.test: the connection opens and no greeting ever comes', async () => {
    const started = Date.now();
    await expect(SmtpTestSession.connect(a.silent, 25, 1500)).rejects.toThrow(/no SMTP reply/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });
});

describe('lab lifecycle', () => {
  it('Postfix itself finds nothing to warn about in the instance (postfix check)', async () => {
    expect(await checkPostfix(postfixPaths(lab.dir).configDir)).toEqual({ ok: true, output: '' });
  });

  it('a second lab waits for this one, and says who holds it when it gives up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailping-lab-second-'));
    try {
      const started = Date.now();
      const error = await startLab({ dir, lockTimeoutMs: 300 }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(error?.message).toMatch(/another run \(pid \d+\) holds it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // ...and the running lab is untouched.
    expect((await rcpt(LAB_SMTP_ADDRESSES.valid1, 'alice@valid.test')).code).toBe(250);
  });
});
