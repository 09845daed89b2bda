import type { BackgroundLink } from '@/lib/background-link';
import type { RecipientField, RecipientToken, WebmailAdapter } from './adapter';
import { ComposeNotice } from './compose-notice';
import { isSubjectField } from './compose-structure';
import { noticeEntries, type NoticeEntry } from './notice-model';
import type { PersonActivity } from './person-activity';
import { RecipientMark } from './recipient-mark';
import { sendBlockers, type SendBlocker } from './send-blockers';
import { SendConfirm } from './send-confirm';
import type { Replay } from './send-guard';

/**
 * One open compose window: its recipients' marks, kept in step with the chips the webmail shows
 * (added by typing, pasting, autocomplete or dragging; removed; re-rendered), and its notice.
 * A recipient is known by its field, its address and its rank among equal ones, so a chip the
 * webmail re-renders keeps its mark and its check instead of starting over.
 */
export interface SessionContext {
  doc: Document;
  link: BackgroundLink;
  activity: PersonActivity;
  /** A webmail's own host: every recipient is the person's (see person-activity.ts). */
  trustedHost: boolean;
  /**
   * Addresses the person added in this document (lower case): a compose window the page
   * re-creates, or a chip dragged to another field, keeps them checked.
   */
  personAddresses: Set<string>;
  announce(text: string): void;
  openOptions(): void;
  requestLayout(): void;
  isTrusted(event: Event): boolean;
}

const FIX_CONFIRM_MS = 700;

export class ComposeSession {
  readonly marks = new Map<string, RecipientMark>();
  readonly notice: ComposeNotice;
  #fields: RecipientField[] = [];
  #fieldOf = new Map<RecipientMark, RecipientField>();
  #first = true;
  #noticeDirty = true;
  #confirm: SendConfirm | null = null;
  #replay: Replay | null = null;
  /** Where the focus was when the Send was stopped: Escape gives it back. */
  #focusBefore: Element | null = null;

