import { describeReason, type VerificationResult } from '@mailping/shared';
import type { CheckState, DaemonStatusView } from './messages';
import { createIcon, type IconState } from './verdict-icons';
import { decidingReply, stageWords, statusWords, suggestionText, VERDICT_WORDS } from './verdict-words';

/**
 * The details of one address, as DOM: the badge's popover, the context menu's toast and the
 * popup all show this same block (each styles it with lib/details-styles.ts). Built with
 * createElement and textContent only: server replies are untrusted text.
 */
export interface DetailsModel {
  address: string;
  state: IconState;
  check: CheckState | null;
  suggestion: string | null;
  syntaxError: string | null;
  status: DaemonStatusView | null;
}

export interface DetailsActions {
  applySuggestion?(suggestion: string): void;
  recheck?(): void;
  openOptions?(): void;
  /** Buttons act only on events this accepts (in a web page: the person's own clicks). */
  isTrusted?(event: Event): boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Text with `command` spans shown as code (the advice names commands to run). */
export function textWithCode(doc: Document, className: string, text: string): HTMLElement {
  const node = el(doc, 'p', className);
  text.split('`').forEach((part, i) => {
    if (part === '') return;
    node.append(i % 2 === 1 ? el(doc, 'code', 'mp-code', part) : doc.createTextNode(part));
  });
  return node;
}

function button(doc: Document, className: string, text: string, onClick: () => void, isTrusted?: (event: Event) => boolean): HTMLButtonElement {
  const b = el(doc, 'button', className, text);
  b.type = 'button';
  // Keep the focus where it is (in the field): a blur would commit the value being corrected.
  b.addEventListener('mousedown', (e) => e.preventDefault());
  b.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    if (isTrusted && !isTrusted(e)) return;
    onClick();
  });
  return b;
}

export function relativeTime(iso: string, now = Date.now()): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** The headline and the plain-words explanation for a state. */
export function describeState(model: DetailsModel): { title: string; meaning: string } {
  const endpoint = model.status?.endpoint;
  switch (model.state) {
    case 'idle':
      return {
        title: 'Not checked yet',
        meaning: model.syntaxError
          ? `Not a complete address yet: ${model.syntaxError}.`
          : 'MailPing checks this address when you leave the field or press Enter.',
      };
    case 'checking':
      return { title: 'Checking…', meaning: stageWords(model.check?.kind === 'checking' ? model.check.stage : null) };
    case 'offline': {
      const status = model.check?.kind === 'waiting' ? model.check.status : model.status?.status;
      const words = status ? statusWords(status, endpoint) : statusWords({ kind: 'not_running', nextAttemptAt: null }, endpoint);
      // "not running" advice already says waiting checks finish by themselves.
      const kept = status?.kind === 'not_running' ? '' : ' This check is kept and goes out once that is fixed.';
      return { title: words.title, meaning: `${words.advice}${kept}` };
    }
    case 'invalid':
      if (model.address === '') return { title: 'No email address here', meaning: model.syntaxError ?? '' };
      return { title: 'Not a valid email address', meaning: model.syntaxError ? `${model.syntaxError}.` : 'The address is malformed.' };
    default:
      return VERDICT_WORDS[model.state];
  }
}

function resultFacts(doc: Document, result: VerificationResult, cached: boolean): HTMLElement[] {
  const facts: HTMLElement[] = [];
  const reason = el(doc, 'p', 'mp-reason');
  reason.append(el(doc, 'span', 'mp-label', 'Reason: '), doc.createTextNode(describeReason(result.reason)));
  facts.push(reason);
  // The daemon's sentence often just quotes the reply shown below it: then it says nothing new.
  const quotesReply = result.reply !== null && result.detail.includes(result.reply.text.split('\n')[0] ?? '\u0000');
  if (result.detail && result.detail !== describeReason(result.reason) && !quotesReply) {
    facts.push(el(doc, 'p', 'mp-detail', result.detail));
  }
  const reply = decidingReply(result);
  if (reply) {
    const p = el(doc, 'p', 'mp-reply');
    p.append(el(doc, 'span', 'mp-label', 'Server reply: '), el(doc, 'code', 'mp-code', reply));
    facts.push(p);
  }
  const flags = [
    result.flags.disposable && 'disposable address',
    result.flags.roleAccount && 'role account (shared mailbox)',
    result.flags.freeProvider && 'free provider',
  ].filter((f): f is string => typeof f === 'string');
  if (flags.length > 0) facts.push(el(doc, 'p', 'mp-flags', `Note: ${flags.join(', ')}.`));
  const when = relativeTime(result.checkedAt);
  if (when) facts.push(el(doc, 'p', 'mp-when', `Checked ${when}${cached ? ' (from cache)' : ''}.`));
  return facts;
}

export function buildDetails(doc: Document, model: DetailsModel, actions: DetailsActions = {}): HTMLElement {
  const root = el(doc, 'div', 'mp-details');
  root.dataset.verdict = model.state;
  const { title, meaning } = describeState(model);

  const head = el(doc, 'div', 'mp-head');
  head.append(createIcon(doc, model.state, 16), el(doc, 'strong', 'mp-title', title));
  root.append(head);
  if (model.address) root.append(el(doc, 'div', 'mp-address', model.address));
  root.append(textWithCode(doc, 'mp-meaning', meaning));

  if (model.check?.kind === 'done' && model.state !== 'invalid') {
    root.append(...resultFacts(doc, model.check.result, model.check.cached));
  } else if (model.check?.kind === 'failed' && model.state !== 'invalid') {
    root.append(el(doc, 'p', 'mp-detail', model.check.message));
  }

  if (model.suggestion && model.suggestion !== model.address) {
    const suggestion = model.suggestion;
    root.append(
      actions.applySuggestion
        ? button(doc, 'mp-suggestion', suggestionText(suggestion), () => actions.applySuggestion?.(suggestion), actions.isTrusted)
        : el(doc, 'p', 'mp-suggestion', suggestionText(suggestion)),
    );
  }

  const buttons: HTMLButtonElement[] = [];
  const final = ['deliverable', 'undeliverable', 'risky', 'unknown'].includes(model.state);
  if (final && actions.recheck) buttons.push(button(doc, 'mp-action', 'Check again', actions.recheck, actions.isTrusted));
  const status = model.check?.kind === 'waiting' ? model.check.status.kind : model.status?.status.kind;
  const needsSetup = model.state === 'offline' && (status === 'not_paired' || status === 'unauthorized' || status === 'refused');
  if (needsSetup && actions.openOptions) buttons.push(button(doc, 'mp-action', 'Open MailPing options', actions.openOptions, actions.isTrusted));
  if (buttons.length > 0) {
    const row = el(doc, 'div', 'mp-actions');
    row.append(...buttons);
    root.append(row);
  }
  return root;
}
