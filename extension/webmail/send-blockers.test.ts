import type { VerificationResult } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import { INITIAL_BADGE_STATE, type BadgeState } from '@/components/badge/badge-state';
import { sampleResult } from '@/test-support/scripted-daemon';
import { sendBlockers } from './send-blockers';

function done(address: string, verdict: VerificationResult['verdict'], reason: VerificationResult['reason'], over: Partial<VerificationResult> = {}): BadgeState {
  return { ...INITIAL_BADGE_STATE, address, committed: true, verdict, check: { kind: 'done', result: sampleResult(address, { verdict, reason, ...over }), cached: false } };
}

const userUnknown = { reply: { code: 550, enhanced: '5.1.1', text: 'User unknown', command: 'RCPT TO' } } as const;

describe('which recipients stop a Send', () => {
  it('stops for a mailbox that does not exist, quoting the server’s code, and for a domain that takes no mail', () => {
    const blockers = sendBlockers([
      { kind: 'to', state: done('ok@valid.test', 'deliverable', 'accepted') },
      { kind: 'to', state: done('nobody@example.com', 'undeliverable', 'mailbox_not_found', userUnknown) },
      { kind: 'bcc', state: done('alice@nullmx.test', 'undeliverable', 'null_mx', { reply: null }) },
    ]);
    expect(blockers).toEqual([
      { address: 'nobody@example.com', kind: 'to', suggestion: null, text: 'nobody@example.com does not exist (550 5.1.1).' },
      { address: 'alice@nullmx.test', kind: 'bcc', suggestion: null, text: 'alice@nullmx.test: domain accepts no mail (null MX).' },
    ]);
  });

  it('never stops for risky, unknown, offline or still-checking recipients', () => {
    const checking: BadgeState = { ...INITIAL_BADGE_STATE, address: 'slow@silent.test', committed: true, verdict: 'checking' };
    const offline: BadgeState = { ...checking, address: 'later@valid.test', verdict: 'offline' };
    expect(
      sendBlockers([
        { kind: 'to', state: done('x@catchall.test', 'risky', 'catch_all') },
        { kind: 'to', state: done('grey@greylist.test', 'unknown', 'greylisted') },
        { kind: 'cc', state: checking },
        { kind: 'cc', state: offline },
      ]),
    ).toEqual([]);
  });

  it('stops for a likely typo, checked or not, with its fix; not when the server said the address exists', () => {
    const typo: BadgeState = { ...INITIAL_BADGE_STATE, address: 'carol@gmial.com', committed: true, verdict: 'checking', suggestion: 'carol@gmail.com' };
    const accepted = { ...done('dave@gmial.com', 'deliverable', 'accepted'), suggestion: 'dave@gmail.com' };
    const bounced = { ...done('erin@yaho.com', 'undeliverable', 'mailbox_not_found', userUnknown), suggestion: 'erin@yahoo.com' };
    expect(sendBlockers([{ kind: 'to', state: typo }, { kind: 'cc', state: typo }, { kind: 'to', state: accepted }, { kind: 'to', state: bounced }])).toEqual([
      { address: 'carol@gmial.com', kind: 'to', suggestion: 'carol@gmail.com', text: 'carol@gmial.com looks like a typo. Did you mean carol@gmail.com?' },
      { address: 'erin@yaho.com', kind: 'to', suggestion: 'erin@yahoo.com', text: 'erin@yaho.com does not exist (550 5.1.1). Did you mean erin@yahoo.com?' },
    ]);
  });

  it('stops for something that is not an address at all, once committed', () => {
    const invalid: BadgeState = { ...INITIAL_BADGE_STATE, address: 'bob@', committed: true, verdict: 'invalid', syntaxError: 'the domain is missing' };
    expect(sendBlockers([{ kind: 'to', state: invalid }]).map((b) => b.text)).toEqual(['bob@ is not a valid email address: the domain is missing.']);
    expect(sendBlockers([{ kind: 'to', state: { ...invalid, committed: false, verdict: 'idle' } }])).toEqual([]);
  });
});