  constructor(
    readonly root: Element,
    readonly adapter: WebmailAdapter,
    private readonly ctx: SessionContext,
  ) {
    this.notice = new ComposeNotice(ctx.doc, { fix: (entry) => this.#fixEntry(entry), isTrusted: ctx.isTrusted }, typeof adapter.replaceRecipient === 'function');
  }

  get fields(): readonly RecipientField[] {
    return this.#fields;
  }

  /** Reads the fields and chips again and brings the marks in line. */
  refresh(): void {
    let fields: RecipientField[] = [];
    const tokens: { field: RecipientField; token: RecipientToken }[] = [];
    try {
      fields = this.adapter.recipientFields(this.root);
      for (const field of fields) for (const token of this.adapter.recipientTokens(field)) tokens.push({ field, token });
    } catch {
      // The page changed under the adapter: no marks rather than a broken page.
      fields = [];
      tokens.length = 0;
    }
    this.#fields = fields;
    // On a page we do not know, chips that were there when the window opened are the page's.
    const acted = this.ctx.trustedHost || (!this.#first && this.ctx.activity.actedIn(this.root));
    this.#first = false;
    const seen = new Set<string>();
    const rank = new Map<string, number>();
    for (const { field, token } of tokens) {
      const base = `${token.kind}|${token.address.toLowerCase()}`;
      const n = rank.get(base) ?? 0;
      rank.set(base, n + 1);
      const key = `${base}#${n}`;
      seen.add(key);
      let anchor: Element = token.element;
      try {
        anchor = this.adapter.markAnchor?.(token) ?? token.element;
      } catch {
        // Keep the token itself.
      }
      const existing = this.marks.get(key);
      if (existing) {
        existing.update(token, anchor);
        this.#fieldOf.set(existing, field);
        continue;
      }
      const known = this.ctx.personAddresses.has(token.address.toLowerCase());
      if (acted) this.ctx.personAddresses.add(token.address.toLowerCase());
      const mark = new RecipientMark(token, anchor, this.#markContext(), acted || known);
      this.marks.set(key, mark);
      this.#fieldOf.set(mark, field);
      this.#noticeDirty = true;
    }
    for (const [key, mark] of this.marks) {
      if (seen.has(key)) continue;
      mark.destroy();
      this.marks.delete(key);
      this.#fieldOf.delete(mark);
      this.#noticeDirty = true;
    }
    this.ctx.requestLayout();
  }

  layout(viewport: { width: number; height: number }): void {
    for (const mark of this.marks.values()) mark.layout(viewport);
    if (this.#noticeDirty) {
      this.#noticeDirty = false;
      this.notice.render(noticeEntries([...this.marks.values()].map((m) => ({ kind: m.token.kind, state: m.state }))));
      if (this.#confirm?.open) {
        // Fixed meanwhile (a typo fix, a chip removed): nothing left to confirm.
        const blockers = this.sendBlockers();
        if (blockers.length === 0) this.#closeConfirm(true);
        else this.#confirm.render(blockers);
      }
    }
    // While the person types a recipient, the webmail's suggestions open right where the notice
    // sits: it steps aside until the field is empty again (or the focus moves on).
    this.notice.place(this.#typing() ? null : this.#area(), viewport);
  }

  #typing(): boolean {
    const active = this.ctx.doc.activeElement;
    if (!active) return false;
    return this.#fields.some(({ entry }) => {
      if (!entry || !(entry === active || entry.contains(active))) return false;
      if (entry.getAttribute('aria-expanded') === 'true') return true;
      const typed =
        'value' in entry && typeof (entry as HTMLInputElement).value === 'string'
          ? (entry as HTMLInputElement).value
          : Array.from(entry.childNodes, (n) => (n.nodeType === 3 ? (n.nodeValue ?? '') : '')).join('');
      return typed.replace(/\u200b/g, '').trim() !== '';
    });
  }

  /** The recipients a Send would stop for, from the marks as they are now (no waiting). */
  sendBlockers(): SendBlocker[] {
    if (this.marks.size === 0) return [];
    return sendBlockers([...this.marks.values()].map((m) => ({ kind: m.token.kind, state: m.state })));
  }

  get confirmOpen(): boolean {
    return this.#confirm?.open ?? false;
  }

  focusConfirm(): void {
    this.#confirm?.host.shadowRoot?.querySelector<HTMLElement>('[role="alertdialog"]')?.focus({ preventScroll: true });
  }

  /** A Send was stopped: asks the person, with the way to do it again if they still want to. */
  openConfirm(blockers: SendBlocker[], control: Element | null, replay: Replay): void {
    this.#replay = replay;
    this.#focusBefore = this.ctx.doc.activeElement;
    this.#confirm ??= new SendConfirm(this.ctx.doc, {
      fix: (list) => this.#fixBlockers(list),
      sendAnyway: () => {
        const again = this.#replay;
        this.#closeConfirm(true);
        again?.();
      },
      cancel: () => this.#closeConfirm(true),
      isTrusted: this.ctx.isTrusted,
    });
    const win = this.ctx.doc.defaultView;
    const viewport = { width: win?.innerWidth ?? 1024, height: win?.innerHeight ?? 768 };
    const rect = control?.getBoundingClientRect();
    const anchor = rect && rect.width > 0 && rect.height > 0 ? rect : null;
    this.#confirm.show(blockers, anchor, this.root.getBoundingClientRect(), viewport);
    const first = blockers[0]!;
    this.ctx.announce(`Not sent yet: ${first.text}${blockers.length > 1 ? ` And ${blockers.length - 1} more.` : ''}`);
  }

  #closeConfirm(restoreFocus: boolean): void {
    this.#replay = null;
    if (!this.#confirm?.open) return;
    this.#confirm.close();
    const before = this.#focusBefore as HTMLElement | null;
    this.#focusBefore = null;
    if (restoreFocus && before?.isConnected && typeof before.focus === 'function') before.focus({ preventScroll: true });
  }

