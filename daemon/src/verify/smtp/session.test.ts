import { parseAddress, type ParsedAddress } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import { memoryDialer, politePeer, type MemoryPeer, type MemoryScript } from './memory-dialer.test-support';
import { runSmtpBatch, type BatchOutcome, type MoreAddresses, type SessionOptions } from './session';

const target = { host: 'mx.memory.test', ip: '192.0.2.25', preference: 10 };

function addresses(count: number, local = (i: number) => `user${i}`): ParsedAddress[] {
  return Array.from({ length: count }, (_, i) => {
    const parsed = parseAddress(`${local(i + 1)}@memory.test`);
    if (!parsed.ok) throw new Error('bad test address');
    return parsed.address;
  });
}

async function run(script: MemoryScript, list: ParsedAddress[], overrides: Partial<SessionOptions> = {}, sessions = 1, more?: MoreAddresses) {
  const dialer = memoryDialer(script);
  const options: SessionOptions = {
    helo: 'verifier.memory.test',
    from: '',
    tls: 'auto',
    port: 25,
    connectTimeoutMs: 1000,
    greetingTimeoutMs: 1000,
    commandTimeoutMs: 1000,
    maxRcptPerSession: 50,
    errorBudget: 8,
    dial: dialer.dial,
    probeCatchAll: false,
    randomLocalPart: () => 'probe0random',
    ...overrides,
  };
  const outcome = await runSmtpBatch([target], list, options, { signal: new AbortController().signal, startedAt: performance.now(), ...(more && { more }) }, sessions);
  await dialer.settled();
  return { outcome, dialer };
}

const of = (outcome: BatchOutcome, address: string) => outcome.recipients.get(address)!;

