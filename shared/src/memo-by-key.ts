/**
 * A one-argument function's answers kept for the last `max` keys seen: a list's addresses come
 * in runs of a few domains, so per-domain work done once per domain, not once per address. When
 * full it forgets everything at once (cheaper than tracking age; the next run refills it).
 */
export function memoByKey<T>(fn: (key: string) => T, max = 1000): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    if (known.has(key)) return known.get(key) as T;
    if (known.size >= max) known.clear();
    const value = fn(key);
    known.set(key, value);
    return value;
  };
}
