/**
 * Reading addresses out of a webmail's markup. Chips and message headers carry the address in
 * an attribute even when they show a name ("Alice"): Gmail's `email` and `data-hovercard-id`,
 * Yahoo's and Outlook's `title` or `aria-label` ("Alice <alice@example.com>"), and many apps'
 * `data-address`/`data-email`; plain clients show it as text. Pure DOM reads.
 */

// Loose on purpose (the daemon checks the syntax properly): a local part, an @, a dotted domain.
const ADDRESS = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

/** Attributes that hold an address, best first. */
export const ADDRESS_ATTRIBUTES = ['email', 'data-hovercard-id', 'data-address', 'data-email', 'data-mail', 'title', 'aria-label'] as const;

/** Every distinct address in a text, in order (a trailing dot of a sentence is not part of one). */
export function addressesIn(text: string): string[] {
  if (!text.includes('@')) return [];
  const found = new Map<string, string>();
  for (const match of text.matchAll(ADDRESS)) {
    const address = match[0].replace(/^['.]+/, '').replace(/[.-]+$/, '');
    const key = address.toLowerCase();
    if (!found.has(key)) found.set(key, address);
  }
  return [...found.values()];
}

/** The single address a text holds, or null when it holds none or several. */
export function onlyAddressIn(text: string): string | null {
  const all = addressesIn(text);
  return all.length === 1 ? all[0]! : null;
}

/** The address an element's own attributes carry (a mailto: link counts), or null. */
export function addressInAttributes(el: Element): string | null {
  for (const name of ADDRESS_ATTRIBUTES) {
    const value = el.getAttribute(name);
    if (value) {
      const address = onlyAddressIn(value);
      if (address) return address;
    }
  }
  const href = el.localName === 'a' ? (el.getAttribute('href') ?? '') : '';
  if (/^mailto:/i.test(href)) {
    let decoded = href.slice(7).split('?')[0] ?? '';
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // Keep the raw text.
    }
    return addressesIn(decoded)[0] ?? null;
  }
  return null;
}

/**
 * The address an element stands for: its attributes, then those of its descendants, then its
 * text; null when there is none, or more than one in the text.
 */
export function addressOf(el: Element): string | null {
  const own = addressInAttributes(el);
  if (own) return own;
  const carriers = el.querySelectorAll('[email], [data-hovercard-id], [data-address], [data-email], [title*="@"], [aria-label*="@"], a[href^="mailto:" i]');
  for (let i = 0; i < carriers.length; i++) {
    const address = addressInAttributes(carriers[i]!);
    if (address) return address;
  }
  return onlyAddressIn(el.textContent ?? '');
}

/** The address at or just around a pointer target: the target and up to `levels` ancestors. */
export function addressAround(target: Element, levels = 3): { element: Element; address: string } | null {
  let el: Element | null = target;
  for (let i = 0; el && i <= levels; i++, el = el.parentElement) {
    const address = addressInAttributes(el) ?? (el.childElementCount === 0 ? onlyAddressIn(el.textContent ?? '') : null);
    if (address) return { element: el, address };
  }
  return null;
}