describe('runSmtpBatch over an in-memory server', () => {
  it('on a 421 mid-batch: earlier answers stand, the deferred address quotes its own 421, the rest are "not asked"', async () => {
    const list = addresses(12);
    let rcpts = 0;
    const { outcome, dialer } = await run(
      (peer) => politePeer(peer, () => (++rcpts === 3 ? '421 4.7.0 Try again later, closing connection.' : '250 2.1.5 Ok')),
      list,
      { errorBudget: 20 },
    );
    expect(dialer.connections).toBe(1);
    expect(of(outcome, 'user1@memory.test')).toMatchObject({ evidence: 'own', command: 'RCPT TO', reply: { code: 250 } });
    expect(of(outcome, 'user3@memory.test')).toMatchObject({ evidence: 'own', command: 'RCPT TO', reply: { code: 421 } });
    for (const r of list.slice(3)) {
      const o = of(outcome, r.normalized);
      expect(o.evidence).toBe('not_asked');
      expect(o.reply).toBeNull();
      expect(o.notAsked).toMatchObject({ host: 'mx.memory.test', reply: { code: 421 }, command: 'RCPT TO' });
      // Its transcript holds its own RCPT (pipelined, never answered) but nobody else's.
      expect(o.transcript.filter((e) => e.line.startsWith('RCPT')).map((e) => e.line)).toEqual([`RCPT TO:<${r.normalized}>`]);
    }
    expect(outcome.deferral).toMatchObject({ host: 'mx.memory.test', ip: '192.0.2.25', reply: { code: 421 } });
  });

  it('a session waiting for a connection slot when another is deferred does not connect', async () => {
    const list = addresses(12);
    let rcpts = 0;
    let deferred: () => void = () => {};
    const deferral = new Promise<void>((resolve) => (deferred = resolve));
    let slots = 0;
    const { outcome, dialer } = await run(
      (peer) =>
        politePeer(peer, () => {
          if (++rcpts !== 3) return '250 2.1.5 Ok';
          setTimeout(deferred, 50);
          return '421 4.7.0 Try again later, closing connection.';
        }),
      list,
      // The second slot frees only after the 421: the host's backoff has begun by then.
      { errorBudget: 4, acquireSlot: async () => (++slots === 1 ? () => {} : deferral.then(() => () => {})) },
      2,
    );
    expect(dialer.connections).toBe(1);
    expect(outcome.deferral).toMatchObject({ host: 'mx.memory.test', reply: { code: 421 } });
    for (const r of list.slice(3)) expect(of(outcome, r.normalized)).toMatchObject({ evidence: 'not_asked', reply: null, notAsked: { reply: { code: 421 } } });
  });

  it('keeps each connection within the error budget and reconnects for the rest', async () => {
    const list = addresses(20);
    const errorsPerConnection: number[] = [];
    const { outcome, dialer } = await run(
      (peer) => {
        errorsPerConnection[peer.n] = 0;
        return politePeer(peer, () => {
          errorsPerConnection[peer.n]!++;
          // Postfix's smtpd_hard_error_limit, lowered: the 6th error in a session is one too many.
          return errorsPerConnection[peer.n]! > 5 ? '421 4.7.0 Error: too many errors' : '550 5.1.1 User unknown';
        });
      },
      list,
      { errorBudget: 5 },
    );
    expect(outcome.deferral).toBeNull();
    expect([...outcome.recipients.values()].every((o) => o.evidence === 'own' && o.reply?.code === 550)).toBe(true);
    expect(Math.max(...errorsPerConnection.filter((n) => n !== undefined))).toBeLessThanOrEqual(5);
    expect(dialer.connections).toBe(4);
  });

  it('sends QUIT with the flight that will probably spend the budget, learning the refusal share from the batch', async () => {
    const list = addresses(20);
    const { outcome, dialer } = await run((peer) => politePeer(peer, () => '550 5.1.1 User unknown'), list);
    expect(dialer.connections).toBe(3);
    expect([...outcome.recipients.values()].every((o) => o.evidence === 'own' && o.reply?.code === 550)).toBe(true);
    // Nothing known at first (a refusal share of 1/2): 8 RCPTs, then QUIT in a round trip of its own.
    expect(of(outcome, 'user1@memory.test').roundTrips).toBe(4);
    // After 8 refusals of 8, the next session's first flight carries QUIT: greeting, EHLO, one flight.
    expect(of(outcome, 'user9@memory.test').roundTrips).toBe(3);
    const second = dialer.received.filter((r) => r.n === 2).map((r) => r.line.split(':')[0]);
    expect(second).toEqual(['EHLO verifier.memory.test', 'MAIL FROM', ...Array(8).fill('RCPT TO'), 'QUIT']);
  });

  it('follows up on a connection only while the budget leaves room for 2 RCPTs or for everything left', async () => {
    const list = addresses(11);
    // Every other address unknown: 8 RCPTs draw 4 refusals, 3 are left and fit the 4 of budget left.
    const { dialer } = await run((peer) => politePeer(peer, (a) => (Number(/\d+/.exec(a)![0]) % 2 === 0 ? '550 5.1.1 User unknown' : '250 2.1.5 Ok')), list);
    expect(dialer.connections).toBe(1);
    expect(dialer.received.filter((r) => r.line.startsWith('RCPT')).length).toBe(11);
  });

  it('takes newcomers for the domain into the running session, up to what one session covers', async () => {
    const all = addresses(10);
    const late = all.slice(2);
    const offered: number[] = [];
    const { outcome, dialer } = await run(
      (peer) => politePeer(peer, () => '250 2.1.5 Ok'),
      all.slice(0, 2),
      {},
      1,
      (max, accepts) => {
        offered.push(max);
        return late.splice(0, max).filter(accepts);
      },
    );
    // Two asked at first, five joined (7 per session within a budget of 8), three left for later.
    expect(dialer.connections).toBe(1);
    expect(offered[0]).toBe(5);
    expect(outcome.recipients.size).toBe(7);
    expect([...outcome.recipients.values()].every((o) => o.evidence === 'own' && o.reply?.code === 250)).toBe(true);
    expect(late.map((a) => a.normalized)).toEqual(['user8@memory.test', 'user9@memory.test', 'user10@memory.test']);
    // One flight: MAIL, 7 RCPTs and QUIT together.
    expect(of(outcome, 'user7@memory.test').roundTrips).toBe(3);
  });

  it('asks the catch-all probe once, pipelined with the first chunk, across parallel sessions', async () => {
    const list = addresses(30);
    const { outcome, dialer } = await run(
      (peer) => politePeer(peer, (a) => (a.startsWith('probe0random') ? '550 5.1.1 User unknown' : '250 2.1.5 Ok')),
      list,
      { probeCatchAll: true, errorBudget: 8 },
      2,
    );
    expect(dialer.received.filter((r) => r.line.includes('probe0random'))).toHaveLength(1);
    expect(outcome.catchAll).toBe(false);
    expect(outcome.recipients.size).toBe(30);
    expect(dialer.connections).toBe(2);
  });

  it('lets another session ask the probe when the one that claimed it lost its connection', async () => {
    const list = addresses(3);
    const { outcome } = await run(
      (peer) =>
        peer.n === 1
          ? (async () => {
              peer.write('220 memory.test ESMTP\r\n');
              await peer.readLine();
              peer.write('250-memory.test\r\n250 PIPELINING\r\n');
              await peer.readLine();
              peer.end();
            })()
          : politePeer(peer, (a) => (a.startsWith('probe0random') ? '250 2.1.5 Ok' : '250 2.1.5 Ok')),
      list,
      { probeCatchAll: true },
    );
    // The hang-up deferred the batch: nobody borrowed an answer, the probe was not settled.
    expect(outcome.deferral).toMatchObject({ reply: null });
    expect(outcome.catchAll).toBeNull();
    for (const o of outcome.recipients.values()) expect(o.reply).toBeNull();
  });

  it('refused sender: every address quotes the MAIL reply, marked as the session\'s', async () => {
    const list = addresses(3);
    const { outcome } = await run(async (peer) => {
      peer.write('220 memory.test ESMTP\r\n');
      await peer.readLine();
      peer.write('250-memory.test\r\n250 PIPELINING\r\n');
      await peer.readLine();
      peer.write('550 5.7.1 Sender rejected\r\n');
      for (let line = await peer.readLine(); line !== null && line !== 'QUIT'; line = await peer.readLine()) {
        peer.write('503 5.5.1 Error: need MAIL command\r\n');
      }
      peer.write('221 Bye\r\n');
      peer.end();
    }, list);
    for (const o of outcome.recipients.values()) expect(o).toMatchObject({ evidence: 'session', command: 'MAIL FROM', reply: { code: 550 } });
  });
});

