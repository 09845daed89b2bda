import type { VerificationResult } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import type { Scheduler } from '../scheduler/types';
import { createDaemonMetrics } from './daemon-metrics';

const scheduler = { stats: () => ({ queued: 7, inFlight: 3, sessions: 2, pendingRetries: 1 }) } as unknown as Scheduler;

function result(over: Partial<VerificationResult>): VerificationResult {
  return {
    address: 'a@x.test',
    normalized: 'a@x.test',
    verdict: 'deliverable',
    reason: 'accepted',
    detail: '',
    mx: { host: 'mx.x.test', ip: '192.0.2.25' },
    reply: null,
    flags: { disposable: false, roleAccount: false, freeProvider: false },
    suggestion: null,
    syntax: { valid: true, domain: 'x.test' },
    dns: null,
    smtp: null,
    transcript: [],
    timings: { syntaxMs: 0, dnsMs: 0, smtpMs: 0, totalMs: 0 },
    checkedAt: '2026-12-04T00:00:00Z',
    retryAt: null,
    ...over,
  } as VerificationResult;
}

describe('daemon metrics', () => {
  it('exposes queue depth, verdicts, cache hits, RCPTs per domain, sessions and 421s per MX IP', async () => {
    const metrics = createDaemonMetrics(scheduler);
    metrics.observe(
      result({
        transcript: [
          { t: 0, dir: '*', line: 'connect mx.x.test [192.0.2.25]:25' },
          { t: 1, dir: '>', line: 'RCPT TO:<a@x.test>' },
          { t: 2, dir: '>', line: 'RCPT TO:<probe@x.test>' },
          { t: 3, dir: '<', line: '421 4.7.0 too many connections' },
        ],
      }),
      false,
    );
    metrics.observe(result({}), true);
    const text = await (await metrics.registry()).metrics();
    expect(text).toContain('mailping_queue_depth 7');
    expect(text).toContain('mailping_smtp_sessions 2');
    expect(text).toContain('mailping_verdicts_total{verdict="deliverable",reason="accepted"} 2');
    expect(text).toContain('mailping_cache_hits_total 1');
    expect(text).toContain('mailping_rcpt_total{domain="x.test"} 2');
    expect(text).toContain('mailping_mx_sessions_total{mx_ip="192.0.2.25"} 1');
    expect(text).toContain('mailping_smtp_421_total{mx_ip="192.0.2.25"} 1');
    // Answers after the first scrape count on the same registry.
    metrics.observe(result({}), true);
    const later = await (await metrics.registry()).metrics();
    expect(later).toContain('mailping_verdicts_total{verdict="deliverable",reason="accepted"} 3');
    expect(later).toContain('mailping_cache_hits_total 2');
  });
});
