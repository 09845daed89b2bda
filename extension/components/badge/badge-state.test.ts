import type { VerificationResult } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import type { CheckState } from '@/lib/messages';
import { sampleResult } from '@/test-support/scripted-daemon';
import { badgeTransition, INITIAL_BADGE_STATE, type BadgeEvent, type BadgeState } from './badge-state';

function run(events: BadgeEvent[], start: BadgeState = INITIAL_BADGE_STATE) {
  let state = start;
  const effects = [];
  for (const event of events) {
    const t = badgeTransition(state, event);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

const done = (address: string, over: Partial<VerificationResult> = {}): CheckState => ({
  kind: 'done',
  result: sampleResult(address, over),
  cached: false,
});

describe('badge state machine', () => {
  it('never asks anyone while the person types, only on commit', () => {
    const typing = ['a', 'al', 'ali', 'alice@', 'alice@ex', 'alice@example.com'].map((value) => ({ type: 'typed', value }) as const);
    const { state, effects } = run([...typing, { type: 'paused', value: 'alice@example.com' }]);
    expect(effects).toEqual([]);
    expect(state).toMatchObject({ verdict: 'idle', address: 'alice@example.com', committed: false });

    const committed = badgeTransition(state, { type: 'committed', value: 'alice@example.com' });
    expect(committed.state.verdict).toBe('checking');
    expect(committed.effects).toEqual([{ type: 'watch', address: 'alice@example.com', fresh: false }]);
  });

  it('offers a typo suggestion after a pause, without a verdict', () => {
    const { state, effects } = run([
      { type: 'typed', value: 'bob@gmial.com' },
      { type: 'paused', value: 'bob@gmial.com' },
    ]);
    expect(effects).toEqual([]);
    expect(state).toMatchObject({ verdict: 'idle', suggestion: 'bob@gmail.com' });
  });

  it('keeps a half-typed address a hint while typing, and marks it invalid on commit without asking', () => {
    const paused = run([
      { type: 'typed', value: 'bob@' },
      { type: 'paused', value: 'bob@' },
    ]);
    expect(paused.state.verdict).toBe('idle');
    expect(paused.state.syntaxError).toMatch(/after the "@"/);

    const committed = badgeTransition(paused.state, { type: 'committed', value: 'bob@' });
    expect(committed.state.verdict).toBe('invalid');
    expect(committed.effects).toEqual([]);
  });

  it('goes checking → deliverable, and stops watching once answered', () => {
    const { state, effects } = run([
      { type: 'committed', value: ' alice@valid.test ' },
      { type: 'checked', address: 'alice@valid.test', state: { kind: 'checking', stage: 'rcpt' } },
      { type: 'checked', address: 'alice@valid.test', state: done('alice@valid.test') },
    ]);
    expect(state.verdict).toBe('deliverable');
    expect(effects).toEqual([
      { type: 'watch', address: 'alice@valid.test', fresh: false },
      { type: 'unwatch', address: 'alice@valid.test' },
    ]);
  });

  it.each([
    ['undeliverable', { verdict: 'undeliverable', reason: 'mailbox_not_found' }],
    ['risky', { verdict: 'risky', reason: 'catch_all' }],
    ['unknown', { verdict: 'unknown', reason: 'timeout' }],
    ['invalid', { verdict: 'undeliverable', reason: 'invalid_syntax' }],
  ] as const)('shows %s for that answer', (expected, over) => {
    const { state } = run([
      { type: 'committed', value: 'x@valid.test' },
      { type: 'checked', address: 'x@valid.test', state: done('x@valid.test', over) },
    ]);
    expect(state.verdict).toBe(expected);
  });

  it('says offline while the daemon is away, and keeps watching so the check finishes by itself', () => {
    const { state, effects } = run([
      { type: 'committed', value: 'alice@valid.test' },
      { type: 'checked', address: 'alice@valid.test', state: { kind: 'waiting', status: { kind: 'not_running', nextAttemptAt: null } } },
    ]);
    expect(state.verdict).toBe('offline');
    expect(effects).toEqual([{ type: 'watch', address: 'alice@valid.test', fresh: false }]);
    const back = run([{ type: 'checked', address: 'alice@valid.test', state: done('alice@valid.test') }], state);
    expect(back.state.verdict).toBe('deliverable');
    expect(back.effects).toEqual([{ type: 'unwatch', address: 'alice@valid.test' }]);
  });

  it('ignores an answer about a value the field no longer holds', () => {
    const { state, effects } = run([
      { type: 'committed', value: 'old@valid.test' },
      { type: 'typed', value: 'new@valid.test' },
      { type: 'checked', address: 'old@valid.test', state: done('old@valid.test') },
    ]);
    expect(state).toMatchObject({ verdict: 'idle', address: 'new@valid.test' });
    expect(effects).toEqual([
      { type: 'watch', address: 'old@valid.test', fresh: false },
      { type: 'unwatch', address: 'old@valid.test' },
    ]);
  });

  it('does not ask again when the person leaves the field a second time with the same value', () => {
    const first = run([{ type: 'committed', value: 'alice@valid.test' }]);
    const again = badgeTransition(first.state, { type: 'committed', value: 'alice@valid.test' });
    expect(again.effects).toEqual([]);
    expect(again.state).toBe(first.state);
  });

  it('shows what is known about a pre-filled value without starting a check', () => {
    const found = run([{ type: 'found', value: 'alice@valid.test' }]);
    expect(found.effects).toEqual([{ type: 'peek', address: 'alice@valid.test' }]);
    expect(found.state.verdict).toBe('idle');
    const unknown = badgeTransition(found.state, { type: 'checked', address: 'alice@valid.test', state: null });
    expect(unknown.state.verdict).toBe('idle');
    const cachedChecking = badgeTransition(found.state, { type: 'checked', address: 'alice@valid.test', state: { kind: 'checking', stage: null } });
    expect(cachedChecking.state.verdict).toBe('idle');
    const known = badgeTransition(found.state, { type: 'checked', address: 'alice@valid.test', state: done('alice@valid.test') });
    expect(known.state).toMatchObject({ verdict: 'deliverable', committed: true });
    expect(known.effects).toEqual([]);
  });

  it('re-checks with fresh on request, and looks again when a greylisted answer says to', () => {
    const retryAt = new Date(Date.now() + 60_000).toISOString();
    const { state, effects } = run([
      { type: 'committed', value: 'grey@greylist.test' },
      { type: 'checked', address: 'grey@greylist.test', state: done('grey@greylist.test', { verdict: 'unknown', reason: 'greylisted', retryAt }) },
    ]);
    expect(state.verdict).toBe('unknown');
    expect(effects.at(-1)).toEqual({ type: 'recheckAt', address: 'grey@greylist.test', at: Date.parse(retryAt) + 5000 });
    const recheck = badgeTransition(state, { type: 'recheck', fresh: true });
    expect(recheck.state.verdict).toBe('checking');
    expect(recheck.effects).toEqual([{ type: 'watch', address: 'grey@greylist.test', fresh: true }]);
  });

  it('clears to idle when the field is emptied, and stops watching', () => {
    const { state, effects } = run([
      { type: 'committed', value: 'alice@valid.test' },
      { type: 'committed', value: '' },
    ]);
    expect(state).toEqual(INITIAL_BADGE_STATE);
    expect(effects.at(-1)).toEqual({ type: 'unwatch', address: 'alice@valid.test' });
  });

  it('takes the daemon\u2019s suggestion over the local one', () => {
    const { state } = run([
      { type: 'committed', value: 'bob@gmial.com' },
      { type: 'checked', address: 'bob@gmial.com', state: done('bob@gmial.com', { verdict: 'undeliverable', reason: 'no_such_domain', suggestion: 'bob@gmail.com' }) },
    ]);
    expect(state).toMatchObject({ verdict: 'undeliverable', suggestion: 'bob@gmail.com' });
  });
});
