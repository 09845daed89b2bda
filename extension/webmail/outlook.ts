import { addressAround, addressOf } from './address-in-element';
import type { RecipientField, RecipientKind, WebmailAdapter } from './adapter';
import { chipTokens, composeRootsOf, sendControlsBy } from './compose-structure';
import { kindFromLabel, kindFromName } from './recipient-labels';

/**
 * Outlook on the web (outlook.live.com, outlook.office.com, outlook.office365.com). Structure,
 * from live-grounded selector notes (anvisio/anvisio-data, manifests/outlook/widgets.yaml and
 * views/ComposePanel.yaml, MessageView.yaml) and from other extensions' content scripts that
 * document OWA's compose form (verified-live comments found through public code search):
 *
 * - compose, reply and forward live in the reading pane (`[data-app-section=MailReadCompose]`;
 *   a pop-out window holds the same form); the body is `div[aria-label="Message body"]
 *   [contenteditable=true]`, the subject `input[aria-label="Subject"]`;
 * - To, Cc and Bcc each sit in a `role=group` whose id ends in `_TO`/`_CC`/`_BCC`
 *   ("MSG_15127c3b5a0_TO": the suffix does not depend on the UI language) around a
 *   contenteditable well `div[aria-label="To"]`;
 * - a resolved recipient is a non-editable chip inside the well (class
 *   `_EType_RECIPIENT_ENTITY`, `span[data-lpc-hover-target-id]`) whose aria-label is the
 *   address even when it shows a name; typed, unresolved text is plain text in the well;
 * - opened messages show people as LivePersonaCard chips (`span[data-lpc-hover-target-id]`)
 *   whose aria-label holds the address.
 *
 * Not confirmed: how a chip is removed (no × control was documented), so the typo fix copies
 * the corrected address instead of editing the chip.
 */

const GROUPS = '[role="group"][id$="_TO"], [role="group"][id$="_CC"], [role="group"][id$="_BCC"]';
const WELL = 'div[contenteditable="true"][aria-label]';
const CHIP = '[data-lpc-hover-target-id], [contenteditable="false"], [class*="_EType_RECIPIENT_ENTITY"]';

function wells(root: ParentNode): { kind: RecipientKind; element: Element; entry: HTMLElement | null }[] {
  const found: { kind: RecipientKind; element: Element; entry: HTMLElement | null }[] = [];
  const seen = new Set<Element>();
  for (const group of Array.from(root.querySelectorAll(GROUPS))) {
    const kind = kindFromName(group.id);
    if (!kind) continue;
    const entry = group.matches(WELL) ? (group as HTMLElement) : group.querySelector<HTMLElement>('[contenteditable="true"]');
    if (entry) seen.add(entry);
    found.push({ kind, element: group, entry });
  }
  // Without the groups (another build): the wells alone, by their label in the UI language.
  for (const well of Array.from(root.querySelectorAll<HTMLElement>(WELL))) {
    if (seen.has(well)) continue;
    const kind = kindFromLabel(well.getAttribute('aria-label'));
    if (kind) found.push({ kind, element: well, entry: well });
  }
  return found;
}

export const outlookAdapter: WebmailAdapter = {
  name: 'Outlook',
  matches: ({ hostname }) => /^outlook\.(?:live|office|office365)\.com$/.test(hostname),
  observedAttributes: ['aria-label', 'contenteditable'],

  composeWindows: (doc) => composeRootsOf(wells(doc).map((w) => w.entry ?? w.element), '[data-app-section="MailReadCompose"], [role="dialog"]'),

  recipientFields: (compose): RecipientField[] => wells(compose),

  recipientTokens(field) {
    const scope = field.entry ?? field.element;
    const chips = Array.from(scope.querySelectorAll(CHIP)).filter((chip, _, all) => !all.some((other) => other !== chip && other.contains(chip)));
    return chipTokens(field, chips, addressOf);
  },

  // The Send button: id "…primaryActionButton" (a split button whose other half is a menu),
  // aria-label "Send", title "Send (Ctrl+Enter)".
  sendControls: (compose) => sendControlsBy(compose, 'button[id$="primaryActionButton"], [data-testid="ComposeSendButton"]'),
  sendsOnCtrlEnter: () => true,

  messageAddressAt(target) {
    if (target.closest(`${GROUPS}, ${WELL}`)) return null;
    const chip = target.closest('[data-lpc-hover-target-id]');
    if (chip) {
      const address = addressOf(chip);
      if (address) return { element: chip, address };
    }
    return addressAround(target, 2);
  },
};
