import {
  suggestAddress,
  verdictOf,
  type DecidingReply,
  type DnsStage,
  type ParsedAddress,
  type SmtpStage,
  type SyntaxError,
  type Timings,
  type TranscriptEntry,
  type VerificationResult,
} from '@mailping/shared';
import type { Classification } from './classify/classify';
import { addressFlags } from './flags';

const NO_FLAGS = { disposable: false, roleAccount: false, freeProvider: false };

export function syntaxFailureResult(input: string, error: SyntaxError, timings: Timings): VerificationResult {
  return {
    address: input,
    normalized: null,
    verdict: 'undeliverable',
    reason: 'invalid_syntax',
    detail: error.message,
    mx: null,
    reply: null,
    flags: NO_FLAGS,
    suggestion: null,
    syntax: { valid: false, error: { code: error.code, message: error.message } },
    dns: null,
    smtp: null,
    transcript: [],
    timings,
    checkedAt: new Date().toISOString(),
    retryAt: null,
  };
}

export interface Evidence {
  classification: Classification;
  dns: DnsStage | null;
  smtp: SmtpStage | null;
  mx: { host: string; ip: string | null } | null;
  reply: DecidingReply | null;
  transcript: TranscriptEntry[];
  timings: Timings;
  retryAt: Date | null;
}

export function buildResult(parsed: ParsedAddress, evidence: Evidence): VerificationResult {
  const { classification } = evidence;
  return {
    address: parsed.input,
    normalized: parsed.normalized,
    verdict: verdictOf(classification.reason),
    reason: classification.reason,
    detail: classification.detail,
    mx: evidence.mx,
    reply: evidence.reply,
    flags: addressFlags(parsed.local, parsed.domain),
    suggestion: suggestAddress(parsed.local, parsed.domain),
    syntax: {
      valid: true,
      local: parsed.local,
      domain: parsed.domain,
      unicodeDomain: parsed.unicodeDomain,
      smtputf8: parsed.smtputf8,
    },
    dns: evidence.dns,
    smtp: evidence.smtp,
    transcript: evidence.transcript,
    timings: evidence.timings,
    checkedAt: new Date().toISOString(),
    retryAt: evidence.retryAt ? evidence.retryAt.toISOString() : null,
  };
}
