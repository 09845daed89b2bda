import { createStore, del, get, set } from 'idb-keyval';

/**
 * Where the pairing token lives: the extension origin's IndexedDB, which only the extension's
 * own pages and its background can open. Content scripts run in the page's origin (their
 * IndexedDB is the page's), and they can read browser.storage.local in Chrome and Firefox alike,
 * so the token is never kept there: the pairing item in storage.local says only where and when
 * the browser paired. Only the background and the extension pages import this file.
 */
const store = createStore('mailping', 'secrets');
const KEY = 'daemonToken';

export async function loadPairingToken(): Promise<string | null> {
  const token = await get<string>(KEY, store);
  return typeof token === 'string' && token !== '' ? token : null;
}

export async function storePairingToken(token: string | null): Promise<void> {
  if (token === null) await del(KEY, store);
  else await set(KEY, token, store);
}
