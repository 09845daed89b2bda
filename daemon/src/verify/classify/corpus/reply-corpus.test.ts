import { verdictOf } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import { ReplyParser, type Reply } from '../../smtp/reply-parser';
import type { RecipientOutcome } from '../../smtp/session';
import { classifySmtp } from '../classify';
import { loadReplyCorpus, wireOf, type CorpusRow } from './reply-corpus';

const corpus = loadReplyCorpus();

function outcomeOf(row: CorpusRow): RecipientOutcome {
  const parsed = new ReplyParser().push(`${wireOf(row)}\r\n`);
  expect(parsed).toHaveLength(1);
  return {
    reply: parsed[0] as Reply,
    command: row.command,
    failure: null,
    target: { host: 'mx.example.test', ip: '192.0.2.1', preference: 10 },
    tls: false,
    pipelining: true,
    roundTrips: 4,
    transcript: [],
  };
}

describe('the reply corpus', () => {
  it('holds at least 500 replies, each with its source', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(500);
    expect(new Set(corpus.map((r) => r.id)).size).toBe(corpus.length);
    for (const row of corpus) expect(verdictOf(row.expected.reason), `row ${row.id}`).toBe(row.expected.verdict);
  });

  it('parses every reply back to the code and enhanced code it was stored with', () => {
    for (const row of corpus) {
      const reply = outcomeOf(row).reply!;
      expect({ id: row.id, code: reply.code, enhanced: reply.enhanced }).toEqual({ id: row.id, code: row.reply.code, enhanced: row.reply.enhanced });
    }
  });
});

describe('classifySmtp on real replies (corpus/replies.jsonl)', () => {
  it.each(corpus.map((row) => [row.id, row.command, wireOf(row).slice(0, 120), row] as const))(
    '#%i %s: %s',
    (_id, _command, _wire, row) => {
      const c = classifySmtp(outcomeOf(row), false);
      expect({ reason: c.reason, rule: c.rule }).toMatchObject({ reason: row.expected.reason });
      expect(verdictOf(c.reason)).toBe(row.expected.verdict);
    },
  );

  it('never says undeliverable for a reply the corpus marks as being about us', () => {
    for (const row of corpus.filter((r) => r.expected.reason === 'blocked')) {
      expect(verdictOf(classifySmtp(outcomeOf(row), false).reason), `row ${row.id}: ${wireOf(row)}`).toBe('unknown');
    }
  });
});
