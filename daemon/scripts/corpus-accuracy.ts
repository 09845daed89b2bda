/**
 * How a version of the RCPT/session rules reads the reply corpus, against this branch's rules.
 * Usage (e.g. the rules of an older commit):
 *   mkdir -p /tmp/rules && git show REV:daemon/src/verify/classify/reply-rules.ts > /tmp/rules/reply-rules.ts
 *   git show REV:daemon/src/verify/classify/reply-phrases.ts > /tmp/rules/reply-phrases.ts  # if REV has it
 *   pnpm exec tsx daemon/scripts/corpus-accuracy.ts /tmp/rules/reply-rules.ts
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { verdictOf, type Reason } from '@mailping/shared';
import { loadReplyCorpus, wireOf } from '../src/verify/classify/corpus/reply-corpus';
import * as current from '../src/verify/classify/reply-rules';
import { ReplyParser, type Reply } from '../src/verify/smtp/reply-parser';

type Rules = Pick<typeof current, 'matchRule' | 'RCPT_RULES' | 'SESSION_RULES'>;

const other = process.argv[2];
if (!other) throw new Error('usage: corpus-accuracy.ts path/to/reply-rules.ts');
const before = (await import(pathToFileURL(resolve(other)).href)) as Rules;

function read(rules: Rules, command: string, reply: Reply): Reason {
  const rule = rules.matchRule(command === 'RCPT TO' ? rules.RCPT_RULES : rules.SESSION_RULES, reply);
  if (!rule) return 'protocol_error';
  return rule.reason === 'accepted_pending' ? 'accepted' : rule.reason;
}

const rows = loadReplyCorpus();
const table = new Map<string, { rows: number; before: number; now: number }>();
let wronglyUndeliverable = 0;
for (const row of rows) {
  const reply = new ReplyParser().push(`${wireOf(row)}\r\n`)[0] as Reply;
  const [b, n] = [read(before, row.command, reply), read(current, row.command, reply)];
  const t = table.get(row.expected.reason) ?? { rows: 0, before: 0, now: 0 };
  t.rows++;
  if (b === row.expected.reason) t.before++;
  if (n === row.expected.reason) t.now++;
  if (verdictOf(b) === 'undeliverable' && row.expected.verdict !== 'undeliverable') wronglyUndeliverable++;
  table.set(row.expected.reason, t);
}
const sum = (k: 'before' | 'now') => [...table.values()].reduce((s, t) => s + t[k], 0);
const pct = (n: number) => `${((100 * n) / rows.length).toFixed(1)}%`;
console.log('reason              rows  given  now');
for (const [reason, t] of [...table].sort((a, b) => b[1].rows - a[1].rows)) {
  console.log(`${reason.padEnd(18)} ${String(t.rows).padStart(5)} ${String(t.before).padStart(6)} ${String(t.now).padStart(4)}`);
}
console.log(`total ${rows.length}: given rules ${sum('before')} right (${pct(sum('before'))}), ${wronglyUndeliverable} called undeliverable wrongly; these rules ${sum('now')} (${pct(sum('now'))})`);
