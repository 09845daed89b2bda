import type { VerificationResult } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import { sampleResult } from '@/test-support/scripted-daemon';
import { INITIAL_BADGE_STATE, type BadgeState } from '@/components/badge/badge-state';
import { noticeEntries, noticeTitle } from './notice-model';

function done(address: string, verdict: VerificationResult['verdict'], reason: VerificationResult['reason']): BadgeState {
  return { ...INITIAL_BADGE_STATE, address, committed: true, verdict, check: { kind: 'done', result: sampleResult(address, { verdict, reason }), cached: false } };
}

describe('the compose notice’s list', () => {
  it('lists undeliverable, invalid and risky recipients with the reason in plain words, worst first', () => {
    const entries = noticeEntries([
      { kind: 'to', state: done('ok@valid.test', 'deliverable', 'accepted') },
      { kind: 'cc', state: done('x@catchall.test', 'risky', 'catch_all') },
      { kind: 'to', state: done('nobody@valid.test', 'undeliverable', 'mailbox_not_found') },
      { kind: 'bcc', state: done('alice@nullmx.test', 'undeliverable', 'null_mx') },
      { kind: 'to', state: { ...INITIAL_BADGE_STATE, address: 'bob@', committed: true, verdict: 'invalid', syntaxError: 'the domain is missing' } },
      { kind: 'to', state: done('slow@silent.test', 'unknown', 'timeout') },
    ]);
    expect(entries.map((e) => [e.address, e.kind, e.reason])).toEqual([
      ['nobody@valid.test', 'to', 'mailbox does not exist'],
      ['alice@nullmx.test', 'bcc', 'domain accepts no mail (null MX)'],
      ['bob@', 'to', 'the domain is missing'],
      ['x@catchall.test', 'cc', 'catch-all domain: any address is accepted'],
    ]);
  });

  it('lists a likely typo with its suggestion even while the verdict is open, first, once per address', () => {
    const typo = { ...INITIAL_BADGE_STATE, address: 'carol@gmial.com', committed: true, verdict: 'checking' as const, suggestion: 'carol@gmail.com' };
    const entries = noticeEntries([
      { kind: 'to', state: done('nobody@valid.test', 'undeliverable', 'mailbox_not_found') },
      { kind: 'to', state: typo },
      { kind: 'cc', state: typo },
    ]);
    expect(entries).toEqual([
      { address: 'carol@gmial.com', kind: 'to', state: 'checking', reason: 'looks like a typo', suggestion: 'carol@gmail.com' },
      expect.objectContaining({ address: 'nobody@valid.test' }),
    ]);
    expect(noticeTitle(1)).toBe('1 recipient needs a look');
    expect(noticeTitle(3)).toBe('3 recipients need a look');
  });
});
