import { addressOf, onlyAddressIn } from './address-in-element';
import type { RecipientField, WebmailAdapter } from './adapter';
import { chipTokens, composeRootsOf, sendControlsBy } from './compose-structure';
import { replaceChip } from './recipient-fix';
import { kindFromName } from './recipient-labels';

/**
 * Proton Mail (mail.proton.me). Its web client is open source (ProtonMail/WebClients); the
 * structure comes from applications/mail/src/app/components/composer/ComposerFrame.tsx,
 * addresses/AddressesEditor.tsx, AddressesInput.tsx, AddressesRecipientItem.tsx and
 * message/recipients/RecipientItemLayout.tsx, RecipientItemSingle.tsx:
 *
 * - a composer is `div.composer[data-id]` (docked, maximized or minimized; quick replies under
 *   a message use the same address inputs);
 * - each field's entry is an input with `data-testid="composer:to"`, `"composer:to-cc"`,
 *   `"composer:to-bcc"`, labelled To/CC/BCC; pasted text is split into recipients;
 * - a recipient is `[data-testid=composer-addresses-item]`, its text ("Name <address>") in
 *   `[data-testid=composer-addresses-item-label]`, its × a
 *   `button[data-testid="remove-address-button-<address>"]`;
 * - an opened message lists people as `span.message-recipient-item[role=button]` whose
 *   aria-label reads "More details about Name <address>".
 */

const ENTRY = 'input[data-testid="composer:to"], input[data-testid="composer:to-cc"], input[data-testid="composer:to-bcc"]';

/** The address list around an entry (its chips and the entry). */
function fieldOf(entry: Element): Element {
  return entry.closest('.composer-addresses-container') ?? entry.parentElement?.parentElement ?? entry;
}

export const protonAdapter: WebmailAdapter = {
  name: 'Proton Mail',
  matches: ({ hostname }) => hostname === 'mail.proton.me' || hostname === 'mail.protonmail.com',

  composeWindows: (doc) => composeRootsOf(doc.querySelectorAll(ENTRY), '.composer, [data-testid="quick-reply-container"]'),

  recipientFields(compose) {
    return Array.from(compose.querySelectorAll<HTMLElement>(ENTRY)).map(
      (entry): RecipientField => ({ kind: kindFromName(entry.getAttribute('data-testid')) ?? 'to', element: fieldOf(entry), entry }),
    );
  },

  recipientTokens: (field) =>
    chipTokens(field, Array.from(field.element.querySelectorAll('[data-testid="composer-addresses-item"]')), (item) => {
      const label = item.querySelector('[data-testid="composer-addresses-item-label"]');
      return onlyAddressIn(label?.textContent ?? '') ?? addressOf(item);
    }),

  replaceRecipient(field, token, address) {
    const remove = token.element.querySelector<HTMLElement>('button[data-testid^="remove-address-button-"]');
    return replaceChip(token.element, field.entry, address, remove ?? undefined);
  },

  sendControls: (compose) => sendControlsBy(compose, '[data-testid="composer:send-button"]'),
  sendsOnCtrlEnter: () => true,

  messageAddressAt(target) {
    const item = target.closest('.message-recipient-item, [data-testid^="message-header:"], [data-testid^="recipient-"]');
    if (!item || item.closest('.composer')) return null;
    const address = addressOf(item);
    return address ? { element: item, address } : null;
  },
};
