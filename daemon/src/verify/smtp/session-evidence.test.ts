import { parseAddress, type ParsedAddress } from '@mailping/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryDialer, type MemoryPeer } from './memory-dialer.test-support';
import { runSmtpBatch, type SessionOptions } from './session';

type Answer = 'ok' | 'unknown' | 'grey' | 'deferred';
interface Server {
  greetings: Array<'220' | '421' | '554'>;
  pipelining: boolean;
  refuseMail: boolean;
  answers: Answer[];
  /** The server hangs up instead of answering its n-th RCPT. */
  hangUpAt: number | null;
  /** A reply nobody asked for, or a reply sent twice, after the n-th command; in the same write or late. */
  extra: { kind: 'unsolicited' | 'duplicate'; at: number; late: boolean } | null;
  /** Whether replies name the recipient in angle brackets, as Postfix does (an extra check) or not. */
  brackets: boolean;
}

const REPLIES: Record<Answer, string> = {
  ok: '250 2.1.5 Ok',
  unknown: '550 5.1.1 User unknown',
  grey: '450 4.2.0 Greylisted, try again later',
  deferred: '421 4.7.0 Try again later, closing connection.',
};

const session = (line: string): boolean => !/\bfor /.test(line);

/** Each RCPT reply names the recipient it answers ("for x@y"), so a borrowed reply shows. */
async function script(peer: MemoryPeer, s: Server, counters: { rcpt: number; command: number }): Promise<void> {
  const greeting = s.greetings[(peer.n - 1) % s.greetings.length]!;
  if (greeting !== '220') {
    peer.write(`${greeting} 4.7.0 memory.test not now\r\n`.replace(/^554 4/, '554 5'));
    return peer.end();
  }
  peer.write('220 memory.test ESMTP\r\n');
  if (s.extra?.kind === 'unsolicited' && s.extra.at === 0) peer.write('250 2.0.0 Ok\r\n');
  for (;;) {
    const line = await peer.readLine();
    if (line === null) return;
    const at = ++counters.command;
    const verb = line.slice(0, 4).toUpperCase();
    let out: string;
    let close = false;
    if (verb === 'EHLO') out = ['250-memory.test', ...(s.pipelining ? ['250-PIPELINING'] : []), '250 ENHANCEDSTATUSCODES'].join('\r\n');
    else if (verb === 'MAIL') out = s.refuseMail ? '550 5.7.1 Sender rejected' : '250 2.1.0 Ok';
    else if (verb === 'RCPT') {
      const n = ++counters.rcpt;
      if (s.hangUpAt === n) return peer.end();
      const address = /<(.*)>/.exec(line)?.[1] ?? '';
      const answer = s.answers[(n - 1) % s.answers.length]!;
      out = `${REPLIES[answer]} for ${s.brackets ? `<${address}>` : address}`;
      close = answer === 'deferred';
    } else if (verb === 'QUIT') {
      out = '221 2.0.0 Bye';
      close = true;
    } else out = '502 5.5.2 Error: command not recognized';
    const extra = s.extra && s.extra.at === at ? (s.extra.kind === 'duplicate' ? out : '250 2.0.0 Ok') : null;
    peer.write(`${out}\r\n${extra && !s.extra!.late ? `${extra}\r\n` : ''}`);
    if (extra && s.extra!.late) {
      await new Promise((r) => setTimeout(r, 2));
      peer.write(`${extra}\r\n`);
    }
    if (close) return peer.end();
  }
}

const server: fc.Arbitrary<Server> = fc.record({
  greetings: fc.array(fc.constantFrom<'220' | '421' | '554'>('220', '220', '220', '421', '554'), { minLength: 1, maxLength: 3 }),
  pipelining: fc.boolean(),
  refuseMail: fc.boolean().map((b) => b && Math.random() < 0.3),
  answers: fc.array(fc.constantFrom<Answer>('ok', 'ok', 'unknown', 'unknown', 'grey', 'deferred'), { minLength: 1, maxLength: 12 }),
  hangUpAt: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
  extra: fc.option(
    fc.record({ kind: fc.constantFrom<'unsolicited' | 'duplicate'>('unsolicited', 'duplicate'), at: fc.integer({ min: 0, max: 20 }), late: fc.boolean() }),
    { nil: null },
  ),
  brackets: fc.boolean(),
});

function addresses(count: number): ParsedAddress[] {
  return Array.from({ length: count }, (_, i) => {
    const parsed = parseAddress(`user${i + 1}@memory.test`);
    if (!parsed.ok) throw new Error('bad test address');
    return parsed.address;
  });
}

describe('own evidence only (property)', () => {
  it('no result ever quotes a reply the server sent in answer to another recipient', async () => {
    await fc.assert(
      fc.asyncProperty(
        server,
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 1, max: 2 }),
        fc.boolean(),
        // The domain's RCPT budget (queue mode), or none (local mode).
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
        async (s, count, errorBudget, sessions, probeCatchAll, tokens) => {
          // Known limit: an extra reply followed by a 421 or a hang-up before QUIT's 221 cannot be
          // told from an in-step session (nothing after it to check against).
          fc.pre(!(s.extra && (s.hangUpAt !== null || s.answers.includes('deferred'))));
          const counters = { rcpt: 0, command: 0 };
          const dialer = memoryDialer((peer) => script(peer, s, counters));
          const options: SessionOptions = {
            helo: 'verifier.memory.test',
            from: '',
            tls: 'auto',
            port: 25,
            connectTimeoutMs: 500,
            greetingTimeoutMs: 500,
            commandTimeoutMs: 300,
            maxRcptPerSession: 50,
            errorBudget,
            dial: dialer.dial,
            probeCatchAll,
            randomLocalPart: () => 'probe0random',
          };
          let left = tokens ?? 0;
          if (tokens !== null) {
            options.takeRcptTokens = async (_domain, wanted) => {
              const taken = Math.min(wanted, left);
              left -= taken;
              return taken;
            };
          }
          const list = addresses(count);
          const target = { host: 'mx.memory.test', ip: '192.0.2.25', preference: 10 };
          const outcome = await runSmtpBatch([target], list, options, { signal: new AbortController().signal, startedAt: performance.now() }, sessions);
          await dialer.settled();
          expect(outcome.recipients.size).toBe(count);
          // Every RCPT the server saw, the probe included, was paid for before it went out.
          if (tokens !== null) expect(counters.rcpt).toBeLessThanOrEqual(tokens);
          for (const r of list) {
            const o = outcome.recipients.get(r.normalized)!;
            if (o.evidence === 'not_asked') expect(o.reply).toBeNull();
            if (!o.reply) continue;
            const text = o.reply.lines.join(' ');
            if (o.command === 'RCPT TO') {
              expect(o.evidence).toBe('own');
              expect(text).toMatch(new RegExp(`for <?${r.normalized.replace(/\./g, '\\.')}>?$`));
            } else {
              expect(o.evidence).toBe('session');
              expect(['greeting', 'EHLO', 'HELO', 'STARTTLS', 'MAIL FROM']).toContain(o.command);
              expect(session(text)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);
});
