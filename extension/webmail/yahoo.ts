import { addressAround, addressOf } from './address-in-element';
import type { RecipientField, WebmailAdapter } from './adapter';
import { chipTokens, composeRootsOf, sendControlsBy } from './compose-structure';
import { replaceChip } from './recipient-fix';
import { kindFromName } from './recipient-labels';

/**
 * Yahoo Mail (mail.yahoo.com). Yahoo's markup carries `data-test-id` hooks, which its own
 * end-to-end tests and many public test suites and extensions rely on (found through public code
 * search: Selenium/WebdriverIO page objects for Yahoo compose, LanguageTool's and Grammarly-like
 * recipient readers, phishing-check extensions):
 *
 * - the compose form is `[data-test-id=compose]`; its fields
 *   `[data-test-id=compose-header-field-to|cc|bcc]`, each with an `input[role=combobox]`
 *   (`#message-to-field` for To);
 * - a committed recipient is a pill `[data-test-id=pill]` whose title is the address (or
 *   "Name <address>"), its text in `[data-test-id=pill-text]`;
 * - an opened message names its sender in `[data-test-id=message-from]`, each person an
 *   `[data-test-id=email-pill]`; recipients in `[data-test-id=message-to]`.
 *
 * Not confirmed: the pill's × control (looked for by its label, as for any chip); without
 * one the typo fix copies the address.
 */

const FIELD = '[data-test-id^="compose-header-field-"]';

export const yahooAdapter: WebmailAdapter = {
  name: 'Yahoo Mail',
  matches: ({ hostname }) => hostname === 'mail.yahoo.com' || hostname.endsWith('.mail.yahoo.com'),
  observedAttributes: ['title'],

  composeWindows: (doc) => composeRootsOf(doc.querySelectorAll(FIELD), '[data-test-id="compose"]'),

  recipientFields(compose) {
    const fields: RecipientField[] = [];
    for (const element of Array.from(compose.querySelectorAll(FIELD))) {
      const kind = kindFromName(element.getAttribute('data-test-id'));
      if (kind) fields.push({ kind, element, entry: element.querySelector<HTMLElement>('input[role="combobox"], input:not([type="hidden"])') });
    }
    return fields;
  },

  recipientTokens: (field) => chipTokens(field, Array.from(field.element.querySelectorAll('[data-test-id="pill"]')), addressOf),

  replaceRecipient: (field, token, address) => replaceChip(token.element, field.entry, address),

  sendControls: (compose) => sendControlsBy(compose, '[data-test-id="compose-send-button"]'),
  sendsOnCtrlEnter: () => true,

  messageAddressAt(target) {
    if (target.closest(FIELD)) return null;
    const pill = target.closest('[data-test-id="email-pill"]');
    if (pill) {
      const address = addressOf(pill);
      if (address) return { element: pill, address };
    }
    return target.closest('[data-test-id^="message-"]') ? addressAround(target, 2) : null;
  },
};
