/**
 * What MailPing needs from a webmail, and nothing more: one small interface per webmail
 * (gmail.ts, outlook.ts, yahoo.ts, proton.ts, fastmail.ts) and one that needs no site knowledge
 * (generic.ts). The engine (webmail-engine.ts, compose-session.ts, message-hover.ts) does the
 * rest the same way for all of them; compose-structure.ts has what adapters share (compose
 * windows around their rows, chips read as recipients, Send controls).
 *
 * Adapters read the page and never change it, except through `replaceRecipient` (the one-click
 * typo fix), which acts the way a person would. Every method fails quietly: an empty list or
 * null when the page does not look as expected, never an exception (the engine also guards each
 * call), so a webmail that changed its markup gets no marks rather than a broken page.
 */

export const RECIPIENT_KINDS = ['to', 'cc', 'bcc'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

/** One To, Cc or Bcc field of a compose window. */
export interface RecipientField {
  kind: RecipientKind;
  /** The whole field: its committed recipients and the place where the person types. */
  element: Element;
  /** Where the person types the next recipient (an input, a textarea or a contenteditable). */
  entry: HTMLElement | null;
}

/** A committed recipient: a chip (a token element), or an entry of a plain text field. */
export interface RecipientToken {
  kind: RecipientKind;
  address: string;
  /** The chip; for a text field, the field itself. */
  element: Element;
  /** For a plain text field (fastmail.ts): where the entry ends in the field's value. */
  textEnd?: number;
}

/** An address shown in an opened message (sender, recipients), under the pointer or the focus. */
export interface MessageAddress {
  element: Element;
  address: string;
}

export interface WebmailAdapter {
  /** Shown to people ("Gmail"); the popup names the webmail it works in. */
  readonly name: string;
  /** Whether this adapter is meant for the page (host names; the generic adapter says yes). */
  matches(location: Pick<Location, 'hostname'>): boolean;
  /** The open compose windows (new mail, reply, forward; docked, full page or pop-out). */
  composeWindows(doc: Document): Element[];
  /** The To, Cc and Bcc fields of one compose window. */
  recipientFields(compose: Element): RecipientField[];
  /** The committed recipients of one field (not what is still being typed). */
  recipientTokens(field: RecipientField): RecipientToken[];
  /** The element a recipient's mark is placed on (the visible chip); defaults to the token. */
  markAnchor?(token: RecipientToken): Element;
  /**
   * For a recipient typed into a plain text field: where its text ends on screen (viewport
   * coordinates and line height), so the mark sits right after it; null while it is not visible.
   */
  markPoint?(token: RecipientToken): { left: number; top: number; height: number } | null;
  /**
   * Replaces a recipient by another address as the webmail accepts it (removes the chip,
   * enters the new address where a person types). False when it cannot be done safely: the
   * engine then offers to copy the address instead.
   */
  replaceRecipient?(field: RecipientField, token: RecipientToken, address: string): boolean;
  /**
   * The compose window's Send controls (a button, a link): a press on one is a Send. Defaults to
   * the controls labelled Send around the compose window (compose-structure.ts, sendControlsNear).
   */
  sendControls?(compose: Element): Element[];
  /**
   * Whether Ctrl+Enter (Cmd+Enter on a Mac) sends from this compose window. The webmails with an
   * adapter all do; the generic adapter only trusts a Send control that advertises it.
   */
  sendsOnCtrlEnter(compose: Element): boolean;
  /** An address of an opened message at or around `target`, or null. */
  messageAddressAt(target: Element): MessageAddress | null;
  /**
   * Attributes whose changes matter besides added and removed elements (a chip that gets its
   * address a moment after it appears): the engine's one observer watches them too.
   */
  readonly observedAttributes?: readonly string[];
}
