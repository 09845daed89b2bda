import type { Reason } from '@mailping/shared';
import { politeConversation, type Script, type ScriptedConnection } from '../support/scripted-smtp-server';

/**
 * Mail servers that misbehave on purpose, one per scripted-N.test (N 20-29 belong to
 * tests/robustness): what each does, and the `unknown` reason the daemon must answer with.
 */
export interface HostileCase {
  n: number;
  name: string;
  script: Script;
  reason: Reason;
  /** The answer cannot come before this (a timeout that must run out first). */
  notBeforeMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gone = (c: ScriptedConnection): boolean => c.socket.destroyed || !c.socket.writable;

/** Writes `line` again and again, as fast as the client reads, until it hangs up. */
async function flood(c: ScriptedConnection, line: string): Promise<void> {
  const chunk = Buffer.from(line.repeat(256));
  while (!gone(c)) {
    if (!c.socket.write(chunk)) await new Promise((r) => (c.socket.once('drain', r), c.socket.once('close', r)));
  }
}

export function hostileCases(timeouts: { greetingMs: number }): HostileCase[] {
  return [
    {
      n: 20,
      name: 'accepts the connection and never greets',
      script: () => {},
      reason: 'timeout',
      notBeforeMs: timeouts.greetingMs,
    },
    {
      n: 21,
      name: 'greets one byte per second (a tarpit)',
      script: async (c) => {
        for (const ch of '220 drip.test ESMTP tarpit\r\n') {
          if (gone(c)) return;
          c.write(ch);
          await sleep(1000);
        }
      },
      reason: 'timeout',
      notBeforeMs: timeouts.greetingMs,
    },
    {
      n: 22,
      name: 'greets with a 1 MB line',
      script: (c) => c.write(`220 ${'x'.repeat(1024 * 1024)}\r\n`),
      reason: 'protocol_error',
    },
    {
      n: 23,
      name: 'answers EHLO with an endless multi-line reply',
      script: async (c) => {
        c.write('220 flood.test ESMTP\r\n');
        await c.readLine();
        await flood(c, '250-flood.test says more\r\n');
      },
      reason: 'protocol_error',
    },
    {
      n: 24,
      name: 'closes in the middle of its EHLO reply',
      script: async (c) => {
        c.write('220 half.test ESMTP\r\n');
        await c.readLine();
        c.write('250-half.test\r\n250-PIPELI');
        c.socket.end();
      },
      reason: 'connection_failed',
    },
    {
      n: 25,
      name: 'resets the connection at MAIL FROM',
      script: async (c) => {
        c.write('220 reset.test ESMTP\r\n');
        await c.readLine();
        c.write('250-reset.test\r\n250 PIPELINING\r\n');
        await c.readLine();
        c.socket.resetAndDestroy();
      },
      reason: 'connection_failed',
    },
    {
      n: 26,
      name: 'demands STARTTLS, says 220, then fails the TLS handshake',
      script: async (c) => {
        c.write('220 notls.test ESMTP\r\n');
        for (;;) {
          const line = await c.readLine();
          if (line === null) return;
          const verb = line.slice(0, 8).toUpperCase();
          if (verb.startsWith('EHLO')) c.write('250-notls.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
          else if (verb.startsWith('MAIL')) c.write('530 5.7.0 Must issue a STARTTLS command first\r\n');
          else if (verb.startsWith('RCPT')) c.write('503 5.5.1 Error: need MAIL command\r\n');
          else if (verb === 'STARTTLS') {
            c.write('220 2.0.0 Ready to start TLS\r\n');
            // Whatever the client's ClientHello says, what comes back is not TLS.
            await c.readLine(500);
            c.write('this is not a TLS record, it is plain text\r\n');
            c.socket.end();
            return;
          } else c.write('250 2.0.0 Ok\r\n');
        }
      },
      reason: 'protocol_error',
    },
    {
      n: 27,
      name: 'answers RCPT with a reply code outside SMTP (600)',
      script: (c) => politeConversation(c, () => '600 6.0.0 what is this', { banner: '220 odd.test ESMTP' }),
      reason: 'protocol_error',
    },
  ];
}

/**
 * scripted-28.test: answers the first two RCPTs it is asked, then says 421 to the third and hangs
 * up in the middle of the batch; every RCPT after that is answered. Every address must still get
 * its real answer: good… exist, bad… do not. The count runs across connections: the daemon's
 * batches follow how the WebSocket frames arrive (under load the list may come in two reads, so
 * two sessions), and the third address asked must meet the 421 however the list was split.
 */
export const MID_BATCH_421 = 28;

/** When midBatch421 said its 421, and when each connection came (politeness is checked against these). */
export interface MidBatchLog {
  deferredAt: number | null;
  connectedAt: number[];
}

export function midBatch421(log: MidBatchLog = { deferredAt: null, connectedAt: [] }): Script {
  let rcpts = 0;
  return async (c) => {
    log.connectedAt.push(Date.now());
    await politeConversation(c, (address) => {
      rcpts++;
      if (rcpts === 3) {
        log.deferredAt = Date.now();
        setImmediate(() => c.socket.end());
        return '421 4.7.0 batch.test Error: too many errors';
      }
      return address.startsWith('good') ? '250 2.1.5 Ok' : '550 5.1.1 User unknown';
    });
  };
}
