import { parseAddress, suggestAddress } from '@mailping/shared';
import type { CheckState } from '@/lib/messages';
import { displayState, type DisplayState } from './check-display';

/**
 * The badge of one field as a pure state machine: events in, the next state and the effects to
 * run out. The rules a person relies on live here:
 *
 * - typing never reaches a mail server: while the value changes the badge is idle, and a pause
 *   in typing runs only the free local checks (syntax, a typo suggestion);
 * - leaving the field or pressing Enter commits the value: an invalid one is marked invalid
 *   without asking anyone, a valid one is checked;
 * - an answer about a value the field no longer holds is ignored;
 * - a value that is already known (checked elsewhere, or before a re-render) shows its verdict
 *   without a new check.
 */

/** A badge shows what any other place shows for the same check (check-display.ts). */
export type BadgeVerdict = DisplayState;

export interface BadgeState {
  verdict: BadgeVerdict;
  /** The trimmed value this state is about; '' for an empty field. */
  address: string;
  /** The value was committed (blur, Enter, a known result): answers about it are shown. */
  committed: boolean;
  /** A full address one slip away from a popular provider ("…@gmail.com"). */
  suggestion: string | null;
  /** Why the value is not an address (shown on invalid, and as a hint while typing). */
  syntaxError: string | null;
  /** The background's latest word on `address`. */
  check: CheckState | null;
}

export type BadgeEvent =
  /** The value changed (input event). */
  | { type: 'typed'; value: string }
  /** Typing paused: run the local checks. */
  | { type: 'paused'; value: string }
  /** The person left the field, pressed Enter, or the browser autofilled it. */
  | { type: 'committed'; value: string }
  /** "Check again" from the details (fresh), or the retry time of a greylisted answer came. */
  | { type: 'recheck'; fresh: boolean }
  /** The field was found with this value already in it. */
  | { type: 'found'; value: string }
  /** The background's state for an address (an answer to watch or peek). */
  | { type: 'checked'; address: string; state: CheckState | null };

export type BadgeEffect =
  | { type: 'watch'; address: string; fresh: boolean }
  | { type: 'unwatch'; address: string }
  | { type: 'peek'; address: string }
  /** Look again later (a greylisted answer has a retry time). */
  | { type: 'recheckAt'; address: string; at: number };

export interface Transition {
  state: BadgeState;
  effects: BadgeEffect[];
}

export const INITIAL_BADGE_STATE: BadgeState = {
  verdict: 'idle',
  address: '',
  committed: false,
  suggestion: null,
  syntaxError: null,
  check: null,
};

interface LocalCheck {
  valid: boolean;
  error: string | null;
  suggestion: string | null;
}

export function localCheck(value: string): LocalCheck {
  const parsed = parseAddress(value);
  if (!parsed.ok) return { valid: false, error: parsed.error.message, suggestion: null };
  const { local, domain } = parsed.address;
  return { valid: true, error: null, suggestion: suggestAddress(local, domain) };
}

function idleFor(address: string): BadgeState {
  return { ...INITIAL_BADGE_STATE, address };
}

function isActive(state: BadgeState): boolean {
  return state.committed && (state.verdict === 'checking' || state.verdict === 'offline');
}

export function badgeTransition(state: BadgeState, event: BadgeEvent, now = Date.now()): Transition {
  switch (event.type) {
    case 'typed': {
      const address = event.value.trim();
      if (address === state.address) return { state, effects: [] };
      const effects: BadgeEffect[] = isActive(state) ? [{ type: 'unwatch', address: state.address }] : [];
      return { state: idleFor(address), effects };
    }

    case 'paused': {
      const address = event.value.trim();
      if (address !== state.address) return badgeTransition(badgeTransition(state, { type: 'typed', value: address }).state, event, now);
      if (state.committed || address === '') return { state, effects: [] };
      const local = localCheck(address);
      // While typing, a syntax problem is a hint, not a verdict: the address may not be finished.
      return { state: { ...state, suggestion: local.suggestion, syntaxError: local.error }, effects: [] };
    }

    case 'committed':
    case 'found': {
      const address = event.value.trim();
      const unwatch: BadgeEffect[] =
        isActive(state) && state.address !== address ? [{ type: 'unwatch', address: state.address }] : [];
      if (address === '') return { state: idleFor(''), effects: unwatch };
      if (state.committed && state.address === address) return { state, effects: [] };
      const local = localCheck(address);
      if (event.type === 'found') {
        // A value already in the field when the page loaded: show what is known, ask no one.
        const base = { ...idleFor(address), suggestion: local.suggestion };
        return { state: base, effects: [...unwatch, ...(local.valid ? [{ type: 'peek', address } as const] : [])] };
      }
      if (!local.valid) {
        return {
          state: { ...idleFor(address), verdict: 'invalid', committed: true, syntaxError: local.error },
          effects: unwatch,
        };
      }
      return {
        state: { ...idleFor(address), verdict: 'checking', committed: true, suggestion: local.suggestion },
        effects: [...unwatch, { type: 'watch', address, fresh: false }],
      };
    }

    case 'recheck': {
      if (!state.committed || state.verdict === 'invalid' || state.address === '') return { state, effects: [] };
      return {
        state: { ...state, verdict: 'checking', check: null },
        effects: [{ type: 'watch', address: state.address, fresh: event.fresh }],
      };
    }

    case 'checked': {
      if (event.address !== state.address || event.state === null) return { state, effects: [] };
      const check = event.state;
      // A peek's answer shows only a finished result; a committed value shows everything.
      if (!state.committed && check.kind !== 'done') return { state, effects: [] };
      const verdict = displayState(check);
      const result = check.kind === 'done' ? check.result : null;
      const next: BadgeState = {
        ...state,
        committed: true,
        verdict,
        check,
        suggestion: result?.suggestion ?? state.suggestion,
        syntaxError: check.kind === 'failed' ? check.message : (result?.syntax.error?.message ?? state.syntaxError),
      };
      const effects: BadgeEffect[] = [];
      if (check.kind === 'done' || check.kind === 'failed') {
        if (isActive(state)) effects.push({ type: 'unwatch', address: state.address });
        const retryAt = result?.retryAt ? Date.parse(result.retryAt) : Number.NaN;
        // A greylisted answer: the daemon retries on its own; look again when it said to.
        if (result?.verdict === 'unknown' && Number.isFinite(retryAt) && retryAt > now) {
          effects.push({ type: 'recheckAt', address: state.address, at: retryAt + 5000 });
        }
      }
      return { state: next, effects };
    }
  }
}