describe('the RCPT budget is drawn right before each flight (takeRcptTokens)', () => {
  /** A bucket of `tokens` that logs each draw after the server lines received so far. */
  function bucket(tokens: number, log: string[]) {
    let left = tokens;
    return async (domain: string, wanted: number) => {
      const taken = Math.min(wanted, left);
      left -= taken;
      log.push(`take ${domain} ${wanted}->${taken}`);
      return taken;
    };
  }

  it('takes tokens after EHLO, for the flight and the probe; refused: QUIT, no reconnect, the rest not asked and quoting nothing', async () => {
    const list = addresses(12);
    const log: string[] = [];
    const { outcome, dialer } = await run(
      (peer) =>
        politePeer(peer, (a) => {
          log.push(`RCPT ${a}`);
          return a.startsWith('probe0random') ? '550 5.1.1 User unknown' : '250 2.1.5 Ok';
        }),
      list,
      { probeCatchAll: true, errorBudget: 8, takeRcptTokens: bucket(9, log) },
    );
    // 9 tokens: the first flight (7 addresses and the probe: the error budget's room), then 1 of
    // the 5 the second wanted; the third gets none.
    expect(dialer.received.filter((r) => r.line.startsWith('RCPT'))).toHaveLength(9);
    expect(log.filter((l) => l.startsWith('take'))).toEqual(['take memory.test 8->8', 'take memory.test 5->1', 'take memory.test 4->0']);
    // Each draw comes before the RCPTs it pays for, and after those of the flight before.
    expect(log.indexOf('take memory.test 8->8')).toBe(0);
    expect(log.indexOf('take memory.test 5->1')).toBeGreaterThan(log.indexOf('RCPT probe0random@memory.test'));
    expect(log.indexOf('take memory.test 5->1')).toBeLessThan(log.indexOf('RCPT user8@memory.test'));
    expect(dialer.connections).toBe(1);
    expect(dialer.received.at(-1)?.line).toBe('QUIT');
    for (const r of list.slice(0, 8)) expect(of(outcome, r.normalized)).toMatchObject({ evidence: 'own', command: 'RCPT TO', reply: { code: 250 } });
    for (const r of list.slice(8)) {
      const o = of(outcome, r.normalized);
      expect(o).toMatchObject({ evidence: 'not_asked', reply: null, command: null, failure: { failure: 'rationed' }, notAsked: { failure: { failure: 'rationed' }, rcptSent: false } });
      expect(o.transcript.some((e) => e.line.includes(r.normalized))).toBe(false);
    }
    expect(outcome.deferral).toBeNull();
  });

  it('an empty bucket: the session asks nothing and says QUIT', async () => {
    const list = addresses(3);
    const log: string[] = [];
    const { outcome, dialer } = await run((peer) => politePeer(peer, () => '250 2.1.5 Ok'), list, { probeCatchAll: true, takeRcptTokens: bucket(0, log) });
    expect(log).toEqual(['take memory.test 4->0']);
    expect(dialer.received.map((r) => r.line.split(' ')[0])).toEqual(['EHLO', 'QUIT']);
    expect([...outcome.recipients.values()].every((o) => o.evidence === 'not_asked' && o.failure?.failure === 'rationed')).toBe(true);
    expect(outcome.catchAll).toBeNull();
  });

  it('one token with the probe pending: no address goes without its probe, so none is asked', async () => {
    const list = addresses(3);
    const log: string[] = [];
    const { outcome, dialer } = await run((peer) => politePeer(peer, () => '250 2.1.5 Ok'), list, { probeCatchAll: true, takeRcptTokens: bucket(1, log) });
    expect(log).toEqual(['take memory.test 4->1']);
    expect(dialer.received.filter((r) => r.line.startsWith('RCPT'))).toHaveLength(0);
    expect([...outcome.recipients.values()].every((o) => o.evidence === 'not_asked' && o.reply === null && o.failure?.failure === 'rationed')).toBe(true);
  });

  it('without PIPELINING each single RCPT is paid for before it is sent', async () => {
    const list = addresses(4);
    const log: string[] = [];
    const { dialer } = await run((peer) => politePeer(peer, () => '250 2.1.5 Ok', { extensions: ['ENHANCEDSTATUSCODES'] }), list, { takeRcptTokens: bucket(2, log) });
    expect(dialer.received.filter((r) => r.line.startsWith('RCPT'))).toHaveLength(2);
    expect(log).toEqual(['take memory.test 1->1', 'take memory.test 1->1', 'take memory.test 1->0']);
  });
});

