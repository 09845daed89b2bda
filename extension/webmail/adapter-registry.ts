import type { WebmailAdapter } from './adapter';

/**
 * How the site adapters reach the engine: the adapters entrypoint (declared for the webmail
 * hosts only) and the main content script run in the same isolated world of a frame and share
 * its global object, never the page's. The adapters script runs first (document_start) and
 * leaves its adapters here; the engine also listens, in case it started first.
 */
const KEY = Symbol.for('mailping.webmailAdapters');

interface Registry {
  adapters: WebmailAdapter[];
  listeners: Set<() => void>;
}

function registry(): Registry {
  const global = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (global[KEY] ??= { adapters: [], listeners: new Set() });
}

export function registerAdapters(adapters: readonly WebmailAdapter[]): void {
  const r = registry();
  r.adapters.push(...adapters);
  for (const listener of r.listeners) listener();
}

export function registeredAdapters(): readonly WebmailAdapter[] {
  return registry().adapters;
}

export function onAdaptersRegistered(listener: () => void): () => void {
  const r = registry();
  r.listeners.add(listener);
  return () => r.listeners.delete(listener);
}
