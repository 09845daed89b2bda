/**
 * `Date.prototype.toISOString()` without touching ICU. V8's date formatting first sets up its
 * time-zone cache, which pages in ~640 KB of ICU data that then stays resident; the UTC getters
 * read the time value alone. An idle daemon's first log line (a pairing) would otherwise pay it.
 */
export function utcTimestamp(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const y = year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`;
  return `${y}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
