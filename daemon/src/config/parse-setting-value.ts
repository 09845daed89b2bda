import type { SettingKind } from './setting-keys';

export type ParsedValue = { ok: true; value: unknown } | { ok: false; message: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A command-line value for a setting: JSON when it looks like JSON (`null`, `[...]`, `{...}`,
 * `"..."`), plain text otherwise, numbers for number fields, and an array from repeated values
 * (`config set dnsServers 1.1.1.1 9.9.9.9`). Range and format checks are the schema's job.
 */
export function parseSettingValue(key: string, kind: SettingKind, raw: readonly string[]): ParsedValue {
  if (raw.length === 0) return { ok: false, message: `give a value for ${key}` };
  if (kind.type === 'array') return parseArray(key, kind, raw);
  if (raw.length > 1) return { ok: false, message: `${key} takes one value, not ${raw.length} (quote a value that has spaces)` };
  return parseOne(key, kind, raw[0]!);
}

function parseArray(key: string, kind: Extract<SettingKind, { type: 'array' }>, raw: readonly string[]): ParsedValue {
  const only = raw.length === 1 ? raw[0]!.trim() : null;
  if (only !== null && kind.nullable && only === 'null') return { ok: true, value: null };
  if (only !== null && only.startsWith('[')) {
    const json = parseJson(only);
    if (!json.ok || !Array.isArray(json.value)) return { ok: false, message: `${key}: "${only}" is not a JSON array` };
    const items = json.value.map((item, i) => checkJsonType(`${key}[${i}]`, kind.element, item));
    const bad = items.find((item) => !item.ok);
    return bad ?? { ok: true, value: json.value };
  }
  const values: unknown[] = [];
  for (const [i, text] of raw.entries()) {
    const item = parseOne(`${key}[${i}]`, kind.element, text);
    if (!item.ok) return item;
    values.push(item.value);
  }
  return { ok: true, value: values };
}

function parseOne(key: string, kind: SettingKind, text: string): ParsedValue {
  const trimmed = text.trim();
  if (kind.nullable && trimmed === 'null') return { ok: true, value: null };
  switch (kind.type) {
    case 'number': {
      if (NUMBER.test(trimmed)) return { ok: true, value: Number(trimmed) };
      return { ok: false, message: `${key} must be a number, not "${text}"` };
    }
    case 'boolean': {
      if (trimmed === 'true' || trimmed === 'false') return { ok: true, value: trimmed === 'true' };
      return { ok: false, message: `${key} must be true or false, not "${text}"` };
    }
    case 'enum': {
      const value = unquote(trimmed);
      if (kind.values.includes(value)) return { ok: true, value };
      return { ok: false, message: `${key} must be one of ${kind.values.join(', ')}, not "${text}"` };
    }
    case 'group': {
      const json = trimmed.startsWith('{') ? parseJson(trimmed) : null;
      if (json?.ok && json.value !== null && typeof json.value === 'object' && !Array.isArray(json.value)) return json;
      return { ok: false, message: `${key} is a group of settings: set one of them (${kind.keys.map((k) => `${key}.${k}`).join(', ')}) or give a JSON object` };
    }
    case 'array':
      return parseArray(key, kind, [text]);
    case 'string':
      // Text as typed, except a JSON string literal ("\"null\"" sets the text null).
      return { ok: true, value: unquote(text) };
  }
}

function unquote(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2) {
    const json = parseJson(trimmed);
    if (json.ok && typeof json.value === 'string') return json.value;
  }
  return text;
}

function checkJsonType(key: string, kind: SettingKind, value: unknown): ParsedValue {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const wanted = kind.type === 'enum' ? 'string' : kind.type === 'group' ? 'object' : kind.type;
  if (type === wanted || (type === 'null' && kind.nullable)) return { ok: true, value };
  return { ok: false, message: `${key} must be a ${wanted}, not ${JSON.stringify(value)}` };
}

function parseJson(text: string): ParsedValue {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, message: `"${text}" is not valid JSON` };
  }
}
