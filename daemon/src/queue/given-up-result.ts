import { parseAddress, type VerificationResult } from '@mailping/shared';
import { addressFlags, loadAddressLists } from '../verify/flags';

/**
 * The answer for an address of a batch the queue gave up on (its attempts used, or it stalled
 * too often: workers crashed on it or lost Redis each time). No server was asked, so no reply,
 * MX or transcript: `unknown/not_verified`, with the queue's reason in the detail. It is not
 * cached (the worker never stores it there), so the next list asks again.
 */
export async function givenUpResult(address: string, why: string, now = new Date()): Promise<VerificationResult | null> {
  const parsed = parseAddress(address);
  if (!parsed.ok) return null;
  await loadAddressLists();
  const { normalized, local, domain, unicodeDomain } = parsed.address;
  return {
    address,
    normalized,
    verdict: 'unknown',
    reason: 'not_verified',
    detail: `not verified: the queue gave up on this address's batch (${why})`,
    mx: null,
    reply: null,
    flags: addressFlags(local, domain),
    suggestion: null,
    syntax: { valid: true, local, domain, unicodeDomain },
    dns: null,
    smtp: null,
    transcript: [],
    timings: { syntaxMs: 0, dnsMs: null, smtpMs: null, totalMs: 0 },
    checkedAt: now.toISOString(),
    retryAt: null,
  };
}