  /** "Fix": the typo fixes in one click; without one, back to the field of the bad recipient. */
  #fixBlockers(blockers: readonly SendBlocker[]): void {
    const typos = blockers.filter((b) => b.suggestion !== null);
    this.#closeConfirm(false);
    for (const blocker of typos) {
      const mark = [...this.marks.values()].find((m) => m.address.toLowerCase() === blocker.address.toLowerCase());
      if (mark) this.#fix(mark, blocker.suggestion!);
    }
    if (typos.length > 0) return;
    const first = blockers[0];
    const mark = first && [...this.marks.values()].find((m) => m.address.toLowerCase() === first.address.toLowerCase());
    const entry = mark ? this.#fieldOf.get(mark)?.entry : null;
    entry?.focus({ preventScroll: true });
    if (first) this.notice.say(`Remove ${first.address} or replace it, then send again.`);
    this.ctx.requestLayout();
  }

  statusChanged(): void {
    for (const mark of this.marks.values()) mark.statusChanged();
  }

  destroy(): void {
    for (const mark of this.marks.values()) mark.destroy();
    this.marks.clear();
    this.notice.destroy();
    this.#confirm?.destroy();
  }

  /** The compose window's box and its recipient fields' box, while both are on screen. */
  #area(): { compose: DOMRect; fields: DOMRect } | null {
    const compose = this.root.getBoundingClientRect();
    let top = Infinity;
    let bottom = -Infinity;
    let left = Infinity;
    let right = -Infinity;
    for (const field of this.#fields) {
      const r = field.element.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      top = Math.min(top, r.top);
      bottom = Math.max(bottom, r.bottom);
      left = Math.min(left, r.left);
      right = Math.max(right, r.right);
    }
    if (!Number.isFinite(top) || compose.width === 0) return null;
    // The subject line is just as busy as the recipients: the notice goes below it, over the
    // top of the body, where a message rarely has text on the right.
    for (const input of Array.from(this.root.querySelectorAll('input'))) {
      if (!isSubjectField(input)) continue;
      const r = input.getBoundingClientRect();
      if (r.height > 0 && r.top >= top - 1) bottom = Math.max(bottom, r.bottom);
    }
    return { compose, fields: new DOMRect(left, top, right - left, bottom - top) };
  }

  #markContext() {
    return {
      doc: this.ctx.doc,
      link: this.ctx.link,
      announce: (text: string) => this.ctx.announce(text),
      openOptions: () => this.ctx.openOptions(),
      requestLayout: () => this.ctx.requestLayout(),
      isTrusted: this.ctx.isTrusted,
      changed: () => {
        this.#noticeDirty = true;
        this.ctx.requestLayout();
      },
      fix: (mark: RecipientMark, suggestion: string) => this.#fix(mark, suggestion),
      acted: (mark: RecipientMark) => {
        this.ctx.activity.note(this.root);
        this.ctx.personAddresses.add(mark.address.toLowerCase());
      },
      markPoint: (token: RecipientToken) => {
        try {
          return this.adapter.markPoint?.(token) ?? null;
        } catch {
          return null;
        }
      },
    };
  }

  #fixEntry(entry: NoticeEntry): void {
    const mark = [...this.marks.values()].find((m) => m.address.toLowerCase() === entry.address.toLowerCase());
    if (mark && entry.suggestion) this.#fix(mark, entry.suggestion);
  }

  /** Replaces a recipient by the suggestion as a person would; copies it when that cannot be done. */
  #fix(mark: RecipientMark, suggestion: string): void {
    const field = this.#fieldOf.get(mark);
    // The new chip is the person's: they asked for it.
    this.ctx.activity.note(this.root);
    let done = false;
    try {
      done = field !== undefined && this.adapter.replaceRecipient?.(field, mark.token, suggestion) === true;
    } catch {
      done = false;
    }
    if (!done) {
      void this.#copy(suggestion, `Copied ${suggestion}: remove ${mark.address} and paste it in its place.`);
      return;
    }
    this.notice.say(`Replaced ${mark.address} by ${suggestion}.`);
    setTimeout(() => {
      this.refresh();
      const arrived = [...this.marks.values()].some((m) => m.address.toLowerCase() === suggestion.toLowerCase());
      if (!arrived) void this.#copy(suggestion, `${this.adapter.name} did not take the change: ${suggestion} is copied, paste it into the field.`);
    }, FIX_CONFIRM_MS);
  }

  async #copy(text: string, message: string): Promise<void> {
    try {
      await this.ctx.doc.defaultView?.navigator.clipboard.writeText(text);
      this.notice.say(message);
    } catch {
      this.notice.say(`Replace it by ${text} in the field.`);
    }
    this.ctx.requestLayout();
  }
}
