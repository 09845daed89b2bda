/**
 * A sorted list of ASCII strings searched in place: the bytes of a file with one entry per line in
 * byte order (scripts/address-lists.mjs writes them). A lookup is a binary search over the bytes,
 * ~17 comparisons for 120k entries, and the list costs its file size (off the JavaScript heap),
 * not a string and a hash entry per line.
 */
const NEWLINE = 0x0a;

export class SortedList {
  constructor(private readonly bytes: Buffer) {}

  get size(): number {
    let lines = 0;
    for (let i = this.bytes.indexOf(NEWLINE); i !== -1; i = this.bytes.indexOf(NEWLINE, i + 1)) lines++;
    return lines;
  }

  has(entry: string): boolean {
    if (entry === '' || entry.includes('\n')) return false;
    const key = Buffer.from(entry, 'latin1');
    const bytes = this.bytes;
    // Invariant: `lo` is the start of a line, and any line equal to the key starts in [lo, hi).
    let lo = 0;
    let hi = bytes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      // The line around `mid`; a negative offset would count from the end, hence the guard.
      const start = mid === 0 ? 0 : bytes.lastIndexOf(NEWLINE, mid - 1) + 1;
      let end = bytes.indexOf(NEWLINE, start);
      if (end === -1) end = bytes.length;
      const order = key.compare(bytes, start, end);
      if (order === 0) return true;
      if (order < 0) hi = start;
      else lo = end + 1;
    }
    return false;
  }
}
