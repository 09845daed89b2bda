import { createShadowHost } from './shadow-host';

/**
 * One polite live region per page for what a screen reader should hear without moving the focus
 * ("alice@example.com: Deliverable"): a visually hidden host, created on the first announcement.
 * (A live region inside a badge, a button, would not be read.)
 */
const HIDDEN =
  'width: 1px !important; height: 1px !important; overflow: hidden !important; clip-path: inset(50%) !important; ' +
  'white-space: nowrap !important; top: 0 !important; left: 0 !important;';

export class LiveRegion {
  #host: HTMLElement | null = null;
  #text: HTMLElement | null = null;

  constructor(
    private readonly doc: Document,
    private readonly tag: string,
  ) {}

  announce(text: string): void {
    if (!this.#text) {
      const { host, shadow } = createShadowHost(this.doc, this.tag, { hostStyle: HIDDEN });
      this.#text = this.doc.createElement('div');
      this.#text.setAttribute('role', 'status');
      this.#text.setAttribute('aria-live', 'polite');
      shadow.append(this.#text);
      this.doc.documentElement.append(host);
      this.#host = host;
    }
    this.#text.textContent = text;
  }

  remove(): void {
    this.#host?.remove();
    this.#host = null;
    this.#text = null;
  }
}