describe('replies out of step end the session', () => {
  it('an unsolicited reply after the greeting: protocol error, nobody gets an answer', async () => {
    const list = addresses(2, (i) => (i === 1 ? 'unknown' : 'alice'));
    const { outcome } = await run(
      (peer) => {
        peer.write('220 memory.test ESMTP\r\n250 2.1.5 Ok\r\n');
        return politePeer(peer, (a) => (a.startsWith('alice') ? '250 2.1.5 Ok' : '550 5.1.1 User unknown'), { banner: null });
      },
      list,
    );
    for (const o of outcome.recipients.values()) {
      expect(o.reply).toBeNull();
      expect(o.failure).toMatchObject({ failure: 'protocol_error', message: expect.stringMatching(/no command was waiting/) });
    }
  });

  it('a duplicated reply: protocol error before any pairing is trusted', async () => {
    const list = addresses(2, (i) => (i === 1 ? 'unknown' : 'alice'));
    const { outcome } = await run(
      async (peer) => {
        peer.write('220 memory.test ESMTP\r\n');
        await peer.readLine();
        peer.write('250-memory.test\r\n250 PIPELINING\r\n');
        await peer.readLine();
        peer.write('250 2.1.0 Ok\r\n250 2.1.0 Ok\r\n');
        for (let line = await peer.readLine(); line !== null; line = await peer.readLine()) {
          if (line === 'QUIT') return peer.write('221 Bye\r\n');
          peer.write(line.includes('alice') ? '250 2.1.5 Ok\r\n' : '550 5.1.1 User unknown\r\n');
        }
      },
      list,
      { probeCatchAll: true },
    );
    expect(outcome.catchAll).toBeNull();
    for (const o of outcome.recipients.values()) {
      expect(o.reply).toBeNull();
      expect(o.failure?.failure).toBe('protocol_error');
    }
  });

  it('a reply split across packets mid-pipeline is read whole and paired right', async () => {
    const list = addresses(2, (i) => (i === 1 ? 'unknown' : 'alice'));
    const { outcome } = await run(
      async (peer) => {
        peer.write('220 memory.test ESMTP\r\n');
        await peer.readLine();
        peer.write('250-memory.test\r\n250 PIPELINING\r\n');
        for (const line of [await peer.readLine(), await peer.readLine(), await peer.readLine()]) expect(line).not.toBeNull();
        for (const piece of ['250 2.1.0 Ok\r\n550-5.1.1 The account', ' does not exist\r\n550 5.1.1 ', 'see https://example.test\r\n25', '0 2.1.5 Ok\r\n']) {
          peer.write(piece);
          await new Promise((r) => setTimeout(r, 5));
        }
        await peer.readLine();
        peer.write('221 Bye\r\n');
        peer.end();
      },
      list,
    );
    expect(of(outcome, 'unknown@memory.test')).toMatchObject({ evidence: 'own', reply: { code: 550, text: 'The account does not exist\nsee https://example.test' } });
    expect(of(outcome, 'alice2@memory.test')).toBeUndefined();
    expect([...outcome.recipients.values()].find((o) => o.reply?.code === 250)).toBeDefined();
  });
});

