import { storage } from 'wxt/utils/storage';

/**
 * The settings content scripts read, declared once and versioned (a later change of shape ships
 * with a migration). Kept apart from lib/daemon-settings.ts so the content script stays small.
 */

/** Inline badges on email fields; the context menu and the popup work either way. */
export const autoBadgesItem = storage.defineItem<boolean>('local:autoBadges', {
  fallback: true,
  version: 1,
});

/** Sites where the content script shows nothing by itself (entries matched by lib/site-match.ts). */
export const silentSitesItem = storage.defineItem<string[]>('local:silentSites', {
  fallback: [],
  version: 1,
});

/** Recipient checks in webmail compose windows and hover marks in opened messages. */
export const webmailChecksItem = storage.defineItem<boolean>('local:webmailChecks', {
  fallback: true,
  version: 1,
});

/** A Send in webmail compose asks first when a recipient would bounce (or looks like a typo). */
export const warnBeforeSendItem = storage.defineItem<boolean>('local:warnBeforeSend', {
  fallback: true,
  version: 1,
});
