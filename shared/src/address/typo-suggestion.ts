import { memoByKey } from '../memo-by-key';
import { POPULAR_MAIL_DOMAINS } from './popular-domains';

const POPULAR = new Set(POPULAR_MAIL_DOMAINS);

/**
 * "Did you mean …@gmail.com?" for a domain one or two keystrokes away from a popular provider.
 * A local check: it needs no network, so the extension runs it while a person types.
 * (We tried @zootools/email-spell-checker: it "corrects" mail.com to gmail.com and
 * protonmail.ch to protonmail.com, both real providers, which a verifier must not do.)
 */
export function suggestDomain(domain: string): string | null {
  const d = domain.toLowerCase();
  if (d.length < 4 || POPULAR.has(d)) return null;
  return nearestPopularOnce(d);
}

// The search over every popular domain was about a sixth of a 1,000-address run's CPU in the
// verifier: once per domain.
const nearestPopularOnce = memoByKey(nearestPopular);

function nearestPopular(d: string): string | null {
  // Longer names absorb two slips (hotmial.co); short ones only one, or everything is a typo of me.com.
  const limit = d.length >= 10 ? 2 : 1;
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const candidate of POPULAR_MAIL_DOMAINS) {
    if (Math.abs(candidate.length - d.length) > limit) continue;
    const distance = editDistance(d, candidate, limit);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The suggested full address (same local part), or null. */
export function suggestAddress(local: string, domain: string): string | null {
  const suggested = suggestDomain(domain);
  return suggested ? `${local}@${suggested}` : null;
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions: gmial → gmail is
 * one slip, not two). Stops early once every path exceeds `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, prevPrev[j - 2]! + 1);
      }
      row.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return rowMin;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length]!;
}