describe('the answer does not wait for the goodbye', () => {
  /** Answers RCPTs at once, and QUIT's 221 only after `byeAfterMs`, as a separate packet. */
  const slowGoodbye = (byeAfterMs: number, bye = '221 2.0.0 Bye') => async (peer: MemoryPeer) => {
    peer.write('220 memory.test ESMTP\r\n');
    for (let line = await peer.readLine(); line !== null; line = await peer.readLine()) {
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') peer.write('250-memory.test\r\n250 PIPELINING\r\n');
      else if (verb === 'MAIL') peer.write('250 2.1.0 Ok\r\n');
      else if (verb === 'RCPT') peer.write(line.includes('alice') ? '250 2.1.5 Ok\r\n' : '550 5.1.1 User unknown\r\n');
      else if (verb === 'QUIT') {
        await new Promise((r) => setTimeout(r, byeAfterMs));
        peer.write(`${bye}\r\n`);
        return peer.end();
      }
    }
  };

  it('answers once the RCPT replies are in, though the 221 comes 1.5 s later; the slot is held until the connection closes', async () => {
    const list = addresses(2, (i) => (i === 1 ? 'alice' : 'unknown'));
    const events: string[] = [];
    const started = performance.now();
    const dialer = memoryDialer(slowGoodbye(1500));
    const options: SessionOptions = {
      helo: 'verifier.memory.test', from: '', tls: 'auto', port: 25,
      connectTimeoutMs: 1000, greetingTimeoutMs: 1000, commandTimeoutMs: 1000, maxRcptPerSession: 50, errorBudget: 8,
      dial: dialer.dial, probeCatchAll: true, randomLocalPart: () => 'probe0random',
      acquireSlot: async () => () => events.push(`released ${Math.round(performance.now() - started)}`),
    };
    const outcome = await runSmtpBatch([target], list, options, { signal: new AbortController().signal, startedAt: started });
    const answeredMs = performance.now() - started;
    events.push('answered');
    expect(of(outcome, 'alice@memory.test')).toMatchObject({ evidence: 'own', reply: { code: 250 } });
    expect(of(outcome, 'unknown@memory.test')).toMatchObject({ evidence: 'own', reply: { code: 550 } });
    expect(outcome.catchAll).toBe(false);
    expect(answeredMs).toBeLessThan(1000);
    await dialer.settled();
    await new Promise((r) => setTimeout(r, 50));
    // Politeness: the connection's slot went back only after the 221 and the close.
    expect(events[0]).toBe('answered');
    expect(Number(events[1]!.split(' ')[1])).toBeGreaterThanOrEqual(1400);
  });

  it('a goodbye out of step that comes within the grace still ends it as a protocol error', async () => {
    const list = addresses(2, (i) => (i === 1 ? 'alice' : 'unknown'));
    const { outcome } = await run(slowGoodbye(20, '250 2.1.5 Ok'), list, { probeCatchAll: true, proofGraceMs: 500 });
    expect(outcome.catchAll).toBeNull();
    for (const o of outcome.recipients.values()) {
      expect(o.reply).toBeNull();
      expect(o.failure).toMatchObject({ failure: 'protocol_error', message: expect.stringMatching(/cannot answer QUIT/) });
    }
  });
});
