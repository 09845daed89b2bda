import { randomUUID } from 'node:crypto';
import type { VerificationResult } from '@mailping/shared';
import { createVerifier } from '@mailping/daemon/verify';
import { describe, expect, inject, it } from 'vitest';
import { LAB_CASES } from '../lab/lab-table';

/**
 * The engine against the real lab: dnsmasq for DNS, Postfix (and postgrey) for SMTP.
 * Each behaviour of the lab table gets its verdict and reason asserted, and the transcript
 * checked for the thing that behaviour is about.
 */
const lab = inject('lab');

function verifier(overrides: Parameters<typeof createVerifier>[0] = {}) {
  return createVerifier({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    // A fresh sender per verifier, so postgrey sees a new triplet each time.
    from: `probe-${randomUUID().slice(0, 8)}@mailping.test`,
    timeoutMs: 8000,
    connectTimeoutMs: 2000,
    greetingTimeoutMs: 1500,
    commandTimeoutMs: 3000,
    ...overrides,
  });
}

const sent = (r: VerificationResult) => r.transcript.filter((e) => e.dir === '>').map((e) => e.line);
const received = (r: VerificationResult) => r.transcript.filter((e) => e.dir === '<').map((e) => e.line);

describe('every lab behaviour gets the right verdict and reason', () => {
  it.each(LAB_CASES.map((c) => [c.address, c.verdict, c.reason, c.what] as const))('%s → %s/%s (%s)', async (address, verdict, reason) => {
    const [result] = await verifier().verify([address]);
    expect({ verdict: result!.verdict, reason: result!.reason }, result!.detail).toEqual({ verdict, reason });
  });
});

