import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ensureDirectories, type MailpingPaths } from './paths';
import { DEFAULT_SETTINGS, type Settings } from './settings';

/** The leaves of `settings` that differ from the defaults, in the same nesting; arrays compare whole. */
export function differencesFromDefaults(settings: Settings): Record<string, unknown> {
  return (diff(settings, DEFAULT_SETTINGS) as Record<string, unknown> | undefined) ?? {};
}

function diff(value: unknown, base: unknown): unknown {
  if (isGroup(value) && isGroup(base)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const d = diff(child, base[key]);
      if (d !== undefined) out[key] = d;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return JSON.stringify(value) === JSON.stringify(base) ? undefined : value;
}

function isGroup(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Writes config.json with only what differs from the defaults, so a later release's better
 * defaults reach users who never changed them. Temp file + rename: a crash leaves the old
 * file or the new one, never half of one; mode 0600 because it may hold proxy credentials.
 */
export function writeSettingsFile(paths: MailpingPaths, settings: Settings): Record<string, unknown> {
  ensureDirectories(paths);
  const stored = differencesFromDefaults(settings);
  const temp = join(dirname(paths.configFile), `.${basename(paths.configFile)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(temp, 0o600);
    renameSync(temp, paths.configFile);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return stored;
}

/** config.json as stored (not merged), `{}` when there is none; null when it cannot be read. */
export function readStoredSettings(paths: MailpingPaths): { ok: true; stored: Record<string, unknown> } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFileSync(paths.configFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, stored: {} };
    return { ok: false, message: `cannot read ${paths.configFile}: ${(error as Error).message}` };
  }
  try {
    const stored = JSON.parse(text) as unknown;
    if (!isGroup(stored)) return { ok: false, message: `${paths.configFile}: expected a JSON object` };
    return { ok: true, stored };
  } catch (error) {
    return { ok: false, message: `${paths.configFile} is not valid JSON: ${(error as Error).message}` };
  }
}
