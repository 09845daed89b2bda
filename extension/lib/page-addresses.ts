import type { PageAddress } from './messages';

/**
 * Collects the addresses a page shows: in its text and in mailto: links. It runs inside the page
 * through `scripting.executeScript({ func })`, which sends the function's source text only, so
 * it must not use anything from outside its own body (no imports, no module-level constants).
 * `root` is a parameter so tests can hand it a document.
 */
export function collectPageAddresses(limit: number, root: Document = document): { addresses: PageAddress[]; truncated: boolean } {
  const found = new Map<string, PageAddress>();
  let truncated = false;
  const add = (raw: string, source: 'text' | 'mailto') => {
    const address = raw.trim().replace(/^mailto:/i, '').replace(/[.!?]+$/, '');
    const at = address.lastIndexOf('@');
    if (at < 1 || at === address.length - 1 || !address.slice(at + 1).includes('.')) return;
    const key = address.toLowerCase();
    const entry = found.get(key);
    if (entry) {
      if (!entry.sources.includes(source)) entry.sources.push(source);
      return;
    }
    if (found.size >= limit) {
      truncated = true;
      return;
    }
    found.set(key, { address, sources: [source] });
  };

  for (const link of Array.from(root.querySelectorAll<HTMLAnchorElement>('a[href^="mailto:" i]'))) {
    const path = (link.getAttribute('href') ?? '').slice(7).split('?')[0] ?? '';
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      // Keep the raw text.
    }
    for (const part of decoded.split(',')) add(part, 'mailto');
  }

  const body = root.body;
  if (body) {
    const pattern = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
    const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA']);
    const walker = root.createTreeWalker(body, 4 /* NodeFilter.SHOW_TEXT */, {
      acceptNode: (node) => (node.parentElement && skip.has(node.parentElement.tagName) ? 2 /* FILTER_REJECT */ : 1 /* FILTER_ACCEPT */),
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue ?? '';
      if (!text.includes('@')) continue;
      for (const match of text.matchAll(pattern)) add(match[0], 'text');
    }
  }
  return { addresses: [...found.values()], truncated };
}

/**
 * One list from several (the frames of a tab). Lists may come from inside web pages: only
 * entries of the expected shape are taken.
 */
export function mergeAddressLists(lists: readonly unknown[], limit: number): { addresses: PageAddress[]; truncated: boolean } {
  const merged = new Map<string, PageAddress>();
  let truncated = false;
  for (const list of lists) {
    if (typeof list !== 'object' || list === null) continue;
    const { addresses, truncated: cut } = list as { addresses?: unknown; truncated?: unknown };
    if (cut === true) truncated = true;
    if (!Array.isArray(addresses)) continue;
    for (const entry of addresses as unknown[]) {
      const { address, sources } = (entry ?? {}) as { address?: unknown; sources?: unknown };
      if (typeof address !== 'string' || address.length > 320 || !Array.isArray(sources)) continue;
      const clean = sources.filter((s): s is 'text' | 'mailto' => s === 'text' || s === 'mailto');
      const key = address.toLowerCase();
      const known = merged.get(key);
      if (known) {
        for (const s of clean) if (!known.sources.includes(s)) known.sources.push(s);
      } else if (merged.size < limit) {
        merged.set(key, { address, sources: clean });
      } else {
        truncated = true;
      }
    }
  }
  return { addresses: [...merged.values()], truncated };
}

/**
 * The content script's way: its own document and the same-origin frames inside it (their
 * documents are reachable; cross-origin frames are not, and are skipped).
 */
export function collectWithFrames(limit: number, root: Document = document): { addresses: PageAddress[]; truncated: boolean } {
  const documents: Document[] = [root];
  // Breadth first through nested frames; a page with hundreds of frames is cut at 50.
  for (let i = 0; i < documents.length && documents.length < 50; i++) {
    for (const frame of Array.from(documents[i]!.querySelectorAll('iframe, frame'))) {
      try {
        const inner = (frame as HTMLIFrameElement).contentDocument;
        if (inner?.body) documents.push(inner);
      } catch {
        // Cross-origin.
      }
    }
  }
  return mergeAddressLists(documents.map((d) => collectPageAddresses(limit, d)), limit);
}