describe('the SMTP conversation', () => {
  it('pipelines MAIL, RCPT, the catch-all probe and QUIT in one round trip: 3 round trips in all', async () => {
    const [r] = await verifier().verify(['alice@valid.test']);
    const lines = r!.transcript.map((e) => `${e.dir} ${e.line}`);
    const mail = lines.findIndex((l) => l.startsWith('> MAIL FROM:'));
    expect(lines[mail + 1]).toBe('> RCPT TO:<alice@valid.test>');
    expect(lines[mail + 2]).toMatch(/^> RCPT TO:<[a-z0-9]{16}@valid\.test>$/);
    // Nothing else to ask: the goodbye rides along, and its 221 coming last proves the pairing.
    expect(lines[mail + 3]).toBe('> QUIT');
    expect(lines[mail + 4]).toMatch(/^< 250 2\.1\.0/);
    expect(lines.filter((l) => l.startsWith('< ')).at(-1)).toMatch(/^< 221 /);
    expect(r!.smtp).toMatchObject({ pipelining: true, catchAll: false, roundTrips: 3, connections: 1, host: 'mx1.valid.test', ip: '127.0.25.10' });
    expect(r!.reply).toEqual({ code: 250, enhanced: '2.1.5', text: 'Ok', command: 'RCPT TO' });
    expect(sent(r!).filter((l) => l === 'QUIT')).toHaveLength(1);
    expect(r!.timings.dnsMs).toBeGreaterThanOrEqual(0);
    expect(r!.timings.totalMs).toBeGreaterThan(0);
  });

  it('without PIPELINING waits for each reply: 6 round trips', async () => {
    const [r] = await verifier().verify(['alice@plain.test']);
    const dirs = r!.transcript.filter((e) => e.dir !== '*').map((e) => e.dir).join('');
    expect(dirs).not.toMatch(/>>/);
    expect(r!.smtp).toMatchObject({ pipelining: false, roundTrips: 6, catchAll: false });
  });

  it('without PIPELINING does not spend a probe on a refused address', async () => {
    const [r] = await verifier().verify(['nobody@plain.test']);
    expect(sent(r!).filter((l) => l.startsWith('RCPT'))).toEqual(['RCPT TO:<nobody@plain.test>']);
    expect(r!.smtp!.catchAll).toBeNull();
  });

  it('asks several addresses of a domain in one session, each with its own RCPT in its transcript', async () => {
    const results = await verifier().verify(['alice@valid.test', 'bob@valid.test', 'nobody@valid.test', 'full@valid.test']);
    expect(results.map((r) => r.reason)).toEqual(['accepted', 'accepted', 'mailbox_not_found', 'mailbox_full']);
    for (const r of results) {
      expect(r.smtp!.connections).toBe(1);
      const rcpts = sent(r).filter((l) => l.startsWith('RCPT') && !/<[a-z0-9]{16}@/.test(l));
      expect(rcpts).toEqual([`RCPT TO:<${r.normalized}>`]);
    }
    expect(results[2]!.reply).toMatchObject({ code: 550, enhanced: '5.1.1' });
    expect(results[3]!.reply).toMatchObject({ code: 452, enhanced: '4.2.2' });
  });

  it('answers 30 unknown addresses of one domain despite Postfix error limits', async () => {
    const addresses = Array.from({ length: 30 }, (_, i) => `unknown${i}@valid.test`);
    const results = await verifier({ maxConnectionsPerHost: 1 }).verify(addresses);
    expect(results.map((r) => r.reason)).toEqual(addresses.map(() => 'mailbox_not_found'));
    expect(results.every((r) => r.reply?.enhanced === '5.1.1')).toBe(true);
    // Never tarpitted or thrown out: no 421, and more than one session was used.
    expect(results.flatMap(received).some((l) => l.startsWith('421'))).toBe(false);
    expect(results[0]!.smtp!.connections).toBeGreaterThanOrEqual(4);
  });

  it('falls back to the next MX when the first refuses the connection', async () => {
    const [r] = await verifier().verify(['alice@fallback.test']);
    const info = r!.transcript.filter((e) => e.dir === '*').map((e) => e.line);
    expect(info[0]).toBe('connect dead.fallback.test [127.0.25.99]:25');
    expect(info[1]).toMatch(/^connection_refused/);
    expect(info[2]).toBe('connect live.fallback.test [127.0.25.10]:25');
    expect(r!.mx).toEqual({ host: 'live.fallback.test', ip: '127.0.25.10' });
  });

  it('uses STARTTLS when the server demands it, and says so', async () => {
    const [r] = await verifier().verify(['alice@tls.test']);
    expect(received(r!)).toContainEqual(expect.stringMatching(/^530 5\.7\.0 Must issue a STARTTLS command first/));
    expect(sent(r!)).toContain('STARTTLS');
    expect(r!.transcript.some((e) => e.dir === '*' && /^TLS/.test(e.line))).toBe(true);
    expect(r!.smtp!.tls).toBe(true);
    // The first session had already said QUIT (pipelined): the next one starts with STARTTLS,
    // and says EHLO again after the handshake (RFC 3207).
    const commands = sent(r!).map((l) => l.split(' ')[0]);
    expect(commands.slice(commands.indexOf('STARTTLS') - 1, commands.indexOf('STARTTLS') + 3)).toEqual(['EHLO', 'STARTTLS', 'EHLO', 'MAIL']);
    expect(r!.smtp!.connections).toBe(2);
  });

  it('uses STARTTLS whenever offered with tls: always', async () => {
    const [r] = await verifier({ tls: 'always' }).verify(['alice@valid.test']);
    expect(r!.smtp!.tls).toBe(true);
    expect(r!.verdict).toBe('deliverable');
  });

  it('sends the SMTPUTF8 parameter for a UTF-8 local part', async () => {
    const [r] = await verifier().verify(['jörg@valid.test']);
    expect(sent(r!)).toContainEqual(expect.stringMatching(/^MAIL FROM:<.*> SMTPUTF8$/));
  });

  it('never connects for a null MX, and reports the implicit MX', async () => {
    const [nullMx, implicit] = await verifier().verify(['alice@nullmx.test', 'alice@nomx.test']);
    expect(nullMx!.transcript).toEqual([]);
    expect(nullMx!.dns).toMatchObject({ nullMx: true });
    expect(implicit!.dns).toMatchObject({ implicitMx: true, mx: [{ host: 'nomx.test', addresses: ['127.0.25.14'] }] });
  });

  it('uses the null sender by default and the configured one when given', async () => {
    const [r] = await createVerifier({ dnsServers: [lab.dnsServer], helo: 'verifier.mailping.test' }).verify(['alice@valid.test']);
    expect(sent(r!)).toContain('MAIL FROM:<>');
    expect(sent(r!)).toContain('EHLO verifier.mailping.test');
    const [s] = await verifier({ from: 'me@mailping.test' }).verify(['alice@valid.test']);
    expect(sent(s!)).toContain('MAIL FROM:<me@mailping.test>');
  });

  it('calls the catch-all probe by its result and shows it in the transcript', async () => {
    const [r] = await verifier().verify(['whoever@catchall.test']);
    expect(r!.smtp!.catchAll).toBe(true);
    expect(sent(r!).filter((l) => l.startsWith('RCPT'))).toHaveLength(2);
  });

  it('reports a greylisted address as unknown with a retry time, and deliverable after the delay', async () => {
    const v = verifier({ greylistRetryMs: 60_000 });
    const [first] = await v.verify(['alice@greylist.test']);
    expect(first!.reason).toBe('greylisted');
    expect(first!.reply).toMatchObject({ code: 450, enhanced: '4.2.0' });
    expect(Date.parse(first!.retryAt!) - Date.parse(first!.checkedAt)).toBeGreaterThan(50_000);
    await new Promise((r) => setTimeout(r, (lab.greylistDelaySeconds + 1) * 1000));
    const [second] = await v.verify(['alice@greylist.test']);
    expect(second!.reason).toBe('accepted');
  });

  it('gives up on a server that never greets within the deadline', async () => {
    const started = Date.now();
    const [r] = await verifier({ greetingTimeoutMs: 800 }).verify(['alice@silent.test']);
    expect(r!.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(r!.smtp!.error?.code).toBe('timeout');
  });

  it('keeps input order and answers duplicates once each', async () => {
    const results = await verifier().verify(['nobody@valid.test', 'alice@nomx.test', 'ALICE@VALID.TEST', 'alice@VALID.test', 'x']);
    expect(results.map((r) => r.address)).toEqual(['nobody@valid.test', 'alice@nomx.test', 'ALICE@VALID.TEST', 'alice@VALID.test', 'x']);
    expect(results.map((r) => r.normalized)).toEqual(['nobody@valid.test', 'alice@nomx.test', 'ALICE@valid.test', 'alice@valid.test', null]);
  });

  it('flags and suggests beside the verdict', async () => {
    const [r] = await verifier().verify(['info@valid.test']);
    expect(r!.flags).toEqual({ disposable: false, roleAccount: true, freeProvider: false });
    expect(r!.suggestion).toBeNull();
  });
});
