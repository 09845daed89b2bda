import { describe, expect, it } from 'vitest';
import { sampleResult } from '@/test-support/scripted-daemon';
import { displayState, toolbarLook } from './check-display';

describe('what a check looks like, everywhere', () => {
  it('maps each state of a check to one display state', () => {
    expect(displayState(null)).toBe('idle');
    expect(displayState({ kind: 'checking', stage: 'rcpt' })).toBe('checking');
    expect(displayState({ kind: 'waiting', status: { kind: 'not_running', nextAttemptAt: null } })).toBe('offline');
    expect(displayState({ kind: 'failed', code: 'invalid_address', message: 'no @' })).toBe('invalid');
    expect(displayState({ kind: 'failed', code: 'internal', message: 'boom' })).toBe('unknown');
    const done = (over: Parameters<typeof sampleResult>[1]) => ({ kind: 'done' as const, result: sampleResult('a@valid.test', over), cached: false });
    expect(displayState(done({}))).toBe('deliverable');
    expect(displayState(done({ verdict: 'undeliverable', reason: 'invalid_syntax' }))).toBe('invalid');
    expect(displayState(done({ verdict: 'risky', reason: 'catch_all' }))).toBe('risky');
  });

  it('gives the toolbar a shape per state, in the icon’s colour', () => {
    const look = toolbarLook({ kind: 'done', result: sampleResult('nobody@valid.test', { verdict: 'undeliverable', reason: 'mailbox_not_found' }), cached: false });
    expect(look).toEqual({ text: '✗', color: '#cf222e' });
    expect(toolbarLook({ kind: 'checking', stage: 'rcpt' }).text).toBe('…');
  });
});
