import * as z from 'zod';
import { REASON_NAMES, VERDICTS } from './verdict';

/**
 * One verification result, as the CLI prints it with --json and as the daemon sends it to the
 * extension. Modelled per stage (syntax → dns → smtp) so the evidence behind a verdict travels
 * with it. The schema is the contract: both ends validate against it.
 */

export const verdictSchema = z.enum(VERDICTS);
export const reasonSchema = z.enum(REASON_NAMES);

/** A stage's failure as a typed value, never a thrown Error across the wire. */
export const stageErrorSchema = z.object({ code: z.string(), message: z.string() });
export type StageError = z.infer<typeof stageErrorSchema>;

export const smtpReplySchema = z.object({
  code: z.number().int(),
  /** RFC 3463 enhanced status code such as "5.1.1", when the server gave one. */
  enhanced: z.string().nullable(),
  /** Reply text, continuation lines joined with a newline, without code prefixes. */
  text: z.string(),
});
export type SmtpReply = z.infer<typeof smtpReplySchema>;

/** The reply that decided the verdict, and what it answered. */
export const decidingReplySchema = smtpReplySchema.extend({
  command: z.string(),
});
export type DecidingReply = z.infer<typeof decidingReplySchema>;

export const transcriptEntrySchema = z.object({
  /** Milliseconds since the verification started. */
  t: z.number(),
  /** `>` we sent, `<` the server sent, `*` what happened on the connection (connect, TLS, close). */
  dir: z.enum(['>', '<', '*']),
  line: z.string(),
});
export type TranscriptEntry = z.infer<typeof transcriptEntrySchema>;

export const mxRecordSchema = z.object({
  host: z.string(),
  preference: z.number().int(),
  addresses: z.array(z.string()),
});
export type MxRecord = z.infer<typeof mxRecordSchema>;

export const syntaxStageSchema = z.object({
  valid: z.boolean(),
  local: z.string().optional(),
  domain: z.string().optional(),
  unicodeDomain: z.string().optional(),
  smtputf8: z.boolean().optional(),
  error: stageErrorSchema.optional(),
});

export const dnsStageSchema = z.object({
  /** MX hosts in the order they were tried (preference, random among equals). */
  mx: z.array(mxRecordSchema),
  /** No MX record: the domain's own A/AAAA records serve (RFC 5321 §5.1). */
  implicitMx: z.boolean(),
  /** `MX 0 .`: the domain says it accepts no mail (RFC 7505). */
  nullMx: z.boolean(),
  error: stageErrorSchema.optional(),
});
export type DnsStage = z.infer<typeof dnsStageSchema>;

export const smtpStageSchema = z.object({
  host: z.string().nullable(),
  ip: z.string().nullable(),
  port: z.number().int(),
  tls: z.boolean(),
  pipelining: z.boolean(),
  /** true/false when the random-address probe answered; null when it was not asked or did not decide. */
  catchAll: z.boolean().nullable(),
  /** Command/reply round trips this address cost, connection set-up included. */
  roundTrips: z.number().int(),
  /** Connections opened for the batch this address was part of. */
  connections: z.number().int(),
  error: stageErrorSchema.optional(),
  /**
   * The server deferred the session this address needed (421, or it hung up): which host, with
   * what code, and until when it is left alone before the address is asked again.
   */
  deferral: z
    .object({ host: z.string(), ip: z.string().nullable(), code: z.number().int().nullable(), until: z.string() })
    .optional(),
});
export type SmtpStage = z.infer<typeof smtpStageSchema>;

export const flagsSchema = z.object({
  disposable: z.boolean(),
  roleAccount: z.boolean(),
  freeProvider: z.boolean(),
});
export type Flags = z.infer<typeof flagsSchema>;

export const timingsSchema = z.object({
  syntaxMs: z.number(),
  dnsMs: z.number().nullable(),
  smtpMs: z.number().nullable(),
  totalMs: z.number(),
});
export type Timings = z.infer<typeof timingsSchema>;

export const verificationResultSchema = z.object({
  address: z.string(),
  normalized: z.string().nullable(),
  verdict: verdictSchema,
  reason: reasonSchema,
  /** One sentence on what happened, in plain words, beyond the reason's summary. */
  detail: z.string(),
  /** The mail server that answered (or the last one tried). */
  mx: z.object({ host: z.string(), ip: z.string().nullable() }).nullable(),
  reply: decidingReplySchema.nullable(),
  flags: flagsSchema,
  suggestion: z.string().nullable(),
  syntax: syntaxStageSchema,
  dns: dnsStageSchema.nullable(),
  smtp: smtpStageSchema.nullable(),
  transcript: z.array(transcriptEntrySchema),
  timings: timingsSchema,
  checkedAt: z.string(),
  /** For greylisted and other temporary answers: when a retry makes sense. */
  retryAt: z.string().nullable(),
});
export type VerificationResult = z.infer<typeof verificationResultSchema>;
