/**
 * How MailPing puts anything on a page (a badge, a mark, the compose notice, the send confirm,
 * the toast, the live region): a host element of its own name (`mailping-*`, which the page's
 * observers and ours skip), a child of <html> so no page container clips or shifts it, with an
 * open shadow root the page's style sheets cannot reach. The host's own styles are inline and
 * `!important`; inside, px units and fixed colours (the page's root font size must not matter).
 * Custom elements cannot be defined from a content script's isolated world, and need not be:
 * any valid custom-element name can carry a shadow root.
 */
export interface ShadowHost {
  host: HTMLElement;
  shadow: ShadowRoot;
}

/** The host reset every MailPing element starts from: nothing of the page's styles applies. */
export const HOST_RESET = 'all: initial !important; position: fixed !important; color-scheme: light !important; ';

export function createShadowHost(doc: Document, tag: string, options: { css?: string; hostStyle?: string } = {}): ShadowHost {
  const host = hostElement(doc, tag, options.hostStyle);
  return { host, shadow: attachShadowRoot(host, options.css) };
}

/** The host alone, for an element that builds its shadow root the first time it is shown (a badge). */
export function hostElement(doc: Document, tag: string, hostStyle = ''): HTMLElement {
  const host = doc.createElement(tag);
  host.style.cssText = `${HOST_RESET}${hostStyle}`;
  return host;
}

/** The host's open shadow root, with its style sheet. */
export function attachShadowRoot(host: HTMLElement, css?: string): ShadowRoot {
  const shadow = host.attachShadow({ mode: 'open' });
  if (css) {
    const style = host.ownerDocument.createElement('style');
    style.textContent = css;
    shadow.append(style);
  }
  return shadow;
}

/** Puts the host on the page (once). */
export function attachHost(doc: Document, host: HTMLElement): void {
  if (!host.isConnected) doc.documentElement.append(host);
}

/**
 * Shows or hides an element in the top layer (a `popover="manual"` element): above the page's own
 * overlays and stacking contexts, whatever their z-index. The popover API where there is one
 * (Chrome 114+, Firefox 125+); plain fixed positioning elsewhere.
 */
export function showInTopLayer(element: HTMLElement, show: boolean): void {
  const el = element as HTMLElement & { showPopover?: () => void; hidePopover?: () => void };
  try {
    if (show) el.showPopover?.();
    else el.hidePopover?.();
  } catch {
    // Already in that state, or the element left the document.
  }
}
