import type { VerificationResult } from '@mailping/shared';
import { storage } from 'wxt/utils/storage';
import type { TabCheck } from '@/lib/messages';

/**
 * What the background keeps in `storage.session`: it lives as long as the browser session and
 * survives the service worker being stopped (MV3 stops an idle worker after 30 s), and content
 * scripts cannot read it. Versioned like every other item.
 */

/** Results by normalized address; the memory copy in result-cache.ts is the one that is read. */
export const resultCacheItem = storage.defineItem<Record<string, VerificationResult>>('session:results', {
  fallback: {},
  version: 1,
});

export interface SavedCheck {
  address: string;
  fresh: boolean;
}

/** Checks sent (or waiting to be sent) and not answered yet: re-sent when the worker restarts. */
export const pendingChecksItem = storage.defineItem<SavedCheck[]>('session:pendingChecks', {
  fallback: [],
  version: 1,
});

/** The context menu's last check per tab (tab id as key), for the toolbar badge and the popup. */
export const tabChecksItem = storage.defineItem<Record<string, TabCheck>>('session:tabChecks', {
  fallback: {},
  version: 1,
});
