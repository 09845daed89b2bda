import { checkSettings } from './check-settings';
import { parseSettingValue } from './parse-setting-value';
import { closestKey, deleteAt, setAt, settingKind, type SettingKind } from './setting-keys';
import { settingsSchema, type Settings } from './settings';

/**
 * `usage`: the user's key or value is wrong (exit 64). `config`: the file already holds
 * something wrong elsewhere (exit 78), which this edit did not cause.
 */
export type SettingsEdit = { ok: true; settings: Settings } | { ok: false; kind: 'usage' | 'config'; message: string };

export type KeyLookup = { ok: true; kind: SettingKind } | { ok: false; message: string };

export function lookupKey(key: string): KeyLookup {
  const kind = settingKind(key);
  if (kind) return { ok: true, kind };
  const near = closestKey(key);
  return {
    ok: false,
    message: `unknown setting "${key}"${near ? `: did you mean "${near}"?` : ''} (mailping config get lists them all)`,
  };
}

/** config.json's content with `key` set from command-line text, validated as a whole. */
export function setSetting(stored: Record<string, unknown>, key: string, raw: readonly string[]): SettingsEdit {
  const found = lookupKey(key);
  if (!found.ok) return { ok: false, kind: 'usage', message: found.message };
  const value = parseSettingValue(key, found.kind, raw);
  if (!value.ok) return { ok: false, kind: 'usage', message: value.message };
  // The sender as SMTP writes it: "<>" is the null sender, "<a@b>" is a@b.
  const v = key === 'from' && typeof value.value === 'string' ? value.value.trim().replace(/^<(.*)>$/, '$1') : value.value;
  return validate(setAt(stored, key, v), key);
}

/** config.json's content without `key`: back to the default. */
export function unsetSetting(stored: Record<string, unknown>, key: string): SettingsEdit {
  const found = lookupKey(key);
  if (!found.ok) return { ok: false, kind: 'usage', message: found.message };
  return validate(deleteAt(stored, key), key);
}

function validate(candidate: Record<string, unknown>, key: string): SettingsEdit {
  const concerns = (path: string): boolean => path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`) || key.startsWith(`${path}.`);
  const parsed = settingsSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
    const ours = concerns(path);
    return {
      ok: false,
      kind: ours ? 'usage' : 'config',
      message: ours ? `invalid value for ${path}: ${issue.message}` : `config.json already has an invalid ${path}: ${issue.message} (fix it, or mailping config unset ${path})`,
    };
  }
  const issues = checkSettings(parsed.data);
  const mine = issues.find((i) => concerns(i.key));
  if (mine) return { ok: false, kind: 'usage', message: `invalid value for ${key}: ${mine.message}` };
  const other = issues[0];
  if (other) {
    return { ok: false, kind: 'config', message: `config.json already has an invalid ${other.key}: ${other.message} (fix it, or mailping config unset ${other.key.replace(/\[\d+\]$/, '')})` };
  }
  return { ok: true, settings: parsed.data };
}
