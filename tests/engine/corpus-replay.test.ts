import { createVerifier } from '@mailping/daemon/verify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadReplyCorpus, wireOf, type CorpusRow } from '../../daemon/src/verify/classify/corpus/reply-corpus';
import { scriptedServerAddress } from '../lab/lab-table';
import { politeConversation, startScriptedServer, type ScriptedConnection, type ScriptedServer } from '../support/scripted-smtp-server';

/**
 * A sample of the reply corpus replayed through a real session: the scripted server on
 * scripted-30.test answers the command each row answered with that row's reply, and the engine
 * (parser, session, classifier, result) must give the row's answer and quote that very reply.
 * The whole corpus is replayed through the pure classifier in the unit tests.
 */
const lab = inject('lab');
const N = 30;
const domain = `scripted-${N}.test`;

/** Up to two rows of each answer and each command, full replies first: kinds, not volume. */
function sample(rows: CorpusRow[]): CorpusRow[] {
  const picked: CorpusRow[] = [];
  const count = new Map<string, number>();
  const ranked = [...rows].sort((a, b) => Number(a.kind === 'phrase') - Number(b.kind === 'phrase') || a.id - b.id);
  for (const row of ranked) {
    const key = `${row.command}/${row.expected.reason}`;
    if ((count.get(key) ?? 0) >= 2) continue;
    count.set(key, (count.get(key) ?? 0) + 1);
    picked.push(row);
  }
  return picked;
}

const rows = sample(loadReplyCorpus());
const byLocalPart = new Map(rows.map((row) => [`row${row.id}`, row]));
let server: ScriptedServer;

/** Answers like a well-behaved server except for the one command the row is about. */
async function replay(c: ScriptedConnection): Promise<void> {
  // Greeting, EHLO and MAIL rows are answered before the client names an address, so each test
  // sets `current` and verifies its one address alone (tests in a file run one after another).
  const row = current;
  const wire = row ? wireOf(row) : '';
  if (row?.command === 'greeting') {
    c.write(`${wire}\r\n`);
    for (let line = await c.readLine(2000); line !== null; line = await c.readLine(2000)) {
      if (line.toUpperCase() === 'QUIT') return void c.write('221 2.0.0 Bye\r\n');
      c.write('503 5.5.1 Error: bad sequence of commands\r\n');
    }
    return;
  }
  if (row?.command === 'EHLO' || row?.command === 'HELO' || row?.command === 'MAIL FROM') {
    c.write('220 scripted.test ESMTP\r\n');
    for (let line = await c.readLine(2000); line !== null; line = await c.readLine(2000)) {
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'QUIT') return void c.write('221 2.0.0 Bye\r\n');
      if (row.command === 'MAIL FROM') {
        if (verb === 'EHLO') c.write('250-scripted.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n');
        else if (verb === 'MAIL') c.write(`${wire}\r\n`);
        else c.write('503 5.5.1 Error: need MAIL command\r\n');
      } else if (verb === 'EHLO' || verb === 'HELO') c.write(`${wire}\r\n`);
      else c.write('503 5.5.1 Error: send HELO/EHLO first\r\n');
    }
    return;
  }
  await politeConversation(c, (address) => {
    const answer = byLocalPart.get(address.split('@')[0] ?? '');
    return answer ? wireOf(answer) : '550 5.1.1 <unknown>: Recipient address rejected: User unknown in virtual mailbox table';
  });
}

let current: CorpusRow | null = null;

const hello = (command: string) => (command === 'EHLO' || command === 'HELO' ? 'EHLO/HELO' : command);

beforeAll(async () => {
  server = await startScriptedServer(scriptedServerAddress(N), replay);
});

afterAll(async () => {
  await server?.close();
});

const verifier = () =>
  createVerifier({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    timeoutMs: 4000,
    connectTimeoutMs: 1000,
    greetingTimeoutMs: 1000,
    commandTimeoutMs: 1000,
  });

describe('a sample of real replies, replayed through a real session', () => {
  it('samples every kind of answer in the corpus', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.length).toBeLessThanOrEqual(40);
    expect(new Set(rows.map((r) => r.expected.reason)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(rows.map((r) => r.command)).size).toBeGreaterThanOrEqual(4);
  });

  it.each(rows.map((row) => [row.id, row.command, wireOf(row).slice(0, 100), row] as const))('#%i %s: %s', async (_id, _command, _wire, row) => {
    current = row;
    const result = (await verifier().verify([`row${row.id}@${domain}`]))[0]!;
    expect({ verdict: result.verdict, reason: result.reason }).toEqual(row.expected);
    // The result quotes the row's own reply, labelled with the command it answered (the engine
    // falls back from EHLO to HELO on 502, so a refused hello may be either).
    expect(result.reply).toMatchObject({ code: row.reply.code, enhanced: row.reply.enhanced, text: row.reply.text });
    expect(hello(result.reply!.command)).toBe(hello(row.command));
    expect(result.detail).toContain(`${row.reply.code}`);
  });
});
