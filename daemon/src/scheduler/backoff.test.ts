import type { VerificationResult } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import { Backoff, said421 } from './backoff';

const result = (reply: VerificationResult['reply'], lines: string[] = []): VerificationResult =>
  ({ reply, transcript: lines.map((line, t) => ({ t, dir: line.startsWith('>') ? '>' : '<', line: line.replace(/^[<>] /, '') })) }) as VerificationResult;

describe('said421', () => {
  it('sees a 421 as the deciding reply', () => {
    expect(said421(result({ code: 421, enhanced: '4.7.0', text: 'mx.example Error: too many connections', command: 'greeting' }))).toBe(true);
  });

  it('sees a 421 earlier in the conversation, before a reconnection answered', () => {
    const lines = ['< 220 mx ESMTP', '> RCPT TO:<a@x.test>', '< 421 4.7.0 mx Error: too many errors', '< 250 2.1.5 Ok'];
    expect(said421(result({ code: 250, enhanced: '2.1.5', text: 'Ok', command: 'RCPT TO' }, lines))).toBe(true);
  });

  it('does not take 4210 or a 421 we sent for one', () => {
    expect(said421(result(null, ['< 4210 odd', '> 421 not a reply']))).toBe(false);
    expect(said421(result({ code: 450, enhanced: '4.2.0', text: 'Greylisted', command: 'RCPT TO' }))).toBe(false);
  });
});

describe('Backoff', () => {
  it('holds a key for the given time, by the injected clock', () => {
    let t = 0;
    const b = new Backoff(() => t);
    b.set('domain:x.test', 60_000);
    expect(b.msLeft('domain:x.test')).toBe(60_000);
    expect(b.msLeft('domain:y.test', null)).toBe(0);
    t = 59_000;
    expect(b.msLeft('domain:y.test', 'domain:x.test')).toBe(1000);
    t = 60_000;
    expect(b.msLeft('domain:x.test')).toBe(0);
  });

  it('never shortens a running backoff', () => {
    let t = 0;
    const b = new Backoff(() => t);
    b.set('ip:127.0.0.1', 60_000);
    b.set('ip:127.0.0.1', 1000);
    expect(b.msLeft('ip:127.0.0.1')).toBe(60_000);
  });
});
