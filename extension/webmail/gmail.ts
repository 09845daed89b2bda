import { addressInAttributes, addressOf } from './address-in-element';
import type { RecipientField, RecipientToken, WebmailAdapter } from './adapter';
import { chipTokens, composeRootsOf, removeControlOf, sendControlsBy } from './compose-structure';
import { replaceChip } from './recipient-fix';
import { kindFromName } from './recipient-labels';

/**
 * Gmail (mail.google.com). Structure, from InboxSDK's Gmail driver (InboxSDK/InboxSDK,
 * src/platform-implementation-js/dom-driver/gmail/views/gmail-compose-view/page-parser.ts,
 * get-recipients.ts, set-recipients.ts), gmail.js (KartikTalwar/gmail.js, src/gmail.js:
 * api.dom.compose, api.dom.email) and live-probed notes (anvisio/anvisio-data,
 * manifests/gmail/gmail.md):
 *
 * - a compose window is a `div[role=dialog]` (docked, pop-up) or a `div[role=region]
 *   [data-compose-id]` (inline reply/forward in a thread; the full-page pop-out has the same
 *   form); classes `.M9`/`.AD` are the fallback;
 * - each recipient row is `div[name=to|cc|bcc]`, its chips `[role=option][data-hovercard-id]`
 *   (the address) with `data-name`, its entry `input[role=combobox]` ("To recipients");
 *   the older UI kept `.vR` chips with a hidden input holding the address;
 * - a chip's × is an element with an aria-label inside it; pasting addresses into the entry
 *   is how InboxSDK adds recipients;
 * - opened messages show the sender as `span.gD[email]` and recipients as `span.g2[email]`.
 *
 * Hooks are the semantic attributes (role, name, data-hovercard-id, email); generated classes
 * only as fallbacks, as the notes above advise.
 */

const ROW = 'div[name="to"], div[name="cc"], div[name="bcc"]';

const COMPOSE = '[role="dialog"], [data-compose-id], [role="region"], .M9, .AD';

export const gmailAdapter: WebmailAdapter = {
  name: 'Gmail',
  matches: ({ hostname }) => hostname === 'mail.google.com',
  observedAttributes: ['data-hovercard-id', 'email'],

  composeWindows: (doc) => composeRootsOf(doc.querySelectorAll(ROW), COMPOSE),

  recipientFields(compose) {
    const fields: RecipientField[] = [];
    for (const row of Array.from(compose.querySelectorAll(ROW))) {
      const kind = kindFromName(row.getAttribute('name'));
      const entry = row.querySelector<HTMLElement>('input[role="combobox"], textarea[name], input[name]:not([type="hidden"])');
      if (kind) fields.push({ kind, element: row, entry });
    }
    return fields;
  },

  recipientTokens: (field) =>
    chipTokens(field, Array.from(field.element.querySelectorAll('[role="option"][data-hovercard-id], .vR')), (chip) => {
      const hidden = chip.querySelector<HTMLInputElement>('input[type="hidden"]');
      return addressInAttributes(chip) ?? (hidden ? hidden.value.trim() : null) ?? addressOf(chip);
    }),

  replaceRecipient(field: RecipientField, token: RecipientToken, address: string) {
    // The chip's × carries an aria-label ("Remove …"; `.afX` in today's build).
    const remove = removeControlOf(token.element) ?? token.element.querySelector<HTMLElement>('.afX, .vM');
    return replaceChip(token.element, field.entry, address, remove);
  },

  // Send is a div[role=button] whose tooltip names the shortcut ("Send ‪(Ctrl-Enter)‬"), `.aoO`
  // in today's build; the dropdown beside it (schedule send) has aria-haspopup.
  sendControls: (compose) => sendControlsBy(compose, '.aoO[role="button"]'),
  sendsOnCtrlEnter: () => true,

  messageAddressAt(target) {
    const el = target.closest('[email]');
    if (!el || el.closest(ROW)) return null;
    const address = el.getAttribute('email');
    return address && address.includes('@') ? { element: el, address } : null;
  },
};
