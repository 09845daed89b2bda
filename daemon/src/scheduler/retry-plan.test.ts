import type { VerificationResult } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import { retryIn } from './retry-plan';

const delays = { greylistMs: 300_000, backoffMs: 60_000 };
const result = (partial: Partial<VerificationResult>): VerificationResult =>
  ({ reason: 'accepted', reply: null, smtp: null, transcript: [], ...partial }) as VerificationResult;
const smtp = { host: 'mx.x.test', ip: '192.0.2.1', port: 25, tls: false, pipelining: true, catchAll: null, roundTrips: 3, connections: 1 };

describe('retryIn', () => {
  it('waits out a deferral for the backoff, whatever the reason says', () => {
    const deferral = { host: 'mx.x.test', ip: '192.0.2.1', code: 421, until: new Date().toISOString() };
    expect(retryIn(result({ reason: 'temporary_failure', smtp: { ...smtp, deferral } }), delays)).toBe(60_000);
  });

  it('retries greylisting and a 4xx to the address itself after the greylisting delay', () => {
    expect(retryIn(result({ reason: 'greylisted', reply: { code: 450, enhanced: '4.2.0', text: 'Greylisted', command: 'RCPT TO' } }), delays)).toBe(300_000);
    expect(retryIn(result({ reason: 'temporary_failure', reply: { code: 451, enhanced: '4.3.0', text: 'Try later', command: 'RCPT TO' } }), delays)).toBe(300_000);
  });

  it('does not retry final answers, nor failures no reply said would pass', () => {
    expect(retryIn(result({ reason: 'accepted', reply: { code: 250, enhanced: '2.1.5', text: 'Ok', command: 'RCPT TO' } }), delays)).toBeNull();
    expect(retryIn(result({ reason: 'mailbox_not_found' }), delays)).toBeNull();
    expect(retryIn(result({ reason: 'timeout' }), delays)).toBeNull();
    // The 421 is in the transcript only (another connection's): no longer read from there.
    expect(retryIn(result({ reason: 'accepted', transcript: [{ t: 1, dir: '<', line: '421 4.7.0 too many errors' }] }), delays)).toBeNull();
  });
});
