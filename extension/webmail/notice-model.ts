import { describeReason } from '@mailping/shared';
import type { BadgeState } from '@/components/badge/badge-state';
import type { IconState } from '@/lib/verdict-icons';
import type { RecipientKind } from './adapter';

/**
 * What the compose notice lists, as a pure function of the recipients' states: the recipients
 * that would bounce or may not arrive, each with its reason in plain words ("mailbox does not
 * exist", "domain accepts no mail", "catch-all domain") and the typo suggestion when there is
 * one; a likely typo is listed even while its verdict is still open, and first.
 */
export interface NoticeEntry {
  address: string;
  kind: RecipientKind;
  state: IconState;
  reason: string;
  suggestion: string | null;
}

const ORDER: Partial<Record<IconState, number>> = { undeliverable: 0, invalid: 1, risky: 2 };

export function noticeEntries(recipients: readonly { kind: RecipientKind; state: BadgeState }[]): NoticeEntry[] {
  const entries = new Map<string, NoticeEntry>();
  for (const { kind, state } of recipients) {
    const key = state.address.toLowerCase();
    if (state.address === '' || entries.has(key)) continue;
    const suggestion = state.suggestion && state.suggestion.toLowerCase() !== key ? state.suggestion : null;
    const result = state.check?.kind === 'done' ? state.check.result : null;
    let reason: string | null = null;
    if (state.verdict === 'undeliverable' || state.verdict === 'risky') reason = result ? describeReason(result.reason) : null;
    else if (state.verdict === 'invalid') reason = state.syntaxError ?? 'not a valid email address';
    if (reason === null && suggestion) reason = 'looks like a typo';
    if (reason === null) continue;
    entries.set(key, { address: state.address, kind, state: state.verdict, reason, suggestion });
  }
  // A typo first (its fix is one click away, and the list may be cut short), then the worst.
  const rank = (e: NoticeEntry) => (e.suggestion ? -1 : (ORDER[e.state] ?? 3));
  return [...entries.values()].sort((a, b) => rank(a) - rank(b));
}

/** The notice's headline: "2 recipients need a look". */
export function noticeTitle(count: number): string {
  return count === 1 ? '1 recipient needs a look' : `${count} recipients need a look`;
}
