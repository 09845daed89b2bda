import { readFileSync } from 'node:fs';
import { REASON_NAMES, VERDICTS } from '@mailping/shared';
import * as z from 'zod';

/**
 * Real SMTP replies with the answer MailPing must give for each, one JSON object a line in
 * replies.jsonl (see README.md beside it for the sources and how a row's answer was decided).
 * Tests only: the daemon never reads it.
 */
export const corpusRowSchema = z.strictObject({
  id: z.number().int().positive(),
  /** The command the reply answered: "RCPT TO", "MAIL FROM", "EHLO", "HELO" or "greeting". */
  command: z.enum(['RCPT TO', 'MAIL FROM', 'EHLO', 'HELO', 'greeting']),
  reply: z.strictObject({
    code: z.number().int().min(200).max(599),
    enhanced: z.string().regex(/^[245]\.\d{1,3}\.\d{1,3}$/).nullable(),
    text: z.string().min(1),
  }),
  expected: z.strictObject({ verdict: z.enum(VERDICTS), reason: z.enum(REASON_NAMES) }),
  /** Repository and path, issue, or documentation page the reply comes from. */
  source: z.string().min(8),
  /** bounce: a Diagnostic-Code of a real bounce; quoted: a reply quoted whole; phrase: an entry of a phrase list. */
  kind: z.enum(['bounce', 'quoted', 'phrase']),
  /** Sisimai's reason for it, a hint the expected answer was checked against. */
  sisimai: z.string().optional(),
  /** What the source did not say and the row supplies: the reply code (phrase lists) or the command. */
  assumed: z.array(z.enum(['code', 'command'])).optional(),
  /** Why the answer is what it is, where it is not obvious; "TRAP:" where a naive reading goes wrong. */
  note: z.string().optional(),
});

export type CorpusRow = z.infer<typeof corpusRowSchema>;

export function loadReplyCorpus(): CorpusRow[] {
  const text = readFileSync(new URL('./replies.jsonl', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => corpusRowSchema.parse(JSON.parse(line)));
}

/** The reply as a server puts it on the wire (one line; the parser splits code and enhanced code). */
export function wireOf(row: CorpusRow): string {
  const { code, enhanced, text } = row.reply;
  return `${code}${enhanced ? ` ${enhanced}` : ''} ${text}`;
}
