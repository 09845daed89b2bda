/**
 * Finding the address in what a person right-clicked: a selection often carries more than the
 * address ("Write to Alice <alice@example.com>."), and a mailto: link can carry several
 * addresses and a query. Pure; the daemon still checks the syntax properly.
 */

// Deliberately loose: it only has to find a candidate; quotes, brackets and the sentence's
// punctuation around it are trimmed.
const CANDIDATE = /[^\s<>()[\]{}"',;:]+@[^\s<>()[\]{}"',;:]+/u;

export function findAddressIn(text: string): string | null {
  const match = CANDIDATE.exec(text.normalize('NFC'));
  if (!match) return null;
  const trimmed = match[0].replace(/^mailto:/i, '').replace(/[.!?…]+$/u, '');
  const at = trimmed.lastIndexOf('@');
  return at > 0 && at < trimmed.length - 1 ? trimmed : null;
}

/** The first address of a mailto: URL (RFC 6068), or null. */
export function addressFromMailto(url: string): string | null {
  if (!/^mailto:/i.test(url)) return null;
  const path = url.slice('mailto:'.length).split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  const first = decoded.split(',')[0]?.trim() ?? '';
  return first === '' ? null : findAddressIn(first);
}
