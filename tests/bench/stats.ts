/** Small statistics for bench figures: every figure is a median of repeated runs, some also a p99. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function ms(value: number, digits = value < 10 ? 2 : value < 100 ? 1 : 0): string {
  if (!Number.isFinite(value)) return '—';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(digits)} ms`;
}

export function mb(kb: number): string {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : '—';
}

/** "12.3×" (how many times `ours` beats `theirs` when smaller is better). */
export function times(theirs: number, ours: number): string {
  if (!Number.isFinite(theirs) || !Number.isFinite(ours) || ours <= 0) return '—';
  const r = theirs / ours;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`;
}

/** A Markdown table (also readable as plain text in a terminal). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
