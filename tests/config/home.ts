import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh MAILPING_HOME per test, removed after it: settings and cache never leak between tests. */
export function useTempHome(): () => string {
  let current: string | null = null;
  afterEach(() => {
    if (current) rmSync(current, { recursive: true, force: true });
    current = null;
  });
  return () => (current ??= mkdtempSync(join(tmpdir(), 'mailping-config-test-')));
}
