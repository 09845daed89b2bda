import { browser } from 'wxt/browser';
import type {
  BackgroundRequestData,
  BackgroundRequestKind,
  BackgroundResponses,
  ContentRequests,
  Envelope,
} from './messages';

/**
 * Typed senders over lib/messages.ts. No schemas here (this file is part of every bundle); the
 * receiving background validates. A failed send (the background is restarting, no content
 * script in that frame) comes back as `null`, never as a thrown error.
 */

/** The name of the "checks" port (see lib/messages.ts). */
export const CHECKS_PORT = 'mailping:checks';

export function isEnvelope(message: unknown): message is Envelope<string, unknown> {
  return typeof message === 'object' && message !== null && (message as { mailping?: unknown }).mailping === 1;
}

export async function askBackground<K extends BackgroundRequestKind>(
  kind: K,
  data: BackgroundRequestData<K>,
): Promise<BackgroundResponses[K] | null> {
  const envelope: Envelope<K, BackgroundRequestData<K>> = { mailping: 1, kind, data };
  try {
    return ((await browser.runtime.sendMessage(envelope)) as BackgroundResponses[K] | undefined) ?? null;
  } catch {
    return null;
  }
}

export async function askContent<K extends keyof ContentRequests>(
  target: { tabId: number; frameId?: number },
  kind: K,
  data: ContentRequests[K]['request'],
): Promise<ContentRequests[K]['response'] | null> {
  const envelope: Envelope<K, ContentRequests[K]['request']> = { mailping: 1, kind, data };
  try {
    const options = target.frameId === undefined ? undefined : { frameId: target.frameId };
    return ((await browser.tabs.sendMessage(target.tabId, envelope, options)) as ContentRequests[K]['response'] | undefined) ?? null;
  } catch {
    return null;
  }
}
