import type { z } from 'zod';
import { settingsSchema } from './settings';

/** What a dotted key holds, read off the schema, so the CLI can parse a value for it. */
export type SettingKind =
  | { type: 'string'; nullable: boolean }
  | { type: 'number'; nullable: boolean }
  | { type: 'boolean'; nullable: boolean }
  | { type: 'enum'; nullable: boolean; values: string[] }
  | { type: 'array'; nullable: boolean; element: SettingKind }
  | { type: 'group'; nullable: boolean; keys: string[] };

interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  entries?: Record<string, string>;
}

const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

function kindOf(schema: z.ZodType, nullable = false): SettingKind {
  const def = defOf(schema);
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
      return kindOf(def.innerType!, nullable);
    case 'nullable':
      return kindOf(def.innerType!, true);
    case 'string':
      return { type: 'string', nullable };
    case 'number':
      return { type: 'number', nullable };
    case 'boolean':
      return { type: 'boolean', nullable };
    case 'enum':
      return { type: 'enum', nullable, values: Object.values(def.entries ?? {}) };
    case 'array':
      return { type: 'array', nullable, element: kindOf(def.element!) };
    case 'object':
      return { type: 'group', nullable, keys: Object.keys(def.shape ?? {}) };
    default:
      // A schema type this table does not know yet: treat it as text and let the schema judge.
      return { type: 'string', nullable };
  }
}

function walk(schema: z.ZodType, prefix: string, into: Map<string, SettingKind>): void {
  const kind = kindOf(schema);
  if (prefix) into.set(prefix, kind);
  if (kind.type !== 'group') return;
  let inner = schema;
  while (defOf(inner).type !== 'object') inner = defOf(inner).innerType!;
  for (const [name, child] of Object.entries(defOf(inner).shape ?? {})) {
    walk(child, prefix ? `${prefix}.${name}` : name, into);
  }
}

const KEYS: ReadonlyMap<string, SettingKind> = (() => {
  const keys = new Map<string, SettingKind>();
  walk(settingsSchema, '', keys);
  return keys;
})();

/** Every dotted key, groups included (`timeouts`, `timeouts.connectSeconds`, ...), in schema order. */
export function settingKeys(): string[] {
  return [...KEYS.keys()];
}

export function settingKind(key: string): SettingKind | null {
  return KEYS.get(key) ?? null;
}

export function getAt(root: unknown, key: string): unknown {
  let node = root;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A copy of `root` with `key` set (intermediate groups created as needed). */
export function setAt(root: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = key.split('.');
  if (rest.length === 0) return { ...root, [head!]: value };
  const child = root[head!];
  const group = child !== null && typeof child === 'object' && !Array.isArray(child) ? (child as Record<string, unknown>) : {};
  return { ...root, [head!]: setAt(group, rest.join('.'), value) };
}

/** A copy of `root` without `key`; groups left empty disappear too. */
export function deleteAt(root: Record<string, unknown>, key: string): Record<string, unknown> {
  const [head, ...rest] = key.split('.');
  const copy = { ...root };
  if (rest.length === 0) {
    delete copy[head!];
    return copy;
  }
  const child = copy[head!];
  if (child === null || typeof child !== 'object' || Array.isArray(child)) return copy;
  const inner = deleteAt(child as Record<string, unknown>, rest.join('.'));
  if (Object.keys(inner).length === 0) delete copy[head!];
  else copy[head!] = inner;
  return copy;
}

/**
 * The key the user most likely meant: a key whose last part matches exactly
 * (`connectSeconds` → `timeouts.connectSeconds`), else the nearest by edit distance, when near.
 */
export function closestKey(input: string, keys: readonly string[] = settingKeys()): string | null {
  const wanted = input.toLowerCase();
  const byLeaf = keys.filter((k) => k.split('.').pop()!.toLowerCase() === wanted.split('.').pop());
  if (byLeaf.length === 1) return byLeaf[0]!;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const key of keys) {
    const candidates = [key.toLowerCase(), key.split('.').pop()!.toLowerCase()];
    const distance = Math.min(...candidates.map((c) => editDistance(wanted, c)));
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : null;
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
