import { addressAround } from './address-in-element';
import type { RecipientField, RecipientToken, WebmailAdapter } from './adapter';
import { composeRootsOf, sendControlsNear, tokensInScope } from './compose-structure';
import { replaceInTextField } from './recipient-fix';
import { kindFromName } from './recipient-labels';
import { caretRect, committedEntries } from './text-entries';

/**
 * Fastmail (app.fastmail.com, www.fastmail.com). Fastmail's web client is closed source; the
 * structure comes from public extensions that integrate with it: Briskine's Fastmail plugin
 * (Briskine/briskine, src/content/plugins/fastmail.js: `.v-Compose`, `textarea[id$="to-input"]`,
 * `cc-input`, `bcc-input`, `input[id$="subject-input"]`, `.v-Compose-addCcBcc`) and Fastmail
 * Plus (yohasebe/fastmail-plus, content/selectors.js, "last verified 2026-06-04":
 * `.app-contentCard:has(.v-Compose)`, `div.v-MessageCard`, `div.v-MessageCard-header`).
 *
 * The recipient fields are text areas holding the addresses as text ("Alice <a@x>, b@y"), so a
 * recipient is a committed entry of that text (text-entries.ts) and its mark sits right after
 * it. If a build renders chips inside the field instead, the generic chip finder covers them.
 * Not confirmed: the message header's markup (addresses are read from any element around the
 * pointer that carries one).
 */

const FIELD = 'textarea[id$="to-input"], textarea[id$="cc-input"], textarea[id$="bcc-input"]';

export const fastmailAdapter: WebmailAdapter = {
  name: 'Fastmail',
  matches: ({ hostname }) => /(?:^|\.)fastmail\.com$/.test(hostname),
  observedAttributes: ['value'],

  composeWindows: (doc) => composeRootsOf(doc.querySelectorAll(FIELD), '.v-Compose'),

  recipientFields(compose) {
    return Array.from(compose.querySelectorAll<HTMLTextAreaElement>(FIELD)).map(
      (field): RecipientField => ({ kind: kindFromName(field.id) ?? 'to', element: field.parentElement ?? field, entry: field }),
    );
  },

  recipientTokens(field) {
    const text = field.entry as HTMLTextAreaElement | null;
    if (!text) return [];
    const focused = text.ownerDocument.activeElement === text;
    const entries = committedEntries(text.value, focused).map((e): RecipientToken => ({ kind: field.kind, address: e.address, element: text, textEnd: e.end }));
    return [...entries, ...tokensInScope(field.element, text, field.kind)];
  },

  markPoint: (token) => (token.textEnd === undefined ? null : caretRect(token.element as HTMLTextAreaElement, token.textEnd)),

  replaceRecipient(field, token, address) {
    const text = field.entry as HTMLTextAreaElement | null;
    return token.textEnd !== undefined && text ? replaceInTextField(text, token.address, address) : false;
  },

  // Not confirmed: the Send button's own hook; it is found by its label.
  sendControls: (compose) => sendControlsNear(compose),
  sendsOnCtrlEnter: () => true,

  messageAddressAt(target) {
    if (target.closest(FIELD) || !target.closest('.v-MessageCard, .v-Message')) return null;
    return addressAround(target, 3);
  },
};
