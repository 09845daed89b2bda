import { describeReason } from '@mailping/shared';
import type { BadgeState } from '@/components/badge/badge-state';
import type { RecipientKind } from './adapter';

/**
 * Which recipients are worth stopping a Send for, as a pure function of their states: one that
 * would bounce (undeliverable, or not an address at all) and a likely typo with its suggestion.
 * Risky and unknown recipients never stop a Send (nobody can say they would bounce), and neither
 * does a recipient still being checked: a pending answer must not hold up sending.
 */
export interface SendBlocker {
  address: string;
  kind: RecipientKind;
  /** The fix for a typo (the same one-click fix as the notice's); null when there is none. */
  suggestion: string | null;
  /** One sentence for the confirm: "nobody@example.com does not exist (550 5.1.1)." */
  text: string;
}

export function sendBlockers(recipients: readonly { kind: RecipientKind; state: BadgeState }[]): SendBlocker[] {
  const blockers = new Map<string, SendBlocker>();
  for (const { kind, state } of recipients) {
    const key = state.address.toLowerCase();
    if (key === '' || blockers.has(key)) continue;
    const text = blockerText(state);
    if (text === null) continue;
    const suggestion = typoFix(state);
    blockers.set(key, { address: state.address, kind, suggestion, text });
  }
  return [...blockers.values()];
}

function typoFix(state: BadgeState): string | null {
  const s = state.suggestion;
  return s && s.toLowerCase() !== state.address.toLowerCase() ? s : null;
}

function blockerText(state: BadgeState): string | null {
  const result = state.check?.kind === 'done' ? state.check.result : null;
  if (state.verdict === 'undeliverable' && result) {
    const reply = result.reply ? ` (${[result.reply.code, result.reply.enhanced].filter(Boolean).join(' ')})` : '';
    const what = result.reason === 'mailbox_not_found' ? `${state.address} does not exist` : `${state.address}: ${describeReason(result.reason)}`;
    const typo = typoFix(state);
    return `${what}${reply}.${typo ? ` Did you mean ${typo}?` : ''}`;
  }
  if (state.verdict === 'invalid' && state.committed) return `${state.address} is not a valid email address${state.syntaxError ? `: ${state.syntaxError}` : ''}.`;
  // A typo is caught even while its check runs (or when the daemon cannot say): the fix is
  // certain to be wanted more often than not. A typo the server accepted is the person's call.
  const typo = typoFix(state);
  if (typo && state.verdict !== 'deliverable') return `${state.address} looks like a typo. Did you mean ${typo}?`;
  return null;
}
